//! What lets ingest and the evaluator work from the status row alone: the recent successful jobs
//! of a system (finish time, bytes, duration), so a new job is judged against its recent median
//! without reading the event history; and the moments the clock moves its state (RPO at risk, RPO
//! breached, restore test stale), so the evaluator's pass is one set-based statement. Those moments
//! follow from the targets in force; `targets_stale` marks rows whose targets changed since they
//! were worked out (every existing row starts so).
use sea_orm_migration::prelude::*;

fn ts_null(col: SystemStatus) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SystemStatus {
    Table,
    NextEvalAt,
    RecentJobs,
    RpoRiskAt,
    RpoBreachAt,
    RtoStaleAt,
    TargetsStale,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        let columns = [
            ColumnDef::new(SystemStatus::RecentJobs)
                .text()
                .not_null()
                .default("")
                .to_owned(),
            ts_null(SystemStatus::RpoRiskAt),
            ts_null(SystemStatus::RpoBreachAt),
            ts_null(SystemStatus::RtoStaleAt),
            ColumnDef::new(SystemStatus::TargetsStale)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
        ];
        for c in columns {
            m.alter_table(
                Table::alter()
                    .table(SystemStatus::Table)
                    .add_column(c)
                    .to_owned(),
            )
            .await?;
        }
        // The evaluator asks two questions of due rows: which need their targets confirmed, and
        // which only the clock moved. One index answers both without scanning the other kind.
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_system_status_due")
            .await?;
        m.create_index(
            Index::create()
                .name("ix_system_status_pending")
                .table(SystemStatus::Table)
                .col(SystemStatus::TargetsStale)
                .col(SystemStatus::NextEvalAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_system_status_pending")
            .await?;
        m.create_index(
            Index::create()
                .name("ix_system_status_due")
                .table(SystemStatus::Table)
                .col(SystemStatus::NextEvalAt)
                .to_owned(),
        )
        .await?;
        for c in [
            SystemStatus::RecentJobs,
            SystemStatus::RpoRiskAt,
            SystemStatus::RpoBreachAt,
            SystemStatus::RtoStaleAt,
            SystemStatus::TargetsStale,
        ] {
            m.alter_table(
                Table::alter()
                    .table(SystemStatus::Table)
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
