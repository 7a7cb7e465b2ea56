//! Use cases, shared by the REST API and the server functions of the UI. Each opens its own
//! transaction where it writes more than one row, and writes its audit entry in it.
pub mod account;
pub mod audit;
pub mod calls;
pub mod catalog;
pub mod clients;
pub mod dashboard;
pub mod exercises;
pub mod incidents;
pub mod invites;
pub mod mail;
pub mod monitor;
pub mod notices;
pub mod offers;
pub mod passwords;
pub mod payments;
pub mod plan;
pub mod staff;
pub mod status_pages;

use crate::model::{ClientView, Role, UserView};
use crate::ssr::entity::{client, membership, user};

pub fn user_view(u: &user::Model, role: Role) -> UserView {
    UserView {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role,
        active: u.password_hash.is_some() && u.disabled_at.is_none(),
        disabled: false,
    }
}

/// A person as an MSP's lists show them: inactive while invited or once that MSP disabled them.
pub fn member_view(u: &user::Model, m: &membership::Model) -> UserView {
    let mut view = user_view(u, Role::parse(&m.role).unwrap_or(Role::ClientMember));
    view.disabled = m.disabled_at.is_some();
    view.active &= !view.disabled;
    view
}

pub fn client_view(c: client::Model) -> ClientView {
    ClientView {
        id: c.id,
        msp_id: c.msp_id,
        name: c.name,
        notes: c.notes,
        archived_at: c.archived_at,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// Collects per-field parse errors so a form shows all of them at once.
#[derive(Default)]
pub struct Fields(std::collections::BTreeMap<String, String>);

impl Fields {
    pub fn take<T>(&mut self, field: &str, r: Result<T, impl ToString>) -> Option<T> {
        r.map_err(|e| self.0.insert(field.to_string(), e.to_string()))
            .ok()
    }

    pub fn finish(self) -> Result<(), crate::ssr::error::AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::ssr::error::AppError::Validation(self.0))
        }
    }
}
