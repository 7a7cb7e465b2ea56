//! English and Dutch. Every text is a field of `Texts`, so a missing translation does not compile.
use serde::{Deserialize, Serialize};

pub const LANG_COOKIE: &str = "lifeline_lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    pub fn t(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Nl => &NL,
        }
    }
}

pub struct Texts {
    pub tagline: &'static str,
    pub intro: &'static str,
    pub sign_in: &'static str,
    pub sign_up: &'static str,
    pub sign_out: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub your_name: &'static str,
    pub name: &'static str,
    pub msp_name: &'static str,
    pub create_account: &'static str,
    pub no_account: &'static str,
    pub have_account: &'static str,
    pub clients: &'static str,
    pub my_company: &'static str,
    pub add_client: &'static str,
    pub start_from: &'static str,
    pub empty_plan: &'static str,
    pub client_name: &'static str,
    pub no_clients: &'static str,
    pub no_clients_hint: &'static str,
    pub users: &'static str,
    pub team: &'static str,
    pub audit: &'static str,
    pub templates: &'static str,
    pub catalog: &'static str,
    pub switch_to: &'static str,
    pub team_intro: &'static str,
    pub invite_staff: &'static str,
    pub role_msp_owner: &'static str,
    pub role_msp_admin: &'static str,
    pub role_msp_technician: &'static str,
    pub change_role: &'static str,
    pub save: &'static str,
    pub disable: &'static str,
    pub disable_confirm: &'static str,
    pub disable_now: &'static str,
    pub disabled: &'static str,
    pub you: &'static str,
    pub saved: &'static str,
    pub no_users: &'static str,
    pub invite_below: &'static str,
    pub invite_user: &'static str,
    pub role: &'static str,
    pub role_client_admin: &'static str,
    pub role_client_member: &'static str,
    pub send_invite: &'static str,
    pub invite_link_intro: &'static str,
    pub pending: &'static str,
    pub active: &'static str,
    pub accept_invite: &'static str,
    pub choose_password: &'static str,
    pub invite_existing_account: &'static str,
    pub forgot_password: &'static str,
    pub reset_intro: &'static str,
    pub send_reset_link: &'static str,
    pub reset_sent: &'static str,
    pub new_password: &'static str,
    pub save_password: &'static str,
    pub loading: &'static str,
    pub not_signed_in: &'static str,
    pub not_found: &'static str,
    pub not_found_hint: &'static str,
    pub back_home: &'static str,
    pub managed_by: &'static str,
    pub welcome: &'static str,
    pub self_service_intro: &'static str,
    pub created: &'static str,
    pub back_to_clients: &'static str,
    pub language: &'static str,
    pub saving: &'static str,
}

pub static EN: Texts = Texts {
    tagline: "Business continuity for managed service providers",
    intro: "Keep a living continuity plan for every client, agree RTO and RPO targets, and see from real backup telemetry whether every system meets them.",
    sign_in: "Sign in",
    sign_up: "Sign up",
    sign_out: "Sign out",
    email: "E-mail",
    password: "Password",
    your_name: "Your name",
    name: "Name",
    msp_name: "Company name (your MSP)",
    create_account: "Create account",
    no_account: "No account yet?",
    have_account: "Already have an account?",
    clients: "Clients",
    my_company: "My company",
    add_client: "Add client",
    start_from: "Start the plan from",
    empty_plan: "An empty plan",
    client_name: "Client name",
    no_clients: "No clients yet",
    no_clients_hint: "Add your first client to start its continuity plan.",
    users: "Users",
    team: "Team",
    audit: "Audit log",
    templates: "Templates",
    catalog: "Catalog",
    switch_to: "Switch to…",
    team_intro: "The people of your MSP who work in Lifeline. Owners and admins invite them and change their roles; technicians build plans and watch the backups.",
    invite_staff: "Invite a team member",
    role_msp_owner: "Owner",
    role_msp_admin: "Admin",
    role_msp_technician: "Technician",
    change_role: "Change role",
    save: "Save",
    disable: "Disable…",
    disable_confirm: "They can no longer sign in to this MSP. Their account elsewhere is not affected.",
    disable_now: "Disable now",
    disabled: "disabled",
    you: "you",
    saved: "Saved.",
    no_users: "Nobody from this client has access yet.",
    invite_below: " Invite a client admin below.",
    invite_user: "Invite a user",
    role: "Role",
    role_client_admin: "Client admin",
    role_client_member: "Client member",
    send_invite: "Send invite",
    invite_link_intro: "Invite created. Share this one-time link with the invitee:",
    pending: "invited",
    active: "active",
    accept_invite: "Accept invite",
    choose_password: "Choose a password (at least 12 characters)",
    invite_existing_account: "Already have a Lifeline account with this e-mail address? Type its password instead: the invitation is added to your account.",
    forgot_password: "Forgot your password?",
    reset_intro: "Type the e-mail address of your account. We send a link to choose a new password; it works once, for one hour.",
    send_reset_link: "Send link",
    reset_sent: "If this address has an account, a link to choose a new password is on its way. Check your inbox.",
    new_password: "New password (at least 12 characters)",
    save_password: "Save password",
    loading: "Loading…",
    not_signed_in: "You are not signed in.",
    not_found: "Not found.",
    not_found_hint: "There is nothing at this address, or it is not yours to see.",
    back_home: "Go to the start page",
    managed_by: "Managed by",
    welcome: "Welcome",
    self_service_intro: "This is your company's self-service view. Here you will review your continuity plan and see the state of your backups.",
    created: "Created",
    back_to_clients: "← All clients",
    language: "Language",
    saving: "Saving…",
};

pub static NL: Texts = Texts {
    tagline: "Bedrijfscontinuïteit voor managed service providers",
    intro: "Houd voor elke klant een levend continuïteitsplan bij, spreek RTO- en RPO-doelen af en zie aan echte back-upgegevens of elk systeem ze haalt.",
    sign_in: "Inloggen",
    sign_up: "Registreren",
    sign_out: "Uitloggen",
    email: "E-mailadres",
    password: "Wachtwoord",
    your_name: "Uw naam",
    name: "Naam",
    msp_name: "Bedrijfsnaam (uw MSP)",
    create_account: "Account aanmaken",
    no_account: "Nog geen account?",
    have_account: "Al een account?",
    clients: "Klanten",
    my_company: "Mijn bedrijf",
    add_client: "Klant toevoegen",
    start_from: "Begin het plan met",
    empty_plan: "Een leeg plan",
    client_name: "Naam van de klant",
    no_clients: "Nog geen klanten",
    no_clients_hint: "Voeg uw eerste klant toe om met het continuïteitsplan te beginnen.",
    users: "Gebruikers",
    team: "Team",
    audit: "Logboek",
    templates: "Sjablonen",
    catalog: "Catalogus",
    switch_to: "Wissel naar…",
    team_intro: "De mensen van uw MSP die in Lifeline werken. Eigenaren en beheerders nodigen hen uit en wijzigen hun rol; technici stellen plannen op en bewaken de back-ups.",
    invite_staff: "Teamlid uitnodigen",
    role_msp_owner: "Eigenaar",
    role_msp_admin: "Beheerder",
    role_msp_technician: "Technicus",
    change_role: "Rol wijzigen",
    save: "Opslaan",
    disable: "Uitschakelen…",
    disable_confirm: "Deze persoon kan niet meer inloggen bij deze MSP. Een account elders blijft ongemoeid.",
    disable_now: "Nu uitschakelen",
    disabled: "uitgeschakeld",
    you: "u",
    saved: "Opgeslagen.",
    no_users: "Nog niemand van deze klant heeft toegang.",
    invite_below: " Nodig hieronder een klantbeheerder uit.",
    invite_user: "Gebruiker uitnodigen",
    role: "Rol",
    role_client_admin: "Klantbeheerder",
    role_client_member: "Klantgebruiker",
    send_invite: "Uitnodiging versturen",
    invite_link_intro: "Uitnodiging aangemaakt. Deel deze eenmalige link met de genodigde:",
    pending: "uitgenodigd",
    active: "actief",
    accept_invite: "Uitnodiging accepteren",
    choose_password: "Kies een wachtwoord (minstens 12 tekens)",
    invite_existing_account: "Heeft u met dit e-mailadres al een Lifeline-account? Typ dan het wachtwoord daarvan: de uitnodiging wordt aan uw account toegevoegd.",
    forgot_password: "Wachtwoord vergeten?",
    reset_intro: "Typ het e-mailadres van uw account. We sturen een link om een nieuw wachtwoord te kiezen; die werkt één keer, een uur lang.",
    send_reset_link: "Link versturen",
    reset_sent: "Als dit adres een account heeft, is een link om een nieuw wachtwoord te kiezen onderweg. Kijk in uw inbox.",
    new_password: "Nieuw wachtwoord (minstens 12 tekens)",
    save_password: "Wachtwoord opslaan",
    loading: "Laden…",
    not_signed_in: "U bent niet ingelogd.",
    not_found: "Niet gevonden.",
    not_found_hint: "Op dit adres staat niets, of het is niet voor u zichtbaar.",
    back_home: "Naar de startpagina",
    managed_by: "Beheerd door",
    welcome: "Welkom",
    self_service_intro: "Dit is de selfserviceomgeving van uw bedrijf. Hier beoordeelt u straks uw continuïteitsplan en ziet u de staat van uw back-ups.",
    created: "Aangemaakt",
    back_to_clients: "← Alle klanten",
    language: "Taal",
    saving: "Opslaan…",
};

/// A message of the server (or of a field's own check) in Dutch; `None` when we have no words
/// for it. Shared: the browser checks fields with the same rules and words.
/// What a person reads when Stripe could not be reached or refused a call.
pub const STRIPE_UNREACHABLE: &str =
    "Stripe could not be reached or refused the request; nothing was changed, try again later";

pub fn dutch_message(message: &str) -> Option<&'static str> {
    Some(match message {
        crate::model::UNAUTHORIZED => "u bent niet ingelogd",
        crate::model::NOT_FOUND => "niet gevonden",
        "wrong e-mail address or password" => "verkeerd e-mailadres of wachtwoord",
        "too many attempts, try again later" => "te veel pogingen, probeer het later opnieuw",
        "payload too large" => "het verzoek is te groot",
        "an internal error occurred" => "er ging intern iets mis",
        "this needs an MSP staff account" => "hiervoor is een account van de MSP nodig",
        "this needs an admin account" => "hiervoor is een beheerdersaccount nodig",
        "your role may read the plan but not change it" => {
            "uw rol mag het plan lezen maar niet wijzigen"
        }
        "only the MSP's owners and admins manage its team" => {
            "alleen eigenaren en beheerders van de MSP beheren het team"
        }
        "only an owner makes or unmakes an owner" => {
            "alleen een eigenaar maakt iemand eigenaar of neemt dat af"
        }
        "only an owner disables an owner" => "alleen een eigenaar schakelt een eigenaar uit",
        "the last owner stays an owner: make someone else owner first" => {
            "de laatste eigenaar blijft eigenaar: maak eerst iemand anders eigenaar"
        }
        "you cannot disable your own account" => "u kunt uw eigen account niet uitschakelen",
        "is not an e-mail address" => "is geen e-mailadres",
        crate::domain::input::DURATION => "moet een tijdsduur zijn zoals 15 min, 4 uur of 1 dag",
        crate::domain::input::MOMENT => "moet een tijdstip zijn zoals 2026-12-07 08:30 (UTC)",
        "your role may follow the incident but not run it" => {
            "uw rol mag het incident volgen maar niet leiden"
        }
        "this incident is closed" => "dit incident is gesloten",
        "must be json, html or pdf" => "moet json, html of pdf zijn",
        "must be 1 to 1440 minutes" => "moet 1 tot 1440 minuten zijn",
        "the call tree of this incident is already going" => {
            "de belboom van dit incident is al in gang gezet"
        }
        "must be confirmed or unreachable" => "moet confirmed of unreachable zijn",
        "names a site that is not in this client's plan" => {
            "noemt een locatie die niet in het plan van deze klant staat"
        }
        "must not be in the future" => "mag niet in de toekomst liggen",
        "must be within the last year" => "moet binnen het afgelopen jaar liggen",
        "must not be before the recovery started" => "mag niet voor het begin van het herstel liggen",
        "this item is done by what happens (a system recovered), not by a tick" => {
            "dit punt is klaar door wat er gebeurt (een systeem hersteld), niet door een vinkje"
        }
        "must be between 1 minute and 1 year (525600)" => "moet tussen 1 minuut en 1 jaar liggen",
        "is required" => "is verplicht",
        "is required: 0 turns reminders off" => "is verplicht: 0 zet herinneringen uit",
        "must be 0 (off) to 10080 (a week)" => "moet 0 (uit) tot 10080 (een week) zijn",
        "must be 1 to 3650 days" => "moet 1 tot 3650 dagen zijn",
        "must be a whole number" => "moet een geheel getal zijn",
        "must be a whole number of days" => "moet een geheel aantal dagen zijn",
        "is not a known backup method" => "is geen bekende back-upmethode",
        "is not a phone number" => "is geen telefoonnummer",
        "is not known" => "is onbekend",
        crate::domain::upsell::MONEY => "moet een bedrag zijn zoals 45 of 45,00",
        "only the MSP's owners and admins change the catalog" => {
            "alleen eigenaren en beheerders van de MSP wijzigen de catalogus"
        }
        "must be a whole number of cents from 0 to 1000000000" => {
            "moet een geheel aantal centen van 0 tot 1000000000 zijn"
        }
        "must be a three-letter ISO 4217 code such as EUR" => {
            "moet een ISO 4217-code van drie letters zijn, zoals EUR"
        }
        "needs a policy whose copies leave the site (an off-site interval or replication)" => {
            "vraagt om een beleid waarvan kopieën de deur uit gaan (een interval buiten de deur of replicatie)"
        }
        "names someone who is not in this client's directory" => {
            "noemt iemand die niet in het adresboek van deze klant staat"
        }
        "is not a person in this client's directory" => {
            "is geen persoon uit het adresboek van deze klant"
        }
        "names a system that is not in this client's plan" => {
            "noemt een systeem dat niet in het plan van deze klant staat"
        }
        "names a business process that is not in this client's plan"
        | "names a process that is not in this client's plan" => {
            "noemt een bedrijfsproces dat niet in het plan van deze klant staat"
        }
        "at most 200 steps of at most 2000 characters" => {
            "hoogstens 200 stappen van hoogstens 2000 tekens"
        }
        "must be one line" => "moet één regel zijn",
        "must be at most 500 characters" => "mag hoogstens 500 tekens lang zijn",
        "must be at most 2000 characters" => "mag hoogstens 2000 tekens lang zijn",
        "interval and off-site interval 1 minute to 1 year, job at most a week, throughput at least 1 MB/s" => {
            "interval en interval buiten de deur 1 minuut tot 1 jaar, taak hoogstens een week, doorvoer minstens 1 MB/s"
        }
        "is too long" => "is te lang",
        "must not be empty" => "mag niet leeg zijn",
        "must be at most 200 characters" => "mag hoogstens 200 tekens lang zijn",
        "must be at most 256 characters" => "mag hoogstens 256 tekens lang zijn",
        "must be at most 10000 characters" => "mag hoogstens 10000 tekens lang zijn",
        "must not contain control characters" => "mag geen stuurtekens bevatten",
        "must be at least 12 characters" => "moet minstens 12 tekens lang zijn",
        "must not be blank" => "mag niet uit alleen spaties bestaan",
        "is too repetitive: use more different characters" => {
            "herhaalt zich te veel: gebruik meer verschillende tekens"
        }
        "is a sequence (like 123456789012 or qwertyuiop): choose something less predictable" => {
            "is een reeks (zoals 123456789012 of qwertyuiop): kies iets minder voorspelbaars"
        }
        "is one of the most common passwords: choose another" => {
            "is een van de meest gebruikte wachtwoorden: kies een ander"
        }
        "already has an account with you" => "heeft al een account bij u",
        "must be msp_admin or msp_technician" => "moet msp_admin of msp_technician zijn",
        "must be client_admin or client_member" => "moet client_admin of client_member zijn",
        "must be msp_owner, msp_admin or msp_technician" => {
            "moet msp_owner, msp_admin of msp_technician zijn"
        }
        "must be a Stripe secret key (sk_test_…, sk_live_…, or a restricted rk_ key)" => {
            "moet een geheime sleutel van Stripe zijn (sk_test_…, sk_live_… of een beperkte rk_-sleutel)"
        }
        "is not a Stripe key: letters, digits and _ only, 16 to 255 characters" => {
            "is geen Stripe-sleutel: alleen letters, cijfers en _, 16 tot 255 tekens"
        }
        "must be the endpoint's signing secret from Stripe (whsec_…)" => {
            "moet het ondertekeningsgeheim van het webhook-adres in Stripe zijn (whsec_…)"
        }
        "only the MSP's owners connect or disconnect Stripe" => {
            "alleen de eigenaren van de MSP koppelen Stripe of ontkoppelen het"
        }
        "only the MSP's owners and admins see the billing settings" => {
            "alleen eigenaren en beheerders van de MSP zien de facturatie-instellingen"
        }
        "this client pays by hand: there is no Stripe customer to manage" => {
            "deze klant betaalt met de hand: er is geen Stripe-klant om te beheren"
        }
        "only the client's admins manage its payment details" => {
            "alleen de beheerders van de klant beheren de betaalgegevens"
        }
        crate::domain::offer::NOT_SENT => "dit voorstel is nog niet verstuurd",
        crate::domain::offer::ALREADY_SENT => "dit voorstel is al verstuurd",
        crate::domain::offer::DECIDED => "dit voorstel is al beantwoord",
        crate::domain::offer::EXPIRED => "dit voorstel is verlopen",
        "an offer of this tier to this client is still open" => {
            "er staat nog een voorstel van dit niveau voor deze klant open"
        }
        "is not a tier of your catalog" => "is geen niveau uit uw catalogus",
        "names a system this tier is not recommended for" => {
            "noemt een systeem waarvoor dit niveau niet wordt aangeraden"
        }
        "no system of this client needs this tier" => {
            "geen systeem van deze klant heeft dit niveau nodig"
        }
        "only an admin of the client answers an offer" => {
            "alleen een beheerder van de klant beantwoordt een voorstel"
        }
        "only the MSP's owners and admins see its billing" => {
            "alleen eigenaren en beheerders van de MSP zien de facturatie"
        }
        "must be a month such as 2026-12" => "moet een maand zijn, zoals 2026-12",
        "is not a currency Stripe knows" => "is geen valuta die Stripe kent",
        STRIPE_UNREACHABLE => {
            "Stripe is niet bereikbaar of weigerde het verzoek; er is niets gewijzigd, probeer het later opnieuw"
        }
        _ => return None,
    })
}
