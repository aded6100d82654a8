//! An authorization request in flight: the `state`, `nonce` and PKCE verifier that an
//! authorization URL carries and its callback must match. Both OAuth clients (Keycloak,
//! OpenShift) build their URLs from it and the session keeps it until the callback, so
//! it lives here, apart from both.

use crate::crypto;
use crate::settings::Secret;

/// An authorization request in flight: what the callback must match and send back.
#[derive(Debug, Clone)]
pub struct Pending {
    pub state: String,
    /// OpenID Connect only (the OpenShift OAuth server has no ID token).
    pub nonce: Option<String>,
    pub verifier: Secret,
}

impl Pending {
    pub fn new(with_nonce: bool) -> Pending {
        Pending {
            state: crypto::random_token(),
            nonce: with_nonce.then(crypto::random_token),
            verifier: Secret::new(crypto::random_token()),
        }
    }
}
