use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Option<Uuid>,
    pub role: String,
    pub created_at: DateTimeUtc,
    /// Set when the MSP disabled this person: the membership no longer signs in. The account
    /// itself (and its memberships of other MSPs) is untouched.
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
