//! The monthly SLA report of a client: per system the share of time within its RPO, every breach
//! with its duration, and the restore tests done and passed; as data, CSV and a printable document.
use crate::i18n::Lang;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::sla::{rpo_report, EventKind};
use crate::ids::ClientId;
use crate::model::monitor::{MonthReport, SystemReport};
use crate::ssr::entity::backup_event;
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::clients;
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

/// `YYYY-MM` to the month's first instant and the next month's (capped at `now`).
pub fn month_window(month: &str, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || AppError::field("month", "must be a month like 2026-11, not in the future");
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(bad)?;
    let from = Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0).ok_or_else(bad)?);
    let to = Utc
        .from_utc_datetime(&next.and_hms_opt(0, 0, 0).ok_or_else(bad)?)
        .min(now);
    if from >= now {
        return Err(bad());
    }
    Ok((from, to))
}

pub async fn month(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    month: &str,
    now: DateTime<Utc>,
) -> AppResult<MonthReport> {
    let (from, to) = month_window(month, now)?;
    let client = clients::get(&state.db, scope, client_id).await?;
    let (targets, _, mut systems) = super::targets(&state.db, scope, client_id).await?;
    systems.sort_by_key(|s| s.name.to_lowercase());
    // Restore points from before the month say where it starts.
    // (system, kind, finished, restore point)
    type Row = (Uuid, String, DateTime<Utc>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = scope
        .select::<backup_event::Entity>()
        .select_only()
        .column(backup_event::Column::SystemId)
        .column(backup_event::Column::Kind)
        .column(backup_event::Column::FinishedAt)
        .column(backup_event::Column::RestorePointAt)
        .filter(backup_event::Column::ClientId.eq(client_id))
        .filter(backup_event::Column::FinishedAt.gte(from - chrono::Duration::days(31)))
        .filter(backup_event::Column::FinishedAt.lt(to))
        .into_tuple()
        .all(&state.db)
        .await?;
    type Points = Vec<(DateTime<Utc>, DateTime<Utc>)>;
    let mut points: HashMap<Uuid, Points> = HashMap::new();
    let mut tests: HashMap<Uuid, (u32, u32)> = HashMap::new();
    for (sys, kind, at, rp) in rows {
        match EventKind::parse(&kind) {
            Some(k) if k.needs_restore_point() => {
                if let Some(rp) = rp {
                    points.entry(sys).or_default().push((at, rp));
                }
            }
            Some(k @ (EventKind::RestoreTestPassed | EventKind::RestoreTestFailed))
                if at >= from =>
            {
                let e = tests.entry(sys).or_default();
                e.0 += 1;
                e.1 += u32::from(k == EventKind::RestoreTestPassed);
            }
            _ => {}
        }
    }
    let systems = systems
        .into_iter()
        .map(|s| {
            let target = targets.get(&s.id).and_then(|t| t.0);
            let pts = points.remove(&s.id).unwrap_or_default();
            let (measured, within, breaches) = match target {
                Some(t) => {
                    let r = rpo_report(&pts, t, from, to);
                    (
                        r.known_seconds,
                        (r.known_seconds > 0)
                            .then(|| r.within_seconds as f64 * 100.0 / r.known_seconds as f64),
                        r.breaches,
                    )
                }
                None => (0, None, Vec::new()),
            };
            let (done, passed) = tests.get(&s.id).copied().unwrap_or((0, 0));
            let exposure = if target.is_some() {
                crate::domain::sla::exposure_series(&pts, from, to.min(now))
            } else {
                Vec::new()
            };
            SystemReport {
                id: s.id,
                name: s.name,
                rpo_target_seconds: target,
                within_rpo_percent: within.map(|w| (w * 100.0).round() / 100.0),
                measured_seconds: measured,
                breaches,
                restore_tests: done,
                restore_tests_passed: passed,
                exposure,
            }
        })
        .collect();
    Ok(MonthReport {
        client_id: client_id.uuid(),
        client_name: client.name,
        month: month.to_string(),
        from,
        to,
        systems,
    })
}

fn hours(seconds: i64) -> String {
    format!("{:.1}", seconds as f64 / 3600.0)
}

/// The month before the one `now` is in, as `YYYY-MM`.
pub fn last_month(now: DateTime<Utc>) -> String {
    let first = now.date_naive().with_day(1).unwrap_or(now.date_naive());
    (first - chrono::Duration::days(1))
        .format("%Y-%m")
        .to_string()
}

/// The e-mail that carries a month's report: a few short lines per system, and where the whole
/// report is; in the MSP's language.
pub fn mail_text(r: &MonthReport, public_url: Option<&str>, lang: Lang) -> (String, String) {
    let w = words(lang);
    let (client, month) = (&r.client_name, &r.month);
    let subject = format!("[Lifeline] {} {month}: {client}", w.title);
    let mut body = (w.mail_intro)(client, month);
    for s in &r.systems {
        body.push_str(&format!("\n{}\n  ", s.name));
        body.push_str(&match (
            s.rpo_target_seconds.map(|t| target_text(lang, t)),
            s.within_rpo_percent,
        ) {
            (Some(t), Some(p)) => (w.mail_within)(&t, &decimal(lang, p, 2)),
            (Some(t), None) => (w.mail_no_points)(&t),
            (None, _) => w.mail_no_rpo.to_string(),
        });
        let breached: i64 = s
            .breaches
            .iter()
            .map(|b| (b.end - b.start).num_seconds())
            .sum();
        if !s.breaches.is_empty() {
            let hours = decimal(lang, breached as f64 / 3600.0, 1);
            body.push_str(&format!(
                "\n  {}",
                (w.mail_breaches)(s.breaches.len(), &hours)
            ));
        }
        body.push_str(&format!(
            "\n  {}\n",
            (w.mail_tests)(s.restore_tests_passed, s.restore_tests)
        ));
    }
    if let Some(url) = public_url {
        body.push_str(&format!(
            "\n{}\n{}/clients/{}/reports/{month}\n",
            w.mail_whole,
            url.trim_end_matches('/'),
            r.client_id
        ));
    }
    (subject, body)
}

/// Sends each client its report of last month, once: the first replica to record the delivery
/// puts the e-mails in the outbox, in the same transaction. Clients created after the month, or
/// without systems, get none. Returns how many reports went out.
pub async fn deliver_monthly(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    use crate::ssr::sql::placeholder;
    use sea_orm::{ConnectionTrait, Value};
    let month = last_month(now);
    let (_, end) = month_window(&month, now)?;
    let backend = state.db.get_database_backend();
    let p = |n| placeholder(backend, n);
    // Across tenants, like the evaluator: each client is then handled in its own scope.
    let due = state
        .db
        .query_all_raw(Scope::all_tenants("monthly reports: clients of every tenant still owed last month's").statement(
            backend,
            format!(
                "SELECT c.id, c.msp_id FROM client c WHERE c.created_at < {} \
                 AND EXISTS (SELECT 1 FROM system s WHERE s.client_id = c.id) \
                 AND NOT EXISTS (SELECT 1 FROM report_delivery d WHERE d.client_id = c.id AND d.month = {}) \
                 LIMIT 50",
                p(1),
                p(2)
            ),
            [Value::from(end), Value::from(month.as_str())],
        ))
        .await?;
    let mut sent = 0;
    for row in due {
        let (client_id, msp_id): (Uuid, Uuid) =
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        let scope = Scope::machine(msp_id, client_id);
        let report = self::month(state, &scope, ClientId::from(client_id), &month, now).await?;
        let txn = state.begin_write().await?;
        let claimed = txn
            .execute_raw(scope.raw(
                backend,
                format!(
                    "INSERT INTO report_delivery (client_id, month, msp_id, sent_at) VALUES ({}, {}, {}, {}) \
                     ON CONFLICT DO NOTHING",
                    p(1),
                    p(2),
                    p(3),
                    p(4)
                ),
                [
                    Value::from(client_id),
                    Value::from(month.as_str()),
                    Value::from(msp_id),
                    Value::from(now),
                ],
            ))
            .await?
            .rows_affected()
            == 1;
        if claimed {
            let settings = super::alerts::settings_of(&txn, &Scope::machine_msp(msp_id)).await?;
            let lang = super::alerts::mail_lang(&settings);
            let (subject, body) = mail_text(&report, state.settings.public_url.as_deref(), lang);
            super::alerts::mail(&txn, &settings, client_id, &subject, &body).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// One row per breach (systems without breaches get one row without), for spreadsheets.
pub fn csv(r: &MonthReport) -> String {
    let q = crate::ssr::csv::cell;
    let mut out = String::from("system,rpo_target_minutes,within_rpo_percent,restore_tests,restore_tests_passed,breach_start,breach_end,breach_hours,still_open\n");
    for s in &r.systems {
        let head = format!(
            "{},{},{},{},{}",
            q(&s.name),
            s.rpo_target_seconds
                .map(|t| (t / 60).to_string())
                .unwrap_or_default(),
            s.within_rpo_percent
                .map(|w| format!("{w:.2}"))
                .unwrap_or_default(),
            s.restore_tests,
            s.restore_tests_passed
        );
        if s.breaches.is_empty() {
            out.push_str(&format!("{head},,,,\n"));
        }
        for b in &s.breaches {
            out.push_str(&format!(
                "{head},{},{},{},{}\n",
                b.start.to_rfc3339(),
                b.end.to_rfc3339(),
                hours((b.end - b.start).num_seconds()),
                b.open
            ));
        }
    }
    out
}

/// The words of the report, in English and Dutch.
struct Words {
    title: &'static str,
    columns: [&'static str; 5],
    breaches_of: &'static str,
    breach_columns: [&'static str; 3],
    still_open: &'static str,
    generated: &'static str,
    none: &'static str,
    /// The e-mail: "How the backup SLA of {client} held in {month}".
    mail_intro: fn(&str, &str) -> String,
    /// "within its RPO of {minutes} min: {percent}% of the time".
    mail_within: fn(&str, &str) -> String,
    mail_no_points: fn(&str) -> String,
    exposure: &'static str,
    /// "{system}: exposure over {month} against its RPO of {target}; highest {peak}."
    chart_caption: fn(&str, &str, &str, &str) -> String,
    mail_no_rpo: &'static str,
    /// "breaches: {n}, {hours} h in all".
    mail_breaches: fn(usize, &str) -> String,
    /// "restore tests passed: {passed} of {done}".
    mail_tests: fn(u32, u32) -> String,
    mail_whole: &'static str,
}

const EN: Words = Words {
    title: "SLA report",
    columns: [
        "System",
        "RPO",
        "Within RPO",
        "Breaches",
        "Restore tests (passed)",
    ],
    breaches_of: "Breaches",
    breach_columns: ["From", "To", "Hours"],
    still_open: "still open",
    generated: "generated",
    none: "none",
    mail_intro: |client, month| format!("How the backup SLA of {client} held in {month} (UTC).\n"),
    mail_within: |t, p| format!("within its RPO of {t}: {p}% of the time"),
    mail_no_points: |t| format!("no restore points against its RPO of {t}"),
    exposure: "Exposure per system",
    chart_caption: |system, month, target, peak| {
        format!("{system}: time since the newest restore point over {month} (UTC), against its RPO of {target} (dashed); highest {peak}.")
    },
    mail_no_rpo: "no RPO agreed",
    mail_breaches: |n, hours| format!("breaches: {n}, {hours} h in all"),
    mail_tests: |passed, done| format!("restore tests passed: {passed} of {done}"),
    mail_whole: "The whole report, also as PDF and CSV:",
};

const NL: Words = Words {
    title: "SLA-rapport",
    columns: [
        "Systeem",
        "RPO",
        "Binnen RPO",
        "Overschrijdingen",
        "Hersteltests (geslaagd)",
    ],
    breaches_of: "Overschrijdingen",
    breach_columns: ["Van", "Tot", "Uren"],
    still_open: "nog open",
    generated: "gemaakt",
    none: "geen",
    mail_intro: |client, month| {
        format!("Hoe de back-up-SLA van {client} standhield in {month} (UTC).\n")
    },
    mail_within: |t, p| format!("binnen de RPO van {t}: {p}% van de tijd"),
    mail_no_points: |t| format!("geen herstelpunten tegen de RPO van {t}"),
    exposure: "Blootstelling per systeem",
    chart_caption: |system, month, target, peak| {
        format!("{system}: tijd sinds het nieuwste herstelpunt in {month} (UTC), tegen de RPO van {target} (gestippeld); hoogste {peak}.")
    },
    mail_no_rpo: "geen RPO afgesproken",
    mail_breaches: |n, hours| format!("overschrijdingen: {n}, {hours} uur in totaal"),
    mail_tests: |passed, done| format!("geslaagde hersteltests: {passed} van {done}"),
    mail_whole: "Het hele rapport, ook als PDF en CSV:",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Nl => &NL,
    }
}

/// A decimal as the reader writes it: Dutch uses a comma.
fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let s = format!("{value:.places$}");
    match lang {
        Lang::En => s,
        Lang::Nl => s.replace('.', ","),
    }
}

/// A target in seconds as the reader says it ("1 h", "1 dag").
fn target_text(lang: Lang, seconds: i64) -> String {
    crate::domain::sla::spoken(lang, u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX))
}

/// One system's month of exposure against its RPO: the sawtooth, the target dashed, the weeks
/// along the bottom, and a caption that says the same in words.
fn exposure_chart(s: &SystemReport, r: &MonthReport, lang: Lang) -> export::Block {
    let target = s.rpo_target_seconds.unwrap_or(0);
    let peak = s.exposure.iter().map(|p| p.1).max().unwrap_or(0);
    let top = peak.max(target * 3 / 2).max(60) as f32;
    let span = (r.to - r.from).num_seconds().max(1) as f32;
    let fx = |t: DateTime<Utc>| (t - r.from).num_seconds() as f32 / span;
    let points = s
        .exposure
        .iter()
        .map(|(t, e)| (fx(*t), *e as f32 / top))
        .collect();
    let x_labels = (0..)
        .map(|week| r.from + chrono::Duration::days(7 * week))
        .take_while(|d| *d < r.to)
        .map(|d| (fx(d), d.format("%d-%m").to_string()))
        .collect();
    let w = words(lang);
    export::Block::Chart {
        caption: (w.chart_caption)(
            &s.name,
            &r.month,
            &target_text(lang, target),
            &target_text(lang, peak),
        ),
        points,
        threshold: Some(target as f32 / top),
        x_labels,
        y_labels: vec![
            (0.0, "0".into()),
            (target as f32 / top, target_text(lang, target)),
        ],
    }
}

/// The report as a document for HTML and PDF, in the reader's language.
pub fn document(r: &MonthReport, lang: Lang, generated_at: DateTime<Utc>) -> export::Doc {
    use export::Block;
    let w = words(lang);
    let mut blocks = vec![Block::Table {
        header: w.columns.map(String::from).to_vec(),
        rows: r
            .systems
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.rpo_target_seconds
                        .map(|t| target_text(lang, t))
                        .unwrap_or_else(|| "—".into()),
                    s.within_rpo_percent
                        .map(|p| format!("{}%", decimal(lang, p, 2)))
                        .unwrap_or_else(|| "—".into()),
                    match s.breaches.len() {
                        0 => w.none.to_string(),
                        n => n.to_string(),
                    },
                    format!("{} ({})", s.restore_tests, s.restore_tests_passed),
                ]
            })
            .collect(),
    }];
    let charted: Vec<&SystemReport> = r
        .systems
        .iter()
        .filter(|s| s.rpo_target_seconds.is_some() && !s.exposure.is_empty())
        .collect();
    if !charted.is_empty() {
        blocks.push(Block::Heading {
            level: 2,
            text: w.exposure.to_string(),
        });
    }
    for s in charted {
        blocks.push(exposure_chart(s, r, lang));
    }
    for s in r.systems.iter().filter(|s| !s.breaches.is_empty()) {
        blocks.push(Block::Heading {
            level: 2,
            text: format!("{}: {}", w.breaches_of, s.name),
        });
        blocks.push(Block::Table {
            header: w.breach_columns.map(String::from).to_vec(),
            rows: s
                .breaches
                .iter()
                .map(|b| {
                    let end = if b.open {
                        w.still_open.to_string()
                    } else {
                        b.end.format("%Y-%m-%d %H:%M").to_string()
                    };
                    vec![
                        b.start.format("%Y-%m-%d %H:%M").to_string(),
                        end,
                        decimal(lang, (b.end - b.start).num_seconds() as f64 / 3600.0, 1),
                    ]
                })
                .collect(),
        });
    }
    export::Doc {
        title: format!("{} {} — {}", w.title, r.month, r.client_name),
        footer: format!(
            "{} · {} · {} {}",
            r.client_name,
            r.month,
            w.generated,
            generated_at.format("%Y-%m-%d %H:%M UTC")
        ),
        lang: lang.code().into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_reads_in_dutch_with_dutch_decimals() {
        let now = Utc::now();
        let r = MonthReport {
            client_id: Uuid::nil(),
            client_name: "Bakkerij".into(),
            month: "2026-11".into(),
            from: now - chrono::Duration::days(30),
            to: now,
            systems: vec![SystemReport {
                id: Uuid::nil(),
                name: "ERP".into(),
                rpo_target_seconds: Some(3600),
                within_rpo_percent: Some(99.5),
                measured_seconds: 86_400,
                breaches: vec![crate::domain::sla::Breach {
                    start: now - chrono::Duration::minutes(90),
                    end: now,
                    open: true,
                }],
                restore_tests: 2,
                restore_tests_passed: 1,
                exposure: vec![
                    (now - chrono::Duration::days(30), 600),
                    (now - chrono::Duration::days(1), 3000),
                    (now - chrono::Duration::minutes(90), 0),
                    (now, 5400),
                ],
            }],
        };
        let html = export::to_html(&document(&r, Lang::Nl, now));
        for want in [
            "SLA-rapport 2026-11",
            "Binnen RPO",
            "99,50%",
            "nog open",
            "1,5",
            "lang=\"nl\"",
        ] {
            assert!(html.contains(want), "{want} missing in {html}");
        }
        // The target as people say it, and the month's exposure drawn with a caption in words.
        assert!(html.contains("<td>60 min</td>"), "{html}");
        assert!(html.contains("role=\"img\""), "{html}");
        assert!(
            html.contains("tegen de RPO van 60 min (gestippeld); hoogste 90 min."),
            "{html}"
        );
        let en = export::to_html(&document(&r, Lang::En, now));
        assert!(en.contains("Within RPO") && en.contains("99.50%") && en.contains("still open"));
        assert!(en.contains("ERP: time since the newest restore point over 2026-11"));
        let pdf = export::to_pdf(&document(&r, Lang::En, now)).expect("a PDF with the chart");
        assert!(pdf.len() > 1000);
    }
}
