//! The bundled third-party demo app (`demo-app/`, carried inside bridgectl): what its
//! image holds, the image and container (step4), and the servers it must reach.

pub mod container;
pub mod payload;
pub mod upstreams;
