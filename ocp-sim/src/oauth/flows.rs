//! Short-lived server-side state of logins in progress: authorize requests waiting for
//! the identity provider, issued authorization codes, and grants waiting for approval.
//! Kept in memory only (a restart abandons logins in progress, not tokens).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The client's `/oauth/authorize` request, once validated.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// A user the identity provider vouched for.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub name: String,
    pub uid: String,
}

struct Timed<T> {
    value: T,
    created: Instant,
}

pub const PENDING_TTL: Duration = Duration::from_secs(600);
pub const CODE_TTL: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct Flows {
    /// Upstream `state` sent to the IdP -> (idp name, original request).
    pending: HashMap<String, Timed<(String, AuthorizeRequest)>>,
    codes: HashMap<String, Timed<(AuthorizeRequest, LoggedIn)>>,
    approvals: HashMap<String, Timed<(AuthorizeRequest, LoggedIn)>>,
}

fn take<T>(map: &mut HashMap<String, Timed<T>>, key: &str, ttl: Duration) -> Option<T> {
    map.retain(|_, t| t.created.elapsed() < ttl);
    map.remove(key).map(|t| t.value)
}

fn put<T>(map: &mut HashMap<String, Timed<T>>, key: String, value: T) {
    map.insert(
        key,
        Timed {
            value,
            created: Instant::now(),
        },
    );
}

impl Flows {
    pub fn add_pending(&mut self, state: String, idp: String, request: AuthorizeRequest) {
        put(&mut self.pending, state, (idp, request));
    }

    /// Single use: a replayed state finds nothing.
    pub fn take_pending(&mut self, state: &str) -> Option<(String, AuthorizeRequest)> {
        take(&mut self.pending, state, PENDING_TTL)
    }

    pub fn add_code(&mut self, code: String, request: AuthorizeRequest, user: LoggedIn) {
        put(&mut self.codes, code, (request, user));
    }

    pub fn take_code(&mut self, code: &str) -> Option<(AuthorizeRequest, LoggedIn)> {
        take(&mut self.codes, code, CODE_TTL)
    }

    pub fn add_approval(&mut self, id: String, request: AuthorizeRequest, user: LoggedIn) {
        put(&mut self.approvals, id, (request, user));
    }

    pub fn take_approval(&mut self, id: &str) -> Option<(AuthorizeRequest, LoggedIn)> {
        take(&mut self.approvals, id, PENDING_TTL)
    }
}
