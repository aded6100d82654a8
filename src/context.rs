//! What every command works with: the configuration, the state directory and the terminal.

use crate::config::Config;
use crate::state::StateDir;
use crate::ui::Ui;

pub struct Context {
    pub config: Config,
    pub state: StateDir,
    pub ui: Ui,
    pub dry_run: bool,
}
