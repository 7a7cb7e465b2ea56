//! The JSON shapes of exercises: a client's drills, restore tests and tabletops, their scores,
//! the action items their findings became, and when each kind is due.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::exercise::{Kind, Reach};

/// A line of a tabletop exercise: a step of the plan talked through, and whether it held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistLine {
    pub item: String,
    pub done: bool,
}

/// What an exercise measured; the fields of its kind are set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExerciseResult {
    /// A call-tree drill's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach: Option<Reach>,
    /// A restore test's measured duration and verdict, against the system's RTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_minutes: Option<u32>,
    /// A tabletop's checklist and the share of it that held.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_percent: Option<u32>,
}

/// Something to fix, found by an exercise: who does it, by when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionItemView {
    pub id: Uuid,
    pub exercise_id: Option<Uuid>,
    pub title: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExerciseView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub kind: Kind,
    pub scheduled_for: NaiveDate,
    /// `scheduled`, `done` or `cancelled`.
    pub state: String,
    /// Scheduled for a day that has passed without it being done.
    pub overdue: bool,
    pub done_at: Option<DateTime<Utc>>,
    /// The drill incident a call-tree drill was run as.
    pub incident_id: Option<Uuid>,
    /// The system a restore test restored, and its name.
    pub system_id: Option<Uuid>,
    pub system_name: Option<String>,
    pub result: ExerciseResult,
    pub notes: String,
    pub findings: Vec<ActionItemView>,
}

/// When a kind is due next for the client, by the plan's cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadenceView {
    pub kind: Kind,
    pub every_months: u32,
    pub last_done_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// A client's exercises, newest first, its open action items and its cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExercisesPage {
    pub client_id: Uuid,
    pub client_name: String,
    pub exercises: Vec<ExerciseView>,
    pub action_items: Vec<ActionItemView>,
    pub cadence: Vec<CadenceView>,
    pub may_act: bool,
    /// The client's drill incidents whose call tree went out, to score a drill from.
    pub drills: Vec<(Uuid, String)>,
    pub systems: Vec<(Uuid, String)>,
    /// The plan's call-tree wave time, set beside the cadence.
    #[serde(default)]
    pub wave_minutes: u32,
}

/// What is overdue for a client: exercises (scheduled days passed, or kinds past their
/// cadence) and action items past their due date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub exercises: u32,
    pub action_items: u32,
}
