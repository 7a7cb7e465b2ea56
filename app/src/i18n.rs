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
    pub no_users: &'static str,
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
    pub loading: &'static str,
    pub not_signed_in: &'static str,
    pub not_found: &'static str,
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
    no_users: "Nobody from this client has access yet. Invite a client admin below.",
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
    loading: "Loading…",
    not_signed_in: "You are not signed in.",
    not_found: "Not found.",
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
    no_users: "Nog niemand van deze klant heeft toegang. Nodig hieronder een klantbeheerder uit.",
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
    loading: "Laden…",
    not_signed_in: "U bent niet ingelogd.",
    not_found: "Niet gevonden.",
    managed_by: "Beheerd door",
    welcome: "Welkom",
    self_service_intro: "Dit is de selfserviceomgeving van uw bedrijf. Hier beoordeelt u straks uw continuïteitsplan en ziet u de staat van uw back-ups.",
    created: "Aangemaakt",
    back_to_clients: "← Alle klanten",
    language: "Taal",
    saving: "Opslaan…",
};
