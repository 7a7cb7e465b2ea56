//! The OpenAPI document says what the server does: every route it serves is documented with
//! exactly its methods, every documented operation answers, and problems come as problem+json,
//! query-string errors included.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

crate::both!(the_document_and_the_router_agree, query_errors_are_problems,);

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// A path with its parameters filled with values of the right shape.
fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::new_v4().to_string())
        .replace("{token}", "not-a-token")
        .replace("{month}", "2026-01")
        .replace("{n}", "1")
        .replace("{key}", "not-a-key")
}

async fn the_document_and_the_router_agree(app: TestApp) {
    let doc = server::routes::openapi::full();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        // Operations with a server of their own live at the root (heartbeats), the rest under
        // /api/v1.
        let prefix = if item.get("servers").is_some() {
            ""
        } else {
            "/api/v1"
        };
        for m in METHODS {
            if item.get(m.to_lowercase()).is_some() {
                documented.insert((format!("{prefix}{path}"), m.to_string()));
            }
            if let Some(op) = item.get(m.to_lowercase()) {
                assert!(
                    op["responses"]["500"].is_object(),
                    "{m} {path}: every operation documents 500"
                );
            }
        }
    }
    let mut served = BTreeSet::new();
    for (prefix, api) in [
        ("/api/v1", server::routes::api()),
        ("", server::routes::root_routes()),
    ] {
        for (path, methods) in api.table {
            for m in methods {
                served.insert((format!("{prefix}{path}"), m.to_uppercase()));
            }
        }
    }
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );

    // And the live server agrees: a documented method is served (never 405), a method the
    // document does not list is refused with 405 (so the path itself is there).
    let paths: BTreeSet<&String> = served.iter().map(|(p, _)| p).collect();
    for path in paths {
        let url = app.url(&concrete(path));
        for m in METHODS {
            let listed = served.contains(&(path.clone(), m.to_string()));
            let mut req = app
                .http
                .request(Method::from_bytes(m.as_bytes()).unwrap(), &url);
            if m != "GET" {
                req = req.json(&serde_json::json!({}));
            }
            let status = req.send().await.unwrap().status();
            if listed {
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{m} {path} is documented"
                );
                assert!(
                    status != StatusCode::INTERNAL_SERVER_ERROR,
                    "{m} {path}: {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{m} {path} is not documented"
                );
            }
        }
    }
}

async fn query_errors_are_problems(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&token, "Bakery").await;
    for path in [
        format!("/api/v1/clients/{client}/plan/changes?from=abc"),
        format!("/api/v1/clients/{client}/plan/export.html?version=x"),
        format!("/api/v1/systems/{}/events?limit=-x", uuid::Uuid::new_v4()),
    ] {
        let r = app.get(&path, &token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        assert_eq!(
            r.headers["content-type"], "application/problem+json",
            "{path}"
        );
        assert_eq!(r.body["status"], 400);
    }
    // Sign-up and sign-in need no session, and the document says so.
    let doc = server::routes::openapi::full();
    for path in [
        "/auth/signup",
        "/auth/login",
        "/auth/password-reset",
        "/invites/{token}/accept",
    ] {
        assert_eq!(
            doc["paths"][path]["post"]["security"],
            serde_json::json!([]),
            "{path}"
        );
    }
    assert_eq!(
        doc["paths"]["/me"]["get"].get("security"),
        None,
        "the default: a session"
    );
}
