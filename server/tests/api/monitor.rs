//! Backup monitoring: ingest tokens, the ingest API with its refusals and deduplication, heartbeats,
//! live states by the clock, the evaluator's state changes, and isolation.
use crate::helpers::{spawn_app_with, Backend, TestApp, SECRET};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

crate::both!(
    tokens_are_shown_once_and_revocable,
    ingest_refuses_bad_input_and_stores_nothing,
    duplicates_change_nothing_even_under_concurrent_retries,
    states_follow_exposure_restore_tests_and_findings,
    heartbeats_report_success_and_failure,
    monitoring_stays_in_its_tenant,
    a_restart_during_ingest_loses_no_acknowledged_event,
    month_reports_as_data_csv_and_pdf,
    replicas_sweeping_at_once_record_each_change_once,
    a_changed_target_or_system_counts_at_once,
    a_finding_clears_when_jobs_look_normal_again,
    restore_tests_prove_the_rto_for_the_msps_number_of_days,
    a_deleted_systems_changes_go_with_it,
    an_archived_client_is_kept_but_no_longer_monitored,
    the_weeks_chart_starts_from_what_was_known_when_it_opens,
);

struct Setup {
    owner: String,
    client: String,
    system: String,
    ping_key: String,
    token: String,
}

async fn setup(app: &TestApp, rpo_minutes: u32) -> Setup {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(&owner),
            json!({ "name": "File server", "rpo_minutes": rpo_minutes, "rto_minutes": 240 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let system = r.body["id"].as_str().unwrap().to_string();
    let ping_key = r.body["ping_key"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/ingest-tokens"),
            Some(&owner),
            json!({ "name": "Veeam at the bakery" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_string();
    Setup {
        owner,
        client,
        system,
        ping_key,
        token,
    }
}

async fn ingest(app: &TestApp, token: &str, events: Value) -> crate::helpers::Resp {
    app.send(
        app.http
            .post(app.url("/api/v1/ingest/events"))
            .bearer_auth(token)
            .json(&json!({ "events": events })),
    )
    .await
}

fn ago(minutes: i64) -> String {
    (Utc::now() - Duration::minutes(minutes)).to_rfc3339()
}

fn success(id: &str, system: &str, minutes_ago: i64) -> Value {
    json!({ "id": id, "system_id": system, "kind": "backup_succeeded", "restore_point_at": ago(minutes_ago), "finished_at": ago(minutes_ago - 1) })
}

async fn status(app: &TestApp, token: &str, client: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/clients/{client}/status"), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

async fn events(app: &TestApp) -> u64 {
    app::ssr::entity::backup_event::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

async fn tokens_are_shown_once_and_revocable(app: TestApp) {
    let s = setup(&app, 60).await;
    assert!(s.token.starts_with("llk_") && s.token.len() > 40);
    let list = app
        .get(
            &format!("/api/v1/clients/{}/ingest-tokens", s.client),
            &s.owner,
        )
        .await;
    assert_eq!(list.body[0]["name"], "Veeam at the bakery");
    assert!(
        !list.text.contains(&s.token),
        "the token is shown only once"
    );
    let r = ingest(&app, &s.token, json!([success("a1", &s.system, 10)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    // Client users neither create nor see tokens.
    let admin = app
        .client_user(&s.owner, &s.client, "carl@bakery.example", "client_admin")
        .await;
    let r = app
        .post(
            &format!("/api/v1/clients/{}/ingest-tokens", s.client),
            Some(&admin),
            json!({ "name": "x" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let id = list.body[0]["id"].as_str().unwrap();
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/ingest-tokens/{id}"),
            Some(&s.owner),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let r = ingest(&app, &s.token, json!([success("a2", &s.system, 5)])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(events(&app).await, 1);
}

async fn ingest_refuses_bad_input_and_stores_nothing(app: TestApp) {
    let s = setup(&app, 60).await;
    let other_client = app.create_client(&s.owner, "Butcher").await;
    let foreign = app
        .post(
            &format!("/api/v1/clients/{other_client}/systems"),
            Some(&s.owner),
            json!({ "name": "Till" }),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A system of another client, even of the same MSP: refused, and the good event with it.
    let r = ingest(
        &app,
        &s.token,
        json!([success("ok-1", &s.system, 10), success("x-1", &foreign, 10)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body["errors"]["events[1].system_id"].is_string(),
        "{}",
        r.text
    );
    // A restore point from the future.
    let future = json!([{ "id": "f-1", "system_id": s.system, "kind": "backup_succeeded", "restore_point_at": (Utc::now() + Duration::minutes(10)).to_rfc3339(), "finished_at": ago(0) }]);
    let r = ingest(&app, &s.token, future).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["events[0].restore_point_at"]
        .as_str()
        .unwrap()
        .contains("future"));
    let r = ingest(
        &app,
        &s.token,
        json!([{ "id": "k", "system_id": s.system, "kind": "backup_done", "finished_at": ago(0) }]),
    )
    .await;
    assert!(r.body["errors"]["events[0].kind"].is_string());
    // Malformed JSON, an oversized body, a bad token.
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&s.token)
                .header("content-type", "application/json")
                .body("{\"events\": ["),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("not a valid event batch"));
    let big = format!("{{\"events\": [], \"pad\": \"{}\"}}", "x".repeat(1_100_000));
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&s.token)
                .header("content-type", "application/json")
                .body(big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let r = ingest(&app, "llk_not-a-token", json!([success("t", &s.system, 1)])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = ingest(&app, &s.owner, json!([success("t", &s.system, 1)])).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a user's session token is not an ingest token"
    );

    assert_eq!(events(&app).await, 0, "nothing was stored");
    assert_eq!(
        status(&app, &s.owner, &s.client).await["systems"][0]["rpo_state"],
        "unknown"
    );
}

async fn duplicates_change_nothing_even_under_concurrent_retries(app: TestApp) {
    let s = setup(&app, 60).await;
    let batch: Vec<Value> = (0..20)
        .map(|i| success(&format!("job-{i}"), &s.system, 30 + i))
        .collect();
    let batch = Value::Array(batch);
    // Ten senders retry the same batch at once.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (http, url, token, body) = (
            app.http.clone(),
            app.url("/api/v1/ingest/events"),
            s.token.clone(),
            json!({ "events": batch.clone() }),
        );
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            r.json::<Value>().await.unwrap()
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        let b = t.await.unwrap();
        assert_eq!(
            b["accepted"].as_u64().unwrap() + b["duplicates"].as_u64().unwrap(),
            20
        );
        accepted += b["accepted"].as_u64().unwrap();
    }
    assert_eq!(accepted, 20, "every event counted once");
    assert_eq!(events(&app).await, 20);
    let r = ingest(&app, &s.token, batch).await;
    assert_eq!(r.body, json!({ "accepted": 0, "duplicates": 20 }));
    // The newest restore point of the batch (30 minutes ago) is the one that counts.
    let st = status(&app, &s.owner, &s.client).await;
    let exposure = st["systems"][0]["rpo_exposure_seconds"].as_i64().unwrap();
    assert!((1795..1900).contains(&exposure), "{exposure}");
}

async fn states_follow_exposure_restore_tests_and_findings(app: TestApp) {
    let s = setup(&app, 60).await;
    let base = format!("/api/v1/clients/{}", s.client);
    let p = app.post(&format!("{base}/processes"), Some(&s.owner), json!({ "name": "Orders", "rpo_minutes": 60, "rto_minutes": 240, "systems": [s.system] })).await;
    assert_eq!(p.status, StatusCode::CREATED);
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(st["systems"][0]["rpo_state"], "unknown");
    assert_eq!(st["counts"]["unknown"], 1);

    ingest(&app, &s.token, json!([success("b1", &s.system, 50)])).await;
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(
        st["systems"][0]["rpo_state"], "at_risk",
        "50 of 60 minutes is past 80%"
    );
    assert_eq!(st["systems"][0]["rpo_target_seconds"], 3600);
    assert_eq!(st["processes"][0]["rpo_state"], "at_risk");
    // An older event arriving late does not move the restore point back.
    ingest(&app, &s.token, json!([success("b0", &s.system, 300)])).await;
    assert_eq!(
        status(&app, &s.owner, &s.client).await["systems"][0]["rpo_state"],
        "at_risk"
    );
    ingest(&app, &s.token, json!([success("b2", &s.system, 10)])).await;
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(st["systems"][0]["rpo_state"], "ok");
    assert_eq!(st["counts"]["ok"], 1);

    // Restore tests are the RTO evidence.
    assert_eq!(st["systems"][0]["rto_state"], "unknown");
    let test = json!([{ "id": "rt1", "system_id": s.system, "kind": "restore_test_passed", "finished_at": ago(60), "duration_seconds": 5400 }]);
    ingest(&app, &s.token, test).await;
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(
        (
            st["systems"][0]["rto_state"].as_str(),
            st["systems"][0]["rto_evidence_seconds"].as_i64()
        ),
        (Some("ok"), Some(5400))
    );
    let slow = json!([{ "id": "rt2", "system_id": s.system, "kind": "restore_test_passed", "finished_at": ago(30), "duration_seconds": 20000 }]);
    ingest(&app, &s.token, slow).await;
    assert_eq!(
        status(&app, &s.owner, &s.client).await["processes"][0]["rto_state"],
        "breached"
    );

    // Backup-aware: failures in a row, and a "success" that wrote almost nothing.
    let fails: Vec<Value> = (0..3).map(|i| json!({ "id": format!("f{i}"), "system_id": s.system, "kind": "backup_failed", "finished_at": ago(8 - i) })).collect();
    ingest(&app, &s.token, Value::Array(fails)).await;
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(st["systems"][0]["failures_in_row"], 3);
    assert_eq!(
        st["systems"][0]["rpo_state"], "ok",
        "the last good restore point still holds"
    );
    assert!(st["systems"][0]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("3 backups failed in a row"));
    let sized: Vec<Value> = (0..4)
        .map(|i| json!({ "id": format!("s{i}"), "system_id": s.system, "kind": "backup_succeeded", "restore_point_at": ago(5 - i), "finished_at": ago(5 - i), "bytes": if i == 3 { 1_000 } else { 50_000_000 } }))
        .collect();
    ingest(&app, &s.token, Value::Array(sized)).await;
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(st["systems"][0]["failures_in_row"], 0);
    let warnings = st["systems"][0]["warnings"].to_string();
    assert!(warnings.contains("wrote far less than usual"), "{warnings}");

    // The policy says before any incident what the backup can achieve.
    let policy = json!({ "policy": { "method": "agent_to_disk", "interval_minutes": 1440, "job_minutes": 60, "offsite_interval_minutes": null, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null } });
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{}", s.system),
            Some(&s.owner),
            Some(policy),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["achievable"]["rpo_minutes"], 1500);
    assert_eq!(
        r.body["policy_gaps"][0],
        "A backup every 1 day can lose up to 25 h of data; you agreed 60 min."
    );
    // The process that depends on it names it among its own shortfalls.
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(
        st["processes"][0]["policy_gaps"][0],
        "File server: A backup every 1 day can lose up to 25 h of data; you agreed 60 min."
    );
    let bad = json!({ "policy": { "method": "agent_to_disk", "interval_minutes": 0, "job_minutes": 0, "retention_days": 1, "data_gb": 1 } });
    assert_eq!(
        app.call(
            Method::PATCH,
            &format!("/api/v1/systems/{}", s.system),
            Some(&s.owner),
            Some(bad)
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn heartbeats_report_success_and_failure(app: TestApp) {
    let s = setup(&app, 60).await;
    let r = app
        .send(app.http.get(app.url(&format!("/ping/{}", s.ping_key))))
        .await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "OK\n"));
    let st = status(&app, &s.owner, &s.client).await;
    assert_eq!(st["systems"][0]["rpo_state"], "ok");
    assert!(st["systems"][0]["rpo_exposure_seconds"].as_i64().unwrap() < 60);
    for _ in 0..3 {
        let r = app
            .send(
                app.http
                    .post(app.url(&format!("/ping/{}/fail", s.ping_key)))
                    .body("disk full"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(
        status(&app, &s.owner, &s.client).await["systems"][0]["failures_in_row"],
        3
    );
    let r = app.send(app.http.get(app.url("/ping/not-a-key"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(events(&app).await, 4);
    // The system's timeline, newest first, with the message the failing job sent.
    let r = app
        .get(
            &format!("/api/v1/systems/{}/events?limit=2", s.system),
            &s.owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    assert_eq!(
        (r.body[0]["kind"].as_str(), r.body[0]["message"].as_str()),
        (Some("backup_failed"), Some("disk full"))
    );
}

async fn monitoring_stays_in_its_tenant(app: TestApp) {
    let s = setup(&app, 60).await;
    let (other, _) = app.signup("Rival IT", "rita@rival.example").await;
    let sibling = app.create_client(&s.owner, "Butcher").await;
    let neighbour = app
        .client_user(&s.owner, &sibling, "sam@butcher.example", "client_admin")
        .await;
    let member = app
        .client_user(&s.owner, &s.client, "mia@bakery.example", "client_member")
        .await;
    let token_id = app
        .get(
            &format!("/api/v1/clients/{}/ingest-tokens", s.client),
            &s.owner,
        )
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for token in [&other, &neighbour] {
        let r = app
            .get(&format!("/api/v1/systems/{}/events", s.system), token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get(&format!("/api/v1/clients/{}/status", s.client), token)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(
                &format!("/api/v1/clients/{}/ingest-tokens", s.client),
                token
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                &format!("/api/v1/clients/{}/ingest-tokens", s.client),
                Some(token),
                json!({ "name": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.call(
                Method::DELETE,
                &format!("/api/v1/ingest-tokens/{token_id}"),
                Some(token),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
    // The client's own people see their status.
    assert_eq!(
        app.get(&format!("/api/v1/clients/{}/status", s.client), &member)
            .await
            .status,
        StatusCode::OK
    );
    // Another MSP's token cannot report for this client's system.
    let theirs = app.create_client(&other, "Their client").await;
    let their_token = app.ingest_token(&other, &theirs).await;
    let r = ingest(&app, &their_token, json!([success("evil", &s.system, 1)])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(events(&app).await, 0);
}

async fn a_restart_during_ingest_loses_no_acknowledged_event(mut app: TestApp) {
    let s = setup(&app, 60).await;
    let sender = {
        let (http, url, token, system) = (
            app.http.clone(),
            app.url("/api/v1/ingest/events"),
            s.token.clone(),
            s.system.clone(),
        );
        tokio::spawn(async move {
            let mut acknowledged = 0u64;
            for i in 0..400 {
                let events: Vec<Value> = (0..10)
                    .map(|j| success(&format!("r{i}-{j}"), &system, 20))
                    .collect();
                match http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "events": events }))
                    .send()
                    .await
                {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => {
                        acknowledged += r.json::<Value>().await.unwrap()["accepted"]
                            .as_u64()
                            .unwrap()
                    }
                    // The server went away: this batch was not acknowledged.
                    _ => break,
                }
            }
            acknowledged
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.restart().await;
    let acknowledged = sender.await.unwrap();
    assert!(
        acknowledged > 0,
        "some batches went through before the restart"
    );
    let stored = events(&app).await;
    assert!(
        stored >= acknowledged,
        "{stored} stored, {acknowledged} acknowledged"
    );
    // The new server carries on where the old one stopped.
    let r = ingest(&app, &s.token, json!([success("after", &s.system, 1)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(events(&app).await, stored + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_evaluator_moves_states_by_the_clock_once() {
    use app::ssr::entity::state_change;
    let Some(app) = spawn_app_with(Backend::Sqlite, |s| {
        s.eval_interval = std::time::Duration::from_millis(200)
    })
    .await
    else {
        return;
    };
    let s = setup(&app, 1).await; // RPO one minute: at risk after 48 s
    let r = ingest(&app, &s.token, json!([{ "id": "e1", "system_id": s.system, "kind": "backup_succeeded", "restore_point_at": (Utc::now() - Duration::seconds(45)).to_rfc3339(), "finished_at": ago(0) }])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let changes = || async {
        let mut all = state_change::Entity::find().all(&app.db).await.unwrap();
        all.sort_by_key(|c| c.at);
        all
    };
    assert_eq!(
        changes().await.iter().filter(|c| c.aspect == "rpo").count(),
        1,
        "unknown → ok on the event"
    );
    // Nobody sends anything; the clock alone makes it at_risk within seconds.
    let mut seen = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        seen = changes()
            .await
            .into_iter()
            .filter(|c| c.aspect == "rpo")
            .map(|c| c.to_state)
            .collect();
        if seen.len() >= 2 {
            break;
        }
    }
    assert_eq!(seen, ["ok", "at_risk"]);
}

async fn month_reports_as_data_csv_and_pdf(app: TestApp) {
    let s = setup(&app, 60).await;
    let (month, events) = crate::helpers::last_months_backups(&s.system);
    let r = ingest(&app, &s.token, Value::Array(events)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    let r = app
        .get(
            &format!("/api/v1/clients/{}/reports/{month}", s.client),
            &s.owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sys = &r.body["systems"][0];
    assert_eq!(sys["restore_tests"], 1);
    assert_eq!(sys["restore_tests_passed"], 1);
    let breaches = sys["breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 1, "{}", r.text);
    let start =
        chrono::DateTime::parse_from_rfc3339(breaches[0]["start"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(breaches[0]["end"].as_str().unwrap()).unwrap();
    assert!(
        ((end - start).num_minutes() - 150).abs() <= 2,
        "{}",
        (end - start).num_minutes()
    );
    let within = sys["within_rpo_percent"].as_f64().unwrap();
    assert!(within > 50.0 && within < 100.0, "{within}");

    let csv = app
        .get(
            &format!("/api/v1/clients/{}/reports/{month}?format=csv", s.client),
            &s.owner,
        )
        .await;
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv
        .text
        .starts_with("system,rpo_target_minutes,within_rpo_percent"));
    assert!(csv.text.contains("\"File server\",60,"));
    let pdf = app
        .http
        .get(app.url(&format!(
            "/api/v1/clients/{}/reports/{month}?format=pdf",
            s.client
        )))
        .bearer_auth(&s.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = pdf_extract::extract_text_from_mem(&pdf.bytes().await.unwrap()).unwrap();
    assert!(
        text.contains("File server") && text.contains("Breaches"),
        "{text}"
    );
    // The client reads it in Dutch.
    let nl = app
        .get(
            &format!(
                "/api/v1/clients/{}/reports/{month}?format=html&lang=nl",
                s.client
            ),
            &s.owner,
        )
        .await;
    assert_eq!(nl.status, StatusCode::OK);
    assert!(
        nl.text.contains("SLA-rapport") && nl.text.contains("Overschrijdingen: File server"),
        "{}",
        nl.text
    );
    let bad_lang = app
        .get(
            &format!(
                "/api/v1/clients/{}/reports/{month}?format=html&lang=fr",
                s.client
            ),
            &s.owner,
        )
        .await;
    assert_eq!(bad_lang.status, StatusCode::UNPROCESSABLE_ENTITY);

    for bad in ["2026-13", "next", "2999-01"] {
        let r = app
            .get(
                &format!("/api/v1/clients/{}/reports/{bad}", s.client),
                &s.owner,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (other, _) = app.signup("Rival IT", "rita@rival.example").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/clients/{}/reports/{month}", s.client),
            &other
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

/// The rpo state stored for a system, and the rpo changes recorded so far (oldest first).
async fn stored_rpo(app: &TestApp, system: &str) -> (String, Vec<String>) {
    use app::ssr::entity::{state_change, system_clock};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let id: uuid::Uuid = system.parse().unwrap();
    let row = system_clock::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a status row");
    let changes = state_change::Entity::find()
        .filter(state_change::Column::SystemId.eq(id))
        .filter(state_change::Column::Aspect.eq("rpo"))
        .order_by_asc(state_change::Column::At)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.to_state)
        .collect();
    (row.rpo_state, changes)
}

async fn replicas_sweeping_at_once_record_each_change_once(app: TestApp) {
    use app::ssr::service::monitor::evaluate::sweep;
    let s = setup(&app, 60).await;
    let r = ingest(&app, &s.token, json!([success("b1", &s.system, 50)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(
        stored_rpo(&app, &s.system).await,
        ("at_risk".to_string(), vec!["at_risk".to_string()])
    );
    // Two replicas (each with its own connections and write queue) look 15 minutes later, at
    // the same moment: the restore point is then 65 minutes old.
    let a = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let b = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let later = Utc::now() + Duration::minutes(15);
    let (x, y) = tokio::join!(sweep(&a, later, 1000), sweep(&b, later, 1000));
    assert!(x.unwrap() + y.unwrap() >= 1, "the status was due");
    assert_eq!(
        stored_rpo(&app, &s.system).await,
        (
            "breached".to_string(),
            vec!["at_risk".to_string(), "breached".to_string()]
        ),
        "one breach recorded, not two"
    );
    // Nothing is due again until the recheck: a sweep at the same moment changes nothing.
    assert_eq!(sweep(&a, later, 1000).await.unwrap(), 0);
}

async fn a_deleted_systems_changes_go_with_it(app: TestApp) {
    use app::ssr::service::monitor::evaluate::sweep;
    let s = setup(&app, 60).await;
    let mail = app
        .create_system(&s.owner, &s.client, "Mail server", 60)
        .await;
    let r = ingest(
        &app,
        &s.token,
        json!([success("b1", &s.system, 50), success("b2", &mail, 50)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let at_risk = ("at_risk".to_string(), vec!["at_risk".to_string()]);
    assert_eq!(stored_rpo(&app, &s.system).await, at_risk);
    assert_eq!(stored_rpo(&app, &mail).await, at_risk);
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/systems/{}", s.system),
            Some(&s.owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // The file server's history is gone with it; the mail server's is untouched and still moves.
    let gone = app::ssr::entity::state_change::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.system_id.to_string() == s.system)
        .count();
    assert_eq!(gone, 0, "no state change of the deleted system is left");
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    sweep(&state, Utc::now() + Duration::minutes(15), 1000)
        .await
        .unwrap();
    assert_eq!(
        stored_rpo(&app, &mail).await,
        (
            "breached".to_string(),
            vec!["at_risk".to_string(), "breached".to_string()]
        )
    );
}

async fn a_changed_target_or_system_counts_at_once(app: TestApp) {
    use app::ssr::service::monitor::evaluate::sweep;
    let s = setup(&app, 60).await;
    ingest(&app, &s.token, json!([success("b1", &s.system, 50)])).await;
    assert_eq!(stored_rpo(&app, &s.system).await.0, "at_risk");
    // The client agrees a day: the very next evaluator pass judges by it, not in ten minutes.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{}", s.system),
            Some(&s.owner),
            Some(json!({ "rpo_minutes": 1440 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let st = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    sweep(&st, Utc::now(), 1000).await.unwrap();
    assert_eq!(
        stored_rpo(&app, &s.system).await,
        (
            "ok".to_string(),
            vec!["at_risk".to_string(), "ok".to_string()]
        )
    );
    // Ingest judges by the new target too.
    ingest(&app, &s.token, json!([success("b2", &s.system, 600)])).await;
    assert_eq!(stored_rpo(&app, &s.system).await.0, "ok");
    // A system added after the token was used is accepted at once.
    let r = app
        .post(
            &format!("/api/v1/clients/{}/systems", s.client),
            Some(&s.owner),
            json!({ "name": "Mail", "rpo_minutes": 60 }),
        )
        .await;
    let mail = r.body["id"].as_str().unwrap().to_string();
    let r = ingest(&app, &s.token, json!([success("m1", &mail, 5)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(stored_rpo(&app, &mail).await.0, "ok");
    // And one removed is refused at once.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/systems/{mail}"),
            Some(&s.owner),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = ingest(&app, &s.token, json!([success("m2", &mail, 1)])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}

async fn a_finding_clears_when_jobs_look_normal_again(app: TestApp) {
    let s = setup(&app, 60).await;
    let job = |i: i64, bytes: i64| json!({ "id": format!("j{i}"), "system_id": s.system, "kind": "backup_succeeded", "restore_point_at": ago(60 - i), "finished_at": ago(60 - i), "bytes": bytes });
    // One request per job, as a backup server reports them.
    for i in 0..4 {
        let r = ingest(&app, &s.token, json!([job(i, 80_000_000)])).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    ingest(&app, &s.token, json!([job(4, 2_000)])).await;
    let warnings = status(&app, &s.owner, &s.client).await["systems"][0]["warnings"].to_string();
    assert!(warnings.contains("wrote far less than usual"), "{warnings}");
    ingest(&app, &s.token, json!([job(5, 79_000_000)])).await;
    let warnings = status(&app, &s.owner, &s.client).await["systems"][0]["warnings"].to_string();
    assert!(!warnings.contains("far less"), "{warnings}");
}

async fn restore_tests_prove_the_rto_for_the_msps_number_of_days(app: TestApp) {
    use app::ssr::entity::{state_change, system_clock};
    use app::ssr::service::monitor::evaluate::sweep;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let s = setup(&app, 60).await;
    // A restore test ten days ago that took 30 minutes, against a 4-hour RTO.
    let test = json!([{ "id": "rt", "system_id": s.system, "kind": "restore_test_passed", "finished_at": ago(10 * 24 * 60), "duration_seconds": 1800 }]);
    assert_eq!(
        ingest(&app, &s.token, test).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        status(&app, &s.owner, &s.client).await["systems"][0]["rto_state"],
        "ok",
        "proven: 90 days by default"
    );
    // The MSP wants a restore test every week.
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&s.owner),
            Some(json!({ "restore_test_days": 7 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["restore_test_days"], 7);
    assert_eq!(
        status(&app, &s.owner, &s.client).await["systems"][0]["rto_state"],
        "at_risk",
        "the test is too old to prove the RTO now"
    );
    // The evaluator's next pass records the change once.
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    sweep(&state, Utc::now(), 1000).await.unwrap();
    let id: uuid::Uuid = s.system.parse().unwrap();
    let clock = system_clock::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(clock.rto_state, "at_risk");
    let moves: Vec<String> = state_change::Entity::find()
        .filter(state_change::Column::SystemId.eq(id))
        .filter(state_change::Column::Aspect.eq("rto"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{}>{}", c.from_state, c.to_state))
        .collect();
    assert_eq!(moves, ["unknown>ok", "ok>at_risk"]);
}

/// Renaming, archiving and bringing back a client: archived, it leaves the dashboard, its token
/// and heartbeats stop working, its plan stays; only MSP staff of its own MSP may do it.
async fn an_archived_client_is_kept_but_no_longer_monitored(app: TestApp) {
    let s = setup(&app, 60).await;
    let r = ingest(&app, &s.token, json!([success("b1", &s.system, 50)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let path = format!("/api/v1/clients/{}", s.client);
    let patch = |body: Value, token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            app.call(Method::PATCH, &path, Some(&token), Some(body))
                .await
        }
    };

    let r = patch(json!({ "name": "   " }), s.owner.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        app.get(&path, &s.owner).await.body["name"],
        "Bakery",
        "nothing changed"
    );
    let r = patch(json!({ "name": "Bakkerij Jansen" }), s.owner.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Bakkerij Jansen");
    assert!(r.body["archived_at"].is_null());
    let d = app.get("/api/v1/dashboard", &s.owner).await.body;
    assert_eq!(d["rows"][0]["systems"]["at_risk"], 1);

    // Only MSP staff of this MSP.
    let client_admin = app
        .client_user(&s.owner, &s.client, "admin@bakery.example", "client_admin")
        .await;
    let r = patch(json!({ "archived": true }), client_admin.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let (other, _) = app.signup("Other IT", "olly@other.example").await;
    let r = patch(json!({ "archived": true }), other.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let r = patch(json!({ "archived": true }), s.owner.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["archived_at"].is_string());
    let d = app.get("/api/v1/dashboard", &s.owner).await.body;
    assert_eq!(d["rows"], json!([]), "off the dashboard");
    assert_eq!(d["clients"], 0);
    assert_eq!(d["systems"]["at_risk"], 0, "not counted");
    assert_eq!(d["archived"][0]["name"], "Bakkerij Jansen");
    let r = ingest(&app, &s.token, json!([success("b2", &s.system, 5)])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "its token is revoked");
    let r = app
        .send(app.http.get(app.url(&format!("/ping/{}", s.ping_key))))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "its heartbeats are not known"
    );
    // Its RPO would be breached two hours from now: nothing is recorded, nobody alerted.
    use app::ssr::entity::state_change;
    let before = state_change::Entity::find().count(&app.db).await.unwrap();
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let later = Utc::now() + Duration::hours(2);
    app::ssr::service::monitor::evaluate::sweep(&state, later, 10_000)
        .await
        .unwrap();
    let after = state_change::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(after, before, "no state change for an archived client");
    let plan = app
        .get(&format!("/api/v1/clients/{}/plan", s.client), &s.owner)
        .await;
    assert_eq!(plan.status, StatusCode::OK, "the plan is kept");
    assert_eq!(plan.body["systems"][0]["name"], "File server");

    // Back again: on the dashboard, and judged from its next report.
    let r = patch(json!({ "archived": false }), s.owner.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["archived_at"].is_null());
    let r = app
        .send(app.http.get(app.url(&format!("/ping/{}", s.ping_key))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = app.get("/api/v1/dashboard", &s.owner).await.body;
    assert_eq!(d["clients"], 1);
    assert_eq!(d["rows"][0]["systems"]["ok"], 1, "{d}");
}

/// The status page's week of exposure: a system backed up every hour starts the week low; one
/// whose last good backup came three days before the week starts it three days exposed and
/// climbs to ten; one silent for longer than the 30 days looked back has no line at all.
async fn the_weeks_chart_starts_from_what_was_known_when_it_opens(app: TestApp) {
    use leptos::server_fn::ServerFn;
    let s = setup(&app, 60).await;
    let quiet = app.create_system(&s.owner, &s.client, "Archive", 60).await;
    let silent = app.create_system(&s.owner, &s.client, "Old NAS", 60).await;
    let ingest_token = app.ingest_token(&s.owner, &s.client).await;
    let day = 24 * 60;
    let mut events: Vec<Value> = (0..9 * 24)
        .map(|h| success(&format!("hourly-{h}"), &s.system, h * 60 + 5))
        .collect();
    events.push(success("quiet", &quiet, 10 * day));
    events.push(success("silent", &silent, 40 * day));
    let r = ingest(&app, &ingest_token, json!(events)).await;
    assert!(r.status.is_success(), "{}", r.text);

    let r = app
        .send(
            app.http
                .post(app.url(app::api::GetStatus::PATH))
                .bearer_auth(&s.owner)
                .header("origin", &app.base)
                .form(&[("client_id", s.client.as_str())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let series = |id: &str| -> Vec<(i64, i64)> {
        r.body[1]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == id)
            .map(|e| serde_json::from_value(e[1].clone()).unwrap())
            .unwrap_or_default()
    };
    let hourly = series(&s.system);
    let week_ago = (Utc::now() - Duration::days(7)).timestamp();
    assert!(
        (hourly[0].0 - week_ago).abs() < 120,
        "starts as the week opens"
    );
    assert!(
        hourly[0].1 <= 3_600 + 600,
        "an hourly backup starts the week low: {:?}",
        hourly[0]
    );
    assert!(
        hourly.len() > 7 * 24,
        "every backup of the week is a corner of the sawtooth"
    );
    let quiet = series(&quiet);
    assert_eq!(quiet.len(), 2, "{quiet:?}");
    assert!(
        (quiet[0].1 - 3 * 86_400).abs() < 600,
        "three days exposed as the week opens: {quiet:?}"
    );
    assert!(
        (quiet[1].1 - 10 * 86_400).abs() < 600,
        "ten days exposed now: {quiet:?}"
    );
    assert!(
        series(&silent).is_empty(),
        "older than the 30 days looked back"
    );
}
