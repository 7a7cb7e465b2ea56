//! The browser side of the HTTP surface: server-rendered pages, language, CSRF, session renewal.
use crate::helpers::{TestApp, SECRET};
use app::ssr::auth::{Claims, JwtKeys};
use reqwest::StatusCode;
use serde_json::json;

crate::both!(
    pages_render_on_the_server,
    language_switch_is_remembered,
    cookie_state_changes_need_our_origin,
    cookie_sessions_are_renewed,
    pages_carry_a_content_security_policy,
    signed_out_deep_links_sign_in_and_come_back,
    pages_for_missing_or_foreign_ids_are_404,
    problem_details_follow_the_language,
    the_bundle_is_served_precompressed_and_cached_for_good,
    plan_drawers_edit_sites_groups_and_links_as_plain_forms,
    plain_forms_come_back_to_their_page,
);

/// Without the wasm (before it has loaded, or in a browser without it) a form posts plainly: a
/// refusal returns to the form's page, which shows the reason in the reader's language and keeps
/// the page's own query; a success returns to the page without the earlier reason. The refusal
/// changed nothing.
async fn plain_forms_come_back_to_their_page(app: TestApp) {
    use leptos::server_fn::ServerFn;
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let cookie = format!("lifeline_session={token}");
    let post = |name: &'static str, referer: String| {
        app.http
            .post(app.url(app::api::AddClient::PATH))
            .header("cookie", &cookie)
            .header("origin", &app.base)
            .header("referer", referer)
            .header("accept", "text/html,application/xhtml+xml;q=0.9")
            .header("accept-language", "nl")
            .form(&[("name", name)])
    };
    let r = app
        .send(post("   ", format!("{}/clients?q=bak", app.base)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let back = r.headers["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/clients?q=bak&__path="), "{back}");
    let page = app
        .send(
            app.http
                .get(app.url(&back))
                .header("cookie", &cookie)
                .header("accept-language", "nl"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("mag niet leeg zijn"),
        "the refusal is not on the page"
    );
    let listed = app.get("/api/v1/clients", &token).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(0));

    let r = app
        .send(post("Bakkerij", format!("{}{back}", app.base)))
        .await;
    assert!(r.status.is_redirection(), "{}", r.status);
    let to = r.headers["location"].to_str().unwrap();
    assert!(to.ends_with("/clients?q=bak"), "{to}");
    let listed = app.get("/api/v1/clients", &token).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
}

/// `Accept-Language: nl` or the language cookie turns a problem's title and detail (and its
/// field messages) Dutch; without either, English. The field keys stay as they are.
async fn problem_details_follow_the_language(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let missing = format!("/api/v1/clients/{}", uuid::Uuid::new_v4());
    let get = |lang: Option<(&str, &str)>| {
        let mut req = app.http.get(app.url(&missing)).bearer_auth(&token);
        if let Some((name, value)) = lang {
            req = req.header(name, value);
        }
        req
    };
    let r = app.send(get(None)).await;
    assert_eq!(
        (r.body["title"].as_str(), r.body["detail"].as_str()),
        (Some("Not Found"), Some("not found"))
    );
    for lang in [
        ("accept-language", "nl-NL,nl;q=0.9,en;q=0.5"),
        ("cookie", "lifeline_lang=nl"),
    ] {
        let r = app.send(get(Some(lang))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        assert_eq!(r.body["title"], "Niet gevonden", "{lang:?}");
        assert_eq!(r.body["detail"], "niet gevonden", "{lang:?}");
    }
    // The cookie's choice wins over the browser's.
    let r = app
        .send(get(Some(("cookie", "lifeline_lang=en"))).header("accept-language", "nl"))
        .await;
    assert_eq!(r.body["title"], "Not Found");

    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/auth/login"))
                .header("accept-language", "nl")
                .json(&json!({ "email": "ann@acme.example", "password": "not the password" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["detail"], "verkeerd e-mailadres of wachtwoord");
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/auth/signup"))
                .header("accept-language", "nl")
                .json(&json!({ "msp_name": "X", "name": "Y", "email": "nope", "password": "123456789012" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["title"], "Ongeldige invoer");
    assert_eq!(r.body["errors"]["email"], "is geen e-mailadres");
    assert!(
        r.body["errors"]["password"]
            .as_str()
            .unwrap()
            .starts_with("is een reeks"),
        "{}",
        r.text
    );
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("email: is geen e-mailadres"));
}

/// A signed-out visitor who follows a link into the app is sent to the sign-in form (a real
/// redirect, so it works without the wasm) and, once signed in, lands on the page asked for;
/// a `next` that leads off the site is ignored.
async fn signed_out_deep_links_sign_in_and_come_back(app: TestApp) {
    use leptos::server_fn::ServerFn;
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&token, "Bakery").await;
    for page in [
        format!("/clients/{client}/plan"),
        format!("/clients/{client}/status?range=7d"),
        "/clients".to_string(),
        "/home".to_string(),
    ] {
        // As a browser asks for a page (an API client without `Accept: text/html` gets the
        // 401 with the same `Location`).
        let r = app
            .send(app.http.get(app.url(&page)).header("accept", "text/html"))
            .await;
        assert!(r.status.is_redirection(), "{page}: {}", r.status);
        let next = page.replace('?', "%3F").replace('=', "%3D");
        assert_eq!(
            r.headers["location"],
            format!("/login?next={next}").as_str()
        );
    }
    // The sign-in form carries the page on, and signing in goes there.
    let r = app
        .send(
            app.http
                .get(app.url(&format!("/login?next=/clients/{client}/plan"))),
        )
        .await;
    assert!(
        r.text
            .contains(&format!("name=\"next\" value=\"/clients/{client}/plan\"")),
        "the form keeps the page"
    );
    let sign_in = |next: String| {
        app.http
            .post(app.url(app::api::Login::PATH))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .form(&[
                ("email", "ann@acme.example"),
                ("password", crate::helpers::PASSWORD),
                ("next", next.as_str()),
            ])
    };
    let r = app.send(sign_in(format!("/clients/{client}/plan"))).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text);
    assert_eq!(
        r.headers["location"],
        format!("/clients/{client}/plan").as_str()
    );
    assert!(r.cookie("lifeline_session").is_some());
    for elsewhere in [
        "//evil.example/p",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let r = app.send(sign_in(elsewhere.to_string())).await;
        assert_eq!(r.headers["location"], "/clients", "{elsewhere}");
    }
}

/// An id that is not one, that does not exist, or that belongs to another MSP: the 404 page,
/// with HTTP 404 and a way back.
async fn pages_for_missing_or_foreign_ids_are_404(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (other, _) = app.signup("Bolt IT", "bob@bolt.example").await;
    let theirs = app.create_client(&other, "Their bakery").await;
    let ours = app.create_client(&token, "Our bakery").await;
    let cookie = format!("lifeline_session={token}");
    let get = |path: String| app.http.get(app.url(&path)).header("cookie", &cookie);
    let r = app.send(get(format!("/clients/{ours}/plan"))).await;
    assert_eq!(r.status, StatusCode::OK, "the page itself works");
    for page in ["plan", "status", ""] {
        for id in [
            "not-a-uuid".to_string(),
            uuid::Uuid::new_v4().to_string(),
            theirs.clone(),
        ] {
            let path = format!("/clients/{id}/{page}");
            let path = path.trim_end_matches('/').to_string();
            let r = app.send(get(path.clone())).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.text.contains("data-testid=\"not-found\""), "{path}");
            assert!(r.text.contains("href=\"/\""), "{path}: a way back");
            assert!(!r.text.contains("Their bakery"), "{path}");
        }
    }
}

/// Every inline script of a page carries the nonce its policy names; nothing may frame a page;
/// no answer may be sniffed into another type; HTML without scripts (exports) allows none.
async fn pages_carry_a_content_security_policy(app: TestApp) {
    let r = app.send(app.http.get(app.url("/login"))).await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'") || csp.contains("'wasm-unsafe-eval'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_string();
    assert!(nonce.len() >= 16);
    let scripts = r.text.matches("<script").count();
    let with_nonce = r.text.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(
        scripts > 0 && with_nonce >= scripts,
        "{scripts} scripts, {with_nonce} with the nonce"
    );
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    // A fresh nonce for every page.
    let again = app.send(app.http.get(app.url("/login"))).await;
    assert_ne!(
        again.headers["content-security-policy"].to_str().unwrap(),
        csp
    );

    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&token, "Bakery").await;
    let r = app
        .get(
            &format!("/api/v1/clients/{client}/plan/export.html?lang=en"),
            &token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!r.text.contains("<script"));
    let r = app.send(app.http.get(app.url("/healthz"))).await;
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
}

async fn pages_render_on_the_server(app: TestApp) {
    let r = app.send(app.http.get(app.url("/"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("<html lang=\"en\""),
        "{}",
        &r.text[..200.min(r.text.len())]
    );
    assert!(r
        .text
        .contains("Business continuity for managed service providers"));
    assert!(
        r.text.contains("/pkg/lifeline.js"),
        "hydration script missing"
    );

    // Signed in by cookie, the client list arrives in the HTML itself (no wasm needed).
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    app.create_client(&token, "Bakkerij Jansen").await;
    let r = app
        .send(
            app.http
                .get(app.url("/clients"))
                .header("cookie", format!("lifeline_session={token}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("Bakkerij Jansen"),
        "client list not server-rendered"
    );

    let r = app.send(app.http.get(app.url("/no/such/page"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn language_switch_is_remembered(app: TestApp) {
    let r = app
        .send(
            app.http
                .get(app.url("/lang/nl"))
                .header("referer", format!("{}/login", app.base)),
        )
        .await;
    assert!(r.status.is_redirection());
    assert_eq!(r.headers["location"], "/login");
    let cookie = r.cookie("lifeline_lang").unwrap();
    assert!(
        cookie.starts_with("lifeline_lang=nl;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );

    let r = app
        .send(
            app.http
                .get(app.url("/login"))
                .header("cookie", "lifeline_lang=nl"),
        )
        .await;
    assert!(r.text.contains("<html lang=\"nl\""));
    assert!(r.text.contains("Inloggen") && r.text.contains("Wachtwoord"));
    // Without a choice, the browser's preference decides.
    let r = app
        .send(
            app.http
                .get(app.url("/"))
                .header("accept-language", "nl-NL,nl;q=0.9,en;q=0.8"),
        )
        .await;
    assert!(r.text.contains("Bedrijfscontinuïteit"));
}

async fn cookie_state_changes_need_our_origin(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let cookie = format!("lifeline_session={token}");
    let post = |origin: Option<&str>| {
        let mut req = app
            .http
            .post(app.url("/api/v1/clients"))
            .header("cookie", &cookie)
            .json(&json!({ "name": "Via cookie" }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req
    };
    let r = app.send(post(None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(
        app.send(post(Some("https://evil.example"))).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(app
        .get("/api/v1/clients", &token)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());

    assert_eq!(
        app.send(post(Some(&app.base))).await.status,
        StatusCode::CREATED
    );
    // Bearer tokens are never sent implicitly by a browser: no Origin needed.
    app.create_client(&token, "Via bearer").await;
    // A foreign page cannot sign a visitor in either (login CSRF).
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/auth/login"))
                .header("origin", "https://evil.example")
                .json(
                    &json!({ "email": "ann@acme.example", "password": crate::helpers::PASSWORD }),
                ),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn cookie_sessions_are_renewed(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let keys = JwtKeys::from_secret(SECRET);
    let c = keys.verify(&token).unwrap();
    let me = |t: String| {
        app.http
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("lifeline_session={t}"))
    };

    // Fresh: no renewal.
    assert!(app
        .send(me(token.clone()))
        .await
        .cookie("lifeline_session")
        .is_none());
    // Past half its life: a new cookie comes back, for the same sign-in.
    let old = keys
        .sign(&Claims {
            iat: c.iat - 20 * 60,
            exp: c.iat + 10 * 60,
            ..c.clone()
        })
        .unwrap();
    let r = app.send(me(old)).await;
    assert_eq!(r.status, StatusCode::OK);
    let renewed = r.cookie("lifeline_session").expect("renewed cookie");
    let fresh = renewed
        .trim_start_matches("lifeline_session=")
        .split(';')
        .next()
        .unwrap();
    let fc = keys.verify(fresh).unwrap();
    assert!(fc.exp >= c.exp && fc.auth_time == c.auth_time);
    // Beyond the session's maximum age there is no renewal.
    let ancient = keys
        .sign(&Claims {
            iat: c.iat - 20 * 60,
            exp: c.iat + 10 * 60,
            auth_time: c.iat - 8 * 24 * 3600,
            ..c.clone()
        })
        .unwrap();
    assert!(app
        .send(me(ancient))
        .await
        .cookie("lifeline_session")
        .is_none());
}

/// A release build's bundle (hashed names listed in `hash.txt`, brotli and gzip copies beside
/// each file): pages ask for the hashed names, the files go out precompressed and are cached for
/// good; pages and API answers are compressed on the way.
async fn the_bundle_is_served_precompressed_and_cached_for_good(app: TestApp) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        site.path().join(server::HASH_FILE),
        "js: 0123456789abcdef\nwasm: fedcba9876543210\n",
    )
    .unwrap();
    let js = pkg.join("lifeline.0123456789abcdef.js");
    std::fs::write(&js, "export default function () {}\n".repeat(50)).unwrap();
    std::fs::write(js.with_extension("js.br"), b"brotli bytes").unwrap();
    std::fs::write(js.with_extension("js.gz"), b"gzip bytes").unwrap();
    let state = server::app_state(
        app.db.clone(),
        SECRET,
        app.settings.clone(),
        site.path().to_str().unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    // A request that is never answered fails the test instead of holding up the whole run (it
    // happened twice in CI, on a second connection the server never served).
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let get = |path: &str, accept: &str| {
        http.get(format!("{base}{path}"))
            .header("accept-encoding", accept)
            .send()
    };

    let r = get("/pkg/lifeline.0123456789abcdef.js", "gzip, deflate, br")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let r = get("/pkg/lifeline.0123456789abcdef.js", "gzip")
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"gzip bytes");
    let r = get("/pkg/lifeline.0123456789abcdef.js", "identity")
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.text().await.unwrap().starts_with("export default"));

    // A page names the hashed files and is itself compressed.
    let r = get("/login", "br").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "br");
    // Read to its end, as a browser does, so that the next request reuses the connection.
    assert!(!r.bytes().await.unwrap().is_empty());
    let r = get("/login", "identity").await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("/pkg/lifeline.0123456789abcdef.js"), "{html}");
    assert!(html.contains("/pkg/lifeline.fedcba9876543210.wasm"));
    // An API answer too.
    let r = get("/api/v1/openapi.json", "gzip").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let _ = stop.send(());
    served.await.unwrap().unwrap();

    // Without hashed names (a debug build), the bundle is checked with the server on every use.
    let r = app.send(app.http.get(app.url("/pkg/lifeline.js"))).await;
    assert_eq!(r.headers["cache-control"], "no-cache");
}

/// The plan page's drawers post plain forms (so they work before the wasm has loaded): a site's
/// emergency numbers and first responders, a customer group and the processes it depends on, a
/// system's processes and dependencies. Ticked boxes arrive as `name[i]=id`; a refusal is in
/// the reader's language and changes nothing; another MSP's site is not found.
async fn plan_drawers_edit_sites_groups_and_links_as_plain_forms(app: TestApp) {
    use leptos::server_fn::ServerFn;
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&token, "Bakery").await;
    let base = format!("/api/v1/clients/{client}");
    let made = |r: crate::helpers::Resp| {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_str().unwrap().to_string()
    };
    let anna = made(
        app.post(
            &format!("{base}/people"),
            Some(&token),
            json!({ "name": "Anna" }),
        )
        .await,
    );
    let bert = made(
        app.post(
            &format!("{base}/people"),
            Some(&token),
            json!({ "name": "Bert" }),
        )
        .await,
    );
    let site = made(
        app.post(
            &format!("{base}/sites"),
            Some(&token),
            json!({ "name": "Main St" }),
        )
        .await,
    );
    let orders = made(
        app.post(
            &format!("{base}/processes"),
            Some(&token),
            json!({ "name": "Orders", "rto_minutes": 240 }),
        )
        .await,
    );
    let db = app
        .create_system(&token, &client, "Order database", 60)
        .await;
    let web = app.create_system(&token, &client, "Web shop", 60).await;
    // Encoded as a browser encodes a form: brackets too (`%5B0%5D`).
    let form = |path: &str, fields: &[(&str, &str)], lang: &str| {
        app.http
            .post(app.url(path))
            .bearer_auth(&token)
            .header("origin", &app.base)
            .header("accept-language", lang)
            .form(fields)
    };

    let site_fields = |responders: Vec<(String, &str)>| {
        let mut f: Vec<(String, String)> = vec![
            ("id".into(), site.clone()),
            ("name".into(), "Main Street bakery".into()),
            ("address".into(), "Main Street 1".into()),
            ("evacuation_point".into(), "Back door".into()),
            ("assembly_point".into(), "Church square".into()),
            ("safety_plan_ref".into(), "BHV map in the hall".into()),
            (
                "emergency_numbers".into(),
                "Fire brigade: 112\n020 555 1234\n".into(),
            ),
        ];
        f.extend(responders.into_iter().map(|(k, v)| (k, v.to_string())));
        f
    };
    let send_site = |fields: Vec<(String, String)>, lang: &'static str| {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        app.send(form(app::api::UpdateSite::PATH, &pairs, lang))
    };
    // The first and third box of three ticked: indices need not be consecutive.
    let r = send_site(
        site_fields(vec![
            ("first_responders[0]".into(), &anna),
            ("first_responders[2]".into(), &bert),
        ]),
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Main Street bakery");
    assert_eq!(r.body["evacuation_point"], "Back door");
    assert_eq!(
        r.body["emergency_numbers"],
        json!([{ "label": "Fire brigade", "number": "112" }, { "label": "", "number": "020 555 1234" }])
    );
    assert_eq!(r.body["first_responders"], json!([anna, bert]));
    // Someone not in the directory is refused, in Dutch for a Dutch reader, and nothing changes.
    let stranger = uuid::Uuid::new_v4().to_string();
    let r = send_site(
        site_fields(vec![("first_responders[0]".into(), &stranger)]),
        "nl",
    )
    .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text);
    assert!(
        r.text
            .contains("BHV'ers: noemt iemand die niet in het adresboek van deze klant staat"),
        "{}",
        r.text
    );
    let r = send_site(
        site_fields(vec![("first_responders[0]".into(), "not an id")]),
        "en",
    )
    .await;
    assert!(
        r.text.contains("First responders: is not known"),
        "{}",
        r.text
    );
    // No box ticked: nobody is a first responder any more.
    let r = send_site(site_fields(vec![]), "en").await;
    assert_eq!(r.body["first_responders"], json!([]), "{}", r.text);

    // A customer group, added and changed; the links are read back from the plan.
    let r = app
        .send(form(
            app::api::AddCustomerGroup::PATH,
            &[
                ("client_id", &client),
                ("name", "Shops"),
                ("description", "Ten shops in town"),
                ("contact", "Els"),
                ("processes[0]", &orders),
            ],
            "en",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let group = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["processes"], json!([orders]));
    let r = app
        .send(form(
            app::api::UpdateCustomerGroup::PATH,
            &[
                ("id", &group),
                ("name", "Shops in town"),
                ("description", ""),
                ("contact", "Els, 06 1234 5678"),
            ],
            "en",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["name"].as_str(), r.body["processes"].clone()),
        (Some("Shops in town"), json!([]))
    );

    // A system's processes and dependencies; a cycle is refused and named.
    let system = |id: &str, deps: &[(&str, &str)], lang: &'static str| {
        let mut f = vec![
            ("id", id),
            (
                "name",
                if id == db {
                    "Order database"
                } else {
                    "Web shop"
                },
            ),
            ("criticality", "high"),
            ("rto_minutes", ""),
            ("rpo_minutes", "1 h"),
            ("owner_person_id", ""),
            ("procedure", ""),
            ("processes[0]", orders.as_str()),
        ];
        f.extend_from_slice(deps);
        app.send(form(app::api::UpdateSystem::PATH, &f, lang))
    };
    let r = system(&web, &[("depends_on[1]", &db)], "en").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["depends_on"].clone(), r.body["processes"].clone()),
        (json!([db]), json!([orders]))
    );
    assert_eq!(
        r.body["effective"]["rto_minutes"], 240,
        "the process's RTO applies: {}",
        r.text
    );
    let r = system(&db, &[("depends_on[0]", &web)], "nl").await;
    assert!(
        r.text
            .contains("Heeft nodig: zou een kringafhankelijkheid maken"),
        "{}",
        r.text
    );
    let plan = app.get(&format!("{base}/plan"), &token).await;
    let db_now = plan.body["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == db.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        db_now["depends_on"],
        json!([]),
        "the refused change left nothing behind"
    );

    // The group is removed like any plan item; another MSP cannot touch this client's site.
    let r = app
        .send(form(
            app::api::DeletePlanItem::PATH,
            &[("kind", "customer_group"), ("id", &group)],
            "en",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let plan = app.get(&format!("{base}/plan"), &token).await;
    assert!(
        !plan.body["customer_groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == group.as_str()),
        "{}",
        plan.text
    );
    let (other, _) = app.signup("Other IT", "olga@other.example").await;
    let r = app
        .send(
            app.http
                .post(app.url(app::api::UpdateSite::PATH))
                .bearer_auth(&other)
                .header("origin", &app.base)
                .form(&[
                    ("id", site.as_str()),
                    ("name", "Mine now"),
                    ("address", ""),
                    ("evacuation_point", ""),
                    ("assembly_point", ""),
                    ("safety_plan_ref", ""),
                    ("emergency_numbers", ""),
                ]),
        )
        .await;
    assert!(r.text.contains("not found"), "{} {}", r.status, r.text);
    let r = app.get(&format!("/api/v1/sites/{site}"), &token).await;
    assert_eq!(r.body["name"], "Main Street bakery", "{}", r.text);
}
