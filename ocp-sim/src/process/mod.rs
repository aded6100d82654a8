//! The simulator as a process: command line, startup of both HTTPS listeners, the data
//! directory, its CA and server certificate, and the admin kubeconfig it writes.

pub(crate) mod cli;
pub(crate) mod datadir;
pub mod entry;
pub(crate) mod kubeconfig;
pub(crate) mod server;
pub(crate) mod tls;
