//! The architecture diagram of the signed-out page, as inline SVG (no image request,
//! allowed by the page's Content-Security-Policy, localized like the rest).

use std::fmt::Write;

use super::html::Esc;
use super::i18n::Texts;

const W: i32 = 152;
const H: i32 = 70;
const TOP: i32 = 70;
const XS: [i32; 5] = [8, 180, 352, 524, 696];

pub fn svg(out: &mut String, t: &Texts) {
    let nodes = [
        ("node-browser", t.node_browser, t.node_browser_sub),
        ("node-app", t.node_app, t.node_app_sub),
        ("node-keycloak", "Keycloak", t.node_keycloak_sub),
        ("node-ocp-oauth", "OpenShift OAuth", t.node_oauth_sub),
        ("node-ocp-api", "OpenShift API", t.node_api_sub),
    ];
    let _ = write!(
        out,
        r#"<svg id="architecture-diagram" viewBox="0 0 856 200" role="img" aria-labelledby="diagram-title"><title id="diagram-title">{}</title>"#,
        Esc(t.diagram_caption)
    );
    out.push_str(r#"<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>"#);
    for ((id, title, sub), x) in nodes.iter().zip(XS) {
        let cx = x + W / 2;
        let _ = write!(
            out,
            r#"<g class="node" id="{id}"><rect x="{x}" y="{TOP}" width="{W}" height="{H}" rx="10"/><text class="node-title" x="{cx}" y="{}">{}</text><text class="node-sub" x="{cx}" y="{}">{}</text></g>"#,
            TOP + 30,
            Esc(title),
            TOP + 52,
            Esc(sub)
        );
    }
    // The chain: Browser -> App -> Keycloak -> OpenShift OAuth -> OpenShift API, with the
    // step numbers of the list under the diagram.
    for (i, pair) in XS.windows(2).enumerate() {
        let (from, to) = (pair[0] + W + 2, pair[1] - 2);
        let y = TOP + H / 2;
        let mid = (from + to) / 2;
        let _ = write!(
            out,
            r#"<line class="edge" x1="{from}" y1="{y}" x2="{to}" y2="{y}" marker-end="url(#arrowhead)"/><circle class="badge" cx="{mid}" cy="{}" r="11"/><text class="badge-text" x="{mid}" y="{}">{}</text>"#,
            TOP + H + 28,
            TOP + H + 32,
            i + 1
        );
    }
    // Single sign-on: OpenShift's OAuth server sends the browser to Keycloak, which
    // answers at once because the user's Keycloak session is still valid.
    let (oauth_x, kc_x) = (XS[3] + W / 2 - 20, XS[2] + W / 2 + 20);
    let _ = write!(
        out,
        r#"<path class="edge sso" d="M{oauth_x},{TOP} C{},{} {},{} {kc_x},{TOP}" marker-end="url(#arrowhead)"/><text class="sso-label" x="{}" y="{}">SSO</text>"#,
        oauth_x - 20,
        TOP - 50,
        kc_x + 20,
        TOP - 50,
        (oauth_x + kc_x) / 2,
        TOP - 42
    );
    out.push_str("</svg>");
}
