//! Disabling someone is the MSP's own affair: it ends their membership of that MSP, not their
//! account, which may belong to other MSPs too. Accounts disabled before (each then had one
//! membership) keep that membership disabled and are enabled as accounts.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Membership {
    Table,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Membership::Table)
                .add_column(
                    ColumnDef::new(Membership::DisabledAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE membership SET disabled_at = \
             (SELECT u.disabled_at FROM users u WHERE u.id = membership.user_id) \
             WHERE user_id IN (SELECT id FROM users WHERE disabled_at IS NOT NULL)",
        )
        .await?;
        db.execute_unprepared("UPDATE users SET disabled_at = NULL WHERE disabled_at IS NOT NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // An account none of whose memberships is enabled was, before, a disabled account.
        m.get_connection()
            .execute_unprepared(
                "UPDATE users SET disabled_at = (SELECT MAX(disabled_at) FROM membership \
                 WHERE membership.user_id = users.id) \
                 WHERE EXISTS (SELECT 1 FROM membership WHERE membership.user_id = users.id) \
                 AND NOT EXISTS (SELECT 1 FROM membership WHERE membership.user_id = users.id \
                 AND membership.disabled_at IS NULL)",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(Membership::Table)
                .drop_column(Membership::DisabledAt)
                .to_owned(),
        )
        .await
    }
}
