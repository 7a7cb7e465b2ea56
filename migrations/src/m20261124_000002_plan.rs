//! The continuity plan: sites, people (with the call tree as caller links), business processes,
//! systems with their dependencies, the plan's own settings, and approved versions (immutable
//! snapshots). Every table carries `msp_id` and `client_id`, and indexes lead with them.
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
enum Common {
    Id,
    MspId,
    ClientId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Site {
    Table,
    Name,
    Address,
    SafetyPlanRef,
    EmergencyNumbers,
    EvacuationPoint,
    AssemblyPoint,
    FirstResponders,
}

#[derive(DeriveIden, Clone, Copy)]
enum Person {
    Table,
    Name,
    RoleTitle,
    SiteId,
    Email,
    Landline,
    Mobile,
    EmergencyName,
    EmergencyRelation,
    EmergencyPhone,
    CallerId,
    IsCoordinator,
    Channels,
}

#[derive(DeriveIden, Clone, Copy)]
enum Process {
    Table,
    Id,
    Name,
    Description,
    ImpactHour,
    ImpactDay,
    ImpactWeek,
    RtoMinutes,
    RpoMinutes,
}

#[derive(DeriveIden, Clone, Copy)]
enum System {
    Table,
    Id,
    Name,
    Kind,
    OwnerPersonId,
    Criticality,
    RtoMinutes,
    RpoMinutes,
    Procedure,
    PingKey,
}

#[derive(DeriveIden, Clone, Copy)]
enum SystemDependency {
    Table,
    SystemId,
    DependsOnId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProcessSystem {
    Table,
    ProcessId,
    SystemId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Plan {
    Table,
    ReviewDue,
    MinutesPerCall,
    MaxCallsPerPerson,
    EmailDownRule,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanVersion {
    Table,
    Number,
    Snapshot,
    ApprovedBy,
    ApprovedByName,
    ApprovedAt,
    Note,
}

/// A client-owned table: id, tenant columns with a cascading link to the client, timestamps.
fn tenant_table(table: impl IntoIden + Clone + 'static, name: &str) -> TableCreateStatement {
    Table::create()
        .table(table.clone())
        .col(id_col(Common::Id))
        .col(uuid_col(Common::MspId))
        .col(uuid_col(Common::ClientId))
        .col(ts_col(Common::CreatedAt))
        .col(ts_col(Common::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_client"))
                .from(table, Common::ClientId)
                .to(Client::Table, Client::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().default("").to_owned()
}

fn json_list(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .text()
        .not_null()
        .default("[]")
        .to_owned()
}

fn minutes(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().null().to_owned()
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn tenant_index(
    m: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    name: &str,
) -> Result<(), DbErr> {
    m.create_index(
        Index::create()
            .name(format!("ix_{name}_tenant"))
            .table(table)
            .col(Common::MspId)
            .col(Common::ClientId)
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            tenant_table(Site::Table, "site")
                .col(ColumnDef::new(Site::Name).string().not_null())
                .col(text(Site::Address))
                .col(text(Site::SafetyPlanRef))
                .col(json_list(Site::EmergencyNumbers))
                .col(text(Site::EvacuationPoint))
                .col(text(Site::AssemblyPoint))
                .col(json_list(Site::FirstResponders))
                .to_owned(),
        )
        .await?;
        tenant_index(m, Site::Table, "site").await?;

        m.create_table(
            tenant_table(Person::Table, "person")
                .col(ColumnDef::new(Person::Name).string().not_null())
                .col(text(Person::RoleTitle))
                .col(ColumnDef::new(Person::SiteId).uuid().null())
                .col(text(Person::Email))
                .col(text(Person::Landline))
                .col(text(Person::Mobile))
                .col(text(Person::EmergencyName))
                .col(text(Person::EmergencyRelation))
                .col(text(Person::EmergencyPhone))
                .col(ColumnDef::new(Person::CallerId).uuid().null())
                .col(
                    ColumnDef::new(Person::IsCoordinator)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(json_list(Person::Channels))
                .to_owned(),
        )
        .await?;
        tenant_index(m, Person::Table, "person").await?;

        m.create_table(
            tenant_table(Process::Table, "process")
                .col(ColumnDef::new(Process::Name).string().not_null())
                .col(text(Process::Description))
                .col(text(Process::ImpactHour))
                .col(text(Process::ImpactDay))
                .col(text(Process::ImpactWeek))
                .col(minutes(Process::RtoMinutes))
                .col(minutes(Process::RpoMinutes))
                .to_owned(),
        )
        .await?;
        tenant_index(m, Process::Table, "process").await?;

        m.create_table(
            tenant_table(System::Table, "system")
                .col(ColumnDef::new(System::Name).string().not_null())
                .col(
                    ColumnDef::new(System::Kind)
                        .string()
                        .not_null()
                        .default("other"),
                )
                .col(ColumnDef::new(System::OwnerPersonId).uuid().null())
                .col(
                    ColumnDef::new(System::Criticality)
                        .string()
                        .not_null()
                        .default("medium"),
                )
                .col(minutes(System::RtoMinutes))
                .col(minutes(System::RpoMinutes))
                .col(json_list(System::Procedure))
                .col(ColumnDef::new(System::PingKey).string().not_null())
                .to_owned(),
        )
        .await?;
        tenant_index(m, System::Table, "system").await?;
        m.create_index(
            Index::create()
                .name("ux_system_ping_key")
                .table(System::Table)
                .col(System::PingKey)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            tenant_table(SystemDependency::Table, "system_dependency")
                .col(uuid_col(SystemDependency::SystemId))
                .col(uuid_col(SystemDependency::DependsOnId))
                .foreign_key(&mut fk(
                    "fk_sysdep_system",
                    (SystemDependency::Table, SystemDependency::SystemId),
                    (System::Table, System::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_sysdep_depends_on",
                    (SystemDependency::Table, SystemDependency::DependsOnId),
                    (System::Table, System::Id),
                ))
                .to_owned(),
        )
        .await?;
        tenant_index(m, SystemDependency::Table, "system_dependency").await?;

        m.create_table(
            tenant_table(ProcessSystem::Table, "process_system")
                .col(uuid_col(ProcessSystem::ProcessId))
                .col(uuid_col(ProcessSystem::SystemId))
                .foreign_key(&mut fk(
                    "fk_procsys_process",
                    (ProcessSystem::Table, ProcessSystem::ProcessId),
                    (Process::Table, Process::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_procsys_system",
                    (ProcessSystem::Table, ProcessSystem::SystemId),
                    (System::Table, System::Id),
                ))
                .to_owned(),
        )
        .await?;
        tenant_index(m, ProcessSystem::Table, "process_system").await?;

        m.create_table(
            tenant_table(Plan::Table, "plan")
                .col(ColumnDef::new(Plan::ReviewDue).date().null())
                .col(
                    ColumnDef::new(Plan::MinutesPerCall)
                        .integer()
                        .not_null()
                        .default(3),
                )
                .col(
                    ColumnDef::new(Plan::MaxCallsPerPerson)
                        .integer()
                        .not_null()
                        .default(4),
                )
                .col(text(Plan::EmailDownRule))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_client")
                .table(Plan::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            tenant_table(PlanVersion::Table, "plan_version")
                .col(ColumnDef::new(PlanVersion::Number).integer().not_null())
                .col(ColumnDef::new(PlanVersion::Snapshot).text().not_null())
                .col(uuid_col(PlanVersion::ApprovedBy))
                .col(
                    ColumnDef::new(PlanVersion::ApprovedByName)
                        .string()
                        .not_null(),
                )
                .col(ts_col(PlanVersion::ApprovedAt))
                .col(text(PlanVersion::Note))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_version_number")
                .table(PlanVersion::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .col(PlanVersion::Number)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PlanVersion::Table.into_iden(),
            Plan::Table.into_iden(),
            ProcessSystem::Table.into_iden(),
            SystemDependency::Table.into_iden(),
            System::Table.into_iden(),
            Process::Table.into_iden(),
            Person::Table.into_iden(),
            Site::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
