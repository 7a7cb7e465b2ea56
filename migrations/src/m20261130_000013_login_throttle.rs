//! Failed sign-ins are counted per key (an e-mail address's hash, an IP address) and window in
//! one row each, claimed atomically: parallel guesses cannot slip past the limit, and refused
//! attempts no longer add a row each to the audit log (200 requests once grew it by 785 MB).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Subject,
    WindowStart,
    Failures,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(
                    ColumnDef::new(LoginThrottle::Subject)
                        .string_len(80)
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(LoginThrottle::WindowStart)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(LoginThrottle::Failures).integer().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await
    }
}
