//! The plan on paper: the PDF and the printable page carry every phone number and every step, the
//! version and approval on every page, and stay inside the tenant.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

crate::both!(
    pdf_holds_every_number_and_the_version_on_every_page,
    printable_page_and_old_versions,
    exports_stay_in_their_tenant,
);

async fn small_plan(app: &TestApp, token: &str, people: usize) -> (String, Vec<(String, String)>) {
    let r = app
        .post(
            "/api/v1/clients",
            Some(token),
            json!({ "name": "Bakkerij Jansen", "template": "builtin-nl" }),
        )
        .await;
    let client = r.body["id"].as_str().unwrap().to_string();
    let mut numbers = Vec::new();
    let mut caller: Option<String> = None;
    for i in 0..people {
        let name = format!("Medewerker {i:02} Ëlsa");
        let mobile = format!("+31 6 {:04} {:04}", 1000 + i, 5000 + i);
        let landline = format!("020 {:03} {:04}", 100 + i, 7000 + i);
        let mut body = json!({ "name": name, "mobile": mobile, "landline": landline, "emergency_name": "Partner", "emergency_phone": format!("06 9999 {:04}", i) });
        match &caller {
            None => body["is_coordinator"] = json!(true),
            Some(c) => body["caller_id"] = json!(c),
        }
        let r = app
            .post(
                &format!("/api/v1/clients/{client}/people"),
                Some(token),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        if i % 4 == 0 {
            caller = Some(r.body["id"].as_str().unwrap().to_string());
        }
        numbers.push((mobile, landline));
    }
    app.post(
        &format!("/api/v1/clients/{client}/systems"),
        Some(token),
        json!({ "name": "Kassasysteem", "procedure": ["Herstel de laatste image", "Controleer de bonnen van vandaag"] }),
    )
    .await;
    (client, numbers)
}

fn pdf_text(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes).expect("a readable PDF")
}

async fn pdf_holds_every_number_and_the_version_on_every_page(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, numbers) = small_plan(&app, &owner, 40).await;
    let admin = app
        .client_user(&owner, &client, "anna@bakkerij.example", "client_admin")
        .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/clients/{client}/plan/versions"),
            Some(&admin),
            json!({})
        )
        .await
        .status,
        StatusCode::CREATED
    );

    let r = app
        .http
        .get(app.url(&format!("/api/v1/clients/{client}/plan/export.pdf?lang=nl")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("continuity-plan-bakkerij-jansen.pdf"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = pdf_text(&bytes);
    assert!(pages.len() > 1, "40 people take more than a page");
    let all: String = pages.join("\n");
    // Extraction may break a line anywhere a table cell wraps; compare without whitespace.
    let squashed: String = all.split_whitespace().collect();
    for (mobile, landline) in &numbers {
        for n in [mobile, landline] {
            let n: String = n.split_whitespace().collect();
            assert!(squashed.contains(&n), "{n} is missing from the PDF");
        }
    }
    for step in [
        "Herstel de laatste image",
        "Controleer de bonnen van vandaag",
        "Belboom",
        "Ëlsa",
        "Kernboodschappen",
    ] {
        let s: String = step.split_whitespace().collect();
        assert!(squashed.contains(&s), "{step} is missing");
    }
    for (i, page) in pages.iter().enumerate() {
        let p: String = page.split_whitespace().collect();
        assert!(
            p.contains("Versie1,goedgekeurddoorClientUser"),
            "page {} lacks the approval: {page}",
            i + 1
        );
        assert!(
            p.contains("gemaakt"),
            "page {} lacks the generation time",
            i + 1
        );
    }
}

async fn printable_page_and_old_versions(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (client, numbers) = small_plan(&app, &owner, 5).await;
    let admin = app
        .client_user(&owner, &client, "anna@bakkerij.example", "client_admin")
        .await;
    app.post(
        &format!("/api/v1/clients/{client}/plan/versions"),
        Some(&admin),
        json!({}),
    )
    .await;
    let people = app
        .get(&format!("/api/v1/clients/{client}/people"), &owner)
        .await
        .body;
    let first = people[0]["id"].as_str().unwrap().to_string();
    app.call(
        Method::PATCH,
        &format!("/api/v1/people/{first}"),
        Some(&owner),
        Some(json!({ "mobile": "+31 6 0000 0001" })),
    )
    .await;

    // The draft says it is a draft; English by request.
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/plan/export.html?lang=en"),
            &owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        r.text
            .contains("Draft — Version 1, approved by Client User"),
        "draft footer"
    );
    assert!(r.text.contains("+31 6 0000 0001"));
    assert!(r.text.contains("1. Safety") && r.text.contains("4. IT recovery"));
    assert!(
        !r.text.contains("http://") && !r.text.contains("https://"),
        "nothing to click through to"
    );
    // Version 1 as signed still holds the old number.
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/plan/export.html?lang=en&version=1"),
            &owner,
        )
        .await;
    assert!(r.text.contains(&numbers[0].0) && !r.text.contains("+31 6 0000 0001"));
    assert!(!r.text.contains("Draft"));
    // Bad input is refused clearly.
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/plan/export.html?lang=fr"),
            &owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["lang"].is_string());
    assert_eq!(
        app.get(
            &format!("/api/v1/clients/{client}/plan/export.pdf?version=7"),
            &owner
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The backup policy is on paper too: what it achieves and where it falls short.
    let systems = app
        .get(&format!("/api/v1/clients/{client}/systems"), &owner)
        .await
        .body;
    let till = systems[0]["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/systems/{till}"),
            Some(&owner),
            Some(json!({ "rpo_minutes": 60, "policy": { "method": "agent_to_disk", "interval_minutes": 1440, "job_minutes": 60, "offsite_interval_minutes": null, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null } })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let nl = app
        .get(
            &format!("/api/v1/clients/{client}/plan/export.html?lang=nl"),
            &owner,
        )
        .await
        .text;
    assert!(nl.contains("Back-upbeleid"), "{nl}");
    assert!(
        nl.contains(
            "Een back-up elke 1 dag kan tot 25 u aan gegevens verliezen; afgesproken is 60 min."
        ),
        "{nl}"
    );
}

async fn exports_stay_in_their_tenant(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (other, _) = app.signup("Rival IT", "rita@rival.example").await;
    let (client, _) = small_plan(&app, &owner, 2).await;
    let sibling = app.create_client(&owner, "Butcher").await;
    let neighbour = app
        .client_user(&owner, &sibling, "sam@butcher.example", "client_member")
        .await;
    let member = app
        .client_user(&owner, &client, "mia@bakkerij.example", "client_member")
        .await;
    for token in [&other, &neighbour] {
        for ext in ["pdf", "html"] {
            let r = app
                .get(
                    &format!("/api/v1/clients/{client}/plan/export.{ext}"),
                    token,
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{ext}");
        }
    }
    // Everyone at the client may print the plan: on paper is where it is needed.
    assert_eq!(
        app.get(
            &format!("/api/v1/clients/{client}/plan/export.html"),
            &member
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/clients/{client}/plan/export.html"), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
