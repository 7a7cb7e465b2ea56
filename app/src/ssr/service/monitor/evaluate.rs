//! The evaluator: states change by the clock too (a system slides into at_risk and breached when
//! no new restore point arrives), so due statuses are re-evaluated continuously. Several replicas
//! may run this at once: every update is a compare-and-set on the status version, so a state
//! change is recorded exactly once.
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

use super::ingest::{ensure_rows, update_status};
use crate::ssr::entity::system_status;
use crate::ssr::error::AppResult;
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

/// Re-evaluates up to `limit` statuses that are due; returns how many were looked at.
pub async fn sweep(state: &AppState, now: DateTime<Utc>, limit: u64) -> AppResult<usize> {
    // The one query across tenants: it reads only which rows are due, and every row is then
    // handled in the scope of its own client.
    let due: Vec<(Uuid, Uuid, Uuid)> = system_status::Entity::find()
        .select_only()
        .column(system_status::Column::MspId)
        .column(system_status::Column::ClientId)
        .column(system_status::Column::SystemId)
        .filter(system_status::Column::NextEvalAt.lte(now))
        .order_by_asc(system_status::Column::NextEvalAt)
        .limit(limit)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut by_client: BTreeMap<(Uuid, Uuid), Vec<Uuid>> = BTreeMap::new();
    for (msp, client, system) in &due {
        by_client.entry((*msp, *client)).or_default().push(*system);
    }
    for ((msp, client), systems) in by_client {
        let scope = Scope::machine(msp, client);
        let (targets, _, _) = super::targets(&state.db, &scope, client).await?;
        // A few hundred systems per transaction: one commit for many compare-and-sets.
        for chunk in systems.chunks(500) {
            let _turn = match &state.sqlite_writes {
                Some(m) => Some(m.lock().await),
                None => None,
            };
            let txn = state.db.begin().await?;
            let mut rows = ensure_rows(&txn, &scope, client, chunk, now).await?;
            for system_id in chunk {
                let target = targets.get(system_id).copied().unwrap_or((None, None));
                update_status(
                    &txn,
                    &scope,
                    client,
                    *system_id,
                    target,
                    now,
                    |_| {},
                    None,
                    rows.remove(system_id),
                )
                .await?;
            }
            txn.commit().await?;
        }
    }
    Ok(due.len())
}

/// Runs the evaluator every `every` until the task is dropped.
pub async fn run(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        loop {
            match sweep(&state, Utc::now(), 1000).await {
                Ok(1000) => continue, // more are due: keep going
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = ?e, "evaluator sweep failed");
                    break;
                }
            }
        }
        if let Err(e) = super::alerts::dispatch(&state, Utc::now()).await {
            tracing::error!(error = ?e, "alert dispatch failed");
        }
        if let Err(e) = super::alerts::deliver(&state, Utc::now()).await {
            tracing::error!(error = ?e, "alert delivery failed");
        }
    }
}
