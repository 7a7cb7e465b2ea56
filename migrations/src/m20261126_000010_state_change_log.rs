//! `state_change` is a log written in bulk: the evaluator's catch-up after an hour away records
//! some 36,000 changes in one pass, and checking each against the `system` table cost 45 ms of
//! it. The log keeps its key to the client (deleting a client still takes its history along),
//! and a system's changes are removed with the system by the service that deletes it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns as migration 004 made them, in SQLite's spelling.
const SQLITE_COLUMNS: &str = "\"id\" uuid_text NOT NULL PRIMARY KEY, \"msp_id\" uuid_text NOT NULL, \
     \"client_id\" uuid_text NOT NULL, \"system_id\" uuid_text NOT NULL, \"aspect\" varchar NOT NULL, \
     \"from_state\" varchar NOT NULL, \"to_state\" varchar NOT NULL, \
     \"at\" timestamp_with_timezone_text NOT NULL, \"notified_at\" timestamp_with_timezone_text NULL, \
     FOREIGN KEY (\"client_id\") REFERENCES \"client\" (\"id\") ON DELETE CASCADE";

const SYSTEM_KEY: &str =
    "FOREIGN KEY (\"system_id\") REFERENCES \"system\" (\"id\") ON DELETE CASCADE";

/// SQLite cannot drop a constraint: the table is rebuilt with `extra` constraints, its rows
/// copied, and the index of changes nobody was told of yet made again under `index`. One
/// batch on one connection, under a savepoint: another pooled connection could still hold the
/// old schema between the steps, and a failure midway leaves the table as it was.
async fn rebuild_sqlite(
    db: &SchemaManagerConnection<'_>,
    extra: &str,
    index: &str,
) -> Result<(), DbErr> {
    let columns = "id, msp_id, client_id, system_id, aspect, from_state, to_state, at, notified_at";
    db.execute_unprepared(&format!(
        "SAVEPOINT rebuild_state_change; \
         CREATE TABLE state_change_rebuilt ({SQLITE_COLUMNS}{extra}); \
         INSERT INTO state_change_rebuilt ({columns}) SELECT {columns} FROM state_change; \
         DROP TABLE state_change; \
         ALTER TABLE state_change_rebuilt RENAME TO state_change; \
         CREATE INDEX {index} ON state_change (at) WHERE notified_at IS NULL; \
         RELEASE rebuild_state_change;"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE state_change DROP CONSTRAINT IF EXISTS fk_state_change_system",
                )
                .await?;
                db.execute_unprepared(
                    "ALTER INDEX ix_state_change_unsent RENAME TO ix_state_change_untold",
                )
                .await?;
            }
            _ => rebuild_sqlite(db, "", "ix_state_change_untold").await?,
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Changes of systems deleted meanwhile would break the key.
        db.execute_unprepared(
            "DELETE FROM state_change WHERE NOT EXISTS \
             (SELECT 1 FROM \"system\" s WHERE s.id = state_change.system_id)",
        )
        .await?;
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE state_change ADD CONSTRAINT fk_state_change_system \
                     FOREIGN KEY (system_id) REFERENCES \"system\" (id) ON DELETE CASCADE",
                )
                .await?;
                db.execute_unprepared(
                    "ALTER INDEX ix_state_change_untold RENAME TO ix_state_change_unsent",
                )
                .await?;
            }
            _ => rebuild_sqlite(db, &format!(", {SYSTEM_KEY}"), "ix_state_change_unsent").await?,
        }
        Ok(())
    }
}
