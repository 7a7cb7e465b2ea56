//! A change and its audit entry are one: when the entry cannot be written, the change is not
//! made either (here the audit table is taken away mid-test, as a failing disk or a broken
//! migration would).
use crate::helpers::{TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::json;

crate::both!(a_change_without_its_audit_entry_is_not_made,);

async fn a_change_without_its_audit_entry_is_not_made(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let system = app.create_system(&owner, &client, "ERP", 60).await;
    let token = app.ingest_token(&owner, &client).await;
    let tokens = app
        .get(&format!("/api/v1/clients/{client}/ingest-tokens"), &owner)
        .await
        .body;
    let token_id = tokens[0]["id"].as_str().unwrap().to_string();
    let carl = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    let carl_id = app.get("/api/v1/me", &carl).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let settings = app.get("/api/v1/alerts/settings", &owner).await.body;

    app.db
        .execute_unprepared("ALTER TABLE audit_log RENAME TO audit_log_gone")
        .await
        .unwrap();
    let failed = |r: crate::helpers::Resp, what: &str| {
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{what}: {}",
            r.text
        );
    };
    failed(
        app.post(
            "/api/v1/clients",
            Some(&owner),
            json!({ "name": "Second bakery", "template": "builtin-en" }),
        )
        .await,
        "client with a template",
    );
    failed(
        app.post(
            &format!("/api/v1/clients/{client}/ingest-tokens"),
            Some(&owner),
            json!({ "name": "another" }),
        )
        .await,
        "token",
    );
    failed(
        app.call(
            Method::DELETE,
            &format!("/api/v1/ingest-tokens/{token_id}"),
            Some(&owner),
            None,
        )
        .await,
        "revoke",
    );
    failed(
        app.post("/api/v1/templates", Some(&owner), json!({ "name": "Mine" }))
            .await,
        "template",
    );
    failed(
        app.call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(json!({ "reminder_minutes": 99 })),
        )
        .await,
        "alert settings",
    );
    failed(
        app.post(
            &format!("/api/v1/users/{carl_id}/disable"),
            Some(&owner),
            json!({}),
        )
        .await,
        "disable",
    );
    app.db
        .execute_unprepared("ALTER TABLE audit_log_gone RENAME TO audit_log")
        .await
        .unwrap();

    // None of it happened.
    let clients = app.get("/api/v1/clients", &owner).await.body;
    assert_eq!(clients.as_array().unwrap().len(), 1, "{clients}");
    let after = app
        .get(&format!("/api/v1/clients/{client}/ingest-tokens"), &owner)
        .await
        .body;
    assert_eq!(after.as_array().unwrap().len(), 1);
    assert!(after[0]["revoked_at"].is_null());
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&token)
                .json(&json!({ "events": [{ "id": "e1", "system_id": system, "kind": "backup_failed", "finished_at": chrono::Utc::now().to_rfc3339() }] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "the token still works");
    let templates = app.get("/api/v1/templates", &owner).await.body;
    assert!(!templates.to_string().contains("\"Mine\""));
    assert_eq!(
        app.get("/api/v1/alerts/settings", &owner).await.body,
        settings
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "Carl was not disabled");
}
