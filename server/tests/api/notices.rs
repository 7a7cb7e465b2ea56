//! Telling customers: nothing reaches them until a person publishes an update; the public
//! status page shows only public, published updates (a group's private link adds its own) and
//! nothing of the plan's people; subscribers opt in twice and leave with one click, over a real
//! SMTP conversation.
use crate::helpers::{spawn_app_with, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_hear_only_what_a_person_approved_sqlite() {
    customers_hear_only_what_a_person_approved(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_hear_only_what_a_person_approved_postgres() {
    customers_hear_only_what_a_person_approved(Backend::Postgres).await
}

/// Mails the sink took, kept until a test asks for one by recipient.
struct Inbox {
    rx: UnboundedReceiver<(Vec<String>, String)>,
    kept: Vec<(Vec<String>, String)>,
}

impl Inbox {
    /// The next mail to `to` (soft line breaks undone), waiting up to 10 s.
    async fn to(&mut self, to: &str) -> String {
        let want = format!("<{to}>");
        loop {
            if let Some(at) = self.kept.iter().position(|(r, _)| r.contains(&want)) {
                return self.kept.remove(at).1;
            }
            let (r, data) =
                tokio::time::timeout(std::time::Duration::from_secs(10), self.rx.recv())
                    .await
                    .unwrap_or_else(|_| {
                        panic!(
                            "a mail to {to} within 10 s; kept: {:?}",
                            self.kept.iter().map(|k| &k.0).collect::<Vec<_>>()
                        )
                    })
                    .unwrap();
            self.kept
                .push((r, data.replace("=\r\n", "").replace("=\n", "")));
        }
    }

    /// Whether a mail to `to` arrives within `secs`.
    async fn any_to(&mut self, to: &str, secs: u64) -> bool {
        let want = format!("<{to}>");
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if self.kept.iter().any(|(r, _)| r.contains(&want)) {
                return true;
            }
            match tokio::time::timeout_at(until, self.rx.recv()).await {
                Ok(Some((r, data))) => self
                    .kept
                    .push((r, data.replace("=\r\n", "").replace("=\n", ""))),
                _ => return false,
            }
        }
    }
}

/// The path of the first link in `mail` that starts with `prefix` (after the public address).
fn link(mail: &str, prefix: &str) -> String {
    let start = format!("https://status.example{prefix}");
    let at = mail
        .find(&start)
        .unwrap_or_else(|| panic!("a link {start}… in {mail}"));
    mail[at + "https://status.example".len()..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap()
        .to_string()
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.post(path, Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> crate::helpers::Resp {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

async fn public_json(app: &TestApp, path: &str) -> Value {
    let r = app.send(app.http.get(app.url(path))).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    r.body
}

/// A form or one-click POST from outside (no cookie, no Origin: a mail program's).
async fn press(app: &TestApp, path: &str) -> crate::helpers::Resp {
    app.send(
        app.http
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click"),
    )
    .await
}

async fn subscribe(app: &TestApp, path: &str, email: &str) -> crate::helpers::Resp {
    app.send(
        app.http
            .post(app.url(path))
            .json(&json!({ "email": email })),
    )
    .await
}

async fn customers_hear_only_what_a_person_approved(backend: Backend) {
    let (port, rx) = crate::mail::smtp_sink().await;
    let mut inbox = Inbox {
        rx,
        kept: Vec::new(),
    };
    let Some(app) = spawn_app_with(backend, |s| {
        s.public_url = Some("https://status.example".into());
        s.smtp = Some(crate::mail::sink_settings(port));
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakkerij Jansen").await;
    let base = format!("/api/v1/clients/{client}");
    let erp = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "ERP" }),
    )
    .await;
    let mail = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "Mail" }),
    )
    .await;
    let web = created(
        &app,
        &owner,
        &format!("{base}/systems"),
        json!({ "name": "Webshop" }),
    )
    .await;
    let ordering = created(
        &app,
        &owner,
        &format!("{base}/processes"),
        json!({ "name": "Ordering", "systems": [erp] }),
    )
    .await;
    let wholesale = created(
        &app,
        &owner,
        &format!("{base}/customer-groups"),
        json!({ "name": "Wholesale", "processes": [ordering] }),
    )
    .await;
    let retail = created(
        &app,
        &owner,
        &format!("{base}/customer-groups"),
        json!({ "name": "Retail", "processes": [] }),
    )
    .await;
    created(
        &app,
        &owner,
        &format!("{base}/people"),
        json!({ "name": "Anna Verbeek", "mobile": "+31 6 5555 0101", "is_coordinator": true }),
    )
    .await;
    let r = app
        .call(Method::PATCH, &format!("{base}/plan"), Some(&owner), Some(json!({ "messages": [
            { "kind": "first_notice", "subject": "{client}: disruption",
              "body": "{incident} since {started_at} affects {affected}. Next update at {next_update}. Questions: {contact}." } ] })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The status page: an unguessable address unless one is chosen; taken ones are refused.
    let page_path = format!("{base}/status-page");
    assert_eq!(
        app.get(&page_path, &owner).await.status,
        StatusCode::NOT_FOUND
    );
    let components = json!([{ "name": "Ordering", "system_ids": [erp, web] }, { "name": "E-mail", "system_ids": [mail] }]);
    let r = put(
        &app,
        &owner,
        &page_path,
        json!({ "title": "Bakkerij Jansen status", "components": components }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let slug = r.body["slug"].as_str().unwrap().to_string();
    assert_eq!(slug.len(), 32, "{slug}");
    assert!(slug.chars().all(|c| c.is_ascii_hexdigit()), "{slug}");
    let r = put(
        &app,
        &owner,
        &page_path,
        json!({ "slug": "jansen", "title": "Bakkerij Jansen status", "components": components }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["slug"], "jansen");
    assert_eq!(r.body["path"], "/status/jansen");
    let links = r.body["group_links"].as_array().unwrap().clone();
    assert_eq!(links.len(), 2, "{links:?}");
    let wholesale_link = links.iter().find(|l| l["name"] == "Wholesale").unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        wholesale_link.starts_with("/status/jansen?audience="),
        "{wholesale_link}"
    );
    for (body, field) in [
        (json!({ "slug": "x", "title": "T" }), "slug"),
        (json!({ "slug": "Has Spaces", "title": "T" }), "slug"),
        (json!({ "title": " " }), "title"),
        (
            json!({ "title": "T", "components": [{ "name": "Ordering", "system_ids": [uuid::Uuid::new_v4()] }] }),
            "components",
        ),
    ] {
        let r = put(&app, &owner, &page_path, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    // Another MSP cannot take the address, nor see or change this page.
    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    let theirs = app.create_client(&other, "Elsewhere").await;
    let r = put(
        &app,
        &other,
        &format!("/api/v1/clients/{theirs}/status-page"),
        json!({ "slug": "jansen", "title": "Mine" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(
        app.get(&page_path, &other).await.status,
        StatusCode::NOT_FOUND
    );
    let r = put(&app, &other, &page_path, json!({ "title": "Taken over" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let status = public_json(&app, "/status/jansen.json").await;
    assert_eq!(status["title"], "Bakkerij Jansen status");
    assert_eq!(
        status["components"],
        json!([{ "name": "Ordering", "state": "operational" }, { "name": "E-mail", "state": "operational" }])
    );
    assert_eq!(status["incidents"], json!([]));
    assert_eq!(
        app.send(app.http.get(app.url("/status/nobody.json")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(app.http.get(app.url("/status/nobody")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .send(app.http.get(app.url("/status/jansen?audience=not-a-key")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Subscribers: a confirmation mail first (double opt-in); the link confirms once.
    for (email, path) in [
        (
            "pub@customer.example",
            "/status/jansen/subscribe".to_string(),
        ),
        (
            "buyer@wholesale.example",
            wholesale_link.replace("/status/jansen?", "/status/jansen/subscribe?"),
        ),
        (
            "late@customer.example",
            "/status/jansen/subscribe".to_string(),
        ),
    ] {
        let r = subscribe(&app, &path, email).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{email}: {}", r.text);
    }
    let r = subscribe(&app, "/status/jansen/subscribe", "not an address").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        subscribe(&app, "/status/nobody/subscribe", "a@b.example")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for email in ["pub@customer.example", "buyer@wholesale.example"] {
        let m = inbox.to(email).await;
        assert!(
            m.contains("Subject: Confirm your subscription: Bakkerij Jansen status"),
            "{m}"
        );
        let confirm = link(&m, "/status/jansen/confirm/");
        let page = app.send(app.http.get(app.url(&confirm))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Yes, subscribe"), "{}", page.text);
        assert_eq!(press(&app, &confirm).await.status, StatusCode::OK);
        assert_eq!(
            press(&app, &confirm).await.status,
            StatusCode::NOT_FOUND,
            "the link works once"
        );
    }
    // Asking again soon after sends no second mail; a confirmed address gets none either.
    assert_eq!(
        subscribe(&app, "/status/jansen/subscribe", "pub@customer.example")
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let _ = inbox.to("late@customer.example").await;
    assert!(!inbox.any_to("pub@customer.example", 2).await);
    let r = app.get(&page_path, &owner).await;
    assert_eq!(
        (
            r.body["subscribers"].as_u64(),
            r.body["pending_subscribers"].as_u64()
        ),
        (Some(2), Some(1)),
        "{}",
        r.text
    );

    // The incident: nothing shows before a person approves an update.
    let r = app
        .post(
            &format!("{base}/incidents"),
            Some(&owner),
            json!({ "title": "ERP down", "scenario": "Outage", "system_ids": [erp] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let incident = r.body["id"].as_str().unwrap().to_string();
    let notice = &r.body["notices"][0];
    assert_eq!(notice["kind"], "first_notice");
    assert_eq!(notice["subject"], "Bakkerij Jansen: disruption");
    let body = notice["body"].as_str().unwrap();
    assert!(
        body.starts_with("ERP down since ") && body.contains("affects Ordering."),
        "{body}"
    );
    assert!(
        body.contains("{contact}"),
        "no service desk in the plan: {body}"
    );
    let updates = format!("/api/v1/incidents/{incident}/updates");
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": body, "audience": "public" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("{contact}"), "{}", r.text);
    let public_text = body.replace("{contact}", "call 020 123 4567");
    let draft = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": public_text, "audience": "public" }),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    assert_eq!(draft.body["state"], "draft");
    let draft_id = draft.body["id"].as_str().unwrap().to_string();
    let status = public_json(&app, "/status/jansen.json").await;
    assert_eq!(status["incidents"], json!([]), "a draft is not published");
    assert_eq!(
        status["components"][0]["state"], "operational",
        "nobody was told yet"
    );

    let publish = format!("{updates}/{draft_id}/publish");
    let r = app.post(&publish, Some(&other), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another MSP: {}", r.text);
    let r = app.post(&publish, Some(&owner), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["state"].as_str(), r.body["mailed"].as_u64()),
        (Some("published"), Some(2))
    );
    assert_eq!(r.body["approved_by"], "Owner");
    assert_eq!(
        app.post(&publish, Some(&owner), json!({})).await.status,
        StatusCode::CONFLICT
    );

    // A group's own update: only its private link shows it, only its subscribers get it.
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": "Wholesale orders go by phone until noon.", "audience": [wholesale] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let group_update = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("{updates}/{group_update}/publish"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["mailed"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{}",
        r.text
    );
    // Another group's own update: not on the public page, nor behind Wholesale's link.
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": "Retail shops: pick-ups as usual.", "audience": [retail] }),
        )
        .await;
    let r = app
        .post(
            &format!("{updates}/{}/publish", r.body["id"].as_str().unwrap()),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": "x", "audience": [uuid::Uuid::new_v4()] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": "x", "audience": "everyone" }),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);

    let status = public_json(&app, "/status/jansen.json").await;
    assert_eq!(
        status["components"],
        json!([{ "name": "Ordering", "state": "degraded" }, { "name": "E-mail", "state": "operational" }]),
        "ERP down, Webshop up"
    );
    assert_eq!(status["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(status["incidents"][0]["title"], "ERP down");
    assert_eq!(status["incidents"][0]["state"], "open");
    assert_eq!(
        status["incidents"][0]["updates"],
        json!([{ "body": public_text, "published_at": status["incidents"][0]["updates"][0]["published_at"] }])
    );
    let private = public_json(
        &app,
        &wholesale_link.replace("/status/jansen?", "/status/jansen.json?"),
    )
    .await;
    let bodies: Vec<&str> = private["incidents"][0]["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Wholesale orders go by phone until noon.",
            public_text.as_str()
        ]
    );
    let html = app.send(app.http.get(app.url("/status/jansen"))).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.text.contains("call 020 123 4567") && html.text.contains("Degraded"),
        "{}",
        html.text
    );
    for secret in [
        "Wholesale orders",
        "Retail shops",
        "Anna",
        "5555",
        "Retail",
        "ann@acme.example",
        "Webshop",
    ] {
        assert!(!html.text.contains(secret), "{secret} on the public page");
        assert!(
            !status.to_string().contains(secret),
            "{secret} in the public JSON"
        );
    }

    // Each mail carries the one-click unsubscribe; the pending address gets nothing.
    let m = inbox.to("pub@customer.example").await;
    assert!(
        m.contains("Subject: [Bakkerij Jansen status] ERP down"),
        "{m}"
    );
    assert!(m.contains("call 020 123 4567"), "{m}");
    assert!(
        m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{m}"
    );
    let leave = link(&m, "/status/jansen/unsubscribe/");
    assert!(
        m.contains(&format!(
            "List-Unsubscribe: <https://status.example{leave}>"
        )),
        "{m}"
    );
    let m = inbox.to("buyer@wholesale.example").await;
    let m2 = inbox.to("buyer@wholesale.example").await;
    assert!(m.contains("call 020 123 4567") || m2.contains("call 020 123 4567"));
    assert!(m.contains("Wholesale orders") || m2.contains("Wholesale orders"));
    assert!(
        !inbox.any_to("late@customer.example", 2).await,
        "not confirmed: no updates"
    );
    assert!(
        !inbox.any_to("pub@customer.example", 1).await,
        "the group's update is not the public's"
    );
    let page = app.send(app.http.get(app.url(&leave))).await;
    assert!(page.text.contains("Unsubscribe"), "{}", page.text);
    assert_eq!(press(&app, &leave).await.status, StatusCode::OK);
    assert_eq!(press(&app, &leave).await.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &updates,
            Some(&owner),
            json!({ "body": "ERP is back.", "audience": "public" }),
        )
        .await;
    let r = app
        .post(
            &format!("{updates}/{}/publish", r.body["id"].as_str().unwrap()),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["mailed"].as_u64(),
        Some(1),
        "only the wholesale buyer is left: {}",
        r.text
    );

    // The checklist's first notice ticked itself; the report counts the minutes to it.
    let r = app
        .get(&format!("/api/v1/incidents/{incident}"), &owner)
        .await;
    let first = r.body["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "customers-notice")
        .unwrap()
        .clone();
    assert!(
        first["done_at"].is_string() && first["automatic"] == true,
        "{first}"
    );
    assert_eq!(r.body["updates"].as_array().unwrap().len(), 4);
    let r = app
        .get(&format!("/api/v1/incidents/{incident}/report"), &owner)
        .await;
    let minutes = r.body["first_notice_minutes"].as_i64();
    assert!(
        matches!(minutes, Some(0..=1)),
        "declared and told within a minute: {}",
        r.text
    );

    // A recovered system brings its component back; a drill never reaches customers.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/incidents/{incident}/systems/{erp}"),
            Some(&owner),
            Some(json!({ "recovered_at": chrono::Utc::now().to_rfc3339() })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let status = public_json(&app, "/status/jansen.json").await;
    assert_eq!(status["components"][0]["state"], "operational");
    let r = app
        .post(
            &format!("{base}/incidents"),
            Some(&owner),
            json!({ "title": "Drill", "scenario": "Outage", "system_ids": [mail], "drill": true }),
        )
        .await;
    let drill = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["notices"], json!([]));
    let r = app
        .post(
            &format!("/api/v1/incidents/{drill}/updates"),
            Some(&owner),
            json!({ "body": "x", "audience": "public" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // Someone who follows incidents only may not speak for the client.
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;
    let r = app
        .post(
            &updates,
            Some(&member),
            json!({ "body": "x", "audience": "public" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        put(&app, &member, &page_path, json!({ "title": "Mine" }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&updates, &member).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&updates, &other).await.status,
        StatusCode::NOT_FOUND
    );
}
