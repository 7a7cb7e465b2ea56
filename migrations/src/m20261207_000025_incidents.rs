//! Incidents: a client's plan put to use. An incident names its scenario, sites and systems; each
//! affected system keeps its place in the recovery order and its recovery (started, recovered,
//! the restore point chosen) against the targets in force when the incident was declared; every
//! action lands on the incident's timeline; the call tree goes out as legs, one per person, confirmed through a single-use link
//! whose token is stored hashed. The plan gains the call tree's wave time.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveIden, Clone)]
enum Incident {
    Table,
    Title,
    Scenario,
    Drill,
    State,
    Sites,
    StartedAt,
    DeclaredBy,
    ClosedAt,
    Lessons,
    Checklist,
    CallTreeAt,
}

#[derive(DeriveIden, Clone)]
enum IncidentSystem {
    Table,
    IncidentId,
    SystemId,
    Name,
    Position,
    RpoMinutes,
    RtoMinutes,
    RecoveryStartedAt,
    RecoveredAt,
    RestorePointAt,
}

#[derive(DeriveIden, Clone)]
enum IncidentEvent {
    Table,
    IncidentId,
    At,
    Actor,
    Kind,
    Detail,
}

#[derive(DeriveIden, Clone)]
enum CallLeg {
    Table,
    IncidentId,
    PersonId,
    PersonName,
    CallerId,
    Wave,
    State,
    Channel,
    TokenHash,
    DueAt,
    ConfirmedAt,
    EscalatedTo,
    Note,
    RecordedBy,
}

#[derive(DeriveIden, Clone)]
enum Plan {
    Table,
    WaveMinutes,
}

#[derive(DeriveIden, Clone)]
enum Common {
    Id,
    MspId,
    ClientId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Client {
    Table,
    Id,
}

fn null_ts<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// A row of an incident's: removed with it.
fn of_incident<T: IntoIden + Clone + 'static>(
    name: &str,
    table: T,
    col: T,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Incident::Table, Common::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Incident::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(text_col(Incident::Title))
                .col(text_col(Incident::Scenario))
                .col(ColumnDef::new(Incident::Drill).boolean().not_null())
                .col(text_col(Incident::State))
                .col(ColumnDef::new(Incident::Sites).text().not_null())
                .col(ts_col(Incident::StartedAt))
                .col(ColumnDef::new(Incident::DeclaredBy).uuid().null())
                .col(null_ts(Incident::ClosedAt))
                .col(ColumnDef::new(Incident::Lessons).text().not_null())
                .col(ColumnDef::new(Incident::Checklist).text().not_null())
                .col(null_ts(Incident::CallTreeAt))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_incident_client")
                        .from(Incident::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_incident_tenant")
                .table(Incident::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .col(Incident::StartedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IncidentSystem::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(IncidentSystem::IncidentId))
                .col(uuid_col(IncidentSystem::SystemId))
                .col(text_col(IncidentSystem::Name))
                .col(
                    ColumnDef::new(IncidentSystem::Position)
                        .integer()
                        .not_null(),
                )
                .col(ColumnDef::new(IncidentSystem::RpoMinutes).integer().null())
                .col(ColumnDef::new(IncidentSystem::RtoMinutes).integer().null())
                .col(null_ts(IncidentSystem::RecoveryStartedAt))
                .col(null_ts(IncidentSystem::RecoveredAt))
                .col(null_ts(IncidentSystem::RestorePointAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(&mut of_incident(
                    "fk_incident_system_incident",
                    IncidentSystem::Table,
                    IncidentSystem::IncidentId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_incident_system")
                .table(IncidentSystem::Table)
                .col(IncidentSystem::IncidentId)
                .col(IncidentSystem::SystemId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IncidentEvent::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(IncidentEvent::IncidentId))
                .col(ts_col(IncidentEvent::At))
                .col(text_col(IncidentEvent::Actor))
                .col(text_col(IncidentEvent::Kind))
                .col(ColumnDef::new(IncidentEvent::Detail).text().not_null())
                .foreign_key(&mut of_incident(
                    "fk_incident_event_incident",
                    IncidentEvent::Table,
                    IncidentEvent::IncidentId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_incident_event_incident")
                .table(IncidentEvent::Table)
                .col(IncidentEvent::IncidentId)
                .col(IncidentEvent::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CallLeg::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(CallLeg::IncidentId))
                .col(uuid_col(CallLeg::PersonId))
                .col(text_col(CallLeg::PersonName))
                .col(ColumnDef::new(CallLeg::CallerId).uuid().null())
                .col(ColumnDef::new(CallLeg::Wave).integer().not_null())
                .col(text_col(CallLeg::State))
                .col(text_col(CallLeg::Channel))
                .col(ColumnDef::new(CallLeg::TokenHash).string().null())
                .col(ts_col(CallLeg::DueAt))
                .col(null_ts(CallLeg::ConfirmedAt))
                .col(ColumnDef::new(CallLeg::EscalatedTo).uuid().null())
                .col(ColumnDef::new(CallLeg::Note).text().not_null())
                .col(ColumnDef::new(CallLeg::RecordedBy).uuid().null())
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(&mut of_incident(
                    "fk_call_leg_incident",
                    CallLeg::Table,
                    CallLeg::IncidentId,
                ))
                .to_owned(),
        )
        .await?;
        // A confirm link is found by its token's hash alone (no login).
        m.create_index(
            Index::create()
                .name("ux_call_leg_token")
                .table(CallLeg::Table)
                .col(CallLeg::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_call_leg_incident")
                .table(CallLeg::Table)
                .col(CallLeg::IncidentId)
                .col(CallLeg::Wave)
                .to_owned(),
        )
        .await?;
        // The escalation pass looks for legs past their time.
        m.create_index(
            Index::create()
                .name("ix_call_leg_due")
                .table(CallLeg::Table)
                .col(CallLeg::State)
                .col(CallLeg::DueAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Plan::Table)
                .add_column(
                    ColumnDef::new(Plan::WaveMinutes)
                        .integer()
                        .not_null()
                        .default(15),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Plan::Table)
                .drop_column(Plan::WaveMinutes)
                .to_owned(),
        )
        .await?;
        for t in [
            CallLeg::Table.into_iden(),
            IncidentEvent::Table.into_iden(),
            IncidentSystem::Table.into_iden(),
            Incident::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
