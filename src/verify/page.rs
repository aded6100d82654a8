//! Reading the pages a visitor lands on: Keycloak's login form and the demo app's
//! result page (its element ids are the app's stable markup, see demo-app/README.md).

/// The login form's action URL on Keycloak's page.
pub fn keycloak_form_action(html: &str) -> Option<String> {
    let form = &html[html.find("kc-form-login")?..];
    let start = form.find("action=\"")? + "action=\"".len();
    let end = form[start..].find('"')?;
    Some(unescape(&form[start..start + end]))
}

/// The fields Keycloak's login form posts.
pub fn keycloak_login_fields<'a>(
    username: &'a str,
    password: &'a str,
) -> [(&'static str, &'a str); 3] {
    [
        ("username", username),
        ("password", password),
        ("credentialId", ""),
    ]
}

/// Keycloak's message to the user on a login page ("Invalid username or password.").
pub fn keycloak_feedback(html: &str) -> Option<String> {
    let at = html
        .find("id=\"input-error\"")
        .or_else(|| html.find("kc-feedback-text"))?;
    let open = html[at..].find('>')? + at + 1;
    let close = html[open..].find('<')? + open;
    Some(unescape(html[open..close].trim()))
}

/// The text inside the element with `id`, when it has no child elements before it.
pub fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let open = html[at..].find('>')? + at + 1;
    let close = html[open..].find('<')? + open;
    Some(unescape(html[open..close].trim()))
}

pub fn has_id(html: &str, id: &str) -> bool {
    html.contains(&format!("id=\"{id}\""))
}

/// The names of `<li class="project" data-name="...">`, in page order.
pub fn projects(html: &str) -> Vec<String> {
    html.split("class=\"project\"")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find("data-name=\"")? + "data-name=\"".len();
            let end = rest[start..].find('"')?;
            Some(unescape(&rest[start..start + end]))
        })
        .collect()
}

/// The message of the app's error banner, if the page shows one.
pub fn error_message(html: &str) -> Option<String> {
    has_id(html, "error").then(|| text_of(html, "error").unwrap_or_default())
}

/// A page's visible text: tags dropped, whitespace collapsed, entities decoded.
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    unescape(&words.join(" "))
}

/// The start of a page's visible text, for one-line messages.
pub fn excerpt(html: &str) -> String {
    visible_text(html).chars().take(200).collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_apps_result_page() {
        let html = r#"<main data-state="complete"><section id="step-2a"><code id="exchanged-azp">ocp-oauth</code></section>
            <ul class="projects" id="projects"><li class="project" data-name="project-a">a</li>
            <li class="project" data-name="project-c">c</li></ul></main>"#;
        assert_eq!(text_of(html, "exchanged-azp").as_deref(), Some("ocp-oauth"));
        assert_eq!(projects(html), ["project-a", "project-c"]);
        assert!(has_id(html, "step-2a") && !has_id(html, "step-2b"));
        assert_eq!(error_message(html), None);
        let failed = r#"<div class="error" role="alert" id="error" data-kind="x">Keycloak refused &amp; said &quot;no&quot;</div>"#;
        assert_eq!(
            error_message(failed).as_deref(),
            Some("Keycloak refused & said \"no\"")
        );
    }

    #[test]
    fn reads_keycloaks_login_page() {
        let html = r#"<form id="kc-form-login" action="https://kc/realms/demo/login-actions/authenticate?session_code=a&amp;tab_id=b" method="post">
            <span id="input-error" class="x">Invalid username or password.</span>"#;
        assert_eq!(
            keycloak_form_action(html).as_deref(),
            Some("https://kc/realms/demo/login-actions/authenticate?session_code=a&tab_id=b")
        );
        assert_eq!(
            keycloak_feedback(html).as_deref(),
            Some("Invalid username or password.")
        );
        assert_eq!(
            excerpt("<h1>Error</h1>\n<p>provider &quot;keycloak&quot;: no</p>"),
            "Error provider \"keycloak\": no"
        );
    }
}
