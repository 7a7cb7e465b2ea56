//! Outgoing e-mail over SMTP (lettre). Without SMTP settings nothing is sent and the caller hands
//! the invite link over by other means (the API returns the token).
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::ssr::state::{AppState, SmtpSettings};

/// How long one SMTP conversation may take.
pub const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where links in e-mails sent to someone other than the requester point (a password reset):
/// the configured public URL. A request's Host header is the requester's to choose, so it is
/// used only when it names this machine itself (a local install); otherwise, without
/// `LIFELINE_PUBLIC_URL`, links stay paths on this site.
pub fn public_base(state: &AppState, headers: &http::HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let local = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            let name = h.rsplit_once(':').map_or(*h, |(n, _)| n);
            matches!(name, "localhost" | "127.0.0.1" | "[::1]")
        });
    match local {
        Some(host) => format!("http://{host}"),
        None => {
            tracing::warn!("LIFELINE_PUBLIC_URL is not set: e-mailed links carry only their path");
            String::new()
        }
    }
}

/// Where links for the requester's own use point (an invitation they send): the configured
/// public URL, else this request's own Host (the inviter's browser reached Lifeline there).
pub fn request_base(state: &AppState, headers: &http::HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let scheme = if state.settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()) && !h.contains('/'))
        .map(|host| format!("{scheme}://{host}"))
        .unwrap_or_default()
}

pub fn invite_link(base: &str, token: &str) -> String {
    format!("{}/invite/{token}", base.trim_end_matches('/'))
}

pub async fn send_invite(
    state: &AppState,
    email: &str,
    name: &str,
    place: &str,
    base: &str,
    token: &str,
) {
    let Some(smtp) = &state.settings.smtp else {
        return;
    };
    let (link, days) = (
        invite_link(base, token),
        state.settings.invite_ttl.as_secs() / 86_400,
    );
    // In the language the inviter works in: the people they invite mostly share it.
    let (subject, body) = match crate::ssr::error::request_lang() {
        crate::i18n::Lang::Nl => (
            "Uw uitnodiging voor Lifeline",
            format!(
                "Hallo {name},\n\nU bent uitgenodigd voor {place} in Lifeline.\n\
                 Aanvaarden kan hier: {link}\n\
                 Nieuw in Lifeline? Kies daar een wachtwoord. Heeft u al een account? Typ het wachtwoord daarvan.\n\n\
                 Deze link werkt één keer en verloopt over {days} dagen.\n"
            ),
        ),
        crate::i18n::Lang::En => (
            "Your Lifeline invitation",
            format!(
                "Hello {name},\n\nYou have been invited to {place} in Lifeline.\n\
                 Accept here: {link}\n\
                 New to Lifeline? Choose a password there. Already have an account? Type its password.\n\n\
                 This link works once and expires in {days} days.\n"
            ),
        ),
    };
    if let Err(e) = send(smtp, email, subject, body).await {
        tracing::error!(error = %e, to = %crate::ssr::loggable(email), "invite e-mail not sent");
    }
}

pub async fn send(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    body: String,
) -> anyhow::Result<()> {
    let msg = Message::builder()
        .from(smtp.from.parse()?)
        .to(to.parse()?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)?;
    deliver(smtp, msg).await
}

/// A mail to a list's subscriber: mail programs offer the unsubscribe link as a button and
/// unsubscribe with one POST (RFC 2369, RFC 8058).
pub async fn send_list(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    body: String,
    unsubscribe: &str,
) -> anyhow::Result<()> {
    use lettre::message::header::{HeaderName, HeaderValue};
    let msg = Message::builder()
        .from(smtp.from.parse()?)
        .to(to.parse()?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .body(body)?;
    deliver(smtp, msg).await
}

async fn deliver(smtp: &SmtpSettings, msg: Message) -> anyhow::Result<()> {
    let mut builder = if smtp.insecure {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
    }
    .port(smtp.port)
    // A relay that stalls must not hold a delivery slot for lettre's default minute.
    .timeout(Some(SMTP_TIMEOUT));
    if let (Some(u), Some(p)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    builder.build().send(msg).await?;
    Ok(())
}
