//! Impersonation (`kubectl --as USER [--as-group GROUP]`): the `Impersonate-User` and
//! `Impersonate-Group` headers make a request run as someone else, for those allowed to
//! impersonate (here the cluster-admin). How a consultant checks a user's RBAC from the
//! admin's kubeconfig: `kubectl auth can-i list configmaps -n project-a --as user-a`.

use axum::http::HeaderMap;

use crate::apiserver::auth::Principal;
use crate::apiserver::status::{ApiError, ApiResult, GroupResource};

/// The principal a request runs as: the caller, or whom it impersonates.
pub fn effective(caller: Principal, headers: &HeaderMap) -> ApiResult<Principal> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect()
    };
    let groups = values("impersonate-group");
    let Some(user) = values("impersonate-user").into_iter().next() else {
        if groups.is_empty() {
            return Ok(caller);
        }
        return Err(ApiError::internal(
            "requested [Impersonate-Group] without impersonating a user",
        ));
    };
    if !matches!(caller, Principal::Admin) {
        return Err(ApiError::forbidden(
            &GroupResource::new("", "users"),
            &user,
            &format!(
                "User \"{}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
                caller.name()
            ),
        ));
    }
    let mut groups = groups;
    groups.push("system:authenticated".into());
    Ok(Principal::User {
        name: user,
        groups,
        scopes: vec!["user:full".into()],
    })
}
