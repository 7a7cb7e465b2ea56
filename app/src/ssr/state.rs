//! What every request handler can reach: the database, the signing keys and the settings.
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;

use super::auth::JwtKeys;

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    /// Plain SMTP without TLS: only for a local relay or a test sink.
    pub insecure: bool,
}

/// Stripe's own API.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com/";

#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a session token lives; cookies are renewed when half of it has passed.
    pub token_ttl: Duration,
    /// No renewal beyond this long after the sign-in itself.
    pub session_max_age: Duration,
    pub invite_ttl: Duration,
    /// The origin browsers use to reach us (scheme://host[:port]), for CSRF checks and invite links.
    /// `None`: trust the request's own Host header.
    pub public_url: Option<String>,
    /// Mark cookies `Secure` (on unless serving plain HTTP on loopback).
    pub secure_cookies: bool,
    pub smtp: Option<SmtpSettings>,
    /// Failed sign-ins allowed per e-mail address and per IP within `login_window`.
    pub login_max_failures_per_email: u64,
    pub login_max_failures_per_ip: u64,
    pub login_window: Duration,
    /// Take the client address from X-Forwarded-For (only behind a trusted load balancer).
    pub trust_forwarded_for: bool,
    /// How often the evaluator looks for systems whose state the clock has changed.
    pub eval_interval: Duration,
    /// The first retry of a failed delivery waits this long; each next one twice as long.
    pub alert_retry_base: Duration,
    /// Let webhooks reach loopback and private addresses (tests, on-premises installs).
    pub webhooks_allow_private: bool,
    /// The key tenants' secrets are sealed with, and older ones still read during a rotation.
    /// Without one, a key is derived from the session signing key (tests).
    pub secrets_key: Option<KeyMaterial>,
    pub secrets_old_keys: Vec<KeyMaterial>,
    /// Where Stripe's API answers (`https://api.stripe.com/`; tests point it at a fake).
    pub stripe_api_base: String,
}

/// Key bytes that never show in a log or a debug print.
#[derive(Clone)]
pub struct KeyMaterial(pub Vec<u8>);

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyMaterial(..)")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token_ttl: Duration::from_secs(30 * 60),
            session_max_age: Duration::from_secs(7 * 24 * 3600),
            invite_ttl: Duration::from_secs(7 * 24 * 3600),
            public_url: None,
            secure_cookies: true,
            smtp: None,
            login_max_failures_per_email: 5,
            login_max_failures_per_ip: 30,
            eval_interval: Duration::from_secs(5),
            alert_retry_base: Duration::from_secs(30),
            login_window: Duration::from_secs(15 * 60),
            trust_forwarded_for: false,
            webhooks_allow_private: false,
            stripe_api_base: STRIPE_API_BASE.to_string(),
            secrets_key: None,
            secrets_old_keys: Vec::new(),
        }
    }
}

/// What every request handler can reach, shared: cloning it (several times per request, by
/// each layer and extractor that takes the state) is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    /// On SQLite only one transaction writes at a time; bulk writers (ingest) queue here, in
    /// order, instead of spinning on the file lock.
    pub sqlite_writes: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Where checked ingest batches wait for the group commit (started on first use).
    pub ingest_queue: Arc<std::sync::OnceLock<crate::ssr::service::monitor::ingest::Queue>>,
    /// Ingest tokens and client targets, so an ingest request reads nothing before its commit.
    pub ingest_cache: Arc<crate::ssr::service::monitor::cache::IngestCache>,
    pub db: DatabaseConnection,
    /// Where transactions that write run (`begin_write`). On SQLite a pool of one connection of
    /// its own: one writer at a time is all SQLite allows anyway, and a connection that alone
    /// writes keeps its page cache and prepared statements warm between commits, where a pooled
    /// one finds its cache made stale by the others' commits and reads every page again. On
    /// PostgreSQL the same pool as `db`.
    pub writer: DatabaseConnection,
    /// What `/healthz` reports: storage failures seen by real work, and faults found at start.
    pub health: Arc<super::health::Health>,
    pub keys: Arc<JwtKeys>,
    /// Seals and opens tenants' secrets (webhook signing secrets) for storage.
    pub secrets: Arc<super::secrets::SecretKeys>,
    pub settings: Arc<Settings>,
    /// Shared: the state is cloned several times for every request.
    pub leptos: Arc<LeptosOptions>,
}

impl Shared {
    /// Waits for this process's turn to write on SQLite (held until the guard drops); on
    /// PostgreSQL there is no turn to wait for.
    pub async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.sqlite_writes {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }
}

impl Shared {
    /// Starts a transaction that will write. On SQLite it takes the file's write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later cannot wait
    /// for the lock when any other writer (another tenant's request, the evaluator, the outbox)
    /// committed in between; SQLite fails it at once with SQLITE_BUSY_SNAPSHOT, a 500 for a
    /// request that did nothing wrong. Taken at BEGIN, the lock is waited for (busy timeout) like
    /// any single write. PostgreSQL ignores the mode.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.writer
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        (*s.leptos).clone()
    }
}
