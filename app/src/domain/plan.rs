//! Rules of the continuity plan, as pure functions: effective RTO/RPO of a system, the recovery
//! order, and the call tree's reach. Ids are generic so tests can use small numbers.
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

/// How much the business needs a system; declared most critical first, so sorting puts it first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    Critical,
    High,
    Medium,
    Low,
}

impl Criticality {
    pub const ALL: [Criticality; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// RTO and RPO in minutes; `None` where nothing was agreed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub rto_minutes: Option<u32>,
    pub rpo_minutes: Option<u32>,
}

/// A system's targets in force, and whether each came from the processes it supports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub rto_minutes: Option<u32>,
    pub rpo_minutes: Option<u32>,
    pub rto_inherited: bool,
    pub rpo_inherited: bool,
}

/// A target set on the system itself wins; otherwise the strictest of its processes' targets.
pub fn effective_targets(own: Targets, processes: &[Targets]) -> Effective {
    let strictest = |pick: fn(&Targets) -> Option<u32>| processes.iter().filter_map(pick).min();
    let (rto, rto_inherited) = match own.rto_minutes {
        Some(v) => (Some(v), false),
        None => (strictest(|t| t.rto_minutes), true),
    };
    let (rpo, rpo_inherited) = match own.rpo_minutes {
        Some(v) => (Some(v), false),
        None => (strictest(|t| t.rpo_minutes), true),
    };
    Effective {
        rto_minutes: rto,
        rpo_minutes: rpo,
        rto_inherited: rto_inherited && rto.is_some(),
        rpo_inherited: rpo_inherited && rpo.is_some(),
    }
}

pub struct SystemNode<K> {
    pub id: K,
    pub name: String,
    pub criticality: Criticality,
    pub depends_on: Vec<K>,
}

/// The order to recover systems in: each after everything it depends on; among those ready, the
/// most critical first, then by name. A dependency cycle is refused with the names around it.
pub fn recovery_order<K: Copy + Eq + Hash + Ord>(
    nodes: &[SystemNode<K>],
) -> Result<Vec<K>, Vec<String>> {
    let known: BTreeSet<K> = nodes.iter().map(|n| n.id).collect();
    let mut waiting: HashMap<K, BTreeSet<K>> = nodes
        .iter()
        .map(|n| {
            (
                n.id,
                n.depends_on
                    .iter()
                    .copied()
                    .filter(|d| known.contains(d) && *d != n.id)
                    .collect(),
            )
        })
        .collect();
    let by_id: HashMap<K, &SystemNode<K>> = nodes.iter().map(|n| (n.id, n)).collect();
    let mut order = Vec::with_capacity(nodes.len());
    while !waiting.is_empty() {
        let next = waiting
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(id, _)| by_id[id])
            .min_by(|a, b| (a.criticality, &a.name, a.id).cmp(&(b.criticality, &b.name, b.id)))
            .map(|n| n.id);
        let Some(next) = next else {
            return Err(find_cycle(&waiting, &by_id));
        };
        waiting.remove(&next);
        for deps in waiting.values_mut() {
            deps.remove(&next);
        }
        order.push(next);
    }
    Ok(order)
}

/// Walks dependencies from any blocked system until one repeats: that loop is the cycle.
fn find_cycle<K: Copy + Eq + Hash + Ord>(
    waiting: &HashMap<K, BTreeSet<K>>,
    by_id: &HashMap<K, &SystemNode<K>>,
) -> Vec<String> {
    let start = *waiting.keys().min().expect("a blocked system");
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = *waiting[&current]
            .iter()
            .next()
            .expect("blocked systems wait on others");
        if let Some(pos) = path.iter().position(|k| *k == next) {
            let mut names: Vec<String> =
                path[pos..].iter().map(|k| by_id[k].name.clone()).collect();
            names.push(by_id[&next].name.clone());
            return names;
        }
        path.push(next);
        current = next;
    }
}

pub struct CallNode<K> {
    pub id: K,
    pub name: String,
    /// Who calls this person; `None` for the coordinator (and for anyone not yet placed).
    pub caller: Option<K>,
    pub is_coordinator: bool,
    pub has_phone: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallTreeIssue {
    NoCoordinator,
    SeveralCoordinators {
        names: Vec<String>,
    },
    Unreached {
        names: Vec<String>,
    },
    Cycle {
        names: Vec<String>,
    },
    CallerWithoutPhone {
        name: String,
    },
    TooManyCalls {
        name: String,
        calls: usize,
        max: usize,
    },
}

impl CallTreeIssue {
    /// Warnings point at a weakness; the others make the tree fail to reach people.
    pub fn is_warning(&self) -> bool {
        matches!(self, CallTreeIssue::TooManyCalls { .. })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTreeReport {
    pub issues: Vec<CallTreeIssue>,
    /// Levels below the coordinator.
    pub depth: u32,
    pub minutes_per_call: u32,
    /// Worst case when every caller makes their calls one after another.
    pub estimate_minutes: u32,
    pub reached: usize,
    pub people: usize,
}

/// Checks that the coordinator reaches everyone exactly once through callers with a phone, and
/// estimates how long that takes.
pub fn check_call_tree<K: Copy + Eq + Hash + Ord>(
    nodes: &[CallNode<K>],
    minutes_per_call: u32,
    max_calls: usize,
) -> CallTreeReport {
    let mut issues = Vec::new();
    let by_id: HashMap<K, &CallNode<K>> = nodes.iter().map(|n| (n.id, n)).collect();
    let coordinators: Vec<&CallNode<K>> = nodes.iter().filter(|n| n.is_coordinator).collect();
    match coordinators.len() {
        0 if !nodes.is_empty() => issues.push(CallTreeIssue::NoCoordinator),
        0 | 1 => {}
        _ => issues.push(CallTreeIssue::SeveralCoordinators {
            names: coordinators.iter().map(|n| n.name.clone()).collect(),
        }),
    }

    let mut callees: BTreeMap<K, Vec<&CallNode<K>>> = BTreeMap::new();
    for n in nodes {
        if let Some(c) = n
            .caller
            .filter(|c| by_id.contains_key(c) && !n.is_coordinator)
        {
            callees.entry(c).or_default().push(n);
        }
    }
    for list in callees.values_mut() {
        list.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    }

    // Walk from the coordinator(s): minutes until each person is reached.
    let mut reached_at: HashMap<K, (u32, u32)> = HashMap::new(); // id -> (depth, minutes)
    let mut stack: Vec<(K, u32, u32)> = coordinators.iter().map(|c| (c.id, 0, 0)).collect();
    while let Some((id, depth, at)) = stack.pop() {
        if reached_at.contains_key(&id) {
            continue;
        }
        reached_at.insert(id, (depth, at));
        for (i, callee) in callees.get(&id).into_iter().flatten().enumerate() {
            stack.push((callee.id, depth + 1, at + (i as u32 + 1) * minutes_per_call));
        }
    }

    let mut seen_in_cycle = BTreeSet::new();
    for n in nodes {
        if reached_at.contains_key(&n.id) || seen_in_cycle.contains(&n.id) {
            continue;
        }
        // Follow callers upwards; a repeat means a loop that no coordinator reaches.
        let mut path = vec![n.id];
        let mut cur = n.caller;
        while let Some(c) = cur.filter(|c| by_id.contains_key(c)) {
            if let Some(pos) = path.iter().position(|k| *k == c) {
                let ring: Vec<K> = path[pos..].to_vec();
                if ring.iter().all(|k| seen_in_cycle.insert(*k)) {
                    let mut names: Vec<String> =
                        ring.iter().rev().map(|k| by_id[k].name.clone()).collect();
                    names.push(names[0].clone());
                    issues.push(CallTreeIssue::Cycle { names });
                }
                break;
            }
            if reached_at.contains_key(&c) {
                break;
            }
            path.push(c);
            cur = by_id[&c].caller;
        }
    }
    let unreached: Vec<String> = nodes
        .iter()
        .filter(|n| !reached_at.contains_key(&n.id) && !seen_in_cycle.contains(&n.id))
        .map(|n| n.name.clone())
        .collect();
    if !unreached.is_empty() && !coordinators.is_empty() {
        issues.push(CallTreeIssue::Unreached { names: unreached });
    }

    for (caller, list) in &callees {
        let n = by_id[caller];
        if !n.has_phone {
            issues.push(CallTreeIssue::CallerWithoutPhone {
                name: n.name.clone(),
            });
        }
        if list.len() > max_calls {
            issues.push(CallTreeIssue::TooManyCalls {
                name: n.name.clone(),
                calls: list.len(),
                max: max_calls,
            });
        }
    }

    CallTreeReport {
        depth: reached_at.values().map(|r| r.0).max().unwrap_or(0),
        estimate_minutes: reached_at.values().map(|r| r.1).max().unwrap_or(0),
        minutes_per_call,
        reached: reached_at.len(),
        people: nodes.len(),
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rto: Option<u32>, rpo: Option<u32>) -> Targets {
        Targets {
            rto_minutes: rto,
            rpo_minutes: rpo,
        }
    }

    #[test]
    fn system_inherits_the_strictest_process_target() {
        let e = effective_targets(
            t(None, None),
            &[
                t(Some(240), Some(60)),
                t(Some(60), Some(1440)),
                t(None, None),
            ],
        );
        assert_eq!((e.rto_minutes, e.rpo_minutes), (Some(60), Some(60)));
        assert!(e.rto_inherited && e.rpo_inherited);
    }

    #[test]
    fn a_target_on_the_system_wins_even_when_looser() {
        let e = effective_targets(t(Some(480), None), &[t(Some(60), Some(15))]);
        assert_eq!((e.rto_minutes, e.rpo_minutes), (Some(480), Some(15)));
        assert!(!e.rto_inherited && e.rpo_inherited);
    }

    #[test]
    fn no_targets_anywhere_stays_unknown() {
        let e = effective_targets(t(None, None), &[]);
        assert_eq!(e, Effective::default());
    }

    fn sys(id: u32, name: &str, c: Criticality, deps: &[u32]) -> SystemNode<u32> {
        SystemNode {
            id,
            name: name.into(),
            criticality: c,
            depends_on: deps.to_vec(),
        }
    }

    #[test]
    fn recovery_follows_dependencies_then_criticality() {
        use Criticality::*;
        let nodes = [
            sys(1, "ERP", Critical, &[2, 3]),
            sys(2, "Database", High, &[4]),
            sys(3, "File server", Low, &[4]),
            sys(4, "Network", Medium, &[]),
            sys(5, "Webshop", Critical, &[]),
            sys(6, "Intranet", Low, &[99]), // unknown dependency: ignored
        ];
        assert_eq!(recovery_order(&nodes).unwrap(), vec![5, 4, 2, 3, 1, 6]);
    }

    #[test]
    fn dependency_cycles_are_named() {
        use Criticality::*;
        let nodes = [
            sys(1, "A", High, &[2]),
            sys(2, "B", High, &[3]),
            sys(3, "C", High, &[1]),
            sys(4, "D", Low, &[]),
        ];
        let cycle = recovery_order(&nodes).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
        for n in ["A", "B", "C"] {
            assert!(cycle.contains(&n.to_string()), "{cycle:?}");
        }
        assert!(
            recovery_order(&[sys(1, "Self", Low, &[1])]).is_ok(),
            "a self-reference is no cycle"
        );
    }

    fn person(id: u32, name: &str, caller: Option<u32>, coord: bool, phone: bool) -> CallNode<u32> {
        CallNode {
            id,
            name: name.into(),
            caller,
            is_coordinator: coord,
            has_phone: phone,
        }
    }

    #[test]
    fn a_good_tree_reaches_everyone_with_an_estimate() {
        let nodes = [
            person(1, "Coordinator", None, true, true),
            person(2, "Anna", Some(1), false, true),
            person(3, "Bram", Some(1), false, true),
            person(4, "Cas", Some(2), false, true),
            person(5, "Dirk", Some(2), false, false),
        ];
        let r = check_call_tree(&nodes, 3, 4);
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        assert_eq!((r.depth, r.reached, r.people), (2, 5, 5));
        // Anna is called first (3 min), then calls Cas (6) and Dirk (9).
        assert_eq!(r.estimate_minutes, 9);
    }

    #[test]
    fn gaps_cycles_and_phoneless_callers_are_reported() {
        let nodes = [
            person(1, "Coordinator", None, true, true),
            person(2, "Anna", Some(1), false, false),
            person(3, "Bram", Some(2), false, true),
            person(4, "Eve", None, false, true),
            person(5, "Fay", Some(6), false, true),
            person(6, "Gus", Some(5), false, true),
        ];
        let r = check_call_tree(&nodes, 3, 4);
        assert!(r.issues.contains(&CallTreeIssue::CallerWithoutPhone {
            name: "Anna".into()
        }));
        assert!(
            r.issues.contains(&CallTreeIssue::Unreached {
                names: vec!["Eve".into()]
            }),
            "{:?}",
            r.issues
        );
        assert!(r.issues.iter().any(|i| matches!(i, CallTreeIssue::Cycle { names } if names.contains(&"Fay".to_string()) && names.contains(&"Gus".to_string()))));
        assert_eq!(r.reached, 3);
    }

    #[test]
    fn coordinator_problems_and_overload() {
        let none = check_call_tree(&[person(1, "A", None, false, true)], 3, 4);
        assert_eq!(none.issues, vec![CallTreeIssue::NoCoordinator]);
        let two = check_call_tree(
            &[
                person(1, "A", None, true, true),
                person(2, "B", None, true, true),
            ],
            3,
            4,
        );
        assert!(
            matches!(&two.issues[0], CallTreeIssue::SeveralCoordinators { names } if names.len() == 2)
        );
        let mut nodes = vec![person(1, "Boss", None, true, true)];
        nodes.extend((2..=7).map(|i| person(i, &format!("P{i}"), Some(1), false, true)));
        let r = check_call_tree(&nodes, 2, 4);
        assert_eq!(
            r.issues,
            vec![CallTreeIssue::TooManyCalls {
                name: "Boss".into(),
                calls: 6,
                max: 4
            }]
        );
        assert!(r.issues[0].is_warning());
        assert_eq!(r.estimate_minutes, 12);
        assert!(check_call_tree::<u32>(&[], 3, 4).issues.is_empty());
    }
}
