//! The MSP's service catalog: the protection tiers it sells, what each promises and costs.
//! Owners and admins change a tier in its drawer; technicians read.
use leptos::prelude::*;

use crate::api::{get_catalog, AddTier, DeleteTier, UpdateTier};
use crate::components::{action_error, use_me, use_t, ErrorNote};
use crate::domain::input::duration_text;
use crate::domain::sla::Method;
use crate::domain::upsell::{money, money_field};
use crate::i18n::Lang;
use crate::model::billing::TierView;

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub per_system: &'static str,
    pub per_tb: &'static str,
    pub survives: &'static str,
    pub on_site: &'static str,
    pub promises: &'static str,
    pub price_per_system: &'static str,
    pub price_per_tb: &'static str,
    pub currency: &'static str,
    pub protection: &'static str,
    pub protection_intro: &'static str,
    pub all_kept: &'static str,
    pub move_to: &'static str,
    pub per_month: &'static str,
    pub more_than_now: &'static str,
    pub site_loss_plan: &'static str,
    pub add: &'static str,
    pub like: &'static str,
    pub create: &'static str,
    pub remove_means: &'static str,
    pub protection_method: &'static str,
}

pub const EN: Words = Words {
    title: "Service catalog",
    intro: "The protection you sell. Each tier promises an RPO and RTO and stands for a way of backing up; Lifeline recommends the cheapest tier that keeps a system's agreed targets.",
    per_system: "per system per month",
    per_tb: "per TB",
    survives: "survives losing the site",
    on_site: "copies stay on site",
    promises: "Promises",
    price_per_system: "Price per system per month",
    price_per_tb: "Price per TB per month (optional)",
    currency: "Currency",
    protection: "Protection",
    protection_intro: "Systems whose backups cannot keep their agreed targets, and the cheapest tier of your catalog that would.",
    all_kept: "Every system's protection keeps its agreed targets.",
    move_to: "Move to",
    per_month: "per month",
    more_than_now: "more than now",
    site_loss_plan: "The plan prepares for fire or flood: every system must survive losing its site.",
    add: "Add a tier",
    like: "Protected like",
    create: "Add tier",
    remove_means: "New recommendations no longer use it; the audit log keeps who removed it.",
    protection_method: "How it protects (what Lifeline works out the tier achieves from)",
};

pub const NL: Words = Words {
    title: "Dienstencatalogus",
    intro: "De bescherming die u verkoopt. Elk niveau belooft een RPO en RTO en staat voor een manier van back-uppen; Lifeline raadt het goedkoopste niveau aan dat de afgesproken doelen van een systeem haalt.",
    per_system: "per systeem per maand",
    per_tb: "per TB",
    survives: "overleeft verlies van de locatie",
    on_site: "kopieën blijven op de locatie",
    promises: "Belooft",
    price_per_system: "Prijs per systeem per maand",
    price_per_tb: "Prijs per TB per maand (optioneel)",
    currency: "Valuta",
    protection: "Bescherming",
    protection_intro: "Systemen waarvan de back-ups de afgesproken doelen niet halen, en het goedkoopste niveau uit uw catalogus dat dat wel doet.",
    all_kept: "De bescherming van elk systeem haalt de afgesproken doelen.",
    move_to: "Overstappen naar",
    per_month: "per maand",
    more_than_now: "meer dan nu",
    site_loss_plan: "Het plan houdt rekening met brand of water: elk systeem moet verlies van de locatie overleven.",
    add: "Niveau toevoegen",
    like: "Beschermd zoals",
    create: "Niveau toevoegen",
    remove_means: "Nieuwe aanbevelingen gebruiken het niet meer; het logboek bewaart wie het verwijderde.",
    protection_method: "Hoe het beschermt (waaruit Lifeline berekent wat het niveau haalt)",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = words(lang);
    let edit = ServerAction::<UpdateTier>::new();
    let add = ServerAction::<AddTier>::new();
    let remove = ServerAction::<DeleteTier>::new();
    let add_error = action_error(add);
    let remove_error = action_error(remove);
    let me = use_me();
    let may_edit = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|m| m.role.runs_the_msp())
    };
    let catalog = Resource::new(
        move || {
            (
                edit.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |_| get_catalog(),
    );
    view! {
        <main>
            <h1>{w.title}</h1>
            <super::offers::PipelineView />
            <p class="muted">{w.intro}</p>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || catalog.get().map(|r| match r {
                    Ok(Some(c)) => {
                        let models: Vec<(uuid::Uuid, String)> = c.tiers.iter().map(|t| (t.id, t.name.clone())).collect();
                        view! {
                            <ul class="cards" data-testid="tiers">
                                {c.tiers.into_iter().map(|tier| view! { <Tier tier lang edit remove may_edit=may_edit() /> }).collect_view()}
                            </ul>
                            <ErrorNote error=remove_error />
                            {(may_edit() && !models.is_empty()).then(|| view! {
                                <details class="card" data-testid="add-tier" open=add.value().get_untracked().is_some_and(|r| r.is_err())>
                                    <summary>{w.add}</summary>
                                    <ActionForm action=add attr:class="form grid">
                                        <label class="field"><span>{t.name}</span><input name="name" required maxlength="200" /></label>
                                        <label class="field"><span>{w.like}</span>
                                            <select name="like">
                                                {models.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="field"><span>"RPO"</span><input name="rpo_minutes" required placeholder="1 h" /></label>
                                        <label class="field"><span>"RTO"</span><input name="rto_minutes" required placeholder="4 h" /></label>
                                        <label class="field"><span>{w.price_per_system}</span><input name="price_per_system" required inputmode="decimal" placeholder="45,00" /></label>
                                        <label class="check"><input type="checkbox" name="survives_site_loss" value="on" />" " {w.survives}</label>
                                        <button type="submit">{w.create}</button>
                                    </ActionForm>
                                    <ErrorNote error=add_error />
                                </details>
                            })}
                        }.into_any()
                    }
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
            <BillingSettings />
        </main>
    }
}

#[component]
fn Tier(
    tier: TierView,
    lang: Lang,
    edit: ServerAction<UpdateTier>,
    remove: ServerAction<DeleteTier>,
    may_edit: bool,
) -> impl IntoView {
    let w = words(lang);
    let pt = crate::plan_text::texts(lang);
    let price = money(lang, tier.price_per_system_cents, &tier.currency);
    let per_tb = tier
        .price_per_tb_cents
        .map(|c| format!(" + {} {}", money(lang, c, &tier.currency), w.per_tb));
    view! {
        <li class="card" data-testid="tier">
            <h3>{tier.name.clone()}</h3>
            {(!tier.description.is_empty()).then(|| view! { <p>{tier.description.clone()}</p> })}
            <p><strong data-testid="tier-price">{price}</strong> {per_tb} " " <span class="muted">{w.per_system}</span></p>
            <p class="small">
                {w.promises} ": RPO " {duration_text(lang, tier.rpo_minutes)} " · RTO " {duration_text(lang, tier.rto_minutes)} " · "
                {if tier.survives_site_loss { w.survives } else { w.on_site }}
            </p>
            <p class="small muted" data-testid="tier-method">{crate::plan_text::policy_summary(lang, &tier.policy, &tier.achievable)}</p>
            {may_edit.then(|| {
                let id = tier.id.to_string();
                view! {
                    <TierEditor tier lang edit />
                    " "
                    <details class="confirm inline" data-testid="remove-confirm">
                        <summary>{pt.remove} "…"</summary>
                        <span class="small">{w.remove_means}</span>
                        <ActionForm action=remove attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="danger" data-testid="remove">{pt.remove_now}</button>
                        </ActionForm>
                    </details>
                }
            })}
        </li>
    }
}

#[component]
fn TierEditor(tier: TierView, lang: Lang, edit: ServerAction<UpdateTier>) -> impl IntoView {
    let w = words(lang);
    let pt = crate::plan_text::texts(lang);
    let t = use_t();
    let error = action_error(edit);
    let p = tier.policy.clone();
    view! {
        <details class="edit" data-testid="edit-tier">
            {super::plan::drawer_summary(pt.edit, pt.close)}
            <div class="drawer">
            <h2>{tier.name.clone()}</h2>
            <ActionForm action=edit attr:class="form grid">
                <input type="hidden" name="id" value=tier.id.to_string() />
                <label class="field"><span>{t.name}</span><input name="name" required maxlength="200" value=tier.name.clone() /></label>
                <label class="field wide"><span>{pt.description}</span><textarea name="description" rows="2">{tier.description.clone()}</textarea></label>
                <label class="field"><span>"RPO"</span><input name="rpo_minutes" required value=duration_text(lang, tier.rpo_minutes) /></label>
                <label class="field"><span>"RTO"</span><input name="rto_minutes" required value=duration_text(lang, tier.rto_minutes) /></label>
                <label class="check"><input type="checkbox" name="survives_site_loss" value="on" checked=tier.survives_site_loss />" " {w.survives}</label>
                <label class="field"><span>{w.price_per_system}</span><input name="price_per_system" required inputmode="decimal" value=money_field(lang, tier.price_per_system_cents) /></label>
                <label class="field"><span>{w.price_per_tb}</span><input name="price_per_tb" inputmode="decimal" value=tier.price_per_tb_cents.map(|c| money_field(lang, c)).unwrap_or_default() /></label>
                <label class="field"><span>{w.currency}</span><input name="currency" required maxlength="3" value=tier.currency.clone() /></label>
                <fieldset class="field wide" data-testid="tier-policy">
                    <legend>{w.protection_method}</legend>
                    <div class="form grid">
                        <label class="field"><span>{pt.method}</span>
                            <select name="method">
                                {Method::ALL.into_iter().map(|m| view! { <option value=m.as_str() selected=m == p.method>{crate::plan_text::method(lang, m)}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="field"><span>{pt.backup_interval}</span><input name="interval_minutes" required value=duration_text(lang, p.interval_minutes) /></label>
                        <label class="field"><span>{pt.job_duration}</span><input name="job_minutes" required value=duration_text(lang, p.job_minutes) /></label>
                        <label class="field"><span>{pt.offsite_interval}</span><input name="offsite_interval_minutes" placeholder=pt.offsite_none value=p.offsite_interval_minutes.map(|m| duration_text(lang, m)).unwrap_or_default() /></label>
                        <label class="field"><span>{pt.retention_days}</span><input name="retention_days" required inputmode="numeric" value=p.retention_days.to_string() /></label>
                        <input type="hidden" name="data_gb" value=p.data_gb.to_string() />
                        <input type="hidden" name="restore_mb_per_s" value=p.restore_mb_per_s.map(|v| v.to_string()).unwrap_or_default() />
                    </div>
                    <p class="muted small">{pt.duration_hint}</p>
                </fieldset>
                <button type="submit">{pt.save}</button>
            </ActionForm>
            <ErrorNote error />
            </div>
        </details>
    }
}

/// A client's recommended tier changes, for MSP staff on the client's page.
#[component]
pub fn Protection(client_id: uuid::Uuid) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = words(lang);
    let recs = Resource::new(move || client_id, crate::api::get_recommendations);
    view! {
        <section data-testid="protection">
            <h2>{w.protection}</h2>
            <p class="muted">{w.protection_intro}</p>
            <Transition fallback=|| ()>
                {move || recs.get().map(|r| match r {
                    Ok(r) if r.items.is_empty() => view! { <p class="empty">{w.all_kept}</p> }.into_any(),
                    Ok(r) => view! {
                        {r.site_loss_scenario.then(|| view! { <p class="small">{w.site_loss_plan}</p> })}
                        {r.items.into_iter().map(|item| view! {
                            <div class="card" data-testid="recommendation">
                                <h3>{w.move_to} " " {item.tier_name.clone()}</h3>
                                <p>
                                    <strong>{money(lang, item.monthly_price_cents, &item.currency)}</strong> " " {w.per_month}
                                    {(item.monthly_difference_cents != item.monthly_price_cents).then(|| format!(" ({} {})", money(lang, item.monthly_difference_cents, &item.currency), w.more_than_now))}
                                </p>
                                <ul class="gaps">
                                    {item.systems.into_iter().map(|s| view! { <li><strong>{s.name}</strong> ": " {s.reason}</li> }).collect_view()}
                                </ul>
                                <super::offers::MakeOfferForm client_id tier_id=item.tier_id />
                            </div>
                        }).collect_view()}
                    }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
            <super::offers::OfferList client_id staff=true may_answer=false />
        </section>
    }
}

struct BillingWords {
    title: &'static str,
    manual: &'static str,
    connected: &'static str,
    test_mode: &'static str,
    live_mode: &'static str,
    secret_key: &'static str,
    webhook_secret: &'static str,
    connect: &'static str,
    rekey: &'static str,
    webhook_intro: &'static str,
    events_intro: &'static str,
    owners_only: &'static str,
    disconnect: &'static str,
    disconnect_means: &'static str,
    disconnect_now: &'static str,
    invoice_lines: &'static str,
}

const BILLING_EN: BillingWords = BillingWords {
    title: "Billing",
    manual: "Stripe is not connected: an accepted offer is recorded for billing by hand. Export the month's invoice lines for your PSA, or connect your own Stripe account so that clients pay through Stripe Checkout.",
    connected: "Connected to Stripe with",
    test_mode: "test mode: no real money moves",
    live_mode: "live mode",
    secret_key: "Secret key (sk_… or a restricted rk_… key)",
    webhook_secret: "Webhook signing secret (whsec_…)",
    connect: "Connect Stripe",
    rekey: "Change the keys",
    webhook_intro: "In Stripe's dashboard (Developers → Webhooks) add this endpoint:",
    events_intro: "and select these events:",
    owners_only: "Only the MSP's owners connect or disconnect Stripe.",
    disconnect: "Disconnect",
    disconnect_means: "Offers accepted from now on are billed by hand; subscriptions already in Stripe stay there until you end them in Stripe.",
    disconnect_now: "Disconnect now",
    invoice_lines: "Invoice lines of this month (CSV)",
};

const BILLING_NL: BillingWords = BillingWords {
    title: "Facturatie",
    manual: "Stripe is niet gekoppeld: een geaccepteerd aanbod wordt vastgelegd voor facturatie met de hand. Exporteer de factuurregels van de maand voor uw PSA, of koppel uw eigen Stripe-account zodat klanten via Stripe Checkout betalen.",
    connected: "Gekoppeld aan Stripe met",
    test_mode: "testmodus: er gaat geen echt geld om",
    live_mode: "live",
    secret_key: "Geheime sleutel (sk_… of een beperkte rk_…-sleutel)",
    webhook_secret: "Ondertekeningsgeheim van de webhook (whsec_…)",
    connect: "Stripe koppelen",
    rekey: "Sleutels wijzigen",
    webhook_intro: "Voeg in het dashboard van Stripe (Developers → Webhooks) dit adres toe:",
    events_intro: "en kies deze gebeurtenissen:",
    owners_only: "Alleen de eigenaren van de MSP koppelen Stripe of ontkoppelen het.",
    disconnect: "Ontkoppelen",
    disconnect_means: "Aanbiedingen die vanaf nu worden geaccepteerd, worden met de hand gefactureerd; abonnementen die al in Stripe staan blijven daar tot u ze in Stripe beëindigt.",
    disconnect_now: "Nu ontkoppelen",
    invoice_lines: "Factuurregels van deze maand (CSV)",
};

/// How the MSP is paid for what it sells: by hand (invoice lines for its PSA) or through its
/// own Stripe account. Owners connect; admins see how it stands.
#[component]
fn BillingSettings() -> impl IntoView {
    use crate::api::{get_stripe, ConnectStripe, DisconnectStripe};
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = match lang {
        Lang::Nl => &BILLING_NL,
        Lang::En => &BILLING_EN,
    };
    let connect = ServerAction::<ConnectStripe>::new();
    let disconnect = ServerAction::<DisconnectStripe>::new();
    let connect_error = action_error(connect);
    let me = use_me();
    let owner = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|m| m.role == crate::model::Role::MspOwner)
    };
    let stripe = Resource::new(|| (), |_| get_stripe());
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    view! {
        <Transition fallback=|| ()>
            {move || stripe.get().and_then(|r| r.ok()).flatten().map(|s| {
                let keys_form = view! {
                    <ActionForm action=connect attr:class="form grid">
                        <label class="field"><span>{w.secret_key}</span>
                            <input name="secret_key" type="password" required autocomplete="off" spellcheck="false" maxlength="255" /></label>
                        <label class="field"><span>{w.webhook_secret}</span>
                            <input name="webhook_secret" type="password" required autocomplete="off" spellcheck="false" maxlength="255" /></label>
                        <button type="submit">{if s.connected { w.rekey } else { w.connect }}</button>
                    </ActionForm>
                    <ErrorNote error=connect_error />
                };
                view! {
                    <section class="card" data-testid="billing-settings">
                        <h2>{w.title}</h2>
                        {if s.connected {
                            view! {
                                <p data-testid="stripe-connected">
                                    {w.connected} " " <code>{s.key_hint.clone().unwrap_or_default()}</code>
                                    " (" {if s.live { w.live_mode } else { w.test_mode }} ")"
                                </p>
                            }.into_any()
                        } else {
                            view! { <p data-testid="stripe-manual">{w.manual}</p> }.into_any()
                        }}
                        <p class="small">{w.webhook_intro}</p>
                        <p><code data-testid="webhook-url">{s.webhook_url.clone()}</code></p>
                        <p class="small">{w.events_intro} " "
                            {s.events.iter().enumerate().map(|(i, e)| view! { {(i > 0).then_some(", ")} <code>{e.clone()}</code> }).collect_view()}
                        </p>
                        <p><a href=format!("/api/v1/billing/invoice-lines/{month}.csv") download>{w.invoice_lines}</a></p>
                        {if owner() {
                            if s.connected {
                                view! {
                                    <details class="edit" data-testid="stripe-keys">
                                        <summary>{w.rekey}</summary>
                                        <div class="drawer">{keys_form}</div>
                                    </details>
                                    " "
                                    <details class="confirm inline" data-testid="stripe-disconnect">
                                        <summary>{w.disconnect} "…"</summary>
                                        <span class="small">{w.disconnect_means}</span>
                                        <ActionForm action=disconnect attr:class="inline">
                                            <button type="submit" class="danger">{w.disconnect_now}</button>
                                        </ActionForm>
                                    </details>
                                }.into_any()
                            } else {
                                view! { <div data-testid="stripe-keys">{keys_form}</div> }.into_any()
                            }
                        } else {
                            view! { <p class="small muted">{w.owners_only}</p> }.into_any()
                        }}
                    </section>
                }
            })}
        </Transition>
    }
}
