// Writes <file>.br (brotli, best) and <file>.gz (gzip, best) beside each file named, and prints
// the sizes: what a browser downloads.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

for (const file of process.argv.slice(2)) {
  const raw = readFileSync(file);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gz);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${file}: ${kb(raw.length)}, brotli ${kb(br.length)}, gzip ${kb(gz.length)}`);
}
