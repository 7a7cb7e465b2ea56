//! Backup SLAs as pure rules: what a backup policy can achieve (RPO/RTO), the gap to the agreed
//! targets in words a client understands, and the live state of a system from its telemetry.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Tape,
    /// File or agent backup to disk.
    AgentToDisk,
    /// Image-based backup with recovery in place (the VM runs from the backup image).
    ImageInstant,
    ContinuousReplication,
    /// An on-premises appliance that replicates to a cloud where the system can be started.
    Draas,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Self::Tape,
        Self::AgentToDisk,
        Self::ImageInstant,
        Self::ContinuousReplication,
        Self::Draas,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tape => "tape",
            Self::AgentToDisk => "agent_to_disk",
            Self::ImageInstant => "image_instant",
            Self::ContinuousReplication => "continuous_replication",
            Self::Draas => "draas",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How a system is protected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub method: Method,
    /// Minutes between backups (snapshots, jobs); for continuous replication the usual lag.
    pub interval_minutes: u32,
    /// How long a job runs before its restore point is safe.
    pub job_minutes: u32,
    /// Minutes between copies leaving the site; `None`: nothing leaves the site.
    pub offsite_interval_minutes: Option<u32>,
    pub retention_days: u32,
    pub data_gb: u32,
    /// Restore throughput in MB/s; `None` uses the method's typical figure.
    pub restore_mb_per_s: Option<u32>,
}

/// Typical figures behind the estimates; stated so the client can see where a number comes from.
pub const TAPE_RETRIEVAL_MINUTES: u32 = 240;
pub const TAPE_MB_PER_S: u32 = 150;
pub const DISK_MB_PER_S: u32 = 200;
pub const RESTORE_SETUP_MINUTES: u32 = 30;
pub const INSTANT_RECOVERY_MINUTES: u32 = 15;
pub const REPLICA_FAILOVER_MINUTES: u32 = 5;
pub const CLOUD_FAILOVER_MINUTES: u32 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Achievable {
    /// Worst-case data loss when the system fails but the site stands.
    pub rpo_minutes: u32,
    /// Worst-case data loss when the site is lost (fire, flood); `None`: everything is lost.
    pub site_loss_rpo_minutes: Option<u32>,
    /// Estimated time to have the system running again.
    pub rto_minutes: u32,
}

fn transfer_minutes(data_gb: u32, mb_per_s: u32) -> u32 {
    let seconds = u64::from(data_gb) * 1024 / u64::from(mb_per_s.max(1));
    u32::try_from(seconds.div_ceil(60)).unwrap_or(u32::MAX)
}

/// `t` moved by `seconds`, stopping at the ends of the calendar rather than overflowing: the
/// rules below take figures from outside (targets, job durations) and must never panic on them.
pub fn shifted(t: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let delta = chrono::TimeDelta::try_seconds(seconds).unwrap_or(if seconds < 0 {
        chrono::TimeDelta::MIN
    } else {
        chrono::TimeDelta::MAX
    });
    t.checked_add_signed(delta).unwrap_or(if seconds < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// Figures a real backup job can have: interval and off-site interval from a minute to a year, a
/// job of at most a week, at most 100 years kept and 10 PB of data, at least 1 MB/s restored.
pub fn plausible(p: &Policy) -> bool {
    (1..=525_600).contains(&p.interval_minutes)
        && p.job_minutes <= 10_080
        && p.offsite_interval_minutes
            .is_none_or(|o| (1..=525_600).contains(&o))
        && p.retention_days <= 36_500
        && p.data_gb <= 10_000_000
        && p.restore_mb_per_s.is_none_or(|t| t >= 1)
}

/// What a policy can achieve at worst: the restore point can be one interval plus one job old
/// when disaster strikes just before the next job finishes.
pub fn achievable(p: &Policy) -> Achievable {
    let rpo = p.interval_minutes.saturating_add(p.job_minutes);
    let site_loss = match (p.method, p.offsite_interval_minutes) {
        // The replica is the off-site copy.
        (Method::ContinuousReplication | Method::Draas, off) => Some(
            off.unwrap_or(p.interval_minutes)
                .saturating_add(p.job_minutes),
        ),
        (_, Some(off)) => Some(off.max(p.interval_minutes).saturating_add(p.job_minutes)),
        (_, None) => None,
    };
    let rto = match p.method {
        Method::Tape => TAPE_RETRIEVAL_MINUTES.saturating_add(transfer_minutes(
            p.data_gb,
            p.restore_mb_per_s.unwrap_or(TAPE_MB_PER_S),
        )),
        Method::AgentToDisk => RESTORE_SETUP_MINUTES.saturating_add(transfer_minutes(
            p.data_gb,
            p.restore_mb_per_s.unwrap_or(DISK_MB_PER_S),
        )),
        Method::ImageInstant => INSTANT_RECOVERY_MINUTES,
        Method::ContinuousReplication => REPLICA_FAILOVER_MINUTES,
        Method::Draas => CLOUD_FAILOVER_MINUTES,
    };
    Achievable {
        rpo_minutes: rpo,
        site_loss_rpo_minutes: site_loss,
        rto_minutes: rto,
    }
}

/// Minutes as a client reads them: "45 min", "4 h", "3 days".
pub fn spoken(lang: Lang, minutes: u32) -> String {
    let (day, days, h) = match lang {
        Lang::En => ("day", "days", "h"),
        Lang::Nl => ("dag", "dagen", "u"),
    };
    match minutes {
        1440 => format!("1 {day}"),
        m if m >= 1440 && m % 1440 == 0 => format!("{} {days}", m / 1440),
        m if m < 120 => format!("{m} min"),
        m if m < 2 * 1440 => format!("{} {h}", (m as f64 / 60.0).round()),
        m => format!("{} {days}", (m as f64 / 1440.0).round()),
    }
}

/// Where a policy falls short of the agreed targets, one sentence each; empty when it meets them.
pub fn gaps(
    lang: Lang,
    p: &Policy,
    rpo_target: Option<u32>,
    rto_target: Option<u32>,
) -> Vec<String> {
    let a = achievable(p);
    let mut out = Vec::new();
    if let Some(t) = rpo_target {
        if a.rpo_minutes > t {
            out.push(match lang {
                Lang::En => format!(
                    "A backup every {} can lose up to {} of data; you agreed {}.",
                    spoken(lang, p.interval_minutes),
                    spoken(lang, a.rpo_minutes),
                    spoken(lang, t)
                ),
                Lang::Nl => format!(
                    "Een back-up elke {} kan tot {} aan gegevens verliezen; afgesproken is {}.",
                    spoken(lang, p.interval_minutes),
                    spoken(lang, a.rpo_minutes),
                    spoken(lang, t)
                ),
            });
        }
        match a.site_loss_rpo_minutes {
            None => out.push(match lang {
                Lang::En => "No copy leaves the site: a fire or flood there loses all data.".to_string(),
                Lang::Nl => "Er gaat geen kopie de deur uit: bij brand of water op de locatie zijn alle gegevens weg.".to_string(),
            }),
            Some(s) if s > t => out.push(match lang {
                Lang::En => format!("If the site is lost, up to {} of data is lost; you agreed {}.", spoken(lang, s), spoken(lang, t)),
                Lang::Nl => format!("Gaat de locatie verloren, dan is tot {} aan gegevens weg; afgesproken is {}.", spoken(lang, s), spoken(lang, t)),
            }),
            Some(_) => {}
        }
    }
    if let Some(t) = rto_target {
        if a.rto_minutes > t {
            out.push(match lang {
                Lang::En => format!(
                    "Restoring takes about {}; you agreed {}.",
                    spoken(lang, a.rto_minutes),
                    spoken(lang, t)
                ),
                Lang::Nl => format!(
                    "Herstellen duurt ongeveer {}; afgesproken is {}.",
                    spoken(lang, a.rto_minutes),
                    spoken(lang, t)
                ),
            });
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Ok,
    Unknown,
    AtRisk,
    Breached,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Unknown => "unknown",
            Self::AtRisk => "at_risk",
            Self::Breached => "breached",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ok, Self::Unknown, Self::AtRisk, Self::Breached]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// At risk from this share of the target onwards (percent).
pub const AT_RISK_PERCENT: i64 = 80;

/// The RPO state from the newest good restore point; without a target nothing can be breached.
pub fn rpo_state(
    newest_good: Option<DateTime<Utc>>,
    target_seconds: Option<i64>,
    now: DateTime<Utc>,
) -> State {
    let (Some(point), Some(target)) = (newest_good, target_seconds) else {
        return State::Unknown;
    };
    let exposure = (now - point).num_seconds().max(0);
    if exposure > target {
        State::Breached
    } else if exposure.saturating_mul(100) >= target.saturating_mul(AT_RISK_PERCENT) {
        State::AtRisk
    } else {
        State::Ok
    }
}

/// The moments the clock moves an RPO state: at risk from the first, breached from the second
/// (exactly where `rpo_state` turns). `None` without a restore point or a target.
pub fn rpo_thresholds(
    newest_good: Option<DateTime<Utc>>,
    target_seconds: Option<i64>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (point, target) = (newest_good?, target_seconds?);
    // Rounded up in i128, as `target * 80` would overflow for the largest targets.
    let risk = (i128::from(target) * i128::from(AT_RISK_PERCENT) + 99).div_euclid(100);
    Some((
        shifted(point, i64::try_from(risk).unwrap_or(i64::MAX)),
        shifted(point, target.saturating_add(1)),
    ))
}

/// When the state will next change by the clock alone (so the evaluator can sleep until then).
pub fn next_change(
    newest_good: Option<DateTime<Utc>>,
    target_seconds: Option<i64>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (at_risk, breached) = rpo_thresholds(newest_good, target_seconds)?;
    [at_risk, breached].into_iter().find(|t| *t > now)
}

/// When restore-test evidence that proves the RTO now goes stale (and the state turns at risk);
/// `None` when it proves nothing now (no test, no target, failed or too slow).
pub fn rto_stale_at(
    last_test: Option<(DateTime<Utc>, bool, i64)>,
    target_seconds: Option<i64>,
    stale_after_days: i64,
) -> Option<DateTime<Utc>> {
    let ((at, passed, seconds), target) = (last_test?, target_seconds?);
    (passed && seconds <= target).then(|| shifted(at, stale_after_days.saturating_mul(86_400)))
}

/// RTO evidence: the last restore test against the target; stale evidence proves nothing.
pub fn rto_state(
    last_test: Option<(DateTime<Utc>, bool, i64)>,
    target_seconds: Option<i64>,
    stale_after_days: i64,
    now: DateTime<Utc>,
) -> State {
    let (Some((at, passed, seconds)), Some(target)) = (last_test, target_seconds) else {
        return State::Unknown;
    };
    if !passed || seconds > target {
        State::Breached
    } else if (now - at).num_days() >= stale_after_days {
        State::AtRisk
    } else {
        State::Ok
    }
}

/// The median of recent values (job durations, sizes).
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// The findings a judged job can leave, stored in English as (before, after) the time or
/// restore point they name; `monitor_text::finding` says them in the reader's language.
pub const FINDING_OLD_POINT: (&str, &str) =
    ("restore point ", " is older than the job that reported it");
pub const FINDING_SMALL: (&str, &str) = ("a backup at ", " wrote far less than usual");
pub const FINDING_FAST: (&str, &str) = ("a backup at ", " finished far faster than usual");

/// A successful job that ran far faster or wrote far less than usual may be a broken dump.
pub fn suspicious(value: i64, recent: &[i64]) -> bool {
    match median(recent) {
        Some(m) if recent.len() >= 3 && m > 0 => value.saturating_mul(4) < m,
        _ => false,
    }
}

/// Where the backups of a business process's systems fall short of the process's own targets:
/// one sentence per shortfall, led by the system's name.
pub fn process_gaps(
    lang: Lang,
    systems: &[(&str, &Policy)],
    rpo_target: Option<u32>,
    rto_target: Option<u32>,
) -> Vec<String> {
    systems
        .iter()
        .flat_map(|(name, p)| {
            gaps(lang, p, rpo_target, rto_target)
                .into_iter()
                .map(move |g| format!("{name}: {g}"))
        })
        .collect()
}

/// How many recent successful jobs a system's next job is judged against.
pub const JOB_WINDOW: usize = 10;

/// The newest successful jobs of a system as (finished at, unix seconds; bytes; duration in
/// seconds), oldest first. Kept on the status row so a new job is judged without reading history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobWindow(pub Vec<(i64, Option<i64>, Option<i64>)>);

impl JobWindow {
    /// An unreadable or empty column is an empty window: the judging starts afresh.
    pub fn parse(s: &str) -> Self {
        serde_json::from_str(s).unwrap_or_default()
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Adds a successful job in time order, keeping only the newest `JOB_WINDOW`.
    pub fn add(&mut self, finished_at: DateTime<Utc>, bytes: Option<i64>, seconds: Option<i64>) {
        let at = finished_at.timestamp();
        let pos = self.0.partition_point(|j| j.0 <= at);
        self.0.insert(pos, (at, bytes, seconds));
        if self.0.len() > JOB_WINDOW {
            let extra = self.0.len() - JOB_WINDOW;
            self.0.drain(..extra);
        }
    }

    /// What is wrong with a successful job, judged against the jobs that finished before it: a
    /// restore point older than the job itself, or far less written or far faster than usual.
    pub fn judge(
        &self,
        restore_point_at: Option<DateTime<Utc>>,
        finished_at: DateTime<Utc>,
        bytes: Option<i64>,
        seconds: Option<i64>,
    ) -> Option<String> {
        if let (Some(rp), Some(d)) = (restore_point_at, seconds) {
            if rp < shifted(finished_at, d.saturating_add(3600).saturating_neg()) {
                let (a, b) = FINDING_OLD_POINT;
                return Some(format!("{a}{rp}{b}"));
            }
        }
        let at = finished_at.timestamp();
        let before = || self.0.iter().filter(move |j| j.0 < at);
        let sizes: Vec<i64> = before().filter_map(|j| j.1).collect();
        let times: Vec<i64> = before().filter_map(|j| j.2).collect();
        let when = finished_at.format("%Y-%m-%d %H:%M");
        if bytes.is_some_and(|b| suspicious(b, &sizes)) {
            let (a, b) = FINDING_SMALL;
            return Some(format!("{a}{when}{b}"));
        }
        if seconds.is_some_and(|d| suspicious(d, &times)) {
            let (a, b) = FINDING_FAST;
            return Some(format!("{a}{when}{b}"));
        }
        None
    }
}

/// RPO exposure over a window, as the corners of its sawtooth: it grows with the clock and drops
/// when a newer restore point arrives. `points` are (arrival, restore point) pairs in any order;
/// the result is (time, exposure seconds), ready to draw. Before the first point it is unknown.
pub fn exposure_series(
    points: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, i64)> {
    let mut pts: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        points.iter().copied().filter(|(at, _)| *at <= to).collect();
    pts.sort();
    let mut out = Vec::new();
    let mut newest: Option<DateTime<Utc>> = None;
    // What held at the start of the window.
    for (_, rp) in pts.iter().filter(|(at, _)| *at <= from) {
        newest = Some(newest.map_or(*rp, |n| n.max(*rp)));
    }
    if let Some(n) = newest {
        out.push((from, (from - n).num_seconds().max(0)));
    }
    for (at, rp) in pts.iter().filter(|(at, _)| *at > from) {
        if newest.is_some_and(|n| *rp <= n) {
            continue; // a late, older point changes nothing
        }
        if let Some(n) = newest {
            out.push((*at, (*at - n).num_seconds().max(0)));
        }
        newest = Some(*rp);
        out.push((*at, (*at - *rp).num_seconds().max(0)));
    }
    if let Some(n) = newest {
        out.push((to, (to - n).num_seconds().max(0)));
    }
    out
}

/// A stretch of time a system's exposure was past its RPO target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Still breached when the window closed.
    pub open: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowReport {
    /// Time with any restore point to measure from.
    pub known_seconds: i64,
    /// Of that, time within the target.
    pub within_seconds: i64,
    pub breaches: Vec<Breach>,
}

/// How well a target held over a window, from the exposure sawtooth: between two corners the
/// exposure grows one second per second, so each stretch past the target is found exactly.
pub fn rpo_report(
    points: &[(DateTime<Utc>, DateTime<Utc>)],
    target_seconds: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> WindowReport {
    let series = exposure_series(points, from, to);
    let mut known = 0;
    let mut breached: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for pair in series.windows(2) {
        let ((a, ea), (b, _)) = (pair[0], pair[1]);
        let len = (b - a).num_seconds();
        if len <= 0 {
            continue; // a drop: no time passes
        }
        known = i64::saturating_add(known, len);
        let start = if ea > target_seconds {
            a
        } else {
            shifted(a, target_seconds.saturating_sub(ea))
        };
        if start < b {
            match breached.last_mut() {
                // The stretch goes on if the drop did not bring it back within the target.
                Some(last) if last.1 == a && start == a => last.1 = b,
                _ => breached.push((start, b)),
            }
        }
    }
    let breached_secs: i64 = breached
        .iter()
        .map(|(s, e)| (*e - *s).num_seconds())
        .fold(0, i64::saturating_add);
    let breaches = breached
        .into_iter()
        .map(|(start, end)| Breach {
            start,
            end,
            open: end == to,
        })
        .collect();
    WindowReport {
        known_seconds: known,
        within_seconds: known.saturating_sub(breached_secs),
        breaches,
    }
}

/// What backup software reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    BackupSucceeded,
    BackupFailed,
    ReplicationSucceeded,
    RestoreTestPassed,
    RestoreTestFailed,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        Self::BackupSucceeded,
        Self::BackupFailed,
        Self::ReplicationSucceeded,
        Self::RestoreTestPassed,
        Self::RestoreTestFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BackupSucceeded => "backup_succeeded",
            Self::BackupFailed => "backup_failed",
            Self::ReplicationSucceeded => "replication_succeeded",
            Self::RestoreTestPassed => "restore_test_passed",
            Self::RestoreTestFailed => "restore_test_failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds that carry a restore point someone could restore from.
    pub fn needs_restore_point(self) -> bool {
        matches!(self, Self::BackupSucceeded | Self::ReplicationSucceeded)
    }
}

/// The facts about one system that its events add up to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Telemetry {
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_offsite_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub failures_in_row: u32,
    /// When, passed, measured seconds.
    pub last_test: Option<(DateTime<Utc>, bool, i64)>,
}

impl Telemetry {
    /// Adds one event. Events may arrive late and out of order: a restore point only ever moves
    /// forward, and only the newest job decides the failure streak.
    pub fn apply(
        &mut self,
        kind: EventKind,
        restore_point_at: Option<DateTime<Utc>>,
        finished_at: DateTime<Utc>,
        duration_seconds: Option<i64>,
    ) {
        let newest = self.last_event_at.is_none_or(|t| finished_at >= t);
        let later = |cur: Option<DateTime<Utc>>, new: Option<DateTime<Utc>>| match (cur, new) {
            (Some(c), Some(n)) => Some(c.max(n)),
            (c, n) => c.or(n),
        };
        match kind {
            EventKind::BackupSucceeded => {
                self.last_good_at = later(self.last_good_at, restore_point_at);
                if newest {
                    self.failures_in_row = 0;
                }
            }
            EventKind::BackupFailed => {
                if newest {
                    self.failures_in_row = self.failures_in_row.saturating_add(1);
                }
            }
            EventKind::ReplicationSucceeded => {
                self.last_offsite_at = later(self.last_offsite_at, restore_point_at);
                // A replica is also a point to restore from.
                self.last_good_at = later(self.last_good_at, restore_point_at);
            }
            EventKind::RestoreTestPassed | EventKind::RestoreTestFailed => {
                if self.last_test.is_none_or(|(at, _, _)| finished_at >= at) {
                    let passed = kind == EventKind::RestoreTestPassed;
                    self.last_test = Some((finished_at, passed, duration_seconds.unwrap_or(0)));
                }
            }
        }
        self.last_event_at = later(self.last_event_at, Some(finished_at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy(method: Method, interval: u32) -> Policy {
        Policy {
            method,
            interval_minutes: interval,
            job_minutes: 60,
            offsite_interval_minutes: None,
            retention_days: 30,
            data_gb: 500,
            restore_mb_per_s: None,
        }
    }

    #[test]
    fn a_daily_backup_cannot_keep_a_one_hour_promise() {
        let daily = policy(Method::AgentToDisk, 1440);
        let a = achievable(&daily);
        assert_eq!(a.rpo_minutes, 1500);
        assert_eq!(a.site_loss_rpo_minutes, None);
        // 500 GB at 200 MB/s is 2560 s, 43 min, plus setup.
        assert_eq!(a.rto_minutes, 73);
        let g = gaps(Lang::En, &daily, Some(60), Some(240));
        assert_eq!(
            g[0],
            "A backup every 1 day can lose up to 25 h of data; you agreed 60 min."
        );
        assert!(g[1].contains("No copy leaves the site"));
        assert_eq!(g.len(), 2, "the RTO is met");
        assert!(gaps(Lang::Nl, &daily, Some(60), None)[0].starts_with("Een back-up elke 1 dag"));
    }

    #[test]
    fn methods_differ_in_recovery_time() {
        let mut tape = policy(Method::Tape, 1440);
        tape.offsite_interval_minutes = Some(10080);
        let t = achievable(&tape);
        assert_eq!(t.rto_minutes, 240 + 57);
        assert_eq!(t.site_loss_rpo_minutes, Some(10080 + 60));
        let instant = Policy {
            job_minutes: 5,
            ..policy(Method::ImageInstant, 15)
        };
        assert_eq!(
            achievable(&instant),
            Achievable {
                rpo_minutes: 20,
                site_loss_rpo_minutes: None,
                rto_minutes: 15
            }
        );
        let draas = Policy {
            job_minutes: 5,
            ..policy(Method::Draas, 15)
        };
        assert_eq!(achievable(&draas).site_loss_rpo_minutes, Some(20));
        assert!(gaps(Lang::En, &draas, Some(30), Some(120)).is_empty());
    }

    #[test]
    fn states_cross_by_the_clock() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let hour = Some(3600);
        assert_eq!(rpo_state(None, hour, now), State::Unknown);
        assert_eq!(rpo_state(Some(now), None, now), State::Unknown);
        assert_eq!(
            rpo_state(Some(now - chrono::Duration::minutes(47)), hour, now),
            State::Ok
        );
        assert_eq!(
            rpo_state(Some(now - chrono::Duration::minutes(48)), hour, now),
            State::AtRisk
        );
        assert_eq!(
            rpo_state(Some(now - chrono::Duration::minutes(60)), hour, now),
            State::AtRisk
        );
        assert_eq!(
            rpo_state(Some(now - chrono::Duration::seconds(3601)), hour, now),
            State::Breached
        );
        // A restore point from the future (clock skew) is not negative exposure.
        assert_eq!(
            rpo_state(Some(now + chrono::Duration::minutes(2)), hour, now),
            State::Ok
        );
        let point = now - chrono::Duration::minutes(10);
        assert_eq!(
            next_change(Some(point), hour, now),
            Some(point + chrono::Duration::minutes(48))
        );
        let later = point + chrono::Duration::minutes(50);
        assert_eq!(
            next_change(Some(point), hour, later),
            Some(point + chrono::Duration::seconds(3601))
        );
        assert_eq!(
            rpo_state(Some(point), hour, point + chrono::Duration::seconds(3601)),
            State::Breached
        );
    }

    #[test]
    fn restore_tests_are_evidence_until_stale() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let recent = Some((now - chrono::Duration::days(3), true, 1800));
        assert_eq!(rto_state(recent, Some(3600), 90, now), State::Ok);
        assert_eq!(rto_state(recent, Some(900), 90, now), State::Breached);
        assert_eq!(
            rto_state(
                Some((now - chrono::Duration::days(3), false, 60)),
                Some(3600),
                90,
                now
            ),
            State::Breached
        );
        assert_eq!(
            rto_state(
                Some((now - chrono::Duration::days(91), true, 60)),
                Some(3600),
                90,
                now
            ),
            State::AtRisk
        );
        assert_eq!(rto_state(None, Some(3600), 90, now), State::Unknown);
    }

    #[test]
    fn a_job_far_below_its_median_is_suspicious() {
        let sizes = [100, 110, 95, 105, 102];
        assert!(suspicious(20, &sizes));
        assert!(!suspicious(90, &sizes));
        assert!(!suspicious(1, &[100, 100]), "too little history to judge");
        assert_eq!(median(&[3, 1, 2]), Some(2));
    }

    #[test]
    fn late_events_never_regress_and_the_newest_job_decides_the_streak() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        let h = |n: i64| t0 + chrono::Duration::hours(n);
        let mut t = Telemetry::default();
        t.apply(EventKind::BackupSucceeded, Some(h(10)), h(11), None);
        t.apply(EventKind::BackupFailed, None, h(12), None);
        t.apply(EventKind::BackupFailed, None, h(13), None);
        assert_eq!(t.failures_in_row, 2);
        // A late success from before does not reset the streak or move the restore point back.
        t.apply(EventKind::BackupSucceeded, Some(h(5)), h(6), None);
        assert_eq!((t.failures_in_row, t.last_good_at), (2, Some(h(10))));
        t.apply(EventKind::ReplicationSucceeded, Some(h(9)), h(14), None);
        assert_eq!(
            (t.last_offsite_at, t.last_good_at),
            (Some(h(9)), Some(h(10)))
        );
        t.apply(EventKind::BackupSucceeded, Some(h(14)), h(15), None);
        assert_eq!((t.failures_in_row, t.last_good_at), (0, Some(h(14))));
        t.apply(EventKind::RestoreTestPassed, None, h(16), Some(1200));
        t.apply(EventKind::RestoreTestFailed, None, h(3), Some(99));
        assert_eq!(t.last_test, Some((h(16), true, 1200)));
    }

    #[test]
    fn exposure_is_a_sawtooth_that_late_points_do_not_bend() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        let h = |n: i64| t0 + chrono::Duration::hours(n);
        let pts = [(h(1), h(1)), (h(5), h(4)), (h(6), h(2))];
        let s = exposure_series(&pts, h(0), h(8));
        let hours: Vec<(i64, i64)> = s
            .iter()
            .map(|(t, e)| ((*t - t0).num_hours(), e / 3600))
            .collect();
        assert_eq!(hours, [(1, 0), (5, 4), (5, 1), (8, 4)]);
        assert!(exposure_series(&[], h(0), h(8)).is_empty());
        let before = exposure_series(&[(h(0), h(0))], h(2), h(3));
        assert_eq!(
            before.iter().map(|p| p.1 / 3600).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[test]
    fn a_month_report_finds_every_breach_and_the_share_within() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let h = |n: i64| t0 + chrono::Duration::hours(n);
        // Target 2 h. Backups at 0, 1, then nothing until 6 (breach from 3 to 6), then 7; the
        // window ends at 12, breached again from 9 and still open.
        let pts = [(h(0), h(0)), (h(1), h(1)), (h(6), h(6)), (h(7), h(7))];
        let r = rpo_report(&pts, 7200, h(0), h(12));
        assert_eq!(r.known_seconds, 12 * 3600);
        let b: Vec<(i64, i64, bool)> = r
            .breaches
            .iter()
            .map(|b| ((b.start - t0).num_hours(), (b.end - t0).num_hours(), b.open))
            .collect();
        assert_eq!(b, [(3, 6, false), (9, 12, true)]);
        assert_eq!(r.within_seconds, 6 * 3600);
        // A late restore point that is still too old does not end the breach.
        let late = [(h(0), h(0)), (h(5), h(1))];
        let r = rpo_report(&late, 7200, h(0), h(6));
        assert_eq!(r.breaches.len(), 1);
        assert_eq!(
            (
                (r.breaches[0].start - t0).num_hours(),
                (r.breaches[0].end - t0).num_hours()
            ),
            (2, 6)
        );
    }
    #[test]
    fn the_job_window_keeps_the_newest_jobs_in_time_order() {
        let t0 = Utc::now();
        let mut w = JobWindow::default();
        for i in 0..12 {
            w.add(t0 + chrono::Duration::hours(i), Some(100 + i), Some(600));
        }
        assert_eq!(w.0.len(), JOB_WINDOW);
        assert_eq!(w.0[0].1, Some(102), "the two oldest are gone");
        // A late, older job goes in its place in time, and falls out when it is the oldest.
        w.add(t0 + chrono::Duration::minutes(150), Some(1), None);
        assert_eq!(w.0[0].1, Some(1));
        assert_eq!(w.0[1].1, Some(103));
        assert_eq!(JobWindow::parse(&w.encode()), w);
        assert_eq!(JobWindow::parse(""), JobWindow::default());
    }

    #[test]
    fn a_job_is_judged_against_the_jobs_before_it() {
        let t0 = Utc::now();
        let mut w = JobWindow::default();
        for i in 0..5 {
            w.add(t0 + chrono::Duration::hours(i), Some(1_000_000), Some(3600));
        }
        let late = t0 + chrono::Duration::hours(10);
        let small = w.judge(Some(late), late, Some(1_000), Some(3600));
        assert!(small.unwrap().contains("wrote far less than usual"));
        let quick = w.judge(Some(late), late, Some(1_000_000), Some(60));
        assert!(quick.unwrap().contains("finished far faster than usual"));
        assert_eq!(w.judge(Some(late), late, Some(900_000), Some(3000)), None);
        // Only two jobs came before this one: too few to call anything unusual.
        let early = t0 + chrono::Duration::minutes(90);
        assert_eq!(w.judge(Some(early), early, Some(1), Some(1)), None);
        let stale = w.judge(
            Some(late - chrono::Duration::days(2)),
            late,
            None,
            Some(600),
        );
        assert!(stale.unwrap().contains("older than the job"));
    }
    #[test]
    fn the_stored_moments_turn_the_state_exactly_where_the_rules_do() {
        let point = Utc::now() - chrono::Duration::hours(5);
        for target in [60, 61, 3599, 3600, 86_400] {
            let (risk, breach) = rpo_thresholds(Some(point), Some(target)).unwrap();
            // What a set-based pass computes from the two moments alone.
            let by_moments = |now: DateTime<Utc>| {
                if breach <= now {
                    State::Breached
                } else if risk <= now {
                    State::AtRisk
                } else {
                    State::Ok
                }
            };
            let ms = chrono::Duration::milliseconds;
            for now in [
                risk - ms(1),
                risk,
                risk + ms(999),
                breach - ms(1),
                breach,
                breach + ms(1),
            ] {
                assert_eq!(
                    by_moments(now),
                    rpo_state(Some(point), Some(target), now),
                    "target {target} s at {now}"
                );
            }
        }
        assert_eq!(rpo_thresholds(None, Some(60)), None);
        assert_eq!(rpo_thresholds(Some(point), None), None);

        let test_at = Utc::now() - chrono::Duration::days(10);
        let stale = rto_stale_at(Some((test_at, true, 600)), Some(3600), 90).unwrap();
        let ms = chrono::Duration::milliseconds;
        for (now, want) in [(stale - ms(1), State::Ok), (stale, State::AtRisk)] {
            assert_eq!(
                rto_state(Some((test_at, true, 600)), Some(3600), 90, now),
                want
            );
        }
        assert_eq!(
            rto_stale_at(Some((test_at, false, 600)), Some(3600), 90),
            None
        );
        assert_eq!(
            rto_stale_at(Some((test_at, true, 7200)), Some(3600), 90),
            None
        );
        assert_eq!(rto_stale_at(Some((test_at, true, 600)), None, 90), None);
    }
    #[test]
    fn a_process_names_each_system_that_falls_short_of_its_targets() {
        let daily = Policy {
            method: Method::AgentToDisk,
            interval_minutes: 1440,
            job_minutes: 60,
            offsite_interval_minutes: Some(1440),
            retention_days: 30,
            data_gb: 100,
            restore_mb_per_s: None,
        };
        let replica = Policy {
            method: Method::ContinuousReplication,
            interval_minutes: 1,
            job_minutes: 0,
            offsite_interval_minutes: Some(1),
            retention_days: 7,
            data_gb: 100,
            restore_mb_per_s: None,
        };
        let systems = [("ERP", &daily), ("Mail", &replica)];
        let en = process_gaps(Lang::En, &systems, Some(60), None);
        assert!(!en.is_empty());
        assert!(en.iter().all(|g| g.starts_with("ERP: ")), "{en:?}");
        assert!(en[0].contains("you agreed 60 min"), "{en:?}");
        let nl = process_gaps(Lang::Nl, &systems, Some(60), None);
        assert!(nl[0].starts_with("ERP: Een back-up elke"), "{nl:?}");
        assert!(process_gaps(Lang::En, &systems, Some(2 * 1440), None).is_empty());
    }
}

/// Whatever a sender or a stored row holds, the rules answer and never panic: one event with a
/// job "duration" of 317,000 years once stopped ingest for every tenant.
#[cfg(test)]
mod extremes {
    use super::*;
    use proptest::prelude::*;

    /// Any moment chrono can hold, with its ends and the epoch over-represented.
    fn moment() -> impl Strategy<Value = DateTime<Utc>> {
        let (lo, hi) = (
            DateTime::<Utc>::MIN_UTC.timestamp(),
            DateTime::<Utc>::MAX_UTC.timestamp(),
        );
        prop_oneof![
            Just(lo),
            Just(hi),
            Just(0i64),
            lo..=hi,
            -86_400i64 * 366..=86_400i64 * 366 * 100,
        ]
        .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in chrono's range"))
    }

    /// Any i64, with the values that break naive arithmetic over-represented.
    fn number() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(0i64),
            Just(-1i64),
            Just(10_000_000_000_000i64),
            any::<i64>(),
            -100_000i64..100_000,
        ]
    }

    fn kind() -> impl Strategy<Value = EventKind> {
        prop::sample::select(EventKind::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_clock_rules_take_any_moment_and_target(
            point in prop::option::of(moment()),
            now in moment(),
            target in prop::option::of(number()),
            days in number(),
            passed in any::<bool>(),
            seconds in number(),
        ) {
            let state = rpo_state(point, target, now);
            let moments = rpo_thresholds(point, target);
            prop_assert_eq!(moments.is_some(), point.is_some() && target.is_some());
            next_change(point, target, now);
            let test = point.map(|at| (at, passed, seconds));
            rto_stale_at(test, target, days);
            rto_state(test, target, days, now);
            if let (Some(p), Some(t)) = (point, target) {
                // A restore point from the future is no exposure, however far ahead.
                if p >= now && t >= 0 {
                    prop_assert_ne!(state, State::Breached);
                }
            }
        }

        #[test]
        fn jobs_of_any_size_and_duration_are_judged(
            jobs in prop::collection::vec((moment(), prop::option::of(number()), prop::option::of(number())), 0..14),
            restore_point in prop::option::of(moment()),
            finished in moment(),
            bytes in prop::option::of(number()),
            seconds in prop::option::of(number()),
        ) {
            let mut w = JobWindow::default();
            for (at, b, s) in jobs {
                w.add(at, b, s);
            }
            prop_assert!(w.0.len() <= JOB_WINDOW);
            w.judge(restore_point, finished, bytes, seconds);
            prop_assert_eq!(JobWindow::parse(&w.encode()), w);
        }

        #[test]
        fn telemetry_takes_any_event(
            events in prop::collection::vec((kind(), prop::option::of(moment()), moment(), prop::option::of(number())), 0..20),
        ) {
            let mut t = Telemetry::default();
            for (k, rp, at, secs) in events {
                t.apply(k, rp, at, secs);
            }
        }

        #[test]
        fn exposure_and_reports_take_any_points(
            pts in prop::collection::vec((moment(), moment()), 0..12),
            target in number(),
            a in moment(),
            b in moment(),
        ) {
            let (from, to) = (a.min(b), a.max(b));
            let series = exposure_series(&pts, from, to);
            prop_assert!(series.iter().all(|(_, e)| *e >= 0));
            let r = rpo_report(&pts, target, from, to);
            prop_assert!(r.within_seconds <= r.known_seconds);
        }

        #[test]
        fn any_policy_has_an_achievable_figure(
            method in prop::sample::select(Method::ALL.to_vec()),
            interval in any::<u32>(),
            job in any::<u32>(),
            off in prop::option::of(any::<u32>()),
            gb in any::<u32>(),
            speed in prop::option::of(any::<u32>()),
            rpo in prop::option::of(any::<u32>()),
            rto in prop::option::of(any::<u32>()),
        ) {
            let p = Policy {
                method,
                interval_minutes: interval,
                job_minutes: job,
                offsite_interval_minutes: off,
                retention_days: 1,
                data_gb: gb,
                restore_mb_per_s: speed,
            };
            let a = achievable(&p);
            prop_assert!(a.rpo_minutes >= interval.min(job));
            gaps(Lang::En, &p, rpo, rto);
            gaps(Lang::Nl, &p, rpo, rto);
        }

        #[test]
        fn shifting_stops_at_the_ends_of_the_calendar(t in moment(), s in number()) {
            let moved = shifted(t, s);
            if s >= 0 { prop_assert!(moved >= t) } else { prop_assert!(moved <= t) }
        }
    }

    #[test]
    fn the_reviewers_event_is_judged_not_panicked_on() {
        let now = Utc::now();
        let w = JobWindow::default();
        // duration_seconds = 1e13: the job would have started 317,000 years ago.
        let finding = w.judge(Some(now), now, Some(1), Some(10_000_000_000_000));
        assert_eq!(finding, None);
    }
}
