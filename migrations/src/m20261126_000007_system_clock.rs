//! The evaluator's part of a status moves to a narrow table of its own, `system_clock`: the two
//! states, the moments the clock moves them (as Unix milliseconds, so SQL compares integers),
//! the reminder mark and the version that guards the whole status. A pass of the evaluator after
//! a long pause rewrites tens of thousands of these rows; apart from the telemetry and the window
//! of recent jobs they are a fifth of the size, and so is what a pass writes.
//!
//! State changes get the index their one reader needs: the ones not yet told (alert dispatch),
//! which no longer means reading the whole table each tick.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::common::uuid_col;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SystemClock {
    Table,
    SystemId,
    MspId,
    ClientId,
    RpoState,
    RtoState,
    StateSince,
    NextEvalAt,
    RpoRiskAt,
    RpoBreachAt,
    RtoStaleAt,
    TargetsStale,
    RemindedAt,
    Version,
}

#[derive(DeriveIden)]
enum System {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

/// The columns that move from `system_status` to `system_clock`.
const MOVED: [&str; 10] = [
    "rpo_state",
    "rto_state",
    "state_since",
    "next_eval_at",
    "version",
    "reminded_at",
    "rpo_risk_at",
    "rpo_breach_at",
    "rto_stale_at",
    "targets_stale",
];

fn millis_null(col: SystemClock) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}

/// A stored timestamp as Unix milliseconds, in each database's own terms.
fn to_millis(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("CAST(FLOOR(EXTRACT(EPOCH FROM {col}) * 1000) AS BIGINT)"),
        _ => format!("CAST(ROUND((julianday({col}) - 2440587.5) * 86400000) AS INTEGER)"),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(SystemClock::Table)
                .col(
                    ColumnDef::new(SystemClock::SystemId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(uuid_col(SystemClock::MspId))
                .col(uuid_col(SystemClock::ClientId))
                .col(ColumnDef::new(SystemClock::RpoState).string().not_null())
                .col(ColumnDef::new(SystemClock::RtoState).string().not_null())
                .col(
                    ColumnDef::new(SystemClock::StateSince)
                        .big_integer()
                        .not_null(),
                )
                .col(millis_null(SystemClock::NextEvalAt))
                .col(millis_null(SystemClock::RpoRiskAt))
                .col(millis_null(SystemClock::RpoBreachAt))
                .col(millis_null(SystemClock::RtoStaleAt))
                .col(
                    ColumnDef::new(SystemClock::TargetsStale)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(millis_null(SystemClock::RemindedAt))
                .col(
                    ColumnDef::new(SystemClock::Version)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_system_clock_system")
                        .from(SystemClock::Table, SystemClock::SystemId)
                        .to(System::Table, System::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_system_clock_client")
                        .from(SystemClock::Table, SystemClock::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The states carry over as they are; every row is judged afresh with its targets on the
        // evaluator's first pass, which works out the moments again.
        db.execute_unprepared(&format!(
            "INSERT INTO system_clock (system_id, msp_id, client_id, rpo_state, rto_state, state_since, \
             next_eval_at, targets_stale, reminded_at, version) \
             SELECT system_id, msp_id, client_id, rpo_state, rto_state, {}, {}, {}, {}, version FROM system_status",
            to_millis(backend, "state_since"),
            to_millis(backend, "updated_at"),
            if backend == DbBackend::Postgres { "TRUE" } else { "1" },
            to_millis(backend, "reminded_at"),
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("ix_system_clock_pending")
                .table(SystemClock::Table)
                .col(SystemClock::TargetsStale)
                .col(SystemClock::NextEvalAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_system_clock_tenant")
                .table(SystemClock::Table)
                .col(SystemClock::MspId)
                .col(SystemClock::ClientId)
                .to_owned(),
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_system_status_pending")
            .await?;
        // SQLite drops one column per statement.
        for c in MOVED {
            db.execute_unprepared(&format!("ALTER TABLE system_status DROP COLUMN {c}"))
                .await?;
        }

        // Alert dispatch reads the changes nobody was told of yet, oldest first: a partial index
        // holds just those, so a tick no longer reads the whole history. The old tenant index
        // had no reader (and no cascade can use it); each index costs every change written.
        db.execute_unprepared("DROP INDEX IF EXISTS ix_state_change_tenant")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_state_change_unsent ON state_change (at) WHERE notified_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_state_change_unsent")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_state_change_tenant ON state_change (msp_id, client_id, system_id)",
        )
        .await?;
        let (ts, yes) = match backend {
            DbBackend::Postgres => ("TIMESTAMP WITH TIME ZONE", "TRUE"),
            _ => ("TEXT", "1"),
        };
        let columns = [
            "rpo_state VARCHAR NOT NULL DEFAULT 'unknown'".to_string(),
            "rto_state VARCHAR NOT NULL DEFAULT 'unknown'".to_string(),
            format!("state_since {ts} NOT NULL DEFAULT '1970-01-01 00:00:00+00:00'"),
            format!("next_eval_at {ts} NULL"),
            "version BIGINT NOT NULL DEFAULT 0".to_string(),
            format!("reminded_at {ts} NULL"),
            format!("rpo_risk_at {ts} NULL"),
            format!("rpo_breach_at {ts} NULL"),
            format!("rto_stale_at {ts} NULL"),
            format!("targets_stale BOOLEAN NOT NULL DEFAULT {yes}"),
        ];
        for c in columns {
            db.execute_unprepared(&format!("ALTER TABLE system_status ADD COLUMN {c}"))
                .await?;
        }
        // States and the reminder mark come back; the moments are worked out again (every row
        // is left for the evaluator to judge afresh).
        db.execute_unprepared(
            "UPDATE system_status SET rpo_state = (SELECT c.rpo_state FROM system_clock c WHERE c.system_id = system_status.system_id), \
             rto_state = (SELECT c.rto_state FROM system_clock c WHERE c.system_id = system_status.system_id), \
             version = (SELECT c.version FROM system_clock c WHERE c.system_id = system_status.system_id), \
             state_since = updated_at, next_eval_at = updated_at",
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_system_status_pending")
                .table(Alias::new("system_status"))
                .col(Alias::new("targets_stale"))
                .col(Alias::new("next_eval_at"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SystemClock::Table).to_owned())
            .await
    }
}
