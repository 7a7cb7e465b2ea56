//! `spawn_app`: the real server on port 0 over a fresh database (a SQLite file in a temp dir, or a
//! fresh PostgreSQL database on the local server), and small helpers to call it.
use app::ssr::state::Settings;
use reqwest::{header::HeaderMap, Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: DatabaseConnection,
    /// The database URL, for starting another server on the same data.
    pub url: String,
    pub settings: Settings,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _guard: Guard,
}

/// Keeps a test database for as long as it lives, and removes it afterwards.
pub enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// A database the test keeps itself.
    Kept,
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Runs even when the test panicked; a fresh runtime because Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(db) = Database::connect(admin_url).await {
                        let _ = db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh, empty database (not migrated): its URL, and the guard that removes it.
pub async fn database(backend: Backend) -> Option<(String, Guard)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/lifeline.db?mode=rwc", dir.path().display());
            Some((url, Guard::Sqlite(dir)))
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let admin = match Database::connect(admin_url.clone()).await {
                Ok(db) => db,
                Err(e) => {
                    if std::env::var_os("CI").is_some() {
                        panic!("PostgreSQL at {admin_url} is unreachable and CI is set: {e}");
                    }
                    eprintln!("SKIPPED on PostgreSQL: {admin_url} unreachable ({e}); set TEST_DATABASE_URL");
                    return None;
                }
            };
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            let url = format!("{base}/{name}");
            Some((url, Guard::Postgres { admin_url, name }))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let (url, guard) = database(backend).await?;
    Some(spawn_on(url, guard, tweak).await)
}

/// The real server over the database at `url`.
pub async fn spawn_on(url: String, guard: Guard, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db = server::connect(&url).await.expect("connect and migrate");
    let mut settings = Settings {
        secure_cookies: false,
        // The tests' receivers listen on loopback.
        webhooks_allow_private: true,
        ..Settings::default()
    };
    tweak(&mut settings);
    let (base, stop, server) = start(db.clone(), &url, settings.clone()).await;
    // A request the server never answers fails its test instead of holding the run.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp {
        base,
        http,
        db,
        url,
        settings,
        stop: Some(stop),
        server: Some(server),
        _guard: guard,
    }
}

type Server = (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
);

async fn start(db: DatabaseConnection, url: &str, settings: Settings) -> Server {
    let state = server::app_state(db, SECRET, settings, "target/site");
    server::watch_sqlite_file(&state, url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (base, stop, server)
}

impl TestApp {
    /// Stops the server the way SIGTERM does (open requests finish) and starts a fresh one,
    /// with a new connection pool, on the same database.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
        let db = server::connect(&self.url).await.expect("reconnect");
        let (base, stop, server) = start(db.clone(), &self.url, self.settings.clone()).await;
        self.base = base;
        self.db = db;
        self.stop = Some(stop);
        self.server = Some(server);
    }
}

/// Another server on the same database, with its own connections and memory, as a second
/// replica behind a load balancer is. It stops when dropped.
pub struct Replica {
    pub base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn replica(&self) -> Replica {
        let db = server::connect(&self.url).await.expect("connect a replica");
        let (base, stop, _server) = start(db, &self.url, self.settings.clone()).await;
        Replica { base, _stop: stop }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request. A page render has been seen, rarely and only under the full suite's
    /// load, never to answer (an open bug, see issue 12's note); a GET that times out is tried
    /// once more, loudly, so the rest of the test still runs. Anything else that times out fails.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let request = req.build().expect("a request");
        let again = (request.method() == Method::GET)
            .then(|| request.try_clone())
            .flatten();
        let url = request.url().to_string();
        let res = match (self.http.execute(request).await, again) {
            (Ok(res), _) => res,
            (Err(e), Some(again)) if e.is_timeout() => {
                eprintln!("RETRIED: GET {url} got no answer within the timeout");
                self.http.execute(again).await.expect("request")
            }
            (Err(e), _) => panic!("request: {e:?}"),
        };
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// A JSON API call; `token` goes in as a Bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Signs up an MSP; returns the owner's token and the signup answer.
    pub async fn signup(&self, msp: &str, email: &str) -> (String, Value) {
        let r = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({ "msp_name": msp, "name": "Owner", "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        (r.body["token"].as_str().unwrap().to_string(), r.body)
    }

    pub async fn create_client(&self, token: &str, name: &str) -> String {
        let r = self
            .post("/api/v1/clients", Some(token), json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Adds a system with an RPO to a client; returns its id.
    pub async fn create_system(&self, token: &str, client: &str, name: &str, rpo: u32) -> String {
        let r = self
            .post(
                &format!("/api/v1/clients/{client}/systems"),
                Some(token),
                json!({ "name": name, "rpo_minutes": rpo }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// A new ingest token of a client, as shown once.
    pub async fn ingest_token(&self, token: &str, client: &str) -> String {
        let r = self
            .post(
                &format!("/api/v1/clients/{client}/ingest-tokens"),
                Some(token),
                json!({ "name": "t" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// Invites a client user and accepts the invite; returns the new user's token.
    pub async fn client_user(
        &self,
        token: &str,
        client_id: &str,
        email: &str,
        role: &str,
    ) -> String {
        let path = format!("/api/v1/clients/{client_id}/users");
        let body = json!({ "email": email, "name": "Client User", "role": role });
        self.invited(token, &path, body).await.body["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Posts an invitation to `path` and accepts it with `PASSWORD`; the acceptance's answer
    /// (`{token, user}`).
    pub async fn invited(&self, token: &str, path: &str, invitation: Value) -> Resp {
        let r = self.post(path, Some(token), invitation).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["user"]["active"], false, "invited, not yet active");
        let invite = r.body["invite_token"].as_str().unwrap();
        let r = self
            .post(
                &format!("/api/v1/invites/{invite}/accept"),
                None,
                json!({ "password": PASSWORD }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r
    }
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await {
                        super::$name(app).await
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await
                    }
                }
            )*
        }
    };
}

/// Last month's final six hours of a system, as backup software reports them: a backup every 30
/// minutes but none between 300 and 90 minutes before their end (against a 60-minute RPO, one
/// breach of 150 minutes), and a restore test that passed. Wholly inside last month whatever
/// day it is. Returns that month (`YYYY-MM`) and the events.
pub fn last_months_backups(system: &str) -> (String, Vec<Value>) {
    use chrono::{Datelike, Duration, Utc};
    let month_start = Utc::now()
        .date_naive()
        .with_day(1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let end = month_start - Duration::minutes(5);
    let before = |minutes: i64| (end - Duration::minutes(minutes)).to_rfc3339();
    let mut events: Vec<Value> = (0..=360)
        .step_by(30)
        .filter(|m| !(120..=270).contains(m))
        .map(|m| json!({ "id": format!("m{m}"), "system_id": system, "kind": "backup_succeeded", "restore_point_at": before(m), "finished_at": before(m - 1) }))
        .collect();
    events.push(json!({ "id": "rt", "system_id": system, "kind": "restore_test_passed", "finished_at": before(5), "duration_seconds": 900 }));
    (end.format("%Y-%m").to_string(), events)
}

/// The codes of what a plan view says is missing.
pub fn gaps(plan: &Value) -> Vec<String> {
    plan["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_string())
        .collect()
}
