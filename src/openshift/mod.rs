//! The OpenShift side: reaching the cluster, the OAuth identity provider and OAuthClient
//! (step3), projects and role bindings (step5).

pub mod cleanup;
pub mod cluster;
pub mod desired;
pub mod hosted;
pub mod identities;
pub mod identity_provider;
pub mod oauth_server;
pub mod objects;
mod optimistic;
pub mod projects;
pub mod rbac;
pub mod resources;
pub mod rollout;
