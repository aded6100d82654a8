//! One decoded API request and the successful reply a handler gives back, shared by
//! the resource handlers and the test-hook endpoints.

use std::collections::HashMap;

use axum::http::{HeaderMap, Method};
use serde_json::Value;

use crate::apiserver::auth::ClientCertificate;

/// One API request, decoded.
pub struct Req<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a HashMap<String, String>,
    pub headers: &'a HeaderMap,
    /// The client certificate the connection was verified with, if any.
    pub certificate: Option<&'a ClientCertificate>,
    pub body: &'a [u8],
}

impl Req<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `dryRun=All` in the query, or (for DELETE) in the body's DeleteOptions.
    pub fn dry_run(&self) -> bool {
        let in_options = || {
            *self.method == Method::DELETE
                && super::body::delete_options(self.header("content-type"), self.body)
                    .and_then(|options| options.get("dryRun").cloned())
                    .and_then(|dry| dry.as_array().cloned())
                    .is_some_and(|dry| dry.iter().any(|v| v == "All"))
        };
        self.query.get("dryRun").is_some_and(|v| v == "All") || in_options()
    }
}

/// A successful answer: status code, body and `Warning` headers.
pub struct Reply {
    pub code: u16,
    pub body: Value,
    pub warnings: Vec<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self {
            code: 200,
            body,
            warnings: Vec::new(),
        }
    }
}

/// The field manager of a non-apply write when the client names none: the first
/// segment of its User-Agent, as the real server derives it.
pub fn default_manager(req: &Req<'_>) -> String {
    req.header("user-agent")
        .and_then(|ua| ua.split('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_string()
}
