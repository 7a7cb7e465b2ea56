//! One error type for the server. Answers are RFC 9457 problem details; internal causes are logged
//! with the request's id and never shown.
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request body or a parameter is malformed (not a validation failure of its values).
    #[error("{0}")]
    BadRequest(String),
    /// Values that parse but are not acceptable, per field.
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    #[error("{}", crate::model::UNAUTHORIZED)]
    Unauthorized,
    /// Sign-in failed: the same words whether the account exists or not.
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// Also the answer for anything outside the caller's scope: existence is not leaked.
    #[error("{}", crate::model::NOT_FOUND)]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts, try again later")]
    TooManyRequests,
    #[error("payload too large")]
    PayloadTooLarge,
    /// This replica cannot do the work now (its storage refuses writes); retry later.
    #[error("{0}")]
    Unavailable(String),
    /// A service Lifeline depends on (Stripe) could not be reached or refused the call.
    #[error("{}", crate::i18n::STRIPE_UNREACHABLE)]
    Upstream,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        AppError::Validation(BTreeMap::from([(name.to_string(), message.into())]))
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Upstream => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person may read: internal causes are replaced by a generic sentence.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "an internal error occurred".into(),
            AppError::Validation(errors) => errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            r#type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.public_message(),
            errors: match self {
                AppError::Validation(e) => Some(e.clone()),
                _ => None,
            },
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize)]
pub struct Problem {
    pub r#type: &'static str,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let status = self.status_code();
        let body = serde_json::to_vec(&localized(self.problem())).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

tokio::task_local! {
    /// The language of the request being answered (set by the server's outermost middleware):
    /// problem details follow it.
    pub static PROBLEM_LANG: crate::i18n::Lang;
}

/// The language of the request being answered; English outside a request.
///
/// The middleware sets it for the request's own task; work the page's rendering spawned (a
/// server function run for a resource, say) finds it in the request the framework keeps.
pub fn request_lang() -> crate::i18n::Lang {
    PROBLEM_LANG
        .try_with(|l| *l)
        .ok()
        .or_else(|| {
            leptos::prelude::use_context::<http::request::Parts>()
                .map(|p| crate::request_lang(&p.headers))
        })
        .unwrap_or_default()
}

/// A problem's words in the request's language. English is the source; Dutch has every title
/// and the messages people meet most (sign-in, access, the fields of the sign-up, invitation
/// and password forms); anything else stays as written.
fn localized(mut p: Problem) -> Problem {
    let lang = request_lang();
    if lang != crate::i18n::Lang::Nl {
        return p;
    }
    p.title = dutch_title(p.status).unwrap_or(&p.title).to_string();
    if let Some(errors) = &mut p.errors {
        for message in errors.values_mut() {
            *message = in_dutch(message);
        }
        p.detail = errors
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ");
    } else {
        p.detail = in_dutch(&p.detail);
    }
    p
}

/// A problem as a person reads it in a form: in the request's language, each field called by
/// its label rather than its key ("RTO: must be a duration such as …", not "rto_minutes: …").
pub fn for_people(e: &AppError) -> String {
    let nl = request_lang() == crate::i18n::Lang::Nl;
    let say = |m: &str| -> String {
        if nl {
            in_dutch(m)
        } else {
            m.to_string()
        }
    };
    match e {
        AppError::Validation(errors) => errors
            .iter()
            .map(|(k, v)| format!("{}: {}", field_label(k, nl), say(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => say(&other.public_message()),
    }
}

/// How the forms name a field; a key without a label is written out in words.
fn field_label(key: &str, nl: bool) -> String {
    let (en, du) = match key {
        "name" => ("Name", "Naam"),
        "email" => ("E-mail", "E-mailadres"),
        "password" => ("Password", "Wachtwoord"),
        "new_password" => ("New password", "Nieuw wachtwoord"),
        "role" => ("Role", "Rol"),
        "secret_key" => ("Secret key", "Geheime sleutel"),
        "webhook_secret" => ("Webhook signing secret", "Ondertekeningsgeheim"),
        "mobile" => ("Mobile", "Mobiel"),
        "landline" => ("Landline", "Vaste telefoon"),
        "emergency_phone" => ("Emergency contact's phone", "Telefoon noodcontact"),
        "rto_minutes" => ("RTO", "RTO"),
        "rpo_minutes" => ("RPO", "RPO"),
        "interval_minutes" => ("Backup interval", "Back-upinterval"),
        "job_minutes" => ("Job duration", "Duur van de taak"),
        "offsite_interval_minutes" => ("Off-site copy interval", "Interval kopie buiten de deur"),
        "retention_days" => ("Retention", "Bewaartermijn"),
        "data_gb" => ("Data size", "Omvang gegevens"),
        "restore_mb_per_s" => ("Restore throughput", "Hersteldoorvoer"),
        "method" => ("Backup method", "Back-upmethode"),
        "policy" => ("Backup policy", "Back-upbeleid"),
        "reminder_minutes" => ("Repeat an open breach", "Open overschrijding herhalen"),
        "restore_test_days" => ("Restore test proof", "Bewijs van hersteltest"),
        "emails" => ("E-mail addresses", "E-mailadressen"),
        "webhook_url" => ("Webhook URL", "Webhook-URL"),
        "mail_language" => ("Language of e-mails", "Taal van e-mails"),
        "review_due" => ("Review date", "Herziendatum"),
        "first_responders" => ("First responders", "BHV'ers"),
        "price_per_system_cents" => ("Price per system", "Prijs per systeem"),
        "price_per_tb_cents" => ("Price per TB", "Prijs per TB"),
        "currency" => ("Currency", "Valuta"),
        "like" => ("Protected like", "Beschermd zoals"),
        "survives_site_loss" => (
            "Survives losing the site",
            "Overleeft verlies van de locatie",
        ),
        "processes" => ("Business processes", "Bedrijfsprocessen"),
        "depends_on" => ("Needs", "Heeft nodig"),
        "emergency_numbers" => ("Emergency numbers", "Noodnummers"),
        "evacuation_point" => ("Evacuation", "Ontruiming"),
        "assembly_point" => ("Assembly point", "Verzamelplaats"),
        "safety_plan_ref" => ("Safety plan (BHV)", "BHV-/ontruimingsplan"),
        "address" => ("Address", "Adres"),
        "description" => ("Description", "Omschrijving"),
        "contact" => ("Contact", "Contact"),
        "owner_person_id" => ("Owner", "Eigenaar"),
        "procedure" => ("Recovery procedure", "Herstelprocedure"),
        "title" => ("Title", "Titel"),
        "scenario" => ("Scenario", "Scenario"),
        "started_at" => ("Began at", "Begonnen om"),
        "site_ids" => ("Affected sites", "Getroffen locaties"),
        "system_ids" => ("Affected systems", "Getroffen systemen"),
        "recovery_started_at" => ("Recovery started", "Herstel begonnen"),
        "recovered_at" => ("Recovered", "Hersteld"),
        "restore_point_at" => ("Restore point", "Herstelpunt"),
        "lessons" => ("Lessons learned", "Geleerde lessen"),
        "body" => ("Message", "Bericht"),
        "audience" => ("Who it is for", "Voor wie"),
        "slug" => ("Address", "Adres"),
        "components" => ("Services", "Diensten"),
        "kind" => ("Kind", "Soort"),
        "system_id" => ("System", "Systeem"),
        "scheduled_for" => ("On", "Op"),
        "incident_id" => ("The drill", "De oefening"),
        "duration_minutes" => ("Minutes restoring took", "Minuten dat herstellen duurde"),
        "passed" => ("The restore worked", "Het herstel werkte"),
        "checklist" => ("Steps", "Stappen"),
        "findings" => ("Findings", "Bevindingen"),
        "drill_every_months" => (
            "Months between call-tree drills",
            "Maanden tussen belboomoefeningen",
        ),
        "restore_test_every_months" => (
            "Months between restore tests",
            "Maanden tussen hersteltests",
        ),
        "tabletop_every_months" => (
            "Months between tabletop exercises",
            "Maanden tussen tabletop-oefeningen",
        ),
        "wave_minutes" => (
            "Minutes per call-tree wave",
            "Minuten per golf van de belboom",
        ),
        _ => {
            let words = key.replace('_', " ");
            let mut c = words.chars();
            return c
                .next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default();
        }
    };
    (if nl { du } else { en }).to_string()
}

fn dutch_title(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Ongeldig verzoek",
        401 => "Niet ingelogd",
        403 => "Niet toegestaan",
        404 => "Niet gevonden",
        405 => "Methode niet toegestaan",
        409 => "Conflict",
        413 => "Verzoek te groot",
        415 => "Verkeerd inhoudstype",
        422 => "Ongeldige invoer",
        429 => "Te veel verzoeken",
        500 => "Interne fout",
        503 => "Tijdelijk niet beschikbaar",
        _ => return None,
    })
}

/// A message in Dutch; one we have no words for stays as it is.
fn in_dutch(message: &str) -> String {
    if let Some(path) = message.strip_prefix(CYCLE) {
        return format!("zou een kringafhankelijkheid maken: {path}");
    }
    crate::i18n::dutch_message(message)
        .unwrap_or(message)
        .to_string()
}

/// How a refused dependency begins; the systems in the cycle follow.
pub const CYCLE: &str = "would make a dependency cycle: ";

/// A plain form's refusal comes back in the page's address (`__path`, `__err`; see the server's
/// `plain_form_answers`): the action of that server function then holds it, and the form shows
/// it as it would have without a reload.
pub fn provide_action_error() {
    use leptos::prelude::{provide_context, use_context};
    let Some(query) =
        use_context::<http::request::Parts>().and_then(|p| p.uri.query().map(String::from))
    else {
        return;
    };
    let (mut path, mut err) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "__path" => path = Some(v.into_owned()),
            "__err" => err = Some(v.into_owned()),
            _ => {}
        }
    }
    if let (Some(path), Some(err)) = (path, err) {
        provide_context(leptos::server::ServerActionError::new(&path, &err));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn forms_name_fields_by_their_labels_in_the_readers_language() {
        let e = AppError::Validation(BTreeMap::from([
            (
                "rto_minutes".to_string(),
                crate::domain::input::DURATION.to_string(),
            ),
            ("some_new_field".to_string(), "is required".to_string()),
        ]));
        assert_eq!(
            PROBLEM_LANG.sync_scope(Lang::En, || for_people(&e)),
            "RTO: must be a duration such as 15 min, 4 h or 1 d; Some new field: is required"
        );
        assert_eq!(
            PROBLEM_LANG.sync_scope(Lang::Nl, || for_people(&e)),
            "RTO: moet een tijdsduur zijn zoals 15 min, 4 uur of 1 dag; Some new field: is verplicht"
        );
        let refused = AppError::Forbidden("this needs an MSP staff account".into());
        assert_eq!(
            PROBLEM_LANG.sync_scope(Lang::Nl, || for_people(&refused)),
            "hiervoor is een account van de MSP nodig"
        );
        // Outside a request: English.
        assert_eq!(for_people(&refused), "this needs an MSP staff account");
    }
}
