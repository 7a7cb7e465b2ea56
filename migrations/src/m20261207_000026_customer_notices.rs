//! Telling customers: an incident's updates (drafted, then published by a person who approves
//! them; for everyone or for chosen customer groups), the client's public status page at its own
//! slug with components made of systems, a private link per customer group, and the page's
//! e-mail subscribers (double opt-in; an unsubscribe link in every mail).
use sea_orm_migration::prelude::*;

use crate::common::{id_col, text_col, ts_col, uuid_col};

#[derive(DeriveIden, Clone)]
enum IncidentUpdate {
    Table,
    IncidentId,
    Body,
    Audience,
    State,
    DraftedBy,
    ApprovedBy,
    ApprovedByName,
    PublishedAt,
}

#[derive(DeriveIden, Clone)]
enum StatusPage {
    Table,
    Slug,
    Title,
    Components,
}

#[derive(DeriveIden, Clone)]
enum StatusAudience {
    Table,
    CustomerGroupId,
    Key,
}

#[derive(DeriveIden, Clone)]
enum StatusSubscriber {
    Table,
    StatusPageId,
    Email,
    CustomerGroupId,
    State,
    ConfirmHash,
    UnsubscribeToken,
    MailedAt,
    ConfirmedAt,
}

#[derive(DeriveIden, Clone)]
enum Common {
    Id,
    MspId,
    ClientId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Client {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Incident {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum CustomerGroup {
    Table,
    Id,
}

fn null_ts<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn tenant(t: TableCreateStatement) -> TableCreateStatement {
    let mut t = t;
    t.col(id_col(Common::Id))
        .col(uuid_col(Common::MspId))
        .col(uuid_col(Common::ClientId));
    t
}

fn unique<T: IntoIden + Clone + 'static>(
    name: &str,
    table: T,
    cols: Vec<T>,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).unique();
    for c in cols {
        i.col(c);
    }
    i.to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            tenant(Table::create().table(IncidentUpdate::Table).to_owned())
                .col(uuid_col(IncidentUpdate::IncidentId))
                .col(ColumnDef::new(IncidentUpdate::Body).text().not_null())
                .col(ColumnDef::new(IncidentUpdate::Audience).text().not_null())
                .col(text_col(IncidentUpdate::State))
                .col(text_col(IncidentUpdate::DraftedBy))
                .col(ColumnDef::new(IncidentUpdate::ApprovedBy).uuid().null())
                .col(text_col(IncidentUpdate::ApprovedByName))
                .col(null_ts(IncidentUpdate::PublishedAt))
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_incident_update_incident")
                        .from(IncidentUpdate::Table, IncidentUpdate::IncidentId)
                        .to(Incident::Table, Incident::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_incident_update_incident")
                .table(IncidentUpdate::Table)
                .col(IncidentUpdate::IncidentId)
                .col(Common::CreatedAt)
                .to_owned(),
        )
        .await?;
        // The public page reads a client's published updates of the last 90 days.
        m.create_index(
            Index::create()
                .name("ix_incident_update_client")
                .table(IncidentUpdate::Table)
                .col(Common::ClientId)
                .col(IncidentUpdate::State)
                .col(IncidentUpdate::PublishedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            tenant(Table::create().table(StatusPage::Table).to_owned())
                .col(text_col(StatusPage::Slug))
                .col(text_col(StatusPage::Title))
                .col(ColumnDef::new(StatusPage::Components).text().not_null())
                .col(ts_col(Common::CreatedAt))
                .col(ts_col(Common::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_status_page_client")
                        .from(StatusPage::Table, Common::ClientId)
                        .to(Client::Table, Client::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One page per client, found by its slug alone (no login).
        m.create_index(unique(
            "ux_status_page_slug",
            StatusPage::Table,
            vec![StatusPage::Slug],
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("ux_status_page_client")
                .table(StatusPage::Table)
                .col(Common::ClientId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            tenant(Table::create().table(StatusAudience::Table).to_owned())
                .col(uuid_col(StatusAudience::CustomerGroupId))
                .col(text_col(StatusAudience::Key))
                .col(ts_col(Common::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_status_audience_group")
                        .from(StatusAudience::Table, StatusAudience::CustomerGroupId)
                        .to(CustomerGroup::Table, CustomerGroup::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_status_audience_key",
            StatusAudience::Table,
            vec![StatusAudience::Key],
        ))
        .await?;
        m.create_index(unique(
            "ux_status_audience_group",
            StatusAudience::Table,
            vec![StatusAudience::CustomerGroupId],
        ))
        .await?;
        m.create_table(
            tenant(Table::create().table(StatusSubscriber::Table).to_owned())
                .col(uuid_col(StatusSubscriber::StatusPageId))
                .col(text_col(StatusSubscriber::Email))
                .col(
                    ColumnDef::new(StatusSubscriber::CustomerGroupId)
                        .uuid()
                        .null(),
                )
                .col(text_col(StatusSubscriber::State))
                .col(
                    ColumnDef::new(StatusSubscriber::ConfirmHash)
                        .string()
                        .null(),
                )
                .col(text_col(StatusSubscriber::UnsubscribeToken))
                .col(ts_col(StatusSubscriber::MailedAt))
                .col(null_ts(StatusSubscriber::ConfirmedAt))
                .col(ts_col(Common::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_status_subscriber_page")
                        .from(StatusSubscriber::Table, StatusSubscriber::StatusPageId)
                        .to(StatusPage::Table, Common::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_status_subscriber_group")
                        .from(StatusSubscriber::Table, StatusSubscriber::CustomerGroupId)
                        .to(CustomerGroup::Table, CustomerGroup::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_status_subscriber_email",
            StatusSubscriber::Table,
            vec![StatusSubscriber::StatusPageId, StatusSubscriber::Email],
        ))
        .await?;
        m.create_index(unique(
            "ux_status_subscriber_confirm",
            StatusSubscriber::Table,
            vec![StatusSubscriber::ConfirmHash],
        ))
        .await?;
        m.create_index(unique(
            "ux_status_subscriber_unsubscribe",
            StatusSubscriber::Table,
            vec![StatusSubscriber::UnsubscribeToken],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            StatusSubscriber::Table.into_iden(),
            StatusAudience::Table.into_iden(),
            StatusPage::Table.into_iden(),
            IncidentUpdate::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
