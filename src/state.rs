//! The state directory: generated secrets and certificates, private to the user (0700/0600).
//! Everything here is generated once and reused, so re-runs converge instead of rotating.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine;

/// A secret value. Its Debug output is redacted so it cannot slip into logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The only way to read the value: call sites that use it are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Released when dropped (or when the process ends, however it ends).
pub struct StateLock {
    _file: fs::File,
}

#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
    /// In a dry run nothing is written: new secrets live only in memory.
    read_only: bool,
}

impl StateDir {
    /// A view of the directory that never writes (for --dry-run).
    pub fn open_read_only(root: &Path) -> Self {
        StateDir {
            root: root.to_path_buf(),
            read_only: true,
        }
    }

    /// Opens the directory, creating it 0700 when missing and tightening it when looser.
    pub fn open(root: &Path) -> Result<Self> {
        fs::create_dir_all(root)
            .with_context(|| format!("cannot create the state directory {}", root.display()))?;
        let mode = fs::metadata(root)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            fs::set_permissions(root, fs::Permissions::from_mode(0o700)).with_context(|| {
                format!(
                    "cannot make the state directory {} private (0700)",
                    root.display()
                )
            })?;
        }
        Ok(StateDir {
            root: root.to_path_buf(),
            read_only: false,
        })
    }

    /// Holds the directory for one run: a second bridgectl on the same state waits, saying
    /// for whom, instead of interleaving its writes.
    pub fn lock(&self, on_wait: impl FnOnce(&str)) -> Result<StateLock> {
        let path = self.path(".lock");
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                on_wait(holder.trim());
                file.lock()
                    .with_context(|| format!("cannot lock {}", path.display()))?;
            }
            Err(fs::TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        file.set_len(0)?;
        write!(file, "pid {}", std::process::id())?;
        // Every writer holds this lock, so what is half-written now was left by a run
        // that was killed.
        remove_leftovers(&self.root, &[self.path("sandbox")]);
        Ok(StateLock { _file: file })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Reads a file of the state directory, `None` when it does not exist.
    pub fn read(&self, relative: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(relative);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Writes a file 0600, atomically: a crash leaves the old content or the new, never half.
    pub fn write_private(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        self.write_file(relative, bytes)?;
        crate::crash_point::wrote(|| format!("state write {relative}"));
        Ok(())
    }

    /// Removes a file of the state directory, if it is there.
    pub fn remove(&self, relative: &str) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        let path = self.path(relative);
        match fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(err).with_context(|| format!("cannot remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }

    fn write_file(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(relative);
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
            unique_suffix()
        ));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The secret stored under `name`, generated (32 random bytes, URL-safe) on first use.
    /// Two runs generating at once agree on one value: the first to publish it wins.
    pub fn secret(&self, name: &str) -> Result<Secret> {
        let relative = format!("secrets/{name}");
        if let Some(value) = self.read_secret(&relative)? {
            return Ok(value);
        }
        let value = generate_secret();
        if self.read_only || self.publish_new(&relative, value.as_bytes())? {
            return Ok(Secret(value));
        }
        self.read_secret(&relative)?.with_context(|| {
            format!(
                "{} vanished while being read",
                self.path(&relative).display()
            )
        })
    }

    /// The secret stored under `name`, if one is (never generates one).
    pub fn existing_secret(&self, name: &str) -> Result<Option<Secret>> {
        self.read_secret(&format!("secrets/{name}"))
    }

    fn read_secret(&self, relative: &str) -> Result<Option<Secret>> {
        let Some(bytes) = self.read(relative)? else {
            return Ok(None);
        };
        let value = String::from_utf8(bytes)
            .with_context(|| format!("{} is not text", self.path(relative).display()))?;
        Ok(Some(Secret(value.trim_end().to_string())))
    }

    /// Writes a new file 0600 only if none exists; false when another writer was first.
    fn publish_new(&self, relative: &str, bytes: &[u8]) -> Result<bool> {
        let path = self.path(relative);
        let tmp_name = format!("{relative}.new-{}", unique_suffix());
        self.write_file(&tmp_name, bytes)?;
        let tmp = self.path(&tmp_name);
        // A hard link never replaces an existing file, unlike a rename.
        let linked = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                crate::crash_point::wrote(|| format!("state write {relative}"));
                Ok(true)
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(err).with_context(|| format!("cannot write {}", path.display())),
        }
    }

    /// A secret given by configuration wins; otherwise the stored or generated one.
    pub fn secret_or(&self, name: &str, configured: Option<&str>) -> Result<Secret> {
        match configured {
            Some(value) => Ok(Secret::new(value)),
            None => self.secret(name),
        }
    }
}

/// Distinct per writer, even for threads of one process.
/// Temporary files of atomic writes (`.NAME.tmp-…`, `NAME.new-…`) that a killed run left;
/// `skip` holds directories other processes write (the simulator's data).
fn remove_leftovers(dir: &Path, skip: &[PathBuf]) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && !skip.contains(&path) => remove_leftovers(&path, skip),
            Ok(_) if is_leftover(&name) => {
                let _ = fs::remove_file(&path);
            }
            _ => {}
        }
    }
}

fn is_leftover(name: &str) -> bool {
    (name.starts_with('.') && name.contains(".tmp-")) || name.contains(".new-")
}

fn unique_suffix() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Names of the secrets, in one place so every step asks for the same file.
pub mod names {
    pub const KEYCLOAK_ADMIN_PASSWORD: &str = "keycloak-admin-password";
    /// Signs the demo app's session cookies.
    pub const DEMO_APP_SESSION_KEY: &str = "demo-app-session-key";

    pub fn client_secret(client_id: &str) -> String {
        format!("client-{client_id}")
    }

    pub fn oauth_client_secret(name: &str) -> String {
        format!("oauthclient-{name}")
    }

    pub fn user_password(username: &str) -> String {
        format!("user-{username}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_sweeps_what_a_killed_run_left_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::open(dir.path()).unwrap();
        state.write_private("secrets/kept", b"value").unwrap();
        let leftovers = [
            "secrets/.kept.tmp-12-00aa",
            "secrets/kept.new-12-00bb",
            ".config.tmp-3-ff",
        ];
        for name in leftovers {
            std::fs::write(state.path(name), b"half").unwrap();
        }
        std::fs::create_dir_all(state.path("sandbox/data")).unwrap();
        std::fs::write(state.path("sandbox/data/x.new-1"), b"the simulator's").unwrap();

        let _lock = state.lock(|_| {}).unwrap();
        for name in leftovers {
            assert!(!state.path(name).exists(), "{name} is still there");
        }
        assert_eq!(state.read("secrets/kept").unwrap().unwrap(), b"value");
        assert!(state.path("sandbox/data/x.new-1").exists());
    }

    #[test]
    fn secrets_are_generated_once_private_and_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::open(&dir.path().join("state")).unwrap();
        let first = state.secret("demo").unwrap();
        let again = state.secret("demo").unwrap();
        assert_eq!(first, again);
        assert_eq!(first.expose().len(), 43);
        assert_ne!(first, state.secret("other").unwrap());
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(state.root()), 0o700);
        assert_eq!(mode(&state.path("secrets/demo")), 0o600);
        assert_eq!(format!("{first:?}"), "Secret(***)");
    }

    #[test]
    fn concurrent_generation_agrees_on_one_value() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("state");
        StateDir::open(&root).unwrap();
        let values: Vec<Secret> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| StateDir::open(&root).unwrap().secret("race").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(values.windows(2).all(|w| w[0] == w[1]));
        let leftovers = fs::read_dir(root.join("secrets")).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files left behind");
    }

    #[test]
    fn a_loose_state_directory_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("state");
        fs::create_dir(&root).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        StateDir::open(&root).unwrap();
        assert_eq!(
            fs::metadata(&root).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}
