//! A heartbeat key lets whoever holds it report good backups, so it is shown to MSP staff only,
//! staff can replace it, and it is never part of the plan people read, sign and print.
use crate::helpers::TestApp;
use app::ssr::entity::plan_version;
use migrations::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

crate::both!(
    heartbeat_keys_are_for_msp_staff_only,
    staff_replace_a_key_and_the_old_one_stops,
    approved_versions_and_exports_carry_no_keys,
);

struct Setup {
    owner: String,
    admin: String,
    member: String,
    client: String,
    system: String,
    key: String,
}

async fn setup(app: &TestApp) -> Setup {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(&owner),
            json!({ "name": "ERP", "rpo_minutes": 60 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let system = r.body["id"].as_str().unwrap().to_string();
    let key = r.body["ping_key"]
        .as_str()
        .expect("staff see the key")
        .to_string();
    let admin = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    let member = app
        .client_user(&owner, &client, "mia@bakery.example", "client_member")
        .await;
    Setup {
        owner,
        admin,
        member,
        client,
        system,
        key,
    }
}

async fn heartbeat_keys_are_for_msp_staff_only(app: TestApp) {
    let s = setup(&app).await;
    for token in [&s.admin, &s.member] {
        let r = app
            .get(&format!("/api/v1/systems/{}", s.system), token)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.get("ping_key").is_none(), "{}", r.text);
        let r = app
            .get(&format!("/api/v1/clients/{}/systems", s.client), token)
            .await;
        assert!(!r.text.contains(&s.key));
        let r = app
            .get(&format!("/api/v1/clients/{}/status", s.client), token)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.text.contains(&s.key), "{}", r.text);
        let r = app
            .get(&format!("/api/v1/clients/{}/plan", s.client), token)
            .await;
        assert!(!r.text.contains(&s.key));
    }
    let r = app
        .get(&format!("/api/v1/clients/{}/status", s.client), &s.owner)
        .await;
    assert_eq!(r.body["systems"][0]["ping_key"], s.key.as_str());
}

async fn staff_replace_a_key_and_the_old_one_stops(app: TestApp) {
    let s = setup(&app).await;
    let rotate = format!("/api/v1/systems/{}/ping-key", s.system);
    assert_eq!(
        app.post(&rotate, Some(&s.admin), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let (outsider, _) = app.signup("Other IT", "oscar@other.example").await;
    assert_eq!(
        app.post(&rotate, Some(&outsider), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let ping = |key: String| {
        let app = &app;
        async move {
            app.send(app.http.get(app.url(&format!("/ping/{key}"))))
                .await
                .status
        }
    };
    assert_eq!(ping(s.key.clone()).await, StatusCode::OK);
    let r = app.post(&rotate, Some(&s.owner), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = r.body["ping_key"].as_str().unwrap().to_string();
    assert_ne!(fresh, s.key);
    assert_eq!(
        ping(s.key.clone()).await,
        StatusCode::NOT_FOUND,
        "the old key stops"
    );
    assert_eq!(ping(fresh.clone()).await, StatusCode::OK);
    assert_eq!(ping("k".repeat(5000)).await, StatusCode::NOT_FOUND);
    // The server keeps which client a key belongs to; a removed system's key stops at once all
    // the same.
    let r = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/systems/{}", s.system),
            Some(&s.owner),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(ping(fresh).await, StatusCode::NOT_FOUND);
}

async fn approved_versions_and_exports_carry_no_keys(app: TestApp) {
    let s = setup(&app).await;
    let versions = format!("/api/v1/clients/{}/plan/versions", s.client);
    let r = app.post(&versions, Some(&s.admin), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let stored = plan_version::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.snapshot.contains("ping_key"), "{}", stored.snapshot);
    for path in [
        "plan/export.html?lang=en",
        "plan/export.html?lang=en&version=1",
        "plan/versions/1",
    ] {
        let r = app
            .get(&format!("/api/v1/clients/{}/{path}", s.client), &s.owner)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.text.contains(&s.key), "{path} shows the key");
    }
    // A version approved before this release still holds its keys; the upgrade removes them.
    let mut old: plan_version::ActiveModel = stored.clone().into();
    let mut doc: serde_json::Value = serde_json::from_str(&stored.snapshot).unwrap();
    doc["systems"][0]["ping_key"] = json!(s.key);
    old.snapshot = Set(doc.to_string());
    old.update(&app.db).await.unwrap();
    // Back to before migration 14, and up again.
    let after_13 = (Migrator::migrations().len() - 13) as u32;
    Migrator::down(&app.db, Some(after_13)).await.unwrap();
    Migrator::up(&app.db, None).await.unwrap();
    let upgraded = plan_version::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!upgraded.snapshot.contains(&s.key));
    let doc: serde_json::Value = serde_json::from_str(&upgraded.snapshot).unwrap();
    assert_eq!(doc["systems"][0]["name"], "ERP", "the rest is kept");
}
