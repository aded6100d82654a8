//! Hostile input to every route of the app: forged `state`, codes and callbacks carried
//! into another session or replayed, redirect-style parameters and absolute URLs, header
//! injection (CR/LF in query values and cookies), huge headers, many cookies, forged and
//! tampered session cookies and cookies signed with another key, bytes that are not
//! UTF-8 in the path and the query, oversized query strings and bodies, wrong methods.
//!
//! Requests are written byte for byte on a TcpStream (an HTTP client refuses most of
//! them) and every answer is held to the same rules:
//! - never a 500, and no handler panic (`demo_app_handler_panics_total` stays 0);
//! - the app stays up: `/health` answers 200 after every single request;
//! - no `Location` leaves the app's own origin or the configured Keycloak and OpenShift,
//!   and the redirect URIs those carry lead back to the app;
//! - no header or body holds a token or secret the fakes issued or the app was given
//!   (access, ID, refresh and exchanged tokens, the OpenShift token beyond the 40
//!   characters the page shows by design, PKCE verifiers, client secrets, the session
//!   key), no injected header, no markup from the request.
//!
//! The last tests are positive controls: each detector is shown to detect.

use std::time::Duration;

use crate::support::{Harness, query};
use demo_app::metrics::Route;
use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ------------------------------------------------------------------------------------
// The wire: requests written as bytes, answers parsed by hand
// ------------------------------------------------------------------------------------

/// A request as bytes: anything may be put in it.
#[derive(Clone)]
struct Req {
    method: Vec<u8>,
    target: Vec<u8>,
    version: &'static str,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    /// Sent instead of everything above when set.
    raw: Option<Vec<u8>>,
    /// Close the writing half once sent: a server that waits for more (an HTTP/2 server,
    /// in a build where hyper has HTTP/2, waits for the client's SETTINGS) then ends too.
    half_close: bool,
}

fn get(target: impl AsRef<[u8]>) -> Req {
    Req {
        method: b"GET".to_vec(),
        target: target.as_ref().to_vec(),
        version: "HTTP/1.1",
        headers: Vec::new(),
        body: Vec::new(),
        raw: None,
        half_close: false,
    }
}

fn raw(bytes: impl AsRef<[u8]>) -> Req {
    Req {
        raw: Some(bytes.as_ref().to_vec()),
        ..get("/")
    }
}

impl Req {
    fn method(mut self, m: impl AsRef<[u8]>) -> Req {
        self.method = m.as_ref().to_vec();
        self
    }

    fn header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Req {
        self.headers
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }

    fn cookie(self, value: impl AsRef<[u8]>) -> Req {
        self.header("Cookie", value)
    }

    fn body(mut self, body: Vec<u8>) -> Req {
        self.body = body;
        self
    }

    fn bytes(&self, host: &str) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut out = Vec::with_capacity(256 + self.body.len());
        out.extend_from_slice(&self.method);
        out.push(b' ');
        out.extend_from_slice(&self.target);
        out.extend_from_slice(format!(" {}\r\n", self.version).as_bytes());
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        };
        if !has("host") {
            out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n");
        if !self.body.is_empty() && !has("content-length") && !has("transfer-encoding") {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The start of the request, printable, for failure messages.
    fn shown(&self) -> String {
        show(&self.bytes("app"), 300)
    }
}

fn show(bytes: &[u8], max: usize) -> String {
    let text = format!(
        "{:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(max)])
    );
    if bytes.len() > max {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

/// An answer read off the wire. `status` is None when the server closed the connection
/// without answering (which it may do to a request it cannot parse).
#[derive(Debug, Default, Clone)]
struct Wire {
    status: Option<u16>,
    /// Names in lower case, values as sent.
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Wire {
    fn all(&self, name: &str) -> impl Iterator<Item = String> + '_ {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    fn header(&self, name: &str) -> Option<String> {
        self.all(name).next()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `data-kind` of the page's error box.
    fn error_kind(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("data-kind=\"")? + "data-kind=\"".len();
        let end = start + text[start..].find('"')?;
        Some(text[start..end].to_string())
    }

    fn page_state(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("data-state=\"")? + "data-state=\"".len();
        let end = start + text[start..].find('"')?;
        Some(text[start..end].to_string())
    }
}

/// Parses a whole HTTP/1.1 answer (the server closed the connection after it).
fn parse_answer(raw: &[u8]) -> Wire {
    let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Wire::default();
    };
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers: Vec<(String, Vec<u8>)> = raw[..head_end]
        .split(|b| *b == b'\n')
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let colon = line.iter().position(|b| *b == b':')?;
            let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
            let value = line[colon + 1..].trim_ascii().to_vec();
            Some((name, value))
        })
        .collect();
    let rest = &raw[head_end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case(b"chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Wire {
        status,
        headers,
        body,
    }
}

/// The payload of a chunked body, so that nothing can hide across a chunk boundary.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        rest = &rest[eol + 2..];
        if size == 0 || rest.len() < size {
            body.extend_from_slice(&rest[..size.min(rest.len())]);
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    body
}

/// Writes `bytes` on a fresh connection and reads the answer until the server closes.
/// The writing half stays open while reading (a half-closed connection may be dropped
/// before the answer), and write errors are expected: the server may answer and close
/// before it has read a large body.
async fn exchange(addr: &str, bytes: Vec<u8>, half_close: bool) -> Result<Wire, String> {
    let stream = TcpStream::connect(addr).await.expect("connect to the app");
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        let _ = writer.flush().await;
        if half_close {
            let _ = writer.shutdown().await;
        }
        writer
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return Err("the app did not answer nor close within 20 s".into());
    }
    drop(write.await);
    Ok(parse_answer(&answer))
}

// ------------------------------------------------------------------------------------
// The detectors
// ------------------------------------------------------------------------------------

/// One secret and the texts that would give it away.
struct Secret {
    what: String,
    needles: Vec<String>,
}

impl Secret {
    /// `shown` is how many leading characters may appear by design (the page shows the
    /// first 40 characters of the OpenShift token).
    fn new(what: impl Into<String>, value: &str, shown: usize) -> Secret {
        let mut needles = vec![value.to_string()];
        // Any part of it past what is shown: its last characters (a JWT's signature)...
        let hidden = value.len().saturating_sub(shown);
        let tail = hidden.min(24);
        if tail >= 8 && tail < value.len() {
            needles.push(value[value.len() - tail..].to_string());
        }
        // ...and a JWT's payload segment as it stands in the token.
        let parts: Vec<&str> = value.split('.').collect();
        if parts.len() == 3 && parts[1].len() >= 16 {
            needles.push(parts[1].to_string());
        }
        Secret {
            what: what.into(),
            needles,
        }
    }
}

/// Every secret of this test bed so far: what the app was configured with, and what the
/// fakes issued or were sent.
fn secrets(h: &Harness) -> Vec<Secret> {
    let s = &h.app.settings;
    let mut all = vec![
        Secret::new("KC_CLIENT_SECRET", s.kc_client_secret.expose(), 0),
        Secret::new("KC_OCP_CLIENT_SECRET", s.kc_ocp_client_secret.expose(), 0),
        Secret::new(
            "OCP_OAUTH_CLIENT_SECRET",
            s.ocp_oauth_client_secret.expose(),
            0,
        ),
        Secret::new("FLASK_SECRET_KEY", s.session_key.expose(), 0),
    ];
    {
        let kc = h.kc.lock();
        let lists = [
            ("Keycloak access token", &kc.issued_access_tokens),
            ("ID token", &kc.issued_id_tokens),
            ("refresh token", &kc.issued_refresh_tokens),
            ("exchanged token", &kc.exchanged_tokens),
        ];
        for (what, list) in lists {
            all.extend(list.iter().map(|t| Secret::new(what, t, 0)));
        }
        for req in &kc.token_requests {
            if let Some(v) = req.get("code_verifier") {
                all.push(Secret::new("Keycloak PKCE verifier", v, 0));
            }
        }
    }
    let ocp = h.ocp.lock();
    all.extend(ocp.issued_tokens.iter().map(|t| {
        Secret::new(
            "OpenShift token",
            t,
            demo_app::openshift::TOKEN_PREFIX_CHARS,
        )
    }));
    for req in &ocp.token_requests {
        if let Some(v) = req.get("code_verifier") {
            all.push(Secret::new("OpenShift PKCE verifier", v, 0));
        }
    }
    all
}

/// The first secret an answer gives away, as "<what> (<text>) in <where>".
fn leaked(secrets: &[Secret], wire: &Wire) -> Option<String> {
    let places = wire
        .headers
        .iter()
        .map(|(name, value)| (format!("header {name}"), value))
        .chain(std::iter::once(("the body".to_string(), &wire.body)));
    for (place, bytes) in places {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            if let Some(n) = secret.needles.iter().find(|n| text.contains(n.as_str())) {
                return Some(format!("{} ({n:?}) in {place}", secret.what));
            }
        }
    }
    None
}

/// Where the app may send a browser: itself, and the configured Keycloak and OpenShift.
struct Origins {
    app: Url,
    allowed: Vec<url::Origin>,
}

impl Origins {
    fn of(h: &Harness) -> Origins {
        let app = Url::parse(&h.url).unwrap();
        let allowed = [&h.url, &h.kc.base, &h.ocp.base]
            .iter()
            .map(|u| Url::parse(u).unwrap().origin())
            .collect();
        Origins { app, allowed }
    }

    /// What is wrong with a `Location`, if anything: it leaves the allowed origins, or
    /// it carries a redirect URI (to Keycloak or OpenShift) that does not lead back here.
    fn check(&self, location: &str) -> Result<(), String> {
        let target = self
            .app
            .join(location)
            .map_err(|e| format!("Location {location:?} does not parse: {e}"))?;
        if !self.allowed.contains(&target.origin()) {
            return Err(format!("Location {location:?} leaves the app ({target})"));
        }
        for (name, value) in target.query_pairs() {
            if name.contains("redirect") {
                let back = self.app.join(&value).ok().map(|u| u.origin());
                if back != Some(self.app.origin()) {
                    return Err(format!(
                        "Location {location:?} sends {name}={value:?}, not back to the app"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A marker put in injection attempts; it must never come back as a header.
const MARK: &str = "pwned";

/// Everything one answer must satisfy, apart from the app staying up.
fn verdict(secrets: &[Secret], origins: &Origins, wire: &Wire) -> Result<(), String> {
    if wire.status == Some(500) {
        return Err(format!("a 500: {}", show(&wire.body, 400)));
    }
    if let Some(what) = leaked(secrets, wire) {
        return Err(format!("leaked {what}"));
    }
    for location in wire.all("location") {
        origins.check(&location)?;
    }
    for (name, value) in &wire.headers {
        let value = String::from_utf8_lossy(value).to_ascii_lowercase();
        if name.contains(MARK) || value.contains(MARK) {
            return Err(format!("injected header {name}: {value}"));
        }
    }
    for cookie in wire.all("set-cookie") {
        if !(cookie.starts_with("demo_session=") || cookie.starts_with("lang=")) {
            return Err(format!("sets a cookie that is not the app's: {cookie}"));
        }
    }
    // The app has no script at all (its CSP forbids it): any script tag is reflected.
    if wire.text().to_ascii_lowercase().contains("<script") {
        return Err("reflects a <script> tag".into());
    }
    Ok(())
}

/// `demo_app_handler_panics_total`, from the app's own metrics.
fn panics(h: &Harness) -> u64 {
    h.app
        .metrics
        .render(0)
        .lines()
        .find_map(|l| l.strip_prefix("demo_app_handler_panics_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the panic counter is rendered")
}

/// `/health` on a fresh connection.
async fn healthy(addr: &str) -> Result<(), String> {
    let Ok(stream) = TcpStream::connect(addr).await else {
        return Err(format!("nothing listens on {addr}"));
    };
    drop(stream);
    let wire = exchange(addr, get("/health").bytes(addr), false).await?;
    if wire.status == Some(200) && wire.body == br#"{"status":"ok"}"# {
        Ok(())
    } else {
        Err(format!(
            "/health answered {:?} {}",
            wire.status,
            show(&wire.body, 200)
        ))
    }
}

// ------------------------------------------------------------------------------------
// The probe: sends, checks, and drives a browser's session by hand
// ------------------------------------------------------------------------------------

struct Probe {
    h: Harness,
    addr: String,
    origins: Origins,
    /// A client for the fakes' authorization endpoints (not the app).
    browser: reqwest::Client,
    sent: usize,
}

impl Probe {
    async fn start() -> Probe {
        let h = Harness::start().await;
        let addr = h.url.trim_start_matches("http://").to_string();
        let origins = Origins::of(&h);
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        Probe {
            h,
            addr,
            origins,
            browser,
            sent: 0,
        }
    }

    /// Sends a request to the app and holds the answer to every rule; then the app must
    /// still answer `/health` and have caught no panic.
    /// Sends `req` and expects it refused with `status` and the app's error `kind`.
    async fn expect_refused(&mut self, what: &str, req: &Req, status: u16, kind: &str) -> Wire {
        let w = self.send(what, req).await;
        assert_eq!(
            (w.status, w.error_kind().as_deref()),
            (Some(status), Some(kind)),
            "{what}"
        );
        w
    }

    async fn send(&mut self, what: &str, req: &Req) -> Wire {
        let wire = exchange(&self.addr, req.bytes(&self.addr), req.half_close)
            .await
            .unwrap_or_else(|why| panic!("{what}: {why}\n  request: {}", req.shown()));
        self.sent += 1;
        if let Err(why) = verdict(&secrets(&self.h), &self.origins, &wire) {
            panic!("{what}: {why}\n  request: {}", req.shown());
        }
        if let Err(why) = healthy(&self.addr).await {
            panic!(
                "{what}: the app is down afterwards: {why}\n  request: {}",
                req.shown()
            );
        }
        assert_eq!(
            panics(&self.h),
            0,
            "{what}: a handler panicked\n  request: {}",
            req.shown()
        );
        wire
    }

    /// Visits a fake's authorization endpoint; returns the callback it sends back to.
    async fn authorize(&self, url: &Url) -> Url {
        let r = self.browser.get(url.as_str()).send().await.unwrap();
        assert_eq!(r.status(), 302, "the fake refused {url}");
        Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// A browser that has reached `state`; returns it with the authorization URL it was
    /// last sent to (for the pending states).
    async fn browser(&mut self, state: State) -> Browser {
        let mut b = Browser::default();
        if state == State::SignedOut {
            return b;
        }
        let w = self.send("set-up: /login", &b.get("/login")).await;
        b.update(&w);
        b.auth = Some(location(&w));
        if state == State::PendingLogin {
            return b;
        }
        let callback = self.authorize(b.auth.as_ref().unwrap()).await;
        let w = self
            .send("set-up: Keycloak callback", &b.get(path_of(&callback)))
            .await;
        assert_eq!(w.status, Some(303), "sign-in failed: {:?}", w.error_kind());
        b.update(&w);
        if state == State::SignedIn {
            return b;
        }
        let w = self
            .send("set-up: /call-ocp-api", &b.get("/call-ocp-api"))
            .await;
        assert_eq!(w.status, Some(303), "exchange failed: {:?}", w.error_kind());
        b.auth = Some(location(&w));
        if state == State::PendingOcp {
            return b;
        }
        let callback = self.authorize(b.auth.as_ref().unwrap()).await;
        let w = self
            .send("set-up: OpenShift callback", &b.get(path_of(&callback)))
            .await;
        assert_eq!(
            w.status,
            Some(303),
            "OpenShift failed: {:?}",
            w.error_kind()
        );
        b
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    SignedOut,
    PendingLogin,
    SignedIn,
    PendingOcp,
    Complete,
}

/// A browser's cookies, kept by hand.
#[derive(Default)]
struct Browser {
    session: Option<String>,
    auth: Option<Url>,
}

impl Browser {
    fn get(&self, target: impl AsRef<[u8]>) -> Req {
        let req = get(target);
        match &self.session {
            Some(s) => req.cookie(format!("demo_session={s}")),
            None => req,
        }
    }

    fn update(&mut self, wire: &Wire) {
        for cookie in wire.all("set-cookie") {
            if let Some(rest) = cookie.strip_prefix("demo_session=") {
                let value = rest.split(';').next().unwrap_or("");
                self.session = (!value.is_empty()).then(|| value.to_string());
            }
        }
    }
}

fn location(wire: &Wire) -> Url {
    let loc = wire
        .header("location")
        .unwrap_or_else(|| panic!("no Location: {:?} {:?}", wire.status, wire.error_kind()));
    Url::parse(&loc).unwrap()
}

/// `/callback/keycloak?code=..&state=..` of a URL.
fn path_of(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The app's routes, from its own route table (so a new route is covered here too),
/// and a path it does not know.
fn routes() -> Vec<&'static str> {
    let mut routes: Vec<&str> = Route::ALL
        .iter()
        .filter(|r| **r != Route::Other)
        .map(|r| r.label())
        .collect();
    for r in &routes {
        assert_eq!(Route::from_path(r).label(), *r);
    }
    routes.push("/no/such/page");
    routes
}

// ------------------------------------------------------------------------------------
// The hostile requests
// ------------------------------------------------------------------------------------

/// A session cookie value signed with `key` for a random id (the app's format:
/// base64url id, '.', base64url HMAC-SHA256 of the id text).
fn signed_cookie(key: &str) -> String {
    let id = demo_app::crypto::b64url(&demo_app::crypto::random_bytes());
    let sig = demo_app::crypto::hmac_sha256(key.as_bytes(), id.as_bytes());
    format!("{id}.{}", demo_app::crypto::b64url(&sig))
}

/// The same text with one character changed.
fn flipped(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

/// What to expect of an answer beyond the common rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Anything,
    /// 405 with `Allow: GET, HEAD`.
    WrongMethod,
    /// 414 from the app's own limit.
    TooLong,
    /// The server may refuse the request itself (400, 414, 431) or close the connection.
    Refused,
    /// Not signed in (on `/`: the signed-out page).
    NoSession,
}

/// The hostile requests for one route, sent with `session` (the browser's own cookie
/// value, if it has one) unless the request is about cookies. `heavy` adds the requests
/// with megabytes of header or body.
fn hostile(
    route: &str,
    session: Option<&str>,
    key: &str,
    heavy: bool,
) -> Vec<(String, Req, Expect)> {
    use Expect::*;
    let own = |req: Req| match session {
        Some(s) => req.cookie(format!("demo_session={s}")),
        None => req,
    };
    let state43 = demo_app::crypto::random_token();
    let mut out: Vec<(String, Req, Expect)> = vec![
        ("plain".into(), own(get(route)), Anything),
        ("HEAD".into(), own(get(route).method("HEAD")), Anything),
        (
            "forged state".into(),
            own(get(format!("{route}?code=forged-code&state={state43}"))),
            Anything,
        ),
        (
            "redirect parameters".into(),
            own(get(format!(
                "{route}?redirect=https%3A%2F%2Fevil.example%2F&next=%2F%2Fevil.example&return_to=https://evil.example/x\
                 &returnTo=//evil.example&redirect_uri=https://evil.example/cb&post_logout_redirect_uri=https://evil.example/\
                 &url=javascript:alert(1)&continue=http://evil.example&goto=/%5Cevil.example"
            ))),
            Anything,
        ),
        (
            "absolute-form target and a foreign Host".into(),
            own(get(format!("http://evil.example{route}")).header("Host", "evil.example")),
            Anything,
        ),
        (
            "forwarding headers".into(),
            own(get(route)
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "https")
                .header("Forwarded", "host=evil.example;proto=https")
                .header("X-Original-URL", "//evil.example/")
                .header("X-Rewrite-URL", "https://evil.example/")),
            Anything,
        ),
        (
            "CR/LF percent-encoded in query values".into(),
            own(get(format!(
                "{route}?state=a%0d%0aSet-Cookie:%20{MARK}=1&code=b%0d%0aX-{MARK}:%201\
                 &lang=en%0d%0aLocation:%20https://evil.example&error=x%0d%0a{MARK}\
                 &error_description=%3Cscript%3E{MARK}()%3C/script%3E%0d%0aX-{MARK}:%201"
            ))),
            Anything,
        ),
        (
            "raw CR in the query".into(),
            own(get(format!("{route}?state=a\rX-{MARK}: 1"))),
            Refused,
        ),
        (
            "raw LF in the query".into(),
            own(get(format!("{route}?state=a\nX-{MARK}: 1"))),
            Refused,
        ),
        (
            "CR/LF in a cookie (a second header line)".into(),
            get(route).cookie(format!("demo_session=x\r\nX-{MARK}: 1")),
            Anything,
        ),
        (
            "bare CR in a cookie".into(),
            get(route).cookie(format!("demo_session=a\rSet-Cookie: {MARK}=1")),
            Refused,
        ),
        (
            "bytes that are not UTF-8 in cookies".into(),
            get(route).cookie(b"demo_session=\xff\xfe\x80; lang=\xc3\x28".as_slice()),
            Anything,
        ),
        (
            "a 60 KB header".into(),
            own(get(route).header("X-Filler", "a".repeat(60 * 1024))),
            Anything,
        ),
        (
            "150 headers".into(),
            (0..150).fold(own(get(route)), |r, i| r.header(format!("X-H{i}"), "v")),
            Refused,
        ),
        (
            "3000 cookies, the session's last".into(),
            get(route).cookie(
                (0..3000)
                    .map(|i| format!("c{i}=v{i}"))
                    .chain(session.map(|s| format!("demo_session={s}")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Anything,
        ),
        (
            "60 Cookie headers".into(),
            (0..60).fold(own(get(route)), |r, i| r.cookie(format!("k{i}=v{i}"))),
            Anything,
        ),
        (
            "Accept-Language junk".into(),
            own(get(route).header(
                "Accept-Language",
                "zh;q=NaN, en;q=-1, *;q=1e999, zh-Hant-;q=0.5, ;;;=, q=, zh-TW;q=0.9;q=2",
            )),
            Anything,
        ),
        (
            "a control character in a header".into(),
            own(get(route).header("Accept-Language", "en\u{7}zh")),
            Refused,
        ),
        (
            "a 20 KB Accept-Language".into(),
            own(get(route).header("Accept-Language", "zh-TW,".repeat(3000))),
            Anything,
        ),
        (
            "lang cookie with markup".into(),
            own(get(route)).cookie(format!("lang=<script>{MARK}</script>")),
            Anything,
        ),
        // Forged and tampered session cookies: never a session.
        (
            "garbage session cookie".into(),
            get(route).cookie("demo_session=garbage"),
            NoSession,
        ),
        (
            "empty session cookie".into(),
            get(route).cookie("demo_session="),
            NoSession,
        ),
        (
            "session cookie of the right shape, not base64".into(),
            get(route).cookie(format!(
                "demo_session={}.{}",
                "!".repeat(43),
                "!".repeat(43)
            )),
            NoSession,
        ),
        (
            "session cookie signed with another key".into(),
            get(route).cookie(format!(
                "demo_session={}",
                signed_cookie("another-key-that-is-long-enough")
            )),
            NoSession,
        ),
        (
            "session cookie signed with the app's key for an id it never issued".into(),
            get(route).cookie(format!("demo_session={}", signed_cookie(key))),
            NoSession,
        ),
        (
            "a 10 KB session cookie".into(),
            get(route).cookie(format!("demo_session={}", "A".repeat(10 * 1024))),
            NoSession,
        ),
        // Bytes that are not UTF-8, raw and percent-encoded, in the path and the query.
        (
            "raw bytes in the path".into(),
            own(get([route.as_bytes(), b"\xff\xfe\xc0\xaf"].concat())),
            Refused,
        ),
        (
            "percent-encoded bytes in the path".into(),
            own(get(format!("{route}%ff%fe%c0%af"))),
            Anything,
        ),
        (
            "dot segments in the path".into(),
            own(get(format!("{route}/..%2f..%2f..%2fetc%2fpasswd"))),
            Anything,
        ),
        (
            "raw bytes in the query".into(),
            own(get([
                route.as_bytes(),
                b"?state=\xff\xfe&code=\xc0\xaf&lang=\x80",
            ]
            .concat())),
            Refused,
        ),
        (
            "percent-encoded bytes in the query".into(),
            own(get(format!(
                "{route}?state=%ff%fe&code=%c0%af&lang=%ff&error=%fe"
            ))),
            Anything,
        ),
        // Size limits.
        (
            "a 5 KB query string".into(),
            own(get(format!("{route}?q={}", "q".repeat(5 * 1024)))),
            TooLong,
        ),
        (
            "a 3000-byte code and a 600-byte state".into(),
            own(get(format!(
                "{route}?code={}&state={}",
                "c".repeat(3000),
                "s".repeat(600)
            ))),
            Anything,
        ),
        (
            "a 64 KB body on GET".into(),
            own(get(route).body(vec![b'x'; 64 * 1024])),
            Anything,
        ),
        (
            "a chunked body".into(),
            own(get(route)
                .method("POST")
                .header("Transfer-Encoding", "chunked")
                .body(b"5\r\nhello\r\nfffffff\r\nxx".to_vec())),
            WrongMethod,
        ),
        (
            "a Content-Length larger than the body".into(),
            own(get(route)
                .header("Content-Length", "100000")
                .body(b"short".to_vec())),
            Anything,
        ),
        (
            "Expect: 100-continue".into(),
            own(get(route)
                .method("POST")
                .header("Expect", "100-continue")
                .body(vec![b'y'; 1000])),
            WrongMethod,
        ),
        // Other protocol versions, and what is not HTTP at all.
        (
            "HTTP/1.0 without Host".into(),
            raw(format!("GET {route} HTTP/1.0\r\n\r\n")),
            Anything,
        ),
        (
            "an HTTP/2 preface".into(),
            Req {
                half_close: true,
                ..raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            },
            Refused,
        ),
        (
            "a request line of garbage".into(),
            raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
            Refused,
        ),
    ];
    // Wrong methods.
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "get",
    ] {
        out.push((
            format!("method {method}"),
            own(get(route).method(method).body(b"a=1".to_vec())),
            WrongMethod,
        ));
    }
    out.push((
        "method CONNECT".into(),
        own(get("127.0.0.1:1").method("CONNECT")),
        Refused,
    ));
    if let Some(s) = session {
        let (id, sig) = s.split_once('.').unwrap();
        for (what, value) in [
            (
                "the session cookie with its signature changed",
                format!("{id}.{}", flipped(sig, 3)),
            ),
            (
                "the session cookie with its id changed",
                format!("{}.{sig}", flipped(id, 3)),
            ),
            (
                "the session cookie's id signed by its id",
                format!("{id}.{id}"),
            ),
        ] {
            out.push((
                what.into(),
                get(route).cookie(format!("demo_session={value}")),
                NoSession,
            ));
        }
        out.push((
            "a forged session cookie before the real one".into(),
            get(route).cookie(format!("demo_session=forged.cookie; demo_session={s}")),
            NoSession,
        ));
    }
    if heavy {
        out.extend([
            (
                "a 1 MB header".into(),
                own(get(route).header("X-Filler", "b".repeat(1024 * 1024))),
                Refused,
            ),
            (
                "a 70 KB query string".into(),
                own(get(format!("{route}?state={}", "s".repeat(70 * 1024)))),
                Refused,
            ),
            (
                "an 8 MB body".into(),
                own(get(route).method("POST").body(vec![b'z'; 8 * 1024 * 1024])),
                Refused,
            ),
        ]);
    }
    out
}

/// The expectations beyond the common rules.
fn expect(what: &str, route: &str, expect: Expect, wire: &Wire) {
    match expect {
        Expect::Anything => {}
        Expect::WrongMethod => {
            assert_eq!(wire.status, Some(405), "{route}, {what}");
            assert_eq!(
                wire.header("allow").as_deref(),
                Some("GET, HEAD"),
                "{route}, {what}"
            );
        }
        Expect::TooLong => assert_eq!(wire.status, Some(414), "{route}, {what}"),
        Expect::Refused => assert!(
            matches!(wire.status, None | Some(400 | 405 | 414 | 431)),
            "{route}, {what}: {:?}",
            wire.status
        ),
        Expect::NoSession => {
            if route == "/" {
                assert_eq!(wire.status, Some(200), "{route}, {what}");
                assert_eq!(
                    wire.page_state().as_deref(),
                    Some("signed-out"),
                    "{route}, {what}"
                );
                assert!(
                    wire.all("set-cookie")
                        .any(|c| c.starts_with("demo_session=;") && c.contains("Max-Age=0")),
                    "{route}, {what}: the dead cookie is not dropped"
                );
            }
            if route == "/call-ocp-api" {
                assert_eq!(wire.status, Some(400), "{route}, {what}");
                assert_eq!(
                    wire.error_kind().as_deref(),
                    Some("not_signed_in"),
                    "{route}, {what}"
                );
            }
            if route.starts_with("/callback/") {
                assert_eq!(wire.status, Some(400), "{route}, {what}");
            }
        }
    }
}

/// Routes that use up the state a browser is in (a sign-out, a token exchange): those get
/// a fresh browser for every request.
fn consumes(route: &str, state: State) -> bool {
    match route {
        "/logout" => state != State::SignedOut,
        "/call-ocp-api" => state == State::SignedIn,
        _ => false,
    }
}

async fn every_route_in(states: &[State]) {
    let mut p = Probe::start().await;
    let key = p.h.app.settings.session_key.expose().to_string();
    for (i, &state) in states.iter().enumerate() {
        let heavy = i == 0;
        for route in routes() {
            let b = p.browser(state).await;
            let mut requests = hostile(route, b.session.as_deref(), &key, heavy);
            for n in 0..requests.len() {
                if consumes(route, state) && n > 0 {
                    let b = p.browser(state).await;
                    requests = hostile(route, b.session.as_deref(), &key, heavy);
                }
                let (what, req, exp) = &requests[n];
                let label = format!("{state:?}, {route}, {what}");
                let wire = p.send(&label, req).await;
                expect(&label, route, *exp, &wire);
            }
        }
    }
    eprintln!("{states:?}: {} requests, each followed by /health", p.sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_signed_out_and_mid_sign_in() {
    every_route_in(&[State::SignedOut, State::PendingLogin]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_signed_in_and_mid_openshift() {
    every_route_in(&[State::SignedIn, State::PendingOcp]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_after_the_whole_flow() {
    every_route_in(&[State::Complete]).await;
}

// ------------------------------------------------------------------------------------
// Callbacks carried into another session, and replayed
// ------------------------------------------------------------------------------------

/// `code` and `state` of a callback URL.
fn code_state(callback: &Url) -> (String, String) {
    let q = query(callback);
    (q["code"].clone(), q["state"].clone())
}

fn redeemed(h: &Harness) -> (usize, usize) {
    (
        h.kc.lock().token_requests.len(),
        h.ocp.lock().token_requests.len(),
    )
}

#[tokio::test]
async fn callbacks_cannot_cross_sessions_or_be_replayed() {
    let mut p = Probe::start().await;

    // --- Keycloak. Sessions A and B each start a sign-in; A's comes back.
    let mut a = p.browser(State::PendingLogin).await;
    let mut b = p.browser(State::PendingLogin).await;
    let a_callback = p.authorize(a.auth.as_ref().unwrap()).await;
    let (a_code, _) = code_state(&a_callback);
    let b_state = query(b.auth.as_ref().unwrap())["state"].clone();
    let before = redeemed(&p.h);

    // A's callback, whole, in B: B's sign-in is for another state.
    p.expect_refused(
        "A's Keycloak callback in B",
        &b.get(path_of(&a_callback)),
        400,
        "state_mismatch",
    )
    .await;
    // A's callback with no session at all.
    p.expect_refused(
        "A's Keycloak callback without a session",
        &get(path_of(&a_callback)),
        400,
        "sign_in_expired",
    )
    .await;
    // A's real code with a forged state, in A.
    let forged = format!(
        "/callback/keycloak?code={a_code}&state={}",
        demo_app::crypto::random_token()
    );
    p.expect_refused(
        "A's code with a forged state in A",
        &a.get(&forged),
        400,
        "state_mismatch",
    )
    .await;
    assert_eq!(
        redeemed(&p.h),
        before,
        "no code is redeemed for a foreign callback"
    );

    // A's genuine callback in A: signed in, with a new session id.
    let a_old_cookie = a.session.clone().unwrap();
    let w = p
        .send("A's own callback", &a.get(path_of(&a_callback)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    a.update(&w);
    assert_ne!(a.session, Some(a_old_cookie.clone()), "rotated at sign-in");
    let spent = redeemed(&p.h);

    // Replayed: twice in A, in B, and with A's cookie from before the sign-in.
    for (what, req) in [
        ("A's callback replayed in A", a.get(path_of(&a_callback))),
        (
            "A's callback replayed in A again",
            a.get(path_of(&a_callback)),
        ),
        ("A's used callback in B", b.get(path_of(&a_callback))),
        (
            "A's used callback with A's pre-sign-in cookie",
            get(path_of(&a_callback)).cookie(format!("demo_session={a_old_cookie}")),
        ),
    ] {
        let w = p.send(what, &req).await;
        assert_eq!(w.status, Some(400), "{what}: {:?}", w.error_kind());
    }
    assert_eq!(redeemed(&p.h), spent, "a replayed callback redeems nothing");
    let old = get("/").cookie(format!("demo_session={a_old_cookie}"));
    let w = p.send("A's pre-sign-in cookie", &old).await;
    assert_eq!(
        w.page_state().as_deref(),
        Some("signed-out"),
        "the old id is worthless"
    );

    // Code injection: a fresh code of A's, with B's own state, in B. The state matches,
    // but B's PKCE verifier does not match A's challenge: Keycloak refuses, B stays out.
    let w = p.send("A signs in again", &a.get("/login")).await;
    a.update(&w);
    let a_code = code_state(&p.authorize(&location(&w)).await).0;
    let injected = format!("/callback/keycloak?code={a_code}&state={b_state}");
    p.expect_refused(
        "A's code with B's state in B",
        &b.get(&injected),
        502,
        "token_request_refused",
    )
    .await;
    assert_eq!(p.h.kc.lock().pkce_results.last(), Some(&false));
    let w = p.send("B after the injected code", &b.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("signed-out"));
    // B's own response now finds its sign-in used up; a new one works.
    let b_callback = p.authorize(b.auth.as_ref().unwrap()).await;
    p.expect_refused(
        "B's own callback after the injection",
        &b.get(path_of(&b_callback)),
        400,
        "response_already_used",
    )
    .await;
    let w = p.send("B signs in again", &b.get("/login")).await;
    b.update(&w);
    let b_callback = p.authorize(&location(&w)).await;
    let w = p
        .send("B's new callback", &b.get(path_of(&b_callback)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    b.update(&w);

    // --- OpenShift. Both are signed in and start step 2; A's response comes back.
    let wa = p.send("A calls the OCP API", &a.get("/call-ocp-api")).await;
    let wb = p.send("B calls the OCP API", &b.get("/call-ocp-api")).await;
    assert_eq!(
        (wa.status, wb.status),
        (Some(303), Some(303)),
        "{:?}",
        wa.error_kind()
    );
    let a_ocp = p.authorize(&location(&wa)).await;
    let b_ocp_state = query(&location(&wb))["state"].clone();
    let before = redeemed(&p.h);

    p.expect_refused(
        "A's OpenShift callback in B",
        &b.get(path_of(&a_ocp)),
        400,
        "state_mismatch",
    )
    .await;
    p.expect_refused(
        "A's OpenShift callback without a session",
        &get(path_of(&a_ocp)),
        400,
        "sign_in_expired",
    )
    .await;
    assert_eq!(redeemed(&p.h), before);

    // A's own: complete; then replays are refused and redeem nothing.
    let w = p
        .send("A's own OpenShift callback", &a.get(path_of(&a_ocp)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    let spent = redeemed(&p.h);
    for (what, req) in [
        (
            "A's OpenShift callback replayed in A",
            a.get(path_of(&a_ocp)),
        ),
        (
            "A's OpenShift callback replayed in B",
            b.get(path_of(&a_ocp)),
        ),
    ] {
        let w = p.send(what, &req).await;
        assert_eq!(w.status, Some(400), "{what}: {:?}", w.error_kind());
    }
    assert_eq!(redeemed(&p.h), spent);
    let w = p.send("A's page", &a.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("complete"));

    // Code injection on OpenShift: a code issued for A's request, with B's state, in B.
    // The verifier is B's, the challenge A's: OpenShift refuses, no API call is made.
    let again = p.browser(State::PendingOcp).await;
    let other_code = code_state(&p.authorize(again.auth.as_ref().unwrap()).await).0;
    let calls = p.h.ocp.lock().api_requests.len();
    let injected = format!("/callback/ocp?code={other_code}&state={b_ocp_state}");
    p.expect_refused(
        "another session's OpenShift code with B's state in B",
        &b.get(&injected),
        502,
        "token_request_refused",
    )
    .await;
    assert_eq!(p.h.ocp.lock().pkce_results.last(), Some(&false));
    assert_eq!(
        p.h.ocp.lock().api_requests.len(),
        calls,
        "no API call with a foreign code"
    );
    let w = p.send("B after the injected code", &b.get("/")).await;
    assert_ne!(w.page_state().as_deref(), Some("complete"));
    eprintln!("cross-session and replays: {} requests", p.sent);
}

// ------------------------------------------------------------------------------------
// Positive controls: the detectors detect
// ------------------------------------------------------------------------------------

#[tokio::test]
async fn controls_the_secret_scanner_finds_what_it_should() {
    let mut p = Probe::start().await;
    // A complete flow, so every kind of token has been issued.
    let b = p.browser(State::Complete).await;
    let all = secrets(&p.h);
    let (access, id_token, refresh, ocp) = {
        let kc = p.h.kc.lock();
        let ocp = p.h.ocp.lock();
        (
            kc.issued_access_tokens[0].clone(),
            kc.issued_id_tokens[0].clone(),
            kc.issued_refresh_tokens[0].clone(),
            ocp.issued_tokens[0].clone(),
        )
    };
    let page = |body: String| Wire {
        status: Some(200),
        headers: vec![("content-type".into(), b"text/html".to_vec())],
        body: body.into_bytes(),
    };
    // Whole tokens, in a body or a header.
    assert!(leaked(&all, &page(format!("<code>{access}</code>"))).is_some());
    assert!(leaked(&all, &page(refresh.clone())).is_some());
    let mut in_header = page(String::new());
    in_header
        .headers
        .push(("x-debug".into(), id_token.clone().into_bytes()));
    assert!(leaked(&all, &in_header).unwrap().contains("header x-debug"));
    // Parts of them: a JWT's signature, its payload segment, the OpenShift token's end.
    let sig = id_token.rsplit('.').next().unwrap();
    assert!(leaked(&all, &page(format!("sig={sig}"))).is_some());
    let payload = access.split('.').nth(1).unwrap();
    assert!(leaked(&all, &page(payload.to_string())).is_some());
    assert!(leaked(&all, &page(ocp[20..].to_string())).is_some());
    // Configured secrets.
    let key = p.h.app.settings.session_key.expose().to_string();
    assert!(
        leaked(&all, &page(format!("key: {key}")))
            .unwrap()
            .contains("FLASK_SECRET_KEY")
    );
    assert!(leaked(&all, &page(crate::support::keycloak::CLIENT_SECRET.into())).is_some());
    // A token split across chunks of a chunked body is found after dechunking.
    let (left, right) = access.split_at(access.len() / 2);
    let raw = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{left}\r\n{:x}\r\n{right}\r\n0\r\n\r\n",
        left.len(),
        right.len()
    );
    assert!(leaked(&all, &parse_answer(raw.as_bytes())).is_some());
    // What the page shows by design is not a leak: the first 40 characters of the
    // OpenShift token. And the real complete page passes.
    let prefix = &ocp[..demo_app::openshift::TOKEN_PREFIX_CHARS];
    assert_eq!(leaked(&all, &page(format!("<code>{prefix}…</code>"))), None);
    let w = p.send("the complete page", &b.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("complete"));
    assert!(w.text().contains(prefix), "the page shows the prefix");
    assert_eq!(leaked(&all, &w), None);
}

#[tokio::test]
async fn controls_redirect_header_and_status_checks_fail_when_they_should() {
    let p = Probe::start().await;
    let o = &p.origins;
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example/x",
        "http://evil.example@127.0.0.1.evil.example/",
        "javascript:alert(1)",
    ] {
        assert!(o.check(bad).is_err(), "accepted Location {bad}");
    }
    let kc_auth = format!("{}/protocol/openid-connect/auth", p.h.kc.issuer());
    assert!(
        o.check(&format!(
            "{kc_auth}?redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
        ))
        .is_err()
    );
    assert!(
        o.check(&format!(
            "{kc_auth}?post_logout_redirect_uri=https://evil.example/"
        ))
        .is_err()
    );
    for good in [
        "/".to_string(),
        format!("{}/", p.h.url),
        format!("{kc_auth}?redirect_uri={}/callback/keycloak", p.h.url),
        format!(
            "{}/oauth/authorize?redirect_uri={}/callback/ocp",
            p.h.ocp.base, p.h.url
        ),
    ] {
        assert_eq!(o.check(&good), Ok(()), "{good}");
    }

    let none = secrets(&p.h);
    let wire = |status: u16, headers: &[(&str, &str)], body: &str| Wire {
        status: Some(status),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
    };
    assert_eq!(
        verdict(&none, o, &wire(303, &[("location", "/")], "")),
        Ok(())
    );
    assert!(verdict(&none, o, &wire(500, &[], "oops")).is_err());
    assert!(
        verdict(
            &none,
            o,
            &wire(303, &[("location", "https://evil.example/")], "")
        )
        .is_err()
    );
    assert!(verdict(&none, o, &wire(200, &[("x-pwned", "1")], "")).is_err());
    assert!(verdict(&none, o, &wire(200, &[("set-cookie", "pwned=1")], "")).is_err());
    assert!(verdict(&none, o, &wire(200, &[], "<p><SCRIPT>pwned()</SCRIPT></p>")).is_err());

    // An injected header on the wire is seen by the parser.
    let raw = b"HTTP/1.1 303 See Other\r\nLocation: /\r\nX-pwned: 1\r\nContent-Length: 0\r\n\r\n";
    assert!(verdict(&none, o, &parse_answer(raw)).is_err());
}

#[tokio::test]
async fn controls_a_panic_or_a_dead_app_is_noticed() {
    let p = Probe::start().await;
    assert_eq!(panics(&p.h), 0);
    assert_eq!(healthy(&p.addr).await, Ok(()));
    // The counter the probe reads is the one the panic net increments.
    p.h.app.metrics.panic();
    assert_eq!(panics(&p.h), 1);
    // A port where nothing answers is reported as down.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    assert!(healthy(&closed).await.is_err());
    // A server that answers /health with something else is not healthy either.
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_addr = other.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = other.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
        }
    });
    assert!(healthy(&other_addr).await.is_err());
    // The cookie signer used for forged cookies matches the app's: signed with the app's
    // key it verifies (so "no session" above is about the session, not the format).
    let key = p.h.app.settings.session_key.expose().to_string();
    let cookie = signed_cookie(&key);
    assert!(p.h.app.sessions.verify_cookie(&cookie).is_some());
    assert!(
        p.h.app
            .sessions
            .verify_cookie(&signed_cookie("another-key-that-is-long-enough"))
            .is_none()
    );
}
