//! The API-server subset: HTTP routing, authentication and RBAC, the served resources
//! and their discovery, request bodies (JSON, YAML, protobuf), admission (schema pruning,
//! defaulting, validation), the write path (create, update, delete, patch, server-side
//! apply) and the object store.

pub(crate) mod auth;
pub(crate) mod discovery;
pub(crate) mod field_error;
pub(crate) mod impersonation;
pub(crate) mod lifecycle;
pub(crate) mod openapi;
pub(crate) mod protobuf;
pub(crate) mod rbac;
pub(crate) mod resources;
pub(crate) mod routes;
pub(crate) mod seed;
pub(crate) mod selector;
pub(crate) mod status;
pub(crate) mod store;
pub(crate) mod validate;
pub(crate) mod write;
