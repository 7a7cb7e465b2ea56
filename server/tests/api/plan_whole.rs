//! The directory, the call tree, sites, the plan view with its completeness, and approval with
//! versions and their differences.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    directory_and_call_tree,
    call_tree_cycles_are_refused,
    sites_hold_the_safety_part,
    completeness_lists_what_is_missing,
    client_admin_approves_versions_and_sees_changes,
);

async fn person(app: &TestApp, token: &str, client: &str, body: Value) -> String {
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/people"),
            Some(token),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn plan(app: &TestApp, token: &str, client: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/clients/{client}/plan"), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

async fn directory_and_call_tree(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let boss = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Bea Boss", "mobile": "+31 6 1111 1111", "is_coordinator": true }),
    )
    .await;
    let anna = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Anna", "mobile": "06-22222222", "caller_id": boss }),
    )
    .await;
    person(
        &app,
        &owner,
        &client,
        json!({ "name": "Cas", "landline": "(020) 333 3333", "caller_id": anna }),
    )
    .await;
    person(
        &app,
        &owner,
        &client,
        json!({ "name": "Dirk", "mobile": "0644444444" }),
    )
    .await;

    let p = plan(&app, &owner, &client).await;
    assert_eq!(p["people"].as_array().unwrap().len(), 4);
    assert_eq!(p["call_tree"]["depth"], 2);
    assert_eq!(p["call_tree"]["minutes_per_call"], 3);
    assert_eq!(p["call_tree"]["estimate_minutes"], 6);
    assert_eq!(p["call_tree"]["issues"][0]["kind"], "unreached");
    assert_eq!(p["call_tree"]["issues"][0]["names"][0], "Dirk");

    let r = app
        .post(
            &format!("/api/v1/clients/{client}/people"),
            Some(&owner),
            json!({ "name": "Eve", "mobile": "call me", "email": "nope" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["mobile"].is_string() && r.body["errors"]["email"].is_string());

    // Making Anna coordinator takes that role from Bea: one coordinator at a time.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/people/{anna}"),
            Some(&owner),
            Some(json!({ "is_coordinator": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["caller_id"].is_null());
    assert_eq!(
        app.get(&format!("/api/v1/people/{boss}"), &owner)
            .await
            .body["is_coordinator"],
        false
    );

    // Deleting a caller leaves their callees unplaced, not dangling.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/people/{anna}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let people = app
        .get(&format!("/api/v1/clients/{client}/people"), &owner)
        .await
        .body;
    let cas = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Cas")
        .unwrap();
    assert!(cas["caller_id"].is_null());
}

async fn call_tree_cycles_are_refused(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let a = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Anna", "mobile": "0611111111" }),
    )
    .await;
    let b = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Bram", "mobile": "0622222222", "caller_id": a }),
    )
    .await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/people/{a}"),
            Some(&owner),
            Some(json!({ "caller_id": b })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let msg = r.body["errors"]["caller_id"].as_str().unwrap();
    assert!(msg.contains("Anna") && msg.contains("Bram"), "{msg}");
    assert!(app.get(&format!("/api/v1/people/{a}"), &owner).await.body["caller_id"].is_null());
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/people/{a}"),
            Some(&owner),
            Some(json!({ "caller_id": a })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn sites_hold_the_safety_part(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let bhv = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Bert BHV", "mobile": "0611111111" }),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/sites"),
            Some(&owner),
            json!({
                "name": "Bakery Utrecht", "address": "Oudegracht 1, Utrecht",
                "safety_plan_ref": "BHV plan, red binder at reception",
                "emergency_numbers": [{ "label": "Emergency", "number": "112" }, { "label": "Police (non-urgent)", "number": "0900-8844" }],
                "evacuation_point": "Back door to the courtyard", "assembly_point": "Neude square, by the post office",
                "first_responders": [bhv]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["emergency_numbers"][1]["number"], "0900-8844");
    assert_eq!(r.body["first_responders"][0], bhv.as_str());
    let site = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/sites/{site}"),
            Some(&owner),
            Some(json!({ "first_responders": [uuid::Uuid::new_v4()] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = person(
        &app,
        &owner,
        &client,
        json!({ "name": "Sam", "site_id": site }),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/people/{r}"), &owner).await.body["site_id"],
        site.as_str()
    );
}

async fn completeness_lists_what_is_missing(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let empty = plan(&app, &owner, &client).await;
    let codes = |p: &Value| -> Vec<String> {
        p["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["code"].as_str().unwrap().to_string())
            .collect()
    };
    for code in [
        "no_site",
        "no_people",
        "no_process",
        "no_system",
        "never_approved",
    ] {
        assert!(
            codes(&empty).contains(&code.to_string()),
            "{code} missing in {:?}",
            codes(&empty)
        );
    }
    assert_eq!(empty["completeness"], 0);

    let boss = person(&app, &owner, &client, json!({ "name": "Bea", "mobile": "0611111111", "is_coordinator": true, "emergency_name": "Bob", "emergency_relation": "partner", "emergency_phone": "0612345678" })).await;
    person(
        &app,
        &owner,
        &client,
        json!({ "name": "Anna", "landline": "0301234567", "caller_id": boss }),
    )
    .await;
    let r = app.post(&format!("/api/v1/clients/{client}/systems"), Some(&owner), json!({ "name": "ERP", "rpo_minutes": 60, "rto_minutes": 240, "owner_person_id": boss, "procedure": ["Restore"] })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.post(
        &format!("/api/v1/clients/{client}/processes"),
        Some(&owner),
        json!({ "name": "Invoicing" }),
    )
    .await;
    let p = plan(&app, &owner, &client).await;
    let now = codes(&p);
    assert!(now.contains(&"person_without_mobile".to_string()));
    assert!(now.contains(&"person_without_emergency_contact".to_string()));
    assert!(now.contains(&"process_without_targets".to_string()));
    assert!(now.contains(&"no_email_down_rule".to_string()));
    assert!(
        !now.contains(&"no_people".to_string())
            && !now.contains(&"system_without_owner".to_string())
    );
    let gap = p["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "person_without_mobile")
        .unwrap();
    assert_eq!(gap["subject"], "Anna");
    assert_eq!(gap["message"], "Anna has no mobile number.");
    let score = p["completeness"].as_u64().unwrap();
    assert!(score > 0 && score < 100, "{score}");
}

async fn client_admin_approves_versions_and_sees_changes(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let admin = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    let member = app
        .client_user(&owner, &client, "dirk@bakery.example", "client_member")
        .await;
    let erp = app
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
    let versions = format!("/api/v1/clients/{client}/plan/versions");

    // MSP staff write the plan, the client signs it.
    assert_eq!(
        app.post(&versions, Some(&owner), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&versions, Some(&member), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &versions,
            Some(&admin),
            json!({ "note": "Reviewed with the MSP" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["number"], 1);
    assert_eq!(r.body["approved_by_name"], "Client User");
    // Nothing changed: no second identical version.
    assert_eq!(
        app.post(&versions, Some(&admin), json!({})).await.status,
        StatusCode::CONFLICT
    );

    let p = plan(&app, &admin, &client).await;
    assert_eq!(p["approved"]["number"], 1);
    assert_eq!(p["changed_since_approval"], false);
    assert!(
        p["settings"]["review_due"].is_string(),
        "approval sets the next review date"
    );

    app.call(
        Method::PATCH,
        &format!("/api/v1/systems/{erp}"),
        Some(&owner),
        Some(json!({ "rpo_minutes": 15 })),
    )
    .await;
    let p = plan(&app, &admin, &client).await;
    assert_eq!(p["changed_since_approval"], true);
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/plan/changes?from=1"),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let texts: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["System ERP: RPO 60 min → 15 min"]);

    assert_eq!(
        app.post(&versions, Some(&admin), json!({})).await.body["number"],
        2
    );
    // Version 1 is frozen: it still holds the old target.
    let v1 = app.get(&format!("{versions}/1"), &member).await;
    assert_eq!(v1.status, StatusCode::OK);
    assert_eq!(v1.body["content"]["systems"][0]["rpo_minutes"], 60);
    assert_eq!(
        app.get(&versions, &member)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get(&format!("{versions}/9"), &member).await.status,
        StatusCode::NOT_FOUND
    );

    // Other tenants see none of it.
    let (bob, _) = app.signup("Bob IT", "bob@b.example").await;
    for path in [
        format!("/api/v1/clients/{client}/plan"),
        versions.clone(),
        format!("{versions}/1"),
        format!("/api/v1/clients/{client}/plan/changes?from=1"),
    ] {
        assert_eq!(
            app.get(&path, &bob).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.post(&versions, Some(&bob), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
}
