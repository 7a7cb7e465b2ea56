//! The words of incident mode, in English and Dutch: the checklist, the timeline and the pages.
use crate::i18n::Lang;

/// A checklist item the plan gives every incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    SafetyAll,
    RollCall,
    SafetyPlan,
    CallTree,
    Reached,
    WhatToShare,
    Impact,
    FirstNotice,
    ServiceDesk,
    Recover,
}

/// The item's text; `arg` is the site, safety plan or system it is about.
pub fn item(lang: Lang, it: Item, arg: &str) -> String {
    match (lang, it) {
        (Lang::Nl, Item::SafetyAll) => "Zorg dat iedereen die erbij betrokken is veilig is".into(),
        (_, Item::SafetyAll) => "Make sure everyone involved is safe".into(),
        (Lang::Nl, Item::RollCall) => {
            format!("Appèl op {arg}: is iedereen veilig (veilig / onbekend / gewond)?")
        }
        (_, Item::RollCall) => {
            format!("Roll call at {arg}: is everyone safe (safe / unknown / injured)?")
        }
        (Lang::Nl, Item::SafetyPlan) => format!("Volg het nood- en ontruimingsplan: {arg}"),
        (_, Item::SafetyPlan) => format!("Follow the safety and emergency plan: {arg}"),
        (Lang::Nl, Item::CallTree) => "Zet de belboom in gang".into(),
        (_, Item::CallTree) => "Set the call tree going".into(),
        (Lang::Nl, Item::Reached) => "Iedereen van het personeel bereikt (bevestigd)".into(),
        (_, Item::Reached) => "Every member of staff reached (confirmed)".into(),
        (Lang::Nl, Item::WhatToShare) => "Besluit wat met wie gedeeld wordt".into(),
        (_, Item::WhatToShare) => "Decide what to share with whom".into(),
        (Lang::Nl, Item::Impact) => "Besluit per klantgroep: raakt dit hun bedrijfsvoering?".into(),
        (_, Item::Impact) => "Decide per customer group: does this affect their operations?".into(),
        (Lang::Nl, Item::FirstNotice) => "Stuur getroffen klanten de eerste melding".into(),
        (_, Item::FirstNotice) => "Send affected customers the first notice".into(),
        (Lang::Nl, Item::ServiceDesk) => "Schaal de servicedesk op zoals het plan zegt".into(),
        (_, Item::ServiceDesk) => "Scale up the service desk as the plan says".into(),
        (Lang::Nl, Item::Recover) => format!("Herstel {arg}"),
        (_, Item::Recover) => format!("Recover {arg}"),
    }
}

fn when(detail: &serde_json::Value) -> String {
    detail["at"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A timeline line in words, from its kind and detail.
pub fn timeline(lang: Lang, kind: &str, detail: &serde_json::Value) -> String {
    let s = |k: &str| detail[k].as_str().unwrap_or_default().to_string();
    let nl = lang == Lang::Nl;
    match kind {
        "declared" => {
            let drill = detail["drill"].as_bool().unwrap_or(false);
            match (nl, drill) {
                (true, true) => format!("Oefening gestart: {}", s("scenario")),
                (true, false) => format!("Incident gemeld: {}", s("scenario")),
                (false, true) => format!("Drill started: {}", s("scenario")),
                (false, false) => format!("Incident declared: {}", s("scenario")),
            }
        }
        "checked" if nl => format!("Afgevinkt: {}", s("item")),
        "checked" => format!("Done: {}", s("item")),
        "unchecked" if nl => format!("Weer open: {}", s("item")),
        "unchecked" => format!("Reopened: {}", s("item")),
        "recovery_started" if nl => {
            format!("Herstel van {} begonnen ({})", s("system"), when(detail))
        }
        "recovery_started" => format!("Recovery of {} started ({})", s("system"), when(detail)),
        "recovered" if nl => format!("{} hersteld ({})", s("system"), when(detail)),
        "recovered" => format!("{} recovered ({})", s("system"), when(detail)),
        "restore_point" if nl => {
            format!("Herstelpunt van {} gekozen: {}", s("system"), when(detail))
        }
        "restore_point" => format!("Restore point of {} chosen: {}", s("system"), when(detail)),
        "call_tree" if nl => format!(
            "Belboom in gang gezet: {} personen, {} min per golf",
            detail["legs"], detail["wave_minutes"]
        ),
        "call_tree" => format!(
            "Call tree set going: {} people, {} min per wave",
            detail["legs"], detail["wave_minutes"]
        ),
        "confirmed" if nl => format!("{} bevestigde via de link", s("person")),
        "confirmed" => format!("{} confirmed through the link", s("person")),
        "reached" if nl => format!("{} bereikt {}", s("person"), s("note")),
        "reached" => format!("{} reached {}", s("person"), s("note")),
        "unreachable" if nl => format!("{} onbereikbaar {}", s("person"), s("note")),
        "unreachable" => format!("{} unreachable {}", s("person"), s("note")),
        "escalated" if nl => format!(
            "{} bevestigde niet op tijd: doorgezet naar {}",
            s("person"),
            detail["to"].as_str().unwrap_or("de coördinator")
        ),
        "escalated" => format!(
            "{} did not confirm in time: escalated to {}",
            s("person"),
            detail["to"].as_str().unwrap_or("the coordinator")
        ),
        "notice_drafted" if nl => "Klantbericht opgesteld (concept)".into(),
        "notice_drafted" => "Customer update drafted".into(),
        "notice_published" => {
            let groups: Vec<&str> = detail["groups"]
                .as_array()
                .map(|a| a.iter().filter_map(|g| g.as_str()).collect())
                .unwrap_or_default();
            let mailed = detail["mailed"].as_u64().unwrap_or(0);
            match (nl, groups.is_empty()) {
                (true, true) => format!(
                    "Klantbericht goedgekeurd en openbaar gepubliceerd ({mailed} abonnees gemaild)"
                ),
                (true, false) => format!(
                    "Klantbericht goedgekeurd en gepubliceerd voor {} ({mailed} abonnees gemaild)",
                    groups.join(", ")
                ),
                (false, true) => format!(
                    "Customer update approved and published publicly ({mailed} subscribers mailed)"
                ),
                (false, false) => format!(
                    "Customer update approved and published for {} ({mailed} subscribers mailed)",
                    groups.join(", ")
                ),
            }
        }
        "roll_call" => {
            let state = match (nl, s("state").as_str()) {
                (true, "safe") => "veilig",
                (true, "injured") => "gewond",
                (true, "missing") => "vermist",
                (true, _) => "onbekend",
                (false, "safe") => "safe",
                (false, "injured") => "injured",
                (false, "missing") => "missing",
                (false, _) => "unknown",
            };
            if nl {
                format!("Appèl: {} is {state}", s("person"))
            } else {
                format!("Roll call: {} is {state}", s("person"))
            }
        }
        "assigned" => match (nl, detail["person"].as_str()) {
            (true, Some(p)) => format!("{} toegewezen aan {p}", s("item")),
            (true, None) => format!("{}: niemand meer toegewezen", s("item")),
            (false, Some(p)) => format!("{} assigned to {p}", s("item")),
            (false, None) => format!("{}: no longer assigned", s("item")),
        },
        "closed" if nl => "Incident gesloten".into(),
        "closed" => "Incident closed".into(),
        other => other.to_string(),
    }
}

pub struct Texts {
    pub incidents: &'static str,
    pub none: &'static str,
    pub declare: &'static str,
    pub declare_intro: &'static str,
    pub title: &'static str,
    pub scenario: &'static str,
    pub other: &'static str,
    pub sites: &'static str,
    pub systems: &'static str,
    pub drill: &'static str,
    pub started_at: &'static str,
    pub started_hint: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub is_drill: &'static str,
    pub checklist: &'static str,
    pub recovery: &'static str,
    pub timeline: &'static str,
    pub parts: [&'static str; 5],
    pub done_by: &'static str,
    pub mark_done: &'static str,
    pub undo: &'static str,
    pub rpo_target: &'static str,
    pub rto_target: &'static str,
    pub down_for: &'static str,
    pub downtime: &'static str,
    pub data_loss: &'static str,
    pub met: &'static str,
    pub missed: &'static str,
    pub overdue: &'static str,
    pub no_target: &'static str,
    pub offered_point: &'static str,
    pub start_recovery: &'static str,
    pub recovered_now: &'static str,
    pub restore_point: &'static str,
    pub use_point: &'static str,
    pub close: &'static str,
    pub lessons: &'static str,
    pub close_now: &'static str,
    pub from_outside: &'static str,
    pub recovered_of: &'static str,
    pub began: &'static str,
    pub call_tree: &'static str,
    pub call_tree_hint: &'static str,
    pub call_tree_not_yet: &'static str,
    pub start_call_tree: &'static str,
    pub reached_n: &'static str,
    pub wave: &'static str,
    pub called_by: &'static str,
    pub escalated_to: &'static str,
    pub mark_reached: &'static str,
    pub mark_unreachable: &'static str,
    /// waiting, confirmed, escalated, unreachable
    pub leg_states: [&'static str; 4],
    /// email, sms, phone
    pub channels: [&'static str; 3],
    pub report: &'static str,
    pub report_title: &'static str,
    pub report_columns: [&'static str; 5],
    pub closed_at: &'static str,
    pub time_to_reach_all: &'static str,
    pub not_reached: &'static str,
    pub proposed: &'static str,
    pub no_changes: &'static str,
    pub generated: &'static str,
    pub customers: &'static str,
    pub customers_hint: &'static str,
    pub affected_groups: &'static str,
    pub no_affected: &'static str,
    pub new_update: &'static str,
    pub from_template: &'static str,
    pub body: &'static str,
    pub audience: &'static str,
    pub audience_public: &'static str,
    pub audience_groups: &'static str,
    pub save_draft: &'static str,
    pub publish: &'static str,
    pub discard: &'static str,
    pub draft: &'static str,
    pub published: &'static str,
    pub for_everyone: &'static str,
    pub for_groups: &'static str,
    pub approved_by: &'static str,
    pub no_updates: &'static str,
    pub drill_no_customers: &'static str,
    pub status_page: &'static str,
    pub status_page_none: &'static str,
    pub status_page_intro: &'static str,
    pub page_title: &'static str,
    pub slug: &'static str,
    pub components: &'static str,
    pub component_name: &'static str,
    pub component_hint: &'static str,
    pub save_page: &'static str,
    pub edit_page: &'static str,
    pub roll_call: &'static str,
    pub assign: &'static str,
    pub assigned_to: &'static str,
    pub nobody: &'static str,
    /// safe, injured, missing, unknown
    pub standings: [&'static str; 4],
    pub public_link: &'static str,
    pub group_links: &'static str,
    pub subscribers: &'static str,
    pub pending_subscribers: &'static str,
    pub first_notice: &'static str,
}

/// A plan change a report proposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A person was not reached: check their contact details.
    Contact,
    /// A system's recovery took longer than its RTO.
    Rto,
    /// A system lost more data than its RPO.
    Rpo,
}

/// The proposed change in words; `actual` and `target` are minutes.
pub fn change(lang: Lang, c: Change, name: &str, actual: i64, target: i64) -> String {
    let m = |v: i64| crate::domain::sla::spoken(lang, u32::try_from(v.max(0)).unwrap_or(u32::MAX));
    match (lang, c) {
        (Lang::Nl, Change::Contact) => format!("Controleer de contactgegevens van {name}: niet bereikt."),
        (_, Change::Contact) => format!("Check {name}'s contact details: not reached."),
        (Lang::Nl, Change::Rto) => format!("{name}: herstel duurde {} tegen een RTO van {}; herzie de bescherming of de afgesproken RTO.", m(actual), m(target)),
        (_, Change::Rto) => format!("{name}: recovery took {} against an RTO of {}; review its protection or the agreed RTO.", m(actual), m(target)),
        (Lang::Nl, Change::Rpo) => format!("{name}: {} aan gegevens verloren tegen een RPO van {}; vaker back-uppen of de RPO herzien.", m(actual), m(target)),
        (_, Change::Rpo) => format!("{name}: {} of data lost against an RPO of {}; back up more often or review the RPO.", m(actual), m(target)),
    }
}

impl Texts {
    pub fn leg_state(&self, s: &str) -> &'static str {
        match s {
            "confirmed" => self.leg_states[1],
            "escalated" => self.leg_states[2],
            "unreachable" => self.leg_states[3],
            _ => self.leg_states[0],
        }
    }

    pub fn channel(&self, c: &str) -> &'static str {
        match c {
            "email" => self.channels[0],
            "sms" => self.channels[1],
            _ => self.channels[2],
        }
    }
}

pub const EN: Texts = Texts {
    incidents: "Incidents",
    none: "No incidents yet. When something happens, declare it here: the plan becomes a checklist.",
    declare: "Declare an incident",
    declare_intro: "The plan becomes a live checklist: safety first, then staff, customers and IT. Each affected system's clock runs against its RTO from the moment the disruption began.",
    title: "What happened",
    scenario: "Scenario",
    other: "Other",
    sites: "Affected sites",
    systems: "Affected systems",
    drill: "This is a drill (messages say so)",
    started_at: "Began at (UTC, empty: now)",
    started_hint: "Such as 2026-12-07 08:30",
    open: "open",
    closed: "closed",
    is_drill: "drill",
    checklist: "Checklist",
    recovery: "IT recovery",
    timeline: "Timeline",
    parts: ["Scenario", "Safety first", "Inform all staff", "Inform customers", "IT recovery"],
    done_by: "done by",
    mark_done: "Done",
    undo: "Undo",
    rpo_target: "RPO",
    rto_target: "RTO",
    down_for: "Down for",
    downtime: "Downtime",
    data_loss: "Data lost",
    met: "within target",
    missed: "past target",
    overdue: "past its RTO",
    no_target: "no target agreed",
    offered_point: "Newest restore point before it began",
    start_recovery: "Recovery started",
    recovered_now: "Recovered",
    restore_point: "Restore point (UTC)",
    use_point: "Use this point",
    close: "Close the incident",
    lessons: "Lessons learned",
    close_now: "Close now",
    from_outside: "Lifeline sends from outside the client's network: its messages arrive when the client's own e-mail is down.",
    recovered_of: "recovered",
    began: "Began",
    call_tree: "Call tree",
    call_tree_hint: "Everyone in the client's directory gets a message with a link that confirms with one tap; whoever has not confirmed when their wave's time is up is passed to their caller's caller. Someone Lifeline cannot message is a call for their caller.",
    call_tree_not_yet: "The call tree has not been set going yet.",
    start_call_tree: "Set the call tree going",
    reached_n: "reached",
    wave: "Wave",
    called_by: "called by",
    escalated_to: "passed to",
    mark_reached: "Reached",
    mark_unreachable: "Unreachable",
    leg_states: ["waiting", "confirmed", "escalated", "unreachable"],
    channels: ["e-mail", "text message", "phone call"],
    report: "Post-incident report",
    report_title: "Post-incident report",
    report_columns: ["System", "RPO", "Data lost", "RTO", "Downtime"],
    closed_at: "Closed",
    time_to_reach_all: "Time to reach everyone",
    not_reached: "Not reached",
    proposed: "Proposed plan changes",
    no_changes: "The figures suggest no change to the plan.",
    generated: "generated",
    customers: "Customer updates",
    customers_hint: "Nothing reaches customers until a person approves it by publishing it. A published update shows on the status page under the incident's title and is mailed to the page's subscribers it is for.",
    affected_groups: "Affected customer groups",
    no_affected: "No customer group depends on these systems.",
    new_update: "New update",
    from_template: "From the plan",
    body: "Message",
    audience: "Who it is for",
    audience_public: "Everyone (the public status page)",
    audience_groups: "Only the customer groups ticked",
    save_draft: "Save as draft",
    publish: "Approve and publish",
    discard: "Discard",
    draft: "draft",
    published: "published",
    for_everyone: "for everyone",
    for_groups: "for",
    approved_by: "approved by",
    no_updates: "No updates to customers yet.",
    drill_no_customers: "A drill does not reach customers: no updates are sent.",
    status_page: "Status page",
    status_page_none: "This client has no public status page yet.",
    status_page_intro: "A public page for the client's customers: the services below and the updates you publish. It shows no names, numbers or anything else of the plan.",
    page_title: "Page title",
    slug: "Address (empty: an unguessable one)",
    components: "Services",
    component_name: "Service name",
    component_hint: "Tick the systems each service needs: it shows as down while all of them are, degraded while some are.",
    save_page: "Save the status page",
    edit_page: "Set up or change the status page",
    roll_call: "Roll call",
    assign: "Assign",
    assigned_to: "assigned to",
    nobody: "nobody",
    standings: ["safe", "injured", "missing", "unknown"],
    public_link: "Public link",
    group_links: "Private link per customer group (their own updates too)",
    subscribers: "subscribers",
    pending_subscribers: "awaiting confirmation",
    first_notice: "Time to first customer notice",
};

pub const NL: Texts = Texts {
    incidents: "Incidenten",
    none: "Nog geen incidenten. Gebeurt er iets, meld het hier: het plan wordt een checklist.",
    declare: "Incident melden",
    declare_intro: "Het plan wordt een levende checklist: eerst veiligheid, dan personeel, klanten en IT. De klok van elk getroffen systeem loopt tegen de RTO vanaf het moment dat de verstoring begon.",
    title: "Wat er gebeurde",
    scenario: "Scenario",
    other: "Anders",
    sites: "Getroffen locaties",
    systems: "Getroffen systemen",
    drill: "Dit is een oefening (de berichten zeggen dat)",
    started_at: "Begonnen om (UTC, leeg: nu)",
    started_hint: "Zoals 2026-12-07 08:30",
    open: "open",
    closed: "gesloten",
    is_drill: "oefening",
    checklist: "Checklist",
    recovery: "IT-herstel",
    timeline: "Tijdlijn",
    parts: ["Scenario", "Eerst veiligheid", "Al het personeel informeren", "Klanten informeren", "IT-herstel"],
    done_by: "gedaan door",
    mark_done: "Gedaan",
    undo: "Ongedaan maken",
    rpo_target: "RPO",
    rto_target: "RTO",
    down_for: "Plat sinds",
    downtime: "Uitval",
    data_loss: "Gegevens verloren",
    met: "binnen het doel",
    missed: "boven het doel",
    overdue: "voorbij de RTO",
    no_target: "geen doel afgesproken",
    offered_point: "Nieuwste herstelpunt van voor het begin",
    start_recovery: "Herstel begonnen",
    recovered_now: "Hersteld",
    restore_point: "Herstelpunt (UTC)",
    use_point: "Dit punt gebruiken",
    close: "Incident sluiten",
    lessons: "Geleerde lessen",
    close_now: "Nu sluiten",
    from_outside: "Lifeline verstuurt van buiten het netwerk van de klant: de berichten komen aan als de eigen e-mail van de klant plat ligt.",
    recovered_of: "hersteld",
    began: "Begonnen",
    call_tree: "Belboom",
    call_tree_hint: "Iedereen in het adresboek van de klant krijgt een bericht met een link die met één tik bevestigt; wie niet bevestigd heeft als de tijd van de golf om is, gaat naar de beller van de beller. Wie Lifeline geen bericht kan sturen, wordt gebeld door de eigen beller.",
    call_tree_not_yet: "De belboom is nog niet in gang gezet.",
    start_call_tree: "Belboom in gang zetten",
    reached_n: "bereikt",
    wave: "Golf",
    called_by: "gebeld door",
    escalated_to: "doorgezet naar",
    mark_reached: "Bereikt",
    mark_unreachable: "Onbereikbaar",
    leg_states: ["wacht", "bevestigd", "doorgezet", "onbereikbaar"],
    channels: ["e-mail", "sms", "telefoon"],
    report: "Evaluatierapport",
    report_title: "Evaluatierapport",
    report_columns: ["Systeem", "RPO", "Gegevens verloren", "RTO", "Uitval"],
    closed_at: "Gesloten",
    time_to_reach_all: "Tijd tot iedereen bereikt was",
    not_reached: "Niet bereikt",
    proposed: "Voorgestelde wijzigingen in het plan",
    no_changes: "De cijfers wijzen niet op een wijziging van het plan.",
    generated: "gemaakt",
    customers: "Klantberichten",
    customers_hint: "Niets bereikt klanten voordat iemand het goedkeurt door het te publiceren. Een gepubliceerd bericht staat op de statuspagina onder de titel van het incident en wordt gemaild naar de abonnees voor wie het is.",
    affected_groups: "Getroffen klantgroepen",
    no_affected: "Geen klantgroep is afhankelijk van deze systemen.",
    new_update: "Nieuw bericht",
    from_template: "Uit het plan",
    body: "Bericht",
    audience: "Voor wie",
    audience_public: "Iedereen (de openbare statuspagina)",
    audience_groups: "Alleen de aangevinkte klantgroepen",
    save_draft: "Opslaan als concept",
    publish: "Goedkeuren en publiceren",
    discard: "Weggooien",
    draft: "concept",
    published: "gepubliceerd",
    for_everyone: "voor iedereen",
    for_groups: "voor",
    approved_by: "goedgekeurd door",
    no_updates: "Nog geen berichten aan klanten.",
    drill_no_customers: "Een oefening bereikt geen klanten: er gaan geen berichten uit.",
    status_page: "Statuspagina",
    status_page_none: "Deze klant heeft nog geen openbare statuspagina.",
    status_page_intro: "Een openbare pagina voor de klanten van de klant: de diensten hieronder en de berichten die u publiceert. Er staan geen namen, nummers of andere delen van het plan op.",
    page_title: "Titel van de pagina",
    slug: "Adres (leeg: een onraadbaar adres)",
    components: "Diensten",
    component_name: "Naam van de dienst",
    component_hint: "Vink de systemen aan die een dienst nodig heeft: hij staat als storing als ze allemaal plat liggen, verminderd als een deel plat ligt.",
    save_page: "Statuspagina opslaan",
    edit_page: "Statuspagina instellen of wijzigen",
    roll_call: "Appèl",
    assign: "Toewijzen",
    assigned_to: "toegewezen aan",
    nobody: "niemand",
    standings: ["veilig", "gewond", "vermist", "onbekend"],
    public_link: "Openbare link",
    group_links: "Privélink per klantgroep (ook hun eigen berichten)",
    subscribers: "abonnees",
    pending_subscribers: "wachten op bevestiging",
    first_notice: "Tijd tot het eerste klantbericht",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}
