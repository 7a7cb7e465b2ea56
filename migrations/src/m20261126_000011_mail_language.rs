//! Alert and report e-mails are written in the language each MSP chooses (English or Dutch).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertSettings {
    Table,
    MailLanguage,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AlertSettings::Table)
                .add_column(
                    ColumnDef::new(AlertSettings::MailLanguage)
                        .string()
                        .not_null()
                        .default("en"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("ALTER TABLE alert_settings DROP COLUMN mail_language")
            .await
            .map(|_| ())
    }
}
