//! All objects and issued tokens, with the global resourceVersion counter.
//! Every committed write is persisted to `state.json` so a restarted simulator keeps
//! its objects and tokens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::apiserver::resources::{self, ResourceDef};
use crate::meta;
use crate::process::datadir;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    resource: String,
    namespace: String,
    name: String,
}

/// An access token issued by the OAuth server. Only its SHA-256 is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub user_name: String,
    pub user_uid: String,
    pub client: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize)]
struct StoredObject {
    resource: String,
    object: Value,
}

#[derive(Serialize, Deserialize)]
struct Persisted {
    resource_version: u64,
    admin_token: String,
    objects: Vec<StoredObject>,
    #[serde(default)]
    tokens: BTreeMap<String, TokenRecord>,
}

#[derive(Clone)]
pub struct Store {
    file: PathBuf,
    /// A dry-run copy: writes happen in memory only and are thrown away.
    dry: bool,
    rv: u64,
    admin_token: String,
    objects: BTreeMap<Key, Value>,
    tokens: BTreeMap<String, TokenRecord>,
    /// How long a deleted namespace stays Terminating (zero: it goes at once).
    termination_delay: Duration,
    /// Terminating namespaces and when they go.
    terminations: BTreeMap<String, Instant>,
}

fn key_of(def: &ResourceDef, namespace: &str, name: &str) -> Key {
    Key {
        resource: def.store_key(),
        namespace: if def.namespaced {
            namespace.to_string()
        } else {
            String::new()
        },
        name: name.to_string(),
    }
}

impl Store {
    pub fn new(file: PathBuf, admin_token: String) -> Self {
        Self {
            file,
            dry: false,
            rv: 0,
            admin_token,
            objects: BTreeMap::new(),
            tokens: BTreeMap::new(),
            termination_delay: Duration::ZERO,
            terminations: BTreeMap::new(),
        }
    }

    /// Loads a previously saved state, if there is one.
    pub fn load(file: &Path) -> anyhow::Result<Option<Self>> {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
        };
        let persisted: Persisted = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid simulator state", file.display()))?;
        let mut store = Self::new(file.to_path_buf(), persisted.admin_token);
        store.rv = persisted.resource_version;
        store.tokens = persisted.tokens;
        for stored in persisted.objects {
            let def = resources::by_store_key(&stored.resource)
                .with_context(|| format!("state holds an unknown resource {}", stored.resource))?;
            let key = key_of(
                def,
                meta::namespace(&stored.object),
                meta::name(&stored.object),
            );
            // A namespace that was terminating when the simulator stopped goes now.
            if def.kind == "Namespace"
                && stored
                    .object
                    .pointer("/metadata/deletionTimestamp")
                    .is_some()
            {
                store.terminations.insert(key.name.clone(), Instant::now());
            }
            store.objects.insert(key, stored.object);
        }
        Ok(Some(store))
    }

    /// A throwaway copy for `dryRun=All` requests.
    pub fn dry_copy(&self) -> Self {
        let mut copy = self.clone();
        copy.dry = true;
        copy
    }

    pub fn save(&self) -> std::io::Result<()> {
        if self.dry {
            return Ok(());
        }
        let persisted = Persisted {
            resource_version: self.rv,
            admin_token: self.admin_token.clone(),
            objects: self
                .objects
                .iter()
                .map(|(k, v)| StoredObject {
                    resource: k.resource.clone(),
                    object: v.clone(),
                })
                .collect(),
            tokens: self.tokens.clone(),
        };
        let text = serde_json::to_vec_pretty(&persisted).map_err(std::io::Error::other)?;
        datadir::write_private(&self.file, &text)
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, def: &ResourceDef, namespace: &str, name: &str) -> Option<&Value> {
        self.objects.get(&key_of(def, namespace, name))
    }

    /// Objects of one resource, in one namespace or (with `None`) in all, sorted by
    /// namespace then name like the real server's list order.
    pub fn list(&self, def: &ResourceDef, namespace: Option<&str>) -> Vec<&Value> {
        let resource = def.store_key();
        self.objects
            .iter()
            .filter(|(k, _)| k.resource == resource)
            .filter(|(k, _)| namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, v)| v)
            .collect()
    }

    /// Stores `obj` under a fresh resourceVersion and returns what was stored.
    pub fn put(&mut self, def: &ResourceDef, mut obj: Value) -> Value {
        self.rv += 1;
        meta::metadata_mut(&mut obj)
            .insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        let key = key_of(def, meta::namespace(&obj), meta::name(&obj));
        self.objects.insert(key, obj.clone());
        obj
    }

    pub fn remove(&mut self, def: &ResourceDef, namespace: &str, name: &str) -> Option<Value> {
        let removed = self.objects.remove(&key_of(def, namespace, name));
        if removed.is_some() {
            self.rv += 1;
        }
        removed
    }

    /// Deletes every namespaced object in `namespace` (what namespace deletion ends in).
    pub fn remove_namespace_contents(&mut self, namespace: &str) {
        self.objects
            .retain(|k, _| k.namespace.is_empty() || k.namespace != namespace);
    }

    pub fn termination_delay(&self) -> Duration {
        self.termination_delay
    }

    pub fn set_termination_delay(&mut self, delay: Duration) {
        self.termination_delay = delay;
    }

    pub fn terminate_at(&mut self, namespace: &str, at: Instant) {
        self.terminations.insert(namespace.to_string(), at);
    }

    /// The terminating namespaces due by `now`, forgotten as terminating.
    pub fn terminations_due(&mut self, now: Instant) -> Vec<String> {
        let due: Vec<String> = self
            .terminations
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(name, _)| name.clone())
            .collect();
        for name in &due {
            self.terminations.remove(name);
        }
        due
    }

    pub fn add_token(&mut self, token: &str, record: TokenRecord) {
        self.tokens.insert(meta::sha256_hex(token), record);
    }

    /// The record of a live (unexpired) access token.
    pub fn token(&self, token: &str) -> Option<&TokenRecord> {
        self.tokens
            .get(&meta::sha256_hex(token))
            .filter(|r| r.expires_at > meta::unix_now())
    }
}
