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
    /// The person of the client's directory it is assigned to, by name.
    #[serde(default)]
    pub assignee: Option<String>,
}

/// Where a person at an affected site stands: `unknown` until someone says `safe`, `injured`
/// or `missing`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollCallView {
    pub person_id: Uuid,
    pub name: String,
    pub site: String,
    pub state: String,
    pub noted_at: Option<DateTime<Utc>>,
    pub noted_by: Option<String>,
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
    /// Messages to customers, drafts and published, newest first.
    #[serde(default)]
    pub updates: Vec<UpdateView>,
    /// The plan's message templates with this incident's facts filled in, to start a draft from.
    #[serde(default)]
    pub notices: Vec<NoticeDraft>,
    /// The client's customer groups, an update's possible audiences.
    #[serde(default)]
    pub groups: Vec<(Uuid, String)>,
    /// The customer groups the incident reaches (through the processes that need its systems).
    #[serde(default)]
    pub affected_groups: Vec<AffectedGroup>,
    /// The people at the affected sites, and where each stands.
    #[serde(default)]
    pub roll_call: Vec<RollCallView>,
    /// The client's directory, whom checklist items can be assigned to.
    #[serde(default)]
    pub people: Vec<(Uuid, String)>,
    /// The client's public status page (its path), when it has one.
    #[serde(default)]
    pub status_page: Option<String>,
}

/// Who an update is for: everyone (`"public"`) or chosen customer groups (a list of their ids).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AudienceRepr", into = "AudienceRepr")]
pub enum Audience {
    Public,
    Groups(Vec<Uuid>),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum AudienceRepr {
    Word(String),
    Groups(Vec<Uuid>),
}

impl TryFrom<AudienceRepr> for Audience {
    type Error = String;
    fn try_from(r: AudienceRepr) -> Result<Self, String> {
        match r {
            AudienceRepr::Word(w) if w == "public" => Ok(Audience::Public),
            AudienceRepr::Word(_) => {
                Err("must be \"public\" or a list of customer group ids".into())
            }
            AudienceRepr::Groups(g) => Ok(Audience::Groups(g)),
        }
    }
}

impl From<Audience> for AudienceRepr {
    fn from(a: Audience) -> Self {
        match a {
            Audience::Public => AudienceRepr::Word("public".into()),
            Audience::Groups(g) => AudienceRepr::Groups(g),
        }
    }
}

/// A message to customers about an incident: a draft until a person approves and publishes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateView {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub body: String,
    pub audience: Audience,
    /// The audience's customer groups by name (empty when public).
    pub audience_names: Vec<String>,
    /// `draft` or `published`.
    pub state: String,
    pub drafted_by: String,
    /// Who approved and published it.
    pub approved_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// How many confirmed subscribers it was mailed to.
    #[serde(default)]
    pub mailed: usize,
}

/// A plan's message template with the incident's facts filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeDraft {
    pub kind: crate::model::plan::MessageKind,
    pub subject: String,
    pub body: String,
}

/// A status page's component: a named group of systems customers recognise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentView {
    pub name: String,
    pub system_ids: Vec<Uuid>,
}

/// A status page's component as its form sends it (`components[0][name]`,
/// `components[0][system_ids][1]`); rows without a name are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub system_ids: Vec<String>,
}

/// A customer group's private link: the public updates and the group's own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupLink {
    pub group_id: Uuid,
    pub name: String,
    pub path: String,
}

/// A client's public status page as the MSP sets it up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusPageView {
    pub client_id: Uuid,
    pub slug: String,
    pub title: String,
    pub components: Vec<ComponentView>,
    /// Where the public reads it (`/status/{slug}`).
    pub path: String,
    pub group_links: Vec<GroupLink>,
    /// Confirmed e-mail subscribers, and those who have not confirmed yet.
    pub subscribers: usize,
    pub pending_subscribers: usize,
}

/// A component as the public sees it: `operational`, `degraded` or `outage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicComponent {
    pub name: String,
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicUpdate {
    pub body: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicIncident {
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updates: Vec<PublicUpdate>,
}

/// The public status page: nothing of the plan beyond component names and approved updates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicStatus {
    pub title: String,
    pub components: Vec<PublicComponent>,
    pub incidents: Vec<PublicIncident>,
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
    /// From the start of the disruption to the first notice published to customers.
    #[serde(default)]
    pub first_notice_minutes: Option<i64>,
    pub lessons: String,
    /// Changes to the plan the figures suggest, in the reader's language.
    pub proposed_changes: Vec<String>,
}
