//! Invitations no longer make an account before it is accepted. An invitation carries the
//! address, name and role itself; accepting it creates the account, or, for an address that
//! already has one, adds the membership once that account's own password is given. So an
//! expired invitation blocks nothing, an invitation says nothing about whether an address has
//! an account elsewhere, and no invitation ever sets an existing account's password.
//!
//! Open invitations of the old kind move over with their placeholder accounts' details, and
//! those placeholders (accounts without a password, never used) are removed.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invitation {
    Table,
    Id,
    MspId,
    ClientId,
    Email,
    Name,
    Role,
    TokenHash,
    CreatedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Msp {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Invitation::Table)
                .col(id_col(Invitation::Id))
                .col(uuid_col(Invitation::MspId))
                .col(ColumnDef::new(Invitation::ClientId).uuid().null())
                .col(text_col(Invitation::Email))
                .col(text_col(Invitation::Name))
                .col(text_col(Invitation::Role))
                .col(text_col(Invitation::TokenHash))
                .col(uuid_col(Invitation::CreatedBy))
                .col(ts_col(Invitation::ExpiresAt))
                .col(
                    ColumnDef::new(Invitation::AcceptedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ts_col(Invitation::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_invitation_msp")
                        .from(Invitation::Table, Invitation::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_invitation_client")
                        .from(Invitation::Table, Invitation::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_invitation_token")
                .table(Invitation::Table)
                .col(Invitation::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // One open invitation per address and MSP: a second one sent at the same moment is
        // refused by the database rather than stored twice.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_invitation_open ON invitation (msp_id, email) WHERE accepted_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO invitation (id, msp_id, client_id, email, name, role, token_hash, created_by, \
             expires_at, accepted_at, created_at) \
             SELECT i.id, i.msp_id, i.client_id, u.email, u.name, m.role, i.token_hash, i.created_by, \
             i.expires_at, NULL, i.created_at \
             FROM invite i JOIN users u ON u.id = i.user_id \
             JOIN membership m ON m.user_id = u.id AND m.msp_id = i.msp_id \
             WHERE i.accepted_at IS NULL AND u.password_hash IS NULL",
        )
        .await?;
        // The placeholders go, with their memberships and old invites (cascade).
        db.execute_unprepared(
            "DELETE FROM users WHERE password_hash IS NULL AND id IN \
             (SELECT user_id FROM invite WHERE accepted_at IS NULL)",
        )
        .await?;
        m.drop_table(Table::drop().table(Alias::new("invite")).to_owned())
            .await?;
        // An account may now belong to more than one MSP (a person working for two of them),
        // once in each.
        db.execute_unprepared("DROP INDEX ux_membership_user")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_membership_user_msp ON membership (user_id, msp_id)",
        )
        .await
        .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Accounts with more than one membership keep their first.
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ux_membership_user_msp")
            .await?;
        db.execute_unprepared(
            "DELETE FROM membership WHERE id NOT IN (SELECT m.id FROM membership m WHERE m.created_at = \
             (SELECT min(o.created_at) FROM membership o WHERE o.user_id = m.user_id))",
        )
        .await?;
        db.execute_unprepared("CREATE UNIQUE INDEX ux_membership_user ON membership (user_id)")
            .await?;
        // The old table comes back empty: open invitations have to be sent again.
        m.get_connection()
            .execute_unprepared(
                "CREATE TABLE invite (id uuid NOT NULL PRIMARY KEY, msp_id uuid NOT NULL, client_id uuid NULL, \
                 user_id uuid NOT NULL, token_hash varchar NOT NULL, created_by uuid NOT NULL, \
                 expires_at timestamp with time zone NOT NULL, accepted_at timestamp with time zone NULL, \
                 created_at timestamp with time zone NOT NULL, \
                 FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, \
                 FOREIGN KEY (msp_id) REFERENCES msp (id) ON DELETE CASCADE)",
            )
            .await?;
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_invite_token_hash ON invite (token_hash)")
            .await?;
        m.drop_table(Table::drop().table(Invitation::Table).to_owned())
            .await
    }
}
