//! The HTML pages a browser sees: errors, the provider choice and the grant approval.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Text made safe inside HTML, as the OAuth server's own pages write it.
pub fn escape(text: &str) -> String {
    escape_quoting(text, "&quot;")
}

/// `&`, `<`, `>`, `'` and `"` replaced; `quote` is the spelling of `"`.
fn escape_quoting(text: &str, quote: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str(quote),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: u16, title: &str, body: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    );
    (code, Html(html)).into_response()
}

/// Go's `html.EscapeString`: the five characters it replaces, with its spellings.
fn go_html_escape(text: &str) -> String {
    escape_quoting(text, "&#34;")
}

/// The answer to `idp=` naming no configured provider. The OAuth server's union
/// authentication handler fails with this text and its osin wrapper's default error
/// handler writes it as a bare 500 with an `Error: ` prefix (Go sniffs `text/plain`).
pub fn no_redirect_handler(idp: &str) -> Response {
    let body = format!(
        "Error: Unable to locate redirect handler: {}",
        go_html_escape(idp)
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// An error page. `error` is a short machine-readable code; `detail` says what failed.
pub fn error(status: u16, error: &str, detail: &str) -> Response {
    let body = format!(
        "<h1>An authentication error occurred</h1>\n<p id=\"error-code\">{}</p>\n<p id=\"error-detail\">{}</p>",
        escape(error),
        escape(detail)
    );
    page(status, "Error", &body)
}

/// The login page listing identity providers, each a link that carries `idp=<name>`.
pub fn provider_choice(links: &[(String, String)]) -> Response {
    let items: String = links
        .iter()
        .map(|(name, href)| {
            format!(
                "<li><a class=\"idp\" href=\"{}\">{}</a></li>\n",
                escape(href),
                escape(name)
            )
        })
        .collect();
    page(
        200,
        "Log in",
        &format!("<h1>Log in with&hellip;</h1>\n<ul>\n{items}</ul>"),
    )
}

pub fn notice(status: u16, title: &str, text: &str) -> Response {
    page(
        status,
        title,
        &format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(text)),
    )
}

/// The grant approval page of an OAuthClient with `grantMethod: prompt`.
pub fn approval(client: &str, user: &str, scopes: &[String], id: &str) -> Response {
    let scope_items: String = scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let body = format!(
        "<h1>Authorize Access</h1>\n<p>Service account or client <b id=\"client\">{}</b> is requesting permission to access your account (<span id=\"user\">{}</span>).</p>\n<ul>{scope_items}</ul>\n<form id=\"grant\" method=\"post\" action=\"/oauth/authorize/approve\">\n<input type=\"hidden\" name=\"then\" value=\"{}\">\n<button type=\"submit\" name=\"approve\" value=\"true\">Allow selected permissions</button>\n<button type=\"submit\" name=\"deny\" value=\"true\">Deny</button>\n</form>",
        escape(client),
        escape(user),
        escape(id)
    );
    page(200, "Authorize Access", &body)
}
