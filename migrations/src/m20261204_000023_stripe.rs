//! Billing through the MSP's own Stripe account: its keys (sealed at rest, like webhook
//! secrets), the events already applied (a redelivered event has one effect), the Stripe product
//! and price each tier is sold under (a price is fixed in Stripe, so a new one is made when the
//! tier's price changes), the Checkout Session an accepted offer opened, and the subscription
//! item whose quantity follows the client's systems on the tier.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, ts_col, uuid_col};

#[derive(DeriveIden)]
enum StripeAccount {
    Table,
    SecretKey,
    WebhookSecret,
    KeyHint,
}

#[derive(DeriveIden)]
enum StripeEvent {
    Table,
    EventId,
    Kind,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum ServiceTier {
    Table,
    StripeProductId,
    StripePriceId,
    StripePriceFor,
}

#[derive(DeriveIden)]
enum Offer {
    Table,
    CheckoutSessionId,
    CheckoutUrl,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    StripeItemId,
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
}

fn optional_text<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(StripeAccount::Table)
                .col(id_col(Common::Id))
                .col(uuid_col(Common::MspId).unique_key().to_owned())
                .col(ColumnDef::new(StripeAccount::SecretKey).text().not_null())
                .col(
                    ColumnDef::new(StripeAccount::WebhookSecret)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(StripeAccount::KeyHint).string().not_null())
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_stripe_account_msp")
                        .from(StripeAccount::Table, Common::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(StripeEvent::Table)
                .col(uuid_col(Common::MspId))
                .col(ColumnDef::new(StripeEvent::EventId).string().not_null())
                .col(ColumnDef::new(StripeEvent::Kind).string().not_null())
                .col(ts_col(StripeEvent::ReceivedAt))
                .primary_key(Index::create().col(Common::MspId).col(StripeEvent::EventId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_stripe_event_msp")
                        .from(StripeEvent::Table, Common::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for col in [
            ServiceTier::StripeProductId,
            ServiceTier::StripePriceId,
            ServiceTier::StripePriceFor,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ServiceTier::Table)
                    .add_column(optional_text(col))
                    .to_owned(),
            )
            .await?;
        }
        for col in [Offer::CheckoutSessionId, Offer::CheckoutUrl] {
            m.alter_table(
                Table::alter()
                    .table(Offer::Table)
                    .add_column(optional_text(col))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Subscription::Table)
                .add_column(optional_text(Subscription::StripeItemId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Subscription::Table)
                .drop_column(Subscription::StripeItemId)
                .to_owned(),
        )
        .await?;
        for col in [Offer::CheckoutSessionId, Offer::CheckoutUrl] {
            m.alter_table(
                Table::alter()
                    .table(Offer::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            ServiceTier::StripeProductId,
            ServiceTier::StripePriceId,
            ServiceTier::StripePriceFor,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ServiceTier::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(StripeEvent::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(StripeAccount::Table).to_owned())
            .await
    }
}
