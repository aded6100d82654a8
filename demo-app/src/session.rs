//! Server-side sessions. The browser holds only `demo_session=<id>.<signature>`: an
//! opaque random id and its HMAC-SHA256 under `FLASK_SECRET_KEY`. Tokens and claims stay
//! in this process, so the cookie stays small and reveals nothing.
//!
//! The store is sharded by id (ids are random, so shards fill evenly) and bounded: when
//! a shard is full its least recently used session goes. Idle and absolute timeouts are
//! checked on every access and by a periodic sweep.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::claims::{ExchangeSummary, TokenSummary};
use crate::crypto;
use crate::openshift::OcpResult;
use crate::settings::Secret;

/// Kept reachable here too: a [`FlowSlot`] holds one.
pub use crate::pending::Pending;

pub const COOKIE_NAME: &str = "demo_session";
const SHARDS: usize = 16;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_sessions: usize,
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: 10_000,
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(8 * 60 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 32]);

/// One authorization flow's callback bookkeeping: the request in flight, and a digest of
/// the last `state` consumed, to tell a replayed response from an expired one.
#[derive(Debug, Default)]
pub struct FlowSlot {
    pub pending: Option<Pending>,
    pub consumed: Option<[u8; 32]>,
}

/// Why a callback's `state` is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateCheck {
    /// Nothing in flight (or another browser started the flow).
    NoPending,
    Mismatch,
    AlreadyUsed,
}

impl FlowSlot {
    /// Takes the pending request when `state` matches it (it is single use), and
    /// remembers the state so a second identical callback is recognized.
    pub fn consume(&mut self, state: Option<&str>) -> Result<Pending, StateCheck> {
        let used = |slot: &FlowSlot| match (state, slot.consumed) {
            (Some(s), Some(digest)) => crypto::ct_eq(&crypto::sha256(s.as_bytes()), &digest),
            _ => false,
        };
        let Some(pending) = &self.pending else {
            return Err(if used(self) {
                StateCheck::AlreadyUsed
            } else {
                StateCheck::NoPending
            });
        };
        let matches = state.is_some_and(|s| crypto::ct_eq(s.as_bytes(), pending.state.as_bytes()));
        if !matches {
            return Err(if used(self) {
                StateCheck::AlreadyUsed
            } else {
                StateCheck::Mismatch
            });
        }
        let pending = self.pending.take().expect("checked above");
        self.consumed = Some(crypto::sha256(pending.state.as_bytes()));
        Ok(pending)
    }
}

/// Everything the app keeps about one browser.
#[derive(Debug, Default)]
pub struct SessionData {
    pub keycloak_flow: FlowSlot,
    pub openshift_flow: FlowSlot,
    /// The user's Keycloak access token: kept only until the token exchange succeeds.
    pub kc_access_token: Option<Secret>,
    pub kc_claims: Option<TokenSummary>,
    pub exchanged: Option<ExchangeSummary>,
    pub ocp: Option<OcpResult>,
}

/// A copy of what the page shows, taken under the lock and rendered outside it.
#[derive(Debug, Clone, Default)]
pub struct SessionView {
    pub kc_claims: Option<TokenSummary>,
    pub can_call_ocp: bool,
    pub exchanged: Option<ExchangeSummary>,
    pub ocp: Option<OcpResult>,
}

impl SessionData {
    pub fn view(&self) -> SessionView {
        SessionView {
            kc_claims: self.kc_claims.clone(),
            can_call_ocp: self.kc_access_token.is_some(),
            exchanged: self.exchanged.clone(),
            ocp: self.ocp.clone(),
        }
    }
}

struct Entry {
    created: Instant,
    last_seen: Instant,
    data: SessionData,
}

pub struct Sessions {
    shards: Vec<Mutex<HashMap<SessionId, Entry>>>,
    key: Secret,
    limits: Limits,
    count: AtomicUsize,
}

impl Sessions {
    pub fn new(key: Secret, limits: Limits) -> Sessions {
        Sessions {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            key,
            limits,
            count: AtomicUsize::new(0),
        }
    }

    fn shard(&self, id: &SessionId) -> std::sync::MutexGuard<'_, HashMap<SessionId, Entry>> {
        let shard = &self.shards[usize::from(id.0[0]) % SHARDS];
        // A panic while holding the lock cannot leave an entry half-written in a way
        // that matters here, so a poisoned lock is simply taken over.
        shard.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expired(&self, entry: &Entry, now: Instant) -> bool {
        now.duration_since(entry.last_seen) > self.limits.idle
            || now.duration_since(entry.created) > self.limits.absolute
    }

    pub fn create(&self) -> SessionId {
        let id = SessionId(crypto::random_bytes());
        self.insert(id, SessionData::default(), Instant::now());
        id
    }

    fn insert(&self, id: SessionId, data: SessionData, created: Instant) {
        let now = Instant::now();
        let per_shard = self.limits.max_sessions.div_ceil(SHARDS).max(1);
        let mut shard = self.shard(&id);
        if shard.len() >= per_shard {
            // Expired ones first; if none, the least recently used.
            let before = shard.len();
            shard.retain(|_, e| !self.expired(e, now));
            if shard.len() >= per_shard
                && let Some(oldest) = shard
                    .iter()
                    .min_by_key(|(_, e)| e.last_seen)
                    .map(|(k, _)| *k)
            {
                shard.remove(&oldest);
            }
            self.count
                .fetch_sub(before - shard.len(), Ordering::Relaxed);
        }
        let entry = Entry {
            created,
            last_seen: now,
            data,
        };
        if shard.insert(id, entry).is_none() {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Runs `f` on a live session (and marks it used); None when absent or expired.
    pub fn with<R>(&self, id: SessionId, f: impl FnOnce(&mut SessionData) -> R) -> Option<R> {
        let now = Instant::now();
        let mut shard = self.shard(&id);
        let entry = shard.get_mut(&id)?;
        if self.expired(entry, now) {
            shard.remove(&id);
            self.count.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        entry.last_seen = now;
        Some(f(&mut entry.data))
    }

    /// Moves a session's data to a fresh id: done at sign-in, so an id planted in the
    /// browser before sign-in (session fixation) is worthless afterwards.
    pub fn rotate(&self, id: SessionId) -> Option<SessionId> {
        let now = Instant::now();
        let entry = {
            let mut shard = self.shard(&id);
            let entry = shard.remove(&id)?;
            self.count.fetch_sub(1, Ordering::Relaxed);
            if self.expired(&entry, now) {
                return None;
            }
            entry
        };
        let new_id = SessionId(crypto::random_bytes());
        // The absolute limit keeps counting from the original session's start.
        self.insert(new_id, entry.data, entry.created);
        Some(new_id)
    }

    pub fn remove(&self, id: SessionId) {
        if self.shard(&id).remove(&id).is_some() {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Drops expired sessions; run periodically so abandoned ones free their memory.
    pub fn sweep(&self) {
        let now = Instant::now();
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            let before = shard.len();
            shard.retain(|_, e| !self.expired(e, now));
            self.count
                .fetch_sub(before - shard.len(), Ordering::Relaxed);
        }
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cookie value for an id: `<id>.<HMAC-SHA256(key, id)>`, both base64url.
    pub fn cookie_value(&self, id: SessionId) -> String {
        let id_text = crypto::b64url(&id.0);
        let sig = crypto::hmac_sha256(self.key.expose().as_bytes(), id_text.as_bytes());
        format!("{id_text}.{}", crypto::b64url(&sig))
    }

    /// The id of a cookie value whose signature is right; None otherwise (a forged or
    /// tampered cookie is treated as no session at all).
    pub fn verify_cookie(&self, value: &str) -> Option<SessionId> {
        let (id_text, sig_text) = value.split_once('.')?;
        if id_text.len() != 43 || sig_text.len() != 43 {
            return None;
        }
        let sig = crypto::b64url_decode(sig_text)?;
        let expected = crypto::hmac_sha256(self.key.expose().as_bytes(), id_text.as_bytes());
        if !crypto::ct_eq(&sig, &expected) {
            return None;
        }
        let raw = crypto::b64url_decode(id_text)?;
        Some(SessionId(raw.try_into().ok()?))
    }

    /// For tests: whether the session behind a cookie value still holds the Keycloak
    /// access token. None when there is no such session.
    #[doc(hidden)]
    pub fn holds_keycloak_token(&self, cookie_value: &str) -> Option<bool> {
        let id = self.verify_cookie(cookie_value)?;
        self.with(id, |s| s.kc_access_token.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(limits: Limits) -> Sessions {
        Sessions::new(Secret::new("0123456789abcdef0123456789abcdef"), limits)
    }

    #[test]
    fn cookie_round_trip_and_tampering() {
        let s = store(Limits::default());
        let id = s.create();
        let value = s.cookie_value(id);
        assert_eq!(value.len(), 87);
        assert_eq!(s.verify_cookie(&value), Some(id));

        // Another id with the old signature.
        let mut forged = value.clone().into_bytes();
        forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
        assert_eq!(s.verify_cookie(std::str::from_utf8(&forged).unwrap()), None);
        // The right id with a changed signature.
        let mut forged = value.clone().into_bytes();
        let last = forged.len() - 2;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(s.verify_cookie(std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(s.verify_cookie("garbage"), None);
        assert_eq!(s.verify_cookie(""), None);

        // Another key does not accept it.
        let other = Sessions::new(Secret::new("another key, also long"), Limits::default());
        assert_eq!(other.verify_cookie(&value), None);
    }

    #[test]
    fn bounded_with_oldest_evicted() {
        let s = store(Limits {
            max_sessions: SHARDS,
            ..Limits::default()
        });
        let ids: Vec<_> = (0..200).map(|_| s.create()).collect();
        assert!(s.len() <= SHARDS);
        // The newest always survives.
        assert!(s.with(*ids.last().unwrap(), |_| ()).is_some());
    }

    #[test]
    fn idle_timeout() {
        let s = store(Limits {
            idle: Duration::from_millis(20),
            ..Limits::default()
        });
        let id = s.create();
        assert!(s.with(id, |_| ()).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(s.with(id, |_| ()).is_none());
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn sweep_and_rotate() {
        let s = store(Limits {
            idle: Duration::from_millis(20),
            ..Limits::default()
        });
        let old = s.create();
        s.with(old, |d| d.kc_access_token = Some(Secret::new("t")));
        let new = s.rotate(old).unwrap();
        assert_ne!(old, new);
        assert!(s.with(old, |_| ()).is_none());
        assert_eq!(s.with(new, |d| d.kc_access_token.is_some()), Some(true));
        std::thread::sleep(Duration::from_millis(40));
        s.sweep();
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn state_is_single_use() {
        let mut slot = FlowSlot::default();
        assert_eq!(slot.consume(Some("x")).unwrap_err(), StateCheck::NoPending);
        slot.pending = Some(Pending::new(true));
        let state = slot.pending.as_ref().unwrap().state.clone();
        assert_eq!(
            slot.consume(Some("wrong")).unwrap_err(),
            StateCheck::Mismatch
        );
        assert_eq!(slot.consume(None).unwrap_err(), StateCheck::Mismatch);
        assert!(slot.consume(Some(&state)).is_ok());
        assert_eq!(
            slot.consume(Some(&state)).unwrap_err(),
            StateCheck::AlreadyUsed
        );
        assert_eq!(
            slot.consume(Some("other")).unwrap_err(),
            StateCheck::NoPending
        );
    }
}
