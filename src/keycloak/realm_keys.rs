//! The keys a realm signs and encrypts with, for a realm bridgectl creates.
//!
//! Left to itself, Keycloak generates two RSA-2048 keys inside the request that creates a
//! realm: about 0.4 s of a warm server, more on one that just started (its key generation
//! runs cold). bridgectl generates the two RSA keys itself (aws-lc-rs, while it waits for
//! its first token) and hands them over in that same request, as imported key providers;
//! the HMAC and AES keys, which cost Keycloak nothing, it still generates. The keys are
//! kept nowhere else: Keycloak holds them like the ones it makes, and rotating them is the
//! same (a new provider with a higher priority).

use anyhow::{Context, Result};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::state::Secret;

/// The providers Keycloak would otherwise set up itself, by the same priority and uses.
const PRIORITY: &str = "100";

pub struct RealmKeys {
    signing: Secret,
    encryption: Secret,
}

impl RealmKeys {
    fn generate() -> Result<RealmKeys> {
        Ok(RealmKeys {
            signing: Secret::new(pki::rsa_private_key_pem()?),
            encryption: Secret::new(pki::rsa_private_key_pem()?),
        })
    }

    /// The realm representation's `components`: its key providers.
    pub fn components(&self) -> Value {
        let provider = |name: &str, provider: &str, config: Value| json!({"name": name, "providerId": provider, "subComponents": {}, "config": config});
        let rsa = |key: &Secret, algorithm: &str| {
            json!({
                "priority": [PRIORITY],
                "algorithm": [algorithm],
                "privateKey": [key.expose()],
            })
        };
        json!({
            "org.keycloak.keys.KeyProvider": [
                provider("rsa", "rsa", rsa(&self.signing, "RS256")),
                provider("rsa-enc", "rsa-enc", rsa(&self.encryption, "RSA-OAEP")),
                provider(
                    "hmac-generated-hs512",
                    "hmac-generated",
                    json!({"priority": [PRIORITY], "algorithm": ["HS512"]}),
                ),
                provider("aes-generated", "aes-generated", json!({"priority": [PRIORITY]})),
            ]
        })
    }
}

/// Keys for a realm that may have to be created: generated ahead (when the realm is likely
/// new, so they are ready by the time the create is sent) or when first asked for.
pub struct PendingKeys(Mutex<Option<JoinHandle<Result<RealmKeys>>>>);

impl PendingKeys {
    pub fn ahead() -> PendingKeys {
        PendingKeys(Mutex::new(Some(spawn())))
    }

    pub fn on_demand() -> PendingKeys {
        PendingKeys(Mutex::new(None))
    }

    pub async fn take(&self) -> Result<RealmKeys> {
        let started = self.0.lock().await.take();
        started
            .unwrap_or_else(spawn)
            .await
            .context("generating the realm's keys")?
    }
}

fn spawn() -> JoinHandle<Result<RealmKeys>> {
    tokio::task::spawn_blocking(RealmKeys::generate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_distinct_rsa_keys_become_imported_providers_beside_generated_hmac_and_aes() {
        let keys = PendingKeys::on_demand().take().await.unwrap();
        let components = keys.components();
        let providers = components["org.keycloak.keys.KeyProvider"]
            .as_array()
            .unwrap();
        let ids: Vec<&str> = providers
            .iter()
            .map(|p| p["providerId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["rsa", "rsa-enc", "hmac-generated", "aes-generated"]);
        let pem = |i: usize| providers[i]["config"]["privateKey"][0].as_str().unwrap();
        assert_ne!(pem(0), pem(1), "signing and encryption keys differ");
        // A PEM private key whose public half is RSA-2048 sized (a 294-byte SPKI).
        assert!(pki::public_key_der(pem(0)).is_some_and(|der| der.len() > 256));
    }
}
