//! The evaluator: states change by the clock too (a system slides into at_risk and breached when
//! no new restore point arrives), so due statuses are re-evaluated continuously. Several replicas
//! may run this at once and each state change is still recorded exactly once.
//!
//! A pass has two parts. Statuses whose targets changed (or that were never confirmed) are judged
//! here in Rust with the targets read afresh, and written back as compare-and-sets on their
//! version; that also stores the moments the clock will move them. All other due statuses only
//! need the clock compared with those moments, which the database does in one set-based pass
//! (on PostgreSQL one statement that locks what it takes with `FOR UPDATE SKIP LOCKED`).
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

use super::ingest::{insert_changes, lock_in_order, state_changes};
use super::{clock, last_test, stored_states, Clock};
use crate::domain::sla::{State, Telemetry};
use crate::ids::ClientId;
use crate::ssr::entity::system_clock::millis;
use crate::ssr::error::AppResult;
use crate::ssr::scope::Scope;
use crate::ssr::sql::{placeholder, values_list};
use crate::ssr::state::AppState;

/// Statuses written per statement and per transaction: short enough that ingest never waits
/// long for the SQLite write lock, long enough that a transaction's commit is shared widely.
const CHUNK: usize = 2000;

/// What the clock can change of a status, and nothing more.
#[derive(Debug, FromQueryResult)]
struct Due {
    system_id: Uuid,
    msp_id: Uuid,
    client_id: Uuid,
    last_good_at: Option<DateTime<Utc>>,
    last_test_at: Option<DateTime<Utc>>,
    last_test_passed: Option<bool>,
    last_test_seconds: Option<i64>,
    rpo_state: String,
    rto_state: String,
    version: i64,
}

/// One status as re-evaluated, waiting to be written.
struct Verdict {
    due: Due,
    old: (State, State),
    clock: Clock,
}

/// Re-evaluates the statuses that are due (of those whose targets changed, at most `limit`);
/// returns how many were looked at.
pub async fn sweep(state: &AppState, now: DateTime<Utc>, limit: u64) -> AppResult<usize> {
    let s = sweep_parts(state, now, limit).await?;
    Ok(s.confirmed + s.clocked)
}

/// What one sweep did: statuses judged afresh for changed targets (at most the limit), and
/// statuses moved along by the clock (all that were due).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub confirmed: usize,
    pub clocked: usize,
}

pub async fn sweep_parts(state: &AppState, now: DateTime<Utc>, limit: u64) -> AppResult<Swept> {
    let confirmed = confirm_targets(state, now, limit).await?;
    let clocked = by_the_clock(state, now).await?;
    Ok(Swept { confirmed, clocked })
}

/// Sweeps until no status with changed targets is left waiting: only that part of a sweep has
/// a limit (the clock's part takes everything due at once). Returns the sweeps made.
pub async fn catch_up(state: &AppState, limit: u64) -> AppResult<usize> {
    let mut sweeps = 0;
    loop {
        let s = sweep_parts(state, Utc::now(), limit).await?;
        sweeps += 1;
        if (s.confirmed as u64) < limit {
            return Ok(sweeps);
        }
    }
}

/// Judges due statuses whose targets changed, with the targets read afresh.
async fn confirm_targets(state: &AppState, now: DateTime<Utc>, limit: u64) -> AppResult<usize> {
    // A query across tenants: it reads which rows are due and what the clock acts on; every
    // row is then judged by the targets of its own client.
    let backend = state.db.get_database_backend();
    let p = |n| placeholder(backend, n);
    let sql = format!(
        "SELECT c.system_id, c.msp_id, c.client_id, s.last_good_at, s.last_test_at, s.last_test_passed, \
         s.last_test_seconds, c.rpo_state, c.rto_state, c.version \
         FROM system_clock c JOIN system_status s ON s.system_id = c.system_id \
         WHERE c.targets_stale = {} AND c.next_eval_at <= {} ORDER BY c.next_eval_at LIMIT {}",
        p(1),
        p(2),
        p(3)
    );
    let all = Scope::all_tenants("evaluator: statuses of every tenant whose targets changed");
    let due: Vec<Due> = Due::find_by_statement(all.statement(
        backend,
        sql,
        [
            Value::from(true),
            Value::from(millis(now)),
            Value::from(i64::try_from(limit).unwrap_or(i64::MAX)),
        ],
    ))
    .all(&state.db)
    .await?;
    let total = due.len();
    let mut by_client: BTreeMap<(Uuid, Uuid), Vec<Due>> = BTreeMap::new();
    for d in due {
        by_client
            .entry((d.msp_id, d.client_id))
            .or_default()
            .push(d);
    }
    // The MSP's restore-test window, read once per MSP of the pass.
    let mut proof_days: HashMap<Uuid, i64> = HashMap::new();
    for ((msp, client), rows) in by_client {
        let scope = Scope::machine(msp, client);
        let (targets, _, _) = super::targets(&state.db, &scope, ClientId::from(client)).await?;
        let days = match proof_days.get(&msp) {
            Some(d) => *d,
            None => {
                let d = super::restore_test_days(&state.db, msp).await?;
                proof_days.insert(msp, d);
                d
            }
        };
        let mut verdicts: Vec<Verdict> = rows
            .into_iter()
            .map(|due| {
                let target = targets.get(&due.system_id).copied().unwrap_or((None, None));
                let t = Telemetry {
                    last_good_at: due.last_good_at,
                    last_test: last_test(
                        due.last_test_at,
                        due.last_test_passed,
                        due.last_test_seconds,
                    ),
                    ..Telemetry::default()
                };
                Verdict {
                    old: stored_states(&due.rpo_state, &due.rto_state),
                    clock: clock(&t, target, days, now),
                    due,
                }
            })
            .collect();
        while !verdicts.is_empty() {
            let rest = verdicts.split_off(verdicts.len().min(CHUNK));
            write(state, &scope, client, &verdicts, now).await?;
            verdicts = rest;
        }
    }
    Ok(total)
}

/// Writes a chunk of verdicts in one statement, each a compare-and-set on its version: a status
/// that ingest (or another replica) moved meanwhile is left to them. State changes are recorded
/// for the rows this writer won, so each change is recorded exactly once.
async fn write(
    state: &AppState,
    scope: &Scope,
    client_id: Uuid,
    verdicts: &[Verdict],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let backend = state.db.get_database_backend();
    let mut sql = String::with_capacity(200 + verdicts.len() * 40);
    sql.push_str("UPDATE system_clock SET rpo_state = v.column3, rto_state = v.column4, ");
    sql.push_str("state_since = CASE WHEN system_clock.rpo_state = v.column3 AND system_clock.rto_state = v.column4 THEN system_clock.state_since ELSE v.column5 END, ");
    sql.push_str("next_eval_at = v.column6, rpo_risk_at = v.column7, rpo_breach_at = v.column8, rto_stale_at = v.column9, ");
    sql.push_str("targets_stale = v.column10, version = system_clock.version + 1 FROM (VALUES ");
    sql.push_str(&values_list(backend, verdicts.len(), 10));
    let mut values: Vec<Value> = Vec::with_capacity(verdicts.len() * 10);
    for v in verdicts {
        values.extend([
            Value::from(v.due.system_id),
            Value::from(v.due.version),
            Value::from(v.clock.states.0.as_str()),
            Value::from(v.clock.states.1.as_str()),
            Value::from(millis(now)),
            Value::from(v.clock.next_eval_at),
            Value::from(v.clock.rpo_moments.map(|m| m.0)),
            Value::from(v.clock.rpo_moments.map(|m| m.1)),
            Value::from(v.clock.rto_stale_at),
            Value::from(false),
        ]);
    }
    sql.push_str(") AS v WHERE system_clock.system_id = v.column1 AND system_clock.version = v.column2 RETURNING system_clock.system_id");
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    let ids: Vec<Uuid> = verdicts.iter().map(|v| v.due.system_id).collect();
    lock_in_order(&txn, &ids).await?;
    let won: HashSet<Uuid> = txn
        .query_all_raw(
            Scope::all_tenants("evaluator: write a client's verdicts by system id")
                .statement(backend, sql, values),
        )
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<Uuid>(0))
        .collect::<Result<_, _>>()?;
    let changes = verdicts
        .iter()
        .filter(|v| v.old != v.clock.states && won.contains(&v.due.system_id))
        .flat_map(|v| {
            state_changes(
                scope,
                client_id,
                v.due.system_id,
                v.old,
                v.clock.states,
                now,
            )
        })
        .collect();
    insert_changes(&txn, changes).await?;
    txn.commit().await?;
    Ok(())
}

/// The clock's part: every due status whose targets are confirmed gets its states from the stored
/// moments, in the database; a state that moves is recorded once. Returns how many were due.
async fn by_the_clock(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let backend = state.db.get_database_backend();
    let p = |n| placeholder(backend, n);
    // The clock compares integers (milliseconds); a state change records the time itself.
    let (at, confirmed, when) = (p(1), p(2), p(3));
    let rpo = format!(
        "CASE WHEN rpo_breach_at IS NULL THEN 'unknown' WHEN rpo_breach_at <= {at} THEN 'breached' \
         WHEN rpo_risk_at <= {at} THEN 'at_risk' ELSE 'ok' END"
    );
    let rto = format!(
        "CASE WHEN rto_stale_at IS NOT NULL AND rto_stale_at <= {at} THEN 'at_risk' ELSE rto_state END"
    );
    // The next moment of each kind still ahead, and the earlier of the two.
    let rpo_next = format!(
        "CASE WHEN rpo_risk_at > {at} THEN rpo_risk_at WHEN rpo_breach_at > {at} THEN rpo_breach_at END"
    );
    let rto_next = format!("CASE WHEN rto_stale_at > {at} THEN rto_stale_at END");
    let next = format!(
        "CASE WHEN ({rpo_next}) IS NULL THEN {rto_next} WHEN ({rto_next}) IS NULL THEN {rpo_next} \
         WHEN ({rpo_next}) < ({rto_next}) THEN {rpo_next} ELSE {rto_next} END"
    );
    let set = format!(
        "state_since = CASE WHEN rpo_state <> {rpo} OR rto_state <> {rto} THEN {at} ELSE state_since END, \
         rpo_state = {rpo}, rto_state = {rto}, next_eval_at = {next}, version = version + 1"
    );
    let due = format!("next_eval_at <= {at} AND targets_stale = {confirmed}");
    let columns =
        "(id, msp_id, client_id, system_id, aspect, from_state, to_state, at, notified_at)";
    let values = vec![
        Value::from(millis(now)),
        Value::from(false),
        Value::from(now),
    ];
    let all = Scope::all_tenants("evaluator: every tenant's statuses the clock moves");
    let statement = |sql: String| all.statement(backend, sql, values.clone());
    if backend == DbBackend::Postgres {
        // One statement: the rows it takes are locked, so a replica sweeping at the same moment
        // skips them, and the old states it compares with are the ones it replaces.
        let sql = format!(
            "WITH due AS (SELECT system_id, rpo_state AS old_rpo, rto_state AS old_rto FROM system_clock \
             WHERE {due} FOR UPDATE SKIP LOCKED), \
             upd AS (UPDATE system_clock SET {set} FROM due WHERE system_clock.system_id = due.system_id \
             RETURNING system_clock.system_id, system_clock.msp_id, system_clock.client_id, \
             due.old_rpo, system_clock.rpo_state AS new_rpo, due.old_rto, system_clock.rto_state AS new_rto), \
             moved AS (SELECT system_id, msp_id, client_id, 'rpo' AS aspect, old_rpo AS from_state, new_rpo AS to_state \
             FROM upd WHERE old_rpo <> new_rpo UNION ALL \
             SELECT system_id, msp_id, client_id, 'rto', old_rto, new_rto FROM upd WHERE old_rto <> new_rto), \
             ins AS (INSERT INTO state_change {columns} SELECT gen_random_uuid(), msp_id, client_id, system_id, \
             aspect, from_state, to_state, {when}, NULL FROM moved) \
             SELECT count(*) AS n FROM upd"
        );
        let row = state.db.query_one_raw(statement(sql)).await?;
        let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        return Ok(n as usize);
    }
    // SQLite: one writer at a time, so reading the old states and replacing them inside one
    // transaction cannot race another sweep.
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    // How to reach the due rows: through the index when they are few (a tick), by reading the
    // whole table in order when they are many (a catch-up), as SQLite cannot tell the two apart.
    let sizes = txn
        .query_one_raw(statement(format!(
            "SELECT (SELECT count(*) FROM system_clock WHERE {due}), \
             (SELECT coalesce(max(rowid), 0) FROM system_clock)"
        )))
        .await?;
    let (due_rows, all_rows): (i64, i64) = match sizes {
        Some(r) => (r.try_get_by_index(0)?, r.try_get_by_index(1)?),
        None => (0, 0),
    };
    if due_rows == 0 {
        return Ok(0);
    }
    let scan = if whole_table(due_rows, all_rows) {
        "NOT INDEXED"
    } else {
        ""
    };
    // Row ids like UUIDv7: this pass's millisecond, then random bytes, so the new rows land at
    // the end of the primary-key index rather than on a random page each.
    let id = format!("unhex({} || hex(randomblob(10)))", p(values.len() + 1));
    let mut with_millis = values.clone();
    with_millis.push(Value::from(format!("{:012X}", now.timestamp_millis())));
    // One scan of the due rows yields both aspects' changes: each due row is joined with the
    // two aspects (CROSS JOIN keeps the clock table the outer loop in SQLite).
    let (old, new) = (
        "CASE a.column1 WHEN 'rpo' THEN rpo_state ELSE rto_state END",
        format!("CASE a.column1 WHEN 'rpo' THEN {rpo} ELSE {rto} END"),
    );
    txn.execute_raw(all.statement(
        backend,
        format!(
            "INSERT INTO state_change {columns} \
         SELECT {id}, msp_id, client_id, system_id, a.column1, {old}, {new}, {when}, NULL \
         FROM system_clock {scan} CROSS JOIN (VALUES ('rpo'), ('rto')) AS a \
         WHERE {due} AND {old} <> {new}"
        ),
        with_millis,
    ))
    .await?;
    let n = txn
        .execute_raw(statement(format!(
            "UPDATE system_clock {scan} SET {set} WHERE {due}"
        )))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(n as usize)
}

/// Whether a pass over `due` of about `rows` clock rows reads the whole table in order rather
/// than each due row through the `next_eval_at` index. Past a quarter of the table, the index's
/// scattered reads cost more than one sequential pass (measured with 36,000 of 100,000 due:
/// 235 ms through the index, 190 ms reading the table). `rows` is the highest rowid, which a
/// deleted row leaves overstated: the index is then chosen, which is never wrong, only slower.
fn whole_table(due: i64, rows: i64) -> bool {
    due > 0 && due.saturating_mul(4) >= rows
}

/// Runs the evaluator every `every` until the task is dropped. Delivery has a loop of its own
/// (`delivery::run`): a slow receiver cannot hold the clock back.
pub async fn run(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = catch_up(&state, 1000).await {
            tracing::error!(error = ?e, "evaluator sweep failed");
        }
        if let Err(e) = super::alerts::dispatch(&state, Utc::now()).await {
            tracing::error!(error = ?e, "alert dispatch failed");
        }
        if let Err(e) = crate::ssr::service::calls::escalate_due(&state, Utc::now()).await {
            tracing::error!(error = ?e, "call-tree escalation failed");
        }
        if let Err(e) = super::report::deliver_monthly(&state, Utc::now()).await {
            tracing::error!(error = ?e, "monthly reports failed");
        }
        let window = i64::try_from(state.settings.login_window.as_millis()).unwrap_or(i64::MAX);
        if let Err(e) = crate::ssr::repo::throttle::prune(&state.db, Utc::now(), window).await {
            tracing::warn!(error = ?e, "pruning sign-in counters failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::whole_table;

    #[test]
    fn a_catch_up_reads_the_table_and_a_tick_the_index() {
        // After an hour away, a third of 100,000 are due: one sequential pass.
        assert!(whole_table(36_000, 100_000));
        assert!(whole_table(3, 3));
        // An everyday tick: a handful of 100,000.
        assert!(!whole_table(40, 100_000));
        assert!(!whole_table(24_999, 100_000));
        assert!(!whole_table(0, 0));
    }
}
