//! The MSP's service catalog: the protection tiers it sells, each with the targets it promises,
//! the backup policy it stands for (JSON, as on a system), and its price in minor units. The
//! MSP row remembers when its catalog was started, so the starter tiers are made exactly once.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, ts_col, uuid_col};

#[derive(DeriveIden)]
enum ServiceTier {
    Table,
    Name,
    Description,
    RpoMinutes,
    RtoMinutes,
    SurvivesSiteLoss,
    Policy,
    PricePerSystemCents,
    PricePerTbCents,
    Currency,
    Position,
}

#[derive(DeriveIden)]
enum Common {
    Id,
    MspId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Msp {
    Table,
    Id,
    CatalogStartedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ServiceTier::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(ColumnDef::new(ServiceTier::Name).string().not_null())
                .col(
                    ColumnDef::new(ServiceTier::Description)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(ColumnDef::new(ServiceTier::RpoMinutes).integer().not_null())
                .col(ColumnDef::new(ServiceTier::RtoMinutes).integer().not_null())
                .col(
                    ColumnDef::new(ServiceTier::SurvivesSiteLoss)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(ServiceTier::Policy).text().not_null())
                .col(
                    ColumnDef::new(ServiceTier::PricePerSystemCents)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ServiceTier::PricePerTbCents)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(ServiceTier::Currency).string().not_null())
                .col(ColumnDef::new(ServiceTier::Position).integer().not_null())
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_service_tier_msp")
                        .from(ServiceTier::Table, Common::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_tier_tenant")
                .table(ServiceTier::Table)
                .col(Common::MspId)
                .col(ServiceTier::Position)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Msp::Table)
                .add_column(
                    ColumnDef::new(Msp::CatalogStartedAt)
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
                .table(Msp::Table)
                .drop_column(Msp::CatalogStartedAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ServiceTier::Table).to_owned())
            .await
    }
}
