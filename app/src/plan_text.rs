//! The plan's words in English and Dutch, shared by the plan page and the printed/PDF export, and
//! the completeness checklist translated by gap code.
use crate::domain::sla::Method;
use crate::i18n::Lang;
use crate::model::plan::{Channel, GapCode, MessageKind, Part};

pub struct PlanTexts {
    pub plan: &'static str,
    pub completeness: &'static str,
    pub missing: &'static str,
    pub nothing_missing: &'static str,
    pub parts: [&'static str; 5],
    pub sites: &'static str,
    pub address: &'static str,
    pub safety_plan: &'static str,
    pub emergency_numbers: &'static str,
    pub evacuation_point: &'static str,
    pub assembly_point: &'static str,
    pub first_responders: &'static str,
    pub scenarios: &'static str,
    pub directory: &'static str,
    pub call_tree: &'static str,
    pub coordinator: &'static str,
    pub mobile: &'static str,
    pub landline: &'static str,
    pub email: &'static str,
    pub emergency_contact: &'static str,
    pub role: &'static str,
    pub site: &'static str,
    pub channels: &'static str,
    /// "{depth}", "{minutes}", "{total}".
    pub estimate: &'static str,
    pub not_in_tree: &'static str,
    pub email_down: &'static str,
    pub customer_groups: &'static str,
    pub depends_on_processes: &'static str,
    pub contact: &'static str,
    pub messages: &'static str,
    pub talking_points: &'static str,
    pub say: &'static str,
    pub avoid: &'static str,
    pub service_desk: &'static str,
    pub switch_when: &'static str,
    pub processes: &'static str,
    pub impact_hour: &'static str,
    pub impact_day: &'static str,
    pub impact_week: &'static str,
    pub rto: &'static str,
    pub rpo: &'static str,
    pub systems: &'static str,
    pub recovery_order: &'static str,
    pub criticality: &'static str,
    pub owner: &'static str,
    pub depends_on: &'static str,
    pub procedure: &'static str,
    pub from_processes: &'static str,
    pub versions: &'static str,
    /// "{n}", "{name}", "{date}".
    pub approved_line: &'static str,
    pub draft: &'static str,
    pub never_approved: &'static str,
    pub changed_since: &'static str,
    pub review_due: &'static str,
    pub overdue: &'static str,
    pub approve: &'static str,
    pub approve_note: &'static str,
    pub approved_ok: &'static str,
    pub print: &'static str,
    pub pdf: &'static str,
    pub changes_since: &'static str,
    pub no_changes: &'static str,
    pub generated: &'static str,
    pub page_of: &'static str,
    pub add: &'static str,
    pub add_person: &'static str,
    pub add_site: &'static str,
    pub add_process: &'static str,
    pub add_system: &'static str,
    pub add_customer_group: &'static str,
    pub description: &'static str,
    pub numbers_hint: &'static str,
    pub caller: &'static str,
    pub none: &'static str,
    pub empty_part: &'static str,
    pub cycle: &'static str,
    pub minutes: &'static str,
    pub hours: &'static str,
    pub open_plan: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub remove: &'static str,
    pub remove_now: &'static str,
    pub remove_means: &'static str,
    pub close: &'static str,
    pub edit_communication: &'static str,
    pub placeholders: &'static str,
    pub subject: &'static str,
    pub one_per_line: &'static str,
    pub saved: &'static str,
    pub backup_policy: &'static str,
    pub set_policy: &'static str,
    pub remove_policy: &'static str,
    pub method: &'static str,
    pub backup_interval: &'static str,
    pub job_duration: &'static str,
    pub offsite_interval: &'static str,
    pub offsite_none: &'static str,
    pub retention_days: &'static str,
    pub data_gb: &'static str,
    pub restore_throughput: &'static str,
    pub throughput_typical: &'static str,
    pub duration_hint: &'static str,
    pub every: &'static str,
    pub achievable: &'static str,
    pub site_loss_rpo: &'static str,
    pub all_data: &'static str,
    pub policy_meets: &'static str,
}

pub static EN: PlanTexts = PlanTexts {
    plan: "Continuity plan",
    completeness: "Completeness",
    missing: "What is missing",
    nothing_missing: "Nothing is missing.",
    parts: [
        "1. Safety",
        "2. Informing staff",
        "3. Informing customers",
        "4. IT recovery",
        "Approval",
    ],
    sites: "Sites",
    address: "Address",
    safety_plan: "Safety plan (BHV)",
    emergency_numbers: "Emergency numbers",
    evacuation_point: "Evacuation",
    assembly_point: "Assembly point",
    first_responders: "First responders",
    scenarios: "Scenarios",
    directory: "Staff directory",
    call_tree: "Call tree",
    coordinator: "coordinator",
    mobile: "Mobile",
    landline: "Landline",
    email: "E-mail",
    emergency_contact: "Emergency contact",
    role: "Role",
    site: "Site",
    channels: "Reach by",
    estimate: "{depth} levels × {minutes} min per call: everyone reached in about {total} min.",
    not_in_tree: "Not in the call tree",
    email_down: "When e-mail is down",
    customer_groups: "Customer groups",
    depends_on_processes: "Their operations depend on",
    contact: "Contact",
    messages: "Message templates",
    talking_points: "Talking points",
    say: "Say",
    avoid: "Do not say",
    service_desk: "Service desk scale-up",
    switch_when: "Switch when",
    processes: "Business processes",
    impact_hour: "After an hour",
    impact_day: "After a day",
    impact_week: "After a week",
    rto: "RTO",
    rpo: "RPO",
    systems: "Systems",
    recovery_order: "Recovery order",
    criticality: "Criticality",
    owner: "Owner",
    depends_on: "Needs",
    procedure: "Recovery procedure",
    from_processes: "from its processes",
    versions: "Versions",
    approved_line: "Version {n}, approved by {name} on {date}",
    draft: "Draft",
    never_approved: "Never approved",
    changed_since: "Changed since the last approval",
    review_due: "Review due",
    overdue: "overdue",
    approve: "Approve this version",
    approve_note: "Note (optional)",
    approved_ok: "Approved.",
    print: "Print",
    pdf: "Download PDF",
    changes_since: "Changes since version {n}",
    no_changes: "No changes.",
    generated: "generated",
    page_of: "page",
    add: "Add",
    add_person: "Add a person",
    add_site: "Add a site",
    add_process: "Add a business process",
    add_system: "Add a system",
    add_customer_group: "Add a customer group",
    description: "Description",
    numbers_hint: "One per line, as \"label: number\" (for example \"Fire brigade: 112\").",
    caller: "Called by",
    none: "—",
    empty_part: "Nothing recorded yet.",
    cycle: "Dependencies go round in a circle; fix them to get a recovery order.",
    minutes: "min",
    hours: "h",
    open_plan: "Continuity plan",
    edit: "Edit",
    save: "Save",
    remove: "Remove",
    remove_now: "Remove now",
    remove_means: "It goes from the plan now; the audit log keeps who removed it, and the approved version still holds it.",
    close: "Close",
    edit_communication: "Edit messages, talking points and service desk",
    placeholders: "Placeholders filled in at the time:",
    subject: "Subject",
    one_per_line: "(one per line)",
    saved: "Saved",
    backup_policy: "Backup policy",
    set_policy: "Set a backup policy",
    remove_policy: "Remove backup policy",
    method: "Method",
    backup_interval: "Backup interval",
    job_duration: "Job duration",
    offsite_interval: "Off-site copy interval",
    offsite_none: "empty: nothing leaves the site",
    retention_days: "Retention (days)",
    data_gb: "Data size (GB)",
    restore_throughput: "Restore throughput (MB/s)",
    throughput_typical: "empty: typical for the method",
    duration_hint: "Durations as you say them: 15 min, 4 h, 1,5 h, 1 d, 1 week.",
    every: "every",
    achievable: "Achievable at worst",
    site_loss_rpo: "RPO if the site is lost",
    all_data: "all data",
    policy_meets: "Meets the agreed targets.",
};

pub static NL: PlanTexts = PlanTexts {
    plan: "Continuïteitsplan",
    completeness: "Volledigheid",
    missing: "Wat ontbreekt",
    nothing_missing: "Er ontbreekt niets.",
    parts: [
        "1. Veiligheid",
        "2. Medewerkers informeren",
        "3. Klanten informeren",
        "4. IT-herstel",
        "Goedkeuring",
    ],
    sites: "Locaties",
    address: "Adres",
    safety_plan: "BHV-/ontruimingsplan",
    emergency_numbers: "Noodnummers",
    evacuation_point: "Ontruiming",
    assembly_point: "Verzamelplaats",
    first_responders: "BHV'ers",
    scenarios: "Scenario's",
    directory: "Medewerkers",
    call_tree: "Belboom",
    coordinator: "coördinator",
    mobile: "Mobiel",
    landline: "Vast",
    email: "E-mail",
    emergency_contact: "Contact bij nood",
    role: "Functie",
    site: "Locatie",
    channels: "Bereikbaar via",
    estimate:
        "{depth} lagen × {minutes} min per gesprek: iedereen bereikt in ongeveer {total} min.",
    not_in_tree: "Niet in de belboom",
    email_down: "Als e-mail eruit ligt",
    customer_groups: "Klantgroepen",
    depends_on_processes: "Hun bedrijfsvoering hangt af van",
    contact: "Contact",
    messages: "Berichtsjablonen",
    talking_points: "Kernboodschappen",
    say: "Wel zeggen",
    avoid: "Niet zeggen",
    service_desk: "Opschalen servicedesk",
    switch_when: "Overschakelen als",
    processes: "Bedrijfsprocessen",
    impact_hour: "Na een uur",
    impact_day: "Na een dag",
    impact_week: "Na een week",
    rto: "RTO",
    rpo: "RPO",
    systems: "Systemen",
    recovery_order: "Herstelvolgorde",
    criticality: "Belang",
    owner: "Eigenaar",
    depends_on: "Heeft nodig",
    procedure: "Herstelprocedure",
    from_processes: "via de processen",
    versions: "Versies",
    approved_line: "Versie {n}, goedgekeurd door {name} op {date}",
    draft: "Concept",
    never_approved: "Nooit goedgekeurd",
    changed_since: "Gewijzigd sinds de laatste goedkeuring",
    review_due: "Herziening voor",
    overdue: "verlopen",
    approve: "Deze versie goedkeuren",
    approve_note: "Toelichting (optioneel)",
    approved_ok: "Goedgekeurd.",
    print: "Afdrukken",
    pdf: "PDF downloaden",
    changes_since: "Wijzigingen sinds versie {n}",
    no_changes: "Geen wijzigingen.",
    generated: "gemaakt",
    page_of: "pagina",
    add: "Toevoegen",
    add_person: "Persoon toevoegen",
    add_site: "Locatie toevoegen",
    add_process: "Bedrijfsproces toevoegen",
    add_system: "Systeem toevoegen",
    add_customer_group: "Klantgroep toevoegen",
    description: "Omschrijving",
    numbers_hint: "Eén per regel, als \"naam: nummer\" (bijvoorbeeld \"Brandweer: 112\").",
    caller: "Gebeld door",
    none: "—",
    empty_part: "Nog niets vastgelegd.",
    cycle: "Afhankelijkheden vormen een kring; los die op voor een herstelvolgorde.",
    minutes: "min",
    hours: "u",
    open_plan: "Continuïteitsplan",
    edit: "Wijzigen",
    save: "Opslaan",
    remove: "Verwijderen",
    remove_now: "Nu verwijderen",
    remove_means: "Het verdwijnt nu uit het plan; het logboek houdt bij wie het verwijderde, en de goedgekeurde versie bevat het nog.",
    close: "Sluiten",
    edit_communication: "Berichten, kernboodschappen en servicedesk wijzigen",
    placeholders: "Plaatshouders, ingevuld op het moment zelf:",
    subject: "Onderwerp",
    one_per_line: "(één per regel)",
    saved: "Opgeslagen",
    backup_policy: "Back-upbeleid",
    set_policy: "Back-upbeleid vastleggen",
    remove_policy: "Back-upbeleid verwijderen",
    method: "Methode",
    backup_interval: "Back-upinterval",
    job_duration: "Duur van de taak",
    offsite_interval: "Interval kopie buiten de deur",
    offsite_none: "leeg: niets gaat de deur uit",
    retention_days: "Bewaartermijn (dagen)",
    data_gb: "Omvang gegevens (GB)",
    restore_throughput: "Hersteldoorvoer (MB/s)",
    throughput_typical: "leeg: gebruikelijk voor de methode",
    duration_hint: "Tijden zoals u ze zegt: 15 min, 4 uur, 1,5 uur, 1 dag, 1 week.",
    every: "elke",
    achievable: "Haalbaar in het slechtste geval",
    site_loss_rpo: "RPO bij verlies van de locatie",
    all_data: "alle gegevens",
    policy_meets: "Haalt de afgesproken doelen.",
};

pub fn texts(lang: Lang) -> &'static PlanTexts {
    match lang {
        Lang::En => &EN,
        Lang::Nl => &NL,
    }
}

pub fn part(lang: Lang, p: Part) -> &'static str {
    texts(lang).parts[p as usize]
}

pub fn message_kind(lang: Lang, k: MessageKind) -> &'static str {
    match (lang, k) {
        (Lang::En, MessageKind::FirstNotice) => "First notice",
        (Lang::En, MessageKind::Update) => "Update",
        (Lang::En, MessageKind::Resolved) => "Resolved",
        (Lang::Nl, MessageKind::FirstNotice) => "Eerste melding",
        (Lang::Nl, MessageKind::Update) => "Update",
        (Lang::Nl, MessageKind::Resolved) => "Opgelost",
    }
}

/// A backup policy in one line: how and how often, and what it achieves at worst.
pub fn policy_summary(
    lang: Lang,
    p: &crate::domain::sla::Policy,
    a: &crate::domain::sla::Achievable,
) -> String {
    use crate::domain::sla::spoken;
    let t = texts(lang);
    let site = a
        .site_loss_rpo_minutes
        .map_or_else(|| t.all_data.to_string(), |m| spoken(lang, m));
    format!(
        "{}, {} {}. {}: {} {} · {}: {} · {} {}",
        method(lang, p.method),
        t.every,
        spoken(lang, p.interval_minutes),
        t.achievable,
        t.rpo,
        spoken(lang, a.rpo_minutes),
        t.site_loss_rpo,
        site,
        t.rto,
        spoken(lang, a.rto_minutes)
    )
}

/// A system's criticality as the reader says it.
pub fn criticality(lang: Lang, c: crate::domain::plan::Criticality) -> &'static str {
    use crate::domain::plan::Criticality::*;
    match (lang, c) {
        (Lang::Nl, Critical) => "kritiek",
        (Lang::Nl, High) => "hoog",
        (Lang::Nl, Medium) => "gemiddeld",
        (Lang::Nl, Low) => "laag",
        (_, Critical) => "critical",
        (_, High) => "high",
        (_, Medium) => "medium",
        (_, Low) => "low",
    }
}

pub fn method(lang: Lang, m: Method) -> &'static str {
    match (lang, m) {
        (Lang::En, Method::Tape) => "Tape",
        (Lang::En, Method::AgentToDisk) => "File/agent backup to disk",
        (Lang::En, Method::ImageInstant) => "Image backup with instant recovery",
        (Lang::En, Method::ContinuousReplication) => "Continuous replication",
        (Lang::En, Method::Draas) => "Cloud disaster recovery (DRaaS)",
        (Lang::Nl, Method::Tape) => "Tape",
        (Lang::Nl, Method::AgentToDisk) => "Bestands-/agentback-up naar schijf",
        (Lang::Nl, Method::ImageInstant) => "Image-back-up met direct herstel",
        (Lang::Nl, Method::ContinuousReplication) => "Continue replicatie",
        (Lang::Nl, Method::Draas) => "Uitwijk naar de cloud (DRaaS)",
    }
}

pub fn channel(lang: Lang, c: Channel) -> &'static str {
    match (lang, c) {
        (Lang::En, Channel::Mobile) | (Lang::Nl, Channel::Mobile) => texts(lang).mobile,
        (_, Channel::Sms) => "SMS",
        (_, Channel::Landline) => texts(lang).landline,
        (_, Channel::Email) => texts(lang).email,
    }
}

/// Minutes as people say them: "45 min", "4 h", "2 d".
pub fn duration(lang: Lang, minutes: Option<u32>) -> String {
    let t = texts(lang);
    match minutes {
        None => t.none.into(),
        Some(m) if m < 120 => format!("{m} {}", t.minutes),
        Some(m) if m < 2880 && m % 60 == 0 => format!("{} {}", m / 60, t.hours),
        Some(m) if m < 2880 => format!("{:.1} {}", m as f64 / 60.0, t.hours),
        Some(m) => format!(
            "{} {}",
            (m as f64 / 1440.0 * 10.0).round() / 10.0,
            if lang == Lang::En { "d" } else { "dg" }
        ),
    }
}

/// One checklist line in the reader's language.
pub fn gap(lang: Lang, code: GapCode, subject: &str) -> String {
    if lang == Lang::En {
        return crate::domain::completeness::english(code, subject);
    }
    use GapCode::*;
    match code {
        NoSite => "Geen locatie vastgelegd: voeg toe waar mensen werken.".into(),
        SiteWithoutAssemblyPoint => format!("Locatie {subject} heeft geen verzamelplaats."),
        SiteWithoutEmergencyNumbers => format!("Locatie {subject} heeft geen noodnummers."),
        SiteWithoutSafetyPlan => format!("Locatie {subject} zegt niet waar het BHV-plan ligt."),
        SiteWithoutFirstResponders => format!("Locatie {subject} heeft geen BHV'ers."),
        NoPeople => "De medewerkerslijst is leeg.".into(),
        PersonWithoutMobile => format!("{subject} heeft geen mobiel nummer."),
        PersonWithoutEmergencyContact => format!("{subject} heeft geen contactpersoon bij nood."),
        NoCoordinator => "De belboom heeft geen coördinator.".into(),
        CallTreeMissesPeople => format!("De belboom bereikt niet: {subject}."),
        CallTreeCycle => format!("De belboom draait rond: {subject}."),
        CallerWithoutPhone => format!("{subject} moet bellen maar heeft geen telefoonnummer."),
        NoEmailDownRule => "Het plan zegt niet wat te doen als e-mail eruit ligt.".into(),
        NoCustomerGroup => {
            "Geen klantgroepen vastgelegd: wie moet iets van u horen bij een incident?".into()
        }
        CustomerGroupWithoutProcesses => {
            format!("Klantgroep {subject} is niet gekoppeld aan de processen waarvan ze afhangt.")
        }
        NoCustomerMessage => format!("Er is geen klantbericht voor: {subject}."),
        NoTalkingPoints => "Er zijn geen kernboodschappen (wat wel en niet te zeggen).".into(),
        NoServiceDeskOverflow => {
            "Het plan zegt niet wie de servicedesk helpt als de telefoon roodgloeiend staat.".into()
        }
        NoProcess => "Geen bedrijfsproces vastgelegd: spreek per proces RTO en RPO af.".into(),
        ProcessWithoutTargets => format!("Proces {subject} heeft geen afgesproken RTO en RPO."),
        NoSystem => "Geen systemen vastgelegd.".into(),
        SystemWithoutOwner => format!("Systeem {subject} heeft geen eigenaar."),
        SystemWithoutProcedure => format!("Systeem {subject} heeft geen herstelprocedure."),
        SystemWithoutTargets => {
            format!("Systeem {subject} heeft geen RTO/RPO (eigen of via een proces).")
        }
        DependencyCycle => format!("Systemen zijn in een kring van elkaar afhankelijk: {subject}."),
        NeverApproved => "Het plan is nog nooit goedgekeurd.".into(),
        ReviewOverdue => format!("Het plan had op {subject} herzien moeten worden."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Lang::En, Some(45)), "45 min");
        assert_eq!(duration(Lang::En, Some(240)), "4 h");
        assert_eq!(duration(Lang::Nl, Some(4320)), "3 dg");
        assert_eq!(duration(Lang::En, None), "—");
    }

    #[test]
    fn every_gap_reads_in_dutch_with_its_subject() {
        assert_eq!(
            gap(Lang::Nl, GapCode::PersonWithoutMobile, "Anna"),
            "Anna heeft geen mobiel nummer."
        );
        assert_eq!(
            gap(Lang::En, GapCode::PersonWithoutMobile, "Anna"),
            "Anna has no mobile number."
        );
    }
}
