//! Client CRUD as the MSP sees it, and what client users may and may not do.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

crate::both!(
    msp_staff_manage_clients,
    client_names_are_validated,
    client_users_cannot_create_or_change_clients,
    changes_are_audited,
    the_audit_trail_is_read_by_owners_and_admins,
);

async fn msp_staff_manage_clients(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    assert!(app
        .get("/api/v1/clients", &token)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    let bakery = app.create_client(&token, "Bakery").await;
    let _garage = app.create_client(&token, "Garage").await;
    let list = app.get("/api/v1/clients", &token).await.body;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bakery", "Garage"]);

    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{bakery}"),
            Some(&token),
            Some(json!({ "name": "Bakery Jansen", "notes": "24/7 production" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.get(&format!("/api/v1/clients/{bakery}"), &token).await;
    assert_eq!(r.body["name"], "Bakery Jansen");
    assert_eq!(r.body["notes"], "24/7 production");

    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{bakery}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{bakery}"), &token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/clients", &token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/clients/not-a-uuid", &token).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn client_names_are_validated(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    for bad in [json!({ "name": "   " }), json!({ "name": "x".repeat(201) })] {
        let r = app.post("/api/v1/clients", Some(&token), bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"]["name"].is_string());
    }
    let r = app
        .post("/api/v1/clients", Some(&token), json!({ "nome": "typo" }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let id = app.create_client(&token, "Bakery").await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{id}"),
            Some(&token),
            Some(json!({ "name": "" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{id}"), &token).await.body["name"],
        "Bakery"
    );
    assert_eq!(
        app.get("/api/v1/clients", &token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn client_users_cannot_create_or_change_clients(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let admin = app
        .client_user(&owner, &bakery, "carl@bakery.example", "client_admin")
        .await;

    let r = app
        .post("/api/v1/clients", Some(&admin), json!({ "name": "Sneaky" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{bakery}"),
            Some(&admin),
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{bakery}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // It can read its own company, and a client admin may invite colleagues.
    assert_eq!(
        app.get(&format!("/api/v1/clients/{bakery}"), &admin)
            .await
            .body["name"],
        "Bakery"
    );
    let member = app
        .client_user(&admin, &bakery, "dirk@bakery.example", "client_member")
        .await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&member),
            json!({ "email": "eve@bakery.example", "name": "Eve", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nobody is invited into an MSP role through a client.
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "x@bakery.example", "name": "X", "role": "msp_owner" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/clients", &owner)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn changes_are_audited(app: TestApp) {
    let (owner, signup) = app.signup("Acme IT", "ann@acme.example").await;
    let id = app.create_client(&owner, "Bakery").await;
    app.call(
        Method::PATCH,
        &format!("/api/v1/clients/{id}"),
        Some(&owner),
        Some(json!({ "name": "Bakery BV" })),
    )
    .await;
    app.call(
        Method::DELETE,
        &format!("/api/v1/clients/{id}"),
        Some(&owner),
        None,
    )
    .await;
    use app::ssr::entity::audit_log;
    use sea_orm::{EntityTrait, QueryOrder};
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::At)
        .all(&app.db)
        .await
        .unwrap();
    let client_rows: Vec<_> = rows
        .iter()
        .filter(|r| r.action.starts_with("client."))
        .collect();
    let actions: Vec<&str> = client_rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["client.create", "client.update", "client.delete"]);
    let msp_id: uuid::Uuid = signup["msp"]["id"].as_str().unwrap().parse().unwrap();
    let user_id: uuid::Uuid = signup["user"]["id"].as_str().unwrap().parse().unwrap();
    for r in client_rows {
        assert_eq!(r.msp_id, Some(msp_id));
        assert_eq!(r.actor_user_id, Some(user_id));
        assert_eq!(r.client_id, Some(id.parse().unwrap()));
    }
}

/// `GET /api/v1/audit`: newest first, named, a page at a time; owners and admins only, and only
/// their own MSP's trail.
async fn the_audit_trail_is_read_by_owners_and_admins(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let id = app.create_client(&owner, "Bakery").await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{id}"),
            Some(&owner),
            Some(json!({ "name": "Bakery BV" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = app.get("/api/v1/audit", &owner).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let first = &page.body["entries"][0];
    assert_eq!(first["action"], "client.update");
    assert_eq!(first["subject"], "Bakery BV");
    assert_eq!(first["actor"], "Owner");
    assert_eq!(first["client"], "Bakery BV");
    assert_eq!(first["outcome"], "ok");
    assert!(page.body["next_before"].is_null(), "one page holds it all");

    // A page at a time.
    let one = app.get("/api/v1/audit?limit=1", &owner).await.body;
    assert_eq!(one["entries"].as_array().unwrap().len(), 1);
    let before = one["next_before"].as_str().unwrap();
    let next = app
        .get(
            &format!(
                "/api/v1/audit?limit=1&before={}",
                before.replace('+', "%2B")
            ),
            &owner,
        )
        .await
        .body;
    assert_eq!(next["entries"][0]["action"], "client.create");
    let r = app.get("/api/v1/audit?before=yesterday", &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // A technician reads no trail; another MSP reads only its own.
    let tech = app
        .invited(
            &owner,
            "/api/v1/staff",
            json!({ "email": "tom@acme.example", "name": "Tom", "role": "msp_technician" }),
        )
        .await;
    let tech = tech.body["token"].as_str().unwrap().to_string();
    let r = app.get("/api/v1/audit", &tech).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let (other, _) = app.signup("Other IT", "olly@other.example").await;
    let theirs = app.get("/api/v1/audit", &other).await.body;
    let entries = theirs["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e["actor"] == "Owner" && e["client"].is_null()),
        "{theirs}"
    );
    assert!(entries.iter().all(|e| e["subject"] != "Bakery BV"));
}
