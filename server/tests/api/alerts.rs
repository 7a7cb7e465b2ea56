//! Alerts over a real SMTP conversation and a real local HTTP receiver: state changes are told
//! once, webhooks are signed and retried, recoveries are told, open breaches are repeated once per
//! period even with two dispatchers at work.
use crate::helpers::{spawn_app_with, Backend, TestApp, SECRET};
use crate::mail::smtp_sink;
use app::ssr::state::SmtpSettings;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

type Calls = mpsc::UnboundedReceiver<(HeaderMap, String)>;

/// An HTTP receiver that fails its first call and records every call.
async fn receiver() -> (String, Calls) {
    let (tx, rx) = mpsc::unbounded_channel();
    let count = Arc::new(Mutex::new(0));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (tx, count) = (tx.clone(), count.clone());
            async move {
                tx.send((headers, body)).ok();
                let mut n = count.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

async fn alerting_app(backend: Backend, smtp_port: u16) -> Option<TestApp> {
    spawn_app_with(backend, |s| {
        s.eval_interval = std::time::Duration::from_millis(200);
        s.alert_retry_base = std::time::Duration::from_millis(300);
        s.public_url = Some("https://lifeline.example".into());
        s.smtp = Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: smtp_port,
            username: None,
            password: None,
            from: "Lifeline <alerts@lifeline.example>".into(),
            insecure: true,
        });
    })
    .await
}

async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>, what: &str) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no {what} within 20 s"))
        .unwrap()
}

async fn state_changes_are_mailed_and_signed_webhooks_retried(backend: Backend) {
    let (port, mut inbox) = smtp_sink().await;
    let (hook, mut calls) = receiver().await;
    let Some(app) = alerting_app(backend, port).await else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    app.client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    let (_, invite) = next(&mut inbox, "invitation").await;
    assert!(invite.contains("Your Lifeline invitation"));
    let settings = json!({ "notify_client": true, "webhook_url": hook, "webhook_secret": "s3cret-s3cret-s3cret", "reminder_minutes": 60 });
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(settings),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["webhook_signed"], true);
    assert!(!r.text.contains("s3cret"), "the secret is not shown back");

    let sys = app.create_system(&owner, &client, "File server", 1).await;
    let token = app.ingest_token(&owner, &client).await;
    let event = |id: &str, secs: i64| json!({ "events": [{ "id": id, "system_id": sys, "kind": "backup_succeeded", "restore_point_at": (Utc::now() - Duration::seconds(secs)).to_rfc3339(), "finished_at": Utc::now().to_rfc3339() }] });
    // 45 s old against a 1-minute RPO: ok now (first report: nobody is told), at risk at 48 s.
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&token)
                .json(&event("e1", 45)),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);

    let mut mails = [
        next(&mut inbox, "e-mail").await,
        next(&mut inbox, "e-mail").await,
    ];
    mails.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(mails[0].0, ["<ann@acme.example>"]);
    assert_eq!(
        mails[1].0,
        ["<carl@bakery.example>"],
        "the client is told too"
    );
    assert!(
        mails[0]
            .1
            .contains("Subject: [Lifeline] AT RISK: Bakery / File server (RPO)"),
        "{}",
        mails[0].1
    );
    assert!(
        mails[0]
            .1
            .replace("=\n", "")
            .contains("Status: https://lifeline.example/clients/"),
        "{}",
        mails[0].1
    );

    // The receiver failed the first call; the same delivery comes again, signed.
    let (h1, b1) = next(&mut calls, "webhook").await;
    let (h2, b2) = next(&mut calls, "webhook retry").await;
    assert_eq!(h1["x-lifeline-delivery"], h2["x-lifeline-delivery"]);
    assert_eq!(b1, b2);
    let body: Value = serde_json::from_str(&b2).unwrap();
    assert_eq!(
        (
            body["event"].as_str(),
            body["to"].as_str(),
            body["system"]["name"].as_str()
        ),
        (Some("state_changed"), Some("at_risk"), Some("File server"))
    );
    let sig = h2["x-lifeline-signature"].to_str().unwrap();
    let t: i64 = sig
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert_eq!(
        sig,
        app::ssr::service::monitor::alerts::signature("s3cret-s3cret-s3cret", t, &b2)
    );
    assert!((Utc::now().timestamp() - t).abs() < 60);

    // A fresh restore point: recovered, and everyone is told.
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&token)
                .json(&event("e2", 0)),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let (_, data) = next(&mut inbox, "recovery e-mail").await;
    assert!(
        data.contains("recovered: Bakery / File server (RPO OK again)"),
        "{data}"
    );
    let (_, body) = next(&mut calls, "recovery webhook").await;
    assert!(body.contains("\"to\":\"ok\""), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_are_mailed_and_signed_webhooks_retried_sqlite() {
    state_changes_are_mailed_and_signed_webhooks_retried(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_are_mailed_and_signed_webhooks_retried_postgres() {
    state_changes_are_mailed_and_signed_webhooks_retried(Backend::Postgres).await
}

/// An app whose evaluator stays out of the way (an hour between passes), so a test drives
/// dispatch by hand; with an MSP owner and a client "Bakery".
async fn driven_by_hand(backend: Backend) -> Option<(TestApp, String, String)> {
    let app = spawn_app_with(backend, |s| {
        s.eval_interval = std::time::Duration::from_secs(3600)
    })
    .await?;
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    Some((app, owner, client))
}

async fn open_breaches_are_repeated_once_per_period(backend: Backend) {
    use app::ssr::entity::{notification, system_clock};
    use app::ssr::service::monitor::alerts;
    let Some((app, owner, client)) = driven_by_hand(backend).await else {
        return;
    };
    let sys = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(&owner),
            json!({ "name": "ERP", "rpo_minutes": 60 }),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .send(app.http.get(app.url(&format!(
                    "/ping/{}",
                    app.get(&format!("/api/v1/systems/{sys}"), &owner)
                        .await
                        .body["ping_key"]
                        .as_str()
                        .unwrap()
                ))))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The system has been breached for three hours; reminders are every 60 minutes.
    app.call(
        Method::PUT,
        "/api/v1/alerts/settings",
        Some(&owner),
        Some(json!({ "reminder_minutes": 60 })),
    )
    .await;
    let row = system_clock::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: system_clock::ActiveModel = row.into();
    active.rpo_state = Set("breached".into());
    active.state_since = Set(system_clock::millis(Utc::now() - Duration::hours(3)));
    active.update(&app.db).await.unwrap();
    // Mark the earlier state changes as told, so only the reminder is counted.
    for c in app::ssr::entity::state_change::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
    {
        let mut c: app::ssr::entity::state_change::ActiveModel = c.into();
        c.notified_at = Set(Some(Utc::now()));
        c.update(&app.db).await.unwrap();
    }

    // Two replicas dispatch at the same moment.
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let now = Utc::now();
    let (a, b) = tokio::join!(alerts::dispatch(&state, now), alerts::dispatch(&state, now));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one reminder, not two");
    let queued = notification::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].target, "ann@acme.example");
    assert!(queued[0]
        .subject
        .starts_with("[Lifeline] still BREACHED: Bakery / ERP"));
    assert!(
        queued[0]
            .body
            .starts_with("ERP at Bakery: RPO still BREACHED since "),
        "{}",
        queued[0].body
    );
    // Within the period: nothing more.
    assert_eq!(
        alerts::dispatch(&state, now + Duration::minutes(30))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        alerts::dispatch(&state, now + Duration::minutes(61))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_breaches_are_repeated_once_per_period_sqlite() {
    open_breaches_are_repeated_once_per_period(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_breaches_are_repeated_once_per_period_postgres() {
    open_breaches_are_repeated_once_per_period(Backend::Postgres).await
}

crate::both!(alert_settings_are_checked_and_admin_only,);

async fn alert_settings_are_checked_and_admin_only(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let r = app.get("/api/v1/alerts/settings", &owner).await;
    assert_eq!(
        r.body,
        json!({ "emails": [], "notify_client": false, "webhook_url": "", "webhook_signed": false, "reminder_minutes": 240, "restore_test_days": 90, "mail_language": "en" })
    );
    let bad = json!({ "emails": ["not-an-address"], "webhook_url": "ftp://x", "webhook_secret": "short", "reminder_minutes": -1, "restore_test_days": 0, "mail_language": "de" });
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(bad),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "emails",
        "webhook_url",
        "webhook_secret",
        "reminder_minutes",
        "restore_test_days",
        "mail_language",
    ] {
        assert!(r.body["errors"][field].is_string(), "{field}: {}", r.text);
    }
    assert_eq!(
        app.get("/api/v1/alerts/settings", &owner).await.body["reminder_minutes"],
        240,
        "nothing changed"
    );
    let client = app.create_client(&owner, "Bakery").await;
    let admin = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    assert_eq!(
        app.get("/api/v1/alerts/settings", &admin).await.status,
        StatusCode::FORBIDDEN
    );
    let (other, _) = app.signup("Rival IT", "rita@rival.example").await;
    app.call(
        Method::PUT,
        "/api/v1/alerts/settings",
        Some(&owner),
        Some(json!({ "emails": ["oncall@acme.example"] })),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/alerts/settings", &other).await.body["emails"],
        json!([]),
        "each MSP has its own"
    );
}

/// An e-mail body as a reader sees it: quoted-printable soft breaks joined again.
fn unfold(text: &str) -> String {
    text.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// Sends backup events with the ingest token; they must be accepted.
async fn report_events(app: &TestApp, token: &str, events: Vec<Value>) {
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(token)
                .json(&json!({ "events": events })),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
}

/// Gives the client a system ("File server", RPO 60 min) whose only backups are last month's,
/// then makes it a client since before that month (created today, it would get no report of a
/// month it was not a client in). Returns the month.
async fn with_last_months_backups(app: &TestApp, owner: &str, client_id: &str) -> String {
    use app::ssr::entity::client;
    let sys = app.create_system(owner, client_id, "File server", 60).await;
    let token = app.ingest_token(owner, client_id).await;
    let (month, events) = crate::helpers::last_months_backups(&sys);
    report_events(app, &token, events).await;
    let row = client::Entity::find_by_id(client_id.parse::<uuid::Uuid>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: client::ActiveModel = row.into();
    active.created_at = Set(Utc::now() - Duration::days(62));
    active.update(&app.db).await.unwrap();
    month
}

async fn last_months_report_is_mailed_once(backend: Backend) {
    use app::ssr::entity::notification;
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let (port, mut inbox) = smtp_sink().await;
    let Some(app) = alerting_app(backend, port).await else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client_id = app.create_client(&owner, "Bakery").await;
    app.client_user(&owner, &client_id, "carl@bakery.example", "client_admin")
        .await;
    next(&mut inbox, "invitation").await;
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(json!({ "notify_client": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let month = with_last_months_backups(&app, &owner, &client_id).await;

    // The evaluator's loop sends it to the MSP's staff and, as the MSP wants, the client's admin.
    let mut reports = Vec::new();
    while reports.len() < 2 {
        let (to, text) = next(&mut inbox, "report e-mail").await;
        if text.contains("SLA report") {
            reports.push((to, unfold(&text)));
        }
    }
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(reports[0].0, ["<ann@acme.example>"]);
    assert_eq!(reports[1].0, ["<carl@bakery.example>"]);
    let text = &reports[1].1;
    assert!(
        text.contains(&format!("Subject: [Lifeline] SLA report {month}: Bakery")),
        "{text}"
    );
    assert!(
        text.contains("File server\n  within its RPO of 60 min: "),
        "{text}"
    );
    assert!(text.contains("  breaches: 1, 2.5 h in all"), "{text}");
    assert!(text.contains("  restore tests passed: 1 of 1"), "{text}");
    assert!(
        text.contains(&format!(
            "https://lifeline.example/clients/{client_id}/reports/{month}"
        )),
        "{text}"
    );
    // The link opens the report, for someone signed in; others are sent to sign in.
    let page = format!("/clients/{client_id}/reports/{month}");
    let r = app
        .send(
            app.http
                .get(app.url(&page))
                .header("cookie", format!("lifeline_session={owner}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        r.text.contains("File server") && r.text.contains("Bakery"),
        "{}",
        r.text
    );
    let r = app.send(app.http.get(app.url(&page))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login");

    // Once: another replica finds nothing left to send, and the outbox holds one per person.
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let again = app::ssr::service::monitor::report::deliver_monthly(&state, Utc::now())
        .await
        .unwrap();
    assert_eq!(again, 0);
    let queued = notification::Entity::find()
        .filter(notification::Column::Subject.contains("SLA report"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(queued, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_months_report_is_mailed_once_sqlite() {
    last_months_report_is_mailed_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_months_report_is_mailed_once_postgres() {
    last_months_report_is_mailed_once(Backend::Postgres).await;
}

async fn dutch_msps_are_mailed_in_dutch(backend: Backend) {
    let (port, mut inbox) = smtp_sink().await;
    let Some(app) = alerting_app(backend, port).await else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client_id = app.create_client(&owner, "Bakery").await;
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(json!({ "mail_language": "nl" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["mail_language"], "nl");
    // Only last month's backups: breached now.
    let month = with_last_months_backups(&app, &owner, &client_id).await;

    let (mut alert, mut report) = (None, None);
    while alert.is_none() || report.is_none() {
        let (_, text) = next(&mut inbox, "e-mail").await;
        let text = unfold(&text);
        if text.contains("SLA-rapport") {
            report = Some(text);
        } else if text.contains("OVERSCHREDEN") {
            alert = Some(text);
        }
    }
    let alert = alert.unwrap();
    assert!(
        alert.contains("Subject: [Lifeline] OVERSCHREDEN: Bakery / File server (RPO)"),
        "{alert}"
    );
    assert!(
        alert.contains("File server bij Bakery: RPO is nu OVERSCHREDEN (was "),
        "{alert}"
    );
    let report = report.unwrap();
    assert!(
        report.contains(&format!("Subject: [Lifeline] SLA-rapport {month}: Bakery")),
        "{report}"
    );
    assert!(
        report.contains("File server\n  binnen de RPO van 60 min: "),
        "{report}"
    );
    assert!(
        report.contains("  overschrijdingen: 1, 2,5 uur in totaal"),
        "{report}"
    );
    assert!(
        report.contains("  geslaagde hersteltests: 1 van 1"),
        "{report}"
    );
    assert!(
        report.contains("Het hele rapport, ook als PDF en CSV:"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dutch_msps_are_mailed_in_dutch_sqlite() {
    dutch_msps_are_mailed_in_dutch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dutch_msps_are_mailed_in_dutch_postgres() {
    dutch_msps_are_mailed_in_dutch(Backend::Postgres).await;
}

/// The storage target of a site is lost: `n` systems ("Server 1" …, RPO 1 min) report their
/// last good backup, too old, at once.
async fn breach_at_once(app: &TestApp, owner: &str, client: &str, n: usize) {
    let token = app.ingest_token(owner, client).await;
    let mut events = Vec::new();
    for i in 1..=n {
        let sys = app
            .create_system(owner, client, &format!("Server {i}"), 1)
            .await;
        events.push(json!({ "id": format!("e{i}"), "system_id": sys, "kind": "backup_succeeded", "restore_point_at": (Utc::now() - Duration::seconds(90)).to_rfc3339(), "finished_at": Utc::now().to_rfc3339() }));
    }
    report_events(app, &token, events).await;
}

async fn replicas_dispatching_at_once_tell_each_change_once(backend: Backend) {
    use app::ssr::service::monitor::alerts::dispatch;
    let Some((app, owner, client)) = driven_by_hand(backend).await else {
        return;
    };
    breach_at_once(&app, &owner, &client, 5).await;
    let a = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let b = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let now = Utc::now();
    let (x, y) = tokio::join!(dispatch(&a, now), dispatch(&b, now));
    assert_eq!(x.unwrap() + y.unwrap(), 5, "each change told once");
    assert_eq!(dispatch(&a, now).await.unwrap(), 0, "nothing left to tell");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_dispatching_at_once_tell_each_change_once_sqlite() {
    replicas_dispatching_at_once_tell_each_change_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_dispatching_at_once_tell_each_change_once_postgres() {
    replicas_dispatching_at_once_tell_each_change_once(Backend::Postgres).await;
}

async fn an_alert_storm_is_one_email_per_client(backend: Backend) {
    use app::ssr::service::monitor::alerts::DIGEST_OVER;
    let (port, mut inbox) = smtp_sink().await;
    let Some(app) = alerting_app(backend, port).await else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let n = DIGEST_OVER + 2;
    breach_at_once(&app, &owner, &client, n).await;
    let (to, text) = next(&mut inbox, "digest e-mail").await;
    let text = unfold(&text);
    assert_eq!(to, ["<ann@acme.example>"]);
    assert!(
        text.contains(&format!(
            "Subject: [Lifeline] {n} changes at Bakery: {n} BREACHED"
        )),
        "{text}"
    );
    for i in 1..=n {
        assert!(
            text.contains(&format!(
                "Server {i} at Bakery: RPO is now BREACHED (was UNKNOWN)"
            )),
            "{text}"
        );
    }
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1500), inbox.recv())
            .await
            .is_err(),
        "one e-mail, not one per system"
    );
    // Four hours on (the MSP's default repeat), all still breached: again one e-mail.
    use app::ssr::entity::system_clock;
    use sea_orm::{sea_query::Expr, ColumnTrait, QueryFilter};
    system_clock::Entity::update_many()
        .col_expr(
            system_clock::Column::StateSince,
            Expr::value(system_clock::millis(Utc::now() - Duration::hours(5))),
        )
        .filter(system_clock::Column::ClientId.eq(client.parse::<uuid::Uuid>().unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    let (_, text) = next(&mut inbox, "reminder digest").await;
    assert!(
        text.contains(&format!(
            "Subject: [Lifeline] {n} breaches still open at Bakery: {n} BREACHED"
        )),
        "{text}"
    );
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1500), inbox.recv())
            .await
            .is_err(),
        "one reminder, not one per system"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_storm_is_one_email_per_client_sqlite() {
    an_alert_storm_is_one_email_per_client(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_storm_is_one_email_per_client_postgres() {
    an_alert_storm_is_one_email_per_client(Backend::Postgres).await;
}
