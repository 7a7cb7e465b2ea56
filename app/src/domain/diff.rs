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

fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => format!("“{s}”"),
        Value::Array(a) if a.is_empty() => "—".into(),
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

fn fields(part: Part, label: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
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
                text: format!("{label}: {k} {} → {}", show(ov), show(nv)),
            });
        }
    }
}

fn collection(part: Part, kind: &str, old: Value, new: Value, out: &mut Vec<Change>) {
    let (old, new) = (items(old), items(new));
    for (id, n) in &new {
        match old.get(id) {
            None => out.push(Change {
                part,
                text: format!("{kind} {} added", name_of(n)),
            }),
            Some(o) => fields(part, &format!("{kind} {}", name_of(n)), o, n, out),
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
    let mut take = |k: &str| (o[k].take(), n[k].take());
    let mut out = Vec::new();
    let (os, ns) = take("settings");
    fields(Part::Staff, "Plan", &os, &ns, &mut out);
    let (a, b) = take("sites");
    collection(Part::Safety, "Site", a, b, &mut out);
    let (a, b) = take("people");
    collection(Part::Staff, "Person", a, b, &mut out);
    let (a, b) = take("customer_groups");
    collection(Part::Customers, "Customer group", a, b, &mut out);
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
    collection(Part::Recovery, "Process", a, b, &mut out);
    let (a, b) = take("systems");
    collection(Part::Recovery, "System", a, b, &mut out);
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
            texts.contains(&"Process Invoicing: rpo_minutes 60 → 30".to_string()),
            "{texts:?}"
        );
        assert!(texts.contains(&"Process Webshop added".to_string()));
        assert!(texts.contains(&"Process Payroll removed".to_string()));
        assert!(
            texts.contains(&"Plan: email_down_rule — → “Use SMS”".to_string()),
            "{texts:?}"
        );
        assert!(diff(&new, &new).is_empty());
    }
}
