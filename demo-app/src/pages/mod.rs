//! HTML pages: small typed render functions instead of a template engine. Markup ids
//! and classes are stable, for tests and for people reading the page source.

mod diagram;
pub mod html;
pub mod i18n;

use std::fmt::Write;

use crate::claims::{self, TokenSummary};
use crate::errors::Problem;
use crate::session::SessionView;
use html::Esc;
pub use i18n::Lang;

/// What the main part of a page shows.
pub enum Body<'a> {
    /// Welcome text, sign-in link and the diagram.
    SignedOut,
    /// The results of the flow so far.
    Session(&'a SessionView),
    /// Only the message and a link home (404, 405, 414).
    Bare,
}

pub struct Page<'a> {
    pub lang: Lang,
    pub body: Body<'a>,
    pub problem: Option<&'a Problem>,
    pub tls_warning: bool,
}

const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans TC','PingFang TC',sans-serif;margin:0;color:#1d2733;background:#f6f8fa;line-height:1.5}\
header,main,footer{max-width:920px;margin:0 auto;padding:0 1rem}\
header{padding-top:1.2rem}h1{margin:.2rem 0;font-size:1.6rem}.subtitle{margin:.2rem 0;color:#4a5868}\
nav.lang{margin:.5rem 0}nav.lang a[aria-current]{font-weight:bold;text-decoration:none;color:inherit}\
section{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:.6rem 1.2rem;margin:1rem 0}\
h2{font-size:1.2rem}\
.button{display:inline-block;background:#0b62a4;color:#fff;padding:.55rem 1.1rem;border-radius:6px;text-decoration:none;font-weight:600}\
.button:hover{background:#084a7c}\
.error{background:#fdecea;border:1px solid #e0a19b;color:#7a1d14;padding:.7rem 1rem;border-radius:6px;margin:1rem 0;overflow-wrap:anywhere}\
.warning{max-width:890px;margin:1rem auto;background:#fff6d6;border:1px solid #e5c65c;color:#5c4600;padding:.7rem 1rem;border-radius:6px}\
.hint{color:#4a5868}\
dl.claims{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.claims dt{font-weight:600}dl.claims dd{margin:0;overflow-wrap:anywhere}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f4;padding:0 .25rem;border-radius:3px}\
ul.projects{list-style:none;padding:0}li.project{padding:.25rem 0;border-bottom:1px solid #eef1f4}\
svg{width:100%;height:auto}svg .node rect{fill:#eaf2fb;stroke:#0b62a4;stroke-width:1.5}\
svg .node-title{font-size:14px;font-weight:600;text-anchor:middle;fill:#1d2733}svg .node-sub{font-size:11px;text-anchor:middle;fill:#4a5868}\
svg .edge{stroke:#1d2733;stroke-width:1.6;fill:none}svg .sso{stroke-dasharray:5 4}svg marker path{fill:#1d2733}\
svg .badge{fill:#0b62a4}svg .badge-text{fill:#fff;font-size:12px;font-weight:600;text-anchor:middle}svg .sso-label{font-size:12px;text-anchor:middle;fill:#4a5868}\
footer{color:#6a7683;font-size:.85rem;padding-bottom:2rem}";

/// The CSP hash of the one inline style (standard base64 of its SHA-256).
pub fn style_hash() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crate::crypto::sha256(CSS.as_bytes()))
}

pub fn render(page: &Page<'_>) -> String {
    let t = page.lang.texts();
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        page.lang.code(),
        Esc(t.title)
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=\"subtitle\">{}</p>",
        Esc(t.title),
        Esc(t.subtitle)
    );
    language_switch(&mut out, page.lang);
    out.push_str("</header>");
    if page.tls_warning {
        let _ = write!(
            out,
            "<div class=\"warning\" id=\"tls-warning\" role=\"note\">{}</div>",
            Esc(t.tls_warning)
        );
    }
    let state = match &page.body {
        Body::SignedOut => "signed-out",
        Body::Bare => "message",
        Body::Session(v) => session_state(v),
    };
    let _ = write!(out, "<main id=\"main\" data-state=\"{state}\">");
    if let Some(problem) = page.problem {
        let _ = write!(
            out,
            "<div class=\"error\" role=\"alert\" id=\"error\" data-kind=\"{}\">{}</div>",
            problem.kind(),
            Esc(&i18n::problem_text(page.lang, problem))
        );
    }
    match &page.body {
        Body::SignedOut => signed_out(&mut out, t),
        Body::Bare => {
            let _ = write!(out, "<p><a id=\"home\" href=\"/\">{}</a></p>", Esc(t.home));
        }
        Body::Session(v) if v.kc_claims.is_none() => signed_out(&mut out, t),
        Body::Session(v) => session(&mut out, t, v),
    }
    let _ = writeln!(
        out,
        "</main><footer><p>{}</p></footer></body></html>",
        Esc(t.footer)
    );
    out
}

fn session_state(v: &SessionView) -> &'static str {
    match (&v.kc_claims, &v.exchanged, &v.ocp) {
        (None, _, _) => "signed-out",
        (Some(_), _, Some(_)) => "complete",
        (Some(_), Some(_), None) => "exchanged",
        (Some(_), None, None) => "signed-in",
    }
}

fn language_switch(out: &mut String, current: Lang) {
    let _ = write!(
        out,
        "<nav class=\"lang\" aria-label=\"{}\">",
        Esc(current.texts().language)
    );
    for (i, (lang, label)) in [(Lang::En, "English"), (Lang::ZhTw, "繁體中文")]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push_str(" · ");
        }
        let code = lang.code();
        let current_attr = if lang == current {
            " aria-current=\"true\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<a id=\"lang-{code}\" href=\"/?lang={code}\" hreflang=\"{code}\" lang=\"{code}\"{current_attr}>{label}</a>"
        );
    }
    out.push_str("</nav>");
}

fn signed_out(out: &mut String, t: &i18n::Texts) {
    let _ = write!(
        out,
        "<section id=\"welcome\"><h2>{}</h2><p>{}</p><p>{}</p><p><a id=\"login\" class=\"button\" href=\"/login\">{}</a></p></section>",
        Esc(t.welcome_heading),
        Esc(t.welcome_intro),
        Esc(t.welcome_why),
        Esc(t.login)
    );
    let _ = write!(
        out,
        "<section id=\"architecture\"><h2>{}</h2><figure>",
        Esc(t.diagram_heading)
    );
    diagram::svg(out, t);
    let _ = write!(
        out,
        "<figcaption>{}</figcaption></figure><ol class=\"flow-steps\">",
        Esc(t.diagram_caption)
    );
    for step in t.flow_steps {
        let _ = write!(out, "<li>{}</li>", Esc(step));
    }
    out.push_str("</ol></section>");
}

fn session(out: &mut String, t: &i18n::Texts, v: &SessionView) {
    let Some(kc) = &v.kc_claims else { return };
    let user = if kc.preferred_username.is_empty() {
        &kc.sub
    } else {
        &kc.preferred_username
    };
    let _ = write!(
        out,
        "<p id=\"signed-in-as\">{} <strong id=\"user\">{}</strong> · <a id=\"logout\" href=\"/logout\">{}</a></p>",
        Esc(t.signed_in_as),
        Esc(user),
        Esc(t.logout)
    );
    let _ = write!(
        out,
        "<section id=\"step-1\"><h2>{}</h2><p>{}</p>",
        Esc(t.step1_heading),
        Esc(t.step1_intro)
    );
    claims_list(out, "kc", kc, &[]);
    out.push_str("</section>");

    if v.can_call_ocp {
        let _ = write!(
            out,
            "<p><a id=\"call-ocp-api\" class=\"button\" href=\"/call-ocp-api\">{}</a></p><p class=\"hint\">{}</p>",
            Esc(t.call_ocp_api),
            Esc(t.call_hint)
        );
    }

    if let Some(ex) = &v.exchanged {
        let _ = write!(
            out,
            "<section id=\"step-2a\"><h2>{}</h2><p>{}</p>",
            Esc(t.step2a_heading),
            Esc(t.step2a_intro)
        );
        claims_list(
            out,
            "exchanged",
            &ex.claims,
            &[
                ("token_type", "exchanged-token-type", &ex.token_type),
                (
                    "issued_token_type",
                    "exchanged-issued-token-type",
                    &ex.issued_token_type,
                ),
            ],
        );
        out.push_str("</section>");
    }

    match &v.ocp {
        Some(ocp) => {
            let _ = write!(
                out,
                "<section id=\"step-2b\"><h2>{}</h2><p>{}</p><dl class=\"claims\"><dt>{}</dt><dd><code id=\"ocp-token-prefix\">{}…</code></dd></dl>",
                Esc(t.step2b_heading),
                Esc(t.step2b_intro),
                Esc(t.token_prefix),
                Esc(&ocp.token_prefix)
            );
            match &ocp.user {
                Some(u) => {
                    out.push_str("<dl class=\"claims\" id=\"ocp-user\">");
                    let rows = [
                        (t.user_name, "ocp-user-name", &u.name),
                        (t.user_uid, "ocp-user-uid", &u.uid),
                        (t.user_full_name, "ocp-user-full-name", &u.full_name),
                    ];
                    for (label, id, value) in rows {
                        let _ = write!(
                            out,
                            "<dt>{}</dt><dd><code id=\"{id}\">{}</code></dd>",
                            Esc(label),
                            Esc(value)
                        );
                    }
                    for (label, id, items) in [
                        (t.identities, "ocp-user-identities", &u.identities),
                        (t.groups, "ocp-user-groups", &u.groups),
                    ] {
                        let _ = write!(out, "<dt>{}</dt><dd><ul id=\"{id}\">", Esc(label));
                        if items.is_empty() {
                            let _ = write!(out, "<li class=\"none\">{}</li>", Esc(t.none));
                        }
                        for item in items {
                            let _ = write!(out, "<li><code>{}</code></li>", Esc(item));
                        }
                        out.push_str("</ul></dd>");
                    }
                    out.push_str("</dl>");
                }
                None => {
                    let _ = write!(out, "<p id=\"ocp-user\">{}</p>", Esc(t.not_fetched));
                }
            }
            out.push_str("</section>");

            let _ = write!(
                out,
                "<section id=\"step-2c\"><h2>{}</h2><p>{}</p>",
                Esc(t.step2c_heading),
                Esc(t.step2c_intro)
            );
            match &ocp.projects {
                Some(projects) if projects.is_empty() => {
                    let _ = write!(out, "<p id=\"no-projects\">{}</p>", Esc(t.no_projects));
                }
                Some(projects) => {
                    let _ = write!(
                        out,
                        "<p class=\"hint\" id=\"projects-legend\">{} · {} · {}</p><ul class=\"projects\" id=\"projects\">",
                        Esc(t.project_name),
                        Esc(t.project_phase),
                        Esc(t.project_display_name)
                    );
                    for p in projects {
                        let _ = write!(
                            out,
                            "<li class=\"project\" data-name=\"{}\"><code class=\"project-name\">{}</code> · <span class=\"project-phase\">{}</span> · <span class=\"project-display-name\">{}</span></li>",
                            Esc(&p.name),
                            Esc(&p.name),
                            Esc(&p.phase),
                            Esc(&p.display_name)
                        );
                    }
                    out.push_str("</ul>");
                }
                None => {
                    let _ = write!(out, "<p id=\"projects\">{}</p>", Esc(t.not_fetched));
                }
            }
            let _ = write!(out, "<h3>{}</h3><ul id=\"api-calls\">", Esc(t.api_calls));
            for call in &ocp.api_calls {
                let _ = write!(
                    out,
                    "<li><code class=\"api-call\">{}</code></li>",
                    Esc(call)
                );
            }
            out.push_str("</ul></section>");
        }
        None if v.exchanged.is_some() => {
            let _ = write!(
                out,
                "<p class=\"hint\" id=\"ocp-pending\">{}</p>",
                Esc(t.ocp_pending)
            );
        }
        None => {}
    }

    if !v.can_call_ocp {
        let _ = write!(
            out,
            "<p class=\"hint\" id=\"again\">{} <a id=\"login-again\" href=\"/login\">{}</a></p>",
            Esc(t.again),
            Esc(t.login_again)
        );
    }
}

/// A claims table; ids are `<prefix>-<claim>` (e.g. `exchanged-azp`).
fn claims_list(out: &mut String, prefix: &str, c: &TokenSummary, extra: &[(&str, &str, &String)]) {
    let aud = c.aud.join(", ");
    let exp = c.exp.map(|e| e.to_string()).unwrap_or_default();
    let rows: [(&str, &str, &str); 6] = [
        ("sub", "sub", &c.sub),
        (
            "preferred_username",
            "preferred-username",
            &c.preferred_username,
        ),
        ("aud", "aud", &aud),
        ("azp", "azp", &c.azp),
        ("scope", "scope", &c.scope),
        ("iss", "iss", &c.iss),
    ];
    let _ = write!(out, "<dl class=\"claims\" id=\"{prefix}-claims\">");
    for (label, id, value) in rows {
        let _ = write!(
            out,
            "<dt>{label}</dt><dd><code id=\"{prefix}-{id}\">{}</code></dd>",
            Esc(value)
        );
        if id == "scope" {
            let _ = write!(
                out,
                "<dt>exp</dt><dd><code id=\"{prefix}-exp\">{}</code>",
                Esc(&exp)
            );
            if let Some(utc) = c.exp.and_then(claims::utc_text) {
                let _ = write!(
                    out,
                    " <span class=\"utc\" id=\"{prefix}-exp-utc\">({utc})</span>"
                );
            }
            out.push_str("</dd>");
        }
    }
    for (label, id, value) in extra {
        let _ = write!(
            out,
            "<dt>{label}</dt><dd><code id=\"{id}\">{}</code></dd>",
            Esc(value)
        );
    }
    out.push_str("</dl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_text_is_escaped() {
        let p = Problem::ProviderError {
            flow: crate::errors::Flow::Keycloak,
            error: "access_denied".into(),
            description: "<script>x</script>".into(),
        };
        let html = render(&Page {
            lang: Lang::En,
            body: Body::SignedOut,
            problem: Some(&p),
            tls_warning: true,
        });
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("id=\"tls-warning\""));
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<a id=\"login\" class=\"button\" href=\"/login\">"));
    }

    #[test]
    fn chinese_page() {
        let html = render(&Page {
            lang: Lang::ZhTw,
            body: Body::SignedOut,
            problem: None,
            tls_warning: false,
        });
        assert!(html.contains("<html lang=\"zh-TW\">"));
        assert!(html.contains("使用 Keycloak SSO 登入"));
        assert!(!html.contains("tls-warning"));
    }
}
