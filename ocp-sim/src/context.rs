//! What both servers share: the store, the test hooks, the OAuth flows in progress
//! and the URLs the simulator answers on.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::apiserver::lifecycle;
use crate::apiserver::store::Store;
use crate::hooks::faults::Hooks;
use crate::oauth::flows::Flows;
use crate::oauth::operator::Authentication;

pub struct Sim {
    store: Mutex<Store>,
    hooks: Mutex<Hooks>,
    flows: Mutex<Flows>,
    /// `--token NAME=TOKEN`: token -> user name, users with no RBAC rights.
    pub extra_tokens: HashMap<String, String>,
    pub oauth_url: String,
    /// `host:port` of the API server, for discovery's serverAddressByClientCIDRs.
    pub api_address: String,
    /// API groups this cluster does not serve (`--without-group`), e.g.
    /// project.openshift.io to behave like plain Kubernetes.
    pub hidden_groups: Vec<String>,
    /// The modelled authentication operator (`--oauth-rollout-secs`); without it the
    /// OAuth server reads `oauths/cluster` as it is at each request.
    authentication: Option<Mutex<Authentication>>,
}

/// Locks that survive a panicking holder: the data is still consistent because every
/// write either completes or returns early before touching the store.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Sim {
    pub fn new(
        store: Store,
        extra_tokens: HashMap<String, String>,
        oauth_url: String,
        api_address: String,
    ) -> Self {
        Self {
            store: Mutex::new(store),
            hooks: Mutex::new(Hooks::default()),
            flows: Mutex::new(Flows::default()),
            extra_tokens,
            oauth_url,
            api_address,
            hidden_groups: Vec::new(),
            authentication: None,
        }
    }

    /// Turns on the authentication operator's model, serving what the store holds now.
    pub fn model_authentication_operator(&mut self) {
        let operator = Authentication::new(&self.store());
        self.authentication = Some(Mutex::new(operator));
    }

    pub fn authentication(&self) -> Option<MutexGuard<'_, Authentication>> {
        self.authentication.as_ref().map(lock)
    }

    /// Runs `read` on the configuration the OAuth server serves: the last rollout's when
    /// the operator is modelled, else the store as it is.
    pub fn with_served<R>(&self, read: impl FnOnce(&Store) -> R) -> R {
        match self.authentication() {
            Some(operator) => read(&operator.served),
            None => read(&self.store()),
        }
    }

    /// Whether API group `group` is served ("" is the core group, always served).
    pub fn serves(&self, group: &str) -> bool {
        !self.hidden_groups.iter().any(|hidden| hidden == group)
    }

    /// The store, with the namespaces whose termination is due removed first (what the
    /// namespace controller would have done by now).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = lock(&self.store);
        if lifecycle::finish_due(&mut store, std::time::Instant::now()) {
            let _ = store.save();
        }
        store
    }

    pub fn hooks(&self) -> MutexGuard<'_, Hooks> {
        lock(&self.hooks)
    }

    pub fn flows(&self) -> MutexGuard<'_, Flows> {
        lock(&self.flows)
    }
}
