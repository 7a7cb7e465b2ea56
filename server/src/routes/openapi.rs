//! The OpenAPI 3.1 document of API v1, written out by hand so it says exactly what we promise.
use axum::Json;
use serde_json::{json, Value};

fn op(summary: &str, body: Option<&str>, ok: (&str, &str), errors: &[&str]) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(ok.0.into(), json!({ "description": ok.1 }));
    for code in errors {
        responses.insert(
            (*code).into(),
            json!({ "description": "problem details", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
    }
    let mut o = json!({ "summary": summary, "responses": responses });
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    o
}

pub fn spec() -> Value {
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }]);
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Lifeline API", "version": "1" },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": {
                "Problem": { "type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "detail": { "type": "string" }, "errors": { "type": "object", "additionalProperties": { "type": "string" } } } },
                "Signup": { "type": "object", "required": ["msp_name", "name", "email", "password"], "properties": {
                    "msp_name": { "type": "string" }, "name": { "type": "string" }, "email": { "type": "string", "format": "email" },
                    "password": { "type": "string", "minLength": 10 } } },
                "Login": { "type": "object", "required": ["email", "password"], "properties": {
                    "email": { "type": "string" }, "password": { "type": "string" } } },
                "NewClient": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "notes": { "type": "string" } } },
                "ClientPatch": { "type": "object", "properties": { "name": { "type": "string" }, "notes": { "type": "string" } } },
                "Invite": { "type": "object", "required": ["email", "name", "role"], "properties": {
                    "email": { "type": "string" }, "name": { "type": "string" },
                    "role": { "type": "string", "enum": ["client_admin", "client_member"] } } },
                "AcceptInvite": { "type": "object", "required": ["password"], "properties": { "password": { "type": "string", "minLength": 10 } } }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/auth/signup": { "post": op("Sign up a new MSP and its owner", Some("Signup"), ("201", "{token, user, msp}"), &["400", "409", "422"]) },
            "/auth/login": { "post": op("Sign in", Some("Login"), ("200", "{token, user}"), &["400", "401", "429"]) },
            "/auth/logout": { "post": op("End all sessions of the user", None, ("204", "signed out"), &["401"]) },
            "/auth/refresh": { "post": op("Renew the session token", None, ("200", "{token, user}"), &["401"]) },
            "/me": { "get": op("The signed-in user, role, MSP and client", None, ("200", "MeView"), &["401"]) },
            "/clients": {
                "get": op("Clients in scope", None, ("200", "array of clients"), &["401"]),
                "post": op("Add a client (MSP staff)", Some("NewClient"), ("201", "the client"), &["400", "401", "403", "422"])
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
            "/users/{id}/disable": {
                "parameters": id.clone(),
                "post": op("Disable a user and end their sessions (admins)", None, ("204", "disabled"), &["401", "403", "404", "409"])
            },
            "/invites/{token}/accept": {
                "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
                "post": op("Accept an invite by choosing a password", Some("AcceptInvite"), ("200", "{token, user}"), &["400", "404", "422"])
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
