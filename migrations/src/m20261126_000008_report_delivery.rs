//! Monthly SLA reports go out by e-mail: one row per client and month records that the month's
//! report was sent. Its key is the claim, so with several replicas each report goes out once.
use sea_orm_migration::prelude::*;

use crate::common::{ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportDelivery {
    Table,
    ClientId,
    Month,
    MspId,
    SentAt,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportDelivery::Table)
                .col(uuid_col(ReportDelivery::ClientId))
                .col(
                    ColumnDef::new(ReportDelivery::Month)
                        .string_len(7)
                        .not_null(),
                )
                .col(uuid_col(ReportDelivery::MspId))
                .col(ts_col(ReportDelivery::SentAt))
                .primary_key(
                    Index::create()
                        .col(ReportDelivery::ClientId)
                        .col(ReportDelivery::Month),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_report_delivery_client")
                        .from(ReportDelivery::Table, ReportDelivery::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReportDelivery::Table).to_owned())
            .await
    }
}
