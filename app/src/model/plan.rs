//! JSON shapes of the continuity plan, shared by the API, the server functions and the pages.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::plan::{CallTreeReport, Criticality, Effective};

/// What kind of thing a system is; it decides nothing, it helps people read the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemKind {
    Server,
    VirtualMachine,
    Database,
    Application,
    Saas,
    Network,
    Workstation,
    Other,
}

impl SystemKind {
    pub const ALL: [SystemKind; 8] = [
        Self::Server,
        Self::VirtualMachine,
        Self::Database,
        Self::Application,
        Self::Saas,
        Self::Network,
        Self::Workstation,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::VirtualMachine => "virtual_machine",
            Self::Database => "database",
            Self::Application => "application",
            Self::Saas => "saas",
            Self::Network => "network",
            Self::Workstation => "workstation",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub kind: SystemKind,
    pub criticality: Criticality,
    /// Targets set on the system itself.
    pub rto_minutes: Option<u32>,
    pub rpo_minutes: Option<u32>,
    /// Targets in force: the system's own, else the strictest of its processes.
    pub effective: Effective,
    pub owner_person_id: Option<Uuid>,
    pub depends_on: Vec<Uuid>,
    pub processes: Vec<Uuid>,
    pub procedure: Vec<String>,
    pub ping_key: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub description: String,
    pub impact_hour: String,
    pub impact_day: String,
    pub impact_week: String,
    pub rto_minutes: Option<u32>,
    pub rpo_minutes: Option<u32>,
    pub systems: Vec<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmergencyNumber {
    pub label: String,
    pub number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub address: String,
    /// Where the legally required safety/emergency plan (in the Netherlands: BHV) is kept.
    pub safety_plan_ref: String,
    pub emergency_numbers: Vec<EmergencyNumber>,
    pub evacuation_point: String,
    pub assembly_point: String,
    /// People from the directory.
    pub first_responders: Vec<Uuid>,
}

/// How to reach a person, in order; when e-mail is down the plan skips it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Mobile,
    Sms,
    Landline,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Sms => "sms",
            Self::Landline => "landline",
            Self::Email => "email",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub role_title: String,
    pub site_id: Option<Uuid>,
    pub email: String,
    pub landline: String,
    pub mobile: String,
    pub emergency_name: String,
    pub emergency_relation: String,
    pub emergency_phone: String,
    /// Who calls this person in the call tree.
    pub caller_id: Option<Uuid>,
    pub is_coordinator: bool,
    pub channels: Vec<Channel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSettings {
    pub review_due: Option<NaiveDate>,
    pub minutes_per_call: u32,
    pub max_calls_per_person: u32,
    /// What staff do when e-mail is gone (no on-premises mail, no internet).
    pub email_down_rule: String,
}

/// One line of the completeness checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub part: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: u32,
    pub approved_by_name: String,
    pub approved_at: DateTime<Utc>,
    pub note: String,
}

/// What a plan holds: the part that is versioned and approved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanContent {
    pub settings: PlanSettings,
    pub sites: Vec<SiteView>,
    pub people: Vec<PersonView>,
    pub processes: Vec<ProcessView>,
    pub systems: Vec<SystemView>,
}

/// The whole plan as it stands (the draft), with what follows from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub client_id: Uuid,
    pub client_name: String,
    #[serde(flatten)]
    pub content: PlanContent,
    /// System ids in the order to recover them; `None` while dependencies form a cycle.
    pub recovery_order: Option<Vec<Uuid>>,
    pub call_tree: CallTreeReport,
    pub completeness: u8,
    pub gaps: Vec<Gap>,
    pub approved: Option<VersionInfo>,
    /// The draft differs from the last approved version.
    pub changed_since_approval: bool,
    pub review_overdue: bool,
}
