//! Terminal output: messages by verbosity, and progress that disappears when not on a TTY.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Ui {
    /// -1 quiet, 0 normal, 1+ verbose.
    level: i8,
    interactive: bool,
}

impl Ui {
    pub fn new(verbose: u8, quiet: bool) -> Self {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Ui {
            level: if quiet { -1 } else { verbose.min(3) as i8 },
            interactive,
        }
    }

    /// Progress and results a user follows.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.level >= 0 {
            eprintln!("{}", message.as_ref());
        }
    }

    /// What happens under the hood, with -v.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.level >= 1 {
            eprintln!("  · {}", message.as_ref());
        }
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("warning: {}", message.as_ref());
    }

    /// A spinner on a TTY; elsewhere the message is printed once so logs stay readable.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        if !self.interactive || self.level < 0 {
            self.info(format!("{message} ..."));
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A byte-count bar (image pulls).
    pub fn bytes_bar(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        if !self.interactive || self.level < 0 {
            self.info(format!("{message} ..."));
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    }
}
