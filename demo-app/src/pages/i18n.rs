//! The two languages of the pages: Traditional Chinese (Taiwan), as the original app,
//! and English. Fixed texts are `Texts` tables; messages with values are functions.

use crate::errors::{Flow, IdTokenFault, Problem, Server, TokenStep};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhTw,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
        }
    }

    /// The value of `?lang=` or of the `lang` cookie.
    pub fn from_code(code: &str) -> Option<Lang> {
        if code.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else if code.eq_ignore_ascii_case("zh-TW")
            || code.eq_ignore_ascii_case("zh-Hant")
            || code.eq_ignore_ascii_case("zh")
        {
            Some(Lang::ZhTw)
        } else {
            None
        }
    }

    /// The preferred supported language of an `Accept-Language` header; English when
    /// none is supported. Chinese counts when it is Traditional (zh, zh-TW, zh-Hant*,
    /// zh-HK, zh-MO).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        // A header this long is not a browser's; do not spend time on it.
        if header.len() > 512 {
            return Lang::En;
        }
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = classify(tag) else { continue };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::ZhTw => &ZH_TW,
        }
    }
}

fn classify(tag: &str) -> Option<Lang> {
    // Case-insensitive without allocating: this runs on every signed-out page view.
    let is = |s: &str| tag.eq_ignore_ascii_case(s);
    let starts = |p: &str| {
        tag.len() > p.len() && tag.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    if is("zh") || is("zh-TW") || is("zh-HK") || is("zh-MO") || is("zh-Hant") || starts("zh-Hant-")
    {
        Some(Lang::ZhTw)
    } else if is("en") || starts("en-") {
        Some(Lang::En)
    } else {
        None
    }
}

pub struct Texts {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub language: &'static str,
    pub tls_warning: &'static str,
    pub welcome_heading: &'static str,
    pub welcome_intro: &'static str,
    pub welcome_why: &'static str,
    pub login: &'static str,
    pub diagram_heading: &'static str,
    pub diagram_caption: &'static str,
    pub node_browser: &'static str,
    pub node_browser_sub: &'static str,
    pub node_app: &'static str,
    pub node_app_sub: &'static str,
    pub node_keycloak_sub: &'static str,
    pub node_oauth_sub: &'static str,
    pub node_api_sub: &'static str,
    pub flow_steps: [&'static str; 4],
    pub signed_in_as: &'static str,
    pub logout: &'static str,
    pub step1_heading: &'static str,
    pub step1_intro: &'static str,
    pub call_ocp_api: &'static str,
    pub call_hint: &'static str,
    pub step2a_heading: &'static str,
    pub step2a_intro: &'static str,
    pub step2b_heading: &'static str,
    pub step2b_intro: &'static str,
    pub token_prefix: &'static str,
    pub user_name: &'static str,
    pub user_uid: &'static str,
    pub user_full_name: &'static str,
    pub identities: &'static str,
    pub groups: &'static str,
    pub none: &'static str,
    pub not_fetched: &'static str,
    pub step2c_heading: &'static str,
    pub step2c_intro: &'static str,
    pub project_name: &'static str,
    pub project_phase: &'static str,
    pub project_display_name: &'static str,
    pub no_projects: &'static str,
    pub api_calls: &'static str,
    pub ocp_pending: &'static str,
    pub again: &'static str,
    pub login_again: &'static str,
    pub home: &'static str,
    pub footer: &'static str,
}

static EN: Texts = Texts {
    title: "Keycloak → OpenShift demo app",
    subtitle: "A third-party app that calls the OpenShift API with the signed-in user's own permissions.",
    language: "Language",
    tls_warning: "TLS verification is OFF (TLS_VERIFY=false): this app accepts any certificate from Keycloak and OpenShift, so anyone on the network path could read or change its traffic. Use this only in a throwaway proof of concept; set CA_BUNDLE to your CA instead.",
    welcome_heading: "Welcome",
    welcome_intro: "Sign in with your Keycloak account. The app then trades your Keycloak token for one meant for OpenShift's OAuth client, passes through OpenShift's OAuth server without asking for your password again, and lists the OpenShift projects you may see.",
    welcome_why: "OpenShift's API accepts only tokens its own OAuth server issued, and this app holds no privileged service account: every API call is made as you, so OpenShift's RBAC decides what comes back.",
    login: "Sign in with Keycloak SSO",
    diagram_heading: "How it works",
    diagram_caption: "The path of one sign-in, from the browser to the OpenShift API.",
    node_browser: "Browser",
    node_browser_sub: "the user",
    node_app: "This app",
    node_app_sub: "third-party system",
    node_keycloak_sub: "sign-in · token exchange",
    node_oauth_sub: "auto-completes by SSO",
    node_api_sub: "called as the user",
    flow_steps: [
        "The browser opens this app and signs in with Keycloak (OpenID Connect code flow with PKCE).",
        "This app exchanges the user's Keycloak token for a token of the ocp-oauth client (RFC 8693 token exchange).",
        "This app sends the browser to OpenShift's OAuth server with idp=keycloak; Keycloak's single sign-on completes it without a password (dashed arrow).",
        "This app trades OpenShift's code for an OpenShift token and calls the OpenShift API with it, as the user.",
    ],
    signed_in_as: "Signed in as",
    logout: "Sign out",
    step1_heading: "Step 1 — signed in with Keycloak",
    step1_intro: "Claims of your Keycloak access token (decoded for display; the ID token was verified):",
    call_ocp_api: "Call OCP API",
    call_hint: "One click runs the token exchange, the OpenShift sign-in and the API calls.",
    step2a_heading: "Step 2a — token exchange (RFC 8693)",
    step2a_intro: "Keycloak issued a new token for the OpenShift OAuth client. Its claims:",
    step2b_heading: "Step 2b — OpenShift OAuth through Keycloak SSO",
    step2b_intro: "OpenShift's OAuth server issued its own token; only its beginning is kept, for display.",
    token_prefix: "OpenShift token (first 40 characters)",
    user_name: "User name",
    user_uid: "UID",
    user_full_name: "Full name",
    identities: "Identities",
    groups: "Groups",
    none: "(none)",
    not_fetched: "(not fetched)",
    step2c_heading: "Step 2c — OpenShift API called as the user",
    step2c_intro: "The projects this user may see, as OpenShift answered:",
    project_name: "Name",
    project_phase: "Phase",
    project_display_name: "Display name",
    no_projects: "OpenShift lists no project for this user.",
    api_calls: "API calls made",
    ocp_pending: "The OpenShift sign-in has not completed.",
    again: "The Keycloak token serves one exchange only and has been dropped. To run the flow again, sign in again.",
    login_again: "Sign in again",
    home: "Back to the start page",
    footer: "Sessions are kept on the server; the cookie holds only a signed random id.",
};

static ZH_TW: Texts = Texts {
    title: "Keycloak → OpenShift 示範應用程式",
    subtitle: "以登入使用者本身的權限呼叫 OpenShift API 的第三方應用程式。",
    language: "語言",
    tls_warning: "TLS 驗證已關閉（TLS_VERIFY=false）：本應用程式會接受 Keycloak 與 OpenShift 的任何憑證，網路路徑上的任何人都可能讀取或竄改其流量。僅限用於可拋棄的概念驗證環境；請改為以 CA_BUNDLE 指定您的 CA。",
    welcome_heading: "歡迎",
    welcome_intro: "請以您的 Keycloak 帳號登入。接著本應用程式會把您的 Keycloak 權杖換成給 OpenShift OAuth client 使用的權杖，在不需再次輸入密碼的情況下通過 OpenShift 的 OAuth 伺服器，並列出您可以存取的 OpenShift 專案。",
    welcome_why: "OpenShift API 只接受它自己的 OAuth 伺服器簽發的權杖，而本應用程式沒有任何高權限的服務帳號：每一次 API 呼叫都以您的身分進行，回傳內容由 OpenShift 的 RBAC 決定。",
    login: "使用 Keycloak SSO 登入",
    diagram_heading: "運作方式",
    diagram_caption: "一次登入從瀏覽器到 OpenShift API 的路徑。",
    node_browser: "瀏覽器",
    node_browser_sub: "使用者",
    node_app: "本應用程式",
    node_app_sub: "第三方系統",
    node_keycloak_sub: "登入 · 權杖交換",
    node_oauth_sub: "SSO 自動完成",
    node_api_sub: "以使用者身分呼叫",
    flow_steps: [
        "瀏覽器開啟本應用程式，並透過 Keycloak 登入（OpenID Connect 授權碼流程，搭配 PKCE）。",
        "本應用程式把使用者的 Keycloak 權杖換成 ocp-oauth client 的權杖（RFC 8693 權杖交換）。",
        "本應用程式以 idp=keycloak 將瀏覽器導向 OpenShift 的 OAuth 伺服器；Keycloak 單一登入會自動完成，無需密碼（虛線箭頭）。",
        "本應用程式以 OpenShift 的授權碼換得 OpenShift 權杖，並以使用者身分呼叫 OpenShift API。",
    ],
    signed_in_as: "目前登入身分",
    logout: "登出",
    step1_heading: "步驟 1 — 已透過 Keycloak 登入",
    step1_intro: "您的 Keycloak 存取權杖中的宣告（僅解碼顯示；ID 權杖已經過驗證）：",
    call_ocp_api: "呼叫 OCP API",
    call_hint: "按一下即依序完成權杖交換、OpenShift 登入與 API 呼叫。",
    step2a_heading: "步驟 2a — 權杖交換（RFC 8693）",
    step2a_intro: "Keycloak 為 OpenShift OAuth client 簽發了新的權杖，其宣告如下：",
    step2b_heading: "步驟 2b — 經由 Keycloak SSO 通過 OpenShift OAuth",
    step2b_intro: "OpenShift 的 OAuth 伺服器簽發了自己的權杖；僅保留開頭部分供顯示。",
    token_prefix: "OpenShift 權杖（前 40 個字元）",
    user_name: "使用者名稱",
    user_uid: "UID",
    user_full_name: "全名",
    identities: "身分（identities）",
    groups: "群組",
    none: "（無）",
    not_fetched: "（未取得）",
    step2c_heading: "步驟 2c — 以使用者身分呼叫 OpenShift API",
    step2c_intro: "此使用者可以存取的專案（OpenShift 的回應）：",
    project_name: "名稱",
    project_phase: "狀態",
    project_display_name: "顯示名稱",
    no_projects: "OpenShift 沒有列出此使用者的任何專案。",
    api_calls: "已呼叫的 API",
    ocp_pending: "OpenShift 登入尚未完成。",
    again: "Keycloak 權杖只能用於一次交換，現已捨棄。如要再次執行流程，請重新登入。",
    login_again: "重新登入",
    home: "回到首頁",
    footer: "工作階段保存在伺服器端；cookie 只包含一個經簽章的隨機識別碼。",
};

fn pick(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::En => en,
        Lang::ZhTw => zh,
    }
}

fn server_name(lang: Lang, server: Server) -> &'static str {
    match (lang, server) {
        (_, Server::Keycloak) => "Keycloak",
        (Lang::En, Server::OpenShiftOAuth) => "the OpenShift OAuth server",
        (Lang::En, Server::OpenShiftApi) => "the OpenShift API server",
        (Lang::ZhTw, Server::OpenShiftOAuth) => "OpenShift OAuth 伺服器",
        (Lang::ZhTw, Server::OpenShiftApi) => "OpenShift API 伺服器",
    }
}

/// `description (error)`, or whichever of the two is present.
fn oauth_detail(lang: Lang, error: &str, description: &str) -> String {
    match (error.is_empty(), description.is_empty()) {
        (false, false) => format!("{description} ({error})"),
        (false, true) => error.to_string(),
        (true, false) => description.to_string(),
        (true, true) => pick(lang, "no details given".into(), "未提供細節".into()),
    }
}

/// The message of a problem in `lang`, as plain text (the caller escapes it).
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    match problem {
        Problem::SignInExpired(Flow::Keycloak) => pick(
            lang,
            "Your sign-in has expired or was started in another browser. Please sign in again.".into(),
            "登入已逾時，或是在其他瀏覽器中開始的。請重新登入。".into(),
        ),
        Problem::SignInExpired(Flow::OpenShift) => pick(
            lang,
            "The OpenShift sign-in has expired or was started in another browser. Please sign in again, then click “Call OCP API”.".into(),
            "OpenShift 登入流程已逾時，或是在其他瀏覽器中開始的。請重新登入後再按「呼叫 OCP API」。".into(),
        ),
        Problem::StateMismatch(_) => pick(
            lang,
            "This sign-in response does not belong to the sign-in this browser started (state mismatch). It may be a stale link or a cross-site request forgery (CSRF) attempt; please sign in again.".into(),
            "此登入回應與本瀏覽器發起的登入不符（state 不一致）。可能是過期的連結，或是跨站請求偽造（CSRF）攻擊；請重新登入。".into(),
        ),
        Problem::AlreadyUsed(_) => pick(
            lang,
            "This sign-in response was already used; each one is accepted only once. Please sign in again.".into(),
            "此登入回應已經使用過；每個回應只接受一次。請重新登入。".into(),
        ),
        Problem::ProviderError { flow, error, description } => {
            let server = match flow {
                Flow::Keycloak => Server::Keycloak,
                Flow::OpenShift => Server::OpenShiftOAuth,
            };
            let detail = oauth_detail(lang, error, description);
            pick(
                lang,
                format!("Sign-in did not complete: {} answered with an error: {detail}", server_name(lang, server)),
                format!("登入未完成：{} 回傳錯誤：{detail}", server_name(lang, server)),
            )
        }
        Problem::MissingCode(_) => pick(
            lang,
            "The sign-in response carries no authorization code. Please sign in again.".into(),
            "登入回應中沒有授權碼（code）。請重新登入。".into(),
        ),
        Problem::ParamTooLong { name, max } => pick(
            lang,
            format!("The parameter “{name}” is too long (more than {max} bytes)."),
            format!("參數「{name}」太長（超過 {max} 位元組）。"),
        ),
        Problem::NotSignedIn => pick(
            lang,
            "Please sign in first. Calling the OpenShift API needs a fresh Keycloak sign-in: its token serves one exchange only.".into(),
            "請先登入。呼叫 OpenShift API 需要一次新的 Keycloak 登入：其權杖只能用於一次交換。".into(),
        ),
        Problem::NonceMismatch => pick(
            lang,
            "The ID token does not carry the nonce of this sign-in (a possible replay). Please sign in again.".into(),
            "ID 權杖中的 nonce 與本次登入不符（可能是重送攻擊）。請重新登入。".into(),
        ),
        Problem::NotFound => pick(
            lang,
            "There is no page at this address.".into(),
            "此網址沒有頁面。".into(),
        ),
        Problem::MethodNotAllowed => pick(
            lang,
            "This app answers only GET requests.".into(),
            "本應用程式只接受 GET 請求。".into(),
        ),
        Problem::QueryTooLong { max } => pick(
            lang,
            format!("The address is too long: its query string exceeds {max} bytes."),
            format!("網址太長：查詢字串超過 {max} 位元組。"),
        ),
        Problem::Unreachable { server, host, detail, tls_possible, tls_suspect } => {
            let name = server_name(lang, *server);
            let tls = match (tls_possible, tls_suspect) {
                (true, true) => pick(
                    lang,
                    " TLS verification failed: if the server uses a private CA, check that CA_BUNDLE holds that CA.".into(),
                    " TLS 驗證失敗：若該伺服器使用私有 CA，請確認 CA_BUNDLE 含有該 CA。".into(),
                ),
                (true, false) => pick(
                    lang,
                    " If the server uses a private CA, TLS verification against CA_BUNDLE may also have failed.".into(),
                    " 若該伺服器使用私有 CA，也可能是以 CA_BUNDLE 進行的 TLS 驗證失敗。".into(),
                ),
                _ => String::new(),
            };
            pick(
                lang,
                format!("Could not reach {name} at {host}: {detail}.{tls}"),
                format!("無法連線到 {name}（{host}）：{detail}。{tls}"),
            )
        }
        Problem::Discovery { server, url, detail } => {
            let name = server_name(lang, *server);
            pick(
                lang,
                format!("Could not read the configuration of {name} at {url}: {detail}."),
                format!("無法讀取 {name} 的設定（{url}）：{detail}。"),
            )
        }
        Problem::Refused { step, status, error, description } => {
            let detail = oauth_detail(lang, error, description);
            match step {
                TokenStep::KeycloakCode => pick(
                    lang,
                    format!("Keycloak refused the authorization code ({status}): {detail}"),
                    format!("Keycloak 拒絕了授權碼（{status}）：{detail}"),
                ),
                TokenStep::Exchange => pick(
                    lang,
                    format!("Keycloak refused the token exchange ({status}): {detail}. Check that Keycloak runs with token exchange enabled and that both clients allow standard token exchange."),
                    format!("Keycloak 拒絕了權杖交換（{status}）：{detail}。請確認 Keycloak 已啟用權杖交換功能，且兩個 client 都允許標準權杖交換。"),
                ),
                TokenStep::OpenShiftCode => pick(
                    lang,
                    format!("The OpenShift OAuth server refused the authorization code ({status}): {detail}"),
                    format!("OpenShift OAuth 伺服器拒絕了授權碼（{status}）：{detail}"),
                ),
            }
        }
        Problem::BadAnswer { server, detail } => {
            let name = server_name(lang, *server);
            pick(
                lang,
                format!("The answer of {name} cannot be used: {detail}."),
                format!("{name} 的回應無法使用：{detail}。"),
            )
        }
        Problem::IdToken(fault) => {
            let (en, zh) = match fault {
                IdTokenFault::Missing => ("Keycloak's answer has no ID token (is the openid scope allowed for the client?)", "Keycloak 的回應中沒有 ID 權杖（此 client 是否允許 openid scope？）"),
                IdTokenFault::Malformed => ("it is malformed or lacks a required claim", "格式錯誤或缺少必要的宣告"),
                IdTokenFault::Algorithm => ("it uses a signing algorithm this app does not accept", "使用了本應用程式不接受的簽章演算法"),
                IdTokenFault::UnknownKey => ("it is signed with a key the realm does not publish", "以 realm 未公開的金鑰簽署"),
                IdTokenFault::Signature => ("its signature does not verify against the realm's keys", "簽章無法以 realm 的金鑰驗證"),
                IdTokenFault::Issuer => ("its issuer is not the realm's issuer", "簽發者（iss）不是此 realm"),
                IdTokenFault::Audience => ("it was not issued for this app (audience)", "不是簽發給本應用程式的（aud）"),
                IdTokenFault::Expired => ("it has expired", "已過期"),
            };
            pick(
                lang,
                format!("The ID token from Keycloak was rejected: {en}."),
                format!("Keycloak 的 ID 權杖遭拒絕：{zh}。"),
            )
        }
        Problem::OcpApi { status, url, message } => match status {
            401 => pick(
                lang,
                format!("OpenShift rejected the token (401) at {url}: {message}. The token may have expired or been revoked; please sign in again."),
                format!("OpenShift 拒絕了權杖（401）（{url}）：{message}。權杖可能已過期或被撤銷；請重新登入。"),
            ),
            403 => pick(
                lang,
                format!("OpenShift denied permission (403) for {url}: {message}. The user lacks the RBAC permission this call needs."),
                format!("OpenShift 拒絕存取（403）（{url}）：{message}。此使用者沒有此呼叫所需的 RBAC 權限。"),
            ),
            500..=599 => pick(
                lang,
                format!("The OpenShift API failed ({status}) at {url}: {message}. Please try again later."),
                format!("OpenShift API 發生錯誤（{status}）（{url}）：{message}。請稍後再試。"),
            ),
            _ => pick(
                lang,
                format!("The OpenShift API answered {status} at {url}: {message}."),
                format!("OpenShift API 回應 {status}（{url}）：{message}。"),
            ),
        },
        Problem::LogoutIncomplete(inner) => pick(
            lang,
            format!("You are signed out of this app, but not of Keycloak: {}", problem_text(lang, inner)),
            format!("您已登出本應用程式，但尚未登出 Keycloak：{}", problem_text(lang, inner)),
        ),
        Problem::Internal => pick(
            lang,
            "Something unexpected went wrong in this app while handling the request. Please try again.".into(),
            "本應用程式處理請求時發生未預期的問題。請再試一次。".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(
            Lang::from_accept_language("zh-TW,zh;q=0.9,en;q=0.8"),
            Lang::ZhTw
        );
        assert_eq!(Lang::from_accept_language("zh-Hant-TW"), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("zh"), Lang::ZhTw);
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-TW;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr-FR,zh-TW;q=0.5"), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(
            Lang::from_accept_language("en;q=0.2, zh-TW;q=0.7"),
            Lang::ZhTw
        );
    }

    #[test]
    fn codes() {
        assert_eq!(Lang::from_code("zh-tw"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }

    #[test]
    fn exchange_refusal_wording() {
        let p = Problem::Refused {
            step: TokenStep::Exchange,
            status: 403,
            error: "access_denied".into(),
            description: "Client is not within the token audience".into(),
        };
        assert!(problem_text(Lang::En, &p).starts_with(
            "Keycloak refused the token exchange (403): Client is not within the token audience"
        ));
    }
}
