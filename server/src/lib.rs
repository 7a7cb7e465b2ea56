//! The Lifeline server as a library, so tests start exactly the app `lifeline serve` runs.
pub mod config;
pub mod middleware;
pub mod routes;
pub mod seed;
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
            seed::demo(&conn).await?.print();
            Ok(())
        }
        Command::Serve(args) => {
            let db = connect(&args.db.database_url).await?;
            if args.demo {
                seed::demo(&db).await?.print();
            }
            let secret = config::jwt_secret(&args)?;
            let state = app_state(db, &secret, args.settings(), &args.site_root);
            let listener = tokio::net::TcpListener::bind(&args.bind)
                .await
                .with_context(|| format!("binding {}", args.bind))?;
            tracing::info!(addr = %listener.local_addr()?, "Lifeline is listening");
            serve(listener, state, shutdown_signal()).await
        }
    }
}

/// Connects and runs pending migrations. A SQLite file's folder is created and WAL mode set.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = config::sqlite_path(url) {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).max_connections(16);
    // Per connection, not once: every pooled SQLite connection enforces foreign keys and waits
    // for a busy writer rather than failing at once. Multi-row statements differ in text by
    // their row count, and a prepared one for a thousand rows is large: a short statement cache
    // per connection keeps the handful of everyday statements without hoarding those.
    opts.map_sqlx_sqlite_opts(|o| {
        o.foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30))
            .statement_cache_capacity(24)
    });
    let db = Database::connect(opts)
        .await
        .context("connecting to the database")?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL;").await?;
    }
    migrations::Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    Ok(db)
}

pub fn app_state(
    db: DatabaseConnection,
    secret: &[u8],
    settings: Settings,
    site_root: &str,
) -> AppState {
    let leptos = LeptosOptions::builder()
        .output_name("lifeline")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .build();
    let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    AppState {
        sqlite_writes: sqlite.then(|| Arc::new(tokio::sync::Mutex::new(()))),
        ingest_queue: Default::default(),
        ingest_cache: Default::default(),
        db,
        keys: Arc::new(JwtKeys::from_secret(secret)),
        settings: Arc::new(settings),
        leptos,
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let leptos = state.leptos.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/lang/{code}", get(set_lang))
        .nest("/api/v1", routes::api_router())
        .merge(routes::monitor::ping_router())
        .leptos_routes_with_context(&state, routes, || {}, move || app::shell(leptos.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::renew_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf_guard,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let evaluator = tokio::spawn(app::ssr::service::monitor::evaluate::run(
        state.clone(),
        state.settings.eval_interval,
    ));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    evaluator.abort();
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

/// 200 when the database answers, 503 otherwise (load balancers take the replica out).
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Remembers the language in a cookie and goes back where the user came from (works without wasm).
async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> impl IntoResponse {
    let lang = app::i18n::Lang::parse(&code).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        app::i18n::LANG_COOKIE,
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back))
}
