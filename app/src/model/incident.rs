//! The JSON shapes of incidents: the list, the live view (checklist, systems with their clocks,
//! call tree, timeline) and what it takes to declare one.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::incident::Recovery;

/// An incident in a client's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: Uuid,
    pub client_id: Uuid,
    pub title: String,
    pub scenario: String,
    pub drill: bool,
    /// `open` or `closed`.
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Affected systems, and how many of them are back.
    pub systems: usize,
    pub recovered: usize,
}

/// A site an incident affects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteRef {
    pub id: Uuid,
    pub name: String,
}

/// An affected system: its targets as they stood when the incident was declared, its recovery,
/// and what that recovery cost against the targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSystemView {
    pub system_id: Uuid,
    pub name: String,
    pub rpo_minutes: Option<u32>,
    pub rto_minutes: Option<u32>,
    pub recovery_started_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub restore_point_at: Option<DateTime<Utc>>,
    /// The newest good restore point from before the disruption began, offered as the one to
    /// recover to (for ransomware: from before the infection).
    pub offered_restore_point_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub recovery: Recovery,
}

/// The plan's four parts, in the order they are acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Scenario,
    Safety,
    Staff,
    Customers,
    It,
}

/// One thing to do, with who did it and when once done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable within the incident: `POST …/checklist/{key}` marks it.
    pub key: String,
    pub part: Part,
    pub text: String,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    /// Done by what happened (a system recovered), not by a tick.
    pub automatic: bool,
}

/// A line of the timeline, in the reader's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub text: String,
}

/// An incident as its people follow it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub title: String,
    pub scenario: String,
    pub drill: bool,
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lessons: String,
    pub sites: Vec<SiteRef>,
    pub systems: Vec<IncidentSystemView>,
    pub checklist: Vec<ChecklistItem>,
    pub timeline: Vec<TimelineEntry>,
    /// When the call tree was set going, and its legs.
    pub call_tree_at: Option<DateTime<Utc>>,
    pub calls: Vec<LegView>,
    /// Whether the reader may act (declare, tick, record, close): MSP staff and client admins.
    pub may_act: bool,
    /// When the view was worked out (the clocks run from here).
    pub now: DateTime<Utc>,
}

/// A customer group an incident reaches, through the processes that need an affected system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffectedGroup {
    pub id: Uuid,
    pub name: String,
    pub processes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub customer_groups: Vec<AffectedGroup>,
}

/// A client's incidents and what declaring one offers to choose from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentsPage {
    pub client_id: Uuid,
    pub client_name: String,
    pub incidents: Vec<IncidentSummary>,
    /// Whether the reader may declare: MSP staff and client admins.
    pub may_act: bool,
    /// The plan's scenarios, by name.
    pub scenarios: Vec<String>,
    pub sites: Vec<SiteRef>,
    /// The client's systems: (id, name).
    pub systems: Vec<(Uuid, String)>,
}

/// A leg as the incident's people follow it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LegView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub caller_name: Option<String>,
    pub wave: i32,
    /// `waiting`, `confirmed`, `escalated` or `unreachable`.
    pub state: String,
    /// How Lifeline reached them: `email`, `sms` (the MSP's gateway), or `phone` (their caller
    /// calls them).
    pub channel: String,
    pub due_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub escalated_to_name: Option<String>,
    pub note: String,
    /// Numbers for whoever calls them (MSP staff and the client's admins see them).
    pub phones: Vec<String>,
}

/// How reaching the staff went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffReport {
    pub people: usize,
    pub reached: usize,
    /// Not reached before the incident closed (stale contacts to check).
    pub not_reached: Vec<String>,
    /// From the call tree's start to the last confirmation, when everyone was reached.
    pub minutes_to_reach_all: Option<i64>,
}

/// The post-incident report: targets against what happened, and what to change in the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentReport {
    pub id: Uuid,
    pub client_name: String,
    pub title: String,
    pub scenario: String,
    pub drill: bool,
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub systems: Vec<IncidentSystemView>,
    pub staff: StaffReport,
    pub lessons: String,
    /// Changes to the plan the figures suggest, in the reader's language.
    pub proposed_changes: Vec<String>,
}
