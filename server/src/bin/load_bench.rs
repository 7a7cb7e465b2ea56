//! `load-bench`: Lifeline under the load an MSP puts on it, from outside, as issue 15 measures it.
//!
//! The real `lifeline serve` (release) runs as a child process; `wrk` (Debian's package) loads it
//! over loopback from its own process with 32 connections: heartbeat pings to a random one of
//! 1,000 systems (a 200-byte body), ingest requests of one event and of 100 events. Before the
//! load the database holds 2 million events, written straight into it. For each phase it prints
//! requests/s (events/s), p50/p99 latency as wrk saw them, the server's CPU per request read from
//! /proc (and PostgreSQL's, summed over its processes), and at the end the server's peak RSS, its
//! RSS a minute after the load, and whether every acknowledged event is stored exactly once.
//! It runs on a fresh SQLite file and on a fresh PostgreSQL database.
//!
//! Settings: `LOAD_DATABASES` (`sqlite,postgres`), `LOAD_SECONDS` (per phase, 15),
//! `LOAD_CONNECTIONS` (32), `LOAD_THREADS` (wrk's, 2), `LOAD_SYSTEMS` (1,000), `LOAD_PREFILL`
//! (2,000,000), `LOAD_SETTLE_SECONDS` (60), `LOAD_PHASES` (`ping,single,batch`),
//! `LOAD_POSTGRES` (a server to create the database on, `postgres://postgres@127.0.0.1:5432`),
//! `LOAD_KEEP` (keep the folder with the SQLite file and the server's logs).
use anyhow::{bail, Context};
use app::ssr::entity::backup_event;
use chrono::{Duration as ChronoDuration, Utc};
use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait, Set, TransactionTrait};
use serde_json::json;
use server::bench_support::{
    cpu_of_all, kb_to_mb, post_json, proc_cpu, proc_memory, setting, str_field, strip_ansi, Server,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const SYSTEMS_PER_CLIENT: usize = 50;
const BATCH: usize = 100;
const PASSWORD: &str = "load-bench-password-0123456789";

// The targets of issue 15 (release build, this machine, this workload).
const TARGET_PINGS_SQLITE: f64 = 20_000.0;
const TARGET_PINGS_POSTGRES: f64 = 10_000.0;
const TARGET_PING_CPU_MS: f64 = 0.08;
const TARGET_P99_MS: f64 = 20.0;
const TARGET_SINGLE_SQLITE: f64 = 15_000.0;
const TARGET_BATCHED_SQLITE: f64 = 60_000.0;
const TARGET_BATCHED_POSTGRES: f64 = 40_000.0;
const TARGET_PEAK_RSS_MB: f64 = 200.0;
const TARGET_SETTLED_RSS_MB: f64 = 150.0;

struct Config {
    seconds: u64,
    connections: usize,
    threads: usize,
    systems: usize,
    prefill: usize,
    settle: u64,
    phases: Vec<String>,
    server_bin: PathBuf,
    dir: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let server_bin = exe.with_file_name("lifeline");
    anyhow::ensure!(
        server_bin.is_file(),
        "{} not found: build it with `cargo build --release -p server --bins`",
        server_bin.display()
    );
    if std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_err()
    {
        bail!("wrk is not installed (Debian: apt-get install -y wrk)");
    }
    let dir = std::env::temp_dir().join(format!("lifeline-load-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let cfg = Config {
        seconds: setting("LOAD_SECONDS", 15)?,
        connections: setting("LOAD_CONNECTIONS", 32)?,
        threads: setting("LOAD_THREADS", 2)?,
        systems: setting("LOAD_SYSTEMS", 1_000)?,
        prefill: setting("LOAD_PREFILL", 2_000_000)?,
        settle: setting("LOAD_SETTLE_SECONDS", 60)?,
        phases: setting("LOAD_PHASES", "ping,single,batch".to_string())?
            .split(',')
            .map(|s| s.trim().to_string())
            .collect(),
        server_bin,
        dir: dir.clone(),
    };
    anyhow::ensure!(
        cfg.seconds > 0 && cfg.connections > 0 && cfg.threads > 0 && cfg.systems > 0,
        "settings must be positive"
    );
    let databases = setting("LOAD_DATABASES", "sqlite,postgres".to_string())?;
    println!(
        "Lifeline load benchmark ({})",
        Utc::now().format("%Y-%m-%d")
    );
    println!(
        "  {} CPU(s), shared by wrk, the server and the database; wrk -t{} -c{}, {} s per phase",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cfg.threads,
        cfg.connections,
        cfg.seconds
    );
    println!(
        "  {} systems ({} clients x {SYSTEMS_PER_CLIENT}), {} events stored before the load",
        cfg.systems,
        cfg.systems.div_ceil(SYSTEMS_PER_CLIENT),
        cfg.prefill
    );
    println!();
    let mut failed = false;
    for db in databases.split(',').map(str::trim) {
        let result = match db {
            "sqlite" => {
                let url = format!("sqlite://{}/load.db?mode=rwc", dir.display());
                run(&cfg, "SQLite", &url).await
            }
            "postgres" => on_postgres(&cfg).await,
            other => Err(anyhow::anyhow!("unknown database {other:?}")),
        };
        if let Err(e) = result {
            println!("{db}: FAILED: {e:#}\n");
            failed = true;
        }
    }
    if std::env::var_os("LOAD_KEEP").is_some() {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if failed {
        bail!("a run failed");
    }
    Ok(())
}

/// A fresh database on the PostgreSQL server, dropped afterwards.
async fn on_postgres(cfg: &Config) -> anyhow::Result<()> {
    let server = setting(
        "LOAD_POSTGRES",
        "postgres://postgres@127.0.0.1:5432".to_string(),
    )?;
    let name = format!("lifeline_load_{}", std::process::id());
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .with_context(|| format!("connecting to PostgreSQL at {server}"))?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let result = run(cfg, "PostgreSQL", &format!("{server}/{name}")).await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    result
}

/// One system as the load sees it: the ingest token of its client, its id and its ping key.
struct Target {
    token: String,
    system_id: String,
    ping_key: String,
    client_id: Uuid,
    msp_id: Uuid,
}

async fn run(cfg: &Config, label: &str, url: &str) -> anyhow::Result<()> {
    println!("== {label}");
    let log = cfg.dir.join(format!("server-{label}.log"));
    let mut server = Server::start(&cfg.server_bin, url, &log).await?;
    let t0 = Instant::now();
    let targets = set_up(&server.base, cfg.systems).await?;
    println!(
        "  set up over the API: 1 MSP, {} clients, {} systems, an ingest token per client ({:.1} s)",
        cfg.systems.div_ceil(SYSTEMS_PER_CLIENT),
        targets.len(),
        t0.elapsed().as_secs_f64()
    );
    // The events are written while the server is down, then it starts afresh: what it holds in
    // memory is what the load makes it hold, not what setting up did.
    server.stop();
    let t1 = Instant::now();
    prefill(url, &targets, cfg.prefill).await?;
    println!(
        "  prefilled {} events straight into the database ({:.1} s)",
        cfg.prefill,
        t1.elapsed().as_secs_f64()
    );
    let server = Server::start(&cfg.server_bin, url, &log).await?;
    let data = cfg.dir.join("targets.txt");
    std::fs::write(
        &data,
        targets
            .iter()
            .map(|t| {
                format!(
                    "{} {} {} {}\n",
                    t.token, t.system_id, t.ping_key, t.client_id
                )
            })
            .collect::<String>(),
    )?;
    let postgres = label == "PostgreSQL";
    let sampler = RssSampler::start(server.pid);
    let mut results = Vec::new();
    for phase in &cfg.phases {
        let kind = match phase.as_str() {
            "ping" => Kind::Ping,
            "single" => Kind::Single,
            "batch" => Kind::Batch,
            other => bail!("unknown phase {other:?}"),
        };
        let r = wrk_phase(cfg, &server, &data, kind, postgres)?;
        r.print();
        results.push(r);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let peak = sampler.peak_kb();
    let hwm = proc_memory(server.pid).map_or(0, |m| m.0);
    let after = proc_memory(server.pid).map_or(0, |m| m.1);
    println!(
        "  memory: peak RSS {:.1} MB (VmHWM {:.1} MB), {:.1} MB when the load stopped; waiting {} s",
        kb_to_mb(peak),
        kb_to_mb(hwm),
        kb_to_mb(after),
        cfg.settle
    );
    tokio::time::sleep(Duration::from_secs(cfg.settle)).await;
    let settled = proc_memory(server.pid).map_or(0, |m| m.1);
    println!(
        "  RSS {} s after the load: {:.1} MB",
        cfg.settle,
        kb_to_mb(settled)
    );
    sampler.stop();
    // Stored events against acknowledged ones. wrk ends a phase with requests in flight: the
    // server may have stored those, but their answer was never read, so up to one request per
    // connection per phase may be stored without being counted as acknowledged.
    let acked: u64 = results.iter().map(|r| r.acked_events).sum();
    let dups: u64 = results.iter().map(|r| r.duplicates).sum();
    let slack: u64 = results
        .iter()
        .map(|r| r.kind.events_per_request() * cfg.connections as u64)
        .sum();
    let conn = Database::connect(url).await?;
    let stored = backup_event::Entity::find().count(&conn).await? - cfg.prefill as u64;
    let dup_keys = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) FROM (SELECT client_id, event_key FROM backup_event \
             GROUP BY client_id, event_key HAVING COUNT(*) > 1) AS d",
        ))
        .await?
        .map_or(Ok(0), |r| r.try_get_by_index::<i64>(0))?;
    conn.close().await?;
    let exact = stored >= acked && stored - acked <= slack && dups == 0 && dup_keys == 0;
    println!(
        "  events acknowledged {acked}, stored {stored} ({} answered too late for wrk to count; at most {slack}), \
         duplicates reported {dups}, stored twice {dup_keys}: {}",
        stored.saturating_sub(acked),
        if exact { "exactly once" } else { "MISMATCH" }
    );
    let errors: u64 = results.iter().map(|r| r.bad).sum();
    if errors > 0 {
        let text = std::fs::read_to_string(&server.log).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("ERROR")).take(5) {
            println!(
                "  server log: {}",
                strip_ansi(line).chars().take(300).collect::<String>()
            );
        }
    }
    drop(server);

    // The summary next to the targets.
    let mark = |ok: bool| if ok { "met" } else { "NOT MET" };
    let mut rows: Vec<(String, String, String, &str)> = Vec::new();
    for r in &results {
        match (r.kind, postgres) {
            (Kind::Ping, false) => {
                rows.push((
                    "pings/s".into(),
                    format!("{:.0}", r.rps()),
                    format!(">= {TARGET_PINGS_SQLITE:.0}"),
                    mark(r.rps() >= TARGET_PINGS_SQLITE),
                ));
                rows.push((
                    "server CPU per ping".into(),
                    format!("{:.3} ms", r.cpu_ms_per_request()),
                    format!("<= {TARGET_PING_CPU_MS} ms"),
                    mark(r.cpu_ms_per_request() <= TARGET_PING_CPU_MS),
                ));
                rows.push(p99_row("ping p99", r));
            }
            (Kind::Ping, true) => {
                rows.push((
                    "pings/s".into(),
                    format!("{:.0}", r.rps()),
                    format!(">= {TARGET_PINGS_POSTGRES:.0}"),
                    mark(r.rps() >= TARGET_PINGS_POSTGRES),
                ));
                rows.push((
                    "CPU per ping (server + PostgreSQL)".into(),
                    format!(
                        "{:.3} + {:.3} ms",
                        r.cpu_ms_per_request(),
                        r.db_cpu_ms_per_request()
                    ),
                    "-".into(),
                    "-",
                ));
            }
            (Kind::Single, false) => {
                rows.push((
                    "single-event ingest, requests/s".into(),
                    format!("{:.0}", r.rps()),
                    format!(">= {TARGET_SINGLE_SQLITE:.0}"),
                    mark(r.rps() >= TARGET_SINGLE_SQLITE),
                ));
                rows.push(p99_row("single-event p99", r));
            }
            (Kind::Single, true) => rows.push((
                "single-event ingest, requests/s".into(),
                format!("{:.0} (p99 {:.1} ms)", r.rps(), r.p99_ms),
                "-".into(),
                "-",
            )),
            (Kind::Batch, pg) => {
                let target = if pg {
                    TARGET_BATCHED_POSTGRES
                } else {
                    TARGET_BATCHED_SQLITE
                };
                rows.push((
                    "batched ingest (100), events/s".into(),
                    format!("{:.0} (p99 {:.0} ms)", r.events_per_s(), r.p99_ms),
                    format!(">= {target:.0}"),
                    mark(r.events_per_s() >= target),
                ));
            }
        }
    }
    rows.push((
        "server peak RSS".into(),
        format!("{:.1} MB", kb_to_mb(hwm.max(peak))),
        format!("< {TARGET_PEAK_RSS_MB:.0} MB"),
        mark(kb_to_mb(hwm.max(peak)) < TARGET_PEAK_RSS_MB),
    ));
    rows.push((
        format!("server RSS {} s after the load", cfg.settle),
        format!("{:.1} MB", kb_to_mb(settled)),
        format!("< {TARGET_SETTLED_RSS_MB:.0} MB"),
        mark(kb_to_mb(settled) < TARGET_SETTLED_RSS_MB),
    ));
    rows.push((
        "acknowledged events stored once".into(),
        format!("{acked} acked, {stored} stored"),
        "exactly once".into(),
        mark(exact),
    ));
    println!("  summary ({label})");
    println!(
        "    {:<38} {:>30}  {:<12} result",
        "measure", "figure", "target"
    );
    println!("    {}", "-".repeat(92));
    for (what, figure, target, result) in rows {
        println!("    {what:<38} {figure:>30}  {target:<12} {result}");
    }
    println!();
    if errors > 0 {
        println!("  ({errors} requests were answered with an error; see above)\n");
    }
    Ok(())
}

fn p99_row(what: &str, r: &Phase) -> (String, String, String, &'static str) {
    (
        what.into(),
        format!("{:.1} ms", r.p99_ms),
        format!("< {TARGET_P99_MS:.0} ms"),
        if r.p99_ms < TARGET_P99_MS {
            "met"
        } else {
            "NOT MET"
        },
    )
}

/// An MSP with clients of 50 systems each, an ingest token per client, over the real API.
async fn set_up(base: &str, systems: usize) -> anyhow::Result<Vec<Target>> {
    let http = reqwest::Client::new();
    let signup = post_json(
        &http,
        &format!("{base}/api/v1/auth/signup"),
        None,
        &json!({ "msp_name": "Load MSP", "name": "Load Admin",
                 "email": "load@example.com", "password": PASSWORD }),
    )
    .await?;
    let session = str_field(&signup, "token")?;
    let mut out = Vec::with_capacity(systems);
    for c in 0..systems.div_ceil(SYSTEMS_PER_CLIENT) {
        let client = post_json(
            &http,
            &format!("{base}/api/v1/clients"),
            Some(&session),
            &json!({ "name": format!("Client {c:03}") }),
        )
        .await?;
        let client_id = str_field(&client, "id")?;
        let msp_id: Uuid = str_field(&client, "msp_id")?.parse()?;
        let token = post_json(
            &http,
            &format!("{base}/api/v1/clients/{client_id}/ingest-tokens"),
            Some(&session),
            &json!({ "name": "load" }),
        )
        .await?;
        let token = str_field(&token, "token")?;
        let n = SYSTEMS_PER_CLIENT.min(systems - c * SYSTEMS_PER_CLIENT);
        // Several at once, as a person importing a client's systems would not, but quicker.
        let made = futures_join(n, |i| {
            let (http, url, session) = (
                http.clone(),
                format!("{base}/api/v1/clients/{client_id}/systems"),
                session.clone(),
            );
            async move {
                post_json(
                    &http,
                    &url,
                    Some(&session),
                    &json!({ "name": format!("server-{c:03}-{i:02}"), "rpo_minutes": 60,
                             "rto_minutes": 240, "criticality": "high" }),
                )
                .await
            }
        })
        .await?;
        for s in made {
            out.push(Target {
                token: token.clone(),
                system_id: str_field(&s, "id")?,
                ping_key: str_field(&s, "ping_key")?,
                client_id: client_id.parse()?,
                msp_id,
            });
        }
    }
    Ok(out)
}

/// Runs `f(0..n)` eight at a time and returns the answers in order.
async fn futures_join<F, Fut, T>(n: usize, f: F) -> anyhow::Result<Vec<T>>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
        let handles: Vec<_> = chunk.iter().map(|&i| tokio::spawn(f(i))).collect();
        for h in handles {
            out.push(h.await??);
        }
    }
    Ok(out)
}

/// `n` events spread over the systems and the last 90 days, as months of nightly and hourly
/// backups leave them.
async fn prefill(url: &str, targets: &[Target], n: usize) -> anyhow::Result<()> {
    const ROWS: usize = 1_000;
    const PER_TXN: usize = 50;
    let db = Database::connect(url).await?;
    let now = Utc::now();
    let span = 90 * 86_400i64;
    let mut written = 0usize;
    while written < n {
        let txn = db.begin().await?;
        for _ in 0..PER_TXN {
            if written >= n {
                break;
            }
            let rows: Vec<backup_event::ActiveModel> = (written..(written + ROWS).min(n))
                .map(|i| {
                    let t = &targets[i % targets.len()];
                    let finished =
                        now - ChronoDuration::seconds(span - (i as i64 * span / n as i64));
                    let ok = i % 17 != 0;
                    backup_event::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        msp_id: Set(t.msp_id),
                        client_id: Set(t.client_id),
                        system_id: Set(t.system_id.parse().unwrap_or_default()),
                        event_key: Set(format!("prefill-{i}")),
                        kind: Set(if ok {
                            "backup_succeeded"
                        } else {
                            "backup_failed"
                        }
                        .into()),
                        restore_point_at: Set(ok.then(|| finished - ChronoDuration::minutes(10))),
                        finished_at: Set(finished),
                        duration_seconds: Set(Some(600)),
                        bytes: Set(Some(48_000_000_000)),
                        message: Set(String::new()),
                        received_at: Set(finished),
                    }
                })
                .collect();
            written += rows.len();
            backup_event::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
    }
    db.close().await?;
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ping,
    Single,
    Batch,
}

impl Kind {
    fn events_per_request(self) -> u64 {
        match self {
            Kind::Batch => BATCH as u64,
            _ => 1,
        }
    }

    fn title(self) -> String {
        match self {
            Kind::Ping => "heartbeat pings (POST /ping/{key}, 200-byte body)".into(),
            Kind::Single => "ingest, 1 event per request".into(),
            Kind::Batch => format!("ingest, {BATCH} events per request"),
        }
    }
}

struct Phase {
    kind: Kind,
    requests: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    ok: u64,
    bad: u64,
    first_bad: String,
    acked_events: u64,
    duplicates: u64,
    socket_errors: String,
    server_cpu: Duration,
    db_cpu: Duration,
}

impl Phase {
    fn rps(&self) -> f64 {
        self.ok as f64 / self.seconds.max(1e-9)
    }
    fn events_per_s(&self) -> f64 {
        self.acked_events as f64 / self.seconds.max(1e-9)
    }
    fn cpu_ms_per_request(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1000.0 / self.ok.max(1) as f64
    }
    fn db_cpu_ms_per_request(&self) -> f64 {
        self.db_cpu.as_secs_f64() * 1000.0 / self.ok.max(1) as f64
    }

    fn print(&self) {
        println!("  {}", self.kind.title());
        println!(
            "    {} requests in {:.1} s: {:.0} requests/s, {:.0} events/s; {} answered with an error{}",
            self.requests,
            self.seconds,
            self.rps(),
            self.events_per_s(),
            self.bad,
            if self.first_bad.is_empty() {
                String::new()
            } else {
                format!(" (first: {})", self.first_bad)
            }
        );
        println!(
            "    latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms; socket errors: {}",
            self.p50_ms, self.p99_ms, self.max_ms, self.socket_errors
        );
        let db = if self.db_cpu > Duration::ZERO {
            format!(" + PostgreSQL {:.3} ms", self.db_cpu_ms_per_request())
        } else {
            String::new()
        };
        println!(
            "    CPU per request: server {:.3} ms{db}",
            self.cpu_ms_per_request()
        );
    }
}

/// The Lua that drives wrk: picks a system at random per request and writes the body, counts
/// what the server acknowledged, and prints one `RESULT` line at the end.
const LUA: &str = r#"
local rows, by_client, clients = {}, {}, {}
for line in io.lines(DATA) do
  local token, system, key, client = line:match("(%S+) (%S+) (%S+) (%S+)")
  local row = { token = token, system = system, key = key }
  rows[#rows + 1] = row
  if not by_client[client] then by_client[client] = {}; clients[#clients + 1] = client end
  table.insert(by_client[client], row)
end
local ping_body = string.rep("x", 200)
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
n, ok, bad, acked, dups, first_bad = 0, 0, 0, 0, 0, ""
local stamp_at, rp, fin = -1, "", ""
function init(args)
  math.randomseed(os.time() * 1000 + tid)
end
local function stamps()
  local now = os.time()
  if now ~= stamp_at then
    stamp_at = now
    rp = os.date("!%Y-%m-%dT%H:%M:%SZ", now - 120)
    fin = os.date("!%Y-%m-%dT%H:%M:%SZ", now - 60)
  end
end
local function event(row)
  n = n + 1
  return string.format('{"id":"%s-%d-%d","system_id":"%s","kind":"backup_succeeded","restore_point_at":"%s","finished_at":"%s","duration_seconds":600,"bytes":48000000000}',
    RUN, tid, n, row.system, rp, fin)
end
function request()
  if KIND == "ping" then
    return wrk.format("POST", "/ping/" .. rows[math.random(#rows)].key, nil, ping_body)
  end
  stamps()
  local body, token
  if KIND == "single" then
    local row = rows[math.random(#rows)]
    token, body = row.token, '{"events":[' .. event(row) .. ']}'
  else
    local mine = by_client[clients[math.random(#clients)]]
    local parts = {}
    for i = 1, BATCH do parts[i] = event(mine[math.random(#mine)]) end
    token, body = mine[1].token, '{"events":[' .. table.concat(parts, ",") .. ']}'
  end
  return wrk.format("POST", "/api/v1/ingest/events",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
function response(status, headers, body)
  if KIND == "ping" and status == 200 then
    ok = ok + 1; acked = acked + 1
  elseif KIND ~= "ping" and status == 202 then
    ok = ok + 1
    acked = acked + (tonumber(body:match('"accepted":(%d+)')) or 0)
    dups = dups + (tonumber(body:match('"duplicates":(%d+)')) or 0)
  else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. body:sub(1, 160):gsub("%s+", " ") end
  end
end
function done(summary, latency, requests)
  local t = { ok = 0, bad = 0, acked = 0, dups = 0 }
  local first = ""
  for _, th in ipairs(threads) do
    t.ok = t.ok + th:get("ok"); t.bad = t.bad + th:get("bad")
    t.acked = t.acked + th:get("acked"); t.dups = t.dups + th:get("dups")
    if first == "" then first = th:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d ok=%d bad=%d acked=%d dups=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    t.ok, t.bad, t.acked, t.dups, e.connect, e.read, e.write, e.timeout))
  io.write("FIRSTBAD " .. first .. "\n")
end
"#;

static RUN_NO: AtomicU64 = AtomicU64::new(0);

fn wrk_phase(
    cfg: &Config,
    server: &Server,
    data: &Path,
    kind: Kind,
    postgres: bool,
) -> anyhow::Result<Phase> {
    let name = match kind {
        Kind::Ping => "ping",
        Kind::Single => "single",
        Kind::Batch => "batch",
    };
    let run = format!(
        "{}{}",
        name,
        RUN_NO.fetch_add(1, Ordering::Relaxed) + std::process::id() as u64 * 100
    );
    let script = cfg.dir.join(format!("{name}.lua"));
    std::fs::write(
        &script,
        format!(
            "DATA = {:?}\nKIND = {name:?}\nRUN = {run:?}\nBATCH = {BATCH}\n{LUA}",
            data.display().to_string()
        ),
    )?;
    let cpu0 = proc_cpu(server.pid).unwrap_or_default();
    let db0 = if postgres {
        cpu_of_all("postgres")
    } else {
        Duration::ZERO
    };
    let out = std::process::Command::new("wrk")
        .arg(format!("-t{}", cfg.threads))
        .arg(format!("-c{}", cfg.connections))
        .arg(format!("-d{}s", cfg.seconds))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&script)
        .arg(&server.base)
        .output()
        .context("running wrk")?;
    let server_cpu = proc_cpu(server.pid)
        .unwrap_or_default()
        .saturating_sub(cpu0);
    let db_cpu = if postgres {
        cpu_of_all("postgres").saturating_sub(db0)
    } else {
        Duration::ZERO
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .with_context(|| {
            format!(
                "wrk printed no result:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let field = |k: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let first_bad = text
        .lines()
        .find_map(|l| l.strip_prefix("FIRSTBAD "))
        .unwrap_or("")
        .trim()
        .to_string();
    Ok(Phase {
        kind,
        requests: field("requests"),
        seconds: field("duration_us") as f64 / 1e6,
        p50_ms: field("p50_us") as f64 / 1000.0,
        p99_ms: field("p99_us") as f64 / 1000.0,
        max_ms: field("max_us") as f64 / 1000.0,
        ok: field("ok"),
        bad: field("bad"),
        first_bad,
        acked_events: field("acked"),
        duplicates: field("dups"),
        socket_errors: format!(
            "connect {}, read {}, write {}, timeout {}",
            field("connect"),
            field("read"),
            field("write"),
            field("timeout")
        ),
        server_cpu,
        db_cpu,
    })
}

/// Reads the server's RSS every 100 ms, so a peak between two phases is not missed.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
}

impl RssSampler {
    fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some((_, rss)) = proc_memory(pid) {
                    p.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        RssSampler { stop, peak }
    }

    fn peak_kb(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
