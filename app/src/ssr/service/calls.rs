//! The call tree set going for an incident. Every person of the client's directory becomes a
//! leg: who calls them (the plan's `caller_id`), in which wave, and how Lifeline reaches them
//! itself: an e-mail through the outbox and, where the MSP has a webhook (its SMS or voice
//! gateway), a signed call with the person's mobile number; someone Lifeline cannot reach
//! is a call task for their caller. Each message carries a single-use link that confirms with
//! one tap and no login (its token stored as a SHA-256 only). A leg nobody confirmed when its
//! wave's time is up escalates once to the caller's caller: the evaluator's pass does that with
//! a conditional update, so two evaluators escalate it once.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::incident::{escalate_to, legs, Leg, Member};
use crate::i18n::Lang;
use crate::ids::ClientId;
pub use crate::model::incident::LegView;
use crate::model::plan::Channel;
use crate::ssr::auth::{random_token, sha256_hex};
use crate::ssr::entity::{call_leg, client, incident, person, plan};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::owned;
use crate::ssr::scope::Scope;
use crate::ssr::service::incidents::{find, note, require_lead};
use crate::ssr::service::monitor::{alerts, delivery};
use crate::ssr::state::AppState;

pub const ALREADY: &str = "the call tree of this incident is already going";
const STATES: [&str; 2] = ["confirmed", "unreachable"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub state: String,
    #[serde(default)]
    pub note: String,
}

fn message(lang: Lang, drill: bool, client: &str, title: &str, link: &str) -> (String, String) {
    let nl = lang == Lang::Nl;
    let tag = match (drill, nl) {
        (true, true) => "[OEFENING] ",
        (true, false) => "[DRILL] ",
        _ => "",
    };
    let subject = if nl {
        format!("{tag}Incident bij {client}: {title}")
    } else {
        format!("{tag}Incident at {client}: {title}")
    };
    let mut body = if nl {
        format!("{client} heeft een incident gemeld: {title}.\n\nBevestig met één tik dat dit bericht u bereikt heeft:\n{link}\n\nU hoeft niet in te loggen. Dit bericht komt van Lifeline, van buiten het netwerk van {client}.")
    } else {
        format!("{client} has declared an incident: {title}.\n\nConfirm with one tap that this message reached you:\n{link}\n\nNo login needed. This message comes from Lifeline, from outside {client}'s network.")
    };
    if drill {
        body.push_str(if nl {
            "\n\nDit is een oefening van de belboom."
        } else {
            "\n\nThis is a call-tree drill."
        });
    }
    (subject, body)
}

/// The person's channels in their fallback order (none said: any Lifeline can use).
fn channels(p: &person::Model) -> Vec<Channel> {
    serde_json::from_str(&p.channels).unwrap_or_default()
}

/// Sets the call tree going; the legs as they now stand.
pub async fn start(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
    base: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<LegView>> {
    let i = find(&state.db, scope, incident_id).await?;
    require_lead(scope)?;
    if i.state != "open" {
        return Err(AppError::Conflict(super::incidents::CLOSED.into()));
    }
    let client_id = ClientId::from(i.client_id);
    let people = owned::of_client::<person::Entity>(&state.db, scope, client_id).await?;
    let wave_minutes = scope
        .select::<plan::Entity>()
        .filter(plan::Column::ClientId.eq(i.client_id))
        .one(&state.db)
        .await?
        .map_or(15, |p| p.wave_minutes.clamp(1, 24 * 60));
    let client_name = scope
        .select::<client::Entity>()
        .filter(client::Column::Id.eq(i.client_id))
        .one(&state.db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let members: Vec<Member> = people
        .iter()
        .map(|p| Member {
            id: p.id,
            caller: p.caller_id,
            coordinator: p.is_coordinator,
        })
        .collect();
    let settings = alerts::settings_of(&state.db, &Scope::machine_msp(i.msp_id)).await?;
    let lang = alerts::mail_lang(&settings);
    let txn = state.begin_write().await?;
    // Once per incident, even when two people press the button at once.
    let took = scope
        .update::<incident::Entity>()
        .col_expr(incident::Column::CallTreeAt, Expr::value(Some(now)))
        .filter(incident::Column::Id.eq(i.id))
        .filter(incident::Column::CallTreeAt.is_null())
        .exec(&txn)
        .await?;
    if took.rows_affected == 0 {
        return Err(AppError::Conflict(ALREADY.into()));
    }
    let tree = legs(&members);
    for leg in &tree {
        let Some(p) = people.iter().find(|p| p.id == leg.person) else {
            continue;
        };
        let token = random_token();
        let link = format!("{}/r/{token}", base.trim_end_matches('/'));
        let (subject, body) = message(lang, i.drill, &client_name, &i.title, &link);
        let ways = channels(p);
        let by_mail =
            !p.email.trim().is_empty() && (ways.is_empty() || ways.contains(&Channel::Email));
        let by_gateway = !settings.webhook_url.is_empty() && !p.mobile.trim().is_empty();
        // The link is the confirmation: sealed at rest in the outbox, like a password reset's.
        if by_mail {
            let whose = (i.msp_id, i.client_id);
            delivery::queue_sealed_email(&txn, state, whose, p.email.trim(), &subject, &body)
                .await?;
        }
        if by_gateway {
            let payload = serde_json::json!({
                "event": "incident.call", "incident": i.id, "drill": i.drill,
                "person": { "id": p.id, "name": p.name, "mobile": p.mobile },
                "text": body, "confirm_url": link,
            });
            // The confirm link travels in it: sealed at rest like the e-mail's.
            delivery::queue_sealed_webhook(
                &txn,
                state,
                (i.msp_id, i.client_id),
                &settings.webhook_url,
                "incident.call",
                &payload.to_string(),
            )
            .await?;
        }
        let channel = match (by_mail, by_gateway) {
            (true, _) => "email",
            (false, true) => "sms",
            _ => "phone",
        };
        call_leg::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(i.msp_id),
            client_id: Set(i.client_id),
            incident_id: Set(i.id),
            person_id: Set(p.id),
            person_name: Set(p.name.clone()),
            caller_id: Set(leg.caller),
            wave: Set(leg.wave as i32),
            state: Set("waiting".into()),
            channel: Set(channel.into()),
            token_hash: Set(Some(sha256_hex(&token))),
            due_at: Set(now + Duration::minutes(i64::from(wave_minutes) * i64::from(leg.wave))),
            confirmed_at: Set(None),
            escalated_to: Set(None),
            note: Set(String::new()),
            recorded_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let who = super::incidents::actor(&txn, scope).await?;
    note(
        &txn,
        &i,
        &who,
        "call_tree",
        serde_json::json!({ "legs": tree.len(), "wave_minutes": wave_minutes }),
        now,
    )
    .await?;
    txn.commit().await?;
    list(state, scope, incident_id).await
}

/// The legs of an incident's call tree, wave by wave.
pub async fn list(state: &AppState, scope: &Scope, incident_id: Uuid) -> AppResult<Vec<LegView>> {
    let i = find(&state.db, scope, incident_id).await?;
    legs_of(&state.db, scope, &i).await
}

/// The legs of an incident already read in the scope.
pub async fn legs_of(
    db: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    i: &incident::Model,
) -> AppResult<Vec<LegView>> {
    let rows = scope
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::IncidentId.eq(i.id))
        .order_by_asc(call_leg::Column::Wave)
        .order_by_asc(call_leg::Column::PersonName)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let people = owned::of_client::<person::Entity>(db, scope, ClientId::from(i.client_id)).await?;
    let name = |id: Option<Uuid>| {
        id.and_then(|id| people.iter().find(|p| p.id == id))
            .map(|p| p.name.clone())
    };
    let leads = require_lead(scope).is_ok();
    Ok(rows
        .into_iter()
        .map(|r| {
            let phones = people
                .iter()
                .find(|p| p.id == r.person_id)
                .filter(|_| leads)
                .map(|p| {
                    [&p.mobile, &p.landline]
                        .into_iter()
                        .filter(|n| !n.trim().is_empty())
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            LegView {
                id: r.id,
                person_id: r.person_id,
                person_name: r.person_name,
                caller_name: name(r.caller_id),
                wave: r.wave,
                state: r.state,
                channel: r.channel,
                due_at: r.due_at,
                confirmed_at: r.confirmed_at,
                escalated_to_name: name(r.escalated_to),
                note: r.note,
                phones,
            }
        })
        .collect())
}

/// A person records how a call went: reached (`confirmed`) or `unreachable`, with a note.
pub async fn record(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
    leg_id: Uuid,
    answer: Answer,
    now: DateTime<Utc>,
) -> AppResult<LegView> {
    let i = find(&state.db, scope, incident_id).await?;
    require_lead(scope)?;
    if i.state != "open" {
        return Err(AppError::Conflict(super::incidents::CLOSED.into()));
    }
    if !STATES.contains(&answer.state.as_str()) {
        return Err(AppError::field("state", "must be confirmed or unreachable"));
    }
    if answer.note.chars().count() > 500 {
        return Err(AppError::field("note", "must be at most 500 characters"));
    }
    let leg = scope
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::Id.eq(leg_id))
        .filter(call_leg::Column::IncidentId.eq(i.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = super::incidents::actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let confirmed = answer.state == "confirmed";
    scope
        .update::<call_leg::Entity>()
        .col_expr(call_leg::Column::State, Expr::value(answer.state.clone()))
        .col_expr(
            call_leg::Column::ConfirmedAt,
            Expr::value(if confirmed {
                leg.confirmed_at.or(Some(now))
            } else {
                None
            }),
        )
        .col_expr(
            call_leg::Column::Note,
            Expr::value(answer.note.trim().to_string()),
        )
        .col_expr(
            call_leg::Column::RecordedBy,
            Expr::value(Some(scope.user_id())),
        )
        .col_expr(call_leg::Column::UpdatedAt, Expr::value(now))
        .filter(call_leg::Column::Id.eq(leg.id))
        .exec(&txn)
        .await?;
    note(
        &txn,
        &i,
        &who,
        if confirmed { "reached" } else { "unreachable" },
        serde_json::json!({ "person": leg.person_name, "note": answer.note.trim() }),
        now,
    )
    .await?;
    txn.commit().await?;
    list(state, scope, incident_id)
        .await?
        .into_iter()
        .find(|l| l.id == leg_id)
        .ok_or(AppError::NotFound)
}

/// What a confirm link leads to.
pub enum Link {
    /// Not (or no longer) a link of ours.
    Unknown,
    /// Used already, or its incident is closed.
    Spent { person: String },
    /// Still to be confirmed.
    Open {
        person: String,
        title: String,
        drill: bool,
    },
    /// Confirmed now.
    Confirmed { person: String },
}

async fn leg_by_token(
    state: &AppState,
    token: &str,
) -> AppResult<Option<(call_leg::Model, incident::Model)>> {
    if token.len() > 100 {
        return Ok(None);
    }
    let all = Scope::all_tenants("confirm link: the token is the authority");
    let Some(leg) = all
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::TokenHash.eq(sha256_hex(token)))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let i = all
        .select::<incident::Entity>()
        .filter(incident::Column::Id.eq(leg.incident_id))
        .one(&state.db)
        .await?;
    Ok(i.map(|i| (leg, i)))
}

/// The language the link's message was written in (the MSP's mail language): its page reads
/// the same for someone whose browser has never seen Lifeline.
pub async fn language(state: &AppState, token: &str) -> AppResult<Lang> {
    Ok(match leg_by_token(state, token).await? {
        Some((leg, _)) => {
            let settings = alerts::settings_of(&state.db, &Scope::machine_msp(leg.msp_id)).await?;
            alerts::mail_lang(&settings)
        }
        None => Lang::En,
    })
}

/// What the link shows before it is pressed.
pub async fn peek(state: &AppState, token: &str) -> AppResult<Link> {
    Ok(match leg_by_token(state, token).await? {
        None => Link::Unknown,
        Some((leg, i)) if leg.state == "confirmed" || i.state != "open" => Link::Spent {
            person: leg.person_name,
        },
        Some((leg, i)) => Link::Open {
            person: leg.person_name,
            title: i.title,
            drill: i.drill,
        },
    })
}

/// The person taps the link: their leg is confirmed, once.
pub async fn confirm(state: &AppState, token: &str, now: DateTime<Utc>) -> AppResult<Link> {
    let Some((leg, i)) = leg_by_token(state, token).await? else {
        return Ok(Link::Unknown);
    };
    if i.state != "open" {
        return Ok(Link::Spent {
            person: leg.person_name,
        });
    }
    let machine = Scope::machine(leg.msp_id, leg.client_id);
    let txn = state.begin_write().await?;
    let took = machine
        .update::<call_leg::Entity>()
        .col_expr(call_leg::Column::State, Expr::value("confirmed"))
        .col_expr(call_leg::Column::ConfirmedAt, Expr::value(Some(now)))
        .col_expr(call_leg::Column::UpdatedAt, Expr::value(now))
        .filter(call_leg::Column::Id.eq(leg.id))
        .filter(call_leg::Column::State.ne("confirmed"))
        .exec(&txn)
        .await?;
    if took.rows_affected == 0 {
        return Ok(Link::Spent {
            person: leg.person_name,
        });
    }
    note(
        &txn,
        &i,
        &leg.person_name,
        "confirmed",
        serde_json::json!({ "person": leg.person_name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Link::Confirmed {
        person: leg.person_name,
    })
}

/// Escalates the legs whose wave's time ran out unconfirmed (the evaluator's pass, every
/// tenant): each once, to its caller's caller, who is told by e-mail whom to call. Returns how
/// many it escalated.
pub async fn escalate_due(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    use sea_orm::QuerySelect;
    let all = Scope::all_tenants("call tree: legs past their wave, of every tenant");
    let due = all
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::State.eq("waiting"))
        .filter(call_leg::Column::DueAt.lte(now))
        .order_by_asc(call_leg::Column::DueAt)
        .limit(500)
        .all(&state.db)
        .await?;
    let mut done = 0;
    for leg in due {
        // One tenant's trouble does not hold up another's escalations: a leg that cannot be
        // escalated now waits a few minutes behind the others instead of heading every pass.
        match escalate_one(state, &leg, now).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = ?e, leg = %leg.id, "escalation failed; tried again later");
                let later = Scope::machine(leg.msp_id, leg.client_id)
                    .update::<call_leg::Entity>()
                    .col_expr(
                        call_leg::Column::DueAt,
                        Expr::value(now + Duration::minutes(5)),
                    )
                    .filter(call_leg::Column::Id.eq(leg.id))
                    .filter(call_leg::Column::State.eq("waiting"))
                    .exec(&state.db)
                    .await;
                if let Err(e) = later {
                    tracing::error!(error = ?e, leg = %leg.id, "could not put off a failed escalation");
                }
            }
        }
    }
    Ok(done)
}

async fn escalate_one(
    state: &AppState,
    leg: &call_leg::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let machine = Scope::machine(leg.msp_id, leg.client_id);
    let i = find(&state.db, &machine, leg.incident_id).await?;
    if i.state != "open" {
        return Ok(false);
    }
    let siblings = machine
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::IncidentId.eq(leg.incident_id))
        .all(&state.db)
        .await?;
    let tree: Vec<Leg> = siblings
        .iter()
        .map(|l| Leg {
            person: l.person_id,
            caller: l.caller_id,
            wave: l.wave.max(0) as u32,
        })
        .collect();
    let this = Leg {
        person: leg.person_id,
        caller: leg.caller_id,
        wave: leg.wave.max(0) as u32,
    };
    let to = escalate_to(&this, &tree);
    let txn = state.begin_write().await?;
    let took = machine
        .update::<call_leg::Entity>()
        .col_expr(call_leg::Column::State, Expr::value("escalated"))
        .col_expr(call_leg::Column::EscalatedTo, Expr::value(to))
        .col_expr(call_leg::Column::UpdatedAt, Expr::value(now))
        .filter(call_leg::Column::Id.eq(leg.id))
        .filter(call_leg::Column::State.eq("waiting"))
        .exec(&txn)
        .await?;
    if took.rows_affected == 0 {
        // Another evaluator, or the person, was first.
        return Ok(false);
    }
    let people =
        owned::of_client::<person::Entity>(&txn, &machine, ClientId::from(leg.client_id)).await?;
    let target = to.and_then(|t| people.iter().find(|p| p.id == t));
    let missing = people.iter().find(|p| p.id == leg.person_id);
    if let (Some(t), Some(m)) = (target, missing) {
        if !t.email.trim().is_empty() {
            let settings = alerts::settings_of(&txn, &Scope::machine_msp(leg.msp_id)).await?;
            let numbers: Vec<&str> = [m.mobile.as_str(), m.landline.as_str()]
                .into_iter()
                .filter(|n| !n.trim().is_empty())
                .collect();
            let (subject, body) = match alerts::mail_lang(&settings) {
                Lang::Nl => (
                    format!("{} heeft niet bevestigd: bel alstublieft", m.name),
                    format!("{} heeft het bericht over \"{}\" niet binnen de tijd bevestigd. Bel alstublieft: {}.", m.name, i.title, numbers.join(", ")),
                ),
                Lang::En => (
                    format!("{} has not confirmed: please call", m.name),
                    format!("{} has not confirmed the message about \"{}\" in time. Please call: {}.", m.name, i.title, numbers.join(", ")),
                ),
            };
            delivery::queue_email(
                &txn,
                leg.msp_id,
                leg.client_id,
                t.email.trim(),
                &subject,
                &body,
            )
            .await?;
        }
    }
    note(
        &txn,
        &i,
        "Lifeline",
        "escalated",
        serde_json::json!({ "person": leg.person_name, "to": target.map(|t| t.name.clone()) }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
