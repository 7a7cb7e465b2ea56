//! JSON shapes of backup monitoring, shared by the API and the pages.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::plan::Criticality;
use crate::domain::sla::State;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemStatusView {
    pub id: Uuid,
    pub name: String,
    pub criticality: Criticality,
    pub rpo_state: State,
    /// Now minus the newest good restore point.
    pub rpo_exposure_seconds: Option<i64>,
    pub rpo_target_seconds: Option<i64>,
    /// Exposure counting only copies that left the site.
    pub offsite_exposure_seconds: Option<i64>,
    pub rto_state: State,
    /// The last restore test's measured duration.
    pub rto_evidence_seconds: Option<i64>,
    pub rto_target_seconds: Option<i64>,
    pub rto_evidence_at: Option<DateTime<Utc>>,
    pub last_restore_point_at: Option<DateTime<Utc>>,
    pub last_offsite_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub failures_in_row: u32,
    /// Backup-aware findings: failures in a row, suspicious jobs.
    pub warnings: Vec<String>,
    /// The heartbeat key, to MSP staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_key: Option<String>,
    /// The backup policy, when known; the page words its gaps in the reader's language.
    #[serde(default)]
    pub policy: Option<crate::domain::sla::Policy>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessStatusView {
    pub id: Uuid,
    pub name: String,
    /// The worst of its systems.
    pub rpo_state: State,
    pub rto_state: State,
    pub rpo_target_seconds: Option<i64>,
    pub rto_target_seconds: Option<i64>,
    pub systems: Vec<Uuid>,
    /// Where its systems' backup policies fall short of this process's targets (English; the
    /// page words them in the reader's language from the policies).
    #[serde(default)]
    pub policy_gaps: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub ok: u32,
    pub at_risk: u32,
    pub breached: u32,
    pub unknown: u32,
}

impl Counts {
    pub fn add(&mut self, s: State) {
        self.add_many(s, 1);
    }

    pub fn add_many(&mut self, s: State, n: u32) {
        match s {
            State::Ok => self.ok += n,
            State::AtRisk => self.at_risk += n,
            State::Breached => self.breached += n,
            State::Unknown => self.unknown += n,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientStatus {
    pub client_id: Uuid,
    pub client_name: String,
    pub evaluated_at: DateTime<Utc>,
    pub counts: Counts,
    pub systems: Vec<SystemStatusView>,
    pub processes: Vec<ProcessStatusView>,
    /// Where heartbeats go: `{ping_base}/ping/{ping_key}`.
    #[serde(default)]
    pub ping_base: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngestTokenView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemReport {
    pub id: Uuid,
    pub name: String,
    pub rpo_target_seconds: Option<i64>,
    /// Share of the measured time within the RPO, in percent; `None` without target or data.
    pub within_rpo_percent: Option<f64>,
    pub measured_seconds: i64,
    pub breaches: Vec<crate::domain::sla::Breach>,
    pub restore_tests: u32,
    pub restore_tests_passed: u32,
    /// The month's exposure as (moment, seconds) points, for the report's chart; not sent in
    /// the API's JSON (a point or two per backup).
    #[serde(skip)]
    pub exposure: Vec<(DateTime<Utc>, i64)>,
}

/// How a client's SLA held over one calendar month (UTC).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthReport {
    pub client_id: Uuid,
    pub client_name: String,
    pub month: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub systems: Vec<SystemReport>,
}

/// One reported event, for a system's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    pub kind: crate::domain::sla::EventKind,
    pub restore_point_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    pub duration_seconds: Option<i64>,
    pub bytes: Option<i64>,
    pub message: String,
    pub received_at: DateTime<Utc>,
}

/// An MSP's alert routing, as the API answers it and the settings form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettingsView {
    /// Who is told; empty means every MSP staff member.
    pub emails: Vec<String>,
    /// Also tell the client's admins.
    pub notify_client: bool,
    pub webhook_url: String,
    /// Whether a signing secret is set (the secret itself is never shown again).
    pub webhook_signed: bool,
    /// How often a breach that stays open is repeated; 0 turns repeats off.
    pub reminder_minutes: u32,
    /// How many days a passed restore test proves the RTO; after that the RTO is at risk.
    pub restore_test_days: u32,
    /// The language of alert and report e-mails: `en` or `nl`.
    pub mail_language: String,
}

/// A client as the dashboard names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRef {
    pub id: Uuid,
    pub name: String,
}

/// One client on the MSP's dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub client: ClientRef,
    /// Each system counted once, by the worse of its RPO and RTO state (an RTO never tested
    /// does not count against a system whose backups are judged).
    pub systems: Counts,
    /// The plan's completeness in percent.
    pub completeness: u8,
    pub review_due: Option<chrono::NaiveDate>,
    pub review_overdue: bool,
    /// The number of the approved version in force, if any.
    pub approved_version: Option<u32>,
    /// Exercises and action items past their dates.
    #[serde(default)]
    pub overdue: crate::model::exercise::Overdue,
}

impl DashboardRow {
    /// What needs attention first: breaches, then risks, overdue reviews, thin plans.
    pub fn severity(&self) -> (u32, u32, bool, u32, std::cmp::Reverse<u8>) {
        (
            self.systems.breached,
            self.systems.at_risk,
            self.review_overdue,
            self.systems.unknown,
            std::cmp::Reverse(self.completeness),
        )
    }
}

/// The MSP's home: every client worst first, with the totals across them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub rows: Vec<DashboardRow>,
    /// Clients in scope before the search narrowed them.
    pub clients: u32,
    /// Clients the search matched; `rows` holds the worst of them when a limit was asked for.
    #[serde(default)]
    pub matched: u32,
    pub systems: Counts,
    pub reviews_overdue: u32,
    /// Clients with an exercise or action item past its date.
    #[serde(default)]
    pub exercises_overdue: u32,
    /// Plans below `COMPLETE_ENOUGH` percent.
    pub plans_incomplete: u32,
    /// Archived clients, by name: not counted above.
    #[serde(default)]
    pub archived: Vec<ClientRef>,
}

/// Clients the dashboard page lists before it offers "show all".
pub const DASHBOARD_PAGE: usize = 100;

/// A plan below this completeness is called out on the dashboard.
pub const COMPLETE_ENOUGH: u8 = 80;
