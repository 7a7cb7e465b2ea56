//! Invites are e-mailed over a real SMTP conversation, here with a local sink.
use crate::helpers::{spawn_app_with, Backend, TestApp};
use app::ssr::state::SmtpSettings;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A minimal SMTP server: accepts every message and hands its envelope and data to the test.
pub async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<(Vec<String>, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            tx.send((std::mem::take(&mut rcpt), std::mem::take(&mut data)))
                                .ok();
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().to_string());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

/// Settings that send to a local SMTP sink on `port`, in plain text.
pub fn sink_settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "Lifeline <noreply@lifeline.example>".into(),
        insecure: true,
    }
}

async fn invite_is_emailed(backend: Backend) {
    let (port, mut inbox) = smtp_sink().await;
    let Some(app): Option<TestApp> = spawn_app_with(backend, |s| {
        s.public_url = Some("https://lifeline.example".into());
        s.smtp = Some(crate::mail::sink_settings(port));
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery Jansen").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "carl@bakery.example", "name": "Carl", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = r.body["invite_token"].as_str().unwrap();
    let (rcpt, data) = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
        .await
        .expect("an e-mail within 10 s")
        .unwrap();
    assert_eq!(rcpt, ["<carl@bakery.example>"]);
    assert!(data.contains("Subject: Your Lifeline invitation"), "{data}");
    assert!(data.contains("Bakery Jansen"), "{data}");
    // Long lines may be folded by the transfer encoding; unfold before looking for the link.
    let unfolded = data.replace("=\n", "");
    assert!(
        unfolded.contains(&format!("https://lifeline.example/invite/{token}")),
        "{data}"
    );

    // An inviter who works in Dutch sends a Dutch invitation.
    let r = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/clients/{bakery}/users")))
                .bearer_auth(&owner)
                .header("accept-language", "nl-NL,nl;q=0.9")
                .json(&json!({ "email": "dina@bakery.example", "name": "Dina", "role": "client_member" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (rcpt, data) = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
        .await
        .expect("an e-mail within 10 s")
        .unwrap();
    assert_eq!(rcpt, ["<dina@bakery.example>"]);
    assert!(
        data.contains("Subject: Uw uitnodiging voor Lifeline"),
        "{data}"
    );
    assert!(
        data.replace("=\n", "")
            .contains("U bent uitgenodigd voor het continu=C3=AFteitsplan van Bakery Jansen"),
        "{data}"
    );
}

/// Without `LIFELINE_PUBLIC_URL` the link points where the inviter reached Lifeline (the
/// request's Host), not a bare path the invitee's mail program cannot open; a staff invitation
/// says which team it is for.
async fn invite_links_work_without_a_public_url(backend: Backend) {
    let (port, mut inbox) = smtp_sink().await;
    let Some(app): Option<TestApp> = spawn_app_with(backend, |s| {
        s.public_url = None;
        s.smtp = Some(crate::mail::sink_settings(port));
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let r = app
        .post(
            "/api/v1/staff",
            Some(&owner),
            json!({ "email": "tom@acme.example", "name": "Tom", "role": "msp_technician" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body["invite_token"].as_str().unwrap();
    let (_, data) = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
        .await
        .expect("an e-mail within 10 s")
        .unwrap();
    let unfolded = data.replace("=\n", "");
    assert!(unfolded.contains("the team of Acme IT"), "{data}");
    assert!(
        unfolded.contains(&format!("{}/invite/{token}", app.base)),
        "{} in {data}",
        app.base
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_links_work_without_a_public_url_sqlite() {
    invite_links_work_without_a_public_url(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_links_work_without_a_public_url_postgres() {
    invite_links_work_without_a_public_url(Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_is_emailed_sqlite() {
    invite_is_emailed(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_is_emailed_postgres() {
    invite_is_emailed(Backend::Postgres).await
}
