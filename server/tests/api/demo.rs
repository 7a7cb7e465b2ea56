//! The demo a newcomer meets: complete and approved plans (one overdue for review), a plan still
//! being written, and two months of telemetry that the evaluator judges live.
use crate::helpers::{gaps, TestApp, SECRET};
use chrono::{Datelike, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

crate::both!(the_demo_tells_the_whole_story);

async fn the_demo_tells_the_whole_story(app: TestApp) {
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let logins = server::seed::demo(&state).await.expect("seeding the demo");
    assert_eq!(
        logins.0.len(),
        5,
        "owner, admin, technician, two client admins"
    );

    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": server::seed::OWNER, "password": server::seed::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let owner = r.body["token"].as_str().unwrap().to_string();
    let clients = app.get("/api/v1/clients", &owner).await.body;
    let id_of = |name: &str| {
        clients
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {clients}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (bakery, logistics, dentist) = (
        id_of("Bakkerij Jansen"),
        id_of("De Vries Logistiek"),
        id_of("Tandartspraktijk Smit"),
    );

    // Plans: one complete and approved, one approved but overdue for review, one in progress.
    let plan = |c: String| {
        let (app, owner) = (&app, &owner);
        async move {
            app.get(&format!("/api/v1/clients/{c}/plan"), owner)
                .await
                .body
        }
    };
    let p = plan(bakery.clone()).await;
    assert_eq!(p["completeness"], 100, "gaps: {:?}", gaps(&p));
    assert_eq!(p["people"].as_array().unwrap().len(), 12);
    assert!(!p["customer_groups"].as_array().unwrap().is_empty());
    let p = plan(logistics.clone()).await;
    assert_eq!(gaps(&p), ["review_overdue"]);
    let p = plan(dentist.clone()).await;
    assert!(
        p["completeness"].as_u64().unwrap() < 70,
        "{}",
        p["completeness"]
    );
    assert!(gaps(&p).contains(&"never_approved".to_string()));
    let versions = app
        .get(&format!("/api/v1/clients/{bakery}/plan/versions"), &owner)
        .await
        .body;
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{versions}");

    // Telemetry: each state a newcomer should see, judged from the events.
    let status = app
        .get(&format!("/api/v1/clients/{bakery}/status"), &owner)
        .await
        .body;
    let system = |name: &str| {
        status["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {status}"))
            .clone()
    };
    assert_eq!(system("Kassasysteem")["rpo_state"], "ok");
    assert_eq!(
        system("Kassasysteem")["rto_state"],
        "ok",
        "a recent restore test proves the RTO"
    );
    assert_eq!(system("Receptenserver")["rpo_state"], "at_risk");
    assert_eq!(system("Boekhouding")["rpo_state"], "breached");
    assert!(system("Boekhouding")["failures_in_row"].as_u64().unwrap() >= 2);
    assert_eq!(
        system("Bestandsserver")["rto_state"],
        "at_risk",
        "its restore test is stale"
    );
    let status = app
        .get(&format!("/api/v1/clients/{dentist}/status"), &owner)
        .await
        .body;
    assert_eq!(
        status["systems"][0]["rpo_state"], "unknown",
        "never reported"
    );

    // Last month's report has a month of backups behind it.
    let last_month = Utc::now().date_naive().with_day(1).unwrap() - Duration::days(1);
    let month = format!("{}-{:02}", last_month.year(), last_month.month());
    let report = app
        .get(&format!("/api/v1/clients/{bakery}/reports/{month}"), &owner)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let pos = report.body["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Kassasysteem")
        .unwrap()
        .clone();
    let within = pos["within_rpo_percent"].as_f64().unwrap();
    assert!(
        within > 99.0,
        "{within} % within the RPO, {} breaches",
        pos["breaches"].as_array().unwrap().len()
    );

    // The dashboard: worst first, the totals, search; for MSP staff only.
    let d = app.get("/api/v1/dashboard", &owner).await.body;
    let names: Vec<&str> = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["client"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Bakkerij Jansen",
            "De Vries Logistiek",
            "Tandartspraktijk Smit"
        ],
        "a breach first, then an overdue review, then a plan never approved"
    );
    assert_eq!(d["clients"], 3);
    assert_eq!(d["systems"]["breached"], 1);
    assert_eq!(d["reviews_overdue"], 1);
    assert_eq!(d["plans_incomplete"], 1);
    assert_eq!(d["rows"][0]["completeness"], 100);
    assert_eq!(d["rows"][0]["approved_version"], 1);
    assert_eq!(d["rows"][0]["systems"]["breached"], 1);
    assert_eq!(
        d["rows"][0]["systems"]["at_risk"], 2,
        "the RPO at risk, and the RTO whose proof is stale"
    );
    assert_eq!(d["rows"][1]["review_overdue"], true);
    let d = app.get("/api/v1/dashboard?q=VRIES", &owner).await.body;
    assert_eq!(d["rows"].as_array().unwrap().len(), 1);
    assert_eq!(d["rows"][0]["client"]["name"], "De Vries Logistiek");
    assert_eq!(d["clients"], 3, "the totals stay those of every client");
    let d = app.get("/api/v1/dashboard?limit=1", &owner).await.body;
    assert_eq!(d["rows"].as_array().unwrap().len(), 1, "only the worst");
    assert_eq!(d["rows"][0]["client"]["name"], "Bakkerij Jansen");
    assert_eq!(d["matched"], 3);
    let r = app.get("/api/v1/dashboard?page=2", &owner).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an unknown parameter is refused"
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "admin@bakkerij-jansen.example", "password": server::seed::DEMO_PASSWORD }),
        )
        .await;
    let client_admin = r.body["token"].as_str().unwrap().to_string();
    let r = app.get("/api/v1/dashboard", &client_admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // A change to a plan shows on the dashboard at once, though its completeness is kept.
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/people"),
            Some(&owner),
            json!({ "name": "Nieuwe Collega" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let d = app.get("/api/v1/dashboard?q=bakkerij", &owner).await.body;
    let pct = d["rows"][0]["completeness"].as_u64().unwrap();
    assert!(
        pct < 100,
        "a person without a mobile or an emergency contact: {pct} %"
    );

    // Seeding again adds nothing; telemetry sent again is all duplicates.
    assert!(server::seed::demo(&state).await.unwrap().0.is_empty());
    let again = server::seed::simulate(&state, Utc::now() - Duration::days(3), Utc::now())
        .await
        .unwrap();
    assert_eq!(again, 0, "the same backups are not stored twice");
    let clients = app.get("/api/v1/clients", &owner).await.body;
    assert_eq!(clients.as_array().unwrap().len(), 3);
}
