//! The words of backup monitoring in English and Dutch.
use crate::domain::sla::State;
use crate::i18n::Lang;

pub struct MonitorTexts {
    pub status: &'static str,
    pub systems: &'static str,
    pub processes: &'static str,
    pub exposure: &'static str,
    pub target: &'static str,
    pub last_point: &'static str,
    pub restore_test: &'static str,
    pub never: &'static str,
    pub no_systems: &'static str,
    pub heartbeat: &'static str,
    pub heartbeat_hint: &'static str,
    pub week: &'static str,
    pub refreshed: &'static str,
    pub ago: &'static str,
    pub states: [&'static str; 4],
    pub report: &'static str,
    pub achievable: &'static str,
    pub tokens: &'static str,
    pub tokens_hint: &'static str,
    pub token_name: &'static str,
    pub create_token: &'static str,
    pub token_once: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub last_used: &'static str,
    pub timeline: &'static str,
    pub kinds: [&'static str; 5],
    pub alerts: &'static str,
    pub alert_emails: &'static str,
    pub alert_emails_hint: &'static str,
    pub notify_client: &'static str,
    pub webhook_url: &'static str,
    pub webhook_secret: &'static str,
    pub secret_set: &'static str,
    pub reminder: &'static str,
    pub monthly_reports: &'static str,
    pub restore_test_days: &'static str,
    pub mail_language: &'static str,
}

pub static EN: MonitorTexts = MonitorTexts {
    status: "Backup status",
    systems: "Systems",
    processes: "Business processes",
    exposure: "Exposure",
    target: "Agreed RPO",
    last_point: "Newest restore point",
    restore_test: "Last restore test",
    never: "never",
    no_systems: "No systems yet: add them in the continuity plan.",
    heartbeat: "Heartbeat",
    heartbeat_hint: "Run this after each successful backup (append /fail when it failed):",
    week: "Exposure over the last 7 days against the agreed RPO",
    refreshed: "Updates itself every 15 seconds.",
    ago: "ago",
    states: ["OK", "unknown", "at risk", "breached"],
    report: "SLA report this month",
    achievable: "This backup can achieve at worst",
    tokens: "Backup reporting",
    tokens_hint: "Backup software reports to Lifeline with an ingest token of this client.",
    token_name: "Token name (e.g. the appliance)",
    create_token: "Create token",
    token_once: "Copy it now: it is shown only once.",
    revoke: "Revoke",
    revoked: "revoked",
    last_used: "last used",
    timeline: "Recent events",
    kinds: [
        "backup succeeded",
        "backup failed",
        "replicated off-site",
        "restore test passed",
        "restore test failed",
    ],
    alerts: "Alerts",
    alert_emails: "E-mail alerts to",
    alert_emails_hint: "comma-separated; empty: all MSP staff",
    notify_client: "Also tell the client's admins",
    webhook_url: "Webhook URL",
    webhook_secret: "Webhook signing secret (16+ characters)",
    secret_set: "a secret is set; leave empty to keep it",
    reminder: "Repeat an open breach every (0 = never)",
    monthly_reports: "On the first of each month the same people get every client's SLA report of the month before.",
    restore_test_days: "A passed restore test proves the RTO for (days)",
    mail_language: "Language of alert and report e-mails",
};

pub static NL: MonitorTexts = MonitorTexts {
    status: "Back-upstatus",
    systems: "Systemen",
    processes: "Bedrijfsprocessen",
    exposure: "Blootstelling",
    target: "Afgesproken RPO",
    last_point: "Nieuwste herstelpunt",
    restore_test: "Laatste hersteltest",
    never: "nooit",
    no_systems: "Nog geen systemen: voeg ze toe in het continuïteitsplan.",
    heartbeat: "Hartslag",
    heartbeat_hint: "Voer dit uit na elke geslaagde back-up (met /fail erachter als hij mislukte):",
    week: "Blootstelling over de afgelopen 7 dagen tegen de afgesproken RPO",
    refreshed: "Ververst zichzelf elke 15 seconden.",
    ago: "geleden",
    states: ["OK", "onbekend", "risico", "overschreden"],
    report: "SLA-rapport deze maand",
    achievable: "Deze back-up haalt in het slechtste geval",
    tokens: "Back-uprapportage",
    tokens_hint: "Back-upsoftware meldt zich bij Lifeline met een ingest-token van deze klant.",
    token_name: "Naam van het token (bijv. de appliance)",
    create_token: "Token aanmaken",
    token_once: "Kopieer het nu: het wordt maar één keer getoond.",
    revoke: "Intrekken",
    revoked: "ingetrokken",
    last_used: "laatst gebruikt",
    timeline: "Recente gebeurtenissen",
    kinds: [
        "back-up geslaagd",
        "back-up mislukt",
        "off-site gerepliceerd",
        "hersteltest geslaagd",
        "hersteltest mislukt",
    ],
    alerts: "Meldingen",
    alert_emails: "E-mailmeldingen naar",
    alert_emails_hint: "gescheiden door komma's; leeg: alle MSP-medewerkers",
    notify_client: "Ook de beheerders van de klant inlichten",
    webhook_url: "Webhook-URL",
    webhook_secret: "Ondertekeningsgeheim voor de webhook (16+ tekens)",
    secret_set: "er is een geheim ingesteld; laat leeg om het te houden",
    reminder: "Een open overschrijding herhalen elke (0 = nooit)",
    monthly_reports: "Op de eerste van elke maand krijgen dezelfde mensen van elke klant het SLA-rapport van de maand ervoor.",
    restore_test_days: "Een geslaagde hersteltest bewijst de RTO gedurende (dagen)",
    mail_language: "Taal van alert- en rapportmails",
};

pub fn texts(lang: Lang) -> &'static MonitorTexts {
    match lang {
        Lang::En => &EN,
        Lang::Nl => &NL,
    }
}

pub fn state(lang: Lang, s: State) -> &'static str {
    texts(lang).states[s as usize]
}

/// A CSS class per state, shared by badges and chart colours.
pub fn class(s: State) -> &'static str {
    match s {
        State::Ok => "ok",
        State::Unknown => "unknown",
        State::AtRisk => "risk",
        State::Breached => "bad",
    }
}

pub fn kind(lang: Lang, k: crate::domain::sla::EventKind) -> &'static str {
    use crate::domain::sla::EventKind::*;
    let i = match k {
        BackupSucceeded => 0,
        BackupFailed => 1,
        ReplicationSucceeded => 2,
        RestoreTestPassed => 3,
        RestoreTestFailed => 4,
    };
    texts(lang).kinds[i]
}

/// A stored finding about a job (English, as `domain::sla` words it) in the reader's language;
/// one it does not recognise is shown as stored.
pub fn finding(lang: Lang, stored: &str) -> String {
    use crate::domain::sla::{FINDING_FAST, FINDING_OLD_POINT, FINDING_SMALL};
    if lang == Lang::En {
        return stored.to_string();
    }
    let between = |(a, b): (&str, &str)| stored.strip_prefix(a)?.strip_suffix(b);
    if let Some(rp) = between(FINDING_OLD_POINT) {
        return format!("herstelpunt {rp} is ouder dan de taak die het meldde");
    }
    if let Some(when) = between(FINDING_SMALL) {
        return format!("een back-up om {when} schreef veel minder dan gewoonlijk");
    }
    if let Some(when) = between(FINDING_FAST) {
        return format!("een back-up om {when} was veel sneller klaar dan gewoonlijk");
    }
    stored.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sla::JobWindow;
    use chrono::{TimeZone, Utc};

    #[test]
    fn findings_about_jobs_read_in_dutch() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap();
        let mut window = JobWindow::default();
        for d in 1..=10 {
            window.add(at - chrono::Duration::days(d), Some(100_000), Some(3_600));
        }
        let small = window.judge(Some(at), at, Some(100), Some(3_600)).unwrap();
        assert_eq!(
            small,
            "a backup at 2026-11-30 02:00 wrote far less than usual"
        );
        assert_eq!(
            finding(Lang::Nl, &small),
            "een back-up om 2026-11-30 02:00 schreef veel minder dan gewoonlijk"
        );
        let fast = window.judge(Some(at), at, Some(100_000), Some(10)).unwrap();
        assert!(finding(Lang::Nl, &fast).ends_with("was veel sneller klaar dan gewoonlijk"));
        let old = window
            .judge(Some(at - chrono::Duration::days(3)), at, None, Some(60))
            .unwrap();
        assert!(finding(Lang::Nl, &old).starts_with("herstelpunt 2026-11-27 02:00:00 UTC is ouder"));
        assert_eq!(finding(Lang::En, &old), old);
        assert_eq!(finding(Lang::Nl, "something else"), "something else");
    }
}
