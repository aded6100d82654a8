//! The subcommands beyond single steps: each turns a context into output and an exit code.

mod all;
mod clean;
mod credentials;
mod run;
mod shell;
mod status;

pub use all::all;
pub use clean::{CleanOptions, clean};
pub use credentials::{credentials, show_config};
pub use run::{sandbox, step, verify};
pub use shell::{completion, man};
pub use status::status;
