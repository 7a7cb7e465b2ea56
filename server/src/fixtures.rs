//! Rows written straight into the database by the benchmarks and the migration test, which
//! need more rows, or older shapes, than going through the API allows. Not used by the server.
use app::ssr::entity::system;
use chrono::{DateTime, Utc};
use sea_orm::Set;
use uuid::Uuid;

/// A server with the usual targets (RPO 1 h, RTO 4 h) and nothing else filled in.
pub fn system_row(
    id: Uuid,
    msp_id: Uuid,
    client_id: Uuid,
    name: String,
    now: DateTime<Utc>,
) -> system::ActiveModel {
    system::ActiveModel {
        id: Set(id),
        msp_id: Set(msp_id),
        client_id: Set(client_id),
        name: Set(name),
        kind: Set("server".into()),
        owner_person_id: Set(None),
        criticality: Set("high".into()),
        rto_minutes: Set(Some(240)),
        rpo_minutes: Set(Some(60)),
        procedure: Set(String::new()),
        ping_key: Set(Uuid::new_v4().simple().to_string()),
        policy: Set(None),
        // Left to the column's default: rows written at an older schema (the migration tests)
        // have no such column yet.
        tier_id: sea_orm::ActiveValue::NotSet,
        created_at: Set(now),
        updated_at: Set(now),
    }
}
