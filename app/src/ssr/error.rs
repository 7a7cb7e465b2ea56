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
    dutch(message).unwrap_or(message).to_string()
}

/// How a refused dependency begins; the systems in the cycle follow.
pub const CYCLE: &str = "would make a dependency cycle: ";

fn dutch(message: &str) -> Option<&'static str> {
    Some(match message {
        crate::model::UNAUTHORIZED => "u bent niet ingelogd",
        crate::model::NOT_FOUND => "niet gevonden",
        "wrong e-mail address or password" => "verkeerd e-mailadres of wachtwoord",
        "too many attempts, try again later" => "te veel pogingen, probeer het later opnieuw",
        "payload too large" => "het verzoek is te groot",
        "an internal error occurred" => "er ging intern iets mis",
        "this needs an MSP staff account" => "hiervoor is een account van de MSP nodig",
        "this needs an admin account" => "hiervoor is een beheerdersaccount nodig",
        "your role may read the plan but not change it" => {
            "uw rol mag het plan lezen maar niet wijzigen"
        }
        "only the MSP's owners and admins manage its team" => {
            "alleen eigenaren en beheerders van de MSP beheren het team"
        }
        "only an owner makes or unmakes an owner" => {
            "alleen een eigenaar maakt iemand eigenaar of neemt dat af"
        }
        "only an owner disables an owner" => "alleen een eigenaar schakelt een eigenaar uit",
        "the last owner stays an owner: make someone else owner first" => {
            "de laatste eigenaar blijft eigenaar: maak eerst iemand anders eigenaar"
        }
        "you cannot disable your own account" => "u kunt uw eigen account niet uitschakelen",
        "is not an e-mail address" => "is geen e-mailadres",
        crate::domain::input::DURATION => "moet een tijdsduur zijn zoals 15 min, 4 uur of 1 dag",
        "must be between 1 minute and 1 year (525600)" => "moet tussen 1 minuut en 1 jaar liggen",
        "is required" => "is verplicht",
        "is required: 0 turns reminders off" => "is verplicht: 0 zet herinneringen uit",
        "must be 0 (off) to 10080 (a week)" => "moet 0 (uit) tot 10080 (een week) zijn",
        "must be 1 to 3650 days" => "moet 1 tot 3650 dagen zijn",
        "must be a whole number" => "moet een geheel getal zijn",
        "must be a whole number of days" => "moet een geheel aantal dagen zijn",
        "is not a known backup method" => "is geen bekende back-upmethode",
        "is not a phone number" => "is geen telefoonnummer",
        "is not known" => "is onbekend",
        crate::domain::upsell::MONEY => "moet een bedrag zijn zoals 45 of 45,00",
        "only the MSP's owners and admins change the catalog" => {
            "alleen eigenaren en beheerders van de MSP wijzigen de catalogus"
        }
        "must be a whole number of cents from 0 to 1000000000" => {
            "moet een geheel aantal centen van 0 tot 1000000000 zijn"
        }
        "must be a three-letter ISO 4217 code such as EUR" => {
            "moet een ISO 4217-code van drie letters zijn, zoals EUR"
        }
        "needs a policy whose copies leave the site (an off-site interval or replication)" => {
            "vraagt om een beleid waarvan kopieën de deur uit gaan (een interval buiten de deur of replicatie)"
        }
        "names someone who is not in this client's directory" => {
            "noemt iemand die niet in het adresboek van deze klant staat"
        }
        "is not a person in this client's directory" => {
            "is geen persoon uit het adresboek van deze klant"
        }
        "names a system that is not in this client's plan" => {
            "noemt een systeem dat niet in het plan van deze klant staat"
        }
        "names a business process that is not in this client's plan"
        | "names a process that is not in this client's plan" => {
            "noemt een bedrijfsproces dat niet in het plan van deze klant staat"
        }
        "at most 200 steps of at most 2000 characters" => {
            "hoogstens 200 stappen van hoogstens 2000 tekens"
        }
        "must be one line" => "moet één regel zijn",
        "must be at most 500 characters" => "mag hoogstens 500 tekens lang zijn",
        "must be at most 2000 characters" => "mag hoogstens 2000 tekens lang zijn",
        "interval and off-site interval 1 minute to 1 year, job at most a week, throughput at least 1 MB/s" => {
            "interval en interval buiten de deur 1 minuut tot 1 jaar, taak hoogstens een week, doorvoer minstens 1 MB/s"
        }
        "is too long" => "is te lang",
        "must not be empty" => "mag niet leeg zijn",
        "must be at most 200 characters" => "mag hoogstens 200 tekens lang zijn",
        "must be at most 256 characters" => "mag hoogstens 256 tekens lang zijn",
        "must be at most 10000 characters" => "mag hoogstens 10000 tekens lang zijn",
        "must not contain control characters" => "mag geen stuurtekens bevatten",
        "must be at least 12 characters" => "moet minstens 12 tekens lang zijn",
        "must not be blank" => "mag niet uit alleen spaties bestaan",
        "is too repetitive: use more different characters" => {
            "herhaalt zich te veel: gebruik meer verschillende tekens"
        }
        "is a sequence (like 123456789012 or qwertyuiop): choose something less predictable" => {
            "is een reeks (zoals 123456789012 of qwertyuiop): kies iets minder voorspelbaars"
        }
        "is one of the most common passwords: choose another" => {
            "is een van de meest gebruikte wachtwoorden: kies een ander"
        }
        "already has an account with you" => "heeft al een account bij u",
        "must be msp_admin or msp_technician" => "moet msp_admin of msp_technician zijn",
        "must be client_admin or client_member" => "moet client_admin of client_member zijn",
        "must be msp_owner, msp_admin or msp_technician" => {
            "moet msp_owner, msp_admin of msp_technician zijn"
        }
        _ => return None,
    })
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
