//! Display summaries of tokens. Only these summaries are kept in the session; the
//! tokens themselves are not.

use serde_json::{Map, Value};

/// The longest text kept for one claim, so a hostile token cannot bloat a session.
const MAX_CLAIM: usize = 512;

/// What the page shows of a Keycloak token (the user's, or the exchanged one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenSummary {
    pub sub: String,
    pub preferred_username: String,
    pub aud: Vec<String>,
    pub azp: String,
    pub scope: String,
    pub exp: Option<i64>,
    pub iss: String,
}

/// Step 2a's result: the exchanged token's claims and the token types of the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeSummary {
    pub claims: TokenSummary,
    pub token_type: String,
    pub issued_token_type: String,
}

/// The payload of a JWT, decoded WITHOUT checking the signature. For display only: the
/// access token is meant for resource servers, and this app only shows what it says.
pub fn decode_unverified(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = crate::crypto::b64url_decode(payload.trim_end_matches('='))?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

pub fn summarize(claims: &Map<String, Value>) -> TokenSummary {
    let text = |name: &str| claims.get(name).map(value_text).unwrap_or_default();
    let aud = match claims.get("aud") {
        Some(Value::Array(items)) => items.iter().take(32).map(value_text).collect(),
        Some(v) => vec![value_text(v)],
        None => Vec::new(),
    };
    TokenSummary {
        sub: text("sub"),
        preferred_username: text("preferred_username"),
        aud,
        azp: text("azp"),
        scope: text("scope"),
        exp: claims.get("exp").and_then(Value::as_i64),
        iss: text("iss"),
    }
}

fn value_text(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    truncate(&s, MAX_CLAIM)
}

/// At most `max` bytes, cut at a character boundary, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// `2026-01-01 00:00:00 UTC` for a Unix time, or None when out of range.
pub fn utc_text(unix: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_summarizes() {
        let payload = crate::crypto::b64url(
            br#"{"sub":"u1","aud":["a","b"],"azp":"ocp-oauth","exp":1767225600,"iss":"https://kc/realms/demo","scope":"openid"}"#,
        );
        let token = format!("h.{payload}.sig");
        let s = summarize(&decode_unverified(&token).unwrap());
        assert_eq!(s.sub, "u1");
        assert_eq!(s.aud, vec!["a", "b"]);
        assert_eq!(s.azp, "ocp-oauth");
        assert_eq!(s.exp, Some(1_767_225_600));
        assert_eq!(utc_text(1_767_225_600).unwrap(), "2026-01-01 00:00:00 UTC");
    }

    #[test]
    fn garbage_is_none() {
        assert!(decode_unverified("not-a-jwt").is_none());
        assert!(decode_unverified("a.!!!.c").is_none());
    }

    #[test]
    fn truncate_respects_characters() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("權杖交換", 4), "權…");
    }
}
