//! A client's backup status: every system and process against its agreed RPO/RTO, worst first,
//! a week of exposure drawn against the target line, and how to report a heartbeat. Refreshes
//! itself while open.
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::get_status;
use crate::components::use_t;
use crate::domain::sla::{spoken, State};
use crate::i18n::Lang;
use crate::model::monitor::SystemStatusView;
use crate::monitor_text::{self as text, class};

fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

fn minutes(seconds: Option<i64>) -> String {
    seconds.map_or_else(|| "—".into(), |s| spoken(lang(), (s.max(0) / 60) as u32))
}

#[component]
pub fn Badge(state: State) -> impl IntoView {
    view! { <span class=format!("badge state {}", class(state))>{text::state(lang(), state)}</span> }
}

struct ChartWords {
    exposure: &'static str,
    target: &'static str,
    risk: &'static str,
    summary: &'static str,
    peak: &'static str,
    crossed: &'static str,
    within: &'static str,
    no_target: &'static str,
    days: [&'static str; 7],
}

const CHART_EN: ChartWords = ChartWords {
    exposure: "Exposure (time since the newest restore point)",
    target: "RPO target",
    risk: "at risk from 80 %",
    summary: "Exposure over the last 7 days",
    peak: "highest",
    crossed: "went above the RPO target",
    within: "stayed within the RPO target",
    no_target: "no RPO target agreed",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
};

const CHART_NL: ChartWords = ChartWords {
    exposure: "Blootstelling (tijd sinds het nieuwste herstelpunt)",
    target: "RPO-doel",
    risk: "risico vanaf 80 %",
    summary: "Blootstelling over de afgelopen 7 dagen",
    peak: "hoogste",
    crossed: "kwam boven het RPO-doel",
    within: "bleef binnen het RPO-doel",
    no_target: "geen RPO-doel afgesproken",
    days: ["ma", "di", "wo", "do", "vr", "za", "zo"],
};

fn chart_words(lang: Lang) -> &'static ChartWords {
    match lang {
        Lang::Nl => &CHART_NL,
        _ => &CHART_EN,
    }
}

/// Exposure (a sawtooth) over the last week against the target and the 80 % line, in plain SVG:
/// a time axis with the days, an exposure axis with the target, a legend, the line coloured by
/// the state it stands for, and the whole said in words for those who cannot see it.
fn chart(
    id: Uuid,
    series: &[(DateTime<Utc>, i64)],
    target: Option<i64>,
    now: DateTime<Utc>,
) -> impl IntoView {
    use chrono::Datelike;
    let lang = lang();
    let w = chart_words(lang);
    // The plot area inside a 640 × 190 drawing, leaving room for the axes' labels.
    let (left, right, top_y, bottom) = (64.0_f64, 632.0_f64, 10.0_f64, 160.0_f64);
    let from = now - chrono::Duration::days(7);
    let span = (now - from).num_seconds() as f64;
    let peak = series.iter().map(|p| p.1).max();
    let top = peak
        .unwrap_or(0)
        .max(target.map_or(3600, |t| t * 3 / 2))
        .max(60) as f64;
    let x = |t: DateTime<Utc>| {
        left + ((t - from).num_seconds() as f64 / span).clamp(0.0, 1.0) * (right - left)
    };
    let y = |e: i64| bottom - (e.max(0) as f64 / top).min(1.0) * (bottom - top_y);
    let points: String = series
        .iter()
        .map(|(t, e)| format!("{:.0},{:.0}", x(*t), y(*e)))
        .collect::<Vec<_>>()
        .join(" ");
    let gradient = format!("exposure-{}", id.simple());
    // The line's colour follows the state its height stands for: green below 80 % of the
    // target, amber up to the target, red above it.
    let stops = target.map(|t| {
        let frac = |v: f64| ((v - top_y) / (bottom - top_y)).clamp(0.0, 1.0);
        let (at_target, at_risk) = (frac(y(t)), frac(y(t * 8 / 10)));
        view! {
            <defs>
                <linearGradient id=gradient.clone() gradientUnits="userSpaceOnUse" x1="0" x2="0" y1=top_y y2=bottom>
                    <stop offset=at_target.to_string() stop-color="#b3261e" />
                    <stop offset=at_target.to_string() stop-color="#e0a100" />
                    <stop offset=at_risk.to_string() stop-color="#e0a100" />
                    <stop offset=at_risk.to_string() stop-color="#1e7d32" />
                </linearGradient>
            </defs>
        }
    });
    let stroke = if target.is_some() {
        format!("url(#{gradient})")
    } else {
        "#0b6e4f".into()
    };
    let lines = target.map(|t| {
        let (yt, yr) = (y(t), y(t * 8 / 10));
        view! {
            <line x1=left x2=right y1=yt y2=yt class="target" />
            <line x1=left x2=right y1=yr y2=yr class="risk-line" />
            <text x=left - 6.0 y=yt + 5.0 class="axis" text-anchor="end">{spoken(lang, (t / 60) as u32)}</text>
        }
    });
    let days: Vec<(f64, &'static str)> = (1..=7)
        .map(|d| {
            let midnight = (from + chrono::Duration::days(d))
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc();
            (
                x(midnight),
                w.days[midnight.weekday().num_days_from_monday() as usize],
            )
        })
        .filter(|(dx, _)| *dx > left && *dx < right)
        .collect();
    let said = format!(
        "{}: {} {}; {}.",
        w.summary,
        w.peak,
        peak.map_or_else(|| "—".into(), |p| spoken(lang, (p / 60) as u32)),
        match (target, peak) {
            (None, _) => w.no_target.to_string(),
            (Some(t), Some(p)) if p > t =>
                format!("{} ({})", w.crossed, spoken(lang, (t / 60) as u32)),
            (Some(t), _) => format!("{} ({})", w.within, spoken(lang, (t / 60) as u32)),
        }
    );
    view! {
        <figure class="chart">
            <svg class="chart" viewBox="0 0 640 190" role="img" aria-label=said data-testid="exposure-chart">
                {stops}
                <line x1=left x2=right y1=bottom y2=bottom class="axis-line" />
                <line x1=left x2=left y1=top_y y2=bottom class="axis-line" />
                <text x=left - 6.0 y=bottom + 5.0 class="axis" text-anchor="end">"0"</text>
                {days.into_iter().map(|(dx, label)| view! {
                    <line x1=dx x2=dx y1=top_y y2=bottom class="grid" />
                    <text x=dx + 4.0 y=bottom + 22.0 class="axis">{label}</text>
                }).collect_view()}
                {lines}
                <polyline points=points class="exposure" stroke=stroke />
            </svg>
            <figcaption>
                <ul class="legend" aria-hidden="true">
                    <li><span class="key exposure"></span>{w.exposure}</li>
                    {target.map(|_| view! {
                        <li><span class="key target"></span>{w.target}</li>
                        <li><span class="key risk"></span>{w.risk}</li>
                    })}
                </ul>
            </figcaption>
        </figure>
    }
}

fn system_row(
    s: SystemStatusView,
    series: Vec<(DateTime<Utc>, i64)>,
    now: DateTime<Utc>,
    base: String,
) -> impl IntoView {
    let t = text::texts(lang());
    let pct = match (s.rpo_exposure_seconds, s.rpo_target_seconds) {
        (Some(e), Some(tg)) if tg > 0 => (e * 100 / tg).min(150),
        _ => 0,
    };
    // Only MSP staff get the key: whoever holds it can report good backups.
    let curl = s
        .ping_key
        .as_ref()
        .map(|key| format!("curl -fsS -m 10 --retry 3 {base}/ping/{key}"));
    view! {
        <article class="card system" data-testid="system-status">
            <header class="row">
                <h3>{s.name.clone()}</h3>
                <Badge state=s.rpo_state />
                <span class="muted">"RTO"</span>
                <Badge state=s.rto_state />
            </header>
            <div class="bar" title=format!("{pct}%")><span class=class(s.rpo_state) style=format!("width:{}%", pct.min(100))></span></div>
            <dl>
                <dt>{t.exposure}</dt><dd>{minutes(s.rpo_exposure_seconds)}</dd>
                <dt>{t.target}</dt><dd>{minutes(s.rpo_target_seconds)}</dd>
                <dt>{t.last_point}</dt><dd>{s.last_restore_point_at.map_or_else(|| t.never.to_string(), |p| p.format("%Y-%m-%d %H:%M UTC").to_string())}</dd>
                <dt>{t.restore_test}</dt>
                <dd>{match (s.rto_evidence_at, s.rto_evidence_seconds) {
                    (Some(at), Some(secs)) => format!("{} ({})", at.format("%Y-%m-%d"), minutes(Some(secs))),
                    _ => t.never.to_string(),
                }}</dd>
            </dl>
            {(!s.warnings.is_empty()).then(|| view! { <ul class="gaps">{s.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul> })}
            {s.policy.as_ref().map(|p| {
                let to_min = |v: Option<i64>| v.map(|x| (x / 60) as u32);
                let gaps = crate::domain::sla::gaps(lang(), p, to_min(s.rpo_target_seconds), to_min(s.rto_target_seconds));
                let a = crate::domain::sla::achievable(p);
                view! {
                    <p class="small muted" data-testid="achievable">
                        {t.achievable} ": RPO " {spoken(lang(), a.rpo_minutes)} " · RTO " {spoken(lang(), a.rto_minutes)}
                    </p>
                    {(!gaps.is_empty()).then(|| view! { <ul class="gaps" data-testid="policy-gaps">{gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul> })}
                }
            })}
            <p class="muted small">{t.week}</p>
            {chart(s.id, &series, s.rpo_target_seconds, now)}
            <Timeline system_id=s.id />
            {curl.map(|curl| view! { <details><summary>{t.heartbeat}</summary><p class="muted small">{t.heartbeat_hint}</p><code class="curl">{curl}</code></details> })}
        </article>
    }
}

/// A system's newest events, fetched when the reader opens it: an island, one of the few parts
/// of a page that runs in the browser.
#[island]
fn Timeline(system_id: Uuid) -> impl IntoView {
    // Islands wake without the page's context: the language comes from `<html lang>`.
    provide_context(crate::current_lang());
    let t = text::texts(lang());
    let open = RwSignal::new(false);
    let events = Resource::new(
        move || open.get(),
        move |open| async move {
            if open {
                crate::api::get_system_events(system_id).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <details on:toggle=move |_| open.set(true) data-testid="timeline">
            <summary>{t.timeline}</summary>
            <Transition fallback=|| ()>
                {move || events.get().and_then(|r| r.ok()).flatten().map(|list| view! {
                    <ol class="timeline">{list.into_iter().map(|e| {
                        let good = matches!(e.kind, crate::domain::sla::EventKind::BackupSucceeded | crate::domain::sla::EventKind::ReplicationSucceeded | crate::domain::sla::EventKind::RestoreTestPassed);
                        view! {
                            <li class=if good { "ok" } else { "bad" }>
                                <span class="muted small">{e.finished_at.format("%Y-%m-%d %H:%M").to_string()}</span>
                                " " {text::kind(lang(), e.kind)}
                                {e.duration_seconds.map(|d| format!(" · {}", minutes(Some(d))))}
                                {(!e.message.is_empty()).then(|| format!(" · {}", e.message))}
                            </li>
                        }
                    }).collect_view()}</ol>
                })}
            </Transition>
        </details>
    }
}

#[component]
pub fn StatusPage() -> impl IntoView {
    let ut = use_t();
    let id = crate::components::use_id_param();
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_status(id).await.map(Some),
            None => Ok(None),
        }
    });
    // Live: the browser loads the page afresh every 15 s while nobody is reading a timeline.
    view! {
        <main class="wide" data-refresh-seconds="15">
            <Transition fallback=move || view! { <p class="loading">{ut.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some((status, history))) => {
                        let t = text::texts(lang());
                        let now = status.evaluated_at;
                        let c = status.counts.clone();
                        let base = status.ping_base.clone();
                        view! {
                            <p class="muted"><a href=format!("/clients/{}", status.client_id)>{status.client_name.clone()}</a></p>
                            <h1>{t.status}</h1>
                            <p class="counts" data-testid="counts">
                                <Badge state=State::Breached /> " " {c.breached} "  "
                                <Badge state=State::AtRisk /> " " {c.at_risk} "  "
                                <Badge state=State::Ok /> " " {c.ok} "  "
                                <Badge state=State::Unknown /> " " {c.unknown}
                            </p>
                            <p class="muted small">{t.refreshed}</p>
                            <p class="small" data-testid="report-links">
                                {t.report} ": "
                                <a rel="external" target="_blank" href=format!("/api/v1/clients/{}/reports/{}?format=html&lang={}", status.client_id, now.format("%Y-%m"), lang().code())>"HTML"</a> " · "
                                <a rel="external" href=format!("/api/v1/clients/{}/reports/{}?format=pdf&lang={}", status.client_id, now.format("%Y-%m"), lang().code())>"PDF"</a> " · "
                                <a rel="external" href=format!("/api/v1/clients/{}/reports/{}?format=csv", status.client_id, now.format("%Y-%m"))>"CSV"</a>
                            </p>
                            {status.systems.is_empty().then(|| view! { <p class="empty">{t.no_systems}</p> })}
                            <section class="systems">
                                {status.systems.iter().cloned().map(|s| {
                                    let series = history
                                        .iter()
                                        .find(|(id, _)| *id == s.id)
                                        .map(|(_, v)| v.iter().filter_map(|(t, e)| Some((DateTime::from_timestamp(*t, 0)?, *e))).collect())
                                        .unwrap_or_default();
                                    system_row(s, series, now, base.clone())
                                }).collect_view()}
                            </section>
                            {(!status.processes.is_empty()).then(|| view! {
                                <h2>{t.processes}</h2>
                                <table class="table" data-testid="process-status">
                                    <tbody>{status.processes.iter().map(|p| {
                                        // The reader's language, from the policies of its systems.
                                        let policies: Vec<(&str, &crate::domain::sla::Policy)> = p.systems.iter()
                                            .filter_map(|id| status.systems.iter().find(|s| s.id == *id))
                                            .filter_map(|s| s.policy.as_ref().map(|pol| (s.name.as_str(), pol)))
                                            .collect();
                                        let to_min = |v: Option<i64>| v.map(|x| (x / 60) as u32);
                                        let gaps = crate::domain::sla::process_gaps(lang(), &policies, to_min(p.rpo_target_seconds), to_min(p.rto_target_seconds));
                                        view! {
                                            <tr>
                                                <td>{p.name.clone()}</td>
                                                <td><Badge state=p.rpo_state /></td>
                                                <td>"RTO " <Badge state=p.rto_state /></td>
                                                <td>{(!gaps.is_empty()).then(|| view! { <ul class="gaps" data-testid="process-gaps">{gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul> })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}</tbody>
                                </table>
                            })}
                        }.into_any()
                    }
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}
