//! ocp-sim's integration tests, in one binary: the API server (`api`), the OAuth server
//! on its own (`oauth`), the OpenAPI documents (`openapi`), and logins through a real Keycloak (`keycloak`, skipped
//! without a Keycloak distribution). `support` starts simulators and Keycloak.

mod api;
mod keycloak;
mod oauth;
mod openapi;
mod reviews;
mod support;
