//! Optimistic concurrency for read-modify-write on the cluster: read, decide, write with
//! the resourceVersion that was read; a 409 means someone else wrote in between, so read
//! and decide again. One policy for every object, including our entry in oauths/cluster.

use anyhow::{Result, bail};

use super::cluster::ClusterError;

/// Conflicts in a row before giving up: a field that keeps changing has another writer.
const CONFLICT_RETRIES: usize = 5;

/// How one read-decide-write attempt ended.
pub enum Attempt<T> {
    Done(T),
    /// The write met a 409: read again.
    Conflict,
}

/// Runs `attempt` until it is done, at most [`CONFLICT_RETRIES`] times.
pub async fn until_settled<T>(
    what: &str,
    mut attempt: impl AsyncFnMut() -> Result<Attempt<T>>,
) -> Result<T> {
    for _ in 0..CONFLICT_RETRIES {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    bail!(
        "{what}: kept changing under bridgectl ({CONFLICT_RETRIES} conflicts in a row); run again"
    )
}

/// A write's result as an attempt: a 409 sends the reconcile back to read.
pub fn settled<T>(written: Result<T, ClusterError>) -> Result<Attempt<T>> {
    match written {
        Err(err) if err.is_conflict() => Ok(Attempt::Conflict),
        other => Ok(Attempt::Done(other?)),
    }
}
