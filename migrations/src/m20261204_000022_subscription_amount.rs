//! A subscription's monthly amount as accepted: the price per system plus each system's share
//! per TB, which the price per system times the quantity leaves out.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Subscription {
    Table,
    MonthlyCents,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Subscription::Table)
                .add_column(
                    ColumnDef::new(Subscription::MonthlyCents)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Subscription::Table)
                .drop_column(Subscription::MonthlyCents)
                .to_owned(),
        )
        .await
    }
}
