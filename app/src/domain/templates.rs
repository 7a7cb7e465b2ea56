//! The plan templates that ship with Lifeline, in English and Dutch. An MSP copies one into its
//! own library and adapts it; a new client's plan starts from either.
use crate::model::plan::{
    MessageKind, MessageTemplate, Scenario, Section, TalkingPoints, TemplateBody, TemplateGroup,
    TemplateProcess, TemplateView,
};

pub const BUILTIN_IDS: [&str; 2] = ["builtin-en", "builtin-nl"];

fn s(v: &str) -> String {
    v.to_string()
}

fn list(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn section(title: &str, text: &str) -> Section {
    Section {
        title: s(title),
        text: s(text),
    }
}

fn scenario(name: &str, steps: &[&str]) -> Scenario {
    Scenario {
        name: s(name),
        steps: list(steps),
    }
}

fn message(kind: MessageKind, subject: &str, body: &str) -> MessageTemplate {
    MessageTemplate {
        kind,
        subject: s(subject),
        body: s(body),
    }
}

fn process(name: &str, hour: &str, day: &str, week: &str, rto: u32, rpo: u32) -> TemplateProcess {
    TemplateProcess {
        name: s(name),
        description: String::new(),
        impact_hour: s(hour),
        impact_day: s(day),
        impact_week: s(week),
        rto_minutes: Some(rto),
        rpo_minutes: Some(rpo),
    }
}

fn group(name: &str, description: &str, processes: &[&str]) -> TemplateGroup {
    TemplateGroup {
        name: s(name),
        description: s(description),
        processes: list(processes),
    }
}

fn english() -> TemplateBody {
    use MessageKind::*;
    TemplateBody {
        sections: vec![
            section("Purpose", "This plan says who does what, in which order, when an incident stops the business: first people's safety, then informing staff, then informing customers, then restoring IT. It is written to be used on paper."),
            section("When this plan applies", "Any event that stops or threatens to stop a critical business process for longer than its agreed recovery time: fire, flooding, power cut, ransomware, loss of a key supplier or of the internet connection."),
            section("Who decides", "The coordinator at the top of the call tree declares the incident, decides to invoke this plan and is the only person who speaks to the press. The MSP leads the IT recovery."),
        ],
        scenarios: vec![
            scenario("Fire or evacuation", &["Raise the alarm and call 112.", "Evacuate by the nearest safe exit to the assembly point.", "First responders check every room is empty and count people against the attendance list.", "Coordinator starts the call tree once everyone is accounted for."]),
            scenario("Ransomware", &["Disconnect affected computers from the network (unplug, do not shut down).", "Call the MSP's emergency number.", "Do not pay and do not contact the attackers.", "Coordinator starts the call tree with the e-mail-down rule: assume e-mail is compromised.", "Report to the police and, within 72 hours, to the data protection authority if personal data is involved."]),
            scenario("Power cut or internet outage", &["Check whether the outage is local (fuse box) or regional (grid operator's outage map by phone).", "Switch to mobile hotspots for critical work.", "Tell staff via the call tree whether to stay or go home."]),
        ],
        email_down_rule: s("When e-mail is down (no on-premises mail, no internet): use the call tree by phone and SMS only; never send passwords or instructions by e-mail until the MSP says mail is trusted again."),
        messages: vec![
            message(FirstNotice, "{client}: disruption to our services", "Dear customer,\n\nSince {started_at} we have a disruption: {incident}. This affects: {affected}.\nWe are working on it with our IT partner. We do not yet know how long it will take. We will update you by {next_update}.\n\nQuestions: {contact}."),
            message(Update, "{client}: update on the disruption", "Dear customer,\n\nAn update on the disruption since {started_at} ({incident}). Still affected: {affected}.\nWhat we know now, and what we are doing about it, is below. Next update by {next_update}.\n\nQuestions: {contact}."),
            message(Resolved, "{client}: services restored", "Dear customer,\n\nThe disruption that started at {started_at} ({incident}) has been resolved. {affected} are working again.\nWe apologise for the inconvenience. If you still notice problems, contact {contact}."),
        ],
        talking_points: TalkingPoints {
            say: list(&["What happened, in plain words, and since when.", "What customers notice and what they can do in the meantime.", "When they will hear from us next."]),
            avoid: list(&["Guesses about the cause or the attacker.", "Promises about when it will be fixed.", "Whether personal data was involved, until that is established."]),
        },
        service_desk_switch_when: s("More than 10 calls waiting, or callers waiting longer than 15 minutes."),
        processes: vec![
            process("Order intake and invoicing", "Orders queue up; no direct loss.", "Orders lost to competitors; cash flow delayed.", "Serious loss of revenue and customers.", 480, 60),
            process("Customer service", "Callers wait longer.", "Complaints and reputational damage.", "Customers leave.", 240, 240),
            process("Payroll", "None.", "None, unless on pay day.", "Staff unpaid; legal risk.", 4320, 1440),
        ],
        customer_groups: vec![group("Key accounts", "Customers with a service contract.", &["Order intake and invoicing", "Customer service"])],
    }
}

fn dutch() -> TemplateBody {
    use MessageKind::*;
    TemplateBody {
        sections: vec![
            section("Doel", "Dit plan zegt wie wat doet, en in welke volgorde, als een incident het bedrijf stillegt: eerst de veiligheid van mensen, dan het informeren van medewerkers, dan van klanten, dan het herstel van de IT. Het is geschreven om op papier te gebruiken."),
            section("Wanneer dit plan geldt", "Elke gebeurtenis die een kritiek bedrijfsproces langer dan de afgesproken hersteltijd stillegt of dreigt stil te leggen: brand, wateroverlast, stroomstoring, ransomware, uitval van een belangrijke leverancier of van de internetverbinding."),
            section("Wie beslist", "De coördinator bovenaan de belboom verklaart het incident, besluit dit plan in te zetten en is de enige die de pers te woord staat. De MSP leidt het IT-herstel."),
        ],
        scenarios: vec![
            scenario("Brand of ontruiming", &["Sla alarm en bel 112.", "Ontruim via de dichtstbijzijnde veilige uitgang naar de verzamelplaats.", "De BHV'ers controleren of alle ruimtes leeg zijn en tellen iedereen aan de hand van de aanwezigheidslijst.", "De coördinator start de belboom zodra iedereen er is."]),
            scenario("Ransomware", &["Haal getroffen computers van het netwerk (kabel eruit, niet uitzetten).", "Bel het noodnummer van de MSP.", "Betaal niet en neem geen contact op met de aanvallers.", "De coördinator start de belboom volgens de regel voor 'e-mail ligt eruit': ga ervan uit dat e-mail gecompromitteerd is.", "Doe aangifte en meld binnen 72 uur bij de Autoriteit Persoonsgegevens als het om persoonsgegevens gaat."]),
            scenario("Stroom- of internetstoring", &["Kijk of de storing lokaal is (meterkast) of regionaal (storingsnummer van de netbeheerder).", "Gebruik mobiele hotspots voor kritiek werk.", "Laat via de belboom weten of medewerkers blijven of naar huis gaan."]),
        ],
        email_down_rule: s("Als e-mail eruit ligt (geen eigen mailserver, geen internet): gebruik alleen de belboom per telefoon en sms; stuur geen wachtwoorden of instructies per e-mail tot de MSP zegt dat mail weer te vertrouwen is."),
        messages: vec![
            message(FirstNotice, "{client}: storing in onze dienstverlening", "Beste klant,\n\nSinds {started_at} hebben wij een storing: {incident}. Dit raakt: {affected}.\nWe werken eraan met onze IT-partner. We weten nog niet hoe lang het duurt. Uiterlijk {next_update} hoort u meer.\n\nVragen: {contact}."),
            message(Update, "{client}: stand van zaken storing", "Beste klant,\n\nEen update over de storing sinds {started_at} ({incident}). Nog steeds geraakt: {affected}.\nWat we nu weten en wat we doen, leest u hieronder. Volgende update uiterlijk {next_update}.\n\nVragen: {contact}."),
            message(Resolved, "{client}: storing verholpen", "Beste klant,\n\nDe storing die begon om {started_at} ({incident}) is verholpen. {affected} werken weer.\nOnze excuses voor het ongemak. Merkt u nog problemen, neem dan contact op met {contact}."),
        ],
        talking_points: TalkingPoints {
            say: list(&["Wat er gebeurd is, in gewone woorden, en sinds wanneer.", "Wat klanten merken en wat ze in de tussentijd kunnen doen.", "Wanneer ze weer van ons horen."]),
            avoid: list(&["Gissingen over de oorzaak of de aanvaller.", "Beloftes over wanneer het opgelost is.", "Of er persoonsgegevens betrokken zijn, zolang dat niet vaststaat."]),
        },
        service_desk_switch_when: s("Meer dan 10 wachtende bellers, of bellers die langer dan 15 minuten wachten."),
        processes: vec![
            process("Orderverwerking en facturatie", "Orders lopen op; geen direct verlies.", "Orders gaan naar concurrenten; cashflow vertraagd.", "Ernstig omzet- en klantverlies.", 480, 60),
            process("Klantenservice", "Bellers wachten langer.", "Klachten en imagoschade.", "Klanten vertrekken.", 240, 240),
            process("Salarisadministratie", "Geen.", "Geen, behalve op betaaldag.", "Medewerkers niet betaald; juridisch risico.", 4320, 1440),
        ],
        customer_groups: vec![group("Sleutelklanten", "Klanten met een servicecontract.", &["Orderverwerking en facturatie", "Klantenservice"])],
    }
}

/// The shipped templates, English first.
pub fn builtin() -> Vec<TemplateView> {
    vec![
        TemplateView {
            id: s(BUILTIN_IDS[0]),
            name: s("Lifeline standard plan"),
            lang: s("en"),
            builtin: true,
            body: english(),
        },
        TemplateView {
            id: s(BUILTIN_IDS[1]),
            name: s("Lifeline standaardplan"),
            lang: s("nl"),
            builtin: true,
            body: dutch(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::unknown_placeholders;

    #[test]
    fn shipped_templates_are_complete_and_use_only_known_placeholders() {
        for t in builtin() {
            assert_eq!(t.body.messages.len(), 3, "{}", t.name);
            for m in &t.body.messages {
                assert!(
                    unknown_placeholders(&format!("{} {}", m.subject, m.body)).is_empty(),
                    "{}",
                    t.name
                );
            }
            let names: Vec<&str> = t.body.processes.iter().map(|p| p.name.as_str()).collect();
            for g in &t.body.customer_groups {
                assert!(
                    g.processes.iter().all(|p| names.contains(&p.as_str())),
                    "{}: {}",
                    t.name,
                    g.name
                );
            }
            assert!(!t.body.scenarios.is_empty() && !t.body.sections.is_empty());
        }
        // The Dutch template is a translation, not a copy.
        let [en, nl] = [&builtin()[0], &builtin()[1]];
        assert_eq!(en.body.processes.len(), nl.body.processes.len());
        assert_ne!(en.body.sections[0].title, nl.body.sections[0].title);
    }
}
