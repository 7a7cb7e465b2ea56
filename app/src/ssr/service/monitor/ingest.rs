//! Backup results coming in: a batch from backup software (Bearer ingest token) or a heartbeat
//! ping. Everything of one request is stored in one transaction before it is acknowledged; a
//! sender's event id seen before is a duplicate and changes nothing.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::{states, telemetry, Targets};
use crate::domain::sla::{suspicious, EventKind, State};
use crate::ssr::auth::sha256_hex;
use crate::ssr::entity::{backup_event, ingest_token, state_change, system, system_status};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

/// Restore points this far in the future are refused: clocks drift, but not by more.
pub const MAX_FUTURE: Duration = Duration::minutes(5);
pub const MAX_BATCH: usize = 1000;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    pub id: String,
    pub system_id: Uuid,
    pub kind: String,
    pub restore_point_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    pub duration_seconds: Option<i64>,
    pub bytes: Option<i64>,
    pub message: Option<String>,
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
    let row = ingest_token::Entity::find()
        .filter(ingest_token::Column::TokenHash.eq(sha256_hex(raw)))
        .one(&state.db)
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or(AppError::Unauthorized)?;
    Ok(row)
}

struct Checked {
    kind: EventKind,
    ev: EventIn,
}

/// Every event is checked before anything is stored: one bad event refuses the batch.
fn check(
    batch: Batch,
    systems: &HashMap<Uuid, system::Model>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Checked>> {
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
        if ev.id.trim().is_empty() || ev.id.len() > 200 {
            err("id", "must be 1 to 200 characters".into());
        }
        if !systems.contains_key(&ev.system_id) {
            err("system_id", "is not a system of this client".into());
        }
        let kind = EventKind::parse(&ev.kind);
        if kind.is_none() {
            err("kind", "must be one of backup_succeeded, backup_failed, replication_succeeded, restore_test_passed, restore_test_failed".into());
        }
        if let Some(rp) = ev.restore_point_at {
            if rp > now + MAX_FUTURE {
                err(
                    "restore_point_at",
                    format!("is more than 5 minutes in the future ({rp})"),
                );
            }
        } else if kind.is_some_and(EventKind::needs_restore_point) {
            err(
                "restore_point_at",
                "is required for a successful backup or replication".into(),
            );
        }
        if ev.finished_at > now + MAX_FUTURE {
            err("finished_at", "is more than 5 minutes in the future".into());
        }
        if ev.duration_seconds.is_some_and(|d| d < 0) || ev.bytes.is_some_and(|b| b < 0) {
            err("duration_seconds", "and bytes cannot be negative".into());
        }
        if ev
            .message
            .as_ref()
            .is_some_and(|m| m.chars().count() > 2000)
        {
            err("message", "must be at most 2000 characters".into());
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

/// Stores a checked batch and moves the statuses of its systems along, in the caller's
/// transaction. Returns how many events were new.
async fn record(
    txn: &DatabaseTransaction,
    scope: &Scope,
    client_id: Uuid,
    events: Vec<Checked>,
    targets: &Targets,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    // Our own row ids are fresh, so the ones found afterwards are exactly the ones inserted.
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::new_v4()).collect();
    let rows = events
        .iter()
        .zip(&ids)
        .map(|(c, id)| backup_event::ActiveModel {
            id: Set(*id),
            msp_id: Set(scope.msp_id),
            client_id: Set(client_id),
            system_id: Set(c.ev.system_id),
            event_key: Set(c.ev.id.clone()),
            kind: Set(c.kind.as_str().to_string()),
            restore_point_at: Set(c.ev.restore_point_at),
            finished_at: Set(c.ev.finished_at),
            duration_seconds: Set(c.ev.duration_seconds),
            bytes: Set(c.ev.bytes),
            message: Set(c.ev.message.clone().unwrap_or_default()),
            received_at: Set(now),
        });
    backup_event::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                backup_event::Column::ClientId,
                backup_event::Column::EventKey,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    let mut inserted: Vec<Uuid> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        inserted.extend(
            backup_event::Entity::find()
                .select_only()
                .column(backup_event::Column::Id)
                .filter(backup_event::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<Uuid>()
                .all(txn)
                .await?,
        );
    }
    let inserted: std::collections::HashSet<Uuid> = inserted.into_iter().collect();
    let mut by_system: BTreeMap<Uuid, Vec<&Checked>> = BTreeMap::new();
    for (c, id) in events.iter().zip(&ids) {
        if inserted.contains(id) {
            by_system.entry(c.ev.system_id).or_default().push(c);
        }
    }
    let ids: Vec<Uuid> = by_system.keys().copied().collect();
    let mut rows = ensure_rows(txn, scope, client_id, &ids, now).await?;
    for (system_id, mut evs) in by_system {
        evs.sort_by_key(|c| c.ev.finished_at);
        let target = targets.get(&system_id).copied().unwrap_or((None, None));
        let mut flag = String::new();
        // The newest successful job of the batch is the one judged against its history.
        if let Some(c) = evs
            .iter()
            .rev()
            .find(|c| c.kind == EventKind::BackupSucceeded)
        {
            if let Some(f) = backup_aware_findings(txn, scope, system_id, &c.ev).await? {
                flag = f;
            }
        }
        update_status(
            txn,
            scope,
            client_id,
            system_id,
            target,
            now,
            |t| {
                for c in &evs {
                    t.apply(
                        c.kind,
                        c.ev.restore_point_at,
                        c.ev.finished_at,
                        c.ev.duration_seconds,
                    );
                }
            },
            (!flag.is_empty()).then_some(flag),
            rows.remove(&system_id),
        )
        .await?;
    }
    Ok(inserted.len())
}

/// A success that looks like a broken job: far smaller or faster than the recent median, or a
/// restore point older than the job that reported it.
async fn backup_aware_findings(
    txn: &DatabaseTransaction,
    scope: &Scope,
    system_id: Uuid,
    ev: &EventIn,
) -> AppResult<Option<String>> {
    if let (Some(rp), Some(d)) = (ev.restore_point_at, ev.duration_seconds) {
        if rp < ev.finished_at - Duration::seconds(d) - Duration::hours(1) {
            return Ok(Some(format!(
                "restore point {rp} is older than the job that reported it"
            )));
        }
    }
    if ev.bytes.is_none() && ev.duration_seconds.is_none() {
        return Ok(None);
    }
    let recent: Vec<(Option<i64>, Option<i64>)> = scope
        .select::<backup_event::Entity>()
        .select_only()
        .column(backup_event::Column::Bytes)
        .column(backup_event::Column::DurationSeconds)
        .filter(backup_event::Column::SystemId.eq(system_id))
        .filter(backup_event::Column::Kind.eq(EventKind::BackupSucceeded.as_str()))
        .filter(backup_event::Column::FinishedAt.lt(ev.finished_at))
        .order_by_desc(backup_event::Column::FinishedAt)
        .limit(10)
        .into_tuple()
        .all(txn)
        .await?;
    let sizes: Vec<i64> = recent.iter().filter_map(|r| r.0).collect();
    let times: Vec<i64> = recent.iter().filter_map(|r| r.1).collect();
    if ev.bytes.is_some_and(|b| suspicious(b, &sizes)) {
        return Ok(Some(format!(
            "a backup at {} wrote far less than usual",
            ev.finished_at.format("%Y-%m-%d %H:%M")
        )));
    }
    if ev.duration_seconds.is_some_and(|d| suspicious(d, &times)) {
        return Ok(Some(format!(
            "a backup at {} finished far faster than usual",
            ev.finished_at.format("%Y-%m-%d %H:%M")
        )));
    }
    Ok(None)
}

/// The status rows of `ids`, created (as unknown) where missing; one read, at most one insert.
pub async fn ensure_rows(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, system_status::Model>> {
    let load = |ids: Vec<Uuid>| async move {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            for r in scope
                .select::<system_status::Entity>()
                .filter(system_status::Column::SystemId.is_in(chunk.to_vec()))
                .all(db)
                .await?
            {
                out.insert(r.system_id, r);
            }
        }
        Ok::<_, AppError>(out)
    };
    let mut rows = load(ids.to_vec()).await?;
    let missing: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|i| !rows.contains_key(i))
        .collect();
    if missing.is_empty() {
        return Ok(rows);
    }
    for chunk in missing.chunks(200) {
        let fresh = chunk.iter().map(|id| system_status::ActiveModel {
            system_id: Set(*id),
            msp_id: Set(scope.msp_id),
            client_id: Set(client_id),
            last_good_at: Set(None),
            last_offsite_at: Set(None),
            last_event_at: Set(None),
            failures_in_row: Set(0),
            last_test_at: Set(None),
            last_test_passed: Set(None),
            last_test_seconds: Set(None),
            suspicious: Set(String::new()),
            rpo_state: Set(State::Unknown.as_str().into()),
            rto_state: Set(State::Unknown.as_str().into()),
            state_since: Set(now),
            next_eval_at: Set(None),
            version: Set(0),
            reminded_at: Set(None),
            updated_at: Set(now),
        });
        system_status::Entity::insert_many(fresh)
            .on_conflict(
                OnConflict::column(system_status::Column::SystemId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    rows.extend(load(missing).await?);
    Ok(rows)
}

/// Reads a system's status, changes it and writes it back only if nobody else did in between
/// (the version number); a state change is recorded once, by whoever wins.
#[allow(clippy::too_many_arguments)]
pub async fn update_status(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    system_id: Uuid,
    target: (Option<i64>, Option<i64>),
    now: DateTime<Utc>,
    change: impl Fn(&mut crate::domain::sla::Telemetry),
    flag: Option<String>,
    known: Option<system_status::Model>,
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
            None => scope
                .select::<system_status::Entity>()
                .filter(system_status::Column::SystemId.eq(system_id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?,
        };
        let mut t = telemetry(&row);
        change(&mut t);
        let (rpo, rto) = states(&t, target, now);
        let old = (
            State::parse(&row.rpo_state).unwrap_or(State::Unknown),
            State::parse(&row.rto_state).unwrap_or(State::Unknown),
        );
        let changed = old != (rpo, rto);
        // Look again when the clock will change the state, and at least every ten minutes (a
        // target may have been changed in the plan meanwhile).
        let recheck = now + Duration::minutes(10);
        let next = crate::domain::sla::next_change(t.last_good_at, target.0, now)
            .map_or(recheck, |n| n.min(recheck));
        let res = system_status::Entity::update_many()
            .set(system_status::ActiveModel {
                last_good_at: Set(t.last_good_at),
                last_offsite_at: Set(t.last_offsite_at),
                last_event_at: Set(t.last_event_at),
                failures_in_row: Set(t.failures_in_row as i32),
                last_test_at: Set(t.last_test.map(|x| x.0)),
                last_test_passed: Set(t.last_test.map(|x| x.1)),
                last_test_seconds: Set(t.last_test.map(|x| x.2)),
                suspicious: Set(flag.clone().unwrap_or(row.suspicious.clone())),
                rpo_state: Set(rpo.as_str().into()),
                rto_state: Set(rto.as_str().into()),
                state_since: Set(if changed { now } else { row.state_since }),
                next_eval_at: Set(Some(next)),
                version: Set(row.version + 1),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(system_status::Column::SystemId.eq(system_id))
            .filter(system_status::Column::Version.eq(row.version))
            .exec(db)
            .await?;
        if res.rows_affected == 0 {
            continue; // someone else moved it first: read again
        }
        for (aspect, from, to) in [("rpo", old.0, rpo), ("rto", old.1, rto)] {
            if from != to {
                state_change::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    msp_id: Set(scope.msp_id),
                    client_id: Set(client_id),
                    system_id: Set(system_id),
                    aspect: Set(aspect.into()),
                    from_state: Set(from.as_str().into()),
                    to_state: Set(to.as_str().into()),
                    at: Set(now),
                    notified_at: Set(None),
                }
                .insert(db)
                .await?;
            }
        }
        return Ok(());
    }
    Err(AppError::Conflict(
        "the system's status is changing too fast; retry".into(),
    ))
}

/// Ingests a batch reported with an ingest token.
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
    let (targets, _, systems) = super::targets(&state.db, &scope, token.client_id).await?;
    let systems: HashMap<Uuid, system::Model> = systems.into_iter().map(|s| (s.id, s)).collect();
    let checked = check(batch, &systems, now)?;
    // Worth knowing when a token was last used; not worth a write per request.
    let touch = token
        .last_used_at
        .is_none_or(|t| now - t > Duration::minutes(1))
        .then_some(token.id);
    let accepted = submit(
        state,
        Job {
            scope,
            client_id: token.client_id,
            events: checked,
            targets,
            touch,
            now,
        },
    )
    .await?;
    Ok(Accepted {
        accepted,
        duplicates: total - accepted,
    })
}

/// Checked events of one request, waiting to be written.
pub struct Job {
    scope: Scope,
    client_id: Uuid,
    events: Vec<Checked>,
    targets: Targets,
    /// An ingest token whose `last_used_at` to move.
    touch: Option<Uuid>,
    now: DateTime<Utc>,
}

type Reply = tokio::sync::oneshot::Sender<Result<usize, String>>;

/// The committer's inbox.
pub type Queue = tokio::sync::mpsc::Sender<(Job, Reply)>;

/// Most events one commit takes, so no request waits behind an unbounded group.
const GROUP_EVENTS: usize = 5000;

/// Hands a job to the committer and waits for its commit.
async fn submit(state: &AppState, job: Job) -> AppResult<usize> {
    let queue = state.ingest_queue.get_or_init(|| {
        let (tx, rx) = tokio::sync::mpsc::channel::<(Job, Reply)>(1024);
        tokio::spawn(committer(state.clone(), rx));
        tx
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    queue
        .send((job, reply))
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the ingest committer has stopped")))?;
    match answer.await {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(e)) => Err(AppError::Internal(anyhow::anyhow!(e))),
        Err(_) => Err(AppError::Internal(anyhow::anyhow!(
            "the ingest committer stopped before committing"
        ))),
    }
}

/// Group commit: every job waiting when a transaction starts goes into it, so concurrent senders
/// share one commit (one fsync) instead of queueing for one each.
async fn committer(state: AppState, mut rx: tokio::sync::mpsc::Receiver<(Job, Reply)>) {
    while let Some(first) = rx.recv().await {
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
        let (jobs, replies): (Vec<Job>, Vec<Reply>) = group.into_iter().unzip();
        match commit_group(&state, jobs).await {
            Ok(counts) => {
                for (reply, n) in replies.into_iter().zip(counts) {
                    let _ = reply.send(Ok(n));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "ingest commit failed; nothing of this group was stored");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

async fn commit_group(state: &AppState, jobs: Vec<Job>) -> AppResult<Vec<usize>> {
    let _turn = match &state.sqlite_writes {
        Some(m) => Some(m.lock().await),
        None => None,
    };
    let txn = state.db.begin().await?;
    let mut counts = Vec::with_capacity(jobs.len());
    for job in jobs {
        counts.push(
            record(
                &txn,
                &job.scope,
                job.client_id,
                job.events,
                &job.targets,
                job.now,
            )
            .await?,
        );
        if let Some(id) = job.touch {
            ingest_token::Entity::update_many()
                .col_expr(
                    ingest_token::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(Some(job.now)),
                )
                .filter(ingest_token::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(counts)
}

/// A heartbeat: `ok` is a good restore point now; otherwise a failed backup.
pub async fn ping(
    state: &AppState,
    ping_key: &str,
    ok: bool,
    message: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let sys = system::Entity::find()
        .filter(system::Column::PingKey.eq(ping_key))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope::machine(sys.msp_id, sys.client_id);
    let (targets, _, _) = super::targets(&state.db, &scope, sys.client_id).await?;
    let _turn = match &state.sqlite_writes {
        Some(m) => Some(m.lock().await),
        None => None,
    };
    let txn = state.db.begin().await?;
    let ev = EventIn {
        id: format!("ping-{}", Uuid::new_v4()),
        system_id: sys.id,
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
    record(
        &txn,
        &scope,
        sys.client_id,
        vec![Checked { kind, ev }],
        &targets,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
