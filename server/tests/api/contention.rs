//! A request that reads and then writes is not failed by another writer's commit in between
//! (another tenant's request, the evaluator, the outbox): on SQLite a deferred transaction would
//! be refused at once (SQLITE_BUSY_SNAPSHOT) and the user would see a 500 for nothing.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

crate::both!(edits_wait_for_another_tenants_writes,);

async fn edits_wait_for_another_tenants_writes(app: TestApp) {
    let (ann, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&ann, "Bakery").await;
    let (bob, _) = app.signup("Other IT", "bob@other.example").await;
    let garage = app.create_client(&bob, "Garage").await;

    // The other MSP's data changes all the time, from outside this server's request path.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (app.db.clone(), stop.clone());
        let backend = db.get_database_backend();
        let p1 = match backend {
            sea_orm::DbBackend::Postgres => "$1",
            _ => "?",
        };
        let garage = uuid::Uuid::parse_str(&garage).unwrap();
        let update = Statement::from_sql_and_values(
            backend,
            format!("UPDATE client SET notes = notes || 'x' WHERE id = {p1}"),
            [garage.into()],
        );
        tokio::spawn(async move {
            let mut writes = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let done = db.execute_raw(update.clone()).await.unwrap();
                assert_eq!(done.rows_affected(), 1);
                writes += 1;
                tokio::task::yield_now().await;
            }
            writes
        })
    };

    for i in 0..60 {
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/clients/{bakery}"),
                Some(&ann),
                Some(json!({ "name": format!("Bakery {i}"), "notes": format!("edit {i}") })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "edit {i}: {}", r.text);
    }
    stop.store(true, Ordering::Relaxed);
    let writes = writer.await.unwrap();
    assert!(writes > 0, "the other writer ran");
    let r = app.get(&format!("/api/v1/clients/{bakery}"), &ann).await;
    assert_eq!(r.body["name"], "Bakery 59");
    assert_eq!(r.body["notes"], "edit 59");
}
