//! Approved plan versions are read by every user of a client, printed and kept: they must not
//! carry the heartbeat keys that let anyone report good backups. Versions approved before are
//! rewritten without them.
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Removes every `ping_key` member from a JSON document, at any depth.
fn scrub(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(map) => {
            let mut changed = map.remove("ping_key").is_some();
            for item in map.values_mut() {
                changed |= scrub(item);
            }
            changed
        }
        serde_json::Value::Array(items) => {
            // Every item is scrubbed, so no short-circuit.
            let mut changed = false;
            for item in items {
                changed |= scrub(item);
            }
            changed
        }
        _ => false,
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, snapshot FROM plan_version WHERE snapshot LIKE '%ping_key%'",
            ))
            .await?;
        let update = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE plan_version SET snapshot = $1 WHERE id = $2"
            }
            _ => "UPDATE plan_version SET snapshot = ?1 WHERE id = ?2",
        };
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let snapshot: String = row.try_get("", "snapshot")?;
            let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&snapshot) else {
                continue;
            };
            if scrub(&mut doc) {
                db.execute_raw(Statement::from_sql_and_values(
                    backend,
                    update,
                    [doc.to_string().into(), id.into()],
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The keys are gone from the versions for good; there is nothing to put back.
        Ok(())
    }
}
