//! One test binary for the whole HTTP surface; every test runs on SQLite and on PostgreSQL.
mod helpers;

mod alerts;
mod atomic;
mod auth;
mod clients;
mod delivery;
mod disk;
mod exports;
mod faults;
mod heartbeat_keys;
mod invites;
mod isolation;
mod mail;
mod migrate;
mod monitor;
mod openapi;
mod passwords;
mod plan;
mod plan_customers;
mod plan_export;
mod plan_whole;
mod signin;
mod staff;
mod storage;
mod web;
mod webhooks;
