//! Upgrading a database in place: the statuses a running installation already has keep their
//! states when the evaluator's part of them moves to `system_clock`, and rolling that back
//! brings them back.
use app::ssr::entity::{client, msp, system, system_clock, system_status};
use chrono::{Duration, TimeZone, Utc};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DbBackend, EntityTrait, Set, Statement, Value};
use uuid::Uuid;

use crate::helpers::{database, Backend};

async fn statuses_keep_their_states_across_the_clock_migration(backend: Backend) {
    let Some((url, _guard)) = database(backend).await else {
        return;
    };
    let db = Database::connect(&url).await.unwrap();
    // The schema as the previous release left it, with one system and its status.
    Migrator::up(&db, Some(6)).await.unwrap();
    let (msp_id, client_id, system_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let now = Utc::now();
    msp::Entity::insert(msp::ActiveModel {
        id: Set(msp_id),
        name: Set("Upgrade MSP".into()),
        created_at: Set(now),
    })
    .exec_without_returning(&db)
    .await
    .unwrap();
    client::Entity::insert(client::ActiveModel {
        id: Set(client_id),
        msp_id: Set(msp_id),
        name: Set("Upgrade client".into()),
        notes: Set(String::new()),
        // The column comes with a later migration than the one this row is written at.
        archived_at: sea_orm::ActiveValue::NotSet,
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&db)
    .await
    .unwrap();
    system::Entity::insert(server::fixtures::system_row(
        system_id,
        msp_id,
        client_id,
        "erp-db".into(),
        now,
    ))
    .exec_without_returning(&db)
    .await
    .unwrap();
    let breached_since =
        Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 15).unwrap() + Duration::milliseconds(250);
    let reminded = breached_since + Duration::hours(2);
    let last_good = breached_since - Duration::hours(1);
    let marks: Vec<String> = (1..=9)
        .map(|n| match backend {
            Backend::Postgres => format!("${n}"),
            Backend::Sqlite => "?".into(),
        })
        .collect();
    let db_backend = match backend {
        Backend::Postgres => DbBackend::Postgres,
        Backend::Sqlite => DbBackend::Sqlite,
    };
    db.execute_raw(Statement::from_sql_and_values(
        db_backend,
        format!(
            "INSERT INTO system_status (system_id, msp_id, client_id, last_good_at, failures_in_row, suspicious, \
             rpo_state, rto_state, state_since, next_eval_at, version, reminded_at, updated_at, recent_jobs) \
             VALUES ({}, 0, '', 'breached', 'ok', {}, NULL, 7, {}, {}, '')",
            marks[..4].join(", "),
            marks[4],
            marks[5],
            marks[6]
        ),
        [
            Value::from(system_id),
            Value::from(msp_id),
            Value::from(client_id),
            Value::from(last_good),
            Value::from(breached_since),
            Value::from(reminded),
            Value::from(reminded),
        ],
    ))
    .await
    .unwrap();

    Migrator::up(&db, None).await.unwrap();
    let clock = system_clock::Entity::find_by_id(system_id)
        .one(&db)
        .await
        .unwrap()
        .expect("the status has a clock row");
    assert_eq!(clock.rpo_state, "breached");
    assert_eq!(clock.rto_state, "ok");
    assert_eq!(
        clock.state_since_at(),
        breached_since,
        "the breach keeps its start"
    );
    assert_eq!(clock.reminded_at, Some(system_clock::millis(reminded)));
    assert_eq!(clock.version, 7);
    assert!(
        clock.targets_stale,
        "judged afresh on the evaluator's next pass"
    );
    assert!(clock.next_eval_at.is_some(), "and due for that pass");
    let status = system_status::Entity::find_by_id(system_id)
        .one(&db)
        .await
        .unwrap()
        .expect("the telemetry stays");
    assert_eq!(status.last_good_at, Some(last_good));

    // Rolled back, the status row holds its states again.
    // Back to the release before (migration 6), however many have come since.
    let since = Migrator::migrations().len() - 6;
    Migrator::down(&db, Some(since as u32)).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db_backend,
            "SELECT rpo_state, rto_state, version FROM system_status".to_string(),
        ))
        .await
        .unwrap()
        .expect("a status row");
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "breached");
    assert_eq!(row.try_get_by_index::<String>(1).unwrap(), "ok");
    assert_eq!(row.try_get_by_index::<i64>(2).unwrap(), 7);
    // And up again.
    Migrator::up(&db, None).await.unwrap();
    let clock = system_clock::Entity::find_by_id(system_id)
        .one(&db)
        .await
        .unwrap()
        .expect("the clock row again");
    assert_eq!(clock.rpo_state, "breached");
}

#[tokio::test]
async fn statuses_keep_their_states_across_the_clock_migration_sqlite() {
    statuses_keep_their_states_across_the_clock_migration(Backend::Sqlite).await;
}

#[tokio::test]
async fn statuses_keep_their_states_across_the_clock_migration_postgres() {
    statuses_keep_their_states_across_the_clock_migration(Backend::Postgres).await;
}
