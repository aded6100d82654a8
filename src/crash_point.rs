//! Interruption points, for the tests that kill bridgectl half-way and run it again.
//!
//! Every write bridgectl makes (to Keycloak, the cluster, the container engine or the state
//! directory) passes through [`wrote`] with a stable label such as
//! `keycloak POST /demo/users/{id}/reset-password` or `openshift create RoleBinding`.
//! Two environment variables, never set in normal use, act on it:
//! - `BRIDGECTL_WRITE_LOG=FILE` appends each label to FILE, one per line;
//! - `BRIDGECTL_KILL_AFTER=LABEL#N` kills this process with SIGKILL (no cleanup, no unwinding,
//!   like a power cut or `kill -9`) right after the Nth write whose label is LABEL.
//!
//! Unset, each write costs one check of a value read once.

use std::io::Write;
use std::sync::Mutex;
use std::sync::OnceLock;

struct Hook {
    log: Option<Mutex<std::fs::File>>,
    kill_after: Option<(String, usize)>,
    seen: Mutex<usize>,
}

fn hook() -> Option<&'static Hook> {
    static HOOK: OnceLock<Option<Hook>> = OnceLock::new();
    HOOK.get_or_init(|| {
        let log = std::env::var_os("BRIDGECTL_WRITE_LOG").and_then(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
                .map(Mutex::new)
        });
        let kill_after = std::env::var("BRIDGECTL_KILL_AFTER")
            .ok()
            .map(|spec| parse_kill_after(&spec));
        (log.is_some() || kill_after.is_some()).then(|| Hook {
            log,
            kill_after,
            seen: Mutex::new(0),
        })
    })
    .as_ref()
}

/// `LABEL#N` → (LABEL, N); a missing or bad count means the first.
fn parse_kill_after(spec: &str) -> (String, usize) {
    match spec.rsplit_once('#') {
        Some((label, n)) => (label.to_string(), n.parse().unwrap_or(1).max(1)),
        None => (spec.to_string(), 1),
    }
}

/// Records that a write labelled `label()` has just completed.
pub fn wrote(label: impl FnOnce() -> String) {
    let Some(hook) = hook() else { return };
    let label = label();
    if let Some(log) = &hook.log
        && let Ok(mut file) = log.lock()
    {
        let _ = writeln!(file, "{label}");
    }
    if let Some((wanted, n)) = &hook.kill_after
        && *wanted == label
    {
        let mut seen = hook.seen.lock().unwrap_or_else(|e| e.into_inner());
        *seen += 1;
        if *seen == *n {
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::KILL,
            );
        }
    }
}

/// A path with ids replaced, so that labels repeat across runs:
/// `/demo/users/5f0c…/reset-password` → `/demo/users/{id}/reset-password`.
pub fn path_label(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    path.split('/')
        .map(|part| if is_id(part) { "{id}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_id(part: &str) -> bool {
    part.len() == 36 && part.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_repeat_across_runs() {
        assert_eq!(
            path_label("/demo/users/5f0c6a9e-93a1-4a53-9c39-3f3c3b6f1f0a/reset-password"),
            "/demo/users/{id}/reset-password"
        );
        assert_eq!(path_label("/demo/clients"), "/demo/clients");
        assert_eq!(path_label(""), "/");
    }

    #[test]
    fn kill_after_spec() {
        assert_eq!(parse_kill_after("a b#3"), ("a b".into(), 3));
        assert_eq!(parse_kill_after("a b"), ("a b".into(), 1));
        assert_eq!(parse_kill_after("x#0"), ("x".into(), 1));
    }
}
