//! What the benchmark programs share: the real `lifeline serve` as a child process, a JSON client
//! for setting things up over the API, and the server's memory and CPU read from /proc.
use anyhow::{bail, Context};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `lifeline serve` child; killed on drop, also on an error or a panic.
pub struct Server {
    child: Option<Child>,
    pub pid: u32,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `bin serve` on a free loopback port over `database_url` and waits for `/healthz`.
    pub async fn start(bin: &Path, database_url: &str, log: &Path) -> anyhow::Result<Server> {
        let port = free_port()?;
        let file = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database-url")
            .arg(database_url)
            .env("RUST_LOG", "warn")
            // Needed off SQLite; any value of the right length serves a benchmark, the same one
            // for every start of this run (the server is restarted over the same database).
            .env("LIFELINE_JWT_SECRET", run_secret())
            .env("LIFELINE_SECRETS_KEY", run_secret())
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut server = Server {
            pid: child.id(),
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            log: log.to_path_buf(),
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Some(status) = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!(
                    "the server exited ({status}) before it was ready:\n{}",
                    log_tail(log)
                );
            }
            match http.get(format!("{}/healthz", server.base)).send().await {
                Ok(r) if r.status() == reqwest::StatusCode::OK => return Ok(server),
                _ => {}
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!(
                    "the server did not answer /healthz within 120 s:\n{}",
                    log_tail(log)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run_secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| format!("bench-{}", uuid::Uuid::new_v4().simple()))
}

pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// The last 20 lines of a log, for an error message.
pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// The server colours its log; the colour codes are noise when quoted.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte (a letter).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// (VmHWM, VmRSS) of a process in kB.
pub fn proc_memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find_map(|l| {
            l.strip_prefix(name)?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time (user + system, all threads) a process has used so far.
pub fn proc_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces; the fields follow the last one.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Duration::from_nanos(ticks * 1_000_000_000 / hz))
}

/// CPU time used so far by every process named `name` (e.g. all of PostgreSQL's backends).
pub fn cpu_of_all(name: &str) -> Duration {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .filter_map(proc_cpu)
        .sum()
}

pub fn kb_to_mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// POSTs JSON (with a bearer token if given) and returns the JSON answer; a non-2xx is an error.
pub async fn post_json(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut req = http.post(url).json(body);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.with_context(|| format!("POST {url}"))?;
    let status = res.status();
    let text = res.text().await?;
    if !status.is_success() {
        bail!("POST {url}: {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url}: not JSON: {text}"))
}

pub fn str_field(v: &Value, name: &str) -> anyhow::Result<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .with_context(|| format!("no {name:?} in {v}"))
}

/// A benchmark setting from the environment: `default` when unset, an error naming the variable
/// when set to something that does not parse.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not valid")),
        Err(_) => Ok(default),
    }
}
