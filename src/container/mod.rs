//! The container engine (Podman's Docker-compatible API, or Docker) through bollard:
//! connecting, pulling images, and reconciling a container (and the volume that keeps its
//! data) against its spec.

mod build;
mod build_turn;
mod engine;
mod image;
mod known_digests;
mod ready;
mod reconcile;
mod spec;
mod volume;

pub use build::{
    BuildContext, Contents, ContextFile, ensure_built_image, prune_image, remove_built_image,
};
pub use engine::Engine;
pub use known_digests::{KnownDigests, identity as file_identity};
pub use ready::{Readiness, wait_ready};
pub use reconcile::{ContainerState, ensure, logs_tail, remove, state};
pub use spec::{ContainerSpec, FileInject, MANAGED_LABEL, PortBinding};
pub use volume::{VolumeMount, remove as remove_volume};
