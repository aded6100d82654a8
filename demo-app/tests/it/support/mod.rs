//! The test bed: the app in-process on 127.0.0.1:0 in front of a fake Keycloak and a
//! fake OpenShift, and a browser-like client (cookie store on, redirects off) that
//! follows the flow by hand.

pub mod keycloak;
pub mod openshift;
pub mod tls;

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

pub use keycloak::FakeKeycloak;
pub use openshift::FakeOpenShift;

pub struct Harness {
    pub url: String,
    pub app: Arc<demo_app::App>,
    pub kc: Arc<FakeKeycloak>,
    pub ocp: Arc<FakeOpenShift>,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
}

/// One answer, read in full.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Url {
        let loc = self
            .headers
            .get("location")
            .unwrap_or_else(|| panic!("no Location; status {} body {}", self.status, self.body))
            .to_str()
            .unwrap();
        Url::parse(loc).unwrap()
    }

    pub fn location_text(&self) -> &str {
        self.headers.get("location").unwrap().to_str().unwrap()
    }

    /// The text of the element with this id (entities decoded).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\"");
        let start = self.body.find(&marker)?;
        let open_end = start + self.body[start..].find('>')? + 1;
        let close = open_end + self.body[open_end..].find('<')?;
        Some(unescape(&self.body[open_end..close]))
    }

    /// The message of the error box.
    pub fn error(&self) -> Option<String> {
        let start = self.body.find("<div class=\"error\" role=\"alert\"")?;
        let open_end = start + self.body[start..].find('>')? + 1;
        let close = open_end + self.body[open_end..].find("</div>")?;
        Some(unescape(&self.body[open_end..close]))
    }

    pub fn state(&self) -> Option<String> {
        let start = self.body.find("data-state=\"")? + "data-state=\"".len();
        let end = start + self.body[start..].find('"')?;
        Some(self.body[start..end].to_string())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// The environment of an app in front of the fakes; `extra` adds or replaces entries
/// (an empty value removes one).
pub fn env(
    kc: &FakeKeycloak,
    ocp: &FakeOpenShift,
    app_url: &str,
    extra: &[(&str, &str)],
) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("KC_BASE_URL", kc.base.as_str()),
        ("KC_REALM", "demo"),
        ("KC_CLIENT_ID", keycloak::CLIENT_ID),
        ("KC_CLIENT_SECRET", keycloak::CLIENT_SECRET),
        ("KC_OCP_CLIENT_ID", keycloak::OCP_CLIENT_ID),
        ("KC_OCP_CLIENT_SECRET", keycloak::OCP_CLIENT_SECRET),
        ("OCP_API_URL", ocp.base.as_str()),
        ("OCP_OAUTH_CLIENT_ID", openshift::CLIENT_ID),
        ("OCP_OAUTH_CLIENT_SECRET", openshift::CLIENT_SECRET),
        ("OCP_IDP_NAME", openshift::IDP),
        ("APP_EXTERNAL_URL", app_url),
        ("FLASK_SECRET_KEY", "a-test-session-key-that-is-long-enough"),
        ("LOG_LEVEL", "off"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        if v.is_empty() {
            env.remove(*k);
        } else {
            env.insert(k.to_string(), v.to_string());
        }
    }
    env
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(&[]).await
    }

    pub async fn start_with(extra: &[(&str, &str)]) -> Harness {
        Harness::start_full(None, extra).await
    }

    /// With the fake Keycloak over https when `tls` is given.
    pub async fn start_full(tls: Option<tls::Tls>, extra: &[(&str, &str)]) -> Harness {
        let kc = keycloak::start_on(tls).await;
        let ocp = openshift::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let env = env(&kc, &ocp, &url, extra);
        let settings = demo_app::Settings::from_lookup(|k| env.get(k).cloned()).unwrap();
        let app = demo_app::App::new(settings).unwrap();
        tokio::spawn(demo_app::serve_app(
            app.clone(),
            listener,
            std::future::pending(),
        ));
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            // The test browser trusts any certificate; the app's trust is under test.
            .tls_danger_accept_invalid_certs(true)
            .no_proxy()
            .build()
            .unwrap();
        Harness {
            url,
            app,
            kc,
            ocp,
            client,
            jar,
        }
    }

    /// GET a path of the app, or an absolute URL.
    pub async fn get(&self, target: &str) -> Page {
        self.get_with(target, &[]).await
    }

    pub async fn get_with(&self, target: &str, headers: &[(&str, &str)]) -> Page {
        let url = if target.starts_with("http") {
            target.to_string()
        } else {
            format!("{}{target}", self.url)
        };
        let mut req = self.client.get(&url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "a 500: {body}");
        Page {
            status,
            headers,
            body,
        }
    }

    /// All cookies the browser would send to the app, as one header value.
    pub fn cookie_header(&self) -> String {
        self.jar
            .cookies(&Url::parse(&self.url).unwrap())
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// The value of the `demo_session` cookie.
    pub fn session_cookie(&self) -> Option<String> {
        self.cookie_header()
            .split("; ")
            .find_map(|c| c.strip_prefix("demo_session="))
            .map(String::from)
    }

    pub fn set_cookie(&self, cookie: &str) {
        self.jar.add_cookie_str(
            &format!("{cookie}; Path=/"),
            &Url::parse(&self.url).unwrap(),
        );
    }

    /// `/login`: the redirect to Keycloak's authorization endpoint.
    pub async fn start_login(&self) -> Url {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page.location()
    }

    /// Visits the fake authorization endpoint; returns the callback URL it redirects to.
    pub async fn authorize(&self, url: &Url) -> Url {
        let page = self.get(url.as_str()).await;
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        page.location()
    }

    /// Login through the callback; returns the callback's answer and its URL.
    pub async fn sign_in_raw(&self) -> (Page, Url) {
        let auth = self.start_login().await;
        let callback = self.authorize(&auth).await;
        (self.get(callback.as_str()).await, callback)
    }

    /// A complete sign-in that must succeed.
    pub async fn sign_in(&self) -> Url {
        let (page, callback) = self.sign_in_raw().await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {:?}",
            page.error()
        );
        assert_eq!(page.location_text(), "/");
        callback
    }

    /// `/call-ocp-api`: the redirect to OpenShift's authorization endpoint.
    pub async fn start_ocp(&self) -> Url {
        let page = self.get("/call-ocp-api").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{:?}", page.error());
        page.location()
    }

    /// The OpenShift part through the callback; returns the callback's answer and URL.
    pub async fn ocp_raw(&self) -> (Page, Url) {
        let auth = self.start_ocp().await;
        let callback = self.authorize(&auth).await;
        (self.get(callback.as_str()).await, callback)
    }
}

/// An OAuth error answer as Keycloak and OpenShift give it (RFC 6749 5.2).
pub fn oauth_error(status: u16, error: &str, description: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(serde_json::json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// A 302 to `location`, as an authorization endpoint answers.
pub fn found(location: &url::Url) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::FOUND,
        [(axum::http::header::LOCATION, location.to_string())],
    )
        .into_response()
}
