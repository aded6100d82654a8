//! Terminal output: messages by verbosity, and progress that disappears when not on a TTY.
//! When steps run side by side (`all`), each gets a `Ui` bound to its own line.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Ui {
    /// -1 quiet, 0 normal, 1+ verbose.
    level: i8,
    interactive: bool,
    /// The live line of the step this `Ui` reports for, when steps run concurrently.
    line: Option<Line>,
}

#[derive(Debug, Clone)]
struct Line {
    /// Names the step in plain logs, where lines of concurrent steps interleave.
    prefix: String,
    bar: ProgressBar,
}

impl Ui {
    pub fn new(verbose: u8, quiet: bool) -> Self {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Ui {
            level: if quiet { -1 } else { verbose.min(3) as i8 },
            interactive,
            line: None,
        }
    }

    /// Whether live progress is drawn (a TTY, not CI).
    pub fn interactive(&self) -> bool {
        self.interactive && self.level >= 0
    }

    /// A `Ui` whose messages go to `bar` (its live line) on a TTY, or are printed with
    /// `prefix` elsewhere.
    pub fn on_line(&self, prefix: &str, bar: ProgressBar) -> Ui {
        Ui {
            line: Some(Line {
                prefix: prefix.to_string(),
                bar,
            }),
            ..self.clone()
        }
    }

    fn emit(&self, text: &str) {
        match &self.line {
            Some(line) if self.interactive => line.bar.set_message(text.to_string()),
            Some(line) => eprintln!("{} │ {text}", line.prefix),
            None => eprintln!("{text}"),
        }
    }

    /// Progress and results a user follows.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.level >= 0 {
            self.emit(message.as_ref());
        }
    }

    /// What happens under the hood, with -v.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.level >= 1 {
            self.emit(&format!("  · {}", message.as_ref()));
        }
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        let text = format!("warning: {}", message.as_ref());
        match &self.line {
            // Above the live lines, so it stays readable.
            Some(line) if self.interactive => line.bar.println(text),
            Some(line) => eprintln!("{} │ {text}", line.prefix),
            None => eprintln!("{text}"),
        }
    }

    /// A spinner on a TTY; elsewhere the message is printed once so logs stay readable.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        if !self.interactive || self.level < 0 || self.line.is_some() {
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
        if !self.interactive || self.level < 0 || self.line.is_some() {
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

/// Writes a command's output to stdout. A reader that went away (`bridgectl status | head`)
/// ends the program quietly, as the shell expects, instead of a panic.
pub fn out(text: impl AsRef<str>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_ref().as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(err) = written
        && err.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(141);
    }
}

/// The last `lines` lines of another program's output, indented under an error message.
pub fn tail_indented(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    if all[start..].iter().all(|line| line.trim().is_empty()) {
        return "    (nothing printed)".into();
    }
    all[start..]
        .iter()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
