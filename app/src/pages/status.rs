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

/// Exposure (a sawtooth) against the target line and the 80% line, in plain SVG.
fn chart(
    series: &[(DateTime<Utc>, i64)],
    target: Option<i64>,
    now: DateTime<Utc>,
) -> impl IntoView {
    let (w, h) = (640.0_f64, 140.0_f64);
    let from = now - chrono::Duration::days(7);
    let span = (now - from).num_seconds() as f64;
    let top = series
        .iter()
        .map(|p| p.1)
        .max()
        .unwrap_or(0)
        .max(target.map_or(3600, |t| t * 3 / 2)) as f64;
    let x = |t: DateTime<Utc>| ((t - from).num_seconds() as f64 / span * w).clamp(0.0, w);
    let y = |e: i64| h - (e as f64 / top * (h - 10.0)).min(h);
    let points: String = series
        .iter()
        .map(|(t, e)| format!("{:.1},{:.1}", x(*t), y(*e)))
        .collect::<Vec<_>>()
        .join(" ");
    let lines = target.map(|t| {
        let (yt, yr) = (y(t), y(t * 8 / 10));
        view! {
            <line x1="0" x2=w y1=yt y2=yt class="target" />
            <line x1="0" x2=w y1=yr y2=yr class="risk-line" />
        }
    });
    let days: Vec<f64> = (1..7)
        .map(|d| x(from + chrono::Duration::days(d)))
        .collect();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" role="img">
            {days.into_iter().map(|dx| view! { <line x1=dx x2=dx y1="0" y2=h class="grid" /> }).collect_view()}
            {lines}
            <polyline points=points class="exposure" />
        </svg>
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
            {chart(&series, s.rpo_target_seconds, now)}
            <Timeline system_id=s.id />
            {curl.map(|curl| view! { <details><summary>{t.heartbeat}</summary><p class="muted small">{t.heartbeat_hint}</p><code class="curl">{curl}</code></details> })}
        </article>
    }
}

/// A system's newest events, fetched when the reader opens it.
#[component]
fn Timeline(system_id: Uuid) -> impl IntoView {
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
    let tick = RwSignal::new(0u32);
    // Live: refetch every 15 s once the page runs in the browser (effects never run on the server).
    Effect::new(move |_| {
        let _ = set_interval_with_handle(
            move || tick.update(|n| *n += 1),
            std::time::Duration::from_secs(15),
        );
    });
    let data = Resource::new(
        move || (id(), tick.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_status(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <main class="wide">
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
                                    let series = history.iter().find(|(id, _)| *id == s.id).map(|(_, v)| v.clone()).unwrap_or_default();
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
