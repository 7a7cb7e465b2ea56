//! Incident mode: the plan becomes a checklist in the order it is acted on, each affected
//! system's recovery is measured against the targets in force, the timeline keeps who did what,
//! and only those who run incidents (MSP staff, client admins) change one, within their tenant.
use crate::helpers::{spawn_app_with, Backend, TestApp, SECRET};
use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    an_incident_runs_the_plan_and_measures_the_recovery,
    incidents_are_run_by_staff_and_client_admins_within_their_tenant,
    the_roll_call_accounts_for_everyone_at_the_site_and_items_are_assigned,
);

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.post(path, Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// A bakery with a warehouse, an ERP (RPO 1 h, RTO 4 h) that invoicing needs, wholesale
/// customers who depend on invoicing, and a fire scenario; returns (client, site, erp).
async fn bakery(app: &TestApp, owner: &str) -> (String, String, String) {
    let client = app.create_client(owner, "Bakkerij Jansen").await;
    let base = format!("/api/v1/clients/{client}");
    let site = created(
        app,
        owner,
        &format!("{base}/sites"),
        json!({ "name": "Warehouse", "safety_plan_ref": "BHV plan, red binder at reception" }),
    )
    .await;
    let erp = created(
        app,
        owner,
        &format!("{base}/systems"),
        json!({ "name": "ERP", "rpo_minutes": 60, "rto_minutes": 240 }),
    )
    .await;
    created(
        app,
        owner,
        &format!("{base}/systems"),
        json!({ "name": "Mail" }),
    )
    .await;
    let invoicing = created(
        app,
        owner,
        &format!("{base}/processes"),
        json!({ "name": "Invoicing", "systems": [erp] }),
    )
    .await;
    created(
        app,
        owner,
        &format!("{base}/customer-groups"),
        json!({ "name": "Wholesale", "processes": [invoicing] }),
    )
    .await;
    let r = app
        .call(
            Method::PATCH,
            &format!("{base}/plan"),
            Some(owner),
            Some(json!({ "scenarios": [{ "name": "Fire", "steps": ["Evacuate the building", "Call 112"] }] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (client, site, erp)
}

/// The ERP's backups as its software reported them: one from before the fire, one after.
async fn backups(app: &TestApp, owner: &str, client: &str, erp: &str, start: DateTime<Utc>) {
    let token = app.ingest_token(owner, client).await;
    let before = start - Duration::minutes(50);
    let after = start + Duration::minutes(10);
    let events = json!({ "events": [
        { "id": "b1", "system_id": erp, "kind": "backup_succeeded", "restore_point_at": at(before), "finished_at": at(before + Duration::minutes(5)) },
        { "id": "b2", "system_id": erp, "kind": "backup_succeeded", "restore_point_at": at(after), "finished_at": at(after + Duration::minutes(5)) },
    ] });
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(token)
                .json(&events),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
}

fn item<'a>(incident: &'a Value, text: &str) -> &'a Value {
    incident["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains(text))
        .unwrap_or_else(|| panic!("no item with {text:?}: {incident}"))
}

/// Fire at the warehouse six hours ago: the checklist follows the plan's order, the ERP's clock
/// runs against its RTO, the restore point offered is the newest from before the fire, and the
/// recovery recorded gives the data lost and the downtime against the targets.
async fn an_incident_runs_the_plan_and_measures_the_recovery(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, site, erp) = bakery(&app, &owner).await;
    let start = Utc::now() - Duration::hours(6);
    backups(&app, &owner, &client, &erp, start).await;

    let r = app
        .post(
            &format!("/api/v1/clients/{client}/incidents"),
            Some(&owner),
            json!({ "title": "Fire in the warehouse", "scenario": "fire", "site_ids": [site],
                    "system_ids": [erp], "drill": false, "started_at": at(start) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let incident = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["state"], "open");
    // The plan's order: the scenario's steps, safety at the site, staff, customers, IT.
    let parts: Vec<&str> = r.body["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["part"].as_str().unwrap())
        .collect();
    let mut ordered = parts.clone();
    ordered.dedup();
    assert_eq!(
        ordered,
        ["scenario", "safety", "staff", "customers", "it"],
        "{parts:?}"
    );
    assert_eq!(r.body["checklist"][0]["text"], "Evacuate the building");
    item(&r.body, "Roll call at Warehouse");
    item(&r.body, "BHV plan, red binder at reception");
    let system = &r.body["systems"][0];
    assert_eq!(system["name"], "ERP");
    assert_eq!(
        (
            system["rpo_minutes"].as_i64(),
            system["rto_minutes"].as_i64()
        ),
        (Some(60), Some(240))
    );
    let offered: DateTime<Utc> = system["offered_restore_point_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        offered.timestamp(),
        (start - Duration::minutes(50)).timestamp(),
        "the newest point from before the fire, not the one after: {system}"
    );
    let so_far = system["down_so_far_minutes"].as_i64().unwrap();
    assert!((360..=362).contains(&so_far), "{system}");
    assert_eq!(system["rto_overdue"], true, "six hours down against four");

    // The ERP comes back from that point after five hours: 50 minutes lost (within the hour),
    // 5 h down (past the 4 h agreed).
    let path = format!("/api/v1/incidents/{incident}/systems/{erp}");
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(
                json!({ "recovery_started_at": at(start + Duration::minutes(30)),
                         "recovered_at": at(start + Duration::minutes(20)) }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("recovered_at"), "{}", r.text);
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(
                json!({ "recovery_started_at": at(start + Duration::minutes(30)),
                         "restore_point_at": at(offered),
                         "recovered_at": at(start + Duration::hours(5)) }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["data_loss_minutes"], 50);
    assert_eq!(r.body["rpo_met"], true);
    assert_eq!(r.body["downtime_minutes"], 300);
    assert_eq!(r.body["rto_met"], false);
    // The recovery is a restore test: 4.5 h of restoring is now the ERP's RTO evidence, past its
    // 4 h target.
    let status = app
        .get(&format!("/api/v1/clients/{client}/status"), &owner)
        .await;
    let erp_status = status.body["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "ERP")
        .unwrap()
        .clone();
    assert_eq!(erp_status["rto_evidence_seconds"], 16_200, "{erp_status}");
    assert_eq!(erp_status["rto_state"], "breached", "{erp_status}");

    // A tick records who and when; the recovery item was done by the recovery itself.
    let view = app
        .get(&format!("/api/v1/incidents/{incident}"), &owner)
        .await;
    let roll_call = item(&view.body, "Roll call at Warehouse")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let recover = item(&view.body, "Recover ERP");
    assert!(!recover["done_at"].is_null(), "{recover}");
    let recover_key = recover["key"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/checklist/{roll_call}"),
            Some(&owner),
            json!({ "done": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ticked = item(&r.body, "Roll call at Warehouse");
    assert_eq!(ticked["done_by"], "Owner", "{ticked}");
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/checklist/{recover_key}"),
            Some(&owner),
            json!({ "done": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/checklist/no-such-item"),
            Some(&owner),
            json!({ "done": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Wholesale customers are reached through invoicing.
    let r = app
        .get(&format!("/api/v1/incidents/{incident}/impact"), &owner)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "customer_groups": [{ "id": r.body["customer_groups"][0]["id"], "name": "Wholesale", "processes": ["Invoicing"] }] })
    );

    // The timeline, in Dutch for a Dutch reader.
    let r = app
        .send(
            app.http
                .get(app.url(&format!("/api/v1/incidents/{incident}")))
                .bearer_auth(&owner)
                .header("accept-language", "nl"),
        )
        .await;
    let lines: Vec<&str> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(lines[0].starts_with("Incident gemeld: fire"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("ERP hersteld")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Afgevinkt: Appèl op Warehouse")),
        "{lines:?}"
    );
    item(&r.body, "Herstel ERP");

    // Closed with its lessons: the figures stay, nothing changes any more.
    let close = format!("/api/v1/incidents/{incident}/close");
    let r = app
        .post(
            &close,
            Some(&owner),
            json!({ "lessons": "Keep the BHV binder by the door." }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "closed");
    assert_eq!(r.body["lessons"], "Keep the BHV binder by the door.");
    assert_eq!(r.body["systems"][0]["downtime_minutes"], 300);
    let r = app.post(&close, Some(&owner), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({ "recovered_at": null })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let list = app
        .get(&format!("/api/v1/clients/{client}/incidents"), &owner)
        .await;
    assert_eq!(list.body[0]["state"], "closed", "{}", list.text);
    assert_eq!(
        (
            list.body[0]["systems"].as_u64(),
            list.body[0]["recovered"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let trail = app.get("/api/v1/audit", &owner).await.text;
    assert!(
        trail.contains("incident.declare") && trail.contains("incident.close"),
        "{trail}"
    );

    // The post-incident report: the ERP's figures against its targets, and what to change.
    let report = format!("/api/v1/incidents/{incident}/report");
    let r = app.get(&report, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["systems"][0]["downtime_minutes"], 300);
    assert_eq!(r.body["systems"][0]["rpo_met"], true);
    assert_eq!(r.body["lessons"], "Keep the BHV binder by the door.");
    assert_eq!(
        r.body["proposed_changes"],
        json!(["ERP: recovery took 5 h against an RTO of 4 h; review its protection or the agreed RTO."])
    );
    let html = app
        .get(&format!("{report}?format=html&lang=nl"), &owner)
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.text
            .contains("Evaluatierapport: Fire in the warehouse"),
        "{}",
        html.text
    );
    assert!(html.text.contains("Keep the BHV binder by the door."));
    let pdf = app
        .send(
            app.http
                .get(app.url(&format!("{report}?format=pdf")))
                .bearer_auth(&owner),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.text.starts_with("%PDF"), "a PDF");
    let r = app.get(&format!("{report}?format=doc"), &owner).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}

/// Client members follow an incident but do not run it; a client admin does. Another MSP sees
/// none of it (404), and ids of another tenant's sites or systems are refused.
async fn incidents_are_run_by_staff_and_client_admins_within_their_tenant(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, site, erp) = bakery(&app, &owner).await;
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let path = format!("/api/v1/clients/{client}/incidents");
    let fire =
        json!({ "title": "Fire", "scenario": "Fire", "site_ids": [site], "system_ids": [erp] });
    let r = app.post(&path, Some(&member), fire.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.post(&path, Some(&admin), fire.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let incident = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["may_act"], true);
    let r = app
        .get(&format!("/api/v1/incidents/{incident}"), &member)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["may_act"], false);
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/close"),
            Some(&member),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // Bad input changes nothing and says which field.
    for (body, field) in [
        (json!({ "title": " ", "scenario": "Fire" }), "title"),
        (
            json!({ "title": "Fire", "scenario": "Fire", "started_at": at(Utc::now() + Duration::hours(1)) }),
            "started_at",
        ),
        (
            json!({ "title": "Fire", "scenario": "Fire", "system_ids": [uuid::Uuid::new_v4()] }),
            "system_ids",
        ),
    ] {
        let r = app.post(&path, Some(&owner), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let r = app
        .post(
            &path,
            Some(&owner),
            json!({ "title": "Fire", "scenario": "Fire", "colour": "red" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        app.get(&path, &owner).await.body.as_array().map(Vec::len),
        Some(1)
    );

    // Another MSP: nothing of this client's incidents, nor a way to name its systems.
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    let theirs = app.create_client(&other, "Their client").await;
    for p in [
        format!("/api/v1/incidents/{incident}"),
        format!("/api/v1/incidents/{incident}/impact"),
        path.clone(),
    ] {
        assert_eq!(
            app.get(&p, &other).await.status,
            StatusCode::NOT_FOUND,
            "{p}"
        );
    }
    let r = app.post(&path, Some(&other), fire.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/incidents/{incident}/systems/{erp}"),
            Some(&other),
            Some(json!({ "recovered_at": at(Utc::now()) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/clients/{theirs}/incidents"),
            Some(&other),
            json!({ "title": "Fire", "scenario": "Fire", "site_ids": [site] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("site_ids"), "{}", r.text);
    assert_eq!(
        app.get("/api/v1/incidents/not-a-uuid", &owner).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_tree_reaches_everyone_and_escalates_once_sqlite() {
    the_call_tree_reaches_everyone_and_escalates_once(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_tree_reaches_everyone_and_escalates_once_postgres() {
    the_call_tree_reaches_everyone_and_escalates_once(Backend::Postgres).await
}

/// The next e-mail the sink takes: (recipients, message with soft line breaks undone).
async fn next_mail(
    inbox: &mut tokio::sync::mpsc::UnboundedReceiver<(Vec<String>, String)>,
) -> (Vec<String>, String) {
    let (to, data) = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
        .await
        .expect("an e-mail within 10 s")
        .unwrap();
    (to, data.replace("=\r\n", "").replace("=\n", ""))
}

fn confirm_link(mail: &str) -> String {
    let at = mail
        .find("https://lifeline.example/r/")
        .expect("a confirm link");
    mail[at + "https://lifeline.example".len()..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// A drill: the coordinator and the person she calls are e-mailed a confirm link, the
/// phone-only person is a call for her caller. A tapped link confirms once (410 after, 404 for
/// a link nobody made); a leg left unconfirmed past its wave escalates once, even with two
/// evaluators, to the caller's caller, who is told whom to call; a person records an answer.
async fn the_call_tree_reaches_everyone_and_escalates_once(backend: Backend) {
    let (port, mut inbox) = crate::mail::smtp_sink().await;
    let Some(app) = spawn_app_with(backend, |s| {
        s.public_url = Some("https://lifeline.example".into());
        s.smtp = Some(crate::mail::sink_settings(port));
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, _, erp) = bakery(&app, &owner).await;
    let people = format!("/api/v1/clients/{client}/people");
    let anna = created(&app, &owner, &people, json!({ "name": "Anna", "email": "anna@bakery.example", "is_coordinator": true, "channels": ["email", "mobile"] })).await;
    let bert = created(
        &app,
        &owner,
        &people,
        json!({ "name": "Bert", "email": "bert@bakery.example", "caller_id": anna }),
    )
    .await;
    created(&app, &owner, &people, json!({ "name": "Carla", "mobile": "+31 6 1234 5678", "caller_id": bert, "channels": ["mobile"] })).await;
    // Ten minutes per wave in this plan (a day at most).
    let plan = format!("/api/v1/clients/{client}/plan");
    let r = app
        .call(
            Method::PATCH,
            &plan,
            Some(&owner),
            Some(json!({ "wave_minutes": 0 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .call(
            Method::PATCH,
            &plan,
            Some(&owner),
            Some(json!({ "wave_minutes": 10 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/incidents"),
            Some(&owner),
            json!({ "title": "Call-tree drill", "scenario": "Fire", "system_ids": [erp], "drill": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let incident = r.body["id"].as_str().unwrap().to_string();

    let start = Utc::now();
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/call-tree"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let legs = r.body["legs"].as_array().unwrap().clone();
    let leg = |name: &str| {
        legs.iter()
            .find(|l| l["person_name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            leg("Anna")["wave"].as_i64(),
            leg("Anna")["channel"].as_str()
        ),
        (Some(1), Some("email"))
    );
    assert_eq!(
        (
            leg("Bert")["wave"].as_i64(),
            leg("Bert")["caller_name"].as_str()
        ),
        (Some(2), Some("Anna"))
    );
    assert_eq!(
        (
            leg("Carla")["wave"].as_i64(),
            leg("Carla")["channel"].as_str()
        ),
        (Some(3), Some("phone"))
    );
    assert_eq!(leg("Carla")["phones"], json!(["+31 6 1234 5678"]));
    assert!(legs.iter().all(|l| l["state"] == "waiting"));
    let again = app
        .post(
            &format!("/api/v1/incidents/{incident}/call-tree"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    // Two e-mails, each with its own link, marked as a drill.
    let mut links = std::collections::HashMap::new();
    for _ in 0..2 {
        let (to, mail) = next_mail(&mut inbox).await;
        assert!(
            mail.contains("Subject: [DRILL] Incident at Bakkerij Jansen: Call-tree drill"),
            "{mail}"
        );
        assert!(mail.contains("This is a call-tree drill."), "{mail}");
        links.insert(to[0].clone(), confirm_link(&mail));
    }
    let anna_link = links["<anna@bakery.example>"].clone();
    let bert_link = links["<bert@bakery.example>"].clone();
    let page = app.send(app.http.get(app.url(&anna_link))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Anna") && page.text.contains("This is a drill."),
        "{}",
        page.text
    );
    let tap = || {
        app.send(
            app.http
                .post(app.url(&anna_link))
                .header("origin", app.url("")),
        )
    };
    assert_eq!(tap().await.status, StatusCode::OK);
    assert_eq!(tap().await.status, StatusCode::GONE, "a link confirms once");
    let unknown = app
        .send(
            app.http
                .post(app.url("/r/not-a-token-anyone-made"))
                .header("origin", app.url("")),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Past Bert's wave (2 × 10 min) unconfirmed: two evaluators escalate him once, to Anna.
    let a = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let b = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    use app::ssr::service::calls::escalate_due;
    let early = escalate_due(&a, start + Duration::minutes(19))
        .await
        .unwrap();
    assert_eq!(early, 0, "not before the wave's time");
    let t = start + Duration::minutes(21);
    let (x, y) = tokio::join!(escalate_due(&a, t), escalate_due(&b, t));
    assert_eq!(x.unwrap() + y.unwrap(), 1, "escalated once");
    let (to, mail) = next_mail(&mut inbox).await;
    assert_eq!(to, ["<anna@bakery.example>"]);
    assert!(mail.contains("Bert has not confirmed"), "{mail}");
    // Carla (wave 3) goes to Bert's caller, Anna, with her number to call.
    let t = start + Duration::minutes(31);
    assert_eq!(escalate_due(&a, t).await.unwrap(), 1);
    let (to, mail) = next_mail(&mut inbox).await;
    assert_eq!(to, ["<anna@bakery.example>"]);
    assert!(
        mail.contains("Carla") && mail.contains("+31 6 1234 5678"),
        "{mail}"
    );
    let calls = app
        .get(&format!("/api/v1/incidents/{incident}/calls"), &owner)
        .await;
    let states: Vec<(&str, &str)> = calls.body["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["person_name"].as_str().unwrap(),
                l["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("Anna", "confirmed"),
            ("Bert", "escalated"),
            ("Carla", "escalated")
        ]
    );
    assert_eq!(
        calls.body["legs"][2]["escalated_to_name"], "Anna",
        "{}",
        calls.text
    );

    // Anna reaches Carla by phone and records it; a member may not, another MSP sees nothing.
    let carla = leg("Carla")["id"].as_str().unwrap().to_string();
    let answer = format!("/api/v1/incidents/{incident}/calls/{carla}");
    let r = app
        .post(&answer, Some(&owner), json!({ "state": "maybe" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;
    let r = app
        .post(&answer, Some(&member), json!({ "state": "confirmed" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    let r = app
        .post(&answer, Some(&other), json!({ "state": "confirmed" }))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post(
            &answer,
            Some(&owner),
            json!({ "state": "confirmed", "note": "safe at home" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["state"].as_str(), r.body["note"].as_str()),
        (Some("confirmed"), Some("safe at home"))
    );

    // An MSP that writes its mail in Dutch: the page behind the link reads Dutch too, for a
    // browser that has never seen Lifeline.
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(json!({ "mail_language": "nl" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let page = app.send(app.http.get(app.url(&bert_link))).await;
    assert!(
        page.text.contains("Bevestigen") && page.text.contains("Dit is een oefening."),
        "{}",
        page.text
    );

    // Closed: Bert's link no longer confirms anything.
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/close"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let late = app
        .send(
            app.http
                .post(app.url(&bert_link))
                .header("origin", app.url("")),
        )
        .await;
    assert_eq!(late.status, StatusCode::GONE);
    let lines: Vec<String> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    // Bert never confirmed: the report names him as a contact to check.
    let report = app
        .get(&format!("/api/v1/incidents/{incident}/report"), &owner)
        .await;
    assert_eq!(report.body["staff"]["reached"], 2, "{}", report.text);
    assert_eq!(report.body["staff"]["not_reached"], json!(["Bert"]));
    assert!(report.body["staff"]["minutes_to_reach_all"].is_null());
    assert_eq!(
        report.body["proposed_changes"][0],
        "Check Bert's contact details: not reached."
    );
    for want in [
        "Call tree set going: 3 people, 10 min per wave",
        "Anna confirmed through the link",
        "Bert did not confirm in time: escalated to Anna",
        "Carla reached safe at home",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "{want}: {lines:?}"
        );
    }
}

/// Safety first: everyone at the burning warehouse is on the roll call until someone says where
/// they stand; once all are accounted for the site's roll call is done by itself. Checklist
/// items are assigned to people of the directory; another tenant's people and ids are refused.
async fn the_roll_call_accounts_for_everyone_at_the_site_and_items_are_assigned(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, site, erp) = bakery(&app, &owner).await;
    let people = format!("/api/v1/clients/{client}/people");
    let joke = created(
        &app,
        &owner,
        &people,
        json!({ "name": "Joke", "site_id": site, "is_coordinator": true }),
    )
    .await;
    let kees = created(
        &app,
        &owner,
        &people,
        json!({ "name": "Kees", "site_id": site }),
    )
    .await;
    let office = created(&app, &owner, &people, json!({ "name": "Olga" })).await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/incidents"),
            Some(&owner),
            json!({ "title": "Fire", "scenario": "Fire", "site_ids": [site], "system_ids": [erp] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let incident = r.body["id"].as_str().unwrap().to_string();
    let names: Vec<(&str, &str)> = r.body["roll_call"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("Joke", "unknown"), ("Kees", "unknown")],
        "only the people at the site"
    );
    let roll = |person: &str| format!("/api/v1/incidents/{incident}/roll-call/{person}");
    let r = app
        .post(&roll(&joke), Some(&owner), json!({ "state": "safe" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rollcall = item(&r.body, "Roll call at Warehouse").clone();
    assert_eq!(
        (
            rollcall["automatic"].as_bool(),
            rollcall["done_at"].is_null()
        ),
        (Some(true), true),
        "Kees is not accounted for: {rollcall}"
    );
    let r = app
        .post(&roll(&kees), Some(&owner), json!({ "state": "injured" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        item(&r.body, "Roll call at Warehouse")["done_at"].is_string(),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("Roll call: Kees is injured"),
        "on the timeline: {}",
        r.text
    );
    for standing in ["missing", "unknown"] {
        let r = app
            .post(&roll(&kees), Some(&owner), json!({ "state": standing }))
            .await;
        assert!(
            item(&r.body, "Roll call at Warehouse")["done_at"].is_null(),
            "{standing} is not accounted for: {}",
            r.text
        );
    }
    for (path, body, status) in [
        (
            roll(&kees),
            json!({ "state": "fine" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            roll(&office),
            json!({ "state": "safe" }),
            StatusCode::NOT_FOUND,
        ),
        (
            roll(&uuid::Uuid::new_v4().to_string()),
            json!({ "state": "safe" }),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = app.post(&path, Some(&owner), body).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
    }

    // Assignments: a person of the directory, or nobody.
    let key = r.body["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "Call 112")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let assignee = format!("/api/v1/incidents/{incident}/checklist/{key}/assignee");
    let r = app
        .call(
            Method::PUT,
            &assignee,
            Some(&owner),
            Some(json!({ "person_id": office })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(item(&r.body, "Call 112")["assignee"], "Olga");
    assert!(r.text.contains("Call 112 assigned to Olga"), "{}", r.text);
    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    let theirs = app.create_client(&other, "Elsewhere").await;
    let stranger = created(
        &app,
        &other,
        &format!("/api/v1/clients/{theirs}/people"),
        json!({ "name": "Stranger" }),
    )
    .await;
    let r = app
        .call(
            Method::PUT,
            &assignee,
            Some(&owner),
            Some(json!({ "person_id": stranger })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .call(
            Method::PUT,
            &assignee,
            Some(&other),
            Some(json!({ "person_id": stranger })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post(&roll(&joke), Some(&other), json!({ "state": "missing" }))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/incidents/{incident}/checklist/no-such-item/assignee"),
            Some(&owner),
            Some(json!({ "person_id": null })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .call(
            Method::PUT,
            &assignee,
            Some(&owner),
            Some(json!({ "person_id": null })),
        )
        .await;
    assert_eq!(item(&r.body, "Call 112")["assignee"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_gateway_gets_a_signed_call_with_the_link_sealed_at_rest_sqlite() {
    the_sms_gateway_gets_a_signed_call_with_the_link_sealed_at_rest(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_gateway_gets_a_signed_call_with_the_link_sealed_at_rest_postgres() {
    the_sms_gateway_gets_a_signed_call_with_the_link_sealed_at_rest(Backend::Postgres).await
}

/// Someone with only a mobile number is messaged through the MSP's webhook (its SMS gateway):
/// the call is signed like alerts, carries the confirm link, and that link is not readable in
/// the outbox at rest.
async fn the_sms_gateway_gets_a_signed_call_with_the_link_sealed_at_rest(backend: Backend) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (tx, mut calls) = tokio::sync::mpsc::unbounded_channel::<(axum::http::HeaderMap, String)>();
    let gateway = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                tx.send((headers, body)).ok();
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, gateway).await.unwrap() });
    let Some(app) = spawn_app_with(backend, |s| {
        s.public_url = Some("https://lifeline.example".into());
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, _, erp) = bakery(&app, &owner).await;
    let secret = "gateway-secret-gateway-secret";
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(&owner),
            Some(json!({ "webhook_url": hook, "webhook_secret": secret })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let people = format!("/api/v1/clients/{client}/people");
    created(&app, &owner, &people, json!({ "name": "Dirk", "mobile": "+31 6 9999 0000", "is_coordinator": true, "channels": ["mobile"] })).await;
    let incident = created(
        &app,
        &owner,
        &format!("/api/v1/clients/{client}/incidents"),
        json!({ "title": "Power cut", "scenario": "Power", "system_ids": [erp], "drill": true }),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/incidents/{incident}/call-tree"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["legs"][0]["channel"], "sms", "{}", r.text);

    let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(20), calls.recv())
        .await
        .expect("the gateway is called within 20 s")
        .unwrap();
    assert_eq!(headers["x-lifeline-event"], "incident.call");
    let sig = headers["x-lifeline-signature"].to_str().unwrap();
    let t: i64 = sig
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert_eq!(
        sig,
        app::ssr::service::monitor::alerts::signature(secret, t, &body)
    );
    let call: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (call["drill"].as_bool(), call["person"]["mobile"].as_str()),
        (Some(true), Some("+31 6 9999 0000"))
    );
    let link = call["confirm_url"].as_str().unwrap().to_string();
    assert!(link.starts_with("https://lifeline.example/r/"), "{link}");
    let token = link.rsplit('/').next().unwrap();
    let stored = app::ssr::entity::notification::Entity::find()
        .filter(app::ssr::entity::notification::Column::Subject.eq("incident.call"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].body.contains(token) && !stored[0].body.contains("Dirk"),
        "sealed at rest: {}",
        stored[0].body
    );
    // A second drill messages Dirk again, with a link of its own: each token confirms only
    // the leg it was made for.
    let second = created(
        &app,
        &owner,
        &format!("/api/v1/clients/{client}/incidents"),
        json!({ "title": "Second drill", "scenario": "Power", "drill": true }),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/incidents/{second}/call-tree"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (_, body2) = tokio::time::timeout(std::time::Duration::from_secs(20), calls.recv())
        .await
        .expect("the second call within 20 s")
        .unwrap();
    let link2: Value = serde_json::from_str(&body2).unwrap();
    let link2 = link2["confirm_url"].as_str().unwrap().to_string();
    assert_ne!(link, link2);
    let path = link.trim_start_matches("https://lifeline.example");
    let r = app.send(app.http.post(app.url(path))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let state_of = |i: &str| {
        let i = i.to_string();
        let app = &app;
        let owner = owner.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/incidents/{i}/calls"), &owner)
                .await;
            r.body["legs"][0]["state"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(state_of(&incident).await, "confirmed");
    assert_eq!(
        state_of(&second).await,
        "waiting",
        "the first drill's token is not the second's"
    );
    let r = app
        .send(
            app.http
                .post(app.url(link2.trim_start_matches("https://lifeline.example"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(state_of(&second).await, "confirmed");
}
