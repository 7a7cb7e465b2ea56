//! Incidents, the pure part: what recovering a system cost against its agreed targets, the call
//! tree's waves, and which customer groups an incident reaches. No I/O; the clock is an argument.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a system's recovery cost, against its agreed targets. `None` where it cannot be said
/// yet: no restore point chosen, not recovered, or no target agreed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// The disruption's start minus the restore point recovered to, in whole minutes rounded up
    /// (a minute begun is data lost).
    pub data_loss_minutes: Option<i64>,
    /// Recovered minus the disruption's start, in whole minutes rounded up.
    pub downtime_minutes: Option<i64>,
    pub rpo_met: Option<bool>,
    pub rto_met: Option<bool>,
    /// Time the system has been down so far while it is not recovered (the live clock).
    pub down_so_far_minutes: Option<i64>,
    /// Past its RTO while still down.
    pub rto_overdue: bool,
}

fn minutes_up(seconds: i64) -> i64 {
    let s = seconds.max(0);
    s / 60 + i64::from(s % 60 != 0)
}

/// The figures of one system's recovery. `started_at` is when the disruption began; a restore
/// point from after it loses nothing; a recovery "before" the start took no time.
pub fn recovery(
    started_at: DateTime<Utc>,
    restore_point_at: Option<DateTime<Utc>>,
    recovered_at: Option<DateTime<Utc>>,
    (rpo_minutes, rto_minutes): (Option<u32>, Option<u32>),
    now: DateTime<Utc>,
) -> Recovery {
    let loss = restore_point_at.map(|rp| (started_at - rp).num_seconds().max(0));
    let down = recovered_at.map(|at| (at - started_at).num_seconds().max(0));
    let so_far = recovered_at
        .is_none()
        .then(|| (now - started_at).num_seconds().max(0));
    let within = |secs: Option<i64>, target: Option<u32>| {
        Some(secs? <= i64::from(target?).saturating_mul(60))
    };
    Recovery {
        data_loss_minutes: loss.map(minutes_up),
        downtime_minutes: down.map(minutes_up),
        rpo_met: within(loss, rpo_minutes),
        rto_met: within(down, rto_minutes),
        down_so_far_minutes: so_far.map(minutes_up),
        rto_overdue: within(so_far, rto_minutes) == Some(false),
    }
}

/// A person as the call tree sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub caller: Option<Uuid>,
    pub coordinator: bool,
}

/// One leg of the call tree: who is to be reached, by whom, in which wave (1 = the
/// coordinators, reached by Lifeline itself; 2 = the people they call; and so on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leg {
    pub person: Uuid,
    pub caller: Option<Uuid>,
    pub wave: u32,
}

/// The legs of a call tree, wave by wave. Someone whose caller is not in the tree (or who has
/// none and is no coordinator) is called by the first coordinator, so nobody is left out; a
/// loop of callers is broken the same way. Without any coordinator the first person leads.
pub fn legs(members: &[Member]) -> Vec<Leg> {
    let lead = members
        .iter()
        .find(|m| m.coordinator)
        .or(members.first())
        .map(|m| m.id);
    let mut wave: HashMap<Uuid, u32> = HashMap::new();
    let mut caller_of: HashMap<Uuid, Option<Uuid>> = HashMap::new();
    for m in members {
        if m.coordinator || Some(m.id) == lead {
            wave.insert(m.id, 1);
            caller_of.insert(m.id, None);
        }
    }
    // Breadth first from the leads: each pass places the people whose caller is placed.
    loop {
        let mut placed = false;
        for m in members {
            if wave.contains_key(&m.id) {
                continue;
            }
            if let Some(w) = m.caller.and_then(|c| wave.get(&c)).copied() {
                wave.insert(m.id, w + 1);
                caller_of.insert(m.id, m.caller);
                placed = true;
            }
        }
        if !placed {
            break;
        }
    }
    // Whoever is left hangs off a missing caller or a loop: the lead calls them.
    for m in members {
        if let std::collections::hash_map::Entry::Vacant(e) = wave.entry(m.id) {
            e.insert(2);
            caller_of.insert(m.id, lead);
        }
    }
    let mut out: Vec<Leg> = members
        .iter()
        .map(|m| Leg {
            person: m.id,
            caller: caller_of.get(&m.id).copied().flatten(),
            wave: wave[&m.id],
        })
        .collect();
    out.sort_by_key(|l| l.wave);
    out
}

/// Who takes over a leg nobody confirmed: the caller's own caller, or the lead when the caller
/// is a lead (or unknown). `None` when the unconfirmed person is a lead themselves: then the
/// incident's coordinator at the MSP is told.
pub fn escalate_to(leg: &Leg, all: &[Leg]) -> Option<Uuid> {
    let caller = leg.caller?;
    let above = all.iter().find(|l| l.person == caller)?;
    above.caller.or(Some(caller)).filter(|p| *p != leg.person)
}

/// The customer groups an incident reaches: those that depend on a process that needs an
/// affected system. `groups` are (group, its processes), `processes` (process, its systems).
pub fn affected_groups(
    systems: &[Uuid],
    processes: &[(Uuid, Vec<Uuid>)],
    groups: &[(Uuid, Vec<Uuid>)],
) -> Vec<(Uuid, Vec<Uuid>)> {
    let hit: HashSet<Uuid> = systems.iter().copied().collect();
    let down: HashSet<Uuid> = processes
        .iter()
        .filter(|(_, needs)| needs.iter().any(|s| hit.contains(s)))
        .map(|(p, _)| *p)
        .collect();
    groups
        .iter()
        .filter_map(|(g, uses)| {
            let reached: Vec<Uuid> = uses.iter().copied().filter(|p| down.contains(p)).collect();
            (!reached.is_empty()).then_some((*g, reached))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
    }

    #[test]
    fn data_loss_is_the_start_minus_the_restore_point_rounded_up() {
        let r = recovery(
            at(12, 0),
            Some(at(11, 0) - chrono::Duration::seconds(30)),
            None,
            (Some(60), Some(240)),
            at(13, 0),
        );
        assert_eq!(r.data_loss_minutes, Some(61));
        assert_eq!(r.rpo_met, Some(false), "61 minutes lost against 60");
        let r = recovery(
            at(12, 0),
            Some(at(11, 0)),
            None,
            (Some(60), None),
            at(13, 0),
        );
        assert_eq!(r.data_loss_minutes, Some(60));
        assert_eq!(r.rpo_met, Some(true), "exactly the target is within it");
        // A point from after the start loses nothing.
        let r = recovery(at(12, 0), Some(at(12, 5)), None, (Some(0), None), at(13, 0));
        assert_eq!((r.data_loss_minutes, r.rpo_met), (Some(0), Some(true)));
    }

    #[test]
    fn downtime_counts_from_the_start_and_the_clock_runs_until_recovered() {
        let targets = (None, Some(240));
        let r = recovery(at(8, 0), None, None, targets, at(11, 59));
        assert_eq!(r.down_so_far_minutes, Some(239));
        assert!(!r.rto_overdue);
        assert_eq!((r.downtime_minutes, r.rto_met), (None, None));
        let r = recovery(at(8, 0), None, None, targets, at(12, 1));
        assert!(r.rto_overdue, "past 4 h and still down");
        let r = recovery(at(8, 0), None, Some(at(12, 30)), targets, at(13, 0));
        assert_eq!((r.downtime_minutes, r.rto_met), (Some(270), Some(false)));
        assert_eq!(r.down_so_far_minutes, None);
        assert!(!r.rto_overdue, "recovered: the clock stopped");
        let r = recovery(at(8, 0), None, Some(at(9, 0)), (None, None), at(13, 0));
        assert_eq!(
            (r.downtime_minutes, r.rto_met),
            (Some(60), None),
            "no target, no verdict"
        );
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn m(n: u128, caller: Option<u128>, coordinator: bool) -> Member {
        Member {
            id: id(n),
            caller: caller.map(id),
            coordinator,
        }
    }

    #[test]
    fn the_call_tree_goes_out_in_waves_and_leaves_nobody_out() {
        let members = [
            m(1, None, true),
            m(2, Some(1), false),
            m(3, Some(1), false),
            m(4, Some(2), false),
            m(5, Some(99), false), // a caller who left the plan
            m(6, Some(7), false),  // a loop
            m(7, Some(6), false),
        ];
        let legs = legs(&members);
        let wave = |n| legs.iter().find(|l| l.person == id(n)).unwrap().wave;
        let caller = |n| legs.iter().find(|l| l.person == id(n)).unwrap().caller;
        assert_eq!((wave(1), caller(1)), (1, None));
        assert_eq!((wave(2), caller(2)), (2, Some(id(1))));
        assert_eq!((wave(4), caller(4)), (3, Some(id(2))));
        for n in [5, 6, 7] {
            assert_eq!((wave(n), caller(n)), (2, Some(id(1))), "person {n}");
        }
        assert_eq!(legs.len(), members.len());
        assert!(legs.windows(2).all(|w| w[0].wave <= w[1].wave));
        // Nobody unconfirmed in wave 3 goes to the caller's caller; a wave-2 leg to the lead.
        let four = legs.iter().find(|l| l.person == id(4)).unwrap();
        assert_eq!(escalate_to(four, &legs), Some(id(1)));
        let two = legs.iter().find(|l| l.person == id(2)).unwrap();
        assert_eq!(escalate_to(two, &legs), Some(id(1)));
        let one = legs.iter().find(|l| l.person == id(1)).unwrap();
        assert_eq!(escalate_to(one, &legs), None);
    }

    #[test]
    fn without_a_coordinator_the_first_person_leads() {
        let legs = legs(&[m(1, None, false), m(2, None, false)]);
        assert_eq!(legs[0].person, id(1));
        assert_eq!(legs[0].wave, 1);
        assert_eq!((legs[1].wave, legs[1].caller), (2, Some(id(1))));
        assert!(super::legs(&[]).is_empty());
    }

    #[test]
    fn customer_groups_are_reached_through_the_processes_that_need_a_system() {
        let (erp, mail, web) = (id(10), id(11), id(12));
        let (invoicing, shop) = (id(20), id(21));
        let processes = [(invoicing, vec![erp, mail]), (shop, vec![web])];
        let (wholesale, consumers) = (id(30), id(31));
        let groups = [(wholesale, vec![invoicing]), (consumers, vec![shop])];
        assert_eq!(
            affected_groups(&[erp], &processes, &groups),
            vec![(wholesale, vec![invoicing])]
        );
        assert_eq!(affected_groups(&[web, mail], &processes, &groups).len(), 2);
        assert!(affected_groups(&[id(99)], &processes, &groups).is_empty());
    }
}
