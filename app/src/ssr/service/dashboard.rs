//! The MSP's home: every client worst first, with its systems' states, its plan's completeness
//! and review date, and the totals across clients. A handful of grouped queries however many
//! clients there are; each plan's completeness is kept on its plan row (it means reading the
//! whole plan) and worked out again only after a change to that client or on a new day.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::domain::sla::State;
use crate::ids::ClientId;
use crate::model::monitor::{ClientRef, Counts, Dashboard, DashboardRow, COMPLETE_ENOUGH};
use crate::ssr::entity::{plan, plan_version, system, system_clock};
use crate::ssr::error::AppResult;
use crate::ssr::repo::clients;
use crate::ssr::scope::Scope;
use crate::ssr::service::plan::overview;
use crate::ssr::state::AppState;

/// A plan's review date, and its completeness as last worked out with the day it was.
type PlanFacts = (Option<NaiveDate>, Option<i32>, Option<NaiveDate>);

/// `COUNT(*)`: counting a column makes SQLite read (and compare) each row's value.
fn count_rows() -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust("COUNT(*)")
}

/// The worse of a system's two states; an RTO that was never tested (unknown) does not make a
/// system whose backups are judged look unknown.
pub fn worst(rpo: State, rto: State) -> State {
    let rank = |s: State| match s {
        State::Ok => 0,
        State::Unknown => 1,
        State::AtRisk => 2,
        State::Breached => 3,
    };
    match (rpo, rto) {
        (rpo, State::Unknown) => rpo,
        (rpo, rto) if rank(rto) > rank(rpo) => rto,
        (rpo, _) => rpo,
    }
}

/// The dashboard for the scope's clients; `search` narrows the rows (by name, any case), not
/// the totals; `limit` keeps the worst so many of them.
pub async fn dashboard(
    state: &AppState,
    scope: &Scope,
    search: &str,
    today: NaiveDate,
    limit: Option<usize>,
) -> AppResult<Dashboard> {
    scope.require_msp_staff()?;
    let db = &state.db;
    let systems: HashMap<Uuid, i64> = scope
        .select::<system::Entity>()
        .select_only()
        .column(system::Column::ClientId)
        .column_as(count_rows(), "n")
        .group_by(system::Column::ClientId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // A row per (client, RPO state, RTO state): SQLite groups the covering index's entries as
    // they come. Summing each client's systems by the state they show in SQL instead (one row
    // per client, 16 state pairs tested per system) made the request slower, not faster.
    let mut judged: HashMap<Uuid, (Counts, u32)> = HashMap::new();
    let stored: Vec<(Uuid, String, String, i64)> = scope
        .select::<system_clock::Entity>()
        .select_only()
        .column(system_clock::Column::ClientId)
        .column(system_clock::Column::RpoState)
        .column(system_clock::Column::RtoState)
        .column_as(count_rows(), "n")
        .group_by(system_clock::Column::ClientId)
        .group_by(system_clock::Column::RpoState)
        .group_by(system_clock::Column::RtoState)
        .into_tuple()
        .all(db)
        .await?;
    for (client, rpo, rto, n) in stored {
        let parse = |s: &str| State::parse(s).unwrap_or(State::Unknown);
        let n = u32::try_from(n).unwrap_or(0);
        let entry = judged.entry(client).or_default();
        entry.0.add_many(worst(parse(&rpo), parse(&rto)), n);
        entry.1 += n;
    }
    let plans: HashMap<Uuid, PlanFacts> = scope
        .select::<plan::Entity>()
        .select_only()
        .column(plan::Column::ClientId)
        .column(plan::Column::ReviewDue)
        .column(plan::Column::Completeness)
        .column(plan::Column::CompletenessOn)
        .into_tuple::<(Uuid, Option<NaiveDate>, Option<i32>, Option<NaiveDate>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(c, due, pct, on)| (c, (due, pct, on)))
        .collect();
    let approved: HashMap<Uuid, i32> = scope
        .select::<plan_version::Entity>()
        .select_only()
        .column(plan_version::Column::ClientId)
        .column_as(plan_version::Column::Number.max(), "n")
        .group_by(plan_version::Column::ClientId)
        .into_tuple::<(Uuid, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let mut overdue = crate::ssr::service::exercises::overdue(db, scope, None, today).await?;
    let needle = search.trim().to_lowercase();
    let mut out = Dashboard::default();
    for c in clients::names(db, scope).await? {
        if c.archived {
            out.archived.push(ClientRef {
                id: c.id,
                name: c.name,
            });
            continue;
        }
        let (mut counts, seen) = judged.remove(&c.id).unwrap_or_default();
        // Systems that never reported have no clock row yet.
        let all = u32::try_from(systems.get(&c.id).copied().unwrap_or(0)).unwrap_or(0);
        counts.add_many(State::Unknown, all.saturating_sub(seen));
        let (review_due, cached, cached_on) = plans.get(&c.id).copied().unwrap_or_default();
        let completeness = match (cached, cached_on) {
            (Some(pct), Some(on)) if on == today => pct.clamp(0, 100) as u8,
            _ => work_out_completeness(state, scope, ClientId::from(c.id), today).await?,
        };
        let row = DashboardRow {
            review_overdue: review_due.is_some_and(|d| d < today),
            review_due,
            approved_version: approved.get(&c.id).map(|n| *n as u32),
            overdue: overdue.remove(&c.id).unwrap_or_default(),
            completeness,
            systems: counts,
            client: ClientRef {
                id: c.id,
                name: c.name,
            },
        };
        out.clients += 1;
        for (state, n) in [
            (State::Ok, row.systems.ok),
            (State::AtRisk, row.systems.at_risk),
            (State::Breached, row.systems.breached),
            (State::Unknown, row.systems.unknown),
        ] {
            out.systems.add_many(state, n);
        }
        out.reviews_overdue += u32::from(row.review_overdue);
        out.exercises_overdue += u32::from(row.overdue != Default::default());
        out.plans_incomplete += u32::from(row.completeness < COMPLETE_ENOUGH);
        if needle.is_empty() || row.client.name.to_lowercase().contains(&needle) {
            out.rows.push(row);
        }
    }
    out.rows.sort_by_cached_key(|r| {
        (
            std::cmp::Reverse(r.severity()),
            r.client.name.to_lowercase(),
        )
    });
    out.matched = u32::try_from(out.rows.len()).unwrap_or(u32::MAX);
    if let Some(limit) = limit {
        out.rows.truncate(limit);
    }
    Ok(out)
}

/// Reads the client's whole plan for its completeness and keeps the figure on the plan row.
/// A change recorded meanwhile empties it again (`audit::record`); at worst a figure
/// computed across such a change stands until the next change or the next day.
async fn work_out_completeness(
    state: &AppState,
    scope: &Scope,
    client: ClientId,
    today: NaiveDate,
) -> AppResult<u8> {
    let view = overview::view(state, scope, client, today).await?;
    scope
        .update::<plan::Entity>()
        .col_expr(
            plan::Column::Completeness,
            sea_orm::sea_query::Expr::value(i32::from(view.completeness)),
        )
        .col_expr(
            plan::Column::CompletenessOn,
            sea_orm::sea_query::Expr::value(today),
        )
        .filter(plan::Column::ClientId.eq(client.uuid()))
        .exec(&state.db)
        .await?;
    Ok(view.completeness)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_counts_by_its_worse_state_but_an_untested_rto_does_not_count() {
        use State::*;
        assert_eq!(worst(Ok, Unknown), Ok);
        assert_eq!(worst(Ok, AtRisk), AtRisk);
        assert_eq!(worst(AtRisk, Ok), AtRisk);
        assert_eq!(worst(Ok, Breached), Breached);
        assert_eq!(worst(Breached, AtRisk), Breached);
        assert_eq!(worst(Unknown, Unknown), Unknown);
        assert_eq!(worst(Unknown, Ok), Unknown);
    }
}
