//! A backup policy from the plan page's form fields. Only the shape of each field is checked here
//! (a number, a known method); whether the figures make sense is the service's call, so the form
//! and the REST API refuse the same policies with the same words.
use crate::domain::sla::{Method, Policy};
use crate::ssr::error::AppError;
use crate::ssr::service::Fields;

/// The fields as posted; optional ones may be missing or empty.
pub struct PolicyFields<'a> {
    pub method: &'a str,
    pub interval_minutes: &'a str,
    pub job_minutes: &'a str,
    pub offsite_interval_minutes: Option<&'a str>,
    pub retention_days: &'a str,
    pub data_gb: &'a str,
    pub restore_mb_per_s: Option<&'a str>,
}

const DURATION: &str = crate::domain::input::DURATION;
const COUNT: &str = "must be a whole number";

/// Minutes from a duration as people type it (see `domain::input::duration`).
pub fn duration(v: &str) -> Result<Option<u32>, &'static str> {
    crate::domain::input::duration(v).map_err(|_| DURATION)
}

/// A whole number (days, GB, MB/s); `None` when empty.
pub fn count(v: &str) -> Result<Option<u32>, &'static str> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| COUNT)
}

fn required<T>(r: Result<Option<T>, &'static str>) -> Result<T, &'static str> {
    r.and_then(|v| v.ok_or("is required"))
}

/// Every field that is wrong is named at once, as the service does.
pub fn parse(f: PolicyFields<'_>) -> Result<Policy, AppError> {
    let mut e = Fields::default();
    let method = e.take(
        "method",
        Method::parse(f.method.trim()).ok_or("is not a known backup method"),
    );
    let interval = e.take("interval_minutes", required(duration(f.interval_minutes)));
    let job = e.take("job_minutes", required(duration(f.job_minutes)));
    let offsite = e.take(
        "offsite_interval_minutes",
        duration(f.offsite_interval_minutes.unwrap_or_default()),
    );
    let retention = e.take("retention_days", required(count(f.retention_days)));
    let data = e.take("data_gb", required(count(f.data_gb)));
    let throughput = e.take(
        "restore_mb_per_s",
        count(f.restore_mb_per_s.unwrap_or_default()),
    );
    e.finish()?;
    match (method, interval, job, offsite, retention, data, throughput) {
        (Some(method), Some(i), Some(j), Some(o), Some(r), Some(d), Some(t)) => Ok(Policy {
            method,
            interval_minutes: i,
            job_minutes: j,
            offsite_interval_minutes: o,
            retention_days: r,
            data_gb: d,
            restore_mb_per_s: t,
        }),
        // Each `None` above left its error behind, so `finish` has returned already.
        _ => Err(AppError::field("policy", "is incomplete")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(interval: &'a str, offsite: Option<&'a str>) -> PolicyFields<'a> {
        PolicyFields {
            method: "agent_to_disk",
            interval_minutes: interval,
            job_minutes: "60",
            offsite_interval_minutes: offsite,
            retention_days: "30",
            data_gb: "200",
            restore_mb_per_s: Some(""),
        }
    }

    #[test]
    fn counts_are_whole_numbers() {
        assert_eq!(count(" 30 "), Ok(Some(30)));
        assert_eq!(count(""), Ok(None));
        assert_eq!(count("30 GB"), Err(COUNT));
        assert_eq!(count("-1"), Err(COUNT));
    }

    #[test]
    fn a_daily_backup_without_offsite_copy() {
        let p = parse(fields("24 h", Some(" "))).unwrap();
        assert_eq!(
            p,
            Policy {
                method: Method::AgentToDisk,
                interval_minutes: 1440,
                job_minutes: 60,
                offsite_interval_minutes: None,
                retention_days: 30,
                data_gb: 200,
                restore_mb_per_s: None,
            }
        );
        let p = parse(fields("15", Some("1 d"))).unwrap();
        assert_eq!(p.offsite_interval_minutes, Some(1440));
        assert_eq!(
            parse(fields("15", None)).unwrap().offsite_interval_minutes,
            None
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = PolicyFields {
            method: "floppy",
            interval_minutes: "daily",
            job_minutes: "",
            offsite_interval_minutes: None,
            retention_days: "30",
            data_gb: "lots",
            restore_mb_per_s: Some("fast"),
        };
        let msg = parse(f).unwrap_err().public_message();
        for field in [
            "method: is not a known backup method",
            "interval_minutes: must be a duration such as 15 min, 4 h or 1 d",
            "job_minutes: is required",
            "data_gb: must be a whole number",
            "restore_mb_per_s: must be a whole number",
        ] {
            assert!(msg.contains(field), "{msg}");
        }
        assert!(!msg.contains("retention_days"), "{msg}");
    }
}
