//! The customer part (groups, messages, service desk, talking points), incident impact, and the
//! template library: shipped templates, the MSP's own, and plans started from them.
use crate::helpers::{gaps, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    customer_groups_follow_processes_and_answer_impact,
    messages_refuse_unknown_placeholders,
    new_client_starts_from_a_template,
    msp_builds_its_own_template_library,
    templates_and_customer_groups_stay_in_their_tenant,
);

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.post(path, Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn customer_groups_follow_processes_and_answer_impact(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let base = format!("/api/v1/clients/{client}");
    let db = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "SQL server", "criticality": "critical" }),
    )
    .await;
    let erp = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "ERP", "depends_on": [db] }),
    )
    .await;
    let mail = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "Mail" }),
    )
    .await;
    let orders = created(
        &app,
        &owner,
        &format!("{base}/processes"),
        json!({ "name": "Orders", "systems": [erp] }),
    )
    .await;
    let internal = created(
        &app,
        &owner,
        &format!("{base}/processes"),
        json!({ "name": "Internal mail", "systems": [mail] }),
    )
    .await;
    let shops = created(
        &app,
        &owner,
        &format!("{base}/customer-groups"),
        json!({ "name": "Shops", "contact": "Account manager, 020 555 0100", "processes": [orders] }),
    )
    .await;

    // The database being down reaches ERP, so orders, so the shops.
    let r = app
        .get(&format!("{base}/plan/impact?systems={db}"), &owner)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["customers_affected"], true);
    let names: Vec<&str> = r.body["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ERP", "SQL server"]);
    assert_eq!(r.body["processes"][0]["name"], "Orders");
    assert_eq!(r.body["customer_groups"][0]["name"], "Shops");
    // Mail down touches no customer.
    let r = app
        .get(&format!("{base}/plan/impact?systems={mail}"), &owner)
        .await;
    assert_eq!(r.body["customers_affected"], false);
    assert_eq!(r.body["processes"][0]["id"], internal.as_str());
    // An id that is not this client's system is bad input.
    let r = app
        .get(&format!("{base}/plan/impact?systems={client}"), &owner)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .get(&format!("{base}/plan/impact?systems=nonsense"), &owner)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["systems"]
        .as_str()
        .unwrap()
        .contains("nonsense"));

    // A group cannot point at a process of nobody; deleting a process drops the link.
    let r = app
        .post(
            &format!("{base}/customer-groups"),
            Some(&owner),
            json!({ "name": "X", "processes": [db] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.call(
        Method::DELETE,
        &format!("/api/v1/processes/{orders}"),
        Some(&owner),
        None,
    )
    .await;
    let g = app
        .get(&format!("/api/v1/customer-groups/{shops}"), &owner)
        .await;
    assert_eq!(g.body["processes"], json!([]));
    let p = app.get(&format!("{base}/plan"), &owner).await.body;
    assert!(
        gaps(&p).contains(&"customer_group_without_processes".to_string()),
        "{:?}",
        gaps(&p)
    );
}

async fn messages_refuse_unknown_placeholders(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let plan = format!("/api/v1/clients/{client}/plan");
    let before = app.get(&plan, &owner).await.body;
    for code in [
        "no_customer_message",
        "no_talking_points",
        "no_service_desk_overflow",
        "no_customer_group",
    ] {
        assert!(gaps(&before).contains(&code.to_string()), "{code}");
    }

    let bad = json!({ "messages": [{ "kind": "first_notice", "subject": "Outage at {client}", "body": "Since {strated_at}" }] });
    let r = app
        .call(Method::PATCH, &plan, Some(&owner), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body["errors"]["messages"]
            .as_str()
            .unwrap()
            .contains("{strated_at}"),
        "{}",
        r.text
    );
    assert_eq!(
        app.get(&plan, &owner).await.body["communication"]["messages"],
        json!([]),
        "nothing changed"
    );

    let good = json!({
        "messages": [
            { "kind": "resolved", "subject": "Resolved", "body": "{affected} work again." },
            { "kind": "first_notice", "subject": "Outage at {client}", "body": "Since {started_at}: {incident}." },
            { "kind": "update", "subject": "Update", "body": "Next update by {next_update}." }
        ],
        "talking_points": { "say": ["What customers notice", "  "], "avoid": ["Guesses about the cause"] },
        "service_desk": { "overflow_name": "HelpDesk BV", "overflow_phone": "+31 20 555 0199", "switch_when": "10 calls waiting" },
        "scenarios": [{ "name": "Ransomware", "steps": ["Unplug", "Call the MSP"] }]
    });
    let r = app
        .call(Method::PATCH, &plan, Some(&owner), Some(good))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let after = app.get(&plan, &owner).await.body;
    let kinds: Vec<&str> = after["communication"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["first_notice", "update", "resolved"]);
    assert_eq!(
        after["communication"]["talking_points"]["say"],
        json!(["What customers notice"])
    );
    assert_eq!(after["scenarios"][0]["steps"][1], "Call the MSP");
    for code in [
        "no_customer_message",
        "no_talking_points",
        "no_service_desk_overflow",
    ] {
        assert!(!gaps(&after).contains(&code.to_string()), "{code}");
    }
    let r = app
        .call(
            Method::PATCH,
            &plan,
            Some(&owner),
            Some(json!({ "service_desk": { "overflow_phone": "ring ring" } })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn new_client_starts_from_a_template(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let r = app
        .post(
            "/api/v1/clients",
            Some(&owner),
            json!({ "name": "Bakkerij", "template": "builtin-nl" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let client = r.body["id"].as_str().unwrap().to_string();
    let plan = app
        .get(&format!("/api/v1/clients/{client}/plan"), &owner)
        .await
        .body;
    assert_eq!(plan["sections"][0]["title"], "Doel");
    assert_eq!(plan["processes"].as_array().unwrap().len(), 3);
    assert_eq!(
        plan["communication"]["messages"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        plan["customer_groups"][0]["processes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(plan["settings"]["email_down_rule"]
        .as_str()
        .unwrap()
        .starts_with("Als e-mail eruit ligt"));

    // Applying again adds nothing twice.
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/plan/apply-template"),
            Some(&owner),
            json!({ "template_id": "builtin-en" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["sections"][0]["title"], "Doel",
        "filled texts are kept"
    );
    assert_eq!(
        r.body["processes"].as_array().unwrap().len(),
        6,
        "English processes have other names"
    );
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/plan/apply-template"),
            Some(&owner),
            json!({ "template_id": "builtin-en" }),
        )
        .await;
    assert_eq!(r.body["processes"].as_array().unwrap().len(), 6);

    // An unknown template is refused before the client is created.
    let r = app
        .post(
            "/api/v1/clients",
            Some(&owner),
            json!({ "name": "Ghost", "template": "builtin-fr" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let clients = app.get("/api/v1/clients", &owner).await.body;
    let list = clients
        .as_array()
        .or_else(|| clients["items"].as_array())
        .unwrap()
        .clone();
    assert!(!list.iter().any(|c| c["name"] == "Ghost"));
}

async fn msp_builds_its_own_template_library(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let list = app.get("/api/v1/templates", &owner).await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["builtin-en", "builtin-nl"]);

    // A copy of the shipped one, adapted; the shipped one itself is read-only.
    let own = created(
        &app,
        &owner,
        "/api/v1/templates",
        json!({ "name": "Acme retail", "from_template": "builtin-en" }),
    )
    .await;
    let r = app
        .call(
            Method::PATCH,
            "/api/v1/templates/builtin-en",
            Some(&owner),
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let body = json!({
        "processes": [{ "name": "Till", "rto_minutes": 30, "rpo_minutes": 5 }],
        "customer_groups": [{ "name": "Walk-in", "processes": ["Till"] }],
        "messages": [{ "kind": "first_notice", "subject": "Closed", "body": "{client} is closed until {next_update}." }]
    });
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/templates/{own}"),
            Some(&owner),
            Some(json!({ "body": body })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let bad = json!({ "customer_groups": [{ "name": "Walk-in", "processes": ["Nope"] }] });
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/templates/{own}"),
            Some(&owner),
            Some(json!({ "body": bad })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["body.customer_groups"]
        .as_str()
        .unwrap()
        .contains("Nope"));

    let client = app.create_client(&owner, "Shop").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/plan/apply-template"),
            Some(&owner),
            json!({ "template_id": own }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["processes"][0]["name"], "Till");
    assert_eq!(r.body["processes"][0]["rto_minutes"], 30);
    assert_eq!(
        r.body["customer_groups"][0]["processes"][0],
        r.body["processes"][0]["id"]
    );

    // What worked at a client becomes a template; a deleted template is gone.
    let from = created(
        &app,
        &owner,
        "/api/v1/templates",
        json!({ "name": "From shop", "lang": "nl", "from_client_id": client }),
    )
    .await;
    let t = app
        .get(&format!("/api/v1/templates/{from}"), &owner)
        .await
        .body;
    assert_eq!(t["lang"], "nl");
    assert_eq!(
        t["body"]["customer_groups"][0]["processes"],
        json!(["Till"])
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/templates/{from}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/templates/{from}"), &owner)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            "/api/v1/templates",
            Some(&owner),
            json!({ "name": "X", "lang": "de" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn templates_and_customer_groups_stay_in_their_tenant(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (other, _) = app.signup("Rival IT", "rita@rival.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let sibling = app.create_client(&owner, "Butcher").await;
    let member = app
        .client_user(&owner, &sibling, "sam@butcher.example", "client_admin")
        .await;
    let t = created(&app, &owner, "/api/v1/templates", json!({ "name": "Ours" })).await;
    let g = created(
        &app,
        &owner,
        &format!("/api/v1/clients/{client}/customer-groups"),
        json!({ "name": "Shops" }),
    )
    .await;

    for token in [&other, &member] {
        for path in [
            format!("/api/v1/customer-groups/{g}"),
            format!("/api/v1/clients/{client}/customer-groups"),
            format!("/api/v1/clients/{client}/plan/impact?systems="),
        ] {
            assert_eq!(
                app.get(&path, token).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/customer-groups/{g}"),
                Some(token),
                Some(json!({ "name": "Mine" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &format!("/api/v1/clients/{client}/plan/apply-template"),
                Some(token),
                json!({ "template_id": "builtin-en" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.get(&format!("/api/v1/templates/{t}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/templates/{t}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/templates", &other)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Templates are the MSP's tooling: client users have no library.
    assert_eq!(
        app.get("/api/v1/templates", &member).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v1/customer-groups/{g}"), &owner)
            .await
            .body["name"],
        "Shops"
    );
}
