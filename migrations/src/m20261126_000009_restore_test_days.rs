//! How long a restore test proves a system's RTO is each MSP's choice (it was a fixed 90 days).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertSettings {
    Table,
    RestoreTestDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AlertSettings::Table)
                .add_column(
                    ColumnDef::new(AlertSettings::RestoreTestDays)
                        .integer()
                        .not_null()
                        .default(90),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("ALTER TABLE alert_settings DROP COLUMN restore_test_days")
            .await
            .map(|_| ())
    }
}
