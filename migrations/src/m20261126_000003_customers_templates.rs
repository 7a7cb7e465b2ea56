//! The plan's customer part (customer groups that depend on business processes; message templates,
//! service-desk scale-up and talking points on the plan row), incident scenarios, and the MSP's
//! template library. Lists and small records are JSON text, as in the plan migration.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Msp {
    Table,
    Id,
}

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
enum CustomerGroup {
    Table,
    Name,
    Description,
    Contact,
    Processes,
}

#[derive(DeriveIden, Clone, Copy)]
enum Plan {
    Table,
    Sections,
    Scenarios,
    Messages,
    ServiceDesk,
    TalkingPoints,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanTemplate {
    Table,
    Name,
    Lang,
    Body,
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().default("").to_owned()
}

fn json(col: impl IntoIden, empty: &str) -> ColumnDef {
    ColumnDef::new(col)
        .text()
        .not_null()
        .default(empty)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CustomerGroup::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(ColumnDef::new(CustomerGroup::Name).string().not_null())
                .col(text(CustomerGroup::Description))
                .col(text(CustomerGroup::Contact))
                .col(json(CustomerGroup::Processes, "[]"))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_customer_group_client")
                        .from(CustomerGroup::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_customer_group_tenant")
                .table(CustomerGroup::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .to_owned(),
        )
        .await?;

        // SQLite adds one column per ALTER TABLE.
        for (col, empty) in [
            (Plan::Sections, "[]"),
            (Plan::Scenarios, "[]"),
            (Plan::Messages, "[]"),
            (Plan::ServiceDesk, "{}"),
            (Plan::TalkingPoints, "{}"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(json(col, empty))
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(PlanTemplate::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(ColumnDef::new(PlanTemplate::Name).string().not_null())
                .col(ColumnDef::new(PlanTemplate::Lang).string().not_null())
                .col(json(PlanTemplate::Body, "{}"))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_template_msp")
                        .from(PlanTemplate::Table, Common::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_plan_template_tenant")
                .table(PlanTemplate::Table)
                .col(Common::MspId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PlanTemplate::Table).to_owned())
            .await?;
        for col in [
            Plan::Sections,
            Plan::Scenarios,
            Plan::Messages,
            Plan::ServiceDesk,
            Plan::TalkingPoints,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(CustomerGroup::Table).to_owned())
            .await
    }
}
