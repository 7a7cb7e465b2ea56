//! The upsell half: the service catalog (starter tiers, who changes it, what it refuses) and
//! the recommendations drawn from each client's targets and backup policies.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    the_catalog_starts_with_three_tiers_once_and_owners_and_admins_change_it,
    recommendations_name_the_cheapest_tier_that_keeps_each_target,
    an_offer_is_sent_viewed_and_accepted_by_the_client_admin_and_billed_by_hand,
    offers_are_declined_expire_and_stay_with_their_tenant,
);

/// A client with an ERP whose daily backup cannot keep its 60-minute RPO; returns (owner token,
/// client id, ERP id, the tier recommended for it).
pub(crate) async fn erp_short_of_its_rpo(
    app: &TestApp,
    msp: &str,
    email: &str,
) -> (String, String, String, String) {
    let (owner, _) = app.signup(msp, email).await;
    let client = app.create_client(&owner, "Bakery").await;
    let daily = json!({ "method": "agent_to_disk", "interval_minutes": 1440, "job_minutes": 60,
                         "offsite_interval_minutes": 1440, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null });
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(&owner),
            json!({ "name": "ERP", "rpo_minutes": 60, "rto_minutes": 240, "criticality": "high", "policy": daily }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let erp = r.body["id"].as_str().unwrap().to_string();
    let recs = app
        .get(&format!("/api/v1/clients/{client}/recommendations"), &owner)
        .await;
    let tier = recs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["systems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == erp.as_str())
        })
        .map(|i| i["tier_id"].as_str().unwrap().to_string())
        .expect("the ERP is recommended a tier");
    (owner, client, erp, tier)
}

/// Two clicks turn the recommendation into an offer (drafted, then sent: the client admin is
/// e-mailed through the outbox). The client admin reads it (viewed) with the reasons, a client
/// member may read but not answer, and the admin accepts: a subscription billed by hand, the ERP
/// on the tier with its policy, so the recommendation no longer lists it. Every step is audited
/// and the month's invoice lines name it, with a formula-like client name made harmless.
async fn an_offer_is_sent_viewed_and_accepted_by_the_client_admin_and_billed_by_hand(app: TestApp) {
    use app::ssr::entity::notification;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (owner, client, erp, tier) =
        erp_short_of_its_rpo(&app, "Acme IT", "ann@acme.example").await;
    let offers = format!("/api/v1/clients/{client}/offers");
    // A client whose name reads like a spreadsheet formula (the invoice lines must keep it text).
    // Renamed first, before anything else runs for this client in the background.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{client}"),
            Some(&owner),
            Some(json!({ "name": "=HYPERLINK(\"x\")" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;

    // Refused: no tier, a tier of no catalog, a system the tier is not recommended for.
    let r = app.post(&offers, Some(&owner), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .post(
            &offers,
            Some(&owner),
            json!({ "tier_id": uuid::Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .post(
            &offers,
            Some(&owner),
            json!({ "tier_id": tier, "system_ids": [uuid::Uuid::new_v4()] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // Client users do not make offers.
    let r = app
        .post(&offers, Some(&admin), json!({ "tier_id": tier }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // The tier is priced per TB too: the offer's monthly amount holds each system's share.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/catalog/tiers/{tier}"),
            Some(&owner),
            Some(json!({ "price_per_tb_cents": 1_000 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let unit = r.body["price_per_system_cents"].as_i64().unwrap();
    let r = app
        .post(
            &offers,
            Some(&owner),
            json!({ "tier_id": tier, "note": "Includes setup." }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let offer = r.body["id"].as_str().unwrap().to_string();
    let monthly = r.body["monthly_price_cents"].as_i64().unwrap();
    assert_eq!(
        monthly,
        unit + 196,
        "200 GB at 10.00 per TB, rounded up to the cent"
    );
    // A second click makes no second offer of the same tier.
    let again = app
        .post(&offers, Some(&owner), json!({ "tier_id": tier }))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(r.body["state"], "draft");
    assert_eq!(r.body["quantity"], 1);
    assert!(r.body["monthly_price_cents"].as_i64().unwrap() > 0);
    assert!(r.body["systems"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("RPO of 60 min"));
    // A draft is the MSP's own: the client sees nothing yet, and cannot answer it.
    let r = app.get(&offers, &admin).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0), "{}", r.text);
    let accept = format!("/api/v1/offers/{offer}/accept");
    assert_eq!(
        app.post(&accept, Some(&admin), json!({})).await.status,
        StatusCode::NOT_FOUND
    );

    let r = app
        .post(
            &format!("/api/v1/offers/{offer}/send"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (
            r.body["offer"]["state"].as_str(),
            r.body["emailed"].as_u64()
        ),
        (Some("sent"), Some(1))
    );
    let queued = notification::Entity::find()
        .filter(notification::Column::Target.eq("boss@bakery.example"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert!(
        queued[0].subject.contains("HYPERLINK") && queued[0].body.contains("/home"),
        "{:?}",
        queued[0]
    );
    let again = app
        .post(
            &format!("/api/v1/offers/{offer}/send"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    // The client reads it: viewed, with the reasons in Dutch for a Dutch reader.
    let r = app
        .send(
            app.http
                .get(app.url(&offers))
                .bearer_auth(&admin)
                .header("accept-language", "nl"),
        )
        .await;
    assert_eq!(r.body[0]["state"], "viewed", "{}", r.text);
    assert!(r.body[0]["systems"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("heeft een RPO van 60 min nodig"));
    let r = app.post(&accept, Some(&member), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // Two acceptances at once: one subscription.
    let (a, b) = futures::join!(
        app.post(&accept, Some(&admin), json!({})),
        app.post(&accept, Some(&admin), json!({}))
    );
    let mut codes = [a.status, b.status];
    codes.sort();
    assert_eq!(
        codes,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.text,
        b.text
    );
    let r = app.get(&format!("/api/v1/offers/{offer}"), &owner).await;
    assert_eq!(r.body["state"], "accepted");
    let subs = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &admin)
        .await;
    let subs = subs.body["items"].clone();
    assert_eq!(subs.as_array().map(Vec::len), Some(1), "{subs}");
    assert_eq!(
        (subs[0]["billing"].as_str(), subs[0]["status"].as_str()),
        (Some("manual"), Some("active"))
    );
    assert_eq!(subs[0]["id"], r.body["subscription_id"]);
    assert_eq!(
        subs[0]["monthly_price_cents"], monthly,
        "billed as accepted, per TB included"
    );

    // The ERP is on the tier now: its policy is the tier's, and nothing is recommended for it.
    let sys = app.get(&format!("/api/v1/systems/{erp}"), &owner).await;
    assert_eq!(sys.status, StatusCode::OK, "{}", sys.text);
    assert_ne!(sys.body["policy"]["interval_minutes"], 1440, "{}", sys.text);
    let recs = app
        .get(&format!("/api/v1/clients/{client}/recommendations"), &owner)
        .await;
    assert!(!recs.text.contains(&erp), "{}", recs.text);

    // The ERP turns critical: it must survive losing the site, so DRaaS is recommended; once that
    // is accepted, the earlier subscription covers nothing and ends (no system is billed twice).
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{erp}"),
            Some(&owner),
            Some(json!({ "criticality": "critical" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let recs = app
        .get(&format!("/api/v1/clients/{client}/recommendations"), &owner)
        .await;
    let draas = recs.body["items"][0]["tier_id"]
        .as_str()
        .expect("a tier for the critical ERP")
        .to_string();
    assert_ne!(draas, tier);
    let r = app
        .post(&offers, Some(&owner), json!({ "tier_id": draas }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let second = r.body["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/offers/{second}/send"),
        Some(&owner),
        json!({}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/offers/{second}/accept"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let subs = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await;
    let by_offer = |id: &str| {
        subs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["offer_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_offer(&second)["status"], "active");
    let first = by_offer(&offer);
    assert_eq!(
        (first["status"].as_str(), first["quantity"].as_u64()),
        (Some("canceled"), Some(0)),
        "{first}"
    );
    assert!(!first["ended_at"].is_null());
    // The pipeline: two accepted, and this month's MRR is what runs now (DRaaS alone).
    let p = app.get("/api/v1/billing/pipeline", &owner).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(
        (p.body["accepted"].as_u64(), p.body["open"].as_u64()),
        (Some(2), Some(0)),
        "{}",
        p.text
    );
    let mrr = p.body["mrr"].as_array().unwrap();
    assert_eq!(mrr.len(), 12);
    assert_eq!(
        mrr[11]["month"],
        chrono::Utc::now().format("%Y-%m").to_string()
    );
    assert_eq!(
        mrr[11]["cents"],
        by_offer(&second)["monthly_price_cents"],
        "{}",
        p.text
    );
    assert_eq!(mrr[10]["cents"], 0, "nothing ran last month");
    assert_eq!(
        app.get("/api/v1/billing/pipeline", &admin).await.status,
        StatusCode::FORBIDDEN
    );

    // The audit trail tells each step.
    let audit = app.get("/api/v1/audit", &owner).await;
    for action in ["offer.create", "offer.send", "offer.view", "offer.accept"] {
        assert!(
            audit.text.contains(action),
            "{action} missing: {}",
            audit.text
        );
    }

    // The invoice lines for the PSA: owners and admins only; the client's name that looks like a
    // formula (given at the start) stays text.
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let lines = app
        .get(
            &format!("/api/v1/billing/invoice-lines?month={month}"),
            &owner,
        )
        .await;
    assert_eq!(lines.status, StatusCode::OK, "{}", lines.text);
    let rows: Vec<&str> = lines.text.lines().collect();
    // Both subscriptions ran this month: the ended one and the one that took its place.
    assert_eq!(rows.len(), 3, "{}", lines.text);
    assert!(rows[0].starts_with("client,tier,quantity,unit_price,amount"));
    assert!(rows[1].starts_with("\"'=HYPERLINK"), "{}", rows[1]);
    assert!(rows[1].contains(&format!("{month}-01")), "{}", rows[1]);
    // The same file under the name a PSA import expects.
    let file = app
        .get(
            &format!("/api/v1/billing/invoice-lines/{month}.csv"),
            &owner,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text);
    assert_eq!(file.text, lines.text);
    let r = app
        .get(
            &format!("/api/v1/billing/invoice-lines/{month}.pdf"),
            &owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    for bad in ["2026-13", "-2026-12", "%0D%0A2026-12", "2026-1"] {
        let r = app
            .get(
                &format!("/api/v1/billing/invoice-lines?month={bad}"),
                &owner,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text
        );
    }
    assert_eq!(
        app.get(
            &format!("/api/v1/billing/invoice-lines?month={month}"),
            &admin
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

/// A declined offer changes nothing; an offer past its validity reads expired and cannot be
/// accepted; another MSP (or another client's admin) finds none of it.
async fn offers_are_declined_expire_and_stay_with_their_tenant(app: TestApp) {
    use app::ssr::entity::offer;
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
    let (owner, client, erp, tier) =
        erp_short_of_its_rpo(&app, "Acme IT", "ann@acme.example").await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let offers = format!("/api/v1/clients/{client}/offers");
    let make = || async {
        let r = app
            .post(
                &offers,
                Some(&owner),
                json!({ "tier_id": tier, "system_ids": [erp] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_string();
        let s = app
            .post(
                &format!("/api/v1/offers/{id}/send"),
                Some(&owner),
                json!({}),
            )
            .await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.text);
        id
    };
    let declined = make().await;
    let r = app
        .post(
            &format!("/api/v1/offers/{declined}/decline"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["state"].as_str()),
        (StatusCode::OK, Some("declined")),
        "{}",
        r.text
    );
    let r = app
        .post(
            &format!("/api/v1/offers/{declined}/accept"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let subs = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await;
    assert_eq!(subs.body["items"].as_array().map(Vec::len), Some(0));

    // Its time runs out (the clock is the database's: move the offer's end into the past).
    let expired = make().await;
    offer::Entity::update_many()
        .col_expr(
            offer::Column::ValidUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(offer::Column::Id.eq(uuid::Uuid::parse_str(&expired).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    let r = app.get(&format!("/api/v1/offers/{expired}"), &admin).await;
    assert_eq!(r.body["state"], "expired", "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/offers/{expired}/accept"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("expired"), "{}", r.text);
    // The client admin reads why in her language.
    let r = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/offers/{expired}/accept")))
                .bearer_auth(&admin)
                .header("accept-language", "nl")
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.body["detail"], "dit voorstel is verlopen", "{}", r.text);

    // Another MSP, and another client's admin of the same MSP: not found.
    let (stranger, _) = app.signup("Other IT", "olga@other.example").await;
    let other_client = app.create_client(&owner, "Garage").await;
    let other_admin = app
        .client_user(&owner, &other_client, "boss@garage.example", "client_admin")
        .await;
    for token in [&stranger, &other_admin] {
        assert_eq!(
            app.get(&format!("/api/v1/offers/{expired}"), token)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/offers/{declined}/accept"),
                Some(token),
                json!({})
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.get(&offers, &stranger).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(&offers, Some(&stranger), json!({ "tier_id": tier }))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

fn names(catalog: &Value) -> Vec<String> {
    catalog["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// A new MSP finds Backup Basic, Instant Recovery and DRaaS, priced in cents, made once even
/// when its first readers come at the same moment. Owners and admins add, change and remove
/// tiers; technicians read; client users see none of it; another MSP's tier is not found. A
/// refused tier names every field that is wrong and changes nothing.
async fn the_catalog_starts_with_three_tiers_once_and_owners_and_admins_change_it(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let reads = (0..8).map(|_| app.get("/api/v1/catalog", &owner));
    for r in futures::future::join_all(reads).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let catalog = app.get("/api/v1/catalog", &owner).await.body;
    assert_eq!(
        names(&catalog),
        ["Backup Basic", "Instant Recovery", "DRaaS"]
    );
    let draas = &catalog["tiers"][2];
    assert_eq!(
        (
            draas["rpo_minutes"].as_u64(),
            draas["rto_minutes"].as_u64(),
            draas["survives_site_loss"].as_bool()
        ),
        (Some(15), Some(240), Some(true))
    );
    assert_eq!(
        (
            draas["price_per_system_cents"].as_i64(),
            draas["currency"].as_str()
        ),
        (Some(9_500), Some("EUR"))
    );
    assert_eq!(draas["achievable"]["site_loss_rpo_minutes"], 15);

    // Refused: every wrong field named, nothing added.
    let r = app
        .post(
            "/api/v1/catalog/tiers",
            Some(&owner),
            json!({ "name": "Gold", "rpo_minutes": 0, "price_per_system_cents": -1, "currency": "euro",
                    "survives_site_loss": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    for field in [
        "rpo_minutes",
        "price_per_system_cents",
        "currency",
        "survives_site_loss",
    ] {
        assert!(r.body["errors"][field].is_string(), "{field}: {}", r.text);
    }
    let r = app
        .post(
            "/api/v1/catalog/tiers",
            Some(&owner),
            json!({ "name": "Gold", "price_per_system_cents": 1.5 }),
        )
        .await;
    assert!(r.status.is_client_error(), "cents are whole: {}", r.text);
    assert_eq!(
        names(&app.get("/api/v1/catalog", &owner).await.body).len(),
        3
    );

    // Added with a price per TB, changed, its price per TB removed again.
    let r = app
        .post(
            "/api/v1/catalog/tiers",
            Some(&owner),
            json!({ "name": "Continuous", "rpo_minutes": 5, "rto_minutes": 30, "price_per_system_cents": 15_000,
                    "price_per_tb_cents": 2_500, "currency": "usd",
                    "policy": { "method": "continuous_replication", "interval_minutes": 1, "job_minutes": 1,
                                "offsite_interval_minutes": null, "retention_days": 7, "data_gb": 0, "restore_mb_per_s": null },
                    "survives_site_loss": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (
            r.body["currency"].as_str(),
            r.body["price_per_tb_cents"].as_i64()
        ),
        (Some("USD"), Some(2_500))
    );
    let tier = r.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/catalog/tiers/{tier}");
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({ "price_per_tb_cents": null, "name": "Continuous+" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (
            r.body["name"].as_str(),
            r.body["price_per_tb_cents"].is_null()
        ),
        (Some("Continuous+"), true)
    );
    assert_eq!(
        r.body["price_per_system_cents"], 15_000,
        "what was not sent stays"
    );

    // A technician reads; an admin changes; a client user and another MSP see nothing.
    let tech = app
        .invited(
            &owner,
            "/api/v1/staff",
            json!({ "email": "tom@acme.example", "name": "Tom", "role": "msp_technician" }),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get("/api/v1/catalog", &tech).await.status,
        StatusCode::OK
    );
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&tech),
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let admin = app
        .invited(
            &owner,
            "/api/v1/staff",
            json!({ "email": "ada@acme.example", "name": "Ada", "role": "msp_admin" }),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "rto_minutes": 20 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let client = app.create_client(&owner, "Bakery").await;
    let baker = app
        .client_user(&owner, &client, "baker@bakery.example", "client_admin")
        .await;
    assert_eq!(
        app.get("/api/v1/catalog", &baker).await.status,
        StatusCode::FORBIDDEN
    );
    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    assert_eq!(
        names(&app.get("/api/v1/catalog", &other).await.body).len(),
        3,
        "its own starter tiers"
    );
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&other),
            Some(json!({ "name": "Stolen" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&other), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&owner), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        names(&app.get("/api/v1/catalog", &owner).await.body).len(),
        3
    );
    let r = app
        .call(
            Method::DELETE,
            "/api/v1/catalog/tiers/not-an-id",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// The ERP's daily backup cannot keep its 60-minute RPO: Instant Recovery would, at € 45 a
/// month. Once the plan names a fire, every system must survive the site and DRaaS it is. A
/// system without a policy is unprotected; one that keeps its targets gets nothing. Reasons come
/// in the reader's language; another MSP's client is not found.
async fn recommendations_name_the_cheapest_tier_that_keeps_each_target(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let base = format!("/api/v1/clients/{client}");
    // The template's processes bring targets of their own; these systems carry their own.
    let daily = json!({ "method": "agent_to_disk", "interval_minutes": 1440, "job_minutes": 60,
                         "offsite_interval_minutes": 1440, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null });
    let systems_path = format!("{base}/systems");
    let plan_path = format!("{base}/plan");
    let system = |name: &str, rpo: u32, rto: u32, policy: Value| {
        app.post(
            &systems_path,
            Some(&owner),
            json!({ "name": name, "rpo_minutes": rpo, "rto_minutes": rto, "criticality": "high", "policy": policy }),
        )
    };
    let erp = system("ERP", 60, 240, daily.clone()).await;
    assert_eq!(erp.status, StatusCode::CREATED, "{}", erp.text);
    let files = system("Files", 2 * 1440, 3 * 1440, daily.clone()).await;
    assert_eq!(files.status, StatusCode::CREATED, "{}", files.text);
    let printer = system("Printer", 7 * 1440, 7 * 1440, Value::Null).await;
    assert_eq!(printer.status, StatusCode::CREATED, "{}", printer.text);

    let scenarios = |names: &[&str]| {
        let list: Vec<Value> = names
            .iter()
            .map(|n| json!({ "name": n, "steps": ["Call the MSP."] }))
            .collect();
        app.call(
            Method::PATCH,
            &plan_path,
            Some(&owner),
            Some(json!({ "scenarios": list })),
        )
    };
    let tier_of = |items: &[Value], name: &str| -> Option<String> {
        items
            .iter()
            .find(|i| {
                i["systems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["name"] == name)
            })
            .map(|i| i["tier_name"].as_str().unwrap().to_string())
    };
    // Without a fire or flood in the plan: the cheapest tier that keeps the targets.
    assert_eq!(scenarios(&["Ransomware"]).await.status, StatusCode::OK);
    let r = app.get(&format!("{base}/recommendations"), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["site_loss_scenario"], false);
    let items = r.body["items"].as_array().unwrap().clone();
    assert_eq!(
        tier_of(&items, "ERP").as_deref(),
        Some("Instant Recovery"),
        "{}",
        r.text
    );
    assert_eq!(
        tier_of(&items, "Files"),
        None,
        "a daily backup keeps two days"
    );
    assert_eq!(tier_of(&items, "Printer").as_deref(), Some("Backup Basic"));
    let erp_reason = items
        .iter()
        .flat_map(|i| i["systems"].as_array().unwrap().clone())
        .find(|s| s["name"] == "ERP")
        .unwrap()["reason"]
        .clone();
    assert_eq!(
        erp_reason,
        "ERP needs an RPO of 60 min; a backup every 1 day can lose up to 25 h."
    );
    // The plan prepares for a fire: everything must survive the site, and only DRaaS does (the
    // file server's daily off-site copy already keeps its two days).
    assert_eq!(
        scenarios(&["Ransomware", "Fire or evacuation"])
            .await
            .status,
        StatusCode::OK
    );
    let r = app.get(&format!("{base}/recommendations"), &owner).await;
    assert_eq!(r.body["site_loss_scenario"], true);
    let items = r.body["items"].as_array().unwrap().clone();
    assert_eq!(
        tier_of(&items, "ERP").as_deref(),
        Some("DRaaS"),
        "{}",
        r.text
    );
    assert_eq!(tier_of(&items, "Printer").as_deref(), Some("DRaaS"));
    assert_eq!(tier_of(&items, "Files"), None);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["monthly_price_cents"], 2 * 9_500);
    let total: i64 = items
        .iter()
        .map(|i| i["monthly_price_cents"].as_i64().unwrap())
        .sum();
    assert!(total > 0 && items.iter().all(|i| i["currency"] == "EUR"));

    let r = app
        .send(
            app.http
                .get(app.url(&format!("{base}/recommendations")))
                .bearer_auth(&owner)
                .header("accept-language", "nl"),
        )
        .await;
    let printer_nl = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["systems"].as_array().unwrap().clone())
        .find(|s| s["name"] == "Printer")
        .unwrap();
    assert_eq!(
        printer_nl["reason"],
        "Van Printer is geen back-up bekend: het is onbeschermd."
    );

    // Give the ERP what Instant Recovery stands for, with an off-site copy: nothing left for it.
    let erp_id = erp.body["id"].as_str().unwrap();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{erp_id}"),
            Some(&owner),
            Some(json!({ "policy": { "method": "draas", "interval_minutes": 10, "job_minutes": 5,
                                      "offsite_interval_minutes": 10, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null } })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.get(&format!("{base}/recommendations"), &owner).await;
    assert_eq!(
        tier_of(r.body["items"].as_array().unwrap(), "ERP"),
        None,
        "{}",
        r.text
    );

    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    assert_eq!(
        app.get(&format!("{base}/recommendations"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let baker = app
        .client_user(&owner, &client, "baker@bakery.example", "client_admin")
        .await;
    assert_eq!(
        app.get(&format!("{base}/recommendations"), &baker)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
