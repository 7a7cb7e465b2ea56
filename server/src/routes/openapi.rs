//! The OpenAPI 3.1 document of API v1, written out by hand so it says exactly what we promise.
use axum::Json;
use serde_json::{json, Value};

/// One operation: its success answer and its problems. Every operation may also answer 500, and
/// every one that takes a body 400 (malformed), 413 (over 1 MiB) and 422 (a text over 10,000
/// characters), so those are added here.
fn op(summary: &str, body: Option<&str>, ok: (&str, &str), errors: &[&str]) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(ok.0.into(), json!({ "description": ok.1 }));
    let mut errors: Vec<&str> = errors.to_vec();
    errors.push("500");
    if body.is_some() {
        errors.extend(["400", "413", "422"]);
    }
    for code in errors {
        responses.insert(
            code.into(),
            json!({ "description": "problem details", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
    }
    let mut o = json!({ "summary": summary, "responses": responses });
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    o
}

/// An operation anyone may call, without a session.
fn public(mut o: Value) -> Value {
    o["security"] = json!([]);
    o
}

pub fn spec() -> Value {
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }]);
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Lifeline API", "version": "1" },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" },
                "ingest": { "type": "http", "scheme": "bearer", "description": "a client's ingest token (llk_…)" }
            },
            "schemas": {
                "Problem": { "type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "detail": { "type": "string" }, "errors": { "type": "object", "additionalProperties": { "type": "string" } } } },
                "Signup": { "type": "object", "required": ["msp_name", "name", "email", "password"], "properties": {
                    "msp_name": { "type": "string" }, "name": { "type": "string" }, "email": { "type": "string", "format": "email" },
                    "password": { "type": "string", "minLength": 12, "description": "not blank, repetitive, sequential or common" } } },
                "Login": { "type": "object", "required": ["email", "password"], "properties": {
                    "email": { "type": "string" }, "password": { "type": "string" } } },
                "NewClient": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "notes": { "type": "string" },
                    "template": { "type": "string", "description": "start the plan from a template: builtin-en, builtin-nl or an own template id" } } },
                "StripeKeys": { "type": "object", "required": ["secret_key", "webhook_secret"], "properties": {
                    "secret_key": { "type": "string", "description": "sk_test_…, sk_live_… or a restricted rk_ key" },
                    "webhook_secret": { "type": "string", "description": "the endpoint's signing secret, whsec_…" } } },
                "ClientPatch": { "type": "object", "properties": { "name": { "type": "string" }, "notes": { "type": "string" } } },
                "Invite": { "type": "object", "required": ["email", "name", "role"], "properties": {
                    "email": { "type": "string" }, "name": { "type": "string" },
                    "role": { "type": "string", "enum": ["client_admin", "client_member"] } } },
                "StaffInvite": { "type": "object", "required": ["email", "name", "role"], "properties": {
                    "email": { "type": "string" }, "name": { "type": "string" },
                    "role": { "type": "string", "enum": ["msp_admin", "msp_technician"] } } },
                "StaffRole": { "type": "object", "required": ["role"], "properties": {
                    "role": { "type": "string", "enum": ["msp_owner", "msp_admin", "msp_technician"] } } },
                "AcceptInvite": { "type": "object", "required": ["password"], "properties": { "password": { "type": "string",
                    "description": "a new password (at least 12 characters) or, for an address that has an account, that account's own password" } } },
                "Switch": { "type": "object", "required": ["membership_id"], "properties": { "membership_id": { "type": "string", "format": "uuid" } } },
                "PasswordChange": { "type": "object", "required": ["current_password", "new_password"], "properties": {
                    "current_password": { "type": "string" }, "new_password": { "type": "string", "minLength": 12 } } },
                "PasswordReset": { "type": "object", "required": ["email"], "properties": { "email": { "type": "string", "format": "email" } } },
                "Offer": { "type": "object", "required": ["tier_id"], "properties": {
                    "tier_id": { "type": "string", "format": "uuid" },
                    "system_ids": { "type": "array", "items": { "type": "string", "format": "uuid" }, "description": "default: every system the recommendation moves to this tier" },
                    "valid_days": { "type": "integer", "minimum": 1, "maximum": 365, "description": "default 30" },
                    "note": { "type": "string", "maxLength": 2000 }
                } },
                "Tier": { "type": "object", "properties": {
                    "name": { "type": "string", "maxLength": 200 }, "description": { "type": "string" },
                    "rpo_minutes": { "type": "integer", "minimum": 1, "maximum": 525600 },
                    "rto_minutes": { "type": "integer", "minimum": 1, "maximum": 525600 },
                    "survives_site_loss": { "type": "boolean", "description": "needs a policy whose copies leave the site" },
                    "policy": { "type": "object", "description": "the protection the tier stands for, as a system's policy (its data_gb is the system's own)" },
                    "price_per_system_cents": { "type": "integer", "minimum": 0, "description": "per protected system per month, in minor units" },
                    "price_per_tb_cents": { "type": ["integer", "null"], "minimum": 0, "description": "per TB of the system's data per month, on top; null for none" },
                    "currency": { "type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217, EUR unless set" } } },
                "PasswordResetConfirm": { "type": "object", "required": ["token", "new_password"], "properties": {
                    "token": { "type": "string" }, "new_password": { "type": "string", "minLength": 12 } } }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/auth/signup": { "post": public(op("Sign up a new MSP and its owner", Some("Signup"), ("201", "{token, user, msp}"), &[])) },
            "/auth/login": { "post": public(op("Sign in", Some("Login"), ("200", "{token, user}"), &["401", "429"])) },
            "/auth/logout": { "post": op("End all sessions of the user", None, ("204", "signed out"), &["401", "403"]) },
            "/auth/refresh": { "post": op("Renew the session token (not past 7 days after signing in)", None, ("200", "{token, user}"), &["401", "403"]) },
            "/auth/switch": { "post": op("Act in another membership of the same account", Some("Switch"), ("200", "{token, user}"), &["401", "403", "404"]) },
            "/auth/password": { "post": op("Change the password; every other session ends", Some("PasswordChange"), ("200", "{token, user}"), &["401", "403", "429"]) },
            "/auth/password-reset": { "post": public(op("E-mail a single-use reset link (valid 1 h) if the address has an account; the same answer either way", Some("PasswordReset"), ("202", "accepted"), &["403"])) },
            "/auth/password-reset/confirm": { "post": public(op("Set a new password with a reset link's token; every session ends", Some("PasswordResetConfirm"), ("200", "{token, user}"), &["403", "404"])) },
            "/openapi.json": { "get": public(op("This document", None, ("200", "OpenAPI 3.1"), &[])) },
            "/me": { "get": op("The signed-in user, role, MSP and client", None, ("200", "MeView"), &["401"]) },
            "/clients": {
                "get": op("Clients in scope", None, ("200", "array of clients"), &["401"]),
                "post": op("Add a client (MSP staff)", Some("NewClient"), ("201", "the client"), &["400", "401", "403", "422"])
            },
            "/dashboard": {
                "parameters": [
                    { "name": "q", "in": "query", "required": false, "schema": { "type": "string" }, "description": "part of a client's name, any case" },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0 }, "description": "only the worst so many rows (totals and `matched` still count all)" }
                ],
                "get": op("The MSP dashboard (MSP staff): clients worst first with their systems' states, plan completeness and review dates, and the totals across clients", None, ("200", "{rows, clients, systems, reviews_overdue, plans_incomplete}"), &["400", "401", "403"])
            },
            "/audit": {
                "parameters": [
                    { "name": "before", "in": "query", "required": false, "schema": { "type": "string", "format": "date-time" }, "description": "entries older than this (the previous page's next_before)" },
                    { "name": "client_id", "in": "query", "required": false, "schema": { "type": "string", "format": "uuid" } },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100 } }
                ],
                "get": op("The MSP's audit trail, newest first (owners and admins)", None, ("200", "{entries: [{at, actor, client_id, client, action, subject, outcome, ip}], next_before}"), &["400", "401", "403"])
            },
            "/catalog": {
                "get": op("The MSP's service catalog in order; a new MSP starts with Backup Basic, Instant Recovery and DRaaS (MSP staff)", None, ("200", "{tiers: [{id, name, description, rpo_minutes, rto_minutes, survives_site_loss, policy, achievable, price_per_system_cents, price_per_tb_cents, currency}]}"), &["401", "403"])
            },
            "/catalog/tiers": {
                "post": op("Add a tier (owners and admins)", Some("Tier"), ("201", "the tier"), &["400", "401", "403", "422"])
            },
            "/catalog/tiers/{id}": {
                "parameters": id.clone(),
                "patch": op("Change a tier (owners and admins)", Some("Tier"), ("200", "the tier"), &["400", "401", "403", "404", "422"]),
                "delete": op("Remove a tier (owners and admins)", None, ("204", "removed"), &["401", "403", "404"])
            },
            "/clients/{id}/recommendations": {
                "parameters": id.clone(),
                "get": op("The cheapest tier that keeps each system's agreed targets (and survives the site's loss where it must), for the systems whose protection does not; reasons in the reader's language (MSP staff)", None, ("200", "{items: [{tier_id, tier_name, systems: [{id, name, reason, monthly_price_cents}], monthly_price_cents, monthly_difference_cents, currency}], site_loss_scenario}"), &["401", "403", "404"])
            },
            "/clients/{id}/offers": {
                "parameters": id.clone(),
                "get": op("The client's offers, newest first, each with its state in force (an open offer past valid_until reads expired); client users see no drafts, and reading them marks sent ones viewed", None, ("200", "[{id, client_id, client_name, tier_id, tier_name, state, systems: [{id, name, reason, monthly_price_cents}], quantity, unit_price_cents, monthly_price_cents, currency, note, valid_until, created_at, sent_at, viewed_at, decided_at, subscription_id}]"), &["401", "404"]),
                "post": op("Draft an offer of a tier for the systems the recommendation moves to it (or some of them) (MSP staff)", Some("Offer"), ("201", "the offer, state draft"), &["400", "401", "403", "404", "422"])
            },
            "/clients/{id}/subscriptions": {
                "parameters": id.clone(),
                "get": op("The client's subscriptions, newest first", None, ("200", "{items: [{id, client_id, tier_id, tier_name, offer_id, billing (manual|stripe), status (active, past_due, canceled, incomplete, …), quantity, unit_price_cents, monthly_price_cents, currency, started_at, ended_at}]}"), &["401", "404"])
            },
            "/offers/{id}": {
                "parameters": id.clone(),
                "get": op("One offer (a client user reading a sent one marks it viewed)", None, ("200", "the offer"), &["401", "404"])
            },
            "/offers/{id}/send": {
                "parameters": id.clone(),
                "post": op("Send a draft: the client's admins are e-mailed (MSP staff)", None, ("200", "{offer, emailed}"), &["401", "403", "404", "409"])
            },
            "/offers/{id}/accept": {
                "parameters": id.clone(),
                "post": op("Accept a sent offer (an admin of the client): a subscription billed by hand is recorded and the systems go onto the tier", None, ("200", "the offer, state accepted, with subscription_id and checkout_url (Stripe Checkout, where the admin pays, when the MSP bills through Stripe; null when billed by hand)"), &["401", "403", "404", "409", "502"])
            },
            "/offers/{id}/decline": {
                "parameters": id.clone(),
                "post": op("Decline a sent offer (an admin of the client)", None, ("200", "the offer, state declined"), &["401", "403", "404", "409"])
            },
            "/billing/pipeline": {
                "get": op("The upsell pipeline: offers by state (drafts, open with their monthly value, accepted, declined, expired) and the monthly recurring revenue at the end of each of the last twelve months (MSP staff)", None, ("200", "{mrr: [{month, cents}], currency, drafts, open, open_cents, accepted, declined, expired}"), &["401", "403"])
            },
            "/billing/invoice-lines/{file}": {
                "parameters": [{ "name": "file", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}\\.csv$" }, "description": "the month, as YYYY-MM.csv" }],
                "get": op("The month's invoice lines as a CSV file for a PSA (as /billing/invoice-lines?month=; owners and admins)", None, ("200", "text/csv"), &["400", "401", "403", "404", "422"])
            },
            "/clients/{id}/billing-portal": {
                "parameters": id.clone(),
                "post": op("A one-time link into Stripe's customer portal for the client's Stripe customer: payment details and invoices (the client's admins, MSP staff)", None, ("200", "{url}"), &["401", "403", "404", "409", "502"])
            },
            "/billing/stripe": {
                "get": op("Whether billing runs through the MSP's own Stripe account: the key's kind and last four, the webhook URL to paste into Stripe and the events to select (owners and admins)", None, ("200", "{connected, key_hint, live, webhook_url, events}"), &["401", "403"]),
                "put": op("Connect (or re-key) the MSP's Stripe account; the keys are sealed at rest and never shown again (owners)", Some("StripeKeys"), ("200", "the status as GET"), &["401", "403"]),
                "delete": op("Disconnect Stripe: acceptances are billed by hand again (owners)", None, ("204", "disconnected"), &["401", "403"])
            },
            "/billing/stripe/{msp_id}/webhook": {
                "parameters": [{ "name": "msp_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "post": public(op("Stripe's event deliveries for one MSP. The Stripe-Signature header (HMAC-SHA256 of t.body under the endpoint's signing secret, 300 s tolerance) is the authentication. An event id already applied has no second effect; an event older than the newest applied to a subscription does not overwrite it", None, ("200", "{received: true, outcome: applied|duplicate|stale|unmatched}"), &["400", "404", "413"]))
            },
            "/billing/invoice-lines": {
                "parameters": [{ "name": "month", "in": "query", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" } }],
                "get": op("The month's invoice lines of subscriptions billed by hand, as CSV for a PSA: client, tier, quantity, unit_price, amount, currency, period_start, period_end (owners and admins)", None, ("200", "text/csv"), &["400", "401", "403", "422"])
            },
            "/clients/{id}": {
                "parameters": id.clone(),
                "get": op("One client", None, ("200", "the client"), &["401", "404"]),
                "patch": op("Change a client (MSP staff)", Some("ClientPatch"), ("200", "the client"), &["400", "401", "403", "404", "422"]),
                "delete": op("Delete a client (MSP staff)", None, ("204", "deleted"), &["401", "403", "404"])
            },
            "/clients/{id}/users": {
                "parameters": id.clone(),
                "get": op("The client's users", None, ("200", "array of users"), &["401", "404"]),
                "post": op("Invite a client user (admins)", Some("Invite"), ("201", "{user, invite_token}"), &["400", "401", "403", "404", "409", "422"])
            },
            "/staff": {
                "get": op("The MSP's team: owners, admins, technicians and open staff invitations (MSP staff)", None, ("200", "array of users"), &["401", "403"]),
                "post": op("Invite an admin or technician (owners and admins)", Some("StaffInvite"), ("201", "{user, invite_token}"), &["400", "401", "403", "409", "422"])
            },
            "/staff/{id}": {
                "parameters": id.clone(),
                "patch": op("Change a staff member's role (owners and admins; only an owner makes or unmakes an owner; the last owner stays one)", Some("StaffRole"), ("200", "the user"), &["400", "401", "403", "404", "409", "422"])
            },
            "/users/{id}/disable": {
                "parameters": id.clone(),
                "post": op("Disable a user and end their sessions (admins)", None, ("204", "disabled"), &["401", "403", "404", "409"])
            },
            "/invites/{token}/accept": {
                "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
                "post": public(op("Accept an invite: choose a password, or give the existing account's own", Some("AcceptInvite"), ("200", "{token, user}"), &["401", "403", "404", "409", "429"]))
            }
        }
    })
}

/// The plan's resources: each a collection under its client and items by their own id.
fn plan_paths(paths: &mut serde_json::Map<String, Value>, id: &Value) {
    let resources = [
        ("systems", "System", "a system (ping_key included)"),
        ("processes", "Process", "a business process"),
        ("people", "Person", "a person of the staff directory"),
        ("sites", "Site", "a site"),
        ("customer-groups", "CustomerGroup", "a customer group"),
    ];
    for (plural, schema, what) in resources {
        paths.insert(
            format!("/clients/{{id}}/{plural}"),
            json!({
                "parameters": id,
                "get": op(&format!("List {plural} of the client"), None, ("200", "array"), &["401", "404"]),
                "post": op(&format!("Add {what} (plan editors)"), Some(schema), ("201", what), &["400", "401", "403", "404", "422"])
            }),
        );
        paths.insert(
            format!("/{plural}/{{id}}"),
            json!({
                "parameters": id,
                "get": op(&format!("One of the {plural}"), None, ("200", what), &["401", "404"]),
                "patch": op(&format!("Change {what}; absent fields stay"), Some(schema), ("200", what), &["400", "401", "403", "404", "422"]),
                "delete": op(&format!("Delete {what}"), None, ("204", "deleted"), &["401", "403", "404"])
            }),
        );
    }
    let more = [
        (
            "/clients/{id}/plan",
            json!({
                "parameters": id,
                "get": op("The whole plan: content, recovery order, call tree, completeness and gaps, approval", None, ("200", "PlanView"), &["401", "404"]),
                "patch": op("Plan settings, sections, scenarios, customer messages, service desk, talking points", Some("PlanPatch"), ("200", "settings"), &["400", "401", "403", "404", "422"])
            }),
        ),
        (
            "/clients/{id}/plan/versions",
            json!({
                "parameters": id,
                "get": op("Approved versions", None, ("200", "array of versions"), &["401", "404"]),
                "post": op("Approve the plan as it stands (client admins)", Some("Approve"), ("201", "the version"), &["400", "401", "403", "404", "409", "422"])
            }),
        ),
        (
            "/clients/{id}/plan/versions/{n}",
            json!({
                "parameters": [id[0].clone(), { "name": "n", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "get": op("One approved version with its content", None, ("200", "version"), &["401", "404"])
            }),
        ),
        (
            "/clients/{id}/plan/changes",
            json!({
                "parameters": [id[0].clone(), { "name": "from", "in": "query", "required": true, "schema": { "type": "integer" } },
                    { "name": "to", "in": "query", "schema": { "type": "integer" }, "description": "absent: the draft" }],
                "get": op("What changed between versions, in sentences", None, ("200", "array of {part, text}"), &["400", "401", "404"])
            }),
        ),
        (
            "/clients/{id}/plan/impact",
            json!({
                "parameters": [id[0].clone(), { "name": "systems", "in": "query", "required": true, "schema": { "type": "string" }, "description": "comma-separated system ids that are down" }],
                "get": op("Systems, processes and customer groups an outage reaches", None, ("200", "{systems, processes, customer_groups, customers_affected}"), &["401", "404", "422"])
            }),
        ),
        (
            "/clients/{id}/plan/apply-template",
            json!({
                "parameters": id,
                "post": op("Fill the plan from a template (what is empty, what is missing)", Some("ApplyTemplate"), ("200", "PlanView"), &["400", "401", "403", "404", "422"])
            }),
        ),
        (
            "/clients/{id}/plan/export.pdf",
            json!({
                "parameters": [id[0].clone(), { "name": "lang", "in": "query", "schema": { "type": "string", "enum": ["en", "nl"] } },
                    { "name": "version", "in": "query", "schema": { "type": "integer" } }],
                "get": op("The plan as a PDF (fonts embedded)", None, ("200", "application/pdf"), &["401", "404", "422"])
            }),
        ),
        (
            "/clients/{id}/plan/export.html",
            json!({
                "parameters": [id[0].clone(), { "name": "lang", "in": "query", "schema": { "type": "string", "enum": ["en", "nl"] } },
                    { "name": "version", "in": "query", "schema": { "type": "integer" } }],
                "get": op("The plan as a printable page", None, ("200", "text/html"), &["401", "404", "422"])
            }),
        ),
        (
            "/templates",
            json!({
                "get": op("The template library: shipped and own (MSP staff)", None, ("200", "array of templates"), &["401", "403"]),
                "post": op("Add a template from a body, another template or a client's plan", Some("Template"), ("201", "template"), &["400", "401", "403", "422"])
            }),
        ),
        (
            "/templates/{id}",
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": "a UUID, or builtin-en / builtin-nl" }],
                "get": op("One template", None, ("200", "template"), &["401", "403", "404"]),
                "patch": op("Change an own template", Some("Template"), ("200", "template"), &["400", "401", "403", "404", "422"]),
                "delete": op("Delete an own template", None, ("204", "deleted"), &["401", "403", "404"])
            }),
        ),
    ];
    for (path, item) in more {
        paths.insert(path.into(), item);
    }
}

/// Request bodies of the plan endpoints, loosely: every field optional on PATCH.
fn plan_schemas(schemas: &mut serde_json::Map<String, Value>) {
    let obj = |required: &[&str], props: Value| json!({ "type": "object", "required": required, "properties": props });
    let s = json!({ "type": "string" });
    let minutes = json!({ "type": ["integer", "null"], "minimum": 1, "maximum": 525600 });
    let ids = json!({ "type": "array", "items": { "type": "string", "format": "uuid" } });
    let id = json!({ "type": ["string", "null"], "format": "uuid" });
    schemas.insert("System".into(), obj(&["name"], json!({
        "name": s, "kind": { "enum": ["server", "virtual_machine", "database", "application", "saas", "network", "workstation", "other"] },
        "criticality": { "enum": ["critical", "high", "medium", "low"] }, "rto_minutes": minutes, "rpo_minutes": minutes,
        "owner_person_id": id, "depends_on": ids, "processes": ids, "procedure": { "type": "array", "items": s } })));
    schemas.insert(
        "Process".into(),
        obj(
            &["name"],
            json!({
        "name": s, "description": s, "impact_hour": s, "impact_day": s, "impact_week": s,
        "rto_minutes": minutes, "rpo_minutes": minutes, "systems": ids }),
        ),
    );
    schemas.insert("Person".into(), obj(&["name"], json!({
        "name": s, "role_title": s, "site_id": id, "email": s, "landline": s, "mobile": s, "emergency_name": s,
        "emergency_relation": s, "emergency_phone": s, "caller_id": id, "is_coordinator": { "type": "boolean" },
        "channels": { "type": "array", "items": { "enum": ["mobile", "sms", "landline", "email"] } } })));
    schemas.insert("Site".into(), obj(&["name"], json!({
        "name": s, "address": s, "safety_plan_ref": s, "evacuation_point": s, "assembly_point": s,
        "emergency_numbers": { "type": "array", "items": obj(&["label", "number"], json!({ "label": s, "number": s })) },
        "first_responders": ids })));
    schemas.insert(
        "CustomerGroup".into(),
        obj(
            &["name"],
            json!({ "name": s, "description": s, "contact": s, "processes": ids }),
        ),
    );
    schemas.insert("PlanPatch".into(), obj(&[], json!({
        "review_due": { "type": ["string", "null"], "format": "date" }, "minutes_per_call": { "type": "integer" },
        "max_calls_per_person": { "type": "integer" }, "email_down_rule": s,
        "sections": { "type": "array", "items": obj(&["title", "text"], json!({ "title": s, "text": s })) },
        "scenarios": { "type": "array", "items": obj(&["name", "steps"], json!({ "name": s, "steps": { "type": "array", "items": s } })) },
        "messages": { "type": "array", "items": obj(&["kind", "subject", "body"], json!({
            "kind": { "enum": ["first_notice", "update", "resolved"] }, "subject": s,
            "body": { "type": "string", "description": "placeholders: {client} {incident} {affected} {started_at} {next_update} {contact}" } })) },
        "service_desk": obj(&[], json!({ "overflow_name": s, "overflow_phone": s, "overflow_email": s, "switch_when": s })),
        "talking_points": obj(&[], json!({ "say": { "type": "array", "items": s }, "avoid": { "type": "array", "items": s } })) })));
    schemas.insert("Approve".into(), obj(&[], json!({ "note": s })));
    schemas.insert(
        "ApplyTemplate".into(),
        obj(&["template_id"], json!({ "template_id": s })),
    );
    schemas.insert("Template".into(), obj(&[], json!({
        "name": s, "lang": { "enum": ["en", "nl"] }, "body": { "type": "object" }, "from_template": s,
        "from_client_id": { "type": "string", "format": "uuid" } })));
}

/// Backup monitoring: ingest tokens and events, heartbeats, live status, reports, alerts.
fn monitor_paths(paths: &mut serde_json::Map<String, Value>, id: &Value) {
    let ingest_auth = json!([{ "ingest": [] }]);
    let mut ingest = op(
        "Report backup results; each event id once (a repeat is a duplicate and changes nothing). Durable before 202",
        Some("IngestEvents"),
        ("202", "{accepted, duplicates}"),
        &["401", "503"],
    );
    ingest["security"] = ingest_auth;
    let key = json!([{ "name": "key", "in": "path", "required": true, "schema": { "type": "string" }, "description": "the system's ping_key" }]);
    let ping = |what: &str| {
        json!({
            "servers": [{ "url": "/" }],
            "parameters": key,
            "get": op(what, None, ("200", "ok"), &["404", "503"]),
            "post": op(what, None, ("200", "ok"), &["404", "503"]),
            "security": []
        })
    };
    let more = [
        (
            "/clients/{id}/ingest-tokens",
            json!({
                "parameters": id,
                "get": op("The client's ingest tokens (never the token itself)", None, ("200", "array of tokens"), &["401", "403", "404"]),
                "post": op("Create an ingest token; the token is shown in this answer only", Some("NewIngestToken"), ("201", "{id, token}"), &["400", "401", "403", "404", "422"])
            }),
        ),
        (
            "/ingest-tokens/{id}",
            json!({ "parameters": id, "delete": op("Revoke an ingest token", None, ("204", "revoked"), &["401", "403", "404"]) }),
        ),
        ("/ingest/events", json!({ "post": ingest })),
        ("/ping/{key}", ping("Heartbeat: a good restore point now")),
        ("/ping/{key}/fail", ping("Heartbeat: the backup failed")),
        (
            "/systems/{id}/ping-key",
            json!({ "parameters": id, "post": op("Give a system a new heartbeat key; the old one stops at once (MSP staff)", None, ("200", "{ping_key}"), &["401", "403", "404"]) }),
        ),
        (
            "/clients/{id}/status",
            json!({ "parameters": id, "get": op("Live RPO/RTO states of the client's systems and processes", None, ("200", "{systems, processes, counts}"), &["401", "404"]) }),
        ),
        (
            "/systems/{id}/events",
            json!({
                "parameters": [id[0].clone(), { "name": "limit", "in": "query", "schema": { "type": "integer" } }],
                "get": op("A system's latest backup events, newest first", None, ("200", "array of events"), &["401", "404"])
            }),
        ),
        (
            "/clients/{id}/reports/{month}",
            json!({
                "parameters": [id[0].clone(),
                    { "name": "month", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" } },
                    { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv", "html", "pdf"] } },
                    { "name": "lang", "in": "query", "schema": { "type": "string", "enum": ["en", "nl"] } }],
                "get": op("The month's SLA report: time within RPO, breaches, restore tests", None, ("200", "report"), &["401", "404", "422"])
            }),
        ),
        (
            "/alerts/settings",
            json!({
                "get": op("The MSP's alert routing (MSP staff)", None, ("200", "AlertSettings without the secret"), &["401", "403"]),
                "put": op("Change the alert routing (MSP admins); absent fields stay", Some("AlertSettings"), ("200", "the settings"), &["400", "401", "403", "422"])
            }),
        ),
    ];
    for (path, item) in more {
        paths.insert(path.into(), item);
    }
}

/// Request bodies of the monitoring endpoints.
fn monitor_schemas(schemas: &mut serde_json::Map<String, Value>) {
    let s = json!({ "type": "string" });
    let at = json!({ "type": "string", "format": "date-time" });
    schemas.insert(
        "NewIngestToken".into(),
        json!({ "type": "object", "required": ["name"], "properties": { "name": s } }),
    );
    schemas.insert("IngestEvents".into(), json!({ "type": "object", "required": ["events"], "properties": {
        "events": { "type": "array", "items": { "type": "object",
            "required": ["id", "system_id", "kind", "restore_point_at", "finished_at"],
            "properties": {
                "id": { "type": "string", "description": "the sender's own id: a repeat is a duplicate" },
                "system_id": { "type": "string", "format": "uuid" },
                "kind": { "enum": ["backup_succeeded", "backup_failed", "replication_succeeded", "restore_test_passed", "restore_test_failed"] },
                "restore_point_at": { "type": "string", "format": "date-time", "description": "at most 5 minutes in the future" },
                "finished_at": at, "duration_seconds": { "type": "integer" }, "bytes": { "type": "integer" }, "message": s } } } },
        "description": "at most 1 MiB" }));
    schemas.insert("AlertSettings".into(), json!({ "type": "object", "properties": {
        "emails": { "type": "array", "items": { "type": "string", "format": "email" }, "description": "empty: every MSP staff member" },
        "notify_client": { "type": "boolean" }, "webhook_url": s,
        "webhook_secret": { "type": "string", "description": "16 to 200 characters; signs X-Lifeline-Signature" },
        "reminder_minutes": { "type": "integer", "minimum": 0, "maximum": 10080 },
        "restore_test_days": { "type": "integer", "minimum": 1, "maximum": 3650 },
        "mail_language": { "enum": ["en", "nl"] } } }));
}

/// Incident mode: declare, follow, checklist, recoveries, close.
fn incident_paths(paths: &mut serde_json::Map<String, Value>, id: &Value) {
    let with = |name: &str| {
        let mut p = id.as_array().cloned().unwrap_or_default();
        p.push(
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }),
        );
        Value::Array(p)
    };
    let more = [
        (
            "/clients/{id}/incidents",
            json!({
                "parameters": id,
                "get": op("The client's incidents, newest first", None, ("200", "array of incidents"), &["401", "404"]),
                "post": op("Declare an incident (MSP staff, client admins): the plan becomes its checklist, each affected system's clock starts from started_at", Some("NewIncident"), ("201", "the incident"), &["400", "401", "403", "404", "422"])
            }),
        ),
        (
            "/incidents/{id}",
            json!({ "parameters": id, "get": op("The incident: checklist, systems with their recovery figures, timeline", None, ("200", "the incident"), &["401", "404"]) }),
        ),
        (
            "/incidents/{id}/impact",
            json!({ "parameters": id, "get": op("The customer groups the incident reaches, through the processes that need its systems", None, ("200", "{customer_groups}"), &["401", "404"]) }),
        ),
        (
            "/incidents/{id}/close",
            json!({ "parameters": id, "post": op("Close the incident with its lessons; the clocks stop", Some("CloseIncident"), ("200", "the incident"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
        (
            "/incidents/{id}/checklist/{key}",
            json!({ "parameters": with("key"), "post": op("Tick or untick a checklist item", Some("Tick"), ("200", "the incident"), &["400", "401", "403", "404", "409"]) }),
        ),
        (
            "/incidents/{id}/checklist/{key}/assignee",
            json!({ "parameters": with("key"), "put": op("Assign a checklist item to a person of the client's directory (person_id null: nobody)", Some("Assignee"), ("200", "the incident"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
        (
            "/incidents/{id}/roll-call/{person_id}",
            json!({ "parameters": with("person_id"), "post": op("Roll call: where a person at an affected site stands (safe, injured, missing, unknown); the site's roll call is done when everyone there is accounted for", Some("Standing"), ("200", "the incident"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
        (
            "/incidents/{id}/report",
            json!({
                "parameters": [id[0].clone(),
                    { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "html", "pdf"] } },
                    { "name": "lang", "in": "query", "schema": { "type": "string", "enum": ["en", "nl"] } }],
                "get": op("The post-incident report: targets against actual data loss and downtime per system, how reaching the staff went, lessons, proposed plan changes", None, ("200", "the report"), &["401", "404", "422"])
            }),
        ),
        (
            "/incidents/{id}/call-tree",
            json!({ "parameters": id, "post": op("Set the call tree going: every person of the client's directory is messaged (e-mail, and the MSP's webhook for its SMS gateway) with a single-use confirm link; someone Lifeline cannot message is a call for their caller", None, ("200", "{legs}"), &["401", "403", "404", "409"]) }),
        ),
        (
            "/incidents/{id}/calls",
            json!({ "parameters": id, "get": op("The call tree's legs: who, by whom, wave, state (waiting, confirmed, escalated, unreachable)", None, ("200", "{legs}"), &["401", "404"]) }),
        ),
        (
            "/incidents/{id}/calls/{leg_id}",
            json!({ "parameters": with("leg_id"), "post": op("Record how a call went (a person reached someone, or could not)", Some("CallAnswer"), ("200", "the leg"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
        (
            "/r/{token}",
            json!({
                "servers": [{ "url": "/" }],
                "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" }, "description": "the confirm link's token" }],
                "get": op("The confirm page a person opens from their message (no login)", None, ("200", "an HTML page"), &["404", "410"]),
                "post": op("Confirm: 200 the first time, 410 once used or when the incident is closed, 404 for a link nobody made", None, ("200", "an HTML page"), &["404", "410"]),
                "security": []
            }),
        ),
        (
            "/incidents/{id}/updates",
            json!({
                "parameters": id,
                "get": op("The incident's updates to customers, drafts and published, newest first", None, ("200", "{updates}"), &["401", "404"]),
                "post": op("Draft an update to customers (MSP staff, client admins): for everyone (\"public\") or chosen customer groups; refused while a {placeholder} is left in it, for a drill, or once the incident is closed", Some("NewUpdate"), ("201", "the draft"), &["400", "401", "403", "404", "409", "422"])
            }),
        ),
        (
            "/incidents/{id}/updates/{update_id}",
            json!({ "parameters": with("update_id"), "delete": op("Discard a draft", None, ("204", "discarded"), &["401", "403", "404", "409"]) }),
        ),
        (
            "/incidents/{id}/updates/{update_id}/publish",
            json!({ "parameters": with("update_id"), "post": op("Approve and publish a draft: it shows on the status page for its audience and is mailed to the page's confirmed subscribers it is for, once", None, ("200", "the update"), &["401", "403", "404", "409"]) }),
        ),
        (
            "/clients/{id}/status-page",
            json!({
                "parameters": id,
                "get": op("The client's status page as set up: slug, components, each customer group's private link, subscriber counts", None, ("200", "the status page"), &["401", "404"]),
                "put": op("Set up or change the client's public status page (MSP staff, client admins); without a slug an unguessable one is made", Some("StatusPage"), ("200", "the status page"), &["400", "401", "403", "404", "409", "422"])
            }),
        ),
        (
            "/status/{slug}",
            json!({
                "servers": [{ "url": "/" }],
                "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" }, "description": "the page's slug; with .json appended the same as JSON {title, components:[{name,state}], incidents:[{title,state,updates:[{body,published_at}]}]}" },
                    { "name": "audience", "in": "query", "schema": { "type": "string" }, "description": "a customer group's private key: adds that group's updates" }],
                "get": op("The public status page (no login): component states and published updates for its audience, nothing else of the plan", None, ("200", "an HTML page, or JSON for .json"), &["404"]),
                "security": []
            }),
        ),
        (
            "/status/{slug}/subscribe",
            json!({
                "servers": [{ "url": "/" }],
                "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "audience", "in": "query", "schema": { "type": "string" } }],
                "post": op("Subscribe an address to the page's updates (JSON or the page's form): a confirmation mail goes out; the same answer whatever the address's standing", Some("Subscribe"), ("202", "pending confirmation"), &["400", "404", "422", "429"]),
                "security": []
            }),
        ),
        (
            "/status/{slug}/confirm/{token}",
            json!({
                "servers": [{ "url": "/" }],
                "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": op("The page the confirmation mail links to, with one button", None, ("200", "an HTML page"), &["404"]),
                "post": op("Confirm the subscription (once; the link works for 7 days)", None, ("200", "an HTML page"), &["404"]),
                "security": []
            }),
        ),
        (
            "/status/{slug}/unsubscribe/{token}",
            json!({
                "servers": [{ "url": "/" }],
                "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": op("The page every update mail links to, with one button", None, ("200", "an HTML page"), &["404"]),
                "post": op("Unsubscribe: the address is deleted (also a mail program's RFC 8058 one-click POST)", None, ("200", "an HTML page"), &["404"]),
                "security": []
            }),
        ),
        (
            "/clients/{id}/exercises",
            json!({
                "parameters": id,
                "get": op("The client's exercises (newest first, with scores and findings), open action items, and when each kind is due by the plan's cadence", None, ("200", "{exercises, action_items, cadence}"), &["401", "404"]),
                "post": op("Schedule an exercise: call_tree_drill, restore_test (optionally of a system) or tabletop", Some("NewExercise"), ("201", "the exercise"), &["400", "401", "403", "404", "422"])
            }),
        ),
        (
            "/exercises/{id}",
            json!({ "parameters": id, "patch": op("Change, run or cancel an exercise: state done scores it (a drill from its drill incident's call tree, unreached people becoming stale-contact action items; a restore test by its duration, which is the system's RTO evidence; a tabletop by its checklist); findings become action items", Some("ExercisePatch"), ("200", "the exercise"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
        (
            "/action-items/{id}",
            json!({ "parameters": id, "patch": op("Mark an action item done (or open again)", Some("Tick"), ("200", "the action item"), &["400", "401", "403", "404"]) }),
        ),
        (
            "/incidents/{id}/systems/{system_id}",
            json!({ "parameters": with("system_id"), "patch": op("Record a system's recovery: started, recovered, the restore point; answers data_loss_minutes, downtime_minutes, rpo_met, rto_met", Some("Recovery"), ("200", "the system's recovery"), &["400", "401", "403", "404", "409", "422"]) }),
        ),
    ];
    for (path, item) in more {
        paths.insert(path.into(), item);
    }
}

/// Request bodies of incident mode.
fn incident_schemas(schemas: &mut serde_json::Map<String, Value>) {
    let s = json!({ "type": "string" });
    let at = json!({ "type": ["string", "null"], "format": "date-time" });
    let ids = json!({ "type": "array", "items": { "type": "string", "format": "uuid" } });
    schemas.insert("NewIncident".into(), json!({ "type": "object", "required": ["title", "scenario"], "properties": {
        "title": s, "scenario": { "type": "string", "description": "a scenario of the plan (its steps join the checklist) or any other name" },
        "site_ids": ids, "system_ids": ids, "drill": { "type": "boolean" },
        "started_at": { "type": "string", "format": "date-time", "description": "when the disruption began; default now" } } }));
    schemas.insert(
        "CloseIncident".into(),
        json!({ "type": "object", "properties": { "lessons": s } }),
    );
    schemas.insert(
        "CallAnswer".into(),
        json!({ "type": "object", "required": ["state"], "properties": {
        "state": { "enum": ["confirmed", "unreachable"] }, "note": s } }),
    );
    schemas.insert(
        "NewUpdate".into(),
        json!({ "type": "object", "required": ["body", "audience"], "properties": {
        "body": s, "audience": { "oneOf": [{ "const": "public" }, ids] } } }),
    );
    schemas.insert("StatusPage".into(), json!({ "type": "object", "required": ["title"], "properties": {
        "slug": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$" }, "title": s,
        "components": { "type": "array", "items": { "type": "object", "required": ["name"], "properties": { "name": s, "system_ids": ids } } } } }));
    schemas.insert("Subscribe".into(), json!({ "type": "object", "required": ["email"], "properties": { "email": { "type": "string", "format": "email" } } }));
    schemas.insert("NewExercise".into(), json!({ "type": "object", "required": ["kind", "scheduled_for"], "properties": {
        "kind": { "enum": ["call_tree_drill", "restore_test", "tabletop"] }, "scheduled_for": { "type": "string", "format": "date" },
        "system_id": { "type": "string", "format": "uuid" }, "notes": s } }));
    schemas.insert("ExercisePatch".into(), json!({ "type": "object", "properties": {
        "state": { "enum": ["scheduled", "done", "cancelled"] }, "scheduled_for": { "type": "string", "format": "date" },
        "incident_id": { "type": "string", "format": "uuid", "description": "a call-tree drill: the drill incident it was run as" },
        "system_id": { "type": "string", "format": "uuid" }, "duration_minutes": { "type": "integer", "minimum": 0 }, "passed": { "type": "boolean" },
        "checklist": { "type": "array", "items": { "type": "object", "required": ["item", "done"], "properties": { "item": s, "done": { "type": "boolean" } } } },
        "notes": s,
        "findings": { "type": "array", "items": { "type": "object", "required": ["title"], "properties": { "title": s, "owner": s, "due_on": { "type": "string", "format": "date" } } } } } }));
    schemas.insert("Assignee".into(), json!({ "type": "object", "required": ["person_id"], "properties": { "person_id": { "type": ["string", "null"], "format": "uuid" } } }));
    schemas.insert("Standing".into(), json!({ "type": "object", "required": ["state"], "properties": { "state": { "enum": ["safe", "injured", "missing", "unknown"] } } }));
    schemas.insert("Tick".into(), json!({ "type": "object", "required": ["done"], "properties": { "done": { "type": "boolean" } } }));
    schemas.insert(
        "Recovery".into(),
        json!({ "type": "object", "properties": {
        "recovery_started_at": at, "recovered_at": at, "restore_point_at": at } }),
    );
}

/// The whole document, as served.
pub fn full() -> Value {
    let mut doc = spec();
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }]);
    if let Some(paths) = doc["paths"].as_object_mut() {
        plan_paths(paths, &id);
        monitor_paths(paths, &id);
        incident_paths(paths, &id);
        for item in paths.values_mut() {
            complete_answers(item);
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        plan_schemas(schemas);
        monitor_schemas(schemas);
        incident_schemas(schemas);
    }
    doc
}

/// Answers every operation of a kind can give, added where the operation does not list them:
/// 401 unless it is public, 403 for a state change (a cookie session from another site, CSRF).
fn complete_answers(item: &mut Value) {
    let Some(ops) = item.as_object_mut() else {
        return;
    };
    for (method, op) in ops.iter_mut() {
        if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
            continue;
        }
        let public = op
            .get("security")
            .is_some_and(|s| s.as_array().is_some_and(|a| a.is_empty()));
        let mut add = Vec::new();
        if !public {
            add.push("401");
        }
        if method != "get" {
            add.push("403");
        }
        if let Some(responses) = op["responses"].as_object_mut() {
            for code in add {
                responses.entry(code).or_insert_with(|| {
                    json!({ "description": "problem details", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
                });
            }
        }
    }
}

pub async fn document() -> Json<Value> {
    Json(full())
}
