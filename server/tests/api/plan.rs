//! The plan's systems and business processes over the API.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    systems_are_created_read_changed_and_deleted,
    systems_inherit_the_strictest_process_targets,
    dependency_cycles_are_refused_and_change_nothing,
    bad_system_input_is_refused,
    client_members_read_but_do_not_edit,
);

async fn system(app: &TestApp, token: &str, client: &str, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(token),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn systems_are_created_read_changed_and_deleted(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let erp = system(
        &app,
        &owner,
        &client,
        json!({ "name": "ERP", "rpo_minutes": 60, "rto_minutes": 240, "criticality": "critical" }),
    )
    .await;
    let id = erp["id"].as_str().unwrap();
    assert!(erp["ping_key"].as_str().unwrap().len() >= 40);
    assert_eq!(erp["criticality"], "critical");
    assert_eq!(erp["effective"]["rpo_minutes"], 60);
    assert_eq!(erp["effective"]["rpo_inherited"], false);

    let other = system(
        &app,
        &owner,
        &client,
        json!({ "name": "Mail", "criticality": "low" }),
    )
    .await;
    assert_ne!(other["ping_key"], erp["ping_key"]);

    let r = app
        .call(Method::PATCH, &format!("/api/v1/systems/{id}"), Some(&owner), Some(json!({ "rpo_minutes": null, "procedure": ["Restore VM from image", "Check licences"], "kind": "virtual_machine" })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["rpo_minutes"].is_null());
    assert_eq!(
        r.body["rto_minutes"], 240,
        "absent fields stay as they were"
    );
    assert_eq!(r.body["procedure"][1], "Check licences");
    assert_eq!(r.body["kind"], "virtual_machine");

    let list = app
        .get(&format!("/api/v1/clients/{client}/systems"), &owner)
        .await
        .body;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ERP", "Mail"]);

    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/systems/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/systems/{id}"), &owner)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn systems_inherit_the_strictest_process_targets(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let db = system(&app, &owner, &client, json!({ "name": "Database" })).await;
    let db_id = db["id"].as_str().unwrap();
    assert!(db["effective"]["rpo_minutes"].is_null());
    for (name, rto, rpo) in [("Invoicing", 480, 60), ("Webshop", 60, 240)] {
        let r = app
            .post(&format!("/api/v1/clients/{client}/processes"), Some(&owner), json!({ "name": name, "rto_minutes": rto, "rpo_minutes": rpo, "impact_day": "orders lost", "systems": [db_id] }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["systems"][0], db_id);
    }
    let db = app
        .get(&format!("/api/v1/systems/{db_id}"), &owner)
        .await
        .body;
    assert_eq!(db["effective"]["rto_minutes"], 60);
    assert_eq!(db["effective"]["rpo_minutes"], 60);
    assert_eq!(db["effective"]["rpo_inherited"], true);
    assert_eq!(db["processes"].as_array().unwrap().len(), 2);
    // A target on the system itself wins.
    let db = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{db_id}"),
            Some(&owner),
            Some(json!({ "rpo_minutes": 15 })),
        )
        .await
        .body;
    assert_eq!(db["effective"]["rpo_minutes"], 15);
    assert_eq!(db["effective"]["rpo_inherited"], false);
}

async fn dependency_cycles_are_refused_and_change_nothing(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let net = system(&app, &owner, &client, json!({ "name": "Network" })).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let db = system(
        &app,
        &owner,
        &client,
        json!({ "name": "Database", "depends_on": [net] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let erp = system(
        &app,
        &owner,
        &client,
        json!({ "name": "ERP", "depends_on": [db] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{net}"),
            Some(&owner),
            Some(json!({ "name": "Core network", "depends_on": [erp] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let msg = r.body["errors"]["depends_on"].as_str().unwrap();
    for name in ["ERP", "Database", "network"] {
        assert!(msg.contains(name), "{msg}");
    }
    let net_now = app
        .get(&format!("/api/v1/systems/{net}"), &owner)
        .await
        .body;
    assert_eq!(
        net_now["name"], "Network",
        "the refused change was rolled back whole"
    );
    assert!(net_now["depends_on"].as_array().unwrap().is_empty());

    // Another client's system cannot be a dependency.
    let garage = app.create_client(&owner, "Garage").await;
    let foreign = system(&app, &owner, &garage, json!({ "name": "Garage ERP" })).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{erp}"),
            Some(&owner),
            Some(json!({ "depends_on": [foreign] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn bad_system_input_is_refused(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let path = format!("/api/v1/clients/{client}/systems");
    let r = app.post(&path, Some(&owner), json!({ "name": "ERP", "criticality": "urgent", "rpo_minutes": 0, "kind": "mainframe" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["criticality", "rpo_minutes", "kind"] {
        assert!(r.body["errors"][field].is_string(), "{field}: {}", r.text);
    }
    let r = app
        .post(&path, Some(&owner), json!({ "criticality": "low" }))
        .await;
    assert_eq!(r.body["errors"]["name"], "is required");
    let r = app
        .post(&path, Some(&owner), json!({ "name": "ERP", "rpo": 60 }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {}",
        r.text
    );
    assert!(app
        .get(&path, &owner)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

async fn client_members_read_but_do_not_edit(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let id = system(&app, &owner, &client, json!({ "name": "ERP" })).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    let member = app
        .client_user(&owner, &client, "dirk@bakery.example", "client_member")
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/systems/{id}"), &member)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(&member),
            json!({ "name": "Sneaky" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/systems/{id}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The client admin keeps the plan together with the MSP.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{id}"),
            Some(&admin),
            Some(json!({ "criticality": "high" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
