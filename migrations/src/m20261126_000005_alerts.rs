//! Alerting: per-MSP routing (who is told, whether the client is, the webhook and its secret,
//! how often a standing breach is repeated), an outbox of notifications that delivery claims and
//! retries, and when a system's open breach was last repeated.
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
enum SystemStatus {
    Table,
    RemindedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertSettings {
    Table,
    MspId,
    Emails,
    NotifyClient,
    WebhookUrl,
    WebhookSecret,
    ReminderMinutes,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notification {
    Table,
    Id,
    MspId,
    ClientId,
    Channel,
    Target,
    Subject,
    Body,
    Attempts,
    NextAttemptAt,
    DeliveredAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(SystemStatus::Table)
                .add_column(
                    ColumnDef::new(SystemStatus::RemindedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AlertSettings::Table)
                .col(
                    ColumnDef::new(AlertSettings::MspId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AlertSettings::Emails)
                        .text()
                        .not_null()
                        .default("[]"),
                )
                .col(
                    ColumnDef::new(AlertSettings::NotifyClient)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(
                    ColumnDef::new(AlertSettings::WebhookUrl)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(
                    ColumnDef::new(AlertSettings::WebhookSecret)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(
                    ColumnDef::new(AlertSettings::ReminderMinutes)
                        .integer()
                        .not_null()
                        .default(240),
                )
                .col(ts_col(AlertSettings::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_alert_settings_msp")
                        .from(AlertSettings::Table, AlertSettings::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notification::Table)
                .col(id_col(Notification::Id))
                .col(uuid_col(Notification::MspId))
                .col(uuid_col(Notification::ClientId))
                .col(ColumnDef::new(Notification::Channel).string().not_null())
                .col(ColumnDef::new(Notification::Target).text().not_null())
                .col(ColumnDef::new(Notification::Subject).text().not_null())
                .col(ColumnDef::new(Notification::Body).text().not_null())
                .col(
                    ColumnDef::new(Notification::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ts_col(Notification::NextAttemptAt))
                .col(
                    ColumnDef::new(Notification::DeliveredAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Notification::LastError)
                        .text()
                        .not_null()
                        .default(""),
                )
                .col(ts_col(Notification::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notification_msp")
                        .from(Notification::Table, Notification::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notification_due")
                .table(Notification::Table)
                .col(Notification::DeliveredAt)
                .col(Notification::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notification_tenant")
                .table(Notification::Table)
                .col(Notification::MspId)
                .col(Notification::ClientId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notification::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AlertSettings::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(SystemStatus::Table)
                .drop_column(SystemStatus::RemindedAt)
                .to_owned(),
        )
        .await
    }
}
