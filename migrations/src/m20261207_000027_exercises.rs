//! Exercises between incidents: call-tree drills, restore tests and tabletop exercises scheduled
//! per client, run and scored; their findings become action items with an owner and a due date.
//! The plan gains how often each kind is due.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveIden, Clone)]
enum Exercise {
    Table,
    Kind,
    ScheduledFor,
    State,
    DoneAt,
    IncidentId,
    SystemId,
    Result,
    Notes,
    CreatedBy,
}

#[derive(DeriveIden, Clone)]
enum ActionItem {
    Table,
    ExerciseId,
    Title,
    Owner,
    DueOn,
    DoneAt,
}

#[derive(DeriveIden, Clone)]
enum Plan {
    Table,
    DrillEveryMonths,
    RestoreTestEveryMonths,
    TabletopEveryMonths,
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

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Exercise::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(text_col(Exercise::Kind))
                .col(ColumnDef::new(Exercise::ScheduledFor).date().not_null())
                .col(text_col(Exercise::State))
                .col(null_ts(Exercise::DoneAt))
                .col(ColumnDef::new(Exercise::IncidentId).uuid().null())
                .col(ColumnDef::new(Exercise::SystemId).uuid().null())
                .col(ColumnDef::new(Exercise::Result).text().not_null())
                .col(ColumnDef::new(Exercise::Notes).text().not_null())
                .col(text_col(Exercise::CreatedBy))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_exercise_client")
                        .from(Exercise::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The overview asks every client of an MSP for what is overdue.
        m.create_index(
            Index::create()
                .name("ix_exercise_tenant")
                .table(Exercise::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .col(Exercise::ScheduledFor)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ActionItem::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(ColumnDef::new(ActionItem::ExerciseId).uuid().null())
                .col(text_col(ActionItem::Title))
                .col(text_col(ActionItem::Owner))
                .col(ColumnDef::new(ActionItem::DueOn).date().not_null())
                .col(null_ts(ActionItem::DoneAt))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_action_item_client")
                        .from(ActionItem::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_action_item_exercise")
                        .from(ActionItem::Table, ActionItem::ExerciseId)
                        .to(Exercise::Table, Common::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_action_item_tenant")
                .table(ActionItem::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .col(ActionItem::DueOn)
                .to_owned(),
        )
        .await?;
        for (col, months) in [
            (Plan::DrillEveryMonths, 6),
            (Plan::RestoreTestEveryMonths, 3),
            (Plan::TabletopEveryMonths, 12),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(ColumnDef::new(col).integer().not_null().default(months))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Plan::DrillEveryMonths,
            Plan::RestoreTestEveryMonths,
            Plan::TabletopEveryMonths,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(ActionItem::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Exercise::Table).to_owned())
            .await
    }
}
