//! bridgectl as a library: the binary in main.rs and the integration tests share it.

pub mod carried;
pub mod cli;
pub mod commands;
pub mod config;
pub mod container;
pub mod context;
pub mod crash_point;
pub mod demo_app;
pub mod http;
pub mod keycloak;
pub mod openshift;
pub mod output;
pub mod ports;
pub mod proxy;
pub mod public_roots;
pub mod reconcile;
pub mod retry;
pub mod sandbox;
pub mod state;
pub mod status;
pub mod steps;
pub mod templates;
pub mod tls;
pub mod ui;
pub mod verify;

/// `bridgectl --version`: the release and the commit it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BRIDGECTL_COMMIT"),
    ")"
);
