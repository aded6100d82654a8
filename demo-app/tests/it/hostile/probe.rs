//! The probe: sends, checks, and drives a browser's session by hand.

use demo_app::metrics::Route;
use reqwest::Url;

use super::detectors::{Origins, healthy, panics, secrets, verdict};
use super::wire::{Req, Wire, exchange, get};
use crate::support::Harness;

pub(super) struct Probe {
    pub(super) h: Harness,
    pub(super) addr: String,
    pub(super) origins: Origins,
    /// A client for the fakes' authorization endpoints (not the app).
    pub(super) browser: reqwest::Client,
    pub(super) sent: usize,
}

impl Probe {
    pub(super) async fn start() -> Probe {
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
    pub(super) async fn expect_refused(
        &mut self,
        what: &str,
        req: &Req,
        status: u16,
        kind: &str,
    ) -> Wire {
        let w = self.send(what, req).await;
        assert_eq!(
            (w.status, w.error_kind().as_deref()),
            (Some(status), Some(kind)),
            "{what}"
        );
        w
    }

    pub(super) async fn send(&mut self, what: &str, req: &Req) -> Wire {
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
    pub(super) async fn authorize(&self, url: &Url) -> Url {
        let r = self.browser.get(url.as_str()).send().await.unwrap();
        assert_eq!(r.status(), 302, "the fake refused {url}");
        Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// A browser that has reached `state`; returns it with the authorization URL it was
    /// last sent to (for the pending states).
    pub(super) async fn browser(&mut self, state: State) -> Browser {
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
pub(super) enum State {
    SignedOut,
    PendingLogin,
    SignedIn,
    PendingOcp,
    Complete,
}

/// A browser's cookies, kept by hand.
#[derive(Default)]
pub(super) struct Browser {
    pub(super) session: Option<String>,
    pub(super) auth: Option<Url>,
}

impl Browser {
    pub(super) fn get(&self, target: impl AsRef<[u8]>) -> Req {
        let req = get(target);
        match &self.session {
            Some(s) => req.cookie(format!("demo_session={s}")),
            None => req,
        }
    }

    pub(super) fn update(&mut self, wire: &Wire) {
        for cookie in wire.all("set-cookie") {
            if let Some(rest) = cookie.strip_prefix("demo_session=") {
                let value = rest.split(';').next().unwrap_or("");
                self.session = (!value.is_empty()).then(|| value.to_string());
            }
        }
    }
}

pub(super) fn location(wire: &Wire) -> Url {
    let loc = wire
        .header("location")
        .unwrap_or_else(|| panic!("no Location: {:?} {:?}", wire.status, wire.error_kind()));
    Url::parse(&loc).unwrap()
}

/// `/callback/keycloak?code=..&state=..` of a URL.
pub(super) fn path_of(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The app's routes, from its own route table (so a new route is covered here too),
/// and a path it does not know.
pub(super) fn routes() -> Vec<&'static str> {
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
