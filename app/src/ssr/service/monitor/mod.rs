//! Backup monitoring: ingest tokens, ingesting events and heartbeats, the live status of a
//! client's systems and processes, and the evaluator that moves states along by the clock.
pub mod alerts;
pub mod cache;
pub mod delivery;
pub mod evaluate;
pub mod ingest;
pub mod report;
pub mod tokens;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::sla::{rpo_state, rto_state, State, Telemetry};
use crate::ids::{ClientId, SystemId};
use crate::model::monitor::{ClientStatus, Counts, ProcessStatusView, SystemStatusView};
use crate::ssr::entity::{state_change, system, system_clock, system_status};
use crate::ssr::error::AppResult;
use crate::ssr::repo::{clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::plan::Links;
use crate::ssr::state::AppState;

/// Restore tests older than this prove nothing about today's recovery time, unless the MSP
/// chose another number of days (its alert settings).
pub const RESTORE_TEST_STALE_DAYS: i64 = 90;

/// How many days a restore test proves the RTO for an MSP's systems.
pub async fn restore_test_days(db: &impl ConnectionTrait, msp_id: Uuid) -> AppResult<i64> {
    let settings = alerts::settings_of(db, &Scope::machine_msp(msp_id)).await?;
    Ok(i64::from(settings.restore_test_days.max(1)))
}

/// This many failed jobs in a row is a warning even while the RPO still holds.
pub const FAILURES_WARNING: u32 = 3;

/// The targets in force per system, in seconds: (RPO, RTO).
pub type Targets = HashMap<Uuid, (Option<i64>, Option<i64>)>;

pub async fn targets(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<(Targets, Links, Vec<system::Model>)> {
    use crate::domain::plan::{effective_targets, Targets as Minutes};
    let links = Links::load(db, scope, client_id).await?;
    let systems = owned::of_client::<system::Entity>(db, scope, client_id).await?;
    // On every ingest request: straight from the link table, without building whole views.
    let minutes = |v: Option<i32>| v.and_then(|m| u32::try_from(m).ok());
    let process: HashMap<Uuid, Minutes> = links
        .processes
        .iter()
        .map(|p| {
            (
                p.id,
                Minutes {
                    rto_minutes: minutes(p.rto_minutes),
                    rpo_minutes: minutes(p.rpo_minutes),
                },
            )
        })
        .collect();
    let mut of_system: HashMap<Uuid, Vec<Minutes>> = HashMap::new();
    for l in &links.proc_sys {
        if let Some(t) = process.get(&l.process_id) {
            of_system.entry(l.system_id).or_default().push(*t);
        }
    }
    let secs = |m: Option<u32>| m.map(|m| i64::from(m) * 60);
    let t = systems
        .iter()
        .map(|s| {
            let own = Minutes {
                rto_minutes: minutes(s.rto_minutes),
                rpo_minutes: minutes(s.rpo_minutes),
            };
            let e = effective_targets(own, of_system.get(&s.id).map_or(&[][..], |v| v.as_slice()));
            (s.id, (secs(e.rpo_minutes), secs(e.rto_minutes)))
        })
        .collect();
    Ok((t, links, systems))
}

/// A client's systems and their targets for ingest: from memory when fresh, else read and kept.
pub async fn client_targets(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<std::sync::Arc<cache::ClientTargets>> {
    if let Some(c) = state.ingest_cache.client(client_id.uuid()) {
        return Ok(c);
    }
    let archived = clients::get(&state.db, scope, client_id)
        .await?
        .archived_at
        .is_some();
    let (targets, _, systems) = targets(&state.db, scope, client_id).await?;
    let c = std::sync::Arc::new(cache::ClientTargets {
        targets,
        systems: systems.iter().map(|s| s.id).collect(),
        restore_test_days: restore_test_days(&state.db, scope.msp_id()).await?,
        ping_keys: systems.into_iter().map(|s| (s.ping_key, s.id)).collect(),
        archived,
    });
    state.ingest_cache.put_client(client_id.uuid(), c.clone());
    Ok(c)
}

/// Removes a deleted system's state changes. The log is written in bulk and keeps no key to
/// `system` (migration 010), so its rows do not go with the system by themselves. Called after
/// the system is gone, when no pass can record a change of it any more.
pub async fn forget_system(state: &AppState, scope: &Scope, system_id: Uuid) -> AppResult<()> {
    scope
        .delete::<state_change::Entity>()
        .filter(state_change::Column::SystemId.eq(system_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// A client's systems, processes or their targets changed: ingest forgets what it kept, and the
/// evaluator looks at every status of the client on its next pass (a state may have changed
/// with the target, not only with the clock).
pub async fn targets_changed(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<()> {
    state.ingest_cache.forget_client(client_id.uuid());
    judge_again(state, scope, Some(client_id.uuid())).await
}

/// The MSP changed how long a restore test proves the RTO: every status of the MSP is judged again.
pub async fn proof_window_changed(state: &AppState, scope: &Scope) -> AppResult<()> {
    state.ingest_cache.forget_clients();
    judge_again(state, scope, None).await
}

/// Makes the scope's statuses (of one client, or all) due now, with their targets to be read
/// afresh.
async fn judge_again(state: &AppState, scope: &Scope, client_id: Option<Uuid>) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    let mut update = scope
        .update::<system_clock::Entity>()
        .col_expr(
            system_clock::Column::NextEvalAt,
            Expr::value(Some(system_clock::millis(Utc::now()))),
        )
        .col_expr(system_clock::Column::TargetsStale, Expr::value(true));
    if let Some(client_id) = client_id {
        update = update.filter(system_clock::Column::ClientId.eq(client_id));
    }
    update.exec(&state.db).await?;
    Ok(())
}

pub fn telemetry(row: &system_status::Model) -> Telemetry {
    Telemetry {
        last_good_at: row.last_good_at,
        last_offsite_at: row.last_offsite_at,
        last_event_at: row.last_event_at,
        failures_in_row: row.failures_in_row.max(0) as u32,
        last_test: last_test(
            row.last_test_at,
            row.last_test_passed,
            row.last_test_seconds,
        ),
    }
}

/// The last restore test from its three stored columns: (when, passed, seconds).
pub fn last_test(
    at: Option<DateTime<Utc>>,
    passed: Option<bool>,
    seconds: Option<i64>,
) -> Option<(DateTime<Utc>, bool, i64)> {
    Some((at?, passed?, seconds?))
}

/// The two states of a system right now.
pub fn states(
    t: &Telemetry,
    target: (Option<i64>, Option<i64>),
    proof_days: i64,
    now: DateTime<Utc>,
) -> (State, State) {
    (
        rpo_state(t.last_good_at, target.0, now),
        rto_state(t.last_test, target.1, proof_days, now),
    )
}

/// A status as judged at a moment: its two states and the moments (Unix milliseconds) the clock
/// will move them, which is all the evaluator needs until new telemetry or targets arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub states: (State, State),
    /// The next moment one of the states moves (`None`: only an event or a target change will).
    pub next_eval_at: Option<i64>,
    /// (RPO at risk, RPO breached); `None` without a restore point or a target.
    pub rpo_moments: Option<(i64, i64)>,
    /// When the last restore test stops proving the RTO; `None` unless it proves it now.
    pub rto_stale_at: Option<i64>,
}

/// Judges telemetry against targets at `now`, for the clock row.
pub fn clock(
    t: &Telemetry,
    target: (Option<i64>, Option<i64>),
    proof_days: i64,
    now: DateTime<Utc>,
) -> Clock {
    use crate::domain::sla::{rpo_thresholds, rto_stale_at};
    use system_clock::millis;
    Clock {
        states: states(t, target, proof_days, now),
        next_eval_at: ingest::next_eval(t, target, proof_days, now).map(millis),
        rpo_moments: rpo_thresholds(t.last_good_at, target.0)
            .map(|(risk, breach)| (millis(risk), millis(breach))),
        rto_stale_at: rto_stale_at(t.last_test, target.1, proof_days).map(millis),
    }
}

/// The states a clock row holds (a value it cannot hold reads as unknown).
pub fn stored_states(row_rpo: &str, row_rto: &str) -> (State, State) {
    (
        State::parse(row_rpo).unwrap_or(State::Unknown),
        State::parse(row_rto).unwrap_or(State::Unknown),
    )
}

/// The live status of a client's systems and processes, evaluated at `now`.
pub async fn client_status(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    now: DateTime<Utc>,
) -> AppResult<ClientStatus> {
    let client = clients::get(&state.db, scope, client_id).await?;
    let (targets, links, mut systems) = targets(&state.db, scope, client_id).await?;
    systems.sort_by_key(|s| s.name.to_lowercase());
    let rows: HashMap<Uuid, system_status::Model> = scope
        .select::<system_status::Entity>()
        .filter(system_status::Column::ClientId.eq(client_id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.system_id, r))
        .collect();
    let proof_days = restore_test_days(&state.db, scope.msp_id()).await?;
    let mut counts = Counts::default();
    let mut views = Vec::new();
    for s in systems {
        let target = targets.get(&s.id).copied().unwrap_or((None, None));
        let row = rows.get(&s.id);
        let t = row.map(telemetry).unwrap_or_default();
        let (rpo, rto) = states(&t, target, proof_days, now);
        counts.add(rpo);
        let mut warnings = Vec::new();
        let lang = crate::ssr::error::request_lang();
        if t.failures_in_row >= FAILURES_WARNING {
            warnings.push(match lang {
                crate::i18n::Lang::Nl => format!("{} back-ups op rij mislukt", t.failures_in_row),
                crate::i18n::Lang::En => format!("{} backups failed in a row", t.failures_in_row),
            });
        }
        if let Some(r) = row.filter(|r| !r.suspicious.is_empty()) {
            warnings.push(crate::monitor_text::finding(lang, &r.suspicious));
        }
        let age = |at: Option<DateTime<Utc>>| at.map(|a| (now - a).num_seconds().max(0));
        let sv = links.system_view(s.clone());
        views.push(SystemStatusView {
            id: s.id,
            name: s.name,
            criticality: sv.criticality,
            rpo_state: rpo,
            rpo_exposure_seconds: age(t.last_good_at),
            rpo_target_seconds: target.0,
            offsite_exposure_seconds: age(t.last_offsite_at),
            rto_state: rto,
            rto_evidence_seconds: t.last_test.map(|(_, _, s)| s),
            rto_target_seconds: target.1,
            rto_evidence_at: t.last_test.map(|(at, _, _)| at),
            last_restore_point_at: t.last_good_at,
            last_offsite_at: t.last_offsite_at,
            last_event_at: t.last_event_at,
            failures_in_row: t.failures_in_row,
            warnings,
            ping_key: scope.is_msp_staff().then_some(s.ping_key),
            policy: sv.policy.clone(),
        });
    }
    let by_id: HashMap<Uuid, &SystemStatusView> = views.iter().map(|v| (v.id, v)).collect();
    let mut processes: Vec<ProcessStatusView> = links
        .processes
        .iter()
        .map(|p| {
            let pv = links.process_view(p.clone());
            let members: Vec<&&SystemStatusView> =
                pv.systems.iter().filter_map(|s| by_id.get(s)).collect();
            let worst = |f: fn(&SystemStatusView) -> State| {
                members.iter().map(|s| f(s)).max().unwrap_or(State::Unknown)
            };
            let policies: Vec<(&str, &crate::domain::sla::Policy)> = members
                .iter()
                .filter_map(|s| s.policy.as_ref().map(|p| (s.name.as_str(), p)))
                .collect();
            ProcessStatusView {
                policy_gaps: crate::domain::sla::process_gaps(
                    crate::i18n::Lang::En,
                    &policies,
                    pv.rpo_minutes,
                    pv.rto_minutes,
                ),
                id: p.id,
                name: p.name.clone(),
                rpo_state: worst(|s| s.rpo_state),
                rto_state: worst(|s| s.rto_state),
                rpo_target_seconds: pv.rpo_minutes.map(|m| i64::from(m) * 60),
                rto_target_seconds: pv.rto_minutes.map(|m| i64::from(m) * 60),
                systems: pv.systems,
            }
        })
        .collect();
    processes.sort_by_key(|p| p.name.to_lowercase());
    // Worst first: what needs attention leads.
    views.sort_by_key(|v| std::cmp::Reverse(v.rpo_state.max(v.rto_state)));
    let ping_base = state
        .settings
        .public_url
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    Ok(ClientStatus {
        client_id: client_id.uuid(),
        client_name: client.name,
        evaluated_at: now,
        counts,
        systems: views,
        processes,
        ping_base,
    })
}

/// Exposure over the last `days` for each system of a client, for the charts.
pub async fn history(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    days: i64,
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<(DateTime<Utc>, i64)>>> {
    use crate::domain::sla::exposure_series;
    clients::get(&state.db, scope, client_id).await?;
    let from = now - chrono::Duration::days(days);
    let ids: Vec<Uuid> = owned::of_client::<system::Entity>(&state.db, scope, client_id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    // The line starts from the newest restore point known when the window opens. A restore
    // point is never younger than its arrival, so one found in the day before the window is
    // newer than anything that arrived earlier: only systems without one look further back.
    // Each read goes by system and time (the index), never through the client's whole history.
    let recent = restore_points(state, scope, &ids, from - chrono::Duration::days(1), now).await?;
    // (arrival, restore point) per system.
    let mut by_system: HashMap<Uuid, Vec<Arrival>> = HashMap::new();
    for (sys, at, rp) in recent {
        by_system.entry(sys).or_default().push((at, rp));
    }
    let settled = |pts: &Vec<Arrival>| {
        pts.iter()
            .any(|(at, rp)| *at <= from && *rp >= from - chrono::Duration::days(1))
    };
    let unsettled: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !by_system.get(id).is_some_and(settled))
        .collect();
    if !unsettled.is_empty() {
        let older = restore_points(
            state,
            scope,
            &unsettled,
            from - chrono::Duration::days(30),
            from - chrono::Duration::days(1),
        )
        .await?;
        for (sys, at, rp) in older {
            by_system.entry(sys).or_default().push((at, rp));
        }
    }
    Ok(by_system
        .into_iter()
        .map(|(k, pts)| (k, exposure_series(&pts, from, now)))
        .collect())
}

/// A good job's arrival and the restore point it brought.
type Arrival = (DateTime<Utc>, DateTime<Utc>);

/// (system, arrival, restore point) of the good backups and replications of `systems` that
/// arrived from `from` up to `to`. A week of hourly backups is thousands of rows per client:
/// the database sends one row per system with its points as epoch seconds ("arrival point,…"),
/// which costs a fraction of decoding each row with its two timestamps.
async fn restore_points(
    state: &AppState,
    scope: &Scope,
    systems: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>> {
    use crate::domain::sla::EventKind;
    use crate::ssr::entity::backup_event;
    use sea_orm::sea_query::Expr;
    use sea_orm::QuerySelect;
    let points = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "string_agg(floor(extract(epoch from finished_at))::bigint::text || ' ' || \
             floor(extract(epoch from restore_point_at))::bigint::text, ',')"
        }
        _ => {
            "group_concat(CAST(unixepoch(finished_at) AS TEXT) || ' ' || \
             CAST(unixepoch(restore_point_at) AS TEXT), ',')"
        }
    };
    let mut out = Vec::new();
    for chunk in systems.chunks(500) {
        let rows: Vec<(Uuid, Option<String>)> = scope
            .select::<backup_event::Entity>()
            .select_only()
            .column(backup_event::Column::SystemId)
            .expr(Expr::cust(points))
            .filter(backup_event::Column::SystemId.is_in(chunk.iter().copied()))
            .filter(backup_event::Column::FinishedAt.gte(from))
            .filter(backup_event::Column::FinishedAt.lte(to))
            .filter(backup_event::Column::Kind.is_in([
                EventKind::BackupSucceeded.as_str(),
                EventKind::ReplicationSucceeded.as_str(),
            ]))
            .filter(backup_event::Column::RestorePointAt.is_not_null())
            .group_by(backup_event::Column::SystemId)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (sys, list) in rows {
            out.extend(
                epoch_pairs(list.as_deref().unwrap_or_default()).map(|(at, rp)| (sys, at, rp)),
            );
        }
    }
    Ok(out)
}

/// "arrival point,arrival point,…" in epoch seconds, as times; anything unreadable is skipped.
fn epoch_pairs(list: &str) -> impl Iterator<Item = Arrival> + '_ {
    list.split(',').filter_map(|pair| {
        let (at, rp) = pair.split_once(' ')?;
        Some((
            DateTime::from_timestamp(at.trim().parse().ok()?, 0)?,
            DateTime::from_timestamp(rp.trim().parse().ok()?, 0)?,
        ))
    })
}

/// A system's newest events, newest first: its timeline of backups, failures and restore tests.
pub async fn events(
    state: &AppState,
    scope: &Scope,
    system_id: Uuid,
    limit: u64,
) -> AppResult<Vec<crate::model::monitor::EventView>> {
    use crate::domain::sla::EventKind;
    use crate::ssr::entity::backup_event;
    use sea_orm::{QueryOrder, QuerySelect};
    owned::get::<system::Entity>(&state.db, scope, SystemId::from(system_id)).await?;
    Ok(scope
        .select::<backup_event::Entity>()
        .filter(backup_event::Column::SystemId.eq(system_id))
        .order_by_desc(backup_event::Column::FinishedAt)
        .limit(limit.clamp(1, 500))
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(crate::model::monitor::EventView {
                kind: EventKind::parse(&e.kind)?,
                id: e.event_key,
                restore_point_at: e.restore_point_at,
                finished_at: e.finished_at,
                duration_seconds: e.duration_seconds,
                bytes: e.bytes,
                message: e.message,
                received_at: e.received_at,
            })
        })
        .collect())
}
