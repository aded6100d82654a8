//! ocp-sim: a strict OpenShift simulator (an API-server subset and the OAuth server)
//! that fails the mistakes a real cluster fails, the way it fails them.

pub mod api;
pub mod apply;
pub mod auth;
pub mod cli;
pub mod context;
pub mod datadir;
pub mod discovery;
pub mod faults;
pub mod kubeconfig;
pub mod managed;
pub mod meta;
pub mod oauth;
pub mod objects;
pub mod patch;
pub mod rbac;
pub mod resources;
pub mod schema;
pub mod seed;
pub mod selector;
pub mod server;
pub mod status;
pub mod store;
pub mod tls;
pub mod validate;

pub use server::{Options, Running, start};
