//! Exercises' rules: the kinds, when each kind is due again for a client, and how a call-tree
//! drill is scored from its legs.
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a client practises between incidents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The call tree set going for a drill: how long reaching everyone took, who was not reached.
    CallTreeDrill,
    /// A system restored for real: how long it took, against its RTO.
    RestoreTest,
    /// The plan talked through around a table: which of its steps held.
    Tabletop,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::CallTreeDrill, Kind::RestoreTest, Kind::Tabletop];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CallTreeDrill => "call_tree_drill",
            Kind::RestoreTest => "restore_test",
            Kind::Tabletop => "tabletop",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How often a client does each kind unless its plan says otherwise, in months.
pub fn default_every(kind: Kind) -> u32 {
    match kind {
        Kind::CallTreeDrill => 6,
        Kind::RestoreTest => 3,
        Kind::Tabletop => 12,
    }
}

/// When a kind is due next: its cadence counted from the last time it was done, or from when
/// the plan began for a client that never did it.
pub fn next_due(
    every_months: u32,
    last_done: Option<NaiveDate>,
    plan_began: NaiveDate,
) -> NaiveDate {
    let from = last_done.unwrap_or(plan_began);
    from.checked_add_months(Months::new(every_months.clamp(1, 120)))
        .unwrap_or(NaiveDate::MAX)
}

/// How reaching everyone went in a call tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub people: usize,
    pub reached: usize,
    /// In the order of the legs.
    pub not_reached: Vec<String>,
    /// From the call tree's start to the last confirmation (rounded up), once all confirmed.
    pub minutes_to_reach_all: Option<i64>,
}

/// A leg as the score needs it: whose, and when it was confirmed (`None`: not reached).
pub struct LegOutcome<'a> {
    pub person: &'a str,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub fn reach(started: Option<DateTime<Utc>>, legs: &[LegOutcome<'_>]) -> Reach {
    let not_reached: Vec<String> = legs
        .iter()
        .filter(|l| l.confirmed_at.is_none())
        .map(|l| l.person.to_string())
        .collect();
    let minutes_to_reach_all = match (started, not_reached.is_empty() && !legs.is_empty()) {
        (Some(start), true) => legs
            .iter()
            .filter_map(|l| l.confirmed_at)
            .max()
            .map(|last| ((last - start).num_seconds().max(0) + 59) / 60),
        _ => None,
    };
    Reach {
        people: legs.len(),
        reached: legs.len() - not_reached.len(),
        not_reached,
        minutes_to_reach_all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_kind_is_due_its_cadence_after_it_was_last_done() {
        let began = day(2026, 1, 15);
        assert_eq!(next_due(6, None, began), day(2026, 7, 15));
        assert_eq!(
            next_due(6, Some(day(2026, 5, 31)), began),
            day(2026, 11, 30)
        );
        // Month ends stay month ends; absurd cadences are kept within ten years.
        assert_eq!(next_due(1, Some(day(2026, 1, 31)), began), day(2026, 2, 28));
        assert_eq!(next_due(0, None, began), day(2026, 2, 15));
        assert_eq!(next_due(10_000, None, began), day(2036, 1, 15));
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("fire_drill"), None);
    }

    #[test]
    fn a_drill_is_scored_by_whom_it_reached_and_how_fast() {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let at = |m: i64, s: i64| Some(start + chrono::Duration::seconds(m * 60 + s));
        let all = reach(
            Some(start),
            &[
                LegOutcome {
                    person: "Anna",
                    confirmed_at: at(2, 0),
                },
                LegOutcome {
                    person: "Bert",
                    confirmed_at: at(11, 1),
                },
            ],
        );
        assert_eq!((all.reached, all.minutes_to_reach_all), (2, Some(12)));
        let some = reach(
            Some(start),
            &[
                LegOutcome {
                    person: "Anna",
                    confirmed_at: at(2, 0),
                },
                LegOutcome {
                    person: "Carla",
                    confirmed_at: None,
                },
            ],
        );
        assert_eq!(some.not_reached, ["Carla"]);
        assert_eq!(
            (some.people, some.reached, some.minutes_to_reach_all),
            (2, 1, None)
        );
        assert_eq!(reach(Some(start), &[]).minutes_to_reach_all, None);
    }
}
