//! Keycloak: its container (step1) and, through the admin REST API, its realm (step2).

pub mod admin;
pub mod clients;
pub mod desired;
pub mod image;
pub mod reader;
pub mod realm;
pub mod realm_keys;
pub mod server;
pub mod users;
pub mod version;
