//! What leaves Lifeline as a file is safe to open: a CSV never carries a formula a spreadsheet
//! would run, whatever a client or system is called.
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::both!(csv_cells_never_start_a_formula,);

async fn csv_cells_never_start_a_formula(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"open me\")";
    let system = app.create_system(&owner, &client, evil, 60).await;
    let token = app.ingest_token(&owner, &client).await;
    let (month, events) = crate::helpers::last_months_backups(&system);
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&token)
                .json(&json!({ "events": Value::Array(events) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/reports/{month}?format=csv"),
            &owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let rows: Vec<&str> = r.text.lines().skip(1).collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(
            row.starts_with("\"'=HYPERLINK(\"\"http://evil.example\"\""),
            "{row}"
        );
    }
}
