//! A system's backup policy on the plan page: what it achieves at worst and where it falls short of
//! the targets in force, in the reader's language, and for plan editors the form that sets it.
use leptos::prelude::*;

use super::lang;
use crate::api::{RemoveSystemPolicy, SetSystemPolicy};
use crate::domain::sla::{self, Method};
use crate::model::plan::SystemView;
use crate::plan_text as text;

/// The two forms of a system's policy; the page is drawn on the server, and a save loads it
/// afresh, so nothing here has to follow the actions' results.
#[derive(Clone, Copy)]
pub(super) struct PolicyActions {
    set: ServerAction<SetSystemPolicy>,
    remove: ServerAction<RemoveSystemPolicy>,
}

impl PolicyActions {
    pub(super) fn new() -> Self {
        PolicyActions {
            set: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }
}

/// The policy in a few words, what it achieves and its gaps; nothing when no policy is known.
pub(super) fn achieved(s: &SystemView) -> Option<impl IntoView> {
    let l = lang();
    let t = text::texts(l);
    let (p, a) = (s.policy.clone()?, s.achievable?);
    let gaps = sla::gaps(l, &p, s.effective.rpo_minutes, s.effective.rto_minutes);
    let has_targets = s.effective.rpo_minutes.is_some() || s.effective.rto_minutes.is_some();
    Some(view! {
        <p class="small" data-testid="achievable">{text::policy_summary(l, &p, &a)}</p>
        {if gaps.is_empty() {
            has_targets.then(|| view! { <p class="small" data-testid="policy-meets">{t.policy_meets}</p> }).into_any()
        } else {
            view! { <ul class="gaps" data-testid="policy-gaps">{gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul> }.into_any()
        }}
    })
}

/// Sets or removes the policy; plain forms, so they post before the wasm has loaded too.
pub(super) fn editor(s: &SystemView, a: PolicyActions) -> impl IntoView {
    let l = lang();
    let t = text::texts(l);
    let id = s.id;
    let p = s.policy.clone();
    let method = p.as_ref().map_or(Method::AgentToDisk, |p| p.method);
    // The form shows what is set, so a change starts from it.
    let num = |f: fn(&sla::Policy) -> Option<u32>| {
        p.as_ref()
            .and_then(f)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    let span = |f: fn(&sla::Policy) -> Option<u32>| {
        p.as_ref()
            .and_then(f)
            .map(|v| crate::domain::input::duration_text(l, v))
            .unwrap_or_default()
    };
    let (interval, job, offsite) = (
        span(|p| Some(p.interval_minutes)),
        span(|p| Some(p.job_minutes)),
        span(|p| p.offsite_interval_minutes),
    );
    let (retention, data, throughput) = (
        num(|p| Some(p.retention_days)),
        num(|p| Some(p.data_gb)),
        num(|p| p.restore_mb_per_s),
    );
    let has_policy = p.is_some();
    // One action serves every system's form: a refusal is shown in the form that was used (in
    // the browser), and saved, the page loads afresh with the drawer closed.
    view! {
        <details class="edit" data-testid="edit-policy">
            {super::drawer_summary(if has_policy { t.backup_policy } else { t.set_policy }, t.close)}
            <div class="drawer">
            <h2>{if has_policy { t.backup_policy } else { t.set_policy }}</h2>
            <ActionForm action=a.set attr:class="form grid">
                <input type="hidden" name="id" value=id.to_string() />
                <label class="field"><span>{t.method}</span>
                    <select name="method">
                        {Method::ALL.into_iter().map(|m| view! { <option value=m.as_str() selected=m == method>{text::method(l, m)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>{t.backup_interval}</span><input name="interval_minutes" required placeholder="1 d" value=interval /></label>
                <label class="field"><span>{t.job_duration}</span><input name="job_minutes" required placeholder="1 h" value=job /></label>
                <label class="field"><span>{t.offsite_interval}</span><input name="offsite_interval_minutes" placeholder=t.offsite_none value=offsite /></label>
                <label class="field"><span>{t.retention_days}</span><input name="retention_days" required inputmode="numeric" placeholder="30" value=retention /></label>
                <label class="field"><span>{t.data_gb}</span><input name="data_gb" required inputmode="numeric" placeholder="200" value=data /></label>
                <label class="field"><span>{t.restore_throughput}</span><input name="restore_mb_per_s" inputmode="numeric" placeholder=t.throughput_typical value=throughput /></label>
                <p class="muted small field wide">{t.duration_hint}</p>
                <button type="submit">{t.save}</button>
            </ActionForm>
            {has_policy.then(|| view! {
                <ActionForm action=a.remove attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="link danger" data-testid="remove-policy">{t.remove_policy}</button>
                </ActionForm>
            })}
            </div>
        </details>
    }
}
