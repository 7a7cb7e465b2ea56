//! Demo data that tells the whole story: an MSP with its staff and three clients, two of them
//! with complete, approved plans (one overdue for review) and one still being written; a call
//! tree, sites, customer groups and messages; systems with backup policies; and two months of
//! simulated backup telemetry that the evaluator judges live (most systems OK, one RPO at risk
//! now and again, one breached, a restore test that proves an RTO and one that has gone stale).
//!
//! The plan is built through the public API, in process, exactly as an MSP's own scripts would;
//! only the accounts are written directly (the demo password would not pass the strength check).
//! Idempotent: skipped when the demo owner already exists. `simulate` goes on sending the demo
//! systems' backups while the server runs, so the demo stays alive.
use anyhow::{bail, Context};
use app::model::Role;
use app::ssr::auth::hash_password;
use app::ssr::entity::{client, ingest_token, msp, plan, plan_version, system};
use app::ssr::repo::users;
use app::ssr::scope::Scope;
use app::ssr::state::AppState;
use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "lifeline-demo";
pub const OWNER: &str = "owner@demo-msp.example";
const MSP_NAME: &str = "Demo IT Services";
/// The name of the ingest token the simulator reports with.
const TELEMETRY_TOKEN: &str = "Demo telemetry";
/// How much history the demo starts with.
const HISTORY_DAYS: i64 = 62;

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

/// How a demo system's backups behave over time. Moments are counted from the client's
/// creation (the moment the demo was seeded), so the story holds after a restart.
#[derive(Clone, Copy)]
enum Behaviour {
    /// A good backup at the policy's interval, the last one before seeding `phase` minutes
    /// earlier.
    Healthy { phase: i64 },
    /// As healthy until `hours` before seeding; every job since has failed.
    FailingSince { phase: i64, hours: i64 },
}

struct DemoSystem {
    key: &'static str,
    name: &'static str,
    kind: &'static str,
    criticality: &'static str,
    rpo: i64,
    rto: i64,
    owner: usize,
    policy: Value,
    /// Indexes into the client's template processes.
    processes: &'static [usize],
    behaviour: Behaviour,
    /// A passed restore test this many days before seeding, taking `.1` minutes.
    restore_test: Option<(i64, i64)>,
    procedure: &'static [&'static str],
}

struct DemoClient {
    name: &'static str,
    admin: Option<(&'static str, &'static str)>,
    /// Name, role, mobile, emergency contact (name, relation, phone), index of the caller.
    people: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<usize>,
    )],
    site: (&'static str, &'static str, &'static str),
    systems: Vec<DemoSystem>,
    /// Review date relative to today, in days; negative is overdue.
    review_in_days: i64,
    /// Whether the plan gets its details filled in and approved.
    complete: bool,
}

fn policy(method: &str, interval: i64, job: i64, offsite: Option<i64>, gb: i64) -> Value {
    json!({ "method": method, "interval_minutes": interval, "job_minutes": job,
            "offsite_interval_minutes": offsite, "retention_days": 30, "data_gb": gb, "restore_mb_per_s": null })
}

fn clients() -> Vec<DemoClient> {
    const RESTORE: &[&str] = &[
        "Check the restore point in the backup console (newest good one).",
        "Start the instant recovery to the spare host.",
        "Test with a key user before switching users over.",
    ];
    const SAAS: &[&str] = &[
        "Confirm the outage on the vendor's status page.",
        "Restore mailboxes or sites from the cloud backup if data is lost.",
    ];
    vec![
        DemoClient {
            name: "Bakkerij Jansen",
            admin: Some(("admin@bakkerij-jansen.example", "Anna Jansen")),
            people: &[
                (
                    "Anna Jansen",
                    "Directeur",
                    "+31 6 1000 0001",
                    "Piet Jansen",
                    None,
                ),
                (
                    "Bram de Wit",
                    "Bedrijfsleider",
                    "+31 6 1000 0002",
                    "Els de Wit",
                    Some(0),
                ),
                (
                    "Carla Smit",
                    "Hoofd bakkerij",
                    "+31 6 1000 0003",
                    "Jan Smit",
                    Some(0),
                ),
                (
                    "Dirk Bos",
                    "Chauffeur",
                    "+31 6 1000 0004",
                    "Ria Bos",
                    Some(1),
                ),
                (
                    "Eva Mulder",
                    "Verkoop",
                    "+31 6 1000 0005",
                    "Tom Mulder",
                    Some(1),
                ),
                (
                    "Fatima El Amrani",
                    "Verkoop",
                    "+31 6 1000 0006",
                    "Said El Amrani",
                    Some(1),
                ),
                (
                    "Gerrit Visser",
                    "Bakker",
                    "+31 6 1000 0007",
                    "Joke Visser",
                    Some(2),
                ),
                (
                    "Hanna Peters",
                    "Bakker",
                    "+31 6 1000 0008",
                    "Kees Peters",
                    Some(2),
                ),
                (
                    "Ivo Kok",
                    "Banketbakker",
                    "+31 6 1000 0009",
                    "Lies Kok",
                    Some(2),
                ),
                (
                    "Joost Dekker",
                    "Inkoop",
                    "+31 6 1000 0010",
                    "Mila Dekker",
                    Some(0),
                ),
                (
                    "Karin Vos",
                    "Administratie",
                    "+31 6 1000 0011",
                    "Rob Vos",
                    Some(9),
                ),
                (
                    "Lars Meijer",
                    "Webshop",
                    "+31 6 1000 0012",
                    "Noor Meijer",
                    Some(9),
                ),
            ],
            site: (
                "Bakkerij Utrecht",
                "Oudegracht 12, Utrecht",
                "Parkeerplaats achter de bakkerij",
            ),
            systems: vec![
                DemoSystem {
                    key: "pos",
                    name: "Kassasysteem",
                    kind: "application",
                    criticality: "critical",
                    rpo: 60,
                    rto: 120,
                    owner: 1,
                    policy: policy("image_instant", 30, 5, Some(1440), 40),
                    processes: &[0],
                    behaviour: Behaviour::Healthy { phase: 20 },
                    restore_test: Some((20, 45)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "recipes",
                    name: "Receptenserver",
                    kind: "server",
                    criticality: "high",
                    rpo: 240,
                    rto: 480,
                    owner: 2,
                    policy: policy("agent_to_disk", 200, 15, Some(1440), 120),
                    processes: &[0],
                    behaviour: Behaviour::Healthy { phase: 199 },
                    restore_test: Some((40, 90)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "books",
                    name: "Boekhouding",
                    kind: "database",
                    criticality: "high",
                    rpo: 1440,
                    rto: 1440,
                    owner: 10,
                    policy: policy("agent_to_disk", 720, 45, Some(1440), 60),
                    processes: &[2],
                    behaviour: Behaviour::FailingSince {
                        phase: 180,
                        hours: 50,
                    },
                    restore_test: Some((30, 120)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "files",
                    name: "Bestandsserver",
                    kind: "virtual_machine",
                    criticality: "medium",
                    rpo: 1440,
                    rto: 480,
                    owner: 9,
                    policy: policy("image_instant", 240, 20, Some(1440), 500),
                    processes: &[0, 1],
                    behaviour: Behaviour::Healthy { phase: 90 },
                    restore_test: Some((120, 60)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "shop",
                    name: "Webshop",
                    kind: "saas",
                    criticality: "high",
                    rpo: 240,
                    rto: 240,
                    owner: 11,
                    policy: policy("continuous_replication", 60, 2, Some(60), 20),
                    processes: &[0, 1],
                    behaviour: Behaviour::Healthy { phase: 35 },
                    restore_test: Some((10, 30)),
                    procedure: SAAS,
                },
            ],
            review_in_days: 150,
            complete: true,
        },
        DemoClient {
            name: "De Vries Logistiek",
            admin: Some(("admin@de-vries-logistiek.example", "Daan de Vries")),
            people: &[
                (
                    "Daan de Vries",
                    "Eigenaar",
                    "+31 6 2000 0001",
                    "Sanne de Vries",
                    None,
                ),
                (
                    "Emma Bakker",
                    "Planner",
                    "+31 6 2000 0002",
                    "Luuk Bakker",
                    Some(0),
                ),
                (
                    "Finn Hendriks",
                    "Magazijnchef",
                    "+31 6 2000 0003",
                    "Iris Hendriks",
                    Some(0),
                ),
                (
                    "Gijs Willems",
                    "Chauffeur",
                    "+31 6 2000 0004",
                    "Anouk Willems",
                    Some(2),
                ),
                (
                    "Hugo Jacobs",
                    "Chauffeur",
                    "+31 6 2000 0005",
                    "Fenna Jacobs",
                    Some(2),
                ),
                (
                    "Isa van Dam",
                    "Klantenservice",
                    "+31 6 2000 0006",
                    "Mark van Dam",
                    Some(1),
                ),
            ],
            site: (
                "Distributiecentrum Tiel",
                "Bedrijvenpark 4, Tiel",
                "Poort 1, bij de slagboom",
            ),
            systems: vec![
                DemoSystem {
                    key: "tms",
                    name: "Transportplanning (TMS)",
                    kind: "application",
                    criticality: "critical",
                    rpo: 60,
                    rto: 240,
                    owner: 1,
                    policy: policy("draas", 30, 5, Some(30), 80),
                    processes: &[0],
                    behaviour: Behaviour::Healthy { phase: 10 },
                    restore_test: Some((14, 25)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "wms",
                    name: "Magazijnbeheer",
                    kind: "database",
                    criticality: "high",
                    rpo: 240,
                    rto: 480,
                    owner: 2,
                    policy: policy("image_instant", 120, 10, Some(1440), 150),
                    processes: &[0],
                    behaviour: Behaviour::Healthy { phase: 50 },
                    restore_test: Some((45, 70)),
                    procedure: RESTORE,
                },
                DemoSystem {
                    key: "mail",
                    name: "Microsoft 365",
                    kind: "saas",
                    criticality: "medium",
                    rpo: 1440,
                    rto: 1440,
                    owner: 5,
                    policy: policy("agent_to_disk", 360, 30, Some(360), 300),
                    processes: &[1],
                    behaviour: Behaviour::Healthy { phase: 100 },
                    restore_test: None,
                    procedure: SAAS,
                },
            ],
            review_in_days: -12,
            complete: true,
        },
        DemoClient {
            name: "Tandartspraktijk Smit",
            admin: None,
            people: &[
                ("Sophie Smit", "Tandarts", "+31 6 3000 0001", "", None),
                ("Ruben Kramer", "Assistent", "", "", Some(0)),
            ],
            site: ("Praktijk Zeist", "Slotlaan 8, Zeist", ""),
            systems: vec![DemoSystem {
                key: "epd",
                name: "Patiëntendossier",
                kind: "application",
                criticality: "critical",
                rpo: 240,
                rto: 480,
                owner: 0,
                policy: policy("agent_to_disk", 1440, 60, None, 30),
                processes: &[],
                behaviour: Behaviour::Healthy { phase: 300 },
                restore_test: None,
                procedure: &[],
            }],
            review_in_days: 60,
            complete: false,
        },
    ]
}

/// The app's own API, called in process.
struct Api {
    router: axum::Router,
    token: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("/api/v1{path}"))
            .header("authorization", format!("Bearer {}", self.token));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(Body::from(body.map(|b| b.to_string()).unwrap_or_default()))?;
        let resp = self.router.clone().oneshot(req).await?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20).await?;
        if !status.is_success() {
            bail!(
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn signed_in(router: &axum::Router, email: &str) -> anyhow::Result<Api> {
        let anon = Api {
            router: router.clone(),
            token: String::new(),
        };
        let r = anon
            .post(
                "/auth/login",
                json!({ "email": email, "password": DEMO_PASSWORD }),
            )
            .await?;
        let token = r["token"]
            .as_str()
            .context("no token in the sign-in answer")?;
        Ok(Api {
            router: router.clone(),
            token: token.to_string(),
        })
    }
}

fn id(v: &Value) -> anyhow::Result<String> {
    Ok(v["id"].as_str().context("no id in the answer")?.to_string())
}

/// Seeds the demo (once) and fills in its telemetry up to now.
pub async fn demo(state: &AppState) -> anyhow::Result<DemoLogins> {
    if users::find_by_email(&state.db, OWNER).await?.is_some() {
        return Ok(DemoLogins(Vec::new()));
    }
    println!("Seeding demo data (two months of backups, a minute or so). Demo logins:");
    let mut logins = vec![
        (OWNER.to_string(), "MSP owner (Demo IT Services)"),
        ("admin@demo-msp.example".to_string(), "MSP admin"),
        ("tech@demo-msp.example".to_string(), "MSP technician"),
    ];
    let hash = hash_password(DEMO_PASSWORD)?;
    let msp_id = {
        let txn = state.begin_write().await?;
        let msp = msp::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(MSP_NAME.into()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        for (email, name, role) in [
            (OWNER, "Olivia Owner", Role::MspOwner),
            ("admin@demo-msp.example", "Arjen Admin", Role::MspAdmin),
            (
                "tech@demo-msp.example",
                "Tom Technician",
                Role::MspTechnician,
            ),
        ] {
            let u = users::insert_user(&txn, email, name, Some(hash.clone())).await?;
            users::insert_membership(&txn, u.id, msp.id, None, role).await?;
        }
        txn.commit().await?;
        msp.id
    };
    let router = crate::router(state.clone());
    let owner = Api::signed_in(&router, OWNER).await?;
    owner
        .call(
            Method::PUT,
            "/alerts/settings",
            Some(json!({ "emails": [OWNER], "notify_client": true })),
        )
        .await?;
    let today = Utc::now().date_naive();
    // Clients whose staff drill the call tree: (client, its first system).
    let mut drills: Vec<(String, String)> = Vec::new();
    for c in clients() {
        let client = id(&owner
            .post(
                "/clients",
                json!({ "name": c.name, "template": "builtin-nl" }),
            )
            .await?)?;
        let base = format!("/clients/{client}");
        let mut people: Vec<String> = Vec::new();
        for (i, (name, role, mobile, contact, caller)) in c.people.iter().enumerate() {
            let mut body = json!({ "name": name, "role_title": role, "mobile": mobile,
                "email": format!("{}@{}.example", name.split(' ').next().unwrap_or("x").to_lowercase(), c.name.to_lowercase().replace(' ', "-")),
                "is_coordinator": i == 0 });
            if !contact.is_empty() {
                body["emergency_name"] = json!(contact);
                body["emergency_relation"] = json!("partner");
                body["emergency_phone"] = json!(format!("+31 6 9{:03} {:04}", i, i * 7));
            }
            if let Some(caller) = caller {
                body["caller_id"] = json!(people[*caller]);
            }
            people.push(id(&owner.post(&format!("{base}/people"), body).await?)?);
        }
        let (site_name, address, assembly) = c.site;
        let mut site = json!({ "name": site_name, "address": address, "assembly_point": assembly,
            "evacuation_point": "Dichtstbijzijnde nooduitgang" });
        if c.complete {
            site["safety_plan_ref"] = json!("BHV-plan, rode map bij de ingang");
            site["emergency_numbers"] = json!([{ "label": "Alarmnummer", "number": "112" }, { "label": "Politie (geen spoed)", "number": "0900-8844" }]);
            site["first_responders"] = json!([people[1], people[2]]);
        }
        owner.post(&format!("{base}/sites"), site).await?;
        let plan = owner
            .call(Method::GET, &format!("{base}/plan"), None)
            .await?;
        let processes: Vec<String> = plan["processes"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        for (n, s) in c.systems.iter().enumerate() {
            let linked: Vec<&String> = s
                .processes
                .iter()
                .filter_map(|i| processes.get(*i))
                .collect();
            let made = owner
                .post(
                    &format!("{base}/systems"),
                    json!({ "name": s.name, "kind": s.kind, "criticality": s.criticality,
                        "rpo_minutes": s.rpo, "rto_minutes": s.rto, "owner_person_id": people.get(s.owner),
                        "processes": linked, "procedure": s.procedure, "policy": s.policy }),
                )
                .await?;
            if c.complete && n == 0 && drills.is_empty() {
                drills.push((client.clone(), id(&made)?));
            }
        }
        let review = today + Duration::days(c.review_in_days);
        let mut settings = json!({ "review_due": review.max(today + Duration::days(30)) });
        if c.complete {
            settings["service_desk"] = json!({ "overflow_name": "HelpDesk Midden BV", "overflow_phone": "+31 30 555 0199",
                "switch_when": "Meer dan 10 wachtende bellers, of bellers die langer dan 15 minuten wachten." });
        }
        owner
            .call(Method::PATCH, &format!("{base}/plan"), Some(settings))
            .await?;
        // A client still being onboarded has no backup software reporting yet.
        if c.complete {
            owner
                .post(
                    &format!("{base}/ingest-tokens"),
                    json!({ "name": TELEMETRY_TOKEN }),
                )
                .await?;
        }
        if let Some((email, name)) = c.admin {
            let txn = state.begin_write().await?;
            let u = users::insert_user(&txn, email, name, Some(hash.clone())).await?;
            let client_id: Uuid = client.parse()?;
            users::insert_membership(&txn, u.id, msp_id, Some(client_id), Role::ClientAdmin)
                .await?;
            txn.commit().await?;
            logins.push((email.to_string(), "client admin"));
            if c.complete {
                let admin = Api::signed_in(&router, email).await?;
                admin
                    .post(
                        &format!("{base}/plan/versions"),
                        json!({ "note": "Doorgenomen met de MSP." }),
                    )
                    .await?;
                if review < today {
                    signed_long_ago(state, Scope::machine(msp_id, client_id), review).await?;
                }
            }
        }
    }
    simulate(state, Utc::now() - Duration::days(365), Utc::now()).await?;
    for (client, system) in drills {
        drill(&owner, &client, &system).await?;
    }
    Ok(DemoLogins(logins))
}

/// Last month's call-tree drill, run and closed: the incident pages show what one looks like,
/// with everyone but one reached, the first system recovered from the point before it began,
/// and the lessons kept.
async fn drill(owner: &Api, client: &str, system: &str) -> anyhow::Result<()> {
    let started = Utc::now() - Duration::days(20);
    let incident = id(&owner
        .post(
            &format!("/clients/{client}/incidents"),
            json!({ "title": "Belboomoefening", "scenario": "Brand of ontruiming",
                    "system_ids": [system], "drill": true, "started_at": started }),
        )
        .await?)?;
    let legs = owner
        .post(&format!("/incidents/{incident}/call-tree"), json!({}))
        .await?;
    let legs = legs["legs"].as_array().cloned().unwrap_or_default();
    for leg in legs.iter().take(legs.len().saturating_sub(1)) {
        if let Some(leg) = leg["id"].as_str() {
            owner
                .post(
                    &format!("/incidents/{incident}/calls/{leg}"),
                    json!({ "state": "confirmed" }),
                )
                .await?;
        }
    }
    let view = owner
        .call(Method::GET, &format!("/incidents/{incident}"), None)
        .await?;
    let point = view["systems"][0]["offered_restore_point_at"].clone();
    owner
        .call(
            Method::PATCH,
            &format!("/incidents/{incident}/systems/{system}"),
            Some(json!({ "recovery_started_at": started + Duration::minutes(20),
                         "restore_point_at": point, "recovered_at": started + Duration::minutes(95) })),
        )
        .await?;
    owner
        .post(
            &format!("/incidents/{incident}/close"),
            json!({ "lessons": "Het mobiele nummer van één collega klopte niet meer: bijgewerkt. Herstel van de server binnen de afgesproken tijd." }),
        )
        .await?;
    // The drill as the exercise it was planned as: scored from its call tree, the person not
    // reached becoming an action item; the next exercise, a tabletop, already on the calendar.
    let exercise = id(&owner
        .post(
            &format!("/clients/{client}/exercises"),
            json!({ "kind": "call_tree_drill", "scheduled_for": started.date_naive() }),
        )
        .await?)?;
    owner
        .call(
            Method::PATCH,
            &format!("/exercises/{exercise}"),
            Some(json!({ "state": "done", "incident_id": incident,
                         "findings": [{ "title": "Belboom op papier bij de receptie leggen" }] })),
        )
        .await?;
    owner
        .post(
            &format!("/clients/{client}/exercises"),
            json!({ "kind": "tabletop", "scheduled_for": (Utc::now() + Duration::days(21)).date_naive() }),
        )
        .await?;
    // Its public status page: what its customers would see on a bad day.
    owner
        .call(
            Method::PUT,
            &format!("/clients/{client}/status-page"),
            Some(json!({ "title": "Storingen en onderhoud", "components": [{ "name": "Bestellen en leveren", "system_ids": [system] }] })),
        )
        .await?;
    Ok(())
}

/// Makes the client's only approved version one signed a year before `review_due` (which has
/// passed), as if the client had not looked at its plan since: approving now would set the next
/// review a year ahead.
async fn signed_long_ago(
    state: &AppState,
    scope: Scope,
    review_due: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let version = scope
        .select::<plan_version::Entity>()
        .one(&state.db)
        .await?
        .context("the demo plan has no approved version")?;
    let mut snapshot: Value = serde_json::from_str(&version.snapshot)?;
    snapshot["settings"]["review_due"] = json!(review_due);
    let signed = review_due - Duration::days(365);
    let at = signed
        .and_hms_opt(10, 30, 0)
        .context("a time of day")?
        .and_utc();
    let mut v: plan_version::ActiveModel = version.into();
    v.snapshot = Set(snapshot.to_string());
    v.approved_at = Set(at);
    v.created_at = Set(at);
    v.updated_at = Set(at);
    v.update(&state.db).await?;
    scope
        .update::<plan::Entity>()
        .col_expr(
            plan::Column::ReviewDue,
            sea_orm::sea_query::Expr::value(review_due),
        )
        .col_expr(
            plan::Column::Completeness,
            sea_orm::sea_query::Expr::value(Option::<i32>::None),
        )
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Pseudo-random but fixed per backup: the same event always looks the same, so sending it
/// again is a duplicate, not a second backup.
fn jitter(k: i64, spread: i64) -> i64 {
    let x = (k.wrapping_mul(2_654_435_761) ^ (k >> 3)).rem_euclid(1_000_003);
    x % spread.max(1)
}

/// The demo systems' backups (and restore tests) that finished in `[from, to)`, as ingest events.
fn events(
    s: &DemoSystem,
    system_id: Uuid,
    seeded: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Value> {
    let every = s.policy["interval_minutes"].as_i64().unwrap_or(60).max(1);
    let gb = s.policy["data_gb"].as_i64().unwrap_or(1);
    let (phase, failing_from) = match s.behaviour {
        Behaviour::Healthy { phase } => (phase, None),
        Behaviour::FailingSince { phase, hours } => (phase, Some(seeded - Duration::hours(hours))),
    };
    let anchor = seeded - Duration::minutes(phase);
    let job = s.policy["job_minutes"].as_i64().unwrap_or(10).max(1);
    // Backups reach back `HISTORY_DAYS`; restore tests may be older.
    let backups_from = from.max(seeded - Duration::days(HISTORY_DAYS));
    let first = (backups_from - anchor).num_minutes().div_euclid(every) - 1;
    let last = (to - anchor).num_minutes().div_euclid(every) + 1;
    let mut out = Vec::new();
    for k in first..=last {
        let start = anchor + Duration::minutes(k * every);
        let took = job * 60 + jitter(k, 120);
        let finished = start + Duration::seconds(took);
        if finished < backups_from || finished >= to {
            continue;
        }
        let failed = failing_from.is_some_and(|f| start >= f);
        out.push(if failed {
            json!({ "id": format!("{}-{k}", s.key), "system_id": system_id, "kind": "backup_failed",
                "finished_at": finished, "duration_seconds": took,
                "message": "VSS snapshot failed: the writer 'SqlServerWriter' did not respond (0x800423f4)" })
        } else {
            json!({ "id": format!("{}-{k}", s.key), "system_id": system_id, "kind": "backup_succeeded",
                "restore_point_at": start, "finished_at": finished, "duration_seconds": took,
                "bytes": gb * 1_000_000_000 / 50 + jitter(k, 200_000_000) })
        });
    }
    if let Some((days_ago, minutes)) = s.restore_test {
        let at = seeded - Duration::days(days_ago);
        if at >= from && at < to {
            out.push(json!({ "id": format!("{}-restore-test", s.key), "system_id": system_id,
                "kind": "restore_test_passed", "finished_at": at, "duration_seconds": minutes * 60,
                "message": "Quarterly restore test: system started from backup and checked by its owner" }));
        }
    }
    out
}

/// Sends the demo systems' backups that finished in `[from, to)`. Running it again over the
/// same span sends only duplicates, which ingest ignores.
pub async fn simulate(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let Some(owner) = users::find_by_email(&state.db, OWNER).await? else {
        return Ok(0);
    };
    let demo_msps: Vec<Uuid> = users::memberships_of(&state.db, owner.id)
        .await?
        .into_iter()
        .filter(|m| m.client_id.is_none())
        .map(|m| m.msp_id)
        .collect();
    let mut sent = 0;
    for msp_id in demo_msps {
        let scope = Scope::machine_msp(msp_id);
        for spec in clients() {
            let Some(c) = scope
                .select::<client::Entity>()
                .filter(client::Column::Name.eq(spec.name))
                .one(&state.db)
                .await?
            else {
                continue;
            };
            let scope = Scope::machine(msp_id, c.id);
            let Some(token) = scope
                .select::<ingest_token::Entity>()
                .filter(ingest_token::Column::Name.eq(TELEMETRY_TOKEN))
                .filter(ingest_token::Column::RevokedAt.is_null())
                .one(&state.db)
                .await?
            else {
                continue;
            };
            let systems = scope.select::<system::Entity>().all(&state.db).await?;
            let mut batch = Vec::new();
            for s in &spec.systems {
                if let Some(row) = systems.iter().find(|r| r.name == s.name) {
                    batch.extend(events(s, row.id, c.created_at, from, to));
                }
            }
            for chunk in batch.chunks(app::ssr::service::monitor::ingest::MAX_BATCH) {
                let body = json!({ "events": chunk });
                let parsed = serde_json::from_value(body)?;
                let r =
                    app::ssr::service::monitor::ingest::ingest(state, &token, parsed, Utc::now())
                        .await
                        .map_err(|e| anyhow::anyhow!("demo telemetry for {}: {e}", c.name))?;
                sent += r.accepted;
            }
        }
    }
    Ok(sent)
}

/// While the demo runs: every minute, the backups that finished since the last round.
pub async fn keep_alive(state: AppState) {
    let mut last = Utc::now() - Duration::minutes(5);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = Utc::now();
        match simulate(&state, last, now).await {
            Ok(n) if n > 0 => tracing::info!(events = n, "demo telemetry sent"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "demo telemetry failed"),
        }
        last = now - Duration::minutes(5);
    }
}
