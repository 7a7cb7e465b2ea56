//! Backup monitoring: a policy per system, per-client ingest tokens (stored hashed), the backup
//! events as reported (deduplicated by the sender's id), one status row per system that the
//! evaluator claims with a version number (compare-and-set), and the state changes that alerts
//! are sent from.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Client {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum System {
    Table,
    Id,
    Policy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Common {
    Id,
    MspId,
    ClientId,
    SystemId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum IngestToken {
    Table,
    Name,
    TokenHash,
    CreatedBy,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BackupEvent {
    Table,
    EventKey,
    Kind,
    RestorePointAt,
    FinishedAt,
    DurationSeconds,
    Bytes,
    Message,
    ReceivedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SystemStatus {
    Table,
    LastGoodAt,
    LastOffsiteAt,
    LastEventAt,
    FailuresInRow,
    LastTestAt,
    LastTestPassed,
    LastTestSeconds,
    Suspicious,
    RpoState,
    RtoState,
    StateSince,
    NextEvalAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum StateChange {
    Table,
    Aspect,
    FromState,
    ToState,
    At,
    NotifiedAt,
}

fn tenant(table: impl IntoIden + Clone + 'static, name: &str, id: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(table.clone());
    if id {
        t.col(id_col(Common::Id));
    }
    t.col(uuid_col(Common::MspId))
        .col(uuid_col(Common::ClientId))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_client"))
                .from(table, Common::ClientId)
                .to(Client::Table, Client::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn system_fk(table: impl IntoIden + 'static, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{name}_system"))
        .from(table, Common::SystemId)
        .to(System::Table, System::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

async fn index(
    m: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    name: &str,
    cols: &[Common],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(System::Table)
                .add_column(ColumnDef::new(System::Policy).text().null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            tenant(IngestToken::Table, "ingest_token", true)
                .col(ColumnDef::new(IngestToken::Name).string().not_null())
                .col(ColumnDef::new(IngestToken::TokenHash).string().not_null())
                .col(uuid_col(IngestToken::CreatedBy))
                .col(ts_null(IngestToken::RevokedAt))
                .col(ts_null(IngestToken::LastUsedAt))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_ingest_token_hash")
                .table(IngestToken::Table)
                .col(IngestToken::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            IngestToken::Table,
            "ix_ingest_token_tenant",
            &[Common::MspId, Common::ClientId],
            false,
        )
        .await?;

        m.create_table(
            tenant(BackupEvent::Table, "backup_event", true)
                .col(uuid_col(Common::SystemId))
                .col(ColumnDef::new(BackupEvent::EventKey).string().not_null())
                .col(ColumnDef::new(BackupEvent::Kind).string().not_null())
                .col(ts_null(BackupEvent::RestorePointAt))
                .col(ts_col(BackupEvent::FinishedAt))
                .col(
                    ColumnDef::new(BackupEvent::DurationSeconds)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(BackupEvent::Bytes).big_integer().null())
                .col(
                    ColumnDef::new(BackupEvent::Message)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(ts_col(BackupEvent::ReceivedAt))
                .foreign_key(&mut system_fk(BackupEvent::Table, "backup_event"))
                .to_owned(),
        )
        .await?;
        // The sender's id is unique per client: a retry is a duplicate, whatever the token.
        m.create_index(
            Index::create()
                .name("ux_backup_event_key")
                .table(BackupEvent::Table)
                .col(Common::ClientId)
                .col(BackupEvent::EventKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_backup_event_system")
                .table(BackupEvent::Table)
                .col(Common::MspId)
                .col(Common::SystemId)
                .col(BackupEvent::FinishedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            tenant(SystemStatus::Table, "system_status", false)
                .col(
                    ColumnDef::new(Common::SystemId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ts_null(SystemStatus::LastGoodAt))
                .col(ts_null(SystemStatus::LastOffsiteAt))
                .col(ts_null(SystemStatus::LastEventAt))
                .col(
                    ColumnDef::new(SystemStatus::FailuresInRow)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ts_null(SystemStatus::LastTestAt))
                .col(
                    ColumnDef::new(SystemStatus::LastTestPassed)
                        .boolean()
                        .null(),
                )
                .col(
                    ColumnDef::new(SystemStatus::LastTestSeconds)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(SystemStatus::Suspicious)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(
                    ColumnDef::new(SystemStatus::RpoState)
                        .string()
                        .not_null()
                        .default("unknown"),
                )
                .col(
                    ColumnDef::new(SystemStatus::RtoState)
                        .string()
                        .not_null()
                        .default("unknown"),
                )
                .col(ts_col(SystemStatus::StateSince))
                .col(ts_null(SystemStatus::NextEvalAt))
                .col(
                    ColumnDef::new(SystemStatus::Version)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(&mut system_fk(SystemStatus::Table, "system_status"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_system_status_due")
                .table(SystemStatus::Table)
                .col(SystemStatus::NextEvalAt)
                .to_owned(),
        )
        .await?;
        index(
            m,
            SystemStatus::Table,
            "ix_system_status_tenant",
            &[Common::MspId, Common::ClientId],
            false,
        )
        .await?;

        m.create_table(
            tenant(StateChange::Table, "state_change", true)
                .col(uuid_col(Common::SystemId))
                .col(ColumnDef::new(StateChange::Aspect).string().not_null())
                .col(ColumnDef::new(StateChange::FromState).string().not_null())
                .col(ColumnDef::new(StateChange::ToState).string().not_null())
                .col(ts_col(StateChange::At))
                .col(ts_null(StateChange::NotifiedAt))
                .foreign_key(&mut system_fk(StateChange::Table, "state_change"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            StateChange::Table,
            "ix_state_change_tenant",
            &[Common::MspId, Common::ClientId, Common::SystemId],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            StateChange::Table.into_iden(),
            SystemStatus::Table.into_iden(),
            BackupEvent::Table.into_iden(),
            IngestToken::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(System::Table)
                .drop_column(System::Policy)
                .to_owned(),
        )
        .await
    }
}
