//! Inviting client users and accepting invites.
use crate::helpers::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

crate::both!(
    invite_and_accept,
    invite_tokens_work_once_and_are_stored_hashed,
    invite_answers_alike_and_never_sets_a_password,
    expired_invites_block_nothing_and_races_are_answered,
    disabling_someone_is_one_msps_affair,
);

/// Bob runs Bolt IT and is also a client admin at one of Acme's clients. When Acme disables
/// him, his Acme sessions end and Acme's lists show him inactive, but his own MSP is not
/// Acme's to lock: he still signs in there, and his Bolt session goes on.
async fn disabling_someone_is_one_msps_affair(app: TestApp) {
    let (acme, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (bob_at_bolt, _) = app.signup("Bolt IT", "bob@bolt.example").await;
    let bakery = app.create_client(&acme, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&acme),
            json!({ "email": "bob@bolt.example", "name": "Bob", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body["invite_token"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/invites/{token}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let bob_at_acme = r.body["token"].as_str().unwrap().to_string();
    let bob = app.get("/api/v1/me", &bob_at_acme).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = app
        .post(
            &format!("/api/v1/users/{bob}/disable"),
            Some(&acme),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);

    // Acme: his session there ends, its list shows him inactive, he cannot switch back in.
    let r = app.get("/api/v1/me", &bob_at_acme).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let people = app
        .get(&format!("/api/v1/clients/{bakery}/users"), &acme)
        .await;
    let listed = people
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == bob.as_str());
    assert_eq!(listed.unwrap()["active"], false, "{}", people.text);
    // Bolt: his own MSP goes on, by the session he had and by a new sign-in.
    let me = app.get("/api/v1/me", &bob_at_bolt).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["msp"]["name"], "Bolt IT");
    assert_eq!(
        me.body["memberships"].as_array().unwrap().len(),
        1,
        "{}",
        me.text
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "bob@bolt.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/me", &fresh).await.body["msp"]["name"],
        "Bolt IT"
    );
    assert_eq!(
        app.get("/api/v1/clients", &fresh).await.status,
        StatusCode::OK
    );
    // Acme's client admin is no longer reachable through him.
    let r = app.get(&format!("/api/v1/clients/{bakery}"), &fresh).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Someone with no other MSP is shut out altogether, with the words of a wrong password.
    let carl = app
        .client_user(&acme, &bakery, "carl@bakery.example", "client_member")
        .await;
    let carl_id = app.get("/api/v1/me", &carl).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/users/{carl_id}/disable"),
            Some(&acme),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(r.body["detail"], "wrong e-mail address or password");
}

async fn invite_and_accept(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "Carl@Bakery.example", "name": "Carl", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["user"]["email"], "carl@bakery.example");
    assert_eq!(r.body["user"]["active"], false);
    let invite = r.body["invite_token"].as_str().unwrap().to_string();
    assert!(invite.len() >= 40);

    // Not yet accepted: there is no password to sign in with.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": "short" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(r.body["user"]["role"], "client_admin");
    let me = app.get("/api/v1/me", token).await.body;
    assert_eq!(me["client"]["id"], bakery.as_str());
    assert_eq!(me["msp"]["name"], "Acme IT");

    let users = app
        .get(&format!("/api/v1/clients/{bakery}/users"), &owner)
        .await
        .body;
    assert_eq!(users[0]["active"], true);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn invite_tokens_work_once_and_are_stored_hashed(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "carl@bakery.example", "name": "Carl", "role": "client_member" }),
        )
        .await;
    let invite = r.body["invite_token"].as_str().unwrap().to_string();
    use sea_orm::EntityTrait;
    let row = app::ssr::entity::invitation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.token_hash, invite);
    assert_eq!(row.token_hash, app::ssr::auth::sha256_hex(&invite));

    let first = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let again = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": "another password" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let bogus = app
        .post(
            "/api/v1/invites/nope/accept",
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
    // The first password still holds.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// An address with an account elsewhere is invited like any other address; accepting needs that
/// account's own password and never changes it.
async fn invite_answers_alike_and_never_sets_a_password(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (bob_at_bolt, _) = app.signup("Bolt IT", "bob@bolt.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let invite = |email: &'static str| {
        let (app, owner, bakery) = (&app, &owner, &bakery);
        async move {
            app.post(
                &format!("/api/v1/clients/{bakery}/users"),
                Some(owner),
                json!({ "email": email, "name": "Someone", "role": "client_admin" }),
            )
            .await
        }
    };
    let fresh = invite("new@bakery.example").await;
    let known = invite("bob@bolt.example").await;
    assert_eq!(known.status, StatusCode::CREATED, "{}", known.text);
    assert_eq!(fresh.status, known.status);
    assert_eq!(fresh.body["user"]["active"], known.body["user"]["active"]);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v["user"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&fresh.body), keys(&known.body), "the same answer");
    // Someone of this MSP itself is known to it, and is not invited twice.
    let own = invite("ann@acme.example").await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        own.body["errors"]["email"],
        "already has an account with you"
    );

    let token = known.body["invite_token"].as_str().unwrap().to_string();
    let accept = |password: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                &format!("/api/v1/invites/{token}/accept"),
                None,
                json!({ "password": password }),
            )
            .await
        }
    };
    // A stranger holding the link cannot set Bob's password.
    let r = accept("a brand new password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let login = |password: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                json!({ "email": "bob@bolt.example", "password": password }),
            )
            .await
            .status
        }
    };
    assert_eq!(
        login("a brand new password").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login(PASSWORD).await, StatusCode::OK);
    // Bob accepts with his own password: he joins the bakery, and still has his own MSP.
    let r = accept(PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let in_bakery = r.body["token"].as_str().unwrap();
    let me = app.get("/api/v1/me", in_bakery).await.body;
    assert_eq!(me["client"]["id"], bakery.as_str());
    assert_eq!(me["role"], "client_admin");
    let me = app.get("/api/v1/me", &bob_at_bolt).await.body;
    assert_eq!(me["msp"]["name"], "Bolt IT");
    assert_eq!(
        login(PASSWORD).await,
        StatusCode::OK,
        "his password is unchanged"
    );
    // One account, two places: /me lists both and the session switches between them.
    let me = app.get("/api/v1/me", in_bakery).await.body;
    let places = me["memberships"].as_array().unwrap();
    assert_eq!(places.len(), 2, "{me}");
    let bolt = places.iter().find(|m| m["msp_name"] == "Bolt IT").unwrap();
    let r = app
        .post(
            "/api/v1/auth/switch",
            Some(in_bakery),
            json!({ "membership_id": bolt["id"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let back = r.body["token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/me", back).await.body["msp"]["name"],
        "Bolt IT"
    );
    let ann = app.get("/api/v1/me", &owner).await.body;
    let r = app
        .post(
            "/api/v1/auth/switch",
            Some(back),
            json!({ "membership_id": ann["memberships"][0]["id"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not his to switch to");
}

/// An invitation that expired blocks nothing; one still open blocks a second, also when both
/// are sent at the same moment; sign-ups at the same moment get one account.
async fn expired_invites_block_nothing_and_races_are_answered(app: TestApp) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let send = || {
        let (app, owner, bakery) = (&app, &owner, &bakery);
        async move {
            app.post(
                &format!("/api/v1/clients/{bakery}/users"),
                Some(owner),
                json!({ "email": "carl@bakery.example", "name": "Carl", "role": "client_member" }),
            )
            .await
        }
    };
    let answers = futures::future::join_all((0..4).map(|_| send())).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [201, 409, 409, 409],
        "{:?}",
        answers.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let first = answers
        .iter()
        .find(|r| r.status == StatusCode::CREATED)
        .unwrap();
    let old_token = first.body["invite_token"].as_str().unwrap().to_string();
    // It expires unanswered.
    let row = app::ssr::entity::invitation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut expired: app::ssr::entity::invitation::ActiveModel = row.into();
    expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::hours(1));
    expired.update(&app.db).await.unwrap();
    let r = app
        .post(
            &format!("/api/v1/invites/{old_token}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // A new invitation to the same address goes out, and works.
    let again = send().await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    let token = again.body["invite_token"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/invites/{token}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let signups = (0..4).map(|_| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/signup",
                None,
                json!({ "msp_name": "Race IT", "name": "Rita", "email": "rita@race.example", "password": PASSWORD }),
            )
            .await
        }
    });
    let answers = futures::future::join_all(signups).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 422, 422, 422]);
    for r in answers
        .iter()
        .filter(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY)
    {
        assert_eq!(r.body["errors"]["email"], "is already registered");
    }
}
