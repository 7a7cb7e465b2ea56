//! The Lifeline server as a library, so tests start exactly the app `lifeline serve` runs.
#![recursion_limit = "256"]
pub mod bench_support;
pub mod config;
pub mod fixtures;
pub mod middleware;
pub mod routes;
pub mod seed;
pub mod stripe_fake;
pub mod telemetry;

use anyhow::Context;
use app::ssr::auth::JwtKeys;
use app::ssr::state::{AppState, Settings};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use config::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate(db) => {
            connect(&db.database_url).await?;
            Ok(())
        }
        Command::Seed(db) => {
            let conn = connect(&db.database_url).await?;
            // The demo is built through the app's own API, which wants a state; the session
            // key signs only the seed's own sign-ins here.
            let state = app_state(
                conn,
                &config::random_secret(),
                Settings::default(),
                "target/site",
            );
            seed::demo(&state).await?.print();
            Ok(())
        }
        Command::RotateSecrets(args) => {
            let db = connect(&args.db.database_url).await?;
            let (key, old) = args.keys()?;
            let settings = Settings {
                secrets_key: Some(key),
                secrets_old_keys: old,
                ..Settings::default()
            };
            // The session key plays no part here; any value will do.
            let state = app_state(db, b"unused", settings, "target/site");
            let n = app::ssr::service::monitor::alerts::reseal_secrets(&state).await?;
            println!(
                "{n} secret(s) sealed with key {}",
                state.secrets.current_id()
            );
            Ok(())
        }
        Command::Serve(args) => {
            let url = &args.secrets.db.database_url;
            let lost = config::sqlite_path(url).and_then(|p| lost_database(&p));
            let db = connect(url).await?;
            let secret = config::jwt_secret(&args)?;
            let mut settings = args.settings();
            let (key, old) = args.secrets.keys()?;
            settings.secrets_key = Some(key);
            settings.secrets_old_keys = old;
            let state = app_state(db, &secret, settings, &args.site_root);
            let resealed = app::ssr::service::monitor::alerts::reseal_secrets(&state).await?;
            if resealed > 0 {
                tracing::info!(resealed, "tenant secrets sealed with the current key");
            }
            watch_sqlite_file(&state, url);
            if args.demo {
                seed::demo(&state).await?.print();
                tokio::spawn(seed::keep_alive(state.clone()));
            }
            match lost {
                Some(why) if !args.accept_new_database => state.health.fatal(why),
                _ => {}
            }
            let listener = tokio::net::TcpListener::bind(&args.bind)
                .await
                .with_context(|| format!("binding {}", args.bind))?;
            tracing::info!(addr = %listener.local_addr()?, "Lifeline is listening");
            serve(listener, state, shutdown_signal()).await
        }
    }
}

/// Beside a SQLite file: written when the file is first created, so a database that goes
/// missing later is known to have existed.
fn created_marker(db: &std::path::Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".created");
    std::path::PathBuf::from(name)
}

/// Why a SQLite database about to be opened is not the one this installation had: the file
/// is missing although its marker says it was created before (deleted, or a volume not
/// mounted). `None` when the file is there or never existed.
pub fn lost_database(db: &std::path::Path) -> Option<String> {
    let marker = created_marker(db);
    (!db.exists() && marker.exists()).then(|| {
        format!(
            "the database {} was missing at start although this installation had one ({} exists); \
             a new, EMPTY database was created. Restore the database from a backup, or start once \
             with LIFELINE_ACCEPT_NEW_DATABASE=true to keep the empty one",
            db.display(),
            marker.display()
        )
    })
}

/// Lets `/healthz` notice when the SQLite file behind `url` is deleted or replaced.
pub fn watch_sqlite_file(state: &AppState, url: &str) {
    if let Some(path) = config::sqlite_path(url) {
        state.health.watch_file(app::ssr::health::DbFile::of(&path));
    }
}

/// Connects and runs pending migrations. A SQLite file's folder is created and WAL mode set;
/// creating a new, empty database file is said loudly, as it may mean data was lost.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    configure_sqlite_process();
    if let Some(path) = config::sqlite_path(url) {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        if !path.exists() {
            tracing::warn!(path = %path.display(), "CREATING A NEW, EMPTY DATABASE: no file was at this path");
            eprintln!(
                "\n*** Lifeline: creating a NEW, EMPTY database at {} (no file was there) ***\n",
                path.display()
            );
        }
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).max_connections(16);
    // Per connection, not once: every pooled SQLite connection enforces foreign keys and waits
    // for a busy writer rather than failing at once. Multi-row statements differ in text by
    // their row count, and a prepared one for a thousand rows is large: a short statement cache
    // per connection keeps the handful of everyday statements without hoarding those. The
    // write-ahead log is copied back by `checkpoints`, not by whichever commit crosses a
    // threshold; the far threshold here is only a safety net should that task fall behind.
    // A connection's thread hands rows to the task that reads them through a bounded channel;
    // at sqlx's 50 it stopped and was woken again every few rows of a dashboard's thousands.
    fn per_connection(
        o: sea_orm::sqlx::sqlite::SqliteConnectOptions,
    ) -> sea_orm::sqlx::sqlite::SqliteConnectOptions {
        o.foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30))
            .statement_cache_capacity(24)
            .row_buffer_size(1024)
            .pragma("wal_autocheckpoint", WAL_SAFETY_NET_PAGES.to_string())
    }
    opts.map_sqlx_sqlite_opts(per_connection);
    // A write that fails for want of disk space can leave SQLite's transaction (or a statement)
    // open on its connection; back in the pool it would hold the write lock for good, and every
    // other writer would wait out its busy timeout and fail. Such a connection is closed instead.
    opts.map_sqlx_sqlite_pool_opts(|o| {
        o.after_connect(|conn, _| Box::pin(async move { stable_plans(conn).await }))
            .after_release(|conn, _| {
                Box::pin(async move { Ok(sqlite_connection_is_clean(conn).await) })
            })
    });
    let sqlite = config::sqlite_path(url).is_some() || url.starts_with("sqlite:");
    if sqlite {
        // Migrations run over one connection of their own: a pooled SQLite connection that
        // read the schema before another changed it can go on seeing the old one between two
        // statements of a migration ("no such column"), under load more often than not.
        let mut one = opts.clone();
        one.max_connections(1).min_connections(1);
        let single = Database::connect(one)
            .await
            .context("connecting to the database")?;
        single
            .execute_unprepared("PRAGMA journal_mode=WAL;")
            .await?;
        migrations::Migrator::up(&single, None)
            .await
            .context("running migrations")?;
        refresh_planner_statistics(&single).await;
        single.close().await?;
        // From here on the file exists: a pooled connection opened after it was deleted must
        // fail, not quietly make a new, empty database at the same path.
        if config::sqlite_path(url).is_some() {
            opts.map_sqlx_sqlite_opts(|o| per_connection(o).create_if_missing(false));
        }
    }
    let db = Database::connect(opts)
        .await
        .context("connecting to the database")?;
    if !sqlite {
        migrations::Migrator::up(&db, None)
            .await
            .context("running migrations")?;
    }
    if let Some(path) = config::sqlite_path(url) {
        let marker = created_marker(&path);
        if !marker.exists() {
            std::fs::write(&marker, chrono::Utc::now().to_rfc3339())
                .with_context(|| format!("writing {}", marker.display()))?;
        }
    }
    Ok(db)
}

/// Plans a statement once and keeps it (SQLite's query planner stability guarantee). Without
/// it SQLite plans some statements for the values bound to them (a `LIMIT ?`, a parameter a
/// partial index is matched against) and marks them to be planned again whenever a value is
/// bound, which sqlx does on every execution: the dashboard's statements were parsed and
/// planned anew on each request, their allocations a tenth of its time. Every index
/// Lifeline's reads use starts with the tenant's column, so a plan made for one tenant suits
/// the next.
async fn stable_plans(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut now: std::ffi::c_int = 0;
    // SAFETY: the locked handle guarantees that no other thread uses this connection meanwhile;
    // this option takes an int and a pointer to an int that receives the new setting.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            &mut now as *mut std::ffi::c_int,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK || now != 1 {
        tracing::warn!(rc, "SQLite's query planner stability guarantee is off");
    }
    Ok(())
}

/// Whether a SQLite connection handed back to the pool holds nothing open: no transaction (by
/// SQLite's own account and by sqlx's count, which a failed ROLLBACK leaves behind), no
/// statement still stepping.
async fn sqlite_connection_is_clean(conn: &mut sea_orm::sqlx::SqliteConnection) -> bool {
    use sea_orm::sqlx::Connection;
    // Locking the handle waits for the connection's worker to finish what was queued before,
    // such as the ROLLBACK of a transaction dropped without a commit.
    let (autocommit, busy) = {
        let Ok(mut handle) = conn.lock_handle().await else {
            return false;
        };
        let db = handle.as_raw_handle().as_ptr();
        // SAFETY: the locked handle guarantees that no other thread uses this connection
        // meanwhile; these calls only read its state.
        unsafe {
            let autocommit = libsqlite3_sys::sqlite3_get_autocommit(db) != 0;
            let mut busy = false;
            let mut stmt = libsqlite3_sys::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !stmt.is_null() {
                busy |= libsqlite3_sys::sqlite3_stmt_busy(stmt) != 0;
                stmt = libsqlite3_sys::sqlite3_next_stmt(db, stmt);
            }
            (autocommit, busy)
        }
    };
    let counted = conn.is_in_transaction();
    let clean = autocommit && !busy && !counted;
    if !clean {
        tracing::warn!(
            autocommit,
            busy,
            counted,
            "closing a SQLite connection that a failed write left with an open transaction"
        );
    }
    clean
}

/// Pages (4 KiB) the write-ahead log may grow to before a commit copies it back itself.
const WAL_SAFETY_NET_PAGES: u32 = 16_384;

/// How often `checkpoints` copies SQLite's write-ahead log back into the database file.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// What one checkpoint did: the frames in the log, and how many of them are now in the
/// database file (fewer while a reader still needs older ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub log_frames: i64,
    pub copied_frames: i64,
}

/// Copies what it can of SQLite's write-ahead log into the database file without waiting for
/// readers or writers (a passive checkpoint). `None` on PostgreSQL, which needs none of this.
pub async fn checkpoint(db: &DatabaseConnection) -> anyhow::Result<Option<Checkpoint>> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(None);
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "PRAGMA wal_checkpoint(PASSIVE)",
        ))
        .await?
        .context("wal_checkpoint returned no row")?;
    Ok(Some(Checkpoint {
        log_frames: row.try_get_by_index(1)?,
        copied_frames: row.try_get_by_index(2)?,
    }))
}

/// Checkpoints SQLite's write-ahead log every `every` until the task is dropped, so that
/// commits only append their own pages: a commit that crossed SQLite's own threshold would
/// copy the whole log back and sync the file first (the evaluator's catch-up pass over 100,000
/// systems spent 35 of its 60 ms of commit on that).
pub async fn checkpoints(db: DatabaseConnection, every: std::time::Duration) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_stats = std::time::Instant::now();
    loop {
        tick.tick().await;
        if let Err(e) = checkpoint(&db).await {
            tracing::warn!(error = ?e, "WAL checkpoint failed");
        }
        if last_stats.elapsed() >= PLANNER_STATISTICS_EVERY {
            last_stats = std::time::Instant::now();
            refresh_planner_statistics(&db).await;
        }
    }
}

/// How often SQLite's planner statistics are brought up to date.
const PLANNER_STATISTICS_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Brings SQLite's planner statistics up to date where tables changed much (`PRAGMA optimize`,
/// each table sampled, not read whole). Without them the planner guesses, and for a client
/// user's status page it guessed the client's whole event history (the unique key by client)
/// over the week it needs (the index by system and time). A failure only costs a plan.
pub async fn refresh_planner_statistics(db: &DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let done = db
        .execute_unprepared("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;")
        .await;
    if let Err(e) = done {
        tracing::warn!(error = ?e, "planner statistics not refreshed");
    }
}

pub fn app_state(
    db: DatabaseConnection,
    secret: &[u8],
    settings: Settings,
    site_root: &str,
) -> AppState {
    // A release build (`build_site release`) names the bundle by its content and says so in
    // `hash.txt`; pages then ask for those names, which can be cached for good. Leptos reads the
    // file relative to the executable unless its path is absolute.
    let hashes = std::path::Path::new(site_root).join(HASH_FILE);
    let hashes = std::path::absolute(&hashes).unwrap_or(hashes);
    let leptos = LeptosOptions::builder()
        .output_name("lifeline")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .hash_files(hashes.exists())
        .hash_file(std::sync::Arc::<str>::from(hashes.to_string_lossy()))
        .build();
    let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let derived;
    let current: &[u8] = match &settings.secrets_key {
        Some(k) => &k.0,
        None => {
            derived = [b"lifeline-secrets:".as_slice(), secret].concat();
            &derived
        }
    };
    let old: Vec<Vec<u8>> = settings
        .secrets_old_keys
        .iter()
        .map(|k| k.0.clone())
        .collect();
    let secrets = Arc::new(app::ssr::secrets::SecretKeys::new(current, &old));
    AppState::new(app::ssr::state::Shared {
        secrets,
        sqlite_writes: sqlite.then(|| Arc::new(tokio::sync::Mutex::new(()))),
        ingest_queue: Default::default(),
        ingest_cache: Default::default(),
        health: Default::default(),
        writer: if sqlite {
            sqlite_writer(&db)
        } else {
            db.clone()
        },
        db,
        keys: Arc::new(JwtKeys::from_secret(secret)),
        settings: Arc::new(settings),
        leptos: Arc::new(leptos),
    })
}

/// Keeps the process on ordinary 4 KiB pages. mimalloc asks the kernel for transparent huge
/// pages on its arenas, and a 2 MiB page stays resident as long as one block on it is in use:
/// after the load benchmark the server held 174 MB (70-90 MB of it in huge pages), with this
/// call 139 MB, at no cost in requests per second. Called first thing in `main`, after
/// mimalloc set up its first arena (6 MB of huge pages stay; `MIMALLOC_ALLOW_THP=0` in the
/// environment avoids those too). The flag belongs to the whole process, its threads included.
pub fn without_huge_pages() {
    // An operator who wants them back says so the way mimalloc reads it.
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes one integer flag; the other arguments must be zero.
        let rc = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        if rc != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "huge pages stay allowed");
        }
    }
}

/// Prepared statements the SQLite writer keeps: ingest's multi-row statements come in a few
/// shapes per table (see `app::ssr::sql::runs`), all of which stay prepared.
const WRITER_STATEMENTS: usize = 160;

/// SQLite counts every allocation it makes under one process-wide mutex unless told not to
/// (`SQLITE_CONFIG_MEMSTATUS`, on by default, for `sqlite3_memory_used`, which nothing here
/// reads): sixteen pooled connections on their own threads queued on that mutex for each row
/// they read. It can only be set before SQLite's first use in the process; after that SQLite
/// refuses it (`SQLITE_MISUSE`) and goes on counting, which is slower but no less correct.
/// SQLite's own allocations (pages read, rows handed out, statements prepared) go to
/// mimalloc too: through glibc's malloc, sixteen connection threads spent a fifth of a
/// dashboard request consolidating and locking its arenas. Statement journals stay in memory
/// (`STATEMENT_JOURNAL_IN_MEMORY`).
fn configure_sqlite_process() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let methods = sqlite_allocations::methods();
        // SAFETY: `sqlite3_config` takes these options with one int argument and with a pointer
        // to the methods (copied by SQLite); it is called once, before this process opens a
        // SQLite connection (or is refused if one already did, changing nothing).
        let (stats, allocator, journal) = unsafe {
            (
                libsqlite3_sys::sqlite3_config(
                    libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                    0 as std::ffi::c_int,
                ),
                libsqlite3_sys::sqlite3_config(
                    libsqlite3_sys::SQLITE_CONFIG_MALLOC,
                    &methods as *const libsqlite3_sys::sqlite3_mem_methods,
                ),
                libsqlite3_sys::sqlite3_config(
                    libsqlite3_sys::SQLITE_CONFIG_STMTJRNL_SPILL,
                    STATEMENT_JOURNAL_IN_MEMORY as std::ffi::c_int,
                ),
            )
        };
        if stats != libsqlite3_sys::SQLITE_OK || allocator != libsqlite3_sys::SQLITE_OK || journal != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(
                stats,
                allocator,
                journal,
                "SQLite keeps its memory statistics, allocator and statement journals (it was already in use)"
            );
        }
    });
}

/// Bytes of a statement journal SQLite keeps in memory before it spills to a temporary file.
/// A statement that changes several rows inside a transaction (every multi-row insert and
/// update of a group commit) journals the pages it changes, so that it alone can be undone;
/// past SQLite's default of 64 KiB that journal went to a new file in /var/tmp, created,
/// written page by page and deleted for every group: ~180 writes and an open/unlink per
/// commit (a ping group's statements took 1.46 ms with it, 1.10 ms without). Only a writer
/// journals, and SQLite has one at a time.
const STATEMENT_JOURNAL_IN_MEMORY: usize = 8 << 20;

/// SQLite's memory methods, on mimalloc. SQLite never asks for zero or negative sizes here
/// (its own wrappers catch them); mimalloc's blocks are aligned to at least 8 bytes, as SQLite
/// requires.
mod sqlite_allocations {
    use libmimalloc_sys as mi;
    use std::ffi::{c_int, c_void};

    unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
        // SAFETY: a plain allocation of a positive size.
        unsafe { mi::mi_malloc(n.max(1) as usize) }
    }
    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: `p` came from `malloc`/`realloc` above (or is null).
        unsafe { mi::mi_free(p) }
    }
    unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
        // SAFETY: `p` came from this allocator; the size is positive.
        unsafe { mi::mi_realloc(p, n.max(1) as usize) }
    }
    unsafe extern "C" fn size(p: *mut c_void) -> c_int {
        // SAFETY: `p` came from this allocator (or is null, whose size is 0).
        let n = unsafe { mi::mi_usable_size(p) };
        c_int::try_from(n).unwrap_or(c_int::MAX)
    }
    unsafe extern "C" fn roundup(n: c_int) -> c_int {
        // SAFETY: a pure size computation.
        let good = unsafe { mi::mi_good_size(n.max(1) as usize) };
        c_int::try_from(good).unwrap_or(n)
    }
    unsafe extern "C" fn init(_: *mut c_void) -> c_int {
        libsqlite3_sys::SQLITE_OK
    }
    unsafe extern "C" fn shutdown(_: *mut c_void) {}

    /// SQLite copies the methods when it is configured.
    pub(super) fn methods() -> libsqlite3_sys::sqlite3_mem_methods {
        libsqlite3_sys::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        }
    }
}

/// Pages (KiB, as SQLite's negative `cache_size`) the SQLite writer keeps in memory: the
/// upper levels of the event indexes and the statuses of every monitored system stay cached.
const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// A pool of one connection for SQLite's writes, opened like the pool `db` (the same file and
/// settings, the same check on release), connected on first use.
fn sqlite_writer(db: &DatabaseConnection) -> DatabaseConnection {
    let pool = db.get_sqlite_connection_pool();
    let options = (*pool.connect_options())
        .clone()
        .statement_cache_capacity(WRITER_STATEMENTS)
        .pragma("cache_size", (-WRITER_CACHE_KIB).to_string());
    let writer = pool
        .options()
        .clone()
        .max_connections(1)
        .min_connections(0)
        // Only this process's writes use it; a ping before each would be a round trip to the
        // connection's thread per commit. A connection that fails is replaced on its error.
        .test_before_acquire(false)
        .connect_lazy_with(options);
    sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(writer)
}

/// Written by `build_site release` beside `pkg/`: the content hashes in the bundle's file names.
pub const HASH_FILE: &str = "hash.txt";

/// The browser bundle: served as brotli or gzip where the build left such a copy beside it
/// and the browser takes it; cached for good when its names carry their content's hash (a new
/// build has new names), otherwise checked with the server on every use.
fn bundle(state: &AppState) -> Router<AppState> {
    use axum::http::HeaderValue;
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeaderLayer;
    let dir = std::path::Path::new(state.leptos.site_root.as_ref()).join("pkg");
    let cache = if state.leptos.hash_files {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    };
    Router::new().nest_service(
        "/pkg",
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                cache,
            ))
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let leptos = (*state.leptos).clone();
    Router::new()
        .merge(bundle(&state))
        .route("/healthz", get(healthz))
        .route("/lang/{code}", get(set_lang))
        .nest("/api/v1", routes::api_router())
        .merge(routes::root_routes().router)
        // The monthly report as a page: the link in its e-mail.
        .route(
            "/clients/{id}/reports/{month}",
            get(routes::monitor::report_page),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            app::ssr::error::provide_action_error,
            move || app::shell(leptos.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::renew_session,
        ))
        .layer(axum::middleware::from_fn(middleware::plain_form_answers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::problem_language))
        // Pages and API answers go out compressed when the client takes it; the bundle's
        // precompressed files are left as they are. At brotli's default quality (11, meant for
        // files compressed once) the dashboard cost 5 ms more per request to a browser; at 4
        // it costs well under one, a few KB larger.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// How long a stopping server waits for open connections to finish.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let evaluator = tokio::spawn(app::ssr::service::monitor::evaluate::run(
        state.clone(),
        state.settings.eval_interval,
    ));
    let delivery = tokio::spawn(app::ssr::service::monitor::delivery::run(
        state.clone(),
        state
            .settings
            .eval_interval
            .min(std::time::Duration::from_secs(1)),
    ));
    let checkpointer = tokio::spawn(checkpoints(state.db.clone(), CHECKPOINT_EVERY));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Requests under way are finished after the signal, but a connection that never finishes
    // (a client that stops reading its answer) must not keep the process from stopping.
    let (began, stopping) = tokio::sync::oneshot::channel::<()>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = began.send(());
    });
    let grace = async move {
        match stopping.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = std::future::IntoFuture::into_future(serving) => served?,
        () = grace => tracing::warn!(
            seconds = SHUTDOWN_GRACE.as_secs(),
            "connections still open after the grace period; stopping without them"
        ),
    }
    evaluator.abort();
    delivery.abort();
    checkpointer.abort();
    tracing::info!("Lifeline stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing open requests");
}

/// 200 when this replica can read and write its database; 503 with the reason otherwise (the
/// load balancer takes the replica out until it can again).
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match app::ssr::health::check(&state).await {
        Ok(()) => (StatusCode::OK, "ok".to_string()),
        Err(why) => {
            tracing::error!(reason = %why, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, why)
        }
    }
}

/// The path (and query) of a URL as a place on this site to go back to; "/" when it could lead
/// elsewhere: `//host/…` and `/\host/…` are read by browsers as another site.
pub fn local_path(referer: &str) -> String {
    let Ok(url) = reqwest::Url::parse(referer) else {
        return "/".into();
    };
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    match app::domain::input::site_path(&path) {
        Some(_) => path,
        None => "/".into(),
    }
}

/// Remembers the language in a cookie and goes back where the user came from (works without wasm).
async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> impl IntoResponse {
    let lang = app::i18n::Lang::parse(&code).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(local_path)
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        app::i18n::LANG_COOKIE,
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back))
}
