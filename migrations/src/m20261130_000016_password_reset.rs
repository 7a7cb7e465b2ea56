//! Password resets by e-mail: a single-use link valid for an hour. Only the hash of its token is
//! kept, as for invitations.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PasswordReset {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PasswordReset::Table)
                .col(id_col(PasswordReset::Id))
                .col(uuid_col(PasswordReset::UserId))
                .col(text_col(PasswordReset::TokenHash))
                .col(ts_col(PasswordReset::ExpiresAt))
                .col(
                    ColumnDef::new(PasswordReset::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ts_col(PasswordReset::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_password_reset_user")
                        .from(PasswordReset::Table, PasswordReset::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_password_reset_token")
                .table(PasswordReset::Table)
                .col(PasswordReset::TokenHash)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordReset::Table).to_owned())
            .await
    }
}
