//! The words of incident mode, in English and Dutch: the checklist, the timeline and the pages.
use crate::i18n::Lang;

/// A checklist item the plan gives every incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    SafetyAll,
    RollCall,
    SafetyPlan,
    CallTree,
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
        (Lang::Nl, Item::CallTree) => {
            "Zet de belboom in gang: iedereen van het personeel bereikt".into()
        }
        (_, Item::CallTree) => "Set the call tree going: every member of staff reached".into(),
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
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}
