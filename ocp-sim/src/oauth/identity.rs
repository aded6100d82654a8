//! Mapping an identity the provider vouched for onto an OpenShift User and Identity,
//! following the provider's `mappingMethod` like OpenShift's user identity mapper.

use serde_json::{Map, Value, json};

use super::flows::LoggedIn;
use super::idp::OpenIdConfig;
use crate::apiserver::resources::{IDENTITIES, USERS};
use crate::apiserver::store::Store;
use crate::apiserver::write::objects::{self, Ownership};
use crate::meta;

const MANAGER: &str = "oauth-server";

fn first_claim(claims: &Map<String, Value>, names: &[String]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| claims.get(n).and_then(Value::as_str))
        .find(|v| !v.is_empty())
        .map(String::from)
}

fn uid_of(obj: &Value) -> String {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn user_has_identity(user: &Value, identity: &str) -> bool {
    user.get("identities")
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(identity)))
}

/// Finds or creates the User for this login; `Err` is the reason shown to the user.
pub fn provision(
    store: &mut Store,
    idp: &str,
    mapping_method: &str,
    cfg: &OpenIdConfig,
    claims: &Map<String, Value>,
) -> Result<LoggedIn, String> {
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("the ID token has no sub claim")?
        .to_string();
    let identity_name = format!("{idp}:{sub}");
    // Without a preferred username claim OpenShift falls back to the subject.
    let preferred = first_claim(claims, &cfg.preferred_username_claims);
    let full_name = first_claim(claims, &cfg.name_claims);
    let email = first_claim(claims, &cfg.email_claims);
    let mut extra = Map::new();
    if let Some(e) = &email {
        extra.insert("email".into(), json!(e));
    }
    if let Some(n) = &full_name {
        extra.insert("name".into(), json!(n));
    }
    if let Some(p) = &preferred {
        extra.insert("preferred_username".into(), json!(p));
    }
    let wanted = preferred.clone().unwrap_or_else(|| sub.clone());

    // An identity already mapped to an existing user logs that user in.
    if let Some(identity) = store.get(&IDENTITIES, "", &identity_name).cloned() {
        let user_name = identity
            .pointer("/user/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(user) = store.get(&USERS, "", user_name).cloned()
            && user_has_identity(&user, &identity_name)
        {
            let mut updated = identity.clone();
            updated["extra"] = Value::Object(extra);
            objects::update(
                store,
                &IDENTITIES,
                "",
                &identity_name,
                updated,
                Ownership::Update(MANAGER.into()),
            )
            .map_err(|e| format!("could not update identity {identity_name:?}: {}", e.message))?;
            return Ok(LoggedIn {
                name: user_name.to_string(),
                uid: uid_of(&user),
            });
        }
        if mapping_method == "lookup" {
            return Err(format!(
                "lookup of user for {identity_name:?} failed: the identity is not mapped to a user"
            ));
        }
        objects::delete(store, &IDENTITIES, "", &identity_name).map_err(|e| e.message)?;
    }

    let user_name = match mapping_method {
        "lookup" => {
            return Err(format!(
                "lookup of user for {identity_name:?} failed: no identity {identity_name:?} exists (mappingMethod lookup needs it created beforehand)"
            ));
        }
        "claim" => {
            // A user without identities is claimed; one mapped to another identity is not.
            if let Some(existing) = store.get(&USERS, "", &wanted)
                && !user_has_identity(existing, &identity_name)
            {
                let others = meta::strings(existing.get("identities"));
                if !others.is_empty() {
                    return Err(format!(
                        "could not create user: user {wanted:?} cannot be claimed by identity {identity_name:?} because it is already mapped to [{}]",
                        others.join(" ")
                    ));
                }
            }
            wanted
        }
        "generate" => {
            let mut candidate = wanted.clone();
            let mut n = 2;
            while store
                .get(&USERS, "", &candidate)
                .is_some_and(|u| !user_has_identity(u, &identity_name))
            {
                candidate = format!("{wanted}{n}");
                n += 1;
            }
            candidate
        }
        _ => wanted,
    };

    let user = match store.get(&USERS, "", &user_name).cloned() {
        Some(mut user) => {
            if !user_has_identity(&user, &identity_name) {
                let mut ids = user
                    .get("identities")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                ids.push(json!(identity_name));
                // A user whose only identity is this one is initialised as when created:
                // the provider's display name fills an empty fullName.
                let only = ids.len() == 1;
                user["identities"] = Value::Array(ids);
                let empty = only
                    && user
                        .get("fullName")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty);
                if empty && let Some(n) = &full_name {
                    user["fullName"] = json!(n);
                }
                user = objects::update(
                    store,
                    &USERS,
                    "",
                    &user_name,
                    user,
                    Ownership::Update(MANAGER.into()),
                )
                .map_err(|e| format!("could not update user {user_name:?}: {}", e.message))?
                .object;
            }
            user
        }
        None => {
            let mut user = json!({
                "apiVersion": "user.openshift.io/v1",
                "kind": "User",
                "metadata": {"name": user_name},
                "identities": [identity_name],
                "groups": null,
            });
            if let Some(n) = &full_name {
                user["fullName"] = json!(n);
            }
            objects::create(store, &USERS, "", user, Ownership::Update(MANAGER.into()))
                .map_err(|e| format!("could not create user {user_name:?}: {}", e.message))?
                .object
        }
    };
    let uid = uid_of(&user);
    let identity = json!({
        "apiVersion": "user.openshift.io/v1",
        "kind": "Identity",
        "metadata": {"name": identity_name},
        "providerName": idp,
        "providerUserName": sub,
        "user": {"name": user_name, "uid": uid},
        "extra": extra,
    });
    objects::create(
        store,
        &IDENTITIES,
        "",
        identity,
        Ownership::Update(MANAGER.into()),
    )
    .map_err(|e| format!("could not create identity {identity_name:?}: {}", e.message))?;
    Ok(LoggedIn {
        name: user_name,
        uid,
    })
}
