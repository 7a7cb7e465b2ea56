//! Offers and subscriptions: an MSP offers a client a catalog tier for some of its systems (the
//! ones the recommendation found short), the client admin accepts or declines, and an accepted
//! offer becomes a subscription (billed by hand or through Stripe) and puts those systems on the
//! tier (`system.tier_id`). An offer keeps the tier's name and policy as offered: the catalog may
//! change later, what was accepted does not.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveIden)]
enum Offer {
    Table,
    TierId,
    TierName,
    TierPolicy,
    State,
    Systems,
    Reasons,
    Quantity,
    UnitPriceCents,
    MonthlyCents,
    Currency,
    Note,
    ValidUntil,
    CreatedBy,
    SentAt,
    ViewedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    TierId,
    OfferId,
    Billing,
    Status,
    Quantity,
    UnitPriceCents,
    Currency,
    StartedAt,
    EndedAt,
    StripeCustomerId,
    StripeSubscriptionId,
    StripeChangedAt,
}

#[derive(DeriveIden)]
enum Common {
    Id,
    MspId,
    ClientId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum System {
    Table,
    TierId,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Offer::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(Offer::TierId))
                .col(text_col(Offer::TierName))
                .col(ColumnDef::new(Offer::TierPolicy).text().not_null())
                .col(text_col(Offer::State))
                .col(ColumnDef::new(Offer::Systems).text().not_null())
                .col(ColumnDef::new(Offer::Reasons).text().not_null())
                .col(ColumnDef::new(Offer::Quantity).integer().not_null())
                .col(
                    ColumnDef::new(Offer::UnitPriceCents)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Offer::MonthlyCents).big_integer().not_null())
                .col(text_col(Offer::Currency))
                .col(ColumnDef::new(Offer::Note).text().not_null().default(""))
                .col(ts_col(Offer::ValidUntil))
                .col(uuid_col(Offer::CreatedBy))
                .col(
                    ColumnDef::new(Offer::SentAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Offer::ViewedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Offer::DecidedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Offer::DecidedBy).uuid().null())
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_offer_client")
                        .from(Offer::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_offer_tenant")
                .table(Offer::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .col(Common::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Subscription::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId))
                .col(uuid_col(Common::ClientId))
                .col(uuid_col(Subscription::TierId))
                .col(uuid_col(Subscription::OfferId))
                .col(text_col(Subscription::Billing))
                .col(text_col(Subscription::Status))
                .col(ColumnDef::new(Subscription::Quantity).integer().not_null())
                .col(
                    ColumnDef::new(Subscription::UnitPriceCents)
                        .big_integer()
                        .not_null(),
                )
                .col(text_col(Subscription::Currency))
                .col(ts_col(Subscription::StartedAt))
                .col(
                    ColumnDef::new(Subscription::EndedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Subscription::StripeCustomerId)
                        .string()
                        .null(),
                )
                .col(
                    ColumnDef::new(Subscription::StripeSubscriptionId)
                        .string()
                        .null(),
                )
                .col(
                    ColumnDef::new(Subscription::StripeChangedAt)
                        .big_integer()
                        .null(),
                )
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_subscription_client")
                        .from(Subscription::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One subscription per accepted offer, even when two acceptances race.
        m.create_index(
            Index::create()
                .name("ux_subscription_offer")
                .table(Subscription::Table)
                .col(Subscription::OfferId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_subscription_tenant")
                .table(Subscription::Table)
                .col(Common::MspId)
                .col(Common::ClientId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(System::Table)
                .add_column(ColumnDef::new(System::TierId).uuid().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(System::Table)
                .drop_column(System::TierId)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Subscription::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Offer::Table).to_owned())
            .await
    }
}
