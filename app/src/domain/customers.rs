//! The customer part's rules: placeholders in message templates, and which processes and customer
//! groups an incident reaches from the systems that are down.
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

use crate::model::plan::PlanContent;

/// What a message template may refer to; filled in when the incident is real.
pub const PLACEHOLDERS: [&str; 6] = [
    "client",
    "incident",
    "affected",
    "started_at",
    "next_update",
    "contact",
];

/// The `{names}` in a text, in order of appearance.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Placeholders the text uses that do not exist (a typo would reach customers as-is).
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = placeholders(text)
        .filter(|p| !PLACEHOLDERS.contains(p))
        .map(|p| format!("{{{p}}}"))
        .collect();
    out.dedup();
    out
}

/// The text with each known `{placeholder}` replaced; unknown ones stay visible.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// The systems named down and every system that needs one of them, directly or not.
    pub systems: Vec<Uuid>,
    pub processes: Vec<Uuid>,
    pub customer_groups: Vec<Uuid>,
}

/// What an outage of `down` reaches: dependent systems, the processes they support, and the
/// customer groups whose operations need those processes. Lists keep plan order.
pub fn impact(plan: &PlanContent, down: &[Uuid]) -> Impact {
    let mut out: HashSet<Uuid> = down.iter().copied().collect();
    // Spread along "depends on" until nothing new falls over.
    loop {
        let more: Vec<Uuid> = plan
            .systems
            .iter()
            .filter(|s| !out.contains(&s.id) && s.depends_on.iter().any(|d| out.contains(d)))
            .map(|s| s.id)
            .collect();
        if more.is_empty() {
            break;
        }
        out.extend(more);
    }
    let systems: Vec<Uuid> = plan
        .systems
        .iter()
        .map(|s| s.id)
        .filter(|id| out.contains(id))
        .collect();
    let processes: Vec<Uuid> = plan
        .processes
        .iter()
        .filter(|p| p.systems.iter().any(|s| out.contains(s)))
        .map(|p| p.id)
        .collect();
    let hit: HashSet<&Uuid> = processes.iter().collect();
    let customer_groups = plan
        .customer_groups
        .iter()
        .filter(|g| g.processes.iter().any(|p| hit.contains(p)))
        .map(|g| g.id)
        .collect();
    Impact {
        systems,
        processes,
        customer_groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::{Criticality, Effective};
    use crate::model::plan::{
        CustomerGroupView, PlanSettings, ProcessView, SystemKind, SystemView,
    };

    fn system(id: u128, depends_on: &[u128]) -> SystemView {
        SystemView {
            id: Uuid::from_u128(id),
            client_id: Uuid::nil(),
            name: format!("s{id}"),
            kind: SystemKind::Server,
            criticality: Criticality::High,
            rto_minutes: None,
            rpo_minutes: None,
            effective: Effective::default(),
            owner_person_id: None,
            depends_on: depends_on.iter().map(|d| Uuid::from_u128(*d)).collect(),
            processes: vec![],
            procedure: vec![],
            ping_key: None,
            policy: None,
            achievable: None,
            policy_gaps: vec![],
        }
    }

    fn process(id: u128, systems: &[u128]) -> ProcessView {
        ProcessView {
            id: Uuid::from_u128(id),
            client_id: Uuid::nil(),
            name: format!("p{id}"),
            description: String::new(),
            impact_hour: String::new(),
            impact_day: String::new(),
            impact_week: String::new(),
            rto_minutes: None,
            rpo_minutes: None,
            systems: systems.iter().map(|s| Uuid::from_u128(*s)).collect(),
        }
    }

    fn group(id: u128, processes: &[u128]) -> CustomerGroupView {
        CustomerGroupView {
            id: Uuid::from_u128(id),
            client_id: Uuid::nil(),
            name: format!("g{id}"),
            description: String::new(),
            contact: String::new(),
            processes: processes.iter().map(|p| Uuid::from_u128(*p)).collect(),
        }
    }

    fn plan() -> PlanContent {
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
            // 1 database ← 2 ERP ← 3 webshop; 4 mail stands alone.
            systems: vec![
                system(1, &[]),
                system(2, &[1]),
                system(3, &[2]),
                system(4, &[]),
            ],
            processes: vec![process(10, &[3]), process(11, &[4])],
            customer_groups: vec![group(20, &[10]), group(21, &[11])],
            communication: Default::default(),
            scenarios: vec![],
            sections: vec![],
        }
    }

    #[test]
    fn an_outage_reaches_dependents_their_processes_and_customers() {
        let i = impact(&plan(), &[Uuid::from_u128(1)]);
        assert_eq!(i.systems, [1, 2, 3].map(Uuid::from_u128));
        assert_eq!(i.processes, vec![Uuid::from_u128(10)]);
        assert_eq!(i.customer_groups, vec![Uuid::from_u128(20)]);
        let none = impact(&plan(), &[]);
        assert!(none.systems.is_empty() && none.customer_groups.is_empty());
    }

    #[test]
    fn unknown_placeholders_are_named_and_known_ones_filled() {
        assert_eq!(
            unknown_placeholders("Dear {client}, {incidnet} at {started_at}"),
            vec!["{incidnet}"]
        );
        assert!(unknown_placeholders("no placeholders").is_empty());
        assert_eq!(
            fill(
                "{client}: {incident}",
                &[("client", "Acme"), ("incident", "mail down")]
            ),
            "Acme: mail down"
        );
    }
}
