//! The bundled third-party demo app (`demo-app/`): its binary, image and container (step4).

pub mod container;
pub mod upstreams;
