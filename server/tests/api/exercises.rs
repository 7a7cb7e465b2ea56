//! Exercises between incidents: scheduled per client, flagged when overdue on the MSP's
//! overview, and scored when run: a drill from its drill incident's call tree (unreached people
//! become stale-contact action items), a restore test by its duration (RTO evidence), a tabletop
//! by its checklist; all within the tenant.
use crate::helpers::TestApp;
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    exercises_are_scheduled_scored_and_flagged_when_overdue,
    exercises_stay_within_their_tenant_and_refuse_bad_input,
);

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post(path, Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    r.body
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> crate::helpers::Resp {
    app.call(Method::PATCH, path, Some(token), Some(body)).await
}

/// What the MSP's overview says is past its date for the client.
async fn overdue_on_dashboard(app: &TestApp, token: &str, client: &str) -> Value {
    let dash = app.get("/api/v1/dashboard", token).await;
    dash.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["client"]["id"] == client)
        .unwrap()["overdue"]
        .clone()
}

fn day(offset: i64) -> String {
    (Utc::now() + Duration::days(offset))
        .date_naive()
        .to_string()
}

async fn exercises_are_scheduled_scored_and_flagged_when_overdue(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakkerij Jansen").await;
    let base = format!("/api/v1/clients/{client}");
    let erp = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "ERP", "rpo_minutes": 60, "rto_minutes": 240 }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let anna = created(
        &app,
        &owner,
        &format!("{base}/people"),
        json!({ "name": "Anna", "email": "anna@bakery.example", "is_coordinator": true }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    created(
        &app,
        &owner,
        &format!("{base}/people"),
        json!({ "name": "Bert", "email": "bert@bakery.example", "caller_id": anna }),
    )
    .await;
    let list = format!("{base}/exercises");

    // A new plan: nothing is due yet; the cadence says when each kind will be.
    let page = app.get(&list, &owner).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let cadence = page.body["cadence"].as_array().unwrap().clone();
    let kinds: Vec<&str> = cadence
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["call_tree_drill", "restore_test", "tabletop"]);
    assert_eq!(cadence[0]["every_months"], 6);
    assert!(cadence.iter().all(|c| c["overdue"] == false), "{cadence:?}");

    // A drill scheduled last week and not done is overdue, on the page and on the overview.
    let drill = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "call_tree_drill", "scheduled_for": day(-7) }),
    )
    .await;
    assert_eq!(
        (drill["state"].as_str(), drill["overdue"].as_bool()),
        (Some("scheduled"), Some(true))
    );
    assert_eq!(
        overdue_on_dashboard(&app, &owner, &client).await,
        json!({ "exercises": 1, "action_items": 0 }),
    );

    // Run as a drill incident: Anna confirms, Bert is never reached.
    let incident = created(
        &app,
        &owner,
        &format!("{base}/incidents"),
        json!({ "title": "Spring drill", "scenario": "Fire", "drill": true }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let drill_path = format!("/api/v1/exercises/{}", drill["id"].as_str().unwrap());
    let r = patch(
        &app,
        &owner,
        &drill_path,
        json!({ "state": "done", "incident_id": incident }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no call tree yet: {}",
        r.text
    );
    let legs = app
        .post(
            &format!("/api/v1/incidents/{incident}/call-tree"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(legs.status, StatusCode::OK, "{}", legs.text);
    let anna_leg = legs.body["legs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_name"] == "Anna")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/calls/{anna_leg}"),
            Some(&owner),
            json!({ "state": "confirmed" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Scored once the drill is closed (its figures are final then); Bert is still waiting.
    let done = json!({ "state": "done", "incident_id": incident, "findings": [{ "title": "Print the call tree for the warehouse" }] });
    let r = patch(&app, &owner, &drill_path, done.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "still open: {}",
        r.text
    );
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/close"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = patch(&app, &owner, &drill_path, done).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "done");
    let reach = &r.body["result"]["reach"];
    assert_eq!(
        (reach["people"].as_u64(), reach["reached"].as_u64()),
        (Some(2), Some(1)),
        "{reach}"
    );
    assert_eq!(reach["not_reached"], json!(["Bert"]));
    assert_eq!(reach["minutes_to_reach_all"], Value::Null);
    let findings: Vec<(String, String)> = r.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["title"].as_str().unwrap().to_string(),
                f["owner"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        findings.contains(&(
            "Check Bert's contact details: not reached.".into(),
            "Anna".into()
        )),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "Print the call tree for the warehouse".into(),
            "Anna".into()
        )),
        "{findings:?}"
    );
    let again = patch(
        &app,
        &owner,
        &drill_path,
        json!({ "state": "done", "incident_id": incident }),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    // One drill scores one exercise: its people are not counted twice.
    let second = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "call_tree_drill", "scheduled_for": day(0) }),
    )
    .await;
    let second_path = format!("/api/v1/exercises/{}", second["id"].as_str().unwrap());
    let r = patch(
        &app,
        &owner,
        &second_path,
        json!({ "state": "done", "incident_id": incident }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = patch(&app, &owner, &second_path, json!({ "state": "cancelled" })).await;
    assert_eq!(r.body["state"], "cancelled", "{}", r.text);
    let r = patch(&app, &owner, &second_path, json!({ "state": "scheduled" })).await;
    assert_eq!(
        r.body["state"], "scheduled",
        "back on the calendar: {}",
        r.text
    );
    let r = patch(&app, &owner, &second_path, json!({ "state": "cancelled" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        patch(&app, &owner, &drill_path, json!({ "state": "cancelled" }))
            .await
            .status,
        StatusCode::CONFLICT,
        "a done exercise stays done"
    );

    // A restore test: its duration is the ERP's RTO evidence (4.5 h against 4 h: breached).
    let restore = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "restore_test", "scheduled_for": day(0), "system_id": erp }),
    )
    .await;
    let restore_path = format!("/api/v1/exercises/{}", restore["id"].as_str().unwrap());
    let r = patch(&app, &owner, &restore_path, json!({ "state": "done" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("duration_minutes"), "{}", r.text);
    let r = patch(
        &app,
        &owner,
        &restore_path,
        json!({ "state": "done", "duration_minutes": 270, "passed": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (
            r.body["result"]["duration_minutes"].as_u64(),
            r.body["result"]["rto_minutes"].as_u64()
        ),
        (Some(270), Some(240))
    );
    assert_eq!(r.body["system_name"], "ERP");
    let mut rto = String::new();
    for _ in 0..50 {
        let status = app.get(&format!("{base}/status"), &owner).await;
        let erp_row = status.body["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "ERP")
            .unwrap()
            .clone();
        rto = erp_row["rto_state"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if rto == "breached" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        rto, "breached",
        "the restore test is the ERP's RTO evidence"
    );

    // A tabletop scored by its checklist; a cancelled one leaves the cadence as it was.
    let table = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "tabletop", "scheduled_for": day(1) }),
    )
    .await;
    let r = patch(&app, &owner, &format!("/api/v1/exercises/{}", table["id"].as_str().unwrap()), json!({ "state": "done", "checklist": [
        { "item": "Evacuation route known", "done": true }, { "item": "Backup site keys", "done": true },
        { "item": "Press statement ready", "done": false }, { "item": " ", "done": false } ] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["result"]["score_percent"], 66);
    let spare = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "tabletop", "scheduled_for": day(-3) }),
    )
    .await;
    let r = patch(
        &app,
        &owner,
        &format!("/api/v1/exercises/{}", spare["id"].as_str().unwrap()),
        json!({ "state": "cancelled" }),
    )
    .await;
    assert_eq!(
        (r.status, r.body["overdue"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{}",
        r.text
    );

    // The page: last done per kind, next due after the cadence; open action items.
    let page = app.get(&list, &owner).await;
    let c = &page.body["cadence"];
    assert_eq!(c[0]["last_done_on"], day(0));
    assert_eq!(c[0]["overdue"], false);
    assert_eq!(page.body["exercises"].as_array().unwrap().len(), 5);
    let items = page.body["action_items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{items:?}");
    // An action item past its date shows on the overview until it is done.
    let late = patch(&app, &owner, &drill_path, json!({ "findings": [{ "title": "Replace the fire blanket", "owner": "Bert", "due_on": day(-1) }] })).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.text);
    let late_id = late.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["owner"] == "Bert")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        overdue_on_dashboard(&app, &owner, &client).await,
        json!({ "exercises": 0, "action_items": 1 }),
    );
    let r = patch(
        &app,
        &owner,
        &format!("/api/v1/action-items/{late_id}"),
        json!({ "done": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["done_at"].is_string());
    assert_eq!(
        overdue_on_dashboard(&app, &owner, &client).await,
        json!({ "exercises": 0, "action_items": 0 }),
    );
    // The plan says when a kind is overdue too.
    let plan = app.get(&format!("{base}/plan"), &owner).await;
    assert_eq!(
        plan.body["overdue"],
        json!({ "exercises": 0, "action_items": 0 }),
        "{}",
        plan.text
    );
}

async fn exercises_stay_within_their_tenant_and_refuse_bad_input(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakkerij Jansen").await;
    let list = format!("/api/v1/clients/{client}/exercises");
    let ex = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "tabletop", "scheduled_for": day(7) }),
    )
    .await;
    let path = format!("/api/v1/exercises/{}", ex["id"].as_str().unwrap());
    for (body, field) in [
        (
            json!({ "kind": "fire_drill", "scheduled_for": day(7) }),
            "kind",
        ),
        (
            json!({ "kind": "tabletop", "scheduled_for": day(5000) }),
            "scheduled_for",
        ),
        (
            json!({ "kind": "tabletop", "scheduled_for": day(1), "system_id": uuid::Uuid::new_v4() }),
            "system_id",
        ),
    ] {
        let r = app.post(&list, Some(&owner), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let r = app
        .post(
            &list,
            Some(&owner),
            json!({ "kind": "tabletop", "scheduled_for": "next week" }),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    for (body, field) in [
        (json!({ "state": "finished" }), "state"),
        (json!({ "state": "done", "checklist": [] }), "checklist"),
        (json!({ "findings": [{ "title": "" }] }), "findings"),
    ] {
        let r = patch(&app, &owner, &path, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    assert_eq!(
        app.get(&list, &owner).await.body["action_items"],
        json!([]),
        "bad input changes nothing"
    );

    // Another MSP sees none of it; a client member follows but does not run exercises.
    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    assert_eq!(app.get(&list, &other).await.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &list,
            Some(&other),
            json!({ "kind": "tabletop", "scheduled_for": day(1) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        patch(&app, &other, &path, json!({ "state": "cancelled" }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;
    assert_eq!(app.get(&list, &member).await.status, StatusCode::OK);
    assert_eq!(
        patch(&app, &member, &path, json!({ "state": "cancelled" }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let theirs = app.create_client(&other, "Elsewhere").await;
    let drill = created(
        &app,
        &other,
        &format!("/api/v1/clients/{theirs}/incidents"),
        json!({ "title": "Their drill", "scenario": "Fire", "drill": true }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = created(
        &app,
        &owner,
        &list,
        json!({ "kind": "call_tree_drill", "scheduled_for": day(0) }),
    )
    .await;
    let r = patch(
        &app,
        &owner,
        &format!("/api/v1/exercises/{}", mine["id"].as_str().unwrap()),
        json!({ "state": "done", "incident_id": drill }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another MSP's drill is not this client's: {}",
        r.text
    );
}
