//! What every command works with: the configuration, the state directory and the terminal.

use anyhow::{Result, bail};

use crate::config::Config;
use crate::state::StateDir;
use crate::tls;
use crate::ui::Ui;

#[derive(Clone)]
pub struct Context {
    pub config: Config,
    pub state: StateDir,
    pub ui: Ui,
    pub dry_run: bool,
}

/// Stands in for the CA in a dry run before step1 ever ran: everything using it is new.
const PLANNED_CA: &str = "(the CA step1 will generate)";

impl Context {
    /// The same context reporting through another `Ui` (a step's own live line).
    pub fn with_ui(&self, ui: Ui) -> Context {
        Context { ui, ..self.clone() }
    }

    /// The CA step1 generated, as PEM.
    pub fn ca_pem(&self) -> Result<String> {
        match self.state.read(tls::CA_CERT)? {
            Some(pem) => Ok(String::from_utf8_lossy(&pem).into_owned()),
            None if self.dry_run => Ok(PLANNED_CA.into()),
            None => bail!(
                "no CA in the state directory {}; run `bridgectl step1` (or `all`) first",
                self.state.root().display()
            ),
        }
    }
}
