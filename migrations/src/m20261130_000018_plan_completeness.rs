//! The MSP dashboard shows every client's plan completeness; working it out means reading the
//! whole plan, too slow for a thousand clients on each page load. The plan row keeps the last
//! figure and the day it was worked out; any recorded change to the client empties it.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    Completeness,
    CompletenessOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds only one at a time.
        m.alter_table(
            Table::alter()
                .table(Plan::Table)
                .add_column(ColumnDef::new(Plan::Completeness).integer().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Plan::Table)
                .add_column(ColumnDef::new(Plan::CompletenessOn).date().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Plan::CompletenessOn, Plan::Completeness] {
            m.alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
