//! Keycloak: its container (step1) and, through the admin REST API, its realm (step2).

pub mod server;
