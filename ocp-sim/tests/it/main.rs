//! ocp-sim's integration tests, in one binary: the API server (`api`), the OAuth server
//! on its own (`oauth`), and logins through a real Keycloak (`keycloak`, skipped
//! without a Keycloak distribution). `support` starts simulators and Keycloak.

mod api;
mod keycloak;
mod oauth;
mod reviews;
mod support;
