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
    /// The heartbeat key, to MSP staff only: anyone holding it can report good backups. It is
    /// never part of the plan itself (approved versions, exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_key: Option<String>,
    /// How it is backed up, when known; what that can achieve follows from it.
    #[serde(default)]
    pub policy: Option<crate::domain::sla::Policy>,
    /// What the policy can achieve at worst.
    #[serde(default)]
    pub achievable: Option<crate::domain::sla::Achievable>,
    /// Where the policy falls short of the effective targets, in English sentences.
    #[serde(default)]
    pub policy_gaps: Vec<String>,
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
    /// Minutes a call-tree wave has before an unconfirmed person is passed to their caller's
    /// caller (versions approved before it existed read as 15).
    #[serde(default = "default_wave_minutes")]
    pub wave_minutes: u32,
    /// How often each kind of exercise is due, in months (versions approved before these
    /// existed read the defaults).
    #[serde(default = "default_drill_months")]
    pub drill_every_months: u32,
    #[serde(default = "default_restore_months")]
    pub restore_test_every_months: u32,
    #[serde(default = "default_tabletop_months")]
    pub tabletop_every_months: u32,
}

fn default_wave_minutes() -> u32 {
    15
}

fn default_drill_months() -> u32 {
    crate::domain::exercise::default_every(crate::domain::exercise::Kind::CallTreeDrill)
}

fn default_restore_months() -> u32 {
    crate::domain::exercise::default_every(crate::domain::exercise::Kind::RestoreTest)
}

fn default_tabletop_months() -> u32 {
    crate::domain::exercise::default_every(crate::domain::exercise::Kind::Tabletop)
}

/// A group of the client's customers, and the business processes their operations depend on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerGroupView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub description: String,
    /// Who speaks to this group and how (account manager, phone, portal).
    pub contact: String,
    pub processes: Vec<Uuid>,
}

/// The moments an incident is told to customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    FirstNotice,
    Update,
    Resolved,
}

impl MessageKind {
    pub const ALL: [MessageKind; 3] = [Self::FirstNotice, Self::Update, Self::Resolved];
}

/// A message to customers with `{placeholders}` filled in at the time of the incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageTemplate {
    pub kind: MessageKind,
    pub subject: String,
    pub body: String,
}

/// When and how the service desk gets help when calls pile up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceDesk {
    /// The overflow or outsourced helpdesk.
    pub overflow_name: String,
    pub overflow_phone: String,
    pub overflow_email: String,
    /// When to switch over (e.g. "more than 10 calls waiting or 30 minutes without answer").
    pub switch_when: String,
}

/// What everyone may say to customers and the press, and what not.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TalkingPoints {
    pub say: Vec<String>,
    pub avoid: Vec<String>,
}

/// An incident the plan prepares for (ransomware, fire, power cut) with its first steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub steps: Vec<String>,
}

/// A chapter of text at the head of the plan: purpose, when it applies, who decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub text: String,
}

/// The plan's customer part, apart from the customer groups.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Communication {
    pub messages: Vec<MessageTemplate>,
    pub service_desk: ServiceDesk,
    pub talking_points: TalkingPoints,
}

/// The four parts of the plan, in the order they are acted on, and its approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Safety,
    Staff,
    Customers,
    Recovery,
    Approval,
}

/// What is missing; with `subject` (a name) it makes one checklist line in either language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapCode {
    NoSite,
    SiteWithoutAssemblyPoint,
    SiteWithoutEmergencyNumbers,
    SiteWithoutSafetyPlan,
    SiteWithoutFirstResponders,
    NoPeople,
    PersonWithoutMobile,
    PersonWithoutEmergencyContact,
    NoCoordinator,
    CallTreeMissesPeople,
    CallTreeCycle,
    CallerWithoutPhone,
    NoEmailDownRule,
    NoCustomerGroup,
    CustomerGroupWithoutProcesses,
    NoCustomerMessage,
    NoTalkingPoints,
    NoServiceDeskOverflow,
    NoProcess,
    ProcessWithoutTargets,
    NoSystem,
    SystemWithoutOwner,
    SystemWithoutProcedure,
    SystemWithoutTargets,
    DependencyCycle,
    NeverApproved,
    ReviewOverdue,
}

/// One line of the completeness checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub part: Part,
    pub code: GapCode,
    /// The site, person, process or system concerned (empty for the plan as a whole).
    pub subject: String,
    /// The line in English, for API clients and logs.
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
    /// Added after the first versions were approved: older snapshots read as empty.
    #[serde(default)]
    pub customer_groups: Vec<CustomerGroupView>,
    #[serde(default)]
    pub communication: Communication,
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
    #[serde(default)]
    pub sections: Vec<Section>,
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
    /// Exercises and action items past their dates (the plan as it stands only).
    #[serde(default)]
    pub overdue: crate::model::exercise::Overdue,
}

/// A process a template proposes, with typical impact and targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateProcess {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub impact_hour: String,
    #[serde(default)]
    pub impact_day: String,
    #[serde(default)]
    pub impact_week: String,
    pub rto_minutes: Option<u32>,
    pub rpo_minutes: Option<u32>,
}

/// A customer group a template proposes; `processes` are names of the template's processes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub processes: Vec<String>,
}

/// What a plan template gives a new plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateBody {
    pub sections: Vec<Section>,
    pub scenarios: Vec<Scenario>,
    pub email_down_rule: String,
    pub messages: Vec<MessageTemplate>,
    pub talking_points: TalkingPoints,
    pub service_desk_switch_when: String,
    pub processes: Vec<TemplateProcess>,
    pub customer_groups: Vec<TemplateGroup>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    /// A UUID for the MSP's own templates; `builtin-en` / `builtin-nl` for the shipped ones.
    pub id: String,
    pub name: String,
    pub lang: String,
    pub builtin: bool,
    pub body: TemplateBody,
}
