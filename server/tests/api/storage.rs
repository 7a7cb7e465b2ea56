//! SQLite's write-ahead log: commits only append their own pages, and the server's checkpointer
//! copies them into the database file (a commit crossing SQLite's default threshold of 1,000
//! pages would otherwise copy the whole log back and sync the file itself).
use app::ssr::entity::msp;
use chrono::Utc;
use sea_orm::{EntityTrait, Set, TransactionTrait};
use uuid::Uuid;

use crate::helpers::{database, Backend};

#[tokio::test]
async fn commits_append_and_the_checkpointer_copies_back_sqlite() {
    let Some((url, _guard)) = database(Backend::Sqlite).await else {
        return;
    };
    let db = server::connect(&url).await.unwrap();
    let file = server::config::sqlite_path(&url).expect("a SQLite file");
    server::checkpoint(&db).await.unwrap();
    let before = std::fs::metadata(&file).unwrap().len();
    // About 6 MB, some 1,500 pages: past SQLite's own threshold.
    let txn = db.begin().await.unwrap();
    for _ in 0..15 {
        let rows = (0..100).map(|_| msp::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set("x".repeat(4000)),
            created_at: Set(Utc::now()),
        });
        msp::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().len(),
        before,
        "the commit left the database file alone"
    );
    let done = server::checkpoint(&db).await.unwrap().expect("SQLite");
    assert!(done.log_frames >= 1_500, "{done:?}");
    assert_eq!(done.copied_frames, done.log_frames, "{done:?}");
    assert!(std::fs::metadata(&file).unwrap().len() >= before + 6_000_000);
    assert_eq!(msp::Entity::find().all(&db).await.unwrap().len(), 1_500);
}

#[tokio::test]
async fn postgres_needs_no_checkpointer() {
    let Some((url, _guard)) = database(Backend::Postgres).await else {
        return;
    };
    let db = server::connect(&url).await.unwrap();
    assert_eq!(server::checkpoint(&db).await.unwrap(), None);
}
