// A local SMTP sink for the browser tests: takes every message over a real SMTP conversation
// and lists them as JSON over HTTP (GET /messages), so a test can follow the links people get
// by e-mail. Usage: node mail-sink.mjs <smtp port> <http port> <parent pid>; it ends with the
// parent.
import net from 'node:net';
import http from 'node:http';

const [smtpPort, httpPort, parent] = process.argv.slice(2).map(Number);
const messages = [];

net.createServer((socket) => {
  socket.setEncoding('utf8');
  let buffer = '';
  let rcpt = [];
  let data = null;
  socket.write('220 sink ESMTP\r\n');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let at;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at).replace(/\r$/, '');
      buffer = buffer.slice(at + 1);
      if (data !== null) {
        if (line === '.') {
          // Soft line breaks of quoted-printable undone, so links read whole.
          const text = data.join('\n').replace(/=\n/g, '');
          messages.push({ to: rcpt.map((r) => r.replace(/[<>]/g, '')), data: text });
          rcpt = [];
          data = null;
          socket.write('250 queued\r\n');
        } else {
          data.push(line.startsWith('..') ? line.slice(1) : line);
        }
        continue;
      }
      const upper = line.toUpperCase();
      if (upper.startsWith('EHLO') || upper.startsWith('HELO')) socket.write('250 sink\r\n');
      else if (upper.startsWith('RCPT TO:')) { rcpt.push(line.slice(8).trim()); socket.write('250 ok\r\n'); }
      else if (upper.startsWith('DATA')) { data = []; socket.write('354 go ahead\r\n'); }
      else if (upper.startsWith('QUIT')) { socket.end('221 bye\r\n'); }
      else socket.write('250 ok\r\n');
    }
  });
  socket.on('error', () => {});
}).listen(smtpPort, '127.0.0.1');

http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(messages));
}).listen(httpPort, '127.0.0.1');

setInterval(() => {
  try { process.kill(parent, 0); } catch { process.exit(0); }
}, 1000);
