//! Authentication: who is calling, from the bearer token.

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

/// Resolves the `Authorization` header. A missing header is the anonymous user; a
/// header that names no valid token is 401, like the real server.
pub fn authenticate(
    headers: &HeaderMap,
    store: &Store,
    extra_tokens: &HashMap<String, String>,
) -> Result<Principal, ApiError> {
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
