//! Digests of files on disk that an image was built from, remembered in the image's labels
//! by the file's identity (device, inode, size, modification and change times). A rebuild
//! check then need not read and hash a file that has not changed since: the demo app's
//! payload is this whole executable, tens of megabytes, and `status` and a no-op `all`
//! compare it on every run.
//!
//! The change time cannot be set by a user (unlike the modification time, which `cp -p`
//! or `touch -d` set), and any write moves it, so an unchanged key means unchanged bytes.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::engine::Engine;

/// The label holding `{identity: digest}` for the files read from disk. Not part of the
/// build inputs' hash: touching a file without changing it must not rebuild the image.
pub const LABEL: &str = "io.bridgectl.file-digests";

/// Digests by file identity, as an image's label recorded them.
#[derive(Debug, Default, Clone)]
pub struct KnownDigests(BTreeMap<String, String>);

impl KnownDigests {
    /// What the image `tag` recorded; empty when there is no such image or label.
    pub async fn of_image(engine: &Engine, tag: &str) -> KnownDigests {
        let labels = engine
            .docker
            .inspect_image(tag)
            .await
            .ok()
            .and_then(|image| image.config)
            .and_then(|config| config.labels)
            .unwrap_or_default();
        KnownDigests::from_label(labels.get(LABEL).map(String::as_str))
    }

    pub fn from_label(label: Option<&str>) -> KnownDigests {
        KnownDigests(
            label
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default(),
        )
    }

    pub fn get(&self, identity: &str) -> Option<&str> {
        self.0.get(identity).map(String::as_str)
    }

    pub fn insert(&mut self, identity: String, digest: String) {
        self.0.insert(identity, digest);
    }

    pub fn to_label(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
}

/// The identity of the file at `path` (after symlinks, so `/proc/self/exe` is the
/// executable's own file).
pub fn identity(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    Ok(format!(
        "{}:{}:{}:{}.{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_write_changes_the_identity_even_with_the_old_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        std::fs::write(&path, b"one").unwrap();
        let before = identity(&path).unwrap();
        assert_eq!(identity(&path).unwrap(), before, "stable while untouched");
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // Same size, then the old modification time put back, as `cp -p` would.
        std::fs::write(&path, b"two").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(mtime).unwrap();
        assert_ne!(identity(&path).unwrap(), before);
    }

    #[test]
    fn the_label_round_trips_and_a_bad_one_is_empty() {
        let mut known = KnownDigests::default();
        known.insert("1:2:3:4.5:6.7".into(), "abc".into());
        let again = KnownDigests::from_label(Some(&known.to_label()));
        assert_eq!(again.get("1:2:3:4.5:6.7"), Some("abc"));
        assert_eq!(KnownDigests::from_label(Some("not json")).get("x"), None);
    }
}
