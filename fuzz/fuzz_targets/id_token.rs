//! ID tokens and the realm's key set, as the demo app reads them from Keycloak. The first
//! byte picks what the rest is:
//! - 0: a token: its payload decoded for display (bounded), its header read, and its
//!   signature checked against a real key, which no made-up text may pass;
//! - 1: a JWKS document: the signing keys picked from it, none of which may verify a
//!   token signed by another key;
//! - 2: a claims set, signed with the target's own key: the app may accept it only when
//!   issuer, audience, `azp`, expiry and nonce are right, as checked here from the JSON.

#![no_main]

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use demo_app::claims::{decode_unverified, summarize, utc_text};
use demo_app::oidc::{ALGORITHMS, KeySet, token_header, verify_with_key};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const ISSUER: &str = "https://keycloak.fuzz:18443/realms/demo";
const CLIENT: &str = "third-party-app";
const NONCE: &str = "the-nonce-of-this-sign-in";
const KID: &str = "fuzz-key";
/// The longest claim text the app keeps, plus the `…` that marks a cut.
const MAX_TEXT: usize = 512 + '…'.len_utf8();

struct Bed {
    signer: EncodingKey,
    keys: KeySet,
    key: DecodingKey,
    /// A token the app must accept.
    good: String,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(bed_signer: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID.into());
    jsonwebtoken::encode(&header, claims, bed_signer).expect("sign")
}

fn bed() -> &'static Bed {
    static BED: OnceLock<Bed> = OnceLock::new();
    BED.get_or_init(|| {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let signer = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&signer, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some(KID.into());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let doc = json!({"keys": [
            {"kid": "enc", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "AQAB", "e": "AQAB"},
            serde_json::to_value(jwk).unwrap(),
        ]});
        let keys = KeySet::parse(&doc);
        assert_eq!(keys.len(), 1, "the encryption key is skipped");
        let key = keys.decoding_key(Some(KID), Algorithm::ES256).unwrap();
        let good = sign(
            &signer,
            &json!({"iss": ISSUER, "aud": CLIENT, "sub": "u", "exp": now() + 3600, "nonce": NONCE}),
        );
        // Positive control: the target's key and checks do accept a right token.
        verify_with_key(&good, &key, Algorithm::ES256, ISSUER, CLIENT, Some(NONCE))
            .expect("a well-formed token verifies");
        Bed {
            signer,
            keys,
            key,
            good,
        }
    })
}

fn verify(token: &str, key: &DecodingKey, alg: Algorithm) -> bool {
    verify_with_key(token, key, alg, ISSUER, CLIENT, Some(NONCE)).is_ok()
}

fn token(bed: &Bed, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(claims) = decode_unverified(&text) {
        let s = summarize(&claims);
        for field in [&s.sub, &s.preferred_username, &s.azp, &s.scope, &s.iss] {
            assert!(
                field.len() <= MAX_TEXT,
                "a claim of {} bytes kept",
                field.len()
            );
        }
        assert!(s.aud.len() <= 32 && s.aud.iter().all(|a| a.len() <= MAX_TEXT));
        if let Some(exp) = s.exp {
            let _ = utc_text(exp);
        }
    }
    if let Ok((alg, kid)) = token_header(&text) {
        assert!(ALGORITHMS.contains(&alg), "{alg:?} accepted");
        if let Some(key) = bed.keys.decoding_key(kid.as_deref(), alg) {
            assert!(!verify(&text, &key, alg), "made-up text verified: {text:?}");
        }
    }
    assert!(
        !verify(&text, &bed.key, Algorithm::ES256),
        "made-up text verified: {text:?}"
    );
}

fn key_set(bed: &Bed, data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let keys = KeySet::parse(&doc);
    let kids: Vec<Option<String>> = doc["keys"]
        .as_array()
        .map(|ks| {
            ks.iter()
                .map(|k| k["kid"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    for alg in ALGORITHMS {
        for kid in kids.iter().chain([&None]) {
            if let Some(key) = keys.decoding_key(kid.as_deref(), alg) {
                assert!(
                    !verify(&bed.good, &key, alg),
                    "a key from the input verified a token it did not sign"
                );
            }
        }
    }
}

fn claims(bed: &Bed, data: &[u8]) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let token = sign(&bed.signer, &Value::Object(map.clone()));
    let Ok(accepted) = verify_with_key(
        &token,
        &bed.key,
        Algorithm::ES256,
        ISSUER,
        CLIENT,
        Some(NONCE),
    ) else {
        return;
    };
    if let Err(why) = rules_hold(&map) {
        panic!("accepted, but {why}: {map:?}");
    }
    assert_eq!(Some(accepted.sub.as_str()), map["sub"].as_str());
}

/// The rules an accepted ID token must meet, read from its claims directly.
fn rules_hold(map: &Map<String, Value>) -> Result<(), &'static str> {
    if map.get("iss").and_then(Value::as_str) != Some(ISSUER) {
        return Err("the issuer is not the realm");
    }
    let audiences: Vec<&Value> = match map.get("aud") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    if !audiences.iter().any(|a| a.as_str() == Some(CLIENT)) {
        return Err("the audience lacks the client");
    }
    if audiences.len() > 1
        && let Some(azp) = map.get("azp").filter(|v| !v.is_null())
        && azp.as_str() != Some(CLIENT)
    {
        return Err("several audiences and azp is another client");
    }
    if map.get("nonce").and_then(Value::as_str) != Some(NONCE) {
        return Err("the nonce is not this sign-in's");
    }
    match map.get("exp").and_then(Value::as_f64) {
        // 60 s leeway, and a little for the time between signing and this check.
        Some(exp) if exp >= (now() - 60 - 5) as f64 => {}
        _ => return Err("expired or no expiry"),
    }
    if map.get("sub").and_then(Value::as_str).is_none() {
        return Err("no subject");
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let bed = bed();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => token(bed, rest),
        1 => key_set(bed, rest),
        _ => claims(bed, rest),
    }
});
