//! Registered OAuthClients (`oauthclients.oauth.openshift.io`) as the OAuth server uses
//! them: redirect URI matching (the rule itself is in `redirect.rs`) and client
//! authentication.

use serde_json::Value;

use crate::apiserver::resources::OAUTHCLIENTS;
use crate::apiserver::store::Store;
use crate::meta;

pub struct Client {
    pub name: String,
    secrets: Vec<String>,
    redirect_uris: Vec<String>,
    pub grant_method: String,
    pub token_max_age: i64,
}

const DEFAULT_TOKEN_AGE: i64 = 86400;

pub fn load(store: &Store, name: &str) -> Option<Client> {
    let obj = store.get(&OAUTHCLIENTS, "", name)?;
    let mut secrets: Vec<String> = obj
        .get("secret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .into_iter()
        .collect();
    secrets.extend(
        meta::strings(obj.get("additionalSecrets"))
            .into_iter()
            .filter(|s| !s.is_empty()),
    );
    Some(Client {
        name: name.to_string(),
        secrets,
        redirect_uris: meta::strings(obj.get("redirectURIs")),
        grant_method: obj
            .get("grantMethod")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("auto")
            .to_string(),
        token_max_age: obj
            .get("accessTokenMaxAgeSeconds")
            .and_then(Value::as_i64)
            .filter(|a| *a > 0)
            .unwrap_or(DEFAULT_TOKEN_AGE),
    })
}

/// Compares without stopping at the first differing byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Client {
    /// The URI to redirect to when `uri` is allowed by a registered redirect URI
    /// (same scheme and host, the path or below it, any query; see `redirect.rs`).
    pub fn settle_redirect(&self, uri: &str) -> Option<String> {
        super::redirect::settle(&self.redirect_uris, uri)
    }

    pub fn secret_ok(&self, secret: &str) -> bool {
        let mut ok = false;
        for s in &self.secrets {
            ok |= same(s, secret);
        }
        ok
    }
}
