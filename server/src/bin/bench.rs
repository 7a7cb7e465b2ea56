//! `bench`: prints Lifeline's performance figures next to its targets. Not a test: it measures.
//!
//! It starts the real `lifeline` binary (found beside this one) as a child process over a fresh
//! SQLite file on a free loopback port, loads it over HTTP with ingest batches of 1 and of 100
//! events, times the evaluation of 100,000 systems (pure, and the evaluator's database sweep run
//! in this process over a second SQLite file), reads the server's memory from /proc and prints a
//! summary. Settings: `BENCH_SECONDS` (per load phase, default 10), `BENCH_CONCURRENCY` (workers,
//! default 16), `BENCH_REPS` (repetitions of the pure evaluation, default 11).
use anyhow::Context;
use app::domain::sla::{rpo_thresholds, rto_stale_at, State, Telemetry};
use app::ssr::entity::system_clock::{self, millis};
use app::ssr::entity::{backup_event, client, msp, state_change, system, system_status};
use app::ssr::service::monitor::ingest::next_eval;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::{Database, EntityTrait, PaginatorTrait, Set, TransactionTrait};
use serde_json::{json, Value};
use server::bench_support::{
    kb_to_mb, ms, post_json, proc_memory, setting, str_field, strip_ansi, Server,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const SYSTEMS: usize = 200;
const EVAL_SYSTEMS: usize = 100_000;
const INSERT_CHUNK: usize = 500;
const PASSWORD: &str = "bench-password-0123456789";

// The targets. They are what the product promises; the figures are measured against them.
const TARGET_BATCHED_EVENTS_PER_S: f64 = 20_000.0;
const TARGET_SINGLE_REQUESTS_PER_S: f64 = 3_000.0;
const TARGET_EVAL_MS: f64 = 200.0;
const TARGET_RSS_MB: f64 = 200.0;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let seconds: u64 = setting("BENCH_SECONDS", 10)?;
    let concurrency: usize = setting("BENCH_CONCURRENCY", 16)?;
    let reps: usize = setting("BENCH_REPS", 11)?;
    anyhow::ensure!(
        seconds > 0 && concurrency > 0 && reps > 0,
        "settings must be positive"
    );

    let exe = std::env::current_exe()?;
    let server_bin = exe
        .parent()
        .context("the bench binary has no folder")?
        .join("lifeline");
    anyhow::ensure!(
        server_bin.is_file(),
        "{} not found: build it with `cargo build --release -p server --bins`",
        server_bin.display()
    );
    let dir = std::env::temp_dir().join(format!(
        "lifeline-bench-{}-{}",
        std::process::id(),
        Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    // Removed on drop, also on an error or a panic.
    let _dir = TempDir(dir.clone());

    println!("Lifeline benchmark");
    println!(
        "  machine: {} CPU(s); client and server share them",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("  load phases: {seconds} s each, {concurrency} concurrent workers");
    println!("  server: {}", server_bin.display());
    println!();

    // 1. The real server as a child process.
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let log_path = dir.join("server.log");
    let started = Instant::now();
    let mut server = Server::start(&server_bin, &url, &log_path).await?;
    let (pid, base) = (server.pid, server.base.clone());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency.max(1))
        .timeout(Duration::from_secs(60))
        .build()?;
    println!(
        "server pid {pid} ready on {base} in {} ms",
        started.elapsed().as_millis()
    );

    // 2. An MSP, a client, its systems and an ingest token, over the API.
    let signup = post_json(
        &http,
        &format!("{base}/api/v1/auth/signup"),
        None,
        &json!({
            "msp_name": "Bench MSP",
            "name": "Bench Admin",
            "email": "bench@example.com",
            "password": PASSWORD,
        }),
    )
    .await?;
    let token = str_field(&signup, "token")?;
    let client_json = post_json(
        &http,
        &format!("{base}/api/v1/clients"),
        Some(&token),
        &json!({ "name": "Bench client" }),
    )
    .await?;
    let client_id = str_field(&client_json, "id")?;
    let setup = Instant::now();
    let mut system_ids: Vec<String> = Vec::with_capacity(SYSTEMS);
    for i in 0..SYSTEMS {
        let s = post_json(
            &http,
            &format!("{base}/api/v1/clients/{client_id}/systems"),
            Some(&token),
            &json!({
                "name": format!("system-{i:03}"),
                "rpo_minutes": 60,
                "rto_minutes": 240,
                "criticality": "high",
            }),
        )
        .await?;
        system_ids.push(str_field(&s, "id")?);
    }
    let tok = post_json(
        &http,
        &format!("{base}/api/v1/clients/{client_id}/ingest-tokens"),
        Some(&token),
        &json!({ "name": "bench" }),
    )
    .await?;
    let ingest_token = str_field(&tok, "token")?;
    anyhow::ensure!(
        ingest_token.starts_with("llk_"),
        "unexpected ingest token {ingest_token:?}"
    );
    println!(
        "set up 1 MSP, 1 client, {SYSTEMS} systems and an ingest token over HTTP in {} ms",
        setup.elapsed().as_millis()
    );
    println!();

    // 3. Ingest load.
    let load = Load {
        http: http.clone(),
        url: format!("{base}/api/v1/ingest/events"),
        token: format!("Bearer {ingest_token}"),
        systems: Arc::new(system_ids),
        next_id: Arc::new(AtomicU64::new(0)),
    };
    let duration = Duration::from_secs(seconds);
    let single = load.phase(1, concurrency, duration).await;
    single.print("phase (a): 1 event per request");
    let batched = load.phase(100, concurrency, duration).await;
    batched.print("phase (b): 100 events per request");

    let sent = single.events_ok + batched.events_ok;
    let accepted = single.accepted + batched.accepted;
    let duplicates = single.duplicates + batched.duplicates;
    let stored = {
        let db = Database::connect(url.as_str()).await?;
        let n = backup_event::Entity::find().count(&db).await?;
        db.close().await?;
        n
    };
    let consistent = accepted == sent && duplicates == 0 && stored == accepted;
    println!("ingest check:");
    println!("  events sent in acknowledged (202) requests: {sent}");
    println!("  accepted (sum of responses):                {accepted}");
    println!("  duplicates (sum of responses):              {duplicates}");
    println!("  backup_event rows in the server database:   {stored}");
    println!(
        "  => {}",
        if consistent {
            "consistent: every event sent was accepted once and stored"
        } else {
            "MISMATCH"
        }
    );
    println!();

    // 5. Server memory, right after the load.
    let mem = proc_memory(pid);
    match &mem {
        Some((hwm, rss)) => println!(
            "server memory after load: VmHWM (peak RSS) {:.1} MB, VmRSS {:.1} MB",
            kb_to_mb(*hwm),
            kb_to_mb(*rss)
        ),
        None => println!("server memory: /proc/{pid}/status unreadable"),
    }
    server.stop();
    println!("server stopped");
    if single.errors + batched.errors > 0 {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let errors: Vec<&str> = text.lines().filter(|l| l.contains("ERROR")).collect();
        println!(
            "server log: {} ERROR lines{}",
            errors.len(),
            if errors.is_empty() {
                ""
            } else {
                "; the first ones:"
            }
        );
        for line in errors.iter().take(5) {
            let short: String = strip_ansi(line).chars().take(400).collect();
            println!("  {short}");
        }
    }
    println!();

    // 4a. Pure evaluation.
    let now = Utc::now();
    let telemetry = assorted_telemetry(EVAL_SYSTEMS, now);
    let target = (Some(3600), Some(14400));
    let mut times = Vec::with_capacity(reps);
    let mut counts = [0usize; 4];
    for _ in 0..reps {
        let t0 = Instant::now();
        let mut c = [0usize; 4];
        for t in &telemetry {
            let (rpo, rto) =
                app::ssr::service::monitor::states(std::hint::black_box(t), target, 90, now);
            c[state_index(rpo)] += 1;
            c[state_index(rto)] += 1;
        }
        times.push(t0.elapsed());
        counts = std::hint::black_box(c);
    }
    times.sort();
    let pure_best = ms(times[0]);
    let pure_median = ms(times[times.len() / 2]);
    println!("evaluation (a), pure: states() for {EVAL_SYSTEMS} systems, {reps} repetitions");
    println!("  best {pure_best:.3} ms, median {pure_median:.3} ms");
    println!(
        "  states (rpo+rto): ok {}, unknown {}, at_risk {}, breached {}",
        counts[0], counts[1], counts[2], counts[3]
    );
    println!();

    // 4b. The evaluator's database sweep over a second SQLite file, in this process.
    let sweep_url = format!("sqlite://{}/sweep.db?mode=rwc", dir.display());
    let db = server::connect(&sweep_url).await?;
    let fill = Instant::now();
    let (sweep_msp, sweep_client) = seed_sweep(&db, EVAL_SYSTEMS, now).await?;
    println!(
        "evaluation (b), database sweep: {EVAL_SYSTEMS} systems and statuses inserted in {} ms",
        fill.elapsed().as_millis()
    );
    let secret: Vec<u8> = (0..48u8).collect();
    let state = server::app_state(
        db,
        &secret,
        app::ssr::state::Settings::default(),
        "target/site",
    );
    // As in `lifeline serve`: the write-ahead log is copied back by its own task, which in the
    // hour since the statuses were written has long copied them.
    server::checkpoint(&state.db).await?;
    let checkpointer = tokio::spawn(server::checkpoints(
        state.db.clone(),
        server::CHECKPOINT_EVERY,
    ));
    let changes = || async {
        state_change::Entity::find()
            .count(&state.db)
            .await
            .map_err(anyhow::Error::from)
    };
    // The evaluator was away for an hour: one pass brings all 100,000 up to date. Each status
    // knows the next moment the clock moves it, so the pass touches exactly the ones that moved.
    let t0 = Instant::now();
    let swept = sweep(&state, Utc::now(), EVAL_SYSTEMS as u64).await?;
    let sweep_ms = ms(t0.elapsed());
    let moved = changes().await?;
    println!(
        "  one pass after an hour away: {EVAL_SYSTEMS} systems brought up to date in {sweep_ms:.1} ms; \
         {swept} had been moved by the clock, {moved} state changes recorded"
    );
    // The alerts of that pass: every change claimed and told (one client, so one digest per
    // batch of 500; nobody to e-mail in this database, so the outbox stays empty).
    let t_alert = Instant::now();
    let told = app::ssr::service::monitor::alerts::dispatch(&state, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("dispatch failed: {e:?}"))?;
    let dispatch_ms = ms(t_alert.elapsed());
    println!(
        "  its alerts: {moved} state changes claimed ({told} worth telling) in {dispatch_ms:.0} ms"
    );
    // The evaluator's usual tick a moment later.
    let t1 = Instant::now();
    let ticked = sweep(&state, Utc::now(), EVAL_SYSTEMS as u64).await?;
    let tick_ms = ms(t1.elapsed());
    println!("  the next tick over the same {EVAL_SYSTEMS} systems: {ticked} due, {tick_ms:.1} ms");
    // Worst case: the client's targets changed, so every status is judged again in Rust with the
    // targets read afresh (100,000 systems of one client).
    let scope = app::ssr::scope::Scope::machine(sweep_msp, sweep_client);
    app::ssr::service::monitor::targets_changed(
        &state,
        &scope,
        app::ids::ClientId::from(sweep_client),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t2 = Instant::now();
    let confirmed = sweep(&state, Utc::now(), EVAL_SYSTEMS as u64).await?;
    let confirm_ms = ms(t2.elapsed());
    println!(
        "  after a target change of all of them: {confirmed} statuses judged afresh in {confirm_ms:.0} ms \
         (read in one query, written 2000 per statement)"
    );
    checkpointer.abort();
    state.db.clone().close().await?;
    println!();

    // 6. Summary.
    let mark = |ok: bool| if ok { "met" } else { "NOT MET" };
    let mut rows: Vec<(String, String, String, &str)> = vec![
        (
            "ingest, batches of 100".into(),
            format!("{:.0} events/s", batched.events_per_s()),
            format!(">= {TARGET_BATCHED_EVENTS_PER_S:.0} events/s"),
            mark(batched.events_per_s() >= TARGET_BATCHED_EVENTS_PER_S),
        ),
        (
            "ingest, 1 event per request".into(),
            format!("{:.0} requests/s", single.requests_per_s()),
            format!(">= {TARGET_SINGLE_REQUESTS_PER_S:.0} requests/s"),
            mark(single.requests_per_s() >= TARGET_SINGLE_REQUESTS_PER_S),
        ),
        (
            "evaluate 100,000 systems (pure, median)".into(),
            format!("{pure_median:.3} ms"),
            format!("< {TARGET_EVAL_MS:.0} ms"),
            mark(pure_median < TARGET_EVAL_MS),
        ),
        (
            "evaluate 100,000 systems (DB, a tick)".into(),
            format!("{tick_ms:.1} ms"),
            format!("< {TARGET_EVAL_MS:.0} ms"),
            mark(tick_ms < TARGET_EVAL_MS),
        ),
        (
            format!("100,000 after 1 h away ({moved} moves)"),
            format!("{sweep_ms:.0} ms"),
            format!("< {TARGET_EVAL_MS:.0} ms"),
            mark(sweep_ms < TARGET_EVAL_MS),
        ),
        (
            format!("alert dispatch of those {moved} changes"),
            format!("{dispatch_ms:.0} ms"),
            "(no target; for scale)".into(),
            "-",
        ),
        (
            "re-judge 100,000 after a target change".into(),
            format!("{confirm_ms:.0} ms"),
            "(no target; for scale)".into(),
            "-",
        ),
    ];
    match mem {
        Some((hwm, rss)) => {
            rows.push((
                "server peak RSS (VmHWM)".into(),
                format!("{:.1} MB", kb_to_mb(hwm)),
                format!("< {TARGET_RSS_MB:.0} MB"),
                mark(kb_to_mb(hwm) < TARGET_RSS_MB),
            ));
            rows.push((
                "server RSS after load (VmRSS)".into(),
                format!("{:.1} MB", kb_to_mb(rss)),
                format!("< {TARGET_RSS_MB:.0} MB"),
                mark(kb_to_mb(rss) < TARGET_RSS_MB),
            ));
        }
        None => rows.push((
            "server RSS".into(),
            "unreadable".into(),
            format!("< {TARGET_RSS_MB:.0} MB"),
            "NOT MEASURED",
        )),
    }
    rows.push((
        "ingest consistency".into(),
        format!("{accepted}/{sent} accepted, {duplicates} dup"),
        "all accepted once".into(),
        mark(consistent),
    ));
    println!("summary");
    println!(
        "  {:<40} {:>28}  {:<22} result",
        "measure", "figure", "target"
    );
    println!("  {}", "-".repeat(100));
    for (what, figure, target, result) in rows {
        println!("  {what:<40} {figure:>28}  {target:<22} {result}");
    }
    let errors = single.errors + batched.errors;
    if errors > 0 {
        println!("  note: {errors} ingest requests failed (see the phase figures)");
    }
    Ok(())
}

fn state_index(s: State) -> usize {
    match s {
        State::Ok => 0,
        State::Unknown => 1,
        State::AtRisk => 2,
        State::Breached => 3,
    }
}

#[derive(Clone)]
struct Load {
    http: reqwest::Client,
    url: String,
    token: String,
    systems: Arc<Vec<String>>,
    next_id: Arc<AtomicU64>,
}

#[derive(Default)]
struct Worker {
    latencies: Vec<Duration>,
    requests_ok: u64,
    events_ok: u64,
    accepted: u64,
    duplicates: u64,
    errors: u64,
    first_error: Option<String>,
}

struct Phase {
    elapsed: Duration,
    latencies: Vec<Duration>,
    requests_ok: u64,
    events_ok: u64,
    accepted: u64,
    duplicates: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Load {
    async fn phase(&self, batch: usize, concurrency: usize, duration: Duration) -> Phase {
        let start = Instant::now();
        let deadline = start + duration;
        let handles: Vec<_> = (0..concurrency)
            .map(|_| {
                let me = self.clone();
                tokio::spawn(async move { me.worker(batch, deadline).await })
            })
            .collect();
        let mut phase = Phase {
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
            requests_ok: 0,
            events_ok: 0,
            accepted: 0,
            duplicates: 0,
            errors: 0,
            first_error: None,
        };
        for h in handles {
            let w = h.await.expect("a load worker panicked");
            phase.latencies.extend(w.latencies);
            phase.requests_ok += w.requests_ok;
            phase.events_ok += w.events_ok;
            phase.accepted += w.accepted;
            phase.duplicates += w.duplicates;
            phase.errors += w.errors;
            if phase.first_error.is_none() {
                phase.first_error = w.first_error;
            }
        }
        phase.elapsed = start.elapsed();
        phase.latencies.sort_unstable();
        phase
    }

    fn body(&self, batch: usize) -> Value {
        let now = Utc::now();
        let restore_point = (now - ChronoDuration::minutes(3)).to_rfc3339();
        let finished = (now - ChronoDuration::minutes(1)).to_rfc3339();
        let events: Vec<Value> = (0..batch)
            .map(|_| {
                let n = self.next_id.fetch_add(1, Ordering::Relaxed);
                json!({
                    "id": format!("bench-{n}"),
                    "system_id": self.systems[n as usize % self.systems.len()],
                    "kind": "backup_succeeded",
                    "restore_point_at": restore_point,
                    "finished_at": finished,
                    "duration_seconds": 600,
                    "bytes": 123_456_789,
                })
            })
            .collect();
        json!({ "events": events })
    }

    async fn worker(self, batch: usize, deadline: Instant) -> Worker {
        let mut w = Worker::default();
        while Instant::now() < deadline {
            let body = self.body(batch);
            let t0 = Instant::now();
            let res = self
                .http
                .post(&self.url)
                .header(reqwest::header::AUTHORIZATION, &self.token)
                .json(&body)
                .send()
                .await;
            let outcome = match res {
                Ok(r) => {
                    let status = r.status();
                    match r.text().await {
                        Ok(text) if status == reqwest::StatusCode::ACCEPTED => {
                            serde_json::from_str::<Value>(&text)
                                .ok()
                                .and_then(|v| {
                                    Some((
                                        v.get("accepted")?.as_u64()?,
                                        v.get("duplicates")?.as_u64()?,
                                    ))
                                })
                                .ok_or_else(|| format!("202 with an unexpected body: {text}"))
                        }
                        Ok(text) => Err(format!("{status}: {text}")),
                        Err(e) => Err(format!("{status}: reading the body: {e}")),
                    }
                }
                Err(e) => Err(format!("request failed: {e}")),
            };
            w.latencies.push(t0.elapsed());
            match outcome {
                Ok((accepted, duplicates)) => {
                    w.requests_ok += 1;
                    w.events_ok += batch as u64;
                    w.accepted += accepted;
                    w.duplicates += duplicates;
                }
                Err(e) => {
                    w.errors += 1;
                    w.first_error.get_or_insert(e);
                }
            }
        }
        w
    }
}

impl Phase {
    fn secs(&self) -> f64 {
        self.elapsed.as_secs_f64().max(1e-9)
    }

    fn requests_per_s(&self) -> f64 {
        self.requests_ok as f64 / self.secs()
    }

    fn events_per_s(&self) -> f64 {
        self.events_ok as f64 / self.secs()
    }

    /// Nearest-rank percentile of all requests' latencies (failed ones included).
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        ms(self.latencies[rank.clamp(1, self.latencies.len()) - 1])
    }

    fn print(&self, title: &str) {
        println!("{title}");
        println!(
            "  {} requests in {:.2} s ({} ok, {} errors)",
            self.latencies.len(),
            self.secs(),
            self.requests_ok,
            self.errors
        );
        println!("  requests/s: {:.0}", self.requests_per_s());
        println!("  events/s:   {:.0}", self.events_per_s());
        println!(
            "  latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.percentile(50.0),
            self.percentile(99.0),
            self.latencies.last().map_or(f64::NAN, |d| ms(*d))
        );
        println!("  errors: {}", self.errors);
        if let Some(e) = &self.first_error {
            let short: String = e.chars().take(300).collect();
            println!("  first error: {short}");
        }
        println!();
    }
}

/// Assorted telemetry: fresh, ageing and stale restore points, none at all, and restore tests
/// that passed, failed, are stale or are missing.
fn assorted_telemetry(n: usize, now: DateTime<Utc>) -> Vec<Telemetry> {
    (0..n)
        .map(|i| {
            let age = ChronoDuration::seconds(((i * 7919) % 10_800) as i64);
            let last_good_at = (i % 10 != 0).then(|| now - age);
            let last_test = match i % 5 {
                0 => None,
                1 => Some((now - ChronoDuration::days(3), true, 1800)),
                2 => Some((now - ChronoDuration::days(120), true, 1800)),
                3 => Some((now - ChronoDuration::days(10), false, 600)),
                _ => Some((now - ChronoDuration::days(1), true, 20_000)),
            };
            Telemetry {
                last_good_at,
                last_offsite_at: last_good_at.map(|t| t - ChronoDuration::hours(1)),
                last_event_at: last_good_at,
                failures_in_row: (i % 4) as u32,
                last_test,
            }
        })
        .collect()
}

/// One MSP, one client, `n` systems (RPO 60 min, RTO 240 min) and their statuses as the
/// evaluator left them an hour ago: due now are those the clock has moved since. Returns the MSP
/// and client.
async fn seed_sweep(
    db: &sea_orm::DatabaseConnection,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<(Uuid, Uuid)> {
    let msp_id = Uuid::new_v4();
    let client_id = Uuid::new_v4();
    let txn = db.begin().await?;
    msp::Entity::insert(msp::ActiveModel {
        id: Set(msp_id),
        name: Set("Sweep MSP".into()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    client::Entity::insert(client::ActiveModel {
        id: Set(client_id),
        msp_id: Set(msp_id),
        name: Set("Sweep client".into()),
        notes: Set(String::new()),
        archived_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let telemetry = assorted_telemetry(n, now);
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
    // A full window of recent jobs, as a system with a few days of nightly backups has: the
    // status rows are as wide as in production.
    let mut window = app::domain::sla::JobWindow::default();
    for d in 1..=app::domain::sla::JOB_WINDOW as i64 {
        window.add(
            now - ChronoDuration::days(d),
            Some(48_000_000_000 + d * 1_000_000),
            Some(2_400 + d),
        );
    }
    let jobs = window.encode();
    for (chunk_no, chunk) in ids.chunks(INSERT_CHUNK).enumerate() {
        let offset = chunk_no * INSERT_CHUNK;
        let systems = chunk.iter().enumerate().map(|(j, id)| {
            server::fixtures::system_row(
                *id,
                msp_id,
                client_id,
                format!("system-{:06}", offset + j),
                now,
            )
        });
        system::Entity::insert_many(systems)
            .exec_without_returning(&txn)
            .await?;
        let target = (Some(3600), Some(14_400));
        let then = now - ChronoDuration::hours(1);
        let statuses = chunk.iter().enumerate().map(|(j, id)| {
            let t = &telemetry[offset + j];
            system_status::ActiveModel {
                system_id: Set(*id),
                msp_id: Set(msp_id),
                client_id: Set(client_id),
                last_good_at: Set(t.last_good_at),
                last_offsite_at: Set(t.last_offsite_at),
                last_event_at: Set(t.last_event_at),
                failures_in_row: Set(t.failures_in_row as i32),
                last_test_at: Set(t.last_test.map(|x| x.0)),
                last_test_passed: Set(t.last_test.map(|x| x.1)),
                last_test_seconds: Set(t.last_test.map(|x| x.2)),
                suspicious: Set(String::new()),
                updated_at: Set(then),
                recent_jobs: Set(jobs.clone()),
            }
        });
        system_status::Entity::insert_many(statuses)
            .exec_without_returning(&txn)
            .await?;
        let clocks = chunk.iter().enumerate().map(|(j, id)| {
            let t = &telemetry[offset + j];
            let (rpo, rto) = app::ssr::service::monitor::states(t, target, 90, then);
            let moments = rpo_thresholds(t.last_good_at, target.0);
            system_clock::ActiveModel {
                system_id: Set(*id),
                msp_id: Set(msp_id),
                client_id: Set(client_id),
                rpo_state: Set(rpo.as_str().into()),
                rto_state: Set(rto.as_str().into()),
                state_since: Set(millis(then)),
                next_eval_at: Set(next_eval(t, target, 90, then).map(millis)),
                rpo_risk_at: Set(moments.map(|m| millis(m.0))),
                rpo_breach_at: Set(moments.map(|m| millis(m.1))),
                rto_stale_at: Set(rto_stale_at(t.last_test, target.1, 90).map(millis)),
                targets_stale: Set(false),
                reminded_at: Set(None),
                version: Set(0),
            }
        });
        system_clock::Entity::insert_many(clocks)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok((msp_id, client_id))
}

async fn sweep(
    state: &app::ssr::state::AppState,
    now: DateTime<Utc>,
    limit: u64,
) -> anyhow::Result<usize> {
    app::ssr::service::monitor::evaluate::sweep(state, now, limit)
        .await
        .map_err(|e| anyhow::anyhow!("sweep failed: {e:?}"))
}

/// A folder removed with everything in it when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
