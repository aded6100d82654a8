//! Authentication: who is calling, from a verified client certificate (its common name is
//! the user, its organizations the groups, as Kubernetes reads them) or the bearer token.

use std::collections::HashMap;

use axum::http::HeaderMap;

use crate::apiserver::resources;
use crate::apiserver::status::ApiError;
use crate::apiserver::store::Store;

pub const ADMIN_NAME: &str = "kube:admin";
pub const ANONYMOUS_NAME: &str = "system:anonymous";

#[derive(Debug, Clone)]
pub enum Principal {
    /// The kubeconfig's token: a cluster-admin.
    Admin,
    /// An OAuth-issued token, or a `--token NAME=TOKEN` test user.
    User {
        name: String,
        groups: Vec<String>,
        /// OAuth scopes of the token; `user:full` for test users.
        scopes: Vec<String>,
    },
    /// No credentials at all (the real server's anonymous user).
    Anonymous,
}

impl Principal {
    pub fn name(&self) -> &str {
        match self {
            Principal::Admin => ADMIN_NAME,
            Principal::User { name, .. } => name,
            Principal::Anonymous => ANONYMOUS_NAME,
        }
    }

    pub fn groups(&self) -> Vec<String> {
        match self {
            Principal::Admin => vec![
                "system:cluster-admins".into(),
                "system:authenticated".into(),
            ],
            Principal::User { groups, .. } => groups.clone(),
            Principal::Anonymous => vec!["system:unauthenticated".into()],
        }
    }
}

/// The subject of a client certificate the TLS handshake verified against the CA.
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    pub user: String,
    pub groups: Vec<String>,
}

impl ClientCertificate {
    pub fn from_der(der: &[u8]) -> Option<ClientCertificate> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let subject = cert.subject();
        let user = subject
            .iter_common_name()
            .next()?
            .as_str()
            .ok()?
            .to_string();
        let groups = subject
            .iter_organization()
            .filter_map(|o| o.as_str().ok().map(String::from))
            .collect();
        Some(ClientCertificate { user, groups })
    }

    /// `system:masters` is the group a cluster-admin client certificate carries.
    fn principal(&self) -> Principal {
        if self.groups.iter().any(|g| g == "system:masters") {
            return Principal::Admin;
        }
        let mut groups = self.groups.clone();
        groups.push("system:authenticated".into());
        Principal::User {
            name: self.user.clone(),
            groups,
            scopes: vec!["user:full".into()],
        }
    }
}

/// Resolves the caller: a verified client certificate first (the API server's x509
/// authenticator runs before the token one), else the `Authorization` header. Neither is
/// the anonymous user; a header that names no valid token is 401, like the real server.
pub fn authenticate(
    headers: &HeaderMap,
    certificate: Option<&ClientCertificate>,
    store: &Store,
    extra_tokens: &HashMap<String, String>,
) -> Result<Principal, ApiError> {
    if let Some(certificate) = certificate {
        return Ok(certificate.principal());
    }
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(Principal::Anonymous);
    };
    let value = value.to_str().map_err(|_| ApiError::unauthorized())?;
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Err(ApiError::unauthorized());
    };
    if token == store.admin_token() {
        return Ok(Principal::Admin);
    }
    if let Some(name) = extra_tokens.get(token) {
        return Ok(Principal::User {
            name: name.clone(),
            groups: vec!["system:authenticated".into()],
            scopes: vec!["user:full".into()],
        });
    }
    if let Some(record) = store.token(token) {
        // A token whose user was deleted (or recreated with a new uid) is dead.
        let user_ok = store
            .get(&resources::USERS, "", &record.user_name)
            .and_then(|u| u.pointer("/metadata/uid"))
            .and_then(|u| u.as_str())
            .is_some_and(|uid| uid == record.user_uid);
        if user_ok {
            return Ok(Principal::User {
                name: record.user_name.clone(),
                groups: vec![
                    "system:authenticated".into(),
                    "system:authenticated:oauth".into(),
                ],
                scopes: record.scopes.clone(),
            });
        }
    }
    Err(ApiError::unauthorized())
}
