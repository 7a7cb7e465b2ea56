//! One row every replica's health check writes to: a database that answers reads but refuses
//! writes (a full disk) is then found by `/healthz`, not only by the next failing ingest.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HealthProbe {
    Table,
    Id,
    CheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HealthProbe::Table)
                .col(
                    ColumnDef::new(HealthProbe::Id)
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(HealthProbe::CheckedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("INSERT INTO health_probe (id, checked_at) VALUES (1, 0)")
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(HealthProbe::Table).to_owned())
            .await
    }
}
