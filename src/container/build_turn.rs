//! Builds of one tag on this machine take turns. Two bridgectl runs that need the same
//! image at once (two configurations sharing Keycloak's derived image, the test suite's
//! parallel setups) would otherwise both build it, and the second build would move the tag
//! under the first one's container. With turns, the second waits and then finds the
//! image built from the same inputs: unchanged.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::ui::Ui;

/// Held while a build of `tag` may happen; released when dropped. `None` when no lock file
/// can be made here (then builds simply do not take turns).
pub async fn take(tag: &str, ui: &Ui) -> Option<File> {
    let path = lock_path(tag);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    match file.try_lock() {
        Ok(()) => return Some(file),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(_)) => return None,
    }
    ui.detail(format!(
        "waiting for another bridgectl building image {tag}"
    ));
    tokio::task::spawn_blocking(move || file.lock().ok().map(|()| file))
        .await
        .ok()
        .flatten()
}

/// One file per tag in the runtime directory (the temporary one when there is none).
fn lock_path(tag: &str) -> PathBuf {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let digest = hex::encode(Sha256::digest(tag.as_bytes()));
    dir.join(format!("bridgectl-build-{}.lock", &digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_taker_waits_until_the_first_lets_go() {
        let ui = Ui::new(0, true);
        let tag = format!("localhost/bridgectl-test-turn:{}", std::process::id());
        let first = take(&tag, &ui).await.expect("first turn");
        let second = tokio::spawn({
            let tag = tag.clone();
            async move { take(&tag, &Ui::new(0, true)).await.is_some() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            !second.is_finished(),
            "the second turn came while the first was held"
        );
        drop(first);
        assert!(second.await.unwrap(), "the second turn never came");
        let _ = std::fs::remove_file(lock_path(&tag));
    }
}
