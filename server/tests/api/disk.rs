//! SQLite on a disk that fills up: ingest answers 503 (not 500) while nothing can be stored,
//! `/healthz` takes the replica out, and both recover by themselves once space is back. A
//! database file deleted under the running server is noticed too.
use crate::faults::{good, ingest_at, tenant};
use crate::helpers::{spawn_on, Guard};
use reqwest::StatusCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A small filesystem of its own (tmpfs), so the test can fill it without touching the
/// machine's disk. Mounting needs root: elsewhere the test says so and skips, except on CI.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but a tmpfs cannot be mounted (the full-disk test needs root)");
            }
            eprintln!("SKIPPED: mounting a tmpfs needs root; the full-disk test did not run");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk has no room left; returns it.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.flush();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

async fn health(app: &crate::helpers::TestApp) -> (StatusCode, String) {
    let r = app.send(app.http.get(app.url("/healthz"))).await;
    (r.status, r.text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_and_recovers_without_a_restart_sqlite() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let url = format!("sqlite://{}/lifeline.db?mode=rwc", disk.path().display());
    let app = spawn_on(url, Guard::Kept, |_| {}).await;
    let (_, _, system, token) = tenant(&app, "Acme IT", "ann@acme.example").await;
    let r = ingest_at(
        &app,
        &app.base,
        &token,
        serde_json::json!([good("before", &system)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(health(&app).await.0, StatusCode::OK);

    let filler = disk.fill();
    // Batches large enough to need new pages, so the full disk is met.
    let batch = |tag: &str| {
        serde_json::Value::Array(
            (0..500)
                .map(|i| {
                    let mut e = good(&format!("{tag}-{i}-{}", "x".repeat(150)), &system);
                    e["message"] = serde_json::json!("m".repeat(1500));
                    e
                })
                .collect(),
        )
    };
    let mut refused = 0;
    for i in 0..6 {
        let started = Instant::now();
        let r = ingest_at(&app, &app.base, &token, batch(&format!("full{i}"))).await;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "an answer within seconds, not after a lock timeout"
        );
        match r.status {
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert!(r.headers.contains_key("retry-after"));
            }
            StatusCode::ACCEPTED => {}
            other => panic!(
                "a full disk is 503 or (while pages remain) 202, not {other}: {}",
                r.text
            ),
        }
    }
    assert!(refused > 0, "the disk never filled up");
    let (status, why) = health(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{why}");

    std::fs::remove_file(filler).unwrap();
    // Space is back: the same server takes writes again, by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = ingest_at(
            &app,
            &app.base,
            &token,
            serde_json::json!([good("after", &system)]),
        )
        .await;
        if r.status == StatusCode::ACCEPTED {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused after 20 s: {} {}",
            r.status,
            r.text
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(health(&app).await.0, StatusCode::OK);
    let r = ingest_at(&app, &app.base, &token, batch("later")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_file_deleted_under_the_server_is_noticed_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lifeline.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let app = spawn_on(url.clone(), Guard::Kept, |_| {}).await;
    assert_eq!(health(&app).await.0, StatusCode::OK);
    std::fs::remove_file(&file).unwrap();
    let (status, why) = health(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(why.contains("is gone"), "{why}");
    drop(app);
    // Started again over the missing file (its marker says there was one), the server makes
    // a new empty database but stays out of the load balancer until someone decides.
    assert!(server::lost_database(&file).is_some());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cli = <server::config::Cli as clap::Parser>::try_parse_from([
        "lifeline",
        "serve",
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--database-url",
        &url,
        "--jwt-secret",
        std::str::from_utf8(crate::helpers::SECRET).unwrap(),
    ])
    .unwrap();
    let running = tokio::spawn(server::run(cli));
    let http = reqwest::Client::new();
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            answer = Some((r.status(), r.text().await.unwrap()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    running.abort();
    let (status, why) = answer.expect("the server came up");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(why.contains("was missing at start"), "{why}");
    assert!(file.exists(), "a new, empty database was made");
}
