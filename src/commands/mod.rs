//! The subcommands beyond single steps: each turns a context into output and an exit code.

mod all;
mod credentials;

pub use all::all;
pub use credentials::{credentials, show_config};
