//! A readable difference between two versions of a plan: what was added, removed or changed,
//! field by field, named the way people name things.
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::model::plan::{Part, PlanContent};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub part: Part,
    pub text: String,
}

/// Keys that are bookkeeping or derived, not content someone approved.
const IGNORED: [&str; 6] = [
    "id",
    "client_id",
    "effective",
    "ping_key",
    "achievable",
    "policy_gaps",
];

/// Every item of both versions by id, so a change names people and systems, not their ids.
type Names = BTreeMap<String, String>;

fn names(plans: [&Value; 2]) -> Names {
    let mut out = Names::new();
    for plan in plans {
        for list in ["sites", "people", "customer_groups", "processes", "systems"] {
            for item in plan[list].as_array().into_iter().flatten() {
                if let Some(id) = item.get("id").and_then(Value::as_str) {
                    out.insert(id.to_string(), name_of(item));
                }
            }
        }
    }
    out
}

/// How a field is called in a change; keys without a name of their own are written out.
fn label(key: &str) -> String {
    match key {
        "rpo_minutes" => "RPO".into(),
        "rto_minutes" => "RTO".into(),
        "caller_id" => "called by".into(),
        "site_id" => "site".into(),
        "owner_person_id" => "owner".into(),
        "is_coordinator" => "coordinator".into(),
        "review_due" => "review date".into(),
        "email_down_rule" => "rule when e-mail is down".into(),
        other => other.replace('_', " "),
    }
}

fn show(key: &str, v: &Value, names: &Names) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => match names.get(s) {
            Some(name) => name.clone(),
            None => format!("“{s}”"),
        },
        Value::Array(a) if a.is_empty() => "—".into(),
        Value::Array(a) => a
            .iter()
            .map(|v| show(key, v, names))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Number(n) if key.ends_with("_minutes") => n
            .as_u64()
            .and_then(|m| u32::try_from(m).ok())
            .map(|m| crate::domain::sla::spoken(crate::i18n::Lang::En, m))
            .unwrap_or_else(|| n.to_string()),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        other => other.to_string(),
    }
}

fn items(list: Value) -> BTreeMap<String, Value> {
    match list {
        Value::Array(a) => a
            .into_iter()
            .filter_map(|v| Some((v.get("id")?.as_str()?.to_string(), v)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn name_of(v: &Value) -> String {
    v.get("name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

fn fields(part: Part, what: &str, old: &Value, new: &Value, names: &Names, out: &mut Vec<Change>) {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return;
    };
    for (k, nv) in n {
        if IGNORED.contains(&k.as_str()) {
            continue;
        }
        let ov = o.get(k).unwrap_or(&Value::Null);
        if ov != nv {
            out.push(Change {
                part,
                text: format!(
                    "{what}: {} {} → {}",
                    label(k),
                    show(k, ov, names),
                    show(k, nv, names)
                ),
            });
        }
    }
}

fn collection(
    part: Part,
    kind: &str,
    old: Value,
    new: Value,
    names: &Names,
    out: &mut Vec<Change>,
) {
    let (old, new) = (items(old), items(new));
    for (id, n) in &new {
        match old.get(id) {
            None => out.push(Change {
                part,
                text: format!("{kind} {} added", name_of(n)),
            }),
            Some(o) => fields(part, &format!("{kind} {}", name_of(n)), o, n, names, out),
        }
    }
    for (id, o) in &old {
        if !new.contains_key(id) {
            out.push(Change {
                part,
                text: format!("{kind} {} removed", name_of(o)),
            });
        }
    }
}

/// What changed from `old` to `new`, in plan order.
pub fn diff(old: &PlanContent, new: &PlanContent) -> Vec<Change> {
    let json = |p: &PlanContent| serde_json::to_value(p).unwrap_or(Value::Null);
    let (mut o, mut n) = (json(old), json(new));
    let names = names([&o, &n]);
    let mut take = |k: &str| (o[k].take(), n[k].take());
    let mut out = Vec::new();
    let (os, ns) = take("settings");
    fields(Part::Staff, "Plan", &os, &ns, &names, &mut out);
    let (a, b) = take("sites");
    collection(Part::Safety, "Site", a, b, &names, &mut out);
    let (a, b) = take("people");
    collection(Part::Staff, "Person", a, b, &names, &mut out);
    let (a, b) = take("customer_groups");
    collection(Part::Customers, "Customer group", a, b, &names, &mut out);
    let (oc, nc) = take("communication");
    for key in ["messages", "service_desk", "talking_points"] {
        if oc[key] != nc[key] {
            out.push(Change {
                part: Part::Customers,
                text: format!("Customers: {} changed", key.replace('_', " ")),
            });
        }
    }
    let (os, ns) = take("scenarios");
    if os != ns {
        out.push(Change {
            part: Part::Safety,
            text: "Scenarios changed".into(),
        });
    }
    let (a, b) = take("processes");
    collection(Part::Recovery, "Process", a, b, &names, &mut out);
    let (a, b) = take("systems");
    collection(Part::Recovery, "System", a, b, &names, &mut out);
    out.sort_by_key(|c| c.part);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{PlanSettings, ProcessView};
    use uuid::Uuid;

    fn plan(processes: Vec<ProcessView>) -> PlanContent {
        PlanContent {
            settings: PlanSettings {
                review_due: None,
                minutes_per_call: 3,
                wave_minutes: 15,
                drill_every_months: 6,
                restore_test_every_months: 3,
                tabletop_every_months: 12,
                max_calls_per_person: 4,
                email_down_rule: String::new(),
            },
            sites: vec![],
            people: vec![],
            processes,
            systems: vec![],
            customer_groups: vec![],
            communication: Default::default(),
            scenarios: vec![],
            sections: vec![],
        }
    }

    fn process(id: Uuid, name: &str, rpo: Option<u32>) -> ProcessView {
        ProcessView {
            id,
            client_id: Uuid::nil(),
            name: name.into(),
            description: String::new(),
            impact_hour: String::new(),
            impact_day: String::new(),
            impact_week: String::new(),
            rto_minutes: Some(240),
            rpo_minutes: rpo,
            systems: vec![],
        }
    }

    #[test]
    fn added_removed_and_changed_read_like_sentences() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let old = plan(vec![
            process(a, "Invoicing", Some(60)),
            process(b, "Payroll", None),
        ]);
        let mut new = plan(vec![
            process(a, "Invoicing", Some(30)),
            process(c, "Webshop", Some(15)),
        ]);
        new.settings.email_down_rule = "Use SMS".into();
        let texts: Vec<String> = diff(&old, &new).into_iter().map(|c| c.text).collect();
        assert!(
            texts.contains(&"Process Invoicing: RPO 60 min → 30 min".to_string()),
            "{texts:?}"
        );
        assert!(texts.contains(&"Process Webshop added".to_string()));
        assert!(texts.contains(&"Process Payroll removed".to_string()));
        assert!(
            texts.contains(&"Plan: rule when e-mail is down — → “Use SMS”".to_string()),
            "{texts:?}"
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn links_name_what_they_point_at_never_an_id() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let old = plan(vec![
            process(a, "Invoicing", Some(60)),
            process(b, "Payroll", Some(60)),
        ]);
        let mut new = old.clone();
        new.customer_groups
            .push(crate::model::plan::CustomerGroupView {
                id: Uuid::from_u128(9),
                client_id: Uuid::nil(),
                name: "Key accounts".into(),
                description: String::new(),
                contact: String::new(),
                processes: vec![],
            });
        let mut newer = new.clone();
        newer.customer_groups[0].processes = vec![a, b];
        let texts: Vec<String> = diff(&new, &newer).into_iter().map(|c| c.text).collect();
        assert_eq!(
            texts,
            ["Customer group Key accounts: processes — → Invoicing, Payroll"]
        );
        assert!(texts.iter().all(|t| !t.contains("0000")), "{texts:?}");
    }
}
