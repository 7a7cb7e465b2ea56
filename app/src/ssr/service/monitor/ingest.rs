//! Backup results coming in: a batch from backup software (Bearer ingest token) or a heartbeat
//! ping. Everything of one request is stored in one transaction before it is acknowledged; a
//! sender's event id seen before is a duplicate and changes nothing.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, Set,
    Value,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

use super::cache::ClientTargets;
use super::telemetry;
use crate::domain::sla::{EventKind, JobWindow, State, Telemetry};
use crate::ids::ClientId;
use crate::ssr::auth::sha256_hex;
use crate::ssr::entity::system_clock::{self, millis};
use crate::ssr::entity::{backup_event, ingest_token, state_change, system, system_status};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::scope::{Reads, Scope};
use crate::ssr::sql::{values_list, MAX_RUN};
use crate::ssr::state::AppState;

/// Restore points this far in the future are refused: clocks drift, but not by more.
pub const MAX_FUTURE: Duration = Duration::minutes(5);
pub const MAX_BATCH: usize = 1000;
/// No job or restore test runs longer than a month; anything above is a sender's bug.
pub const MAX_DURATION_SECONDS: i64 = 31 * 86_400;
/// A petabyte is larger than any one job writes; the ceiling keeps sums far from overflow.
pub const MAX_BYTES: i64 = 1_000_000_000_000_000;
/// Nothing Lifeline monitors happened before this (Unix seconds of 2000-01-01).
pub const EARLIEST_UNIX: i64 = 946_684_800;
pub const MAX_EVENT_ID: usize = 200;
pub const MAX_MESSAGE: usize = 2000;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    pub id: String,
    pub system_id: Uuid,
    pub kind: String,
    pub restore_point_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "whole_number")]
    pub duration_seconds: Option<i64>,
    #[serde(default, deserialize_with = "whole_number")]
    pub bytes: Option<i64>,
    pub message: Option<String>,
}

/// A figure as senders write it: an integer, or a JSON number with a fraction or an exponent
/// (`312.7`, `1e13`), rounded to a whole number and held within `i64` so that the range check
/// names the field (422) instead of the body failing to parse (400).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<serde_json::Number>::deserialize(d)?.map(|n| {
        n.as_i64().unwrap_or_else(|| match n.as_u64() {
            Some(_) => i64::MAX,
            // `as` saturates, so 1e300 is i64::MAX and -1e300 is i64::MIN.
            None => n.as_f64().map_or(i64::MAX, |f| f.round() as i64),
        })
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub events: Vec<EventIn>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Accepted {
    pub accepted: usize,
    pub duplicates: usize,
}

/// The token behind a Bearer value, if it is live; 401 otherwise.
pub async fn authenticate(
    state: &AppState,
    bearer: Option<&str>,
) -> AppResult<ingest_token::Model> {
    let raw = bearer
        .filter(|t| t.starts_with(super::tokens::PREFIX))
        .ok_or(AppError::Unauthorized)?;
    let hash = sha256_hex(raw);
    if let Some(t) = state.ingest_cache.token(&hash) {
        return Ok(t);
    }
    let row = Scope::all_tenants("ingest: the token a Bearer value names")
        .select::<ingest_token::Entity>()
        .filter(ingest_token::Column::TokenHash.eq(&hash))
        .one(&state.db)
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or(AppError::Unauthorized)?;
    state.ingest_cache.put_token(hash, row.clone());
    Ok(row)
}

struct Checked {
    kind: EventKind,
    ev: EventIn,
}

/// Every event is checked before anything is stored: one bad event refuses the batch.
fn check(batch: Batch, systems: &HashSet<Uuid>, now: DateTime<Utc>) -> AppResult<Vec<Checked>> {
    if batch.events.len() > MAX_BATCH {
        return Err(AppError::field(
            "events",
            format!("at most {MAX_BATCH} events per request"),
        ));
    }
    let mut errors = BTreeMap::new();
    let mut out = Vec::with_capacity(batch.events.len());
    for (i, ev) in batch.events.into_iter().enumerate() {
        let mut err = |field: &str, msg: String| {
            errors.insert(format!("events[{i}].{field}"), msg);
        };
        if ev.id.trim().is_empty() || ev.id.len() > MAX_EVENT_ID {
            err("id", format!("must be 1 to {MAX_EVENT_ID} characters"));
        }
        if !systems.contains(&ev.system_id) {
            err("system_id", "is not a system of this client".into());
        }
        let kind = EventKind::parse(&ev.kind);
        if kind.is_none() {
            err("kind", "must be one of backup_succeeded, backup_failed, replication_succeeded, restore_test_passed, restore_test_failed".into());
        }
        let earliest = DateTime::from_timestamp(EARLIEST_UNIX, 0).unwrap_or_default();
        let mut moment = |field: &str, at: DateTime<Utc>| {
            if at > now + MAX_FUTURE {
                err(
                    field,
                    format!("is more than 5 minutes in the future ({at})"),
                );
            } else if at < earliest {
                err(field, format!("is before 2000-01-01 ({at})"));
            }
        };
        if let Some(rp) = ev.restore_point_at {
            moment("restore_point_at", rp);
        }
        moment("finished_at", ev.finished_at);
        if ev.restore_point_at.is_none() && kind.is_some_and(EventKind::needs_restore_point) {
            err(
                "restore_point_at",
                "is required for a successful backup or replication".into(),
            );
        }
        if ev
            .duration_seconds
            .is_some_and(|d| !(0..=MAX_DURATION_SECONDS).contains(&d))
        {
            err(
                "duration_seconds",
                format!("must be 0 to {MAX_DURATION_SECONDS} (31 days)"),
            );
        }
        if ev.bytes.is_some_and(|b| !(0..=MAX_BYTES).contains(&b)) {
            err("bytes", format!("must be 0 to {MAX_BYTES} (1 PB)"));
        }
        if ev
            .message
            .as_ref()
            .is_some_and(|m| m.chars().count() > MAX_MESSAGE)
        {
            err(
                "message",
                format!("must be at most {MAX_MESSAGE} characters"),
            );
        }
        if let Some(kind) = kind {
            out.push(Checked { kind, ev });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Stores the events of a group of jobs (several requests) in the caller's transaction and moves
/// the statuses of their systems along. Returns how many events of each job were new.
async fn record(txn: &DatabaseTransaction, jobs: &[Job]) -> AppResult<Vec<usize>> {
    // Our own row ids are fresh, so the ones the insert returns are exactly the new events; a
    // repeated sender id (also one repeated inside this group) is skipped by the conflict clause.
    // Time-ordered ids land at the end of the primary-key index instead of on a random page each,
    // which keeps what a commit writes small.
    let ids: Vec<Vec<Uuid>> = jobs
        .iter()
        .map(|j| j.events.iter().map(|_| Uuid::now_v7()).collect())
        .collect();
    // In the order of the unique key: two groups committing at once on PostgreSQL that repeat
    // each other's events then wait for one another instead of deadlocking.
    let mut order: Vec<(&Job, &Checked, &Uuid)> = jobs
        .iter()
        .zip(&ids)
        .flat_map(|(job, ids)| job.events.iter().zip(ids).map(move |(c, id)| (job, c, id)))
        .collect();
    order.sort_by(|a, b| (a.0.client_id, &a.1.ev.id).cmp(&(b.0.client_id, &b.1.ev.id)));
    let rows: Vec<backup_event::ActiveModel> = order
        .into_iter()
        .map(|(job, c, id)| backup_event::ActiveModel {
            id: Set(*id),
            msp_id: Set(job.scope.msp_id()),
            client_id: Set(job.client_id),
            system_id: Set(c.ev.system_id),
            event_key: Set(c.ev.id.clone()),
            kind: Set(c.kind.as_str().to_string()),
            restore_point_at: Set(c.ev.restore_point_at),
            finished_at: Set(c.ev.finished_at),
            duration_seconds: Set(c.ev.duration_seconds),
            bytes: Set(c.ev.bytes),
            message: Set(c.ev.message.clone().unwrap_or_default()),
            received_at: Set(job.now),
        })
        .collect();
    let mut inserted: HashSet<Uuid> = HashSet::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(MAX_RUN).collect();
        inserted.extend(
            backup_event::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::columns([
                        backup_event::Column::ClientId,
                        backup_event::Column::EventKey,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_with_returning_keys(txn)
                .await?,
        );
    }
    let counts = ids
        .iter()
        .map(|ids| ids.iter().filter(|id| inserted.contains(id)).count())
        .collect();

    // The new events per system (each of one client, checked against that client's systems),
    // in the order they happened. The statuses of the whole group, whatever their clients, are
    // read and written in a few statements: a group of pings from many clients costs as many
    // statements as one client's.
    let mut by_system: BTreeMap<Uuid, (&Job, Vec<&Checked>)> = BTreeMap::new();
    for (job, ids) in jobs.iter().zip(&ids) {
        for (c, id) in job.events.iter().zip(ids) {
            if inserted.contains(id) {
                by_system
                    .entry(c.ev.system_id)
                    .or_insert((job, Vec::new()))
                    .1
                    .push(c);
            }
        }
    }
    let mut changes = Vec::new();
    if by_system.is_empty() {
        return Ok(counts);
    }
    let group = Scope::all_tenants("group commit: the statuses of the group's systems");
    let owners: Vec<Owner> = by_system
        .iter()
        .map(|(system_id, (job, _))| Owner {
            system_id: *system_id,
            msp_id: job.scope.msp_id(),
            client_id: job.client_id,
        })
        .collect();
    let now = jobs.iter().map(|j| j.now).max().unwrap_or_else(Utc::now);
    // On PostgreSQL, groups commit several at once: the rows are locked (in id order) before
    // they are read, so a group that shares systems with one committing reads what that one
    // wrote, instead of judging stale rows and losing every compare-and-set to it.
    let system_ids: Vec<Uuid> = by_system.keys().copied().collect();
    for chunk in system_ids.chunks(MAX_RUN) {
        lock_in_order(txn, chunk).await?;
    }
    let rows = ensure_rows_of(txn, &group, &owners, now).await?;
    let mut judged = Vec::with_capacity(by_system.len());
    for (system_id, (job, evs)) in &mut by_system {
        evs.sort_by_key(|c| c.ev.finished_at);
        if let Some(row) = rows.get(system_id) {
            let target = job.targets.target(*system_id);
            let days = job.targets.restore_test_days;
            judged.push(judge(row, target, days, job.now, |t, w| apply(evs, t, w)));
        }
    }
    // A row someone else moved meanwhile is read and judged again on its own.
    let won = write_statuses(txn, &judged, now).await?;
    for j in &judged {
        if won.contains(&j.system_id) {
            let job = by_system[&j.system_id].0;
            changes.extend(state_changes(
                &job.scope,
                job.client_id,
                j.system_id,
                j.old,
                j.clock.states,
                job.now,
            ));
        }
    }
    for (system_id, (job, evs)) in by_system {
        if won.contains(&system_id) {
            continue;
        }
        update_status(
            txn,
            &job.scope,
            job.client_id,
            system_id,
            job.targets.target(system_id),
            job.targets.restore_test_days,
            job.now,
            |t, window| apply(&evs, t, window),
            None,
            &mut changes,
        )
        .await?;
    }
    insert_changes(txn, changes).await?;
    Ok(counts)
}

/// Moves a system's telemetry along by its new events (oldest first). The newest successful job
/// is judged against the recent ones: what comes back replaces the system's finding.
fn apply(evs: &[&Checked], t: &mut Telemetry, window: &mut JobWindow) -> Option<Option<String>> {
    for c in evs {
        t.apply(
            c.kind,
            c.ev.restore_point_at,
            c.ev.finished_at,
            c.ev.duration_seconds,
        );
        if c.kind == EventKind::BackupSucceeded
            && (c.ev.bytes.is_some() || c.ev.duration_seconds.is_some())
        {
            window.add(c.ev.finished_at, c.ev.bytes, c.ev.duration_seconds);
        }
    }
    let newest = evs
        .iter()
        .rev()
        .find(|c| c.kind == EventKind::BackupSucceeded)?;
    Some(window.judge(
        newest.ev.restore_point_at,
        newest.ev.finished_at,
        newest.ev.bytes,
        newest.ev.duration_seconds,
    ))
}

/// State changes found while writing statuses, stored in one go.
pub async fn insert_changes(
    db: &impl ConnectionTrait,
    changes: Vec<state_change::ActiveModel>,
) -> AppResult<()> {
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let chunk: Vec<_> = changes.by_ref().take(MAX_RUN).collect();
        state_change::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A system's status as stored: its telemetry, and its clock (states, moments and the version
/// that guards both rows).
pub struct StatusRow {
    pub status: system_status::Model,
    pub clock: system_clock::Model,
}

/// The stored statuses of `ids` (those that have both rows).
async fn load_rows(
    db: &impl ConnectionTrait,
    scope: &impl Reads,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, StatusRow>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_RUN) {
        let mut clocks: HashMap<Uuid, system_clock::Model> = scope
            .select::<system_clock::Entity>()
            .filter(system_clock::Column::SystemId.is_in(chunk.to_vec()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.system_id, c))
            .collect();
        for status in scope
            .select::<system_status::Entity>()
            .filter(system_status::Column::SystemId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(clock) = clocks.remove(&status.system_id) {
                out.insert(status.system_id, StatusRow { status, clock });
            }
        }
    }
    Ok(out)
}

/// A system and whose it is, for creating its status rows.
pub struct Owner {
    pub system_id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
}

/// The statuses of `ids`, created (as unknown) where missing; one read, at most one insert.
pub async fn ensure_rows(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, StatusRow>> {
    let owners: Vec<Owner> = ids
        .iter()
        .map(|id| Owner {
            system_id: *id,
            msp_id: scope.msp_id(),
            client_id,
        })
        .collect();
    ensure_rows_of(db, scope, &owners, now).await
}

/// The statuses of the `owners`' systems (read within `scope`), created where missing.
async fn ensure_rows_of(
    db: &impl ConnectionTrait,
    scope: &impl Reads,
    owners: &[Owner],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, StatusRow>> {
    let ids: Vec<Uuid> = owners.iter().map(|o| o.system_id).collect();
    let mut rows = load_rows(db, scope, &ids).await?;
    let missing: Vec<&Owner> = owners
        .iter()
        .filter(|o| !rows.contains_key(&o.system_id))
        .collect();
    if missing.is_empty() {
        return Ok(rows);
    }
    for chunk in missing.chunks(200) {
        let fresh = chunk.iter().map(|o| system_status::ActiveModel {
            system_id: Set(o.system_id),
            msp_id: Set(o.msp_id),
            client_id: Set(o.client_id),
            last_good_at: Set(None),
            last_offsite_at: Set(None),
            last_event_at: Set(None),
            failures_in_row: Set(0),
            last_test_at: Set(None),
            last_test_passed: Set(None),
            last_test_seconds: Set(None),
            suspicious: Set(String::new()),
            updated_at: Set(now),
            recent_jobs: Set(String::new()),
        });
        system_status::Entity::insert_many(fresh)
            .on_conflict(
                OnConflict::column(system_status::Column::SystemId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        let clocks = chunk.iter().map(|o| system_clock::ActiveModel {
            system_id: Set(o.system_id),
            msp_id: Set(o.msp_id),
            client_id: Set(o.client_id),
            rpo_state: Set(State::Unknown.as_str().into()),
            rto_state: Set(State::Unknown.as_str().into()),
            state_since: Set(millis(now)),
            next_eval_at: Set(Some(millis(now))),
            rpo_risk_at: Set(None),
            rpo_breach_at: Set(None),
            rto_stale_at: Set(None),
            // The evaluator confirms the first verdict with targets read afresh.
            targets_stale: Set(true),
            reminded_at: Set(None),
            version: Set(0),
        });
        system_clock::Entity::insert_many(clocks)
            .on_conflict(
                OnConflict::column(system_clock::Column::SystemId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let missing: Vec<Uuid> = missing.iter().map(|o| o.system_id).collect();
    rows.extend(load_rows(db, scope, &missing).await?);
    Ok(rows)
}

/// A status as judged after a change, waiting to be written.
pub struct Judged {
    pub system_id: Uuid,
    /// The clock's version it was read at: the write is a compare-and-set on it.
    version: i64,
    t: Telemetry,
    suspicious: String,
    recent_jobs: String,
    pub old: (State, State),
    state_since: i64,
    pub clock: super::Clock,
}

/// Applies `change` to a stored status and judges it against `target` at `now`. `change`
/// returns a new finding for the system (`Some(None)` clears it), or `None` to leave it.
pub fn judge(
    row: &StatusRow,
    target: (Option<i64>, Option<i64>),
    proof_days: i64,
    now: DateTime<Utc>,
    change: impl Fn(&mut Telemetry, &mut JobWindow) -> Option<Option<String>>,
) -> Judged {
    let StatusRow { status, clock } = row;
    let mut t = telemetry(status);
    let mut window = JobWindow::parse(&status.recent_jobs);
    let finding = change(&mut t, &mut window);
    let old = super::stored_states(&clock.rpo_state, &clock.rto_state);
    let mut verdict = super::clock(&t, target, proof_days, now);
    if clock.targets_stale {
        // Judged with targets that may be older than the change: keep the evaluator's turn.
        verdict.next_eval_at = verdict
            .next_eval_at
            .into_iter()
            .chain(clock.next_eval_at)
            .min();
    }
    Judged {
        system_id: status.system_id,
        version: clock.version,
        suspicious: match finding {
            Some(f) => f.unwrap_or_default(),
            None => status.suspicious.clone(),
        },
        recent_jobs: window.encode(),
        old,
        state_since: if old != verdict.states {
            millis(now)
        } else {
            clock.state_since
        },
        clock: verdict,
        t,
    }
}

/// On PostgreSQL, locks the clock rows of `ids` in the order of their ids before a statement
/// updates them all: two writers that share rows then wait for each other instead of each
/// holding what the other needs (a deadlock). SQLite has one writer at a time.
pub async fn lock_in_order(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<()> {
    use sea_orm::{QueryOrder, QuerySelect};
    if db.get_database_backend() != DbBackend::Postgres || ids.len() < 2 {
        return Ok(());
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    Scope::all_tenants("group commit: lock the group's clock rows in id order")
        .select::<system_clock::Entity>()
        .select_only()
        .column(system_clock::Column::SystemId)
        .filter(system_clock::Column::SystemId.is_in(sorted))
        .order_by_asc(system_clock::Column::SystemId)
        .lock_exclusive()
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    Ok(())
}

/// Writes judged statuses (several at once: their rows locked by the caller with
/// `lock_in_order` before they were read), a statement per table for up to `MAX_RUN` of them: the clock rows
/// as compare-and-sets on their version, then the telemetry of the rows that won. Returns the
/// systems won; the others were moved by someone else in between and are left to the caller.
pub async fn write_statuses(
    db: &impl ConnectionTrait,
    judged: &[Judged],
    now: DateTime<Utc>,
) -> AppResult<HashSet<Uuid>> {
    let backend = db.get_database_backend();
    let mut won = HashSet::with_capacity(judged.len());
    for chunk in judged.chunks(MAX_RUN) {
        let sql = format!(
            "UPDATE system_clock SET rpo_state = v.column3, rto_state = v.column4, state_since = v.column5, \
             next_eval_at = v.column6, rpo_risk_at = v.column7, rpo_breach_at = v.column8, rto_stale_at = v.column9, \
             version = system_clock.version + 1 FROM (VALUES {}) AS v \
             WHERE system_clock.system_id = v.column1 AND system_clock.version = v.column2 \
             RETURNING system_clock.system_id",
            values_list(backend, chunk.len(), 9)
        );
        let values = chunk.iter().flat_map(|j| {
            [
                Value::from(j.system_id),
                Value::from(j.version),
                Value::from(j.clock.states.0.as_str()),
                Value::from(j.clock.states.1.as_str()),
                Value::from(j.state_since),
                Value::from(j.clock.next_eval_at),
                Value::from(j.clock.rpo_moments.map(|m| m.0)),
                Value::from(j.clock.rpo_moments.map(|m| m.1)),
                Value::from(j.clock.rto_stale_at),
            ]
        });
        let mine: HashSet<Uuid> = db
            .query_all_raw(
                Scope::all_tenants("group commit: the clocks of the group's systems")
                    .statement(backend, sql, values),
            )
            .await?
            .iter()
            .map(|r| r.try_get_by_index::<Uuid>(0))
            .collect::<Result<_, _>>()?;
        let winners: Vec<&Judged> = chunk
            .iter()
            .filter(|j| mine.contains(&j.system_id))
            .collect();
        if !winners.is_empty() {
            let sql = format!(
                "UPDATE system_status SET last_good_at = v.column2, last_offsite_at = v.column3, \
                 last_event_at = v.column4, failures_in_row = v.column5, last_test_at = v.column6, \
                 last_test_passed = v.column7, last_test_seconds = v.column8, suspicious = v.column9, \
                 recent_jobs = v.column10, updated_at = v.column11 FROM (VALUES {}) AS v \
                 WHERE system_status.system_id = v.column1",
                values_list(backend, winners.len(), 11)
            );
            let values = winners.iter().flat_map(|j| {
                let t = &j.t;
                [
                    Value::from(j.system_id),
                    Value::from(t.last_good_at),
                    Value::from(t.last_offsite_at),
                    Value::from(t.last_event_at),
                    Value::from(t.failures_in_row as i32),
                    Value::from(t.last_test.map(|x| x.0)),
                    Value::from(t.last_test.map(|x| x.1)),
                    Value::from(t.last_test.map(|x| x.2)),
                    Value::from(j.suspicious.as_str()),
                    Value::from(j.recent_jobs.as_str()),
                    Value::from(now),
                ]
            });
            db.execute_raw(
                Scope::all_tenants("group commit: the telemetry of the group's systems")
                    .statement(backend, sql, values),
            )
            .await?;
        }
        won.extend(mine);
    }
    Ok(won)
}

/// Reads a system's status, changes it and writes it back only if nobody else did in between
/// (the clock's version number); a state change is recorded once, by whoever wins, into
/// `changes`. `change` may run more than once (after losing a race it runs on the newer row).
#[allow(clippy::too_many_arguments)]
pub async fn update_status(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    system_id: Uuid,
    target: (Option<i64>, Option<i64>),
    proof_days: i64,
    now: DateTime<Utc>,
    change: impl Fn(&mut Telemetry, &mut JobWindow) -> Option<Option<String>>,
    known: Option<StatusRow>,
    changes: &mut Vec<state_change::ActiveModel>,
) -> AppResult<()> {
    let mut known = match known {
        Some(row) => Some(row),
        None => ensure_rows(db, scope, client_id, &[system_id], now)
            .await?
            .remove(&system_id),
    };
    for _ in 0..20 {
        let row = match known.take() {
            Some(row) => row,
            None => load_rows(db, scope, &[system_id])
                .await?
                .remove(&system_id)
                .ok_or(AppError::NotFound)?,
        };
        let j = judge(&row, target, proof_days, now, &change);
        if write_statuses(db, std::slice::from_ref(&j), now)
            .await?
            .is_empty()
        {
            continue; // someone else moved it first: read again
        }
        changes.extend(state_changes(
            scope,
            client_id,
            system_id,
            j.old,
            j.clock.states,
            now,
        ));
        return Ok(());
    }
    Err(AppError::Conflict(
        "the system's status is changing too fast; retry".into(),
    ))
}

/// When the evaluator must look at a system again: the next moment the clock moves one of its
/// states (`None`: the clock alone will not). Target changes make a system due at once.
pub fn next_eval(
    t: &Telemetry,
    target: (Option<i64>, Option<i64>),
    proof_days: i64,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let rpo = crate::domain::sla::next_change(t.last_good_at, target.0, now);
    let rto =
        crate::domain::sla::rto_stale_at(t.last_test, target.1, proof_days).filter(|at| *at > now);
    rpo.into_iter().chain(rto).min()
}

/// The state-change rows for a move from `old` to `new` (none when nothing moved).
pub fn state_changes(
    scope: &Scope,
    client_id: Uuid,
    system_id: Uuid,
    old: (State, State),
    new: (State, State),
    now: DateTime<Utc>,
) -> impl Iterator<Item = state_change::ActiveModel> {
    let (msp_id, client_id) = (scope.msp_id(), client_id);
    [("rpo", old.0, new.0), ("rto", old.1, new.1)]
        .into_iter()
        .filter(|(_, from, to)| from != to)
        .map(move |(aspect, from, to)| state_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            msp_id: Set(msp_id),
            client_id: Set(client_id),
            system_id: Set(system_id),
            aspect: Set(aspect.into()),
            from_state: Set(from.as_str().into()),
            to_state: Set(to.as_str().into()),
            at: Set(now),
            notified_at: Set(None),
        })
}

/// Ingests a batch reported with an ingest token. Checked here; stored by the committer together
/// with whatever else is waiting, and acknowledged only after that commit.
pub async fn ingest(
    state: &AppState,
    token: &ingest_token::Model,
    batch: Batch,
    now: DateTime<Utc>,
) -> AppResult<Accepted> {
    let scope = Scope::machine(token.msp_id, token.client_id);
    let total = batch.events.len();
    let targets = super::client_targets(state, &scope, ClientId::from(token.client_id)).await?;
    let checked = check(batch, &targets.systems, now)?;
    // Worth knowing when a token was last used; not worth a write per request.
    let touch = token
        .last_used_at
        .is_none_or(|t| now - t > Duration::minutes(1))
        .then_some(token.id);
    if let Some(id) = touch {
        state.ingest_cache.touched(id, now);
    }
    let systems: Vec<Uuid> = checked.iter().map(|c| c.ev.system_id).collect();
    let job = Job {
        scope,
        client_id: token.client_id,
        events: checked,
        targets,
        touch,
        now,
    };
    match submit(state, job).await {
        Ok(accepted) => Ok(Accepted {
            accepted,
            duplicates: total - accepted,
        }),
        Err(CommitError::Job(why)) => Err(explain_refusal(state, token, &systems, why).await),
        Err(e) => Err(e.into()),
    }
}

/// Events Lifeline itself reports for a client (a recovery recorded in an incident counts as a
/// restore test), checked and stored exactly as an ingest token's, through the same committer.
pub async fn record_own(
    state: &AppState,
    msp_id: Uuid,
    client_id: Uuid,
    events: Vec<EventIn>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let scope = Scope::machine(msp_id, client_id);
    let targets = super::client_targets(state, &scope, ClientId::from(client_id)).await?;
    let checked = check(Batch { events }, &targets.systems, now)?;
    let job = Job {
        scope,
        client_id,
        events: checked,
        targets,
        touch: None,
        now,
    };
    Ok(submit(state, job).await?)
}

/// A job failed alone at commit although it passed the checks: most likely what it was checked
/// against (kept in memory) is gone meanwhile, its client deleted or a system removed. Forget
/// what was kept, look again in the database, and answer what the sender can act on.
async fn explain_refusal(
    state: &AppState,
    token: &ingest_token::Model,
    systems: &[Uuid],
    why: String,
) -> AppError {
    state.ingest_cache.forget_client(token.client_id);
    state.ingest_cache.forget_token(token.id);
    let live = Scope::machine(token.msp_id, token.client_id)
        .select::<ingest_token::Entity>()
        .filter(ingest_token::Column::Id.eq(token.id))
        .one(&state.db)
        .await
        .ok()
        .flatten()
        .is_some_and(|t| t.revoked_at.is_none());
    if !live {
        return AppError::Unauthorized;
    }
    let scope = Scope::machine(token.msp_id, token.client_id);
    if let Ok(fresh) = super::client_targets(state, &scope, ClientId::from(token.client_id)).await {
        if let Some(i) = systems.iter().position(|s| !fresh.systems.contains(s)) {
            return AppError::field(
                &format!("events[{i}].system_id"),
                "is not a system of this client",
            );
        }
    }
    AppError::Internal(anyhow::anyhow!(why))
}

/// Checked events of one request, waiting to be written.
pub struct Job {
    scope: Scope,
    client_id: Uuid,
    events: Vec<Checked>,
    targets: Arc<ClientTargets>,
    /// An ingest token whose `last_used_at` to move.
    touch: Option<Uuid>,
    now: DateTime<Utc>,
}

/// Why a job was not stored.
#[derive(Debug, Clone)]
pub enum CommitError {
    /// The storage refused the write (full disk, I/O, lost database): nothing of this request
    /// is the cause, and the sender should retry later.
    Storage(String),
    /// This job alone could not be stored (a row it refers to is gone, or it broke a rule).
    Job(String),
}

type Reply = tokio::sync::oneshot::Sender<Result<usize, CommitError>>;

/// The committer's inbox.
pub type Queue = tokio::sync::mpsc::Sender<(Job, Reply)>;

/// Most events one commit takes, so no request waits behind an unbounded group.
const GROUP_EVENTS: usize = 5000;

/// Groups committing at once on PostgreSQL. Fewer groups in flight make each larger, so a ping
/// costs fewer statements; more let a batch's insert run while another group holds its rows.
/// Measured (32 connections, 1,000 systems, 2 M events): 1 — 3,876 pings/s at 0.26 ms of CPU
/// each but 21,350 batched events/s; 2 — 3,167 pings/s at 0.42 ms, 27,993 events/s (p99 201
/// ms); 4 — 3,077 pings/s at 0.53 ms, 27,857 events/s (p99 229 ms); 8 — worse in both.
const COMMITS_IN_FLIGHT: usize = 2;

/// Hands a job to the committer and waits for its commit.
async fn submit(state: &AppState, job: Job) -> Result<usize, CommitError> {
    let queue = state.ingest_queue.get_or_init(|| {
        let (tx, rx) = tokio::sync::mpsc::channel::<(Job, Reply)>(1024);
        tokio::spawn(committer(state.clone(), rx));
        tx
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    if queue.send((job, reply)).await.is_err() {
        return Err(CommitError::Storage(
            "the ingest committer has stopped".into(),
        ));
    }
    answer.await.unwrap_or_else(|_| {
        Err(CommitError::Storage(
            "the ingest committer stopped before committing".into(),
        ))
    })
}

/// What a refused commit means for the one who sent it.
impl From<CommitError> for AppError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Storage(_) => AppError::Unavailable(
                "storage is unavailable; nothing was stored, retry later".into(),
            ),
            CommitError::Job(why) => AppError::Internal(anyhow::anyhow!(why)),
        }
    }
}

/// Group commit: every job waiting when a transaction starts goes into it, so concurrent senders
/// share one commit (one fsync) instead of queueing for one each. SQLite has one writer, so one
/// group commits at a time; PostgreSQL commits a few groups at once, so that one group's wait
/// for its commit (the log flush, a round trip per statement) does not hold back the next. The
/// loop itself holds no work that can fail: each commit runs as a task of its own, so a panic or
/// an error ends that attempt only, and a group that fails is split until the job at fault is
/// found and answered alone; the other senders' events are stored.
async fn committer(state: AppState, mut rx: tokio::sync::mpsc::Receiver<(Job, Reply)>) {
    let in_flight = if state.sqlite_writes.is_some() {
        1
    } else {
        COMMITS_IN_FLIGHT
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(in_flight));
    while let Some(first) = rx.recv().await {
        // Jobs that arrive while every commit is busy join this group.
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let mut events = first.0.events.len();
        let mut group = vec![first];
        while events < GROUP_EVENTS {
            match rx.try_recv() {
                Ok(next) => {
                    events += next.0.events.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        let state = state.clone();
        tokio::spawn(async move {
            let (jobs, replies): (Vec<Job>, Vec<Reply>) = group.into_iter().unzip();
            let answers = commit_split(&state, Arc::new(jobs)).await;
            for (reply, answer) in replies.into_iter().zip(answers) {
                let _ = reply.send(answer);
            }
            drop(permit);
        });
    }
}

/// Commits `jobs` together if it can; otherwise halves the group and tries each half, down to
/// single jobs, so one job's fault costs only its own request. A storage failure is nobody's
/// fault in particular and fails the whole group at once (splitting would only repeat it).
async fn commit_split(state: &AppState, jobs: Arc<Vec<Job>>) -> Vec<Result<usize, CommitError>> {
    split_commits(&state.health, jobs.len(), |range| {
        let (st, jobs) = (state.clone(), jobs.clone());
        isolated(async move { commit_group(&st, &jobs[range]).await })
    })
    .await
}

/// The splitting of `commit_split`, over any way of committing a range of `n` jobs.
async fn split_commits<F, Fut>(
    health: &crate::ssr::health::Health,
    n: usize,
    commit: F,
) -> Vec<Result<usize, CommitError>>
where
    F: Fn(std::ops::Range<usize>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<usize>, CommitError>>,
{
    let mut answers: Vec<Option<Result<usize, CommitError>>> = vec![None; n];
    let mut pending = Vec::with_capacity(8);
    pending.push(0..n);
    while let Some(range) = pending.pop() {
        if range.is_empty() {
            continue;
        }
        match commit(range.clone()).await {
            Ok(counts) => {
                health.storage_ok();
                for (i, count) in range.zip(counts) {
                    answers[i] = Some(Ok(count));
                }
            }
            Err(CommitError::Storage(why)) => {
                health.storage_failed(why.clone());
                tracing::error!(error = %why, jobs = range.len(), "ingest commit failed: storage; nothing of this group was stored");
                for i in range {
                    answers[i] = Some(Err(CommitError::Storage(why.clone())));
                }
            }
            Err(CommitError::Job(why)) if range.len() == 1 => {
                tracing::error!(error = %why, "an ingest job could not be stored; the rest of its group was");
                answers[range.start] = Some(Err(CommitError::Job(why)));
            }
            Err(CommitError::Job(_)) => {
                let mid = range.start + range.len() / 2;
                pending.push(mid..range.end);
                pending.push(range.start..mid);
            }
        }
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(CommitError::Job("not attempted".into()))))
        .collect()
}

/// Runs one commit as a task of its own, so that a panic in it ends that attempt only (and
/// becomes its error) instead of the committer. A database error says whose fault it was.
async fn isolated<T: Send + 'static>(
    work: impl std::future::Future<Output = AppResult<T>> + Send + 'static,
) -> Result<T, CommitError> {
    match tokio::spawn(work).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(AppError::Internal(e))) => match e.downcast_ref::<sea_orm::DbErr>() {
            Some(db) if crate::ssr::health::is_storage_failure(db) => {
                Err(CommitError::Storage(db.to_string()))
            }
            _ => Err(CommitError::Job(format!("{e:#}"))),
        },
        Ok(Err(e)) => Err(CommitError::Job(e.to_string())),
        Err(joined) if joined.is_panic() => Err(CommitError::Job(format!(
            "the commit panicked: {}",
            panic_text(joined.into_panic())
        ))),
        Err(joined) => Err(CommitError::Storage(joined.to_string())),
    }
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

async fn commit_group(state: &AppState, jobs: &[Job]) -> AppResult<Vec<usize>> {
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    let counts = record(&txn, jobs).await?;
    let touched: Vec<Uuid> = jobs.iter().filter_map(|j| j.touch).collect();
    if !touched.is_empty() {
        let now = jobs.iter().map(|j| j.now).max().unwrap_or_else(Utc::now);
        Scope::all_tenants("group commit: when each token of the group was last used")
            .update::<ingest_token::Entity>()
            .col_expr(
                ingest_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(Some(now)),
            )
            .filter(ingest_token::Column::Id.is_in(touched))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(counts)
}

/// The client scope, client, system and targets a heartbeat key names, from memory when fresh: the
/// key's client is kept, and the key must still be one of that client's current keys (a key
/// rotated or a system removed meanwhile is looked up again). Unknown keys and archived
/// clients' are 404.
async fn ping_target(
    state: &AppState,
    ping_key: &str,
) -> AppResult<(Scope, Uuid, Uuid, Arc<ClientTargets>)> {
    use sea_orm::QuerySelect;
    for _ in 0..2 {
        let (msp_id, client_id) = match state.ingest_cache.ping_client(ping_key) {
            Some(kept) => kept,
            None => {
                let (msp_id, client_id) =
                    Scope::all_tenants("heartbeat: the client whose system a ping key names")
                        .select::<system::Entity>()
                        .select_only()
                        .column(system::Column::MspId)
                        .column(system::Column::ClientId)
                        .filter(system::Column::PingKey.eq(ping_key))
                        .into_tuple::<(Uuid, Uuid)>()
                        .one(&state.db)
                        .await?
                        .ok_or(AppError::NotFound)?;
                state
                    .ingest_cache
                    .put_ping_client(ping_key, msp_id, client_id);
                (msp_id, client_id)
            }
        };
        let scope = Scope::machine(msp_id, client_id);
        let targets = super::client_targets(state, &scope, ClientId::from(client_id)).await?;
        if let Some(system_id) = targets.ping_keys.get(ping_key).copied() {
            // An archived client is not monitored: its heartbeats are not known.
            if targets.archived {
                return Err(AppError::NotFound);
            }
            return Ok((scope, client_id, system_id, targets));
        }
        // The key or the client's systems changed since either was kept: look both up again.
        state.ingest_cache.forget_ping_key(ping_key);
        state.ingest_cache.forget_client(client_id);
    }
    Err(AppError::NotFound)
}

/// A heartbeat: `ok` is a good restore point now; otherwise a failed backup. It goes through the
/// same group commit as ingest batches.
pub async fn ping(
    state: &AppState,
    ping_key: &str,
    ok: bool,
    message: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (scope, client_id, system_id, targets) = ping_target(state, ping_key).await?;
    let ev = EventIn {
        id: format!("ping-{}", Uuid::now_v7()),
        system_id,
        kind: String::new(),
        restore_point_at: ok.then_some(now),
        finished_at: now,
        duration_seconds: None,
        bytes: None,
        message: message.map(|m| m.chars().take(2000).collect()),
    };
    let kind = if ok {
        EventKind::BackupSucceeded
    } else {
        EventKind::BackupFailed
    };
    let job = Job {
        scope: scope.clone(),
        client_id,
        events: vec![Checked { kind, ev }],
        targets,
        touch: None,
        now,
    };
    match submit(state, job).await {
        Ok(_) => Ok(()),
        Err(CommitError::Job(why)) => {
            // Deleted meanwhile: the key no longer names a system.
            state.ingest_cache.forget_client(client_id);
            state.ingest_cache.forget_ping_key(ping_key);
            let gone = scope
                .select::<system::Entity>()
                .filter(system::Column::Id.eq(system_id))
                .one(&state.db)
                .await?
                .is_none();
            Err(if gone {
                AppError::NotFound
            } else {
                AppError::Internal(anyhow::anyhow!(why))
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::health::Health;

    #[test]
    fn figures_with_fractions_or_exponents_are_read_as_whole_numbers() {
        let read = |v: serde_json::Value| {
            let mut ev = serde_json::json!({ "id": "e", "kind": "backup_succeeded",
                "system_id": Uuid::nil(), "finished_at": "2026-11-30T00:00:00Z" });
            ev["duration_seconds"] = v;
            serde_json::from_value::<EventIn>(ev)
                .unwrap()
                .duration_seconds
        };
        assert_eq!(read(serde_json::json!(312.7)), Some(313));
        assert_eq!(read(serde_json::json!(1e13)), Some(10_000_000_000_000));
        assert_eq!(read(serde_json::json!(1e300)), Some(i64::MAX));
        assert_eq!(read(serde_json::json!(-1e300)), Some(i64::MIN));
        assert_eq!(read(serde_json::json!(u64::MAX)), Some(i64::MAX));
        assert_eq!(read(serde_json::json!(null)), None);
    }

    /// Commits ranges of jobs, of which those in `bad` fail (as a panic would) and `storage`
    /// makes every commit fail as a full disk does; records each attempt.
    async fn run(
        n: usize,
        bad: &[usize],
        storage: bool,
    ) -> (Vec<Result<usize, CommitError>>, usize, Health) {
        let health = Health::default();
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let answers = split_commits(&health, n, |range| {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let at_fault = range.clone().any(|i| bad.contains(&i));
            async move {
                if storage {
                    Err(CommitError::Storage("database or disk is full".into()))
                } else if at_fault {
                    isolated(async { panic!("boom") as AppResult<Vec<usize>> }).await
                } else {
                    Ok(range.map(|i| i * 10).collect())
                }
            }
        })
        .await;
        (answers, attempts.into_inner(), health)
    }

    #[tokio::test]
    async fn one_jobs_fault_costs_only_its_own_request() {
        let (answers, attempts, health) = run(16, &[5], false).await;
        for (i, a) in answers.iter().enumerate() {
            match (i, a) {
                (5, Err(CommitError::Job(why))) => assert!(why.contains("boom"), "{why}"),
                (5, other) => panic!("job 5 should fail alone: {other:?}"),
                (i, Ok(n)) => assert_eq!(*n, i * 10),
                (i, other) => panic!("job {i} should be stored: {other:?}"),
            }
        }
        // Halving finds it in a handful of commits, not one per job.
        assert!(attempts <= 1 + 2 * 4, "{attempts} attempts");
        assert_eq!(health.uncleared_storage_failure(), None);
    }

    #[tokio::test]
    async fn a_full_disk_fails_the_group_at_once_and_marks_the_replica() {
        let (answers, attempts, health) = run(16, &[], true).await;
        assert_eq!(
            attempts, 1,
            "no point in splitting what the storage refuses"
        );
        assert!(answers
            .iter()
            .all(|a| matches!(a, Err(CommitError::Storage(_)))));
        assert!(health.recent_storage_failure().is_some());
        // The next commit that goes through clears it.
        let _ = split_commits(&health, 1, |_| async { Ok(vec![1]) }).await;
        assert_eq!(health.recent_storage_failure(), None);
    }

    #[tokio::test]
    async fn a_panicking_commit_is_an_error_of_that_attempt() {
        let r = isolated(async { panic!("overflow in judge") as AppResult<u8> }).await;
        assert!(matches!(r, Err(CommitError::Job(why)) if why.contains("overflow in judge")));
        let ok = isolated(async { Ok::<u8, AppError>(7) }).await;
        assert!(matches!(ok, Ok(7)));
    }
}
