//! MSPs, their clients, users with one membership each, invites and the append-only audit log.
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Msp {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
    MspId,
    Name,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    TokenVersion,
    DisabledAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    Id,
    UserId,
    MspId,
    ClientId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invite {
    Table,
    Id,
    MspId,
    ClientId,
    UserId,
    TokenHash,
    CreatedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    MspId,
    ClientId,
    ActorUserId,
    Action,
    Subject,
    Detail,
    Ip,
    Outcome,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Msp::Table)
                .col(id_col(Msp::Id))
                .col(text_col(Msp::Name))
                .col(ts_col(Msp::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Client::Table)
                .col(id_col(Client::Id))
                .col(uuid_col(Client::MspId))
                .col(text_col(Client::Name))
                .col(ColumnDef::new(Client::Notes).text().not_null().default(""))
                .col(ts_col(Client::CreatedAt))
                .col(ts_col(Client::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Client::Table, Client::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_client_msp_name")
                .table(Client::Table)
                .col(Client::MspId)
                .col(Client::Name)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id_col(Users::Id))
                .col(text_col(Users::Email))
                .col(text_col(Users::Name))
                .col(ColumnDef::new(Users::PasswordHash).string().null())
                .col(
                    ColumnDef::new(Users::TokenVersion)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(
                    ColumnDef::new(Users::DisabledAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ts_col(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_users_email")
                .table(Users::Table)
                .col(Users::Email)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Membership::Table)
                .col(id_col(Membership::Id))
                .col(uuid_col(Membership::UserId))
                .col(uuid_col(Membership::MspId))
                .col(ColumnDef::new(Membership::ClientId).uuid().null())
                .col(text_col(Membership::Role))
                .col(ts_col(Membership::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Membership::Table, Membership::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Membership::Table, Membership::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Membership::Table, Membership::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A user belongs to exactly one tenant (an MSP, or one client of it).
        m.create_index(
            Index::create()
                .name("ux_membership_user")
                .table(Membership::Table)
                .col(Membership::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_membership_msp_client")
                .table(Membership::Table)
                .col(Membership::MspId)
                .col(Membership::ClientId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invite::Table)
                .col(id_col(Invite::Id))
                .col(uuid_col(Invite::MspId))
                .col(ColumnDef::new(Invite::ClientId).uuid().null())
                .col(uuid_col(Invite::UserId))
                .col(text_col(Invite::TokenHash))
                .col(uuid_col(Invite::CreatedBy))
                .col(ts_col(Invite::ExpiresAt))
                .col(
                    ColumnDef::new(Invite::AcceptedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ts_col(Invite::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invite::Table, Invite::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Invite::Table, Invite::MspId)
                        .to(Msp::Table, Msp::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_invite_token_hash")
                .table(Invite::Table)
                .col(Invite::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;

        // Append-only: no foreign keys, so the trail outlives what it describes.
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(id_col(AuditLog::Id))
                .col(ColumnDef::new(AuditLog::MspId).uuid().null())
                .col(ColumnDef::new(AuditLog::ClientId).uuid().null())
                .col(ColumnDef::new(AuditLog::ActorUserId).uuid().null())
                .col(text_col(AuditLog::Action))
                .col(text_col(AuditLog::Subject))
                .col(
                    ColumnDef::new(AuditLog::Detail)
                        .text()
                        .not_null()
                        .default("{}"),
                )
                .col(text_col(AuditLog::Ip))
                .col(text_col(AuditLog::Outcome))
                .col(ts_col(AuditLog::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_msp_at")
                .table(AuditLog::Table)
                .col(AuditLog::MspId)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        // Sign-in rate limiting counts recent failures by subject (e-mail) and by IP.
        m.create_index(
            Index::create()
                .name("ix_audit_action_subject_at")
                .table(AuditLog::Table)
                .col(AuditLog::Action)
                .col(AuditLog::Subject)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_action_ip_at")
                .table(AuditLog::Table)
                .col(AuditLog::Action)
                .col(AuditLog::Ip)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditLog::Table.into_iden(),
            Invite::Table.into_iden(),
            Membership::Table.into_iden(),
            Users::Table.into_iden(),
            Client::Table.into_iden(),
            Msp::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
