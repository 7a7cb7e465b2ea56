//! An offer's life: drafted by the MSP, sent to the client's admins, viewed, then accepted or
//! declined by a client admin, or expired when its `valid_until` passes unanswered. Pure: the
//! state in force is worked out from the stored state and the clock, as RPO states are, so an
//! offer expires without anything having to run at that moment.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    Draft,
    Sent,
    Viewed,
    Accepted,
    Declined,
    Expired,
}

impl OfferState {
    pub const ALL: [OfferState; 6] = [
        OfferState::Draft,
        OfferState::Sent,
        OfferState::Viewed,
        OfferState::Accepted,
        OfferState::Declined,
        OfferState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Draft => "draft",
            OfferState::Sent => "sent",
            OfferState::Viewed => "viewed",
            OfferState::Accepted => "accepted",
            OfferState::Declined => "declined",
            OfferState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<OfferState> {
        OfferState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Waiting for the client's answer.
    pub fn is_open(self) -> bool {
        matches!(self, OfferState::Sent | OfferState::Viewed)
    }
}

/// What can happen to an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Send,
    View,
    Accept,
    Decline,
}

pub const NOT_SENT: &str = "this offer has not been sent yet";
pub const ALREADY_SENT: &str = "this offer was already sent";
pub const DECIDED: &str = "this offer was already answered";
pub const EXPIRED: &str = "this offer has expired";

/// The state in force at `now`: an offer still open when its validity ends has expired.
pub fn in_force(stored: OfferState, valid_until: DateTime<Utc>, now: DateTime<Utc>) -> OfferState {
    if stored.is_open() && now >= valid_until {
        OfferState::Expired
    } else {
        stored
    }
}

/// The state after `step`, or why the step cannot be taken. Viewing is not a decision: an offer
/// already viewed, answered or expired stays as it is (`Ok` with the same state).
pub fn next(
    stored: OfferState,
    step: Step,
    valid_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<OfferState, &'static str> {
    let state = in_force(stored, valid_until, now);
    match (step, state) {
        (Step::Send, OfferState::Draft) if now >= valid_until => Err(EXPIRED),
        (Step::Send, OfferState::Draft) => Ok(OfferState::Sent),
        (Step::Send, _) => Err(ALREADY_SENT),
        (Step::View, OfferState::Sent) => Ok(OfferState::Viewed),
        (Step::View, s) => Ok(s),
        (Step::Accept | Step::Decline, OfferState::Draft) => Err(NOT_SENT),
        (Step::Accept | Step::Decline, OfferState::Expired) => Err(EXPIRED),
        (Step::Accept | Step::Decline, OfferState::Accepted | OfferState::Declined) => Err(DECIDED),
        (Step::Accept, _) => Ok(OfferState::Accepted),
        (Step::Decline, _) => Ok(OfferState::Declined),
    }
}

/// A subscription as the revenue sees it: from when to when (open-ended while running) and what
/// it brings per month.
#[derive(Clone, Debug, PartialEq)]
pub struct Revenue {
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub monthly_cents: i64,
}

/// The monthly recurring revenue at each of `moments` (the ends of months, say): the sum of what
/// every subscription running at that moment brings per month.
pub fn mrr_at(subscriptions: &[Revenue], moments: &[DateTime<Utc>]) -> Vec<i64> {
    moments
        .iter()
        .map(|at| {
            subscriptions
                .iter()
                .filter(|s| s.started_at <= *at && s.ended_at.is_none_or(|e| e > *at))
                .map(|s| s.monthly_cents.max(0))
                .fold(0i64, i64::saturating_add)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn mrr_counts_what_runs_at_each_moment() {
        let subs = [
            Revenue {
                started_at: at(0),
                ended_at: None,
                monthly_cents: 4_500,
            },
            Revenue {
                started_at: at(10),
                ended_at: Some(at(20)),
                monthly_cents: 9_500,
            },
            Revenue {
                started_at: at(30),
                ended_at: None,
                monthly_cents: i64::MAX,
            },
        ];
        assert_eq!(
            mrr_at(&subs, &[at(-1), at(0), at(15), at(20), at(25)]),
            [0, 4_500, 14_000, 4_500, 4_500]
        );
        // Never overflows.
        assert_eq!(mrr_at(&subs, &[at(31)]), [i64::MAX]);
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn an_offer_goes_from_draft_through_sent_and_viewed_to_an_answer() {
        let until = at(24 * 30);
        let sent = next(OfferState::Draft, Step::Send, until, at(0)).unwrap();
        assert_eq!(sent, OfferState::Sent);
        let viewed = next(sent, Step::View, until, at(1)).unwrap();
        assert_eq!(viewed, OfferState::Viewed);
        assert_eq!(
            next(viewed, Step::Accept, until, at(2)),
            Ok(OfferState::Accepted)
        );
        assert_eq!(
            next(sent, Step::Decline, until, at(2)),
            Ok(OfferState::Declined)
        );
    }

    #[test]
    fn the_clock_expires_an_unanswered_offer_and_nothing_can_be_done_with_it() {
        let until = at(10);
        assert_eq!(
            in_force(OfferState::Viewed, until, at(9)),
            OfferState::Viewed
        );
        assert_eq!(
            in_force(OfferState::Viewed, until, at(10)),
            OfferState::Expired
        );
        assert_eq!(
            in_force(OfferState::Sent, until, at(11)),
            OfferState::Expired
        );
        // A draft or an answered offer does not expire: it was never open, or is settled.
        assert_eq!(
            in_force(OfferState::Draft, until, at(11)),
            OfferState::Draft
        );
        assert_eq!(
            in_force(OfferState::Accepted, until, at(11)),
            OfferState::Accepted
        );
        assert_eq!(
            next(OfferState::Sent, Step::Accept, until, at(10)),
            Err(EXPIRED)
        );
        assert_eq!(
            next(OfferState::Draft, Step::Send, until, at(10)),
            Err(EXPIRED)
        );
        assert_eq!(
            next(OfferState::Sent, Step::View, until, at(12)),
            Ok(OfferState::Expired)
        );
    }

    #[test]
    fn an_answer_is_given_once_and_only_to_a_sent_offer() {
        let until = at(100);
        assert_eq!(
            next(OfferState::Draft, Step::Accept, until, at(0)),
            Err(NOT_SENT)
        );
        assert_eq!(
            next(OfferState::Accepted, Step::Decline, until, at(0)),
            Err(DECIDED)
        );
        assert_eq!(
            next(OfferState::Declined, Step::Accept, until, at(0)),
            Err(DECIDED)
        );
        assert_eq!(
            next(OfferState::Sent, Step::Send, until, at(0)),
            Err(ALREADY_SENT)
        );
        assert_eq!(
            next(OfferState::Accepted, Step::View, until, at(0)),
            Ok(OfferState::Accepted)
        );
        for s in OfferState::ALL {
            assert_eq!(OfferState::parse(s.as_str()), Some(s));
        }
    }
}
