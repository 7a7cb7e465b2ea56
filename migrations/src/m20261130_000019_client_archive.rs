//! An MSP archives a client it no longer serves: kept, with its plan and history, but off the
//! dashboard and no longer monitored. The moment it was archived; `NULL` for a current client.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Client {
    Table,
    ArchivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Client::Table)
                .add_column(
                    ColumnDef::new(Client::ArchivedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Client::Table)
                .drop_column(Client::ArchivedAt)
                .to_owned(),
        )
        .await
    }
}
