//! Demo data: one MSP with an owner and a technician, and two clients with a client admin each.
//! Idempotent: skipped when the demo owner already exists.
use app::model::Role;
use app::ssr::auth::hash_password;
use app::ssr::repo::users;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "lifeline-demo";

pub struct DemoLogins(pub Vec<(String, &'static str)>);

impl DemoLogins {
    pub fn print(&self) {
        if self.0.is_empty() {
            println!("Demo data already present.");
        }
        for (email, what) in &self.0 {
            println!("  {what:<32} {email} / {DEMO_PASSWORD}");
        }
    }
}

pub async fn demo(db: &DatabaseConnection) -> anyhow::Result<DemoLogins> {
    const OWNER: &str = "owner@demo-msp.example";
    let mut logins = vec![
        (OWNER.to_string(), "MSP owner (Demo IT Services)"),
        ("tech@demo-msp.example".to_string(), "MSP technician"),
        (
            "admin@bakkerij-jansen.example".to_string(),
            "client admin, Bakkerij Jansen",
        ),
        (
            "admin@de-vries-logistiek.example".to_string(),
            "client admin, De Vries Logistiek",
        ),
    ];
    if users::find_by_email(db, OWNER).await?.is_some() {
        logins.clear();
        return Ok(DemoLogins(logins));
    }
    println!("Seeding demo data. Demo logins:");
    let hash = hash_password(DEMO_PASSWORD)?;
    let txn = db.begin().await?;
    let msp = app::ssr::entity::msp::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Demo IT Services".into()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let add_user = |email: &'static str, name: &'static str, role: Role, client: Option<Uuid>| {
        let (txn, hash, msp_id) = (&txn, hash.clone(), msp.id);
        async move {
            let u = users::insert_user(txn, email, name, Some(hash)).await?;
            users::insert_membership(txn, u.id, msp_id, client, role).await?;
            anyhow::Ok(())
        }
    };
    add_user(OWNER, "Olivia Owner", Role::MspOwner, None).await?;
    add_user(
        "tech@demo-msp.example",
        "Tom Technician",
        Role::MspTechnician,
        None,
    )
    .await?;
    for (name, email, admin) in [
        (
            "Bakkerij Jansen",
            "admin@bakkerij-jansen.example",
            "Anna Jansen",
        ),
        (
            "De Vries Logistiek",
            "admin@de-vries-logistiek.example",
            "Daan de Vries",
        ),
    ] {
        let client = app::ssr::entity::client::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(msp.id),
            name: Set(name.into()),
            notes: Set(String::new()),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        add_user(email, admin, Role::ClientAdmin, Some(client.id)).await?;
    }
    txn.commit().await?;
    Ok(DemoLogins(logins))
}
