//! The MSP's team: staff are invited as admins or technicians, roles change, and the MSP always
//! keeps an owner, also when two owners demote each other at the same moment.
use crate::helpers::{Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    staff_are_invited_and_their_roles_changed,
    the_last_owner_stays_an_owner,
);

async fn patch(app: &TestApp, token: &str, id: &str, role: &str) -> Resp {
    app.call(
        Method::PATCH,
        &format!("/api/v1/staff/{id}"),
        Some(token),
        Some(json!({ "role": role })),
    )
    .await
}

/// Invites a staff member with `role` and accepts; returns (token, user id).
async fn hire(app: &TestApp, by: &str, email: &str, role: &str) -> (String, String) {
    let name = email.split('@').next().unwrap();
    let body = json!({ "email": email, "name": name, "role": role });
    let r = app.invited(by, "/api/v1/staff", body).await;
    let token = r.body["token"].as_str().unwrap().to_string();
    let id = r.body["user"]["id"].as_str().unwrap().to_string();
    (token, id)
}

fn role_of(team: &Value, id: &str) -> String {
    team.as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .map(|u| u["role"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn staff_are_invited_and_their_roles_changed(app: TestApp) {
    let (ann, body) = app.signup("Acme IT", "ann@acme.example").await;
    let ann_id = body["user"]["id"].as_str().unwrap().to_string();
    let (bob, _) = app.signup("Bolt IT", "bob@bolt.example").await;
    let team = app.get("/api/v1/staff", &ann).await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.text);
    assert_eq!(role_of(&team.body, &ann_id), "msp_owner");

    // Owners are made by promotion, client roles by the client invitation.
    for role in ["msp_owner", "client_admin", "root"] {
        let r = app
            .post(
                "/api/v1/staff",
                Some(&ann),
                json!({ "email": "x@acme.example", "name": "X", "role": role }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{role}");
        assert!(r.body["errors"]["role"].is_string(), "{}", r.text);
    }
    let (tom, tom_id) = hire(&app, &ann, "tom@acme.example", "msp_technician").await;
    assert_eq!(
        app.get("/api/v1/me", &tom).await.body["role"],
        "msp_technician"
    );

    // A technician sees the team but does not manage it.
    let team = app.get("/api/v1/staff", &tom).await;
    assert_eq!(team.status, StatusCode::OK);
    assert_eq!(team.body.as_array().unwrap().len(), 2, "{}", team.text);
    let r = app
        .post(
            "/api/v1/staff",
            Some(&tom),
            json!({ "email": "y@acme.example", "name": "Y", "role": "msp_technician" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        patch(&app, &tom, &tom_id, "msp_admin").await.status,
        StatusCode::FORBIDDEN
    );

    // Another MSP sees none of it: its team is its own, Acme's people are 404 to it.
    let theirs = app.get("/api/v1/staff", &bob).await.body;
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    assert_eq!(
        patch(&app, &bob, &tom_id, "msp_admin").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        patch(&app, &bob, "not-a-uuid", "msp_admin").await.status,
        StatusCode::NOT_FOUND
    );
    // Client users are not staff.
    let bakery = app.create_client(&ann, "Bakery").await;
    let carl = app
        .client_user(&ann, &bakery, "carl@bakery.example", "client_admin")
        .await;
    let carl_id = app.get("/api/v1/me", &carl).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        patch(&app, &ann, &carl_id, "msp_admin").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/staff", &carl).await.status,
        StatusCode::FORBIDDEN
    );

    // Promotion takes effect on the next request.
    let r = patch(&app, &ann, &tom_id, "msp_admin").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["role"], "msp_admin");
    assert_eq!(app.get("/api/v1/me", &tom).await.body["role"], "msp_admin");
    let r = patch(&app, &ann, &tom_id, "client_member").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // An admin manages technicians and admins, but not owners.
    let (_, una_id) = hire(&app, &tom, "una@acme.example", "msp_technician").await;
    assert_eq!(
        patch(&app, &tom, &una_id, "msp_admin").await.status,
        StatusCode::OK
    );
    assert_eq!(
        patch(&app, &tom, &ann_id, "msp_admin").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        patch(&app, &tom, &tom_id, "msp_owner").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &format!("/api/v1/users/{ann_id}/disable"),
            Some(&tom),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Every change is in the audit log.
    use app::ssr::entity::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let changes = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("user.role"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(changes, 2);
}

async fn the_last_owner_stays_an_owner(app: TestApp) {
    let (ann, body) = app.signup("Acme IT", "ann@acme.example").await;
    let ann_id = body["user"]["id"].as_str().unwrap().to_string();
    let r = patch(&app, &ann, &ann_id, "msp_admin").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.body["detail"].as_str().unwrap().contains("last owner"));

    let (tom, tom_id) = hire(&app, &ann, "tom@acme.example", "msp_admin").await;
    assert_eq!(
        patch(&app, &ann, &tom_id, "msp_owner").await.status,
        StatusCode::OK
    );
    // Two owners demote each other at the same moment: one of them stays owner.
    for round in 0..3 {
        let (a, b) = tokio::join!(
            patch(&app, &ann, &tom_id, "msp_admin"),
            patch(&app, &tom, &ann_id, "msp_admin"),
        );
        // The loser is refused as the last owner (409), or, when the winner's change came
        // first, as no longer an owner at all (403).
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert!(
            statuses == [200, 409] || statuses == [200, 403],
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        let team = app.get("/api/v1/staff", &ann).await;
        let team = if team.status == StatusCode::OK {
            team
        } else {
            app.get("/api/v1/staff", &tom).await
        };
        let owners: Vec<&Value> = team
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "msp_owner")
            .collect();
        assert_eq!(owners.len(), 1, "{}", team.text);
        // The demoted one is made owner again for the next round.
        let (owner, demoted) = if owners[0]["id"] == ann_id.as_str() {
            (&ann, &tom_id)
        } else {
            (&tom, &ann_id)
        };
        assert_eq!(
            patch(&app, owner, demoted, "msp_owner").await.status,
            StatusCode::OK
        );
    }
    // Two owners disabling each other at once: likewise.
    let (off_tom, off_ann) = (
        format!("/api/v1/users/{tom_id}/disable"),
        format!("/api/v1/users/{ann_id}/disable"),
    );
    let (a, b) = tokio::join!(
        app.post(&off_tom, Some(&ann), json!({})),
        app.post(&off_ann, Some(&tom), json!({})),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert!(
        statuses == [204, 409] || statuses == [204, 401],
        "{statuses:?}: {} / {}",
        a.text,
        b.text
    );
}
