//! `GET /apis/user.openshift.io/v1/users/~`: who am I.

use serde_json::{Value, json};

use super::request::Reply;
use crate::apiserver::auth::Principal;
use crate::apiserver::resources::USERS;
use crate::apiserver::status::{ApiError, ApiResult};
use crate::context::Sim;

fn virtual_user(name: &str, groups: Vec<String>) -> Value {
    json!({
        "kind": "User",
        "apiVersion": "user.openshift.io/v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "identities": null,
        "groups": groups,
    })
}

pub fn me(sim: &Sim, principal: &Principal) -> ApiResult<Reply> {
    match principal {
        Principal::Anonymous => Err(ApiError::forbidden(
            &USERS.gr(),
            "~",
            "User \"system:anonymous\" cannot get resource \"users\" in API group \"user.openshift.io\" at the cluster scope",
        )),
        Principal::Admin => Ok(Reply::ok(virtual_user(
            principal.name(),
            principal.groups(),
        ))),
        Principal::User { name, .. } => {
            let store = sim.store();
            match store.get(&USERS, "", name) {
                Some(user) => {
                    let mut user = user.clone();
                    user["groups"] = json!(principal.groups());
                    Ok(Reply::ok(user))
                }
                None => Ok(Reply::ok(virtual_user(name, principal.groups()))),
            }
        }
    }
}
