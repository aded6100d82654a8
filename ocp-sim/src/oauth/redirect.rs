//! Redirect-URI matching as the OAuth server does it (osin's URI validation): a
//! requested URI is accepted when, for one registered URI, the scheme is the same, the
//! host is the same as written (or, for a registered `http` loopback IP without port,
//! any loopback IP with any port), neither has a fragment, and the path, once its dot
//! segments are resolved, is the registered path or below it segment-wise. The query is
//! free. The URI the server then redirects to is the settled one: scheme, host, the
//! resolved path and the query, nothing else.
//!
//! URIs are split the way Go's `net/url` splits them (not the WHATWG way the `url`
//! crate does), so hosts keep their case and odd input fails where Go fails.

use std::net::IpAddr;

/// The parts of a URI the matching looks at.
#[derive(Debug, PartialEq)]
struct Parts {
    scheme: String,
    /// Host and optional port, as written (Go's `URL.Host`).
    host: String,
    /// The path, percent-decoded.
    path: String,
    /// The query, as written, without `?`.
    query: String,
    /// The fragment, percent-decoded.
    fragment: String,
}

fn unhex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decoding that fails on a malformed escape, as Go's does.
fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = unhex(*bytes.get(i + 1)?)?;
            let lo = unhex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Go's path escaping: what it leaves alone, and `%XX` for everything else.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `:` followed by digits only, or nothing.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_host(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.find(']') {
            Some(end) => valid_optional_port(&rest[end + 1..]),
            None => false,
        };
    }
    match host.rfind(':') {
        Some(colon) => valid_optional_port(&host[colon..]),
        None => true,
    }
}

/// Go's `URL.Hostname()`: without port and brackets.
fn hostname(host: &str) -> &str {
    let mut name = host;
    if let Some(colon) = host.rfind(':')
        && valid_optional_port(&host[colon..])
    {
        name = &host[..colon];
    }
    name.strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name)
}

fn scheme_of(text: &str) -> Result<(String, &str), ()> {
    for (i, c) in text.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(()),
            b':' => return Ok((text[..i].to_ascii_lowercase(), &text[i + 1..])),
            _ => break,
        }
    }
    Ok((String::new(), text))
}

/// Splits `text` like Go's `url.Parse`; `None` where that fails.
fn parse(text: &str) -> Option<Parts> {
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    let (rest, fragment) = match text.split_once('#') {
        Some((rest, fragment)) => (rest, unescape(fragment)?),
        None => (text, String::new()),
    };
    let (scheme, rest) = scheme_of(rest).ok()?;
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, query.to_string()),
        None => (rest, String::new()),
    };
    let mut parts = Parts {
        scheme,
        host: String::new(),
        path: String::new(),
        query,
        fragment,
    };
    if !rest.starts_with('/') {
        if parts.scheme.is_empty() && rest.split('/').next().is_some_and(|s| s.contains(':')) {
            return None;
        }
        // An opaque URI ("scheme:thing") or a relative path: no host.
        if parts.scheme.is_empty() {
            parts.path = unescape(rest)?;
        }
        return Some(parts);
    }
    let path = match rest.strip_prefix("//") {
        Some(after) if !parts.scheme.is_empty() || !after.starts_with('/') => {
            let (authority, path) = match after.find('/') {
                Some(slash) => after.split_at(slash),
                None => (after, ""),
            };
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if !valid_host(host) {
                return None;
            }
            parts.host = unescape(host)?;
            path
        }
        _ => rest,
    };
    parts.path = unescape(path)?;
    Some(parts)
}

/// Removes `.` and `..` segments as Go's `ResolveReference` does for an absolute path.
fn resolve_dots(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let mut kept: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    kept.push("");
                }
            }
            ".." => {
                kept.pop();
                if i == last {
                    kept.push("");
                }
            }
            other => kept.push(other),
        }
    }
    format!("/{}", kept.join("/"))
}

fn is_loopback_ip(text: &str) -> bool {
    text.parse::<IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// One registered URI against the requested one.
enum Verdict {
    Match(String),
    Mismatch,
    /// Not a mismatch but an error (a blank or unparsable URI): the search stops.
    Broken,
}

fn check(registered: &str, requested: &str) -> Verdict {
    if registered.is_empty() || requested.is_empty() {
        return Verdict::Broken;
    }
    let (Some(base), Some(redirect)) = (parse(registered), parse(requested)) else {
        return Verdict::Broken;
    };
    if !base.fragment.is_empty() || !redirect.fragment.is_empty() || base.scheme != redirect.scheme
    {
        return Verdict::Mismatch;
    }
    let host = if redirect.host == base.host {
        &base.host
    } else if base.scheme == "http"
        && is_loopback_ip(&base.host)
        && is_loopback_ip(hostname(&redirect.host))
    {
        &redirect.host
    } else {
        return Verdict::Mismatch;
    };
    let base_path = resolve_dots(&base.path);
    let path = resolve_dots(&redirect.path);
    let below = format!("{}/", base_path.trim_end_matches('/'));
    if path != base_path && !path.starts_with(&below) {
        return Verdict::Mismatch;
    }
    let mut settled = format!("{}://{}{}", base.scheme, host, escape_path(&path));
    if !redirect.query.is_empty() {
        settled.push('?');
        settled.push_str(&redirect.query);
    }
    Verdict::Match(settled)
}

/// The URI to redirect to when `requested` is allowed by one of `registered`, in order.
pub fn settle(registered: &[String], requested: &str) -> Option<String> {
    for base in registered {
        match check(base, requested) {
            Verdict::Match(settled) => return Some(settled),
            Verdict::Mismatch => continue,
            Verdict::Broken => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(registered: &str, requested: &str) -> Option<String> {
        settle(&[registered.to_string()], requested)
    }

    #[test]
    fn dot_segments_resolve_like_go() {
        assert_eq!(resolve_dots("/a/b/../c"), "/a/c");
        assert_eq!(resolve_dots("/a/./b/"), "/a/b/");
        assert_eq!(resolve_dots("/a/b/.."), "/a/");
        assert_eq!(resolve_dots("/../../x"), "/x");
        assert_eq!(resolve_dots("/"), "/");
        assert_eq!(resolve_dots(""), "");
    }

    #[test]
    fn escaped_dots_are_dots_once_decoded() {
        assert_eq!(
            one("https://a.example/cb", "https://a.example/cb/%2e%2e/x"),
            None
        );
        assert_eq!(
            one("https://a.example/cb", "https://a.example/cb/%2e%2e/cb/x").as_deref(),
            Some("https://a.example/cb/x")
        );
    }

    #[test]
    fn path_is_reescaped_and_query_kept_as_written() {
        assert_eq!(
            one("https://a.example/cb", "https://a.example/cb/a%20b?x=%20&y").as_deref(),
            Some("https://a.example/cb/a%20b?x=%20&y")
        );
        assert_eq!(
            one("https://a.example/cb", "https://a.example/cb?").as_deref(),
            Some("https://a.example/cb")
        );
    }

    #[test]
    fn userinfo_is_ignored_and_dropped() {
        assert_eq!(
            one("https://a.example/cb", "https://me@a.example/cb").as_deref(),
            Some("https://a.example/cb")
        );
    }

    #[test]
    fn loopback_needs_a_portless_http_ip_registration() {
        assert_eq!(
            one("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb"),
            None
        );
        assert_eq!(one("http://localhost/cb", "http://localhost:9090/cb"), None);
        assert!(one("http://[::1]/cb", "http://[::1]:9090/cb").is_none());
        assert!(one("http://127.0.0.1/cb", "http://[::ffff:127.0.0.1]:1/cb").is_some());
    }

    #[test]
    fn a_broken_registration_stops_the_search() {
        let list = [
            "https://a.example:x/cb".to_string(),
            "https://a.example/cb".to_string(),
        ];
        assert_eq!(settle(&list, "https://a.example/cb"), None);
        let list = [
            "https://b.example/cb".to_string(),
            "https://a.example/cb".to_string(),
        ];
        assert!(settle(&list, "https://a.example/cb").is_some());
    }
}
