//! An incident declared for a client: its scenario (a name from the plan's list, or "other"),
//! the affected sites (JSON array of site ids), whether it is a drill, and its state (`open`,
//! `closed`). `checklist` is a JSON object of the checklist items done (key → who and when).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub title: String,
    pub scenario: String,
    pub drill: bool,
    pub state: String,
    pub sites: String,
    /// When the disruption began (data loss and downtime count from here).
    pub started_at: DateTimeUtc,
    pub declared_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
    pub lessons: String,
    pub checklist: String,
    /// When the call tree was set going.
    /// `{"checklist key": "person id"}`: who is on each item.
    pub assignments: String,
    pub call_tree_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
