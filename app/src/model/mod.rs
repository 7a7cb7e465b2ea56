//! Types shared by the server and the browser: roles and the JSON shapes of the API.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    MspOwner,
    MspAdmin,
    MspTechnician,
    ClientAdmin,
    ClientMember,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::MspOwner,
        Role::MspAdmin,
        Role::MspTechnician,
        Role::ClientAdmin,
        Role::ClientMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::MspOwner => "msp_owner",
            Role::MspAdmin => "msp_admin",
            Role::MspTechnician => "msp_technician",
            Role::ClientAdmin => "client_admin",
            Role::ClientMember => "client_member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// MSP staff see every client of their MSP; client users see only their own client.
    /// Owners and admins (of the MSP or of a client) manage people and settings.
    pub fn manages_people(self) -> bool {
        matches!(self, Role::MspOwner | Role::MspAdmin | Role::ClientAdmin)
    }

    /// The MSP's owners and admins: they manage its team and its alert routing.
    pub fn runs_the_msp(self) -> bool {
        matches!(self, Role::MspOwner | Role::MspAdmin)
    }

    pub fn is_msp_staff(self) -> bool {
        matches!(self, Role::MspOwner | Role::MspAdmin | Role::MspTechnician)
    }

    pub fn is_client_role(self) -> bool {
        !self.is_msp_staff()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// False while an invite is still open (no password set yet), or once disabled.
    pub active: bool,
    /// Disabled by this MSP: no longer signs in here.
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MspView {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientView {
    pub id: Uuid,
    pub msp_id: Uuid,
    pub name: String,
    pub notes: String,
    /// When the MSP archived the client: off the dashboard and no longer monitored.
    #[serde(default)]
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Who is signed in, and what they can see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    pub user: UserView,
    pub role: Role,
    pub msp: MspView,
    pub client: Option<ClientView>,
    /// Every place the account belongs to; the session acts in `current`.
    #[serde(default)]
    pub memberships: Vec<MembershipView>,
    #[serde(default)]
    pub current: Option<Uuid>,
}

/// One place an account belongs to: an MSP, or one client of it, in a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub id: Uuid,
    pub msp_name: String,
    pub client_name: Option<String>,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteCreated {
    pub user: UserView,
    pub invite_token: String,
}
/// The message of a request without a valid session; pages send the visitor to sign in.
pub const UNAUTHORIZED: &str = "authentication required";
/// The message of anything that is not there or outside the caller's scope.
pub const NOT_FOUND: &str = "not found";

pub mod billing;
pub mod exercise;
pub mod incident;
pub mod monitor;
pub mod plan;

/// One entry of the audit trail as a person reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The name of who did it; `None` for the system or an account since removed.
    pub actor: Option<String>,
    pub client_id: Option<uuid::Uuid>,
    /// The client's name, while it exists.
    pub client: Option<String>,
    /// What was done, e.g. `client.archive`.
    pub action: String,
    pub subject: String,
    /// `ok`, or why it was refused.
    pub outcome: String,
    pub ip: String,
}

/// A page of the audit trail, newest first; `next_before` asks for the page after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub next_before: Option<chrono::DateTime<chrono::Utc>>,
}
