//! One sender's fault stays its own: absurd figures are refused at the door, a client deleted
//! while its backups still report takes only its own requests down, and `/healthz` says so
//! when this replica cannot store anything.
use crate::helpers::{Resp, TestApp};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

crate::both!(
    absurd_figures_are_refused_at_the_door_and_ingest_goes_on,
    a_deleted_clients_token_is_refused_at_once_and_neighbours_carry_on,
);

/// An MSP with one client, one system and an ingest token: (owner, client, system, token).
pub async fn tenant(app: &TestApp, msp: &str, email: &str) -> (String, String, String, String) {
    let (owner, _) = app.signup(msp, email).await;
    let client = app.create_client(&owner, &format!("{msp} client")).await;
    let system = app.create_system(&owner, &client, "ERP", 60).await;
    let token = app.ingest_token(&owner, &client).await;
    (owner, client, system, token)
}

pub async fn ingest_at(app: &TestApp, base: &str, token: &str, events: Value) -> Resp {
    app.send(
        app.http
            .post(format!("{base}/api/v1/ingest/events"))
            .bearer_auth(token)
            .json(&json!({ "events": events })),
    )
    .await
}

pub fn good(id: &str, system: &str) -> Value {
    let now = Utc::now();
    json!({ "id": id, "system_id": system, "kind": "backup_succeeded",
            "restore_point_at": (now - Duration::minutes(5)).to_rfc3339(),
            "finished_at": now.to_rfc3339(), "duration_seconds": 300, "bytes": 1_000_000 })
}

async fn stored(app: &TestApp, system: &str) -> u64 {
    use app::ssr::entity::backup_event;
    backup_event::Entity::find()
        .filter(backup_event::Column::SystemId.eq(uuid::Uuid::parse_str(system).unwrap()))
        .count(&app.db)
        .await
        .unwrap()
}

async fn absurd_figures_are_refused_at_the_door_and_ingest_goes_on(app: TestApp) {
    let (_, _, sys_a, tok_a) = tenant(&app, "Acme IT", "ann@acme.example").await;
    let (_, _, sys_b, tok_b) = tenant(&app, "Bolt IT", "bob@bolt.example").await;
    let cases: [(&str, Value); 9] = [
        // The review's event: a job "duration" of 317,000 years, as an integer and as written.
        ("duration_seconds", json!(10_000_000_000_000i64)),
        ("duration_seconds", json!(1e13)),
        ("bytes", json!(-1e300)),
        ("duration_seconds", json!(-1)),
        ("duration_seconds", json!(i64::MAX)),
        ("bytes", json!(-5)),
        ("bytes", json!(i64::MAX)),
        ("restore_point_at", json!("1900-01-01T00:00:00Z")),
        ("finished_at", json!("0001-01-01T00:00:00Z")),
    ];
    for (field, value) in cases {
        let mut ev = good(&format!("bad-{field}"), &sys_a);
        ev[field] = value.clone();
        let r = ingest_at(&app, &app.base, &tok_a, json!([ev])).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value}: {}",
            r.text
        );
        let key = format!("events[0].{field}");
        assert!(
            r.body["errors"][&key].is_string(),
            "the answer names {key}: {}",
            r.text
        );
    }
    assert_eq!(stored(&app, &sys_a).await, 0, "nothing of a refused batch");
    // Everyone's ingest and heartbeats go on, the sender's own included.
    let r = ingest_at(&app, &app.base, &tok_b, json!([good("b1", &sys_b)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let r = ingest_at(&app, &app.base, &tok_a, json!([good("a1", &sys_a)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let health = app.send(app.http.get(app.url("/healthz"))).await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.text);
}

async fn a_deleted_clients_token_is_refused_at_once_and_neighbours_carry_on(app: TestApp) {
    let (owner_a, client_a, sys_a, tok_a) = tenant(&app, "Acme IT", "ann@acme.example").await;
    let (_, _, sys_b, tok_b) = tenant(&app, "Bolt IT", "bob@bolt.example").await;
    let other = app.replica().await;
    // Both replicas have seen both tokens (and keep them for a while).
    for (base, n) in [(app.base.clone(), 0), (other.base.clone(), 1)] {
        for (tok, sys) in [(&tok_a, &sys_a), (&tok_b, &sys_b)] {
            let r = ingest_at(&app, &base, tok, json!([good(&format!("warm{n}"), sys)])).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        }
    }
    let r = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/clients/{client_a}"),
            Some(&owner_a),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    // The replica that deleted it refuses the token at once.
    let r = ingest_at(&app, &app.base, &tok_a, json!([good("late", &sys_a)])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    // The other replica still holds the token in memory: the deleted client's requests meet
    // the neighbour's in the same group commits, and only they fail.
    let before = stored(&app, &sys_b).await;
    let rounds = (0..40).map(|i| {
        let (app, base, tok_a, tok_b, sys_a, sys_b) =
            (&app, &other.base, &tok_a, &tok_b, &sys_a, &sys_b);
        async move {
            let deleted = ingest_at(app, base, tok_a, json!([good(&format!("x{i}"), sys_a)]));
            let neighbour = ingest_at(app, base, tok_b, json!([good(&format!("y{i}"), sys_b)]));
            tokio::join!(deleted, neighbour)
        }
    });
    let answers = futures::future::join_all(rounds).await;
    for (deleted, neighbour) in &answers {
        assert_eq!(neighbour.status, StatusCode::ACCEPTED, "{}", neighbour.text);
        assert_eq!(deleted.status, StatusCode::UNAUTHORIZED, "{}", deleted.text);
    }
    assert_eq!(stored(&app, &sys_b).await, before + 40);
}
