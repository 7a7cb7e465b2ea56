//! The append-only audit trail: who did what, to which tenant, when, from where, and how it ended.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::ssr::entity::{audit_log, plan};
use crate::ssr::error::AppResult;
use crate::ssr::scope::Scope;

pub const LOGIN_FAILED: &str = "auth.login_failed";

#[derive(Debug, Default)]
pub struct Entry<'a> {
    pub msp_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub subject: String,
    pub detail: serde_json::Value,
    pub ip: String,
    pub outcome: &'a str,
}

impl<'a> Entry<'a> {
    /// A successful change made by the scope's user.
    pub fn by(scope: &Scope, action: &'a str, subject: impl Into<String>) -> Self {
        Entry {
            msp_id: Some(scope.msp_id()),
            client_id: scope.client_id(),
            actor: Some(scope.user_id()),
            action,
            subject: subject.into(),
            detail: serde_json::Value::Null,
            ip: String::new(),
            outcome: "ok",
        }
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    pub fn client(mut self, client_id: Uuid) -> Self {
        self.client_id = Some(client_id);
        self
    }
}

pub async fn record(db: &impl ConnectionTrait, e: Entry<'_>) -> AppResult<()> {
    audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(e.msp_id),
        client_id: Set(e.client_id),
        actor_user_id: Set(e.actor),
        action: Set(e.action.to_string()),
        subject: Set(e.subject),
        detail: Set(if e.detail.is_null() {
            "{}".into()
        } else {
            e.detail.to_string()
        }),
        ip: Set(e.ip),
        outcome: Set(e.outcome.to_string()),
        at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    // Whatever changed at a client may change its plan's completeness, which the dashboard
    // keeps on the plan row: it is worked out afresh when next shown.
    if let (Some(msp_id), Some(client_id)) = (e.msp_id, e.client_id) {
        Scope::machine(msp_id, client_id)
            .update::<plan::Entity>()
            .col_expr(
                plan::Column::Completeness,
                sea_orm::sea_query::Expr::value(Option::<i32>::None),
            )
            .filter(plan::Column::ClientId.eq(client_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The MSP's own trail, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    limit: u64,
) -> AppResult<Vec<audit_log::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(scope
        .select::<audit_log::Entity>()
        .order_by_desc(audit_log::Column::At)
        .limit(limit)
        .all(db)
        .await?)
}
