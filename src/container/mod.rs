//! The container engine (Podman's Docker-compatible API, or Docker) through bollard:
//! connecting, pulling images, and reconciling a container against its spec.

mod engine;
mod image;
mod reconcile;
mod spec;

pub use engine::Engine;
pub use reconcile::{ContainerState, ensure, logs_tail, remove, state};
pub use spec::{ContainerSpec, FileInject, MANAGED_LABEL, PortBinding};
