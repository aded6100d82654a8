//! The authentication operator, when modelled (`--oauth-rollout-secs`): the OAuth server
//! serves the identity providers (with their Secret and CA) of its last completed rollout,
//! not what `oauths/cluster` says right now. A change is observed, each OpenID issuer's
//! discovery document fetched with the configured CA; if any fails the operator keeps the
//! whole old list, reports `Degraded` and tries again; else it rolls the new list out,
//! reporting `Progressing` until the rollout time has passed. `clusteroperators/
//! authentication` carries the conditions in the real shape.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{idp, oidc};
use crate::apiserver::resources::{CLUSTEROPERATORS, CONFIGMAPS, OAUTHS, SECRETS};
use crate::apiserver::store::Store;
use crate::context::Sim;
use crate::meta;

/// How often the operator looks at the configuration.
const TICK: Duration = Duration::from_millis(100);
/// How soon a failed observation is tried again (the real operator: about a minute).
const RETRY: Duration = Duration::from_secs(2);

/// What the operator knows.
pub struct Authentication {
    /// The configuration the OAuth server runs with: a copy of the store at the end of the
    /// last rollout (only the identity providers, Secrets and ConfigMaps are read from it).
    pub served: Store,
    /// The inputs last looked at, to notice a change.
    observed: String,
    /// Accepted and rolling out, until the instant.
    rolling_out: Option<(Store, Instant)>,
    degraded: Option<String>,
    retry_at: Option<Instant>,
    /// The oauth-openshift deployment's generation, for Progressing's message.
    generation: u64,
}

impl Authentication {
    /// Starts serving what the cluster holds now.
    pub fn new(store: &Store) -> Authentication {
        Authentication {
            served: store.dry_copy(),
            observed: inputs(store),
            rolling_out: None,
            degraded: None,
            retry_at: None,
            generation: 1,
        }
    }
}

/// Runs the operator until the simulator stops.
pub async fn run(sim: Arc<Sim>, rollout: Duration) {
    publish(&sim);
    loop {
        tick(&sim, rollout).await;
        tokio::time::sleep(TICK).await;
    }
}

async fn tick(sim: &Sim, rollout: Duration) {
    let now = Instant::now();
    let (snapshot, seen) = {
        let store = sim.store();
        (store.dry_copy(), inputs(&store))
    };
    let look = match sim.authentication() {
        Some(op) => op.observed != seen || op.retry_at.is_some_and(|at| now >= at),
        None => return,
    };
    let mut changed = false;
    if look {
        let verdict = validate(&snapshot).await;
        if let Some(mut op) = sim.authentication() {
            op.observed = seen;
            match verdict {
                Ok(()) => {
                    op.degraded = None;
                    op.retry_at = None;
                    op.rolling_out = Some((snapshot, now + rollout));
                    op.generation += 1;
                }
                Err(message) => {
                    op.degraded = Some(message);
                    op.retry_at = Some(now + RETRY);
                }
            }
            changed = true;
        }
    }
    if let Some(mut op) = sim.authentication()
        && op.rolling_out.as_ref().is_some_and(|(_, at)| now >= *at)
        && let Some((done, _)) = op.rolling_out.take()
    {
        op.served = done;
        changed = true;
    }
    if changed {
        publish(sim);
    }
}

/// Everything a rollout depends on: the provider list and openshift-config's Secrets and
/// ConfigMaps (the operator copies those it references into the OAuth server's pods).
fn inputs(store: &Store) -> String {
    let providers = store
        .get(&OAUTHS, "", "cluster")
        .and_then(|oauth| oauth.pointer("/spec/identityProviders"))
        .cloned()
        .unwrap_or(Value::Null);
    let data = |def| -> Vec<Value> {
        store
            .list(def, Some(idp::CONFIG_NAMESPACE))
            .into_iter()
            .map(|object| json!([meta::name(object), object.get("data")]))
            .collect()
    };
    json!([providers, data(&SECRETS), data(&CONFIGMAPS)]).to_string()
}

/// What the operator checks before a rollout: each OpenID provider resolves, and its
/// issuer's discovery document can be fetched with the configured CA.
async fn validate(config: &Store) -> Result<(), String> {
    for provider in idp::all(config) {
        if provider.kind != "OpenID" {
            continue;
        }
        let fail = |why: String| format!("failed to apply IDP {} config: {why}", provider.name);
        let settings = provider.open_id(config).map_err(fail)?;
        let client = oidc::http_client(settings.ca_pem.as_deref()).map_err(fail)?;
        oidc::discover(&client, &settings.issuer)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

/// Writes `clusteroperators/authentication` from the operator's state.
fn publish(sim: &Sim) {
    let Some(conditions) = sim.authentication().map(|op| conditions(&op)) else {
        return;
    };
    let mut store = sim.store();
    let metadata = store
        .get(&CLUSTEROPERATORS, "", "authentication")
        .map(|found| found["metadata"].clone())
        .unwrap_or_else(|| {
            json!({"name": "authentication", "uid": meta::new_uid(), "creationTimestamp": meta::now(), "generation": 1})
        });
    store.put(
        &CLUSTEROPERATORS,
        json!({
            "apiVersion": "config.openshift.io/v1",
            "kind": "ClusterOperator",
            "metadata": metadata,
            "spec": {},
            "status": {"conditions": conditions},
        }),
    );
    let _ = store.save();
}

fn conditions(op: &Authentication) -> Value {
    let now = meta::now();
    let condition = |kind: &str, status: bool, reason: &str, message: String| {
        json!({
            "type": kind,
            "status": if status { "True" } else { "False" },
            "reason": reason,
            "message": message,
            "lastTransitionTime": now,
        })
    };
    let degraded = match &op.degraded {
        Some(why) => condition(
            "Degraded",
            true,
            "OAuthServerConfigObservation_Error",
            format!("OAuthServerConfigObservationDegraded: {why}"),
        ),
        None => condition("Degraded", false, "AsExpected", "All is well".into()),
    };
    let progressing = match &op.rolling_out {
        Some(_) => condition(
            "Progressing",
            true,
            "OAuthServerDeploymentProgressing",
            format!(
                "OAuthServerDeploymentProgressing: deployment/oauth-openshift.openshift-authentication: observed generation is {}, desired generation is {}.",
                op.generation - 1,
                op.generation
            ),
        ),
        None => condition(
            "Progressing",
            false,
            "AsExpected",
            "AuthenticatorCertKeyProgressing: All is well".into(),
        ),
    };
    let available = condition("Available", true, "AsExpected", "All is well".into());
    json!([degraded, progressing, available])
}
