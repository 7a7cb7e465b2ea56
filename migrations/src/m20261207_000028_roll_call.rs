//! Safety first: the roll call of the people at an incident's sites, person by person (safe,
//! injured, missing; unknown until someone says), and who is assigned each checklist item.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveIden, Clone)]
enum RollCall {
    Table,
    IncidentId,
    PersonId,
    PersonName,
    State,
    NotedBy,
}

#[derive(DeriveIden, Clone)]
enum Incident {
    Table,
    Id,
    Assignments,
}

#[derive(DeriveIden, Clone)]
enum Common {
    Id,
    MspId,
    ClientId,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RollCall::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(RollCall::IncidentId))
                .col(uuid_col(RollCall::PersonId))
                .col(text_col(RollCall::PersonName))
                .col(text_col(RollCall::State))
                .col(text_col(RollCall::NotedBy))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_roll_call_incident")
                        .from(RollCall::Table, RollCall::IncidentId)
                        .to(Incident::Table, Incident::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_roll_call_person")
                .table(RollCall::Table)
                .col(RollCall::IncidentId)
                .col(RollCall::PersonId)
                .unique()
                .to_owned(),
        )
        .await?;
        // `{"checklist key": "person id"}`
        m.alter_table(
            Table::alter()
                .table(Incident::Table)
                .add_column(
                    ColumnDef::new(Incident::Assignments)
                        .text()
                        .not_null()
                        .default("{}"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Incident::Table)
                .drop_column(Incident::Assignments)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(RollCall::Table).to_owned())
            .await
    }
}
