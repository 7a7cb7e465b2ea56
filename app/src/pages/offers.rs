//! Offers on both sides: MSP staff make one from a recommendation and send it; the client's admin
//! reads it with the reasons and accepts or declines. Plain forms: they post without the wasm.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{AnswerOffer, MakeOffer, SendOffer};
use crate::components::ErrorNote;
use crate::domain::offer::OfferState;
use crate::domain::upsell::money;
use crate::i18n::Lang;
use crate::model::billing::OfferView;

struct Words {
    pipeline: &'static str,
    mrr: &'static str,
    mrr_said: &'static str,
    mrr_none: &'static str,
    drafts: &'static str,
    open_offers: &'static str,
    accepted_n: &'static str,
    declined_n: &'static str,
    expired_n: &'static str,
    offers: &'static str,
    none: &'static str,
    make_offer: &'static str,
    send: &'static str,
    draft_hint: &'static str,
    accept: &'static str,
    decline: &'static str,
    per_month: &'static str,
    system: &'static str,
    systems: &'static str,
    valid_until: &'static str,
    billed_by_hand: &'static str,
    answer_hint: &'static str,
    to_pay: &'static str,
    pay: &'static str,
    paid: &'static str,
    past_due: &'static str,
    ended: &'static str,
    manage_payment: &'static str,
}

const EN: Words = Words {
    pipeline: "Pipeline",
    mrr: "Monthly recurring revenue won, at the end of each month",
    mrr_said: "Monthly recurring revenue per month",
    mrr_none: "No revenue won yet: accepted offers show here, month by month.",
    drafts: "drafts",
    open_offers: "open offers worth",
    accepted_n: "accepted",
    declined_n: "declined",
    expired_n: "expired",
    offers: "Offers",
    none: "No offers yet. Make one from a recommendation above.",
    make_offer: "Make an offer",
    send: "Send to the client",
    draft_hint: "A draft: the client sees it once it is sent, and its admins are e-mailed.",
    accept: "Accept",
    decline: "Decline",
    per_month: "per month",
    system: "system",
    systems: "systems",
    valid_until: "Valid until",
    billed_by_hand: "Accepted: your IT partner invoices it monthly.",
    answer_hint: "Accepting puts these systems on this protection from today.",
    to_pay: "Accepted: it starts once paid through Stripe's secure checkout.",
    pay: "Pay with Stripe",
    paid: "Accepted and paid through Stripe, monthly.",
    past_due: "A payment failed: Stripe tries again; check the payment details.",
    ended: "This subscription has ended.",
    manage_payment: "Payment details and invoices",
};

const NL: Words = Words {
    pipeline: "Pijplijn",
    mrr: "Gewonnen maandelijks terugkerende omzet, aan het eind van elke maand",
    mrr_said: "Maandelijks terugkerende omzet per maand",
    mrr_none: "Nog geen omzet gewonnen: aanvaarde voorstellen verschijnen hier, maand voor maand.",
    drafts: "concepten",
    open_offers: "open voorstellen ter waarde van",
    accepted_n: "aanvaard",
    declined_n: "afgewezen",
    expired_n: "verlopen",
    offers: "Voorstellen",
    none: "Nog geen voorstellen. Maak er een van een aanbeveling hierboven.",
    make_offer: "Voorstel maken",
    send: "Naar de klant sturen",
    draft_hint: "Een concept: de klant ziet het zodra het verstuurd is, en de beheerders krijgen een e-mail.",
    accept: "Aanvaarden",
    decline: "Afwijzen",
    per_month: "per maand",
    system: "systeem",
    systems: "systemen",
    valid_until: "Geldig tot",
    billed_by_hand: "Aanvaard: uw IT-partner factureert dit maandelijks.",
    answer_hint: "Aanvaarden zet deze systemen vanaf vandaag op deze bescherming.",
    to_pay: "Aanvaard: het gaat in zodra het betaald is via de beveiligde betaalpagina van Stripe.",
    pay: "Betalen met Stripe",
    paid: "Aanvaard en maandelijks betaald via Stripe.",
    past_due: "Een betaling is mislukt: Stripe probeert het opnieuw; controleer de betaalgegevens.",
    ended: "Dit abonnement is beëindigd.",
    manage_payment: "Betaalgegevens en facturen",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Nl => &NL,
    }
}

fn state_label(lang: Lang, s: OfferState) -> &'static str {
    match (lang, s) {
        (Lang::En, OfferState::Draft) => "draft",
        (Lang::En, OfferState::Sent) => "sent",
        (Lang::En, OfferState::Viewed) => "viewed",
        (Lang::En, OfferState::Accepted) => "accepted",
        (Lang::En, OfferState::Declined) => "declined",
        (Lang::En, OfferState::Expired) => "expired",
        (Lang::Nl, OfferState::Draft) => "concept",
        (Lang::Nl, OfferState::Sent) => "verstuurd",
        (Lang::Nl, OfferState::Viewed) => "bekeken",
        (Lang::Nl, OfferState::Accepted) => "aanvaard",
        (Lang::Nl, OfferState::Declined) => "afgewezen",
        (Lang::Nl, OfferState::Expired) => "verlopen",
    }
}

fn state_class(s: OfferState) -> &'static str {
    match s {
        OfferState::Accepted => "badge ok",
        OfferState::Declined | OfferState::Expired => "badge bad",
        _ => "badge",
    }
}

/// Turns a recommendation into a drafted offer (MSP staff).
#[component]
pub fn MakeOfferForm(client_id: Uuid, tier_id: Uuid) -> impl IntoView {
    let w = words(use_context::<Lang>().unwrap_or_default());
    let make = ServerAction::<MakeOffer>::new();
    let error = crate::components::action_error(make);
    view! {
        <ActionForm action=make attr:class="inline">
            <input type="hidden" name="client_id" value=client_id.to_string() />
            <input type="hidden" name="tier_id" value=tier_id.to_string() />
            <button type="submit" data-testid="make-offer">{w.make_offer}</button>
            <ErrorNote error />
        </ActionForm>
    }
}

/// The client's offers: for MSP staff with drafts to send, for the client's admin with an answer
/// to give. Client users do not see a section without offers.
#[component]
pub fn OfferList(client_id: Uuid, staff: bool, may_answer: bool) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = words(lang);
    let offers = Resource::new(move || client_id, crate::api::get_offers);
    view! {
        <Transition fallback=|| ()>
            {move || offers.get().and_then(|r| r.ok()).map(|list| {
                (staff || !list.is_empty()).then(|| view! {
                    <section data-testid="offers">
                        <h2>{w.offers}</h2>
                        {list.is_empty().then(|| view! { <p class="empty">{w.none}</p> })}
                        {list.into_iter().map(|o| offer_card(lang, o, staff, may_answer)).collect_view()}
                    </section>
                })
            })}
        </Transition>
    }
}

fn offer_card(lang: Lang, o: OfferView, staff: bool, may_answer: bool) -> impl IntoView {
    let w = words(lang);
    let open = o.state.is_open();
    let id = o.id.to_string();
    let billing = (o.state == OfferState::Accepted).then(|| billing_note(w, &o, may_answer));
    view! {
        <div class="card" data-testid="offer">
            <h3>
                {o.tier_name.clone()} " "
                <span class=state_class(o.state) data-testid="offer-state">{state_label(lang, o.state)}</span>
            </h3>
            <p>
                <strong>{money(lang, o.monthly_price_cents, &o.currency)}</strong> " " {w.per_month}
                " · " {o.quantity} " " {if o.quantity == 1 { w.system } else { w.systems }}
                " · " {w.valid_until} " " {o.valid_until.format("%Y-%m-%d").to_string()}
            </p>
            <ul class="gaps">
                {o.systems.into_iter().map(|s| view! { <li><strong>{s.name}</strong> ": " {s.reason}</li> }).collect_view()}
            </ul>
            {(!o.note.is_empty()).then(|| view! { <p>{o.note.clone()}</p> })}
            {billing}
            {(staff && o.state == OfferState::Draft).then(|| send_form(w, id.clone()))}
            {(may_answer && open).then(|| answer_form(w, id.clone()))}
        </div>
    }
}

/// How an accepted offer is paid for, and what its admin can do about it.
fn billing_note(w: &'static Words, o: &OfferView, admin: bool) -> impl IntoView {
    let status = o.subscription_status.as_deref().unwrap_or("active");
    let stripe = o.billing.as_deref() == Some("stripe");
    let portal = stripe && admin && matches!(status, "active" | "past_due" | "trialing" | "unpaid");
    let said = match (stripe, status) {
        (_, "canceled" | "incomplete_expired") => w.ended,
        (false, _) => w.billed_by_hand,
        (true, "incomplete") => w.to_pay,
        (true, "past_due" | "unpaid") => w.past_due,
        (true, _) => w.paid,
    };
    view! {
        <p class="small" data-testid="offer-billing">{said}</p>
        {o.checkout_url.clone().filter(|_| admin).map(|url| view! {
            <p><a class="button" href=url rel="noopener" data-testid="pay-offer">{w.pay}</a></p>
        })}
        {portal.then(|| portal_form(w, o.client_id))}
    }
}

fn portal_form(w: &'static Words, client_id: Uuid) -> impl IntoView {
    let open = ServerAction::<crate::api::BillingPortal>::new();
    let error = crate::components::action_error(open);
    view! {
        <ActionForm action=open attr:class="inline">
            <input type="hidden" name="client_id" value=client_id.to_string() />
            <button type="submit" class="secondary" data-testid="billing-portal">{w.manage_payment}</button>
            <ErrorNote error />
        </ActionForm>
    }
}

fn send_form(w: &'static Words, id: String) -> impl IntoView {
    let send = ServerAction::<SendOffer>::new();
    view! {
        <p class="muted small">{w.draft_hint}</p>
        <ActionForm action=send attr:class="inline">
            <input type="hidden" name="id" value=id />
            <button type="submit" data-testid="send-offer">{w.send}</button>
        </ActionForm>
    }
}

fn answer_form(w: &'static Words, id: String) -> impl IntoView {
    let answer = ServerAction::<AnswerOffer>::new();
    let error = crate::components::action_error(answer);
    view! {
        <p class="muted small">{w.answer_hint}</p>
        <ActionForm action=answer attr:class="inline">
            <input type="hidden" name="id" value=id />
            <button type="submit" name="answer" value="accept" data-testid="accept-offer">{w.accept}</button>
            " "
            <button type="submit" name="answer" value="decline" class="secondary" data-testid="decline-offer">{w.decline}</button>
            <ErrorNote error />
        </ActionForm>
    }
}

/// The MSP's pipeline: offers by state and the MRR won over the last twelve months, as bars.
#[component]
pub fn PipelineView() -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = words(lang);
    let data = Resource::new(|| (), |_| crate::api::get_pipeline());
    view! {
        <Transition fallback=|| ()>
            {move || data.get().and_then(|r| r.ok()).map(|p| {
                let per_month = format!("{} {}", money(lang, p.open_cents, &p.currency), w.per_month);
                view! {
                    <section class="card" data-testid="pipeline">
                        <h2>{w.pipeline}</h2>
                        <p data-testid="pipeline-counts">
                            {p.drafts} " " {w.drafts} " · " {p.open} " " {w.open_offers} " " <strong>{per_month}</strong>
                            " · " {p.accepted} " " {w.accepted_n} " · " {p.declined} " " {w.declined_n} " · " {p.expired} " " {w.expired_n}
                        </p>
                        {if p.mrr.iter().all(|m| m.cents == 0) {
                            view! { <p class="empty">{w.mrr_none}</p> }.into_any()
                        } else {
                            view! { <p class="muted small">{w.mrr}</p> {mrr_chart(lang, w, &p)} }.into_any()
                        }}
                    </section>
                }
            })}
        </Transition>
    }
}

fn mrr_chart(lang: Lang, w: &'static Words, p: &crate::model::billing::Pipeline) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 190.0;
    const LEFT: f64 = 8.0;
    const BOTTOM: f64 = 24.0;
    let top = p.mrr.iter().map(|m| m.cents).max().unwrap_or(0).max(1) as f64;
    let slot = (WIDTH - 2.0 * LEFT) / p.mrr.len().max(1) as f64;
    let plot = HEIGHT - BOTTOM - 22.0;
    let said = format!(
        "{}: {}",
        w.mrr_said,
        p.mrr
            .iter()
            .map(|m| format!("{} {}", m.month, money(lang, m.cents, &p.currency)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let bars = p
        .mrr
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let h = (m.cents.max(0) as f64 / top) * plot;
            let x = LEFT + i as f64 * slot + slot * 0.15;
            let y = HEIGHT - BOTTOM - h;
            let label = money(lang, m.cents, &p.currency);
            view! {
                <g>
                    <rect class="mrr" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")>
                        <title>{format!("{} {label}", m.month)}</title>
                    </rect>
                    {(m.cents > 0).then(|| view! {
                        <text class="axis" x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", y - 4.0) text-anchor="middle">{label.clone()}</text>
                    })}
                    <text class="axis" x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", HEIGHT - 6.0) text-anchor="middle">{m.month[5..].to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=said data-testid="mrr-chart">
                <line class="axis-line" x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH - LEFT y2=HEIGHT - BOTTOM />
                {bars}
            </svg>
        </figure>
    }
}
