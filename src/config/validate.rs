//! Checks that go beyond types: names the servers would reject, clashes between fields.

use std::collections::HashSet;

use super::model::Config;

/// A field path and what is wrong with it.
pub type Problem = (String, String);

pub fn validate(config: &Config) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut bad = |path: String, message: String| problems.push((path, message));

    let kc = &config.keycloak;
    let ports = [
        ("keycloak.https_port", kc.https_port),
        ("app.port", config.app.port),
        ("sandbox.api_port", config.sandbox.api_port),
        ("sandbox.oauth_port", config.sandbox.oauth_port),
    ];
    for (i, (path, port)) in ports.iter().enumerate() {
        if *port == 0 {
            bad(path.to_string(), "port 0 is not a usable port".into());
        } else if let Some((earlier, _)) = ports[..i].iter().find(|(_, p)| p == port) {
            bad(
                path.to_string(),
                format!("port {port} is already {earlier}"),
            );
        }
    }
    for (path, value) in [
        ("keycloak.image", &kc.image),
        ("app.image", &config.app.image),
        ("app.base_image", &config.app.base_image),
    ] {
        if value.trim().is_empty() || value.contains(char::is_whitespace) {
            bad(
                path.into(),
                format!("\"{value}\" is not an image reference"),
            );
        }
    }
    for (path, value) in [
        ("keycloak.container_name", &kc.container_name),
        ("app.container_name", &config.app.container_name),
    ] {
        if !is_container_name(value) {
            bad(
                path.into(),
                format!("\"{value}\" is not a container name (letters, digits, '_', '.', '-')"),
            );
        }
    }
    for (path, value) in [
        ("keycloak.realm", &kc.realm),
        ("keycloak.admin_username", &kc.admin_username),
        ("keycloak.ocp_client_id", &kc.ocp_client_id),
        ("keycloak.app_client_id", &kc.app_client_id),
        ("openshift.idp_name", &config.openshift.idp_name),
        (
            "openshift.oauth_client_name",
            &config.openshift.oauth_client_name,
        ),
    ] {
        if !is_url_safe_name(value) {
            bad(
                path.into(),
                format!("\"{value}\" must be non-empty letters, digits, '-', '_' or '.'"),
            );
        }
    }
    if kc.ocp_client_id == kc.app_client_id {
        bad(
            "keycloak.app_client_id".into(),
            "must differ from keycloak.ocp_client_id".into(),
        );
    }
    if !(1..=64).contains(&kc.admin_concurrency) {
        bad(
            "keycloak.admin_concurrency".into(),
            format!("{} is outside 1 to 64", kc.admin_concurrency),
        );
    }
    for (i, feature) in kc.features.iter().enumerate() {
        if !is_url_safe_name(feature) || feature.contains(',') {
            bad(
                format!("keycloak.features[{i}]"),
                format!("\"{feature}\" is not a Keycloak feature name"),
            );
        }
    }
    if kc.ready_timeout_secs == 0 {
        bad(
            "keycloak.ready_timeout_secs".into(),
            "must be at least 1".into(),
        );
    }
    if let Some(url) = &config.openshift.oauth_url {
        match url::Url::parse(url) {
            Ok(parsed) if parsed.scheme() == "https" => {}
            _ => bad(
                "openshift.oauth_url".into(),
                format!("\"{url}\" is not an https:// URL"),
            ),
        }
    }
    if let Some(hostname) = &config.bastion.hostname
        && !is_dns_name(hostname)
    {
        bad(
            "bastion.hostname".into(),
            format!("\"{hostname}\" is not a DNS name"),
        );
    }
    for (i, san) in config.bastion.extra_sans.iter().enumerate() {
        if san.parse::<std::net::IpAddr>().is_err() && !is_dns_name(san) {
            bad(
                format!("bastion.extra_sans[{i}]"),
                format!("\"{san}\" is neither an IP address nor a DNS name"),
            );
        }
    }

    let mut usernames = HashSet::new();
    for (i, user) in config.users.iter().enumerate() {
        let at = |field: &str| format!("users[{i}].{field}");
        if !is_url_safe_name(&user.username) || user.username != user.username.to_lowercase() {
            bad(
                at("username"),
                format!(
                    "\"{}\" must be lowercase letters, digits, '-', '_' or '.'",
                    user.username
                ),
            );
        }
        if !usernames.insert(user.username.as_str()) {
            bad(
                at("username"),
                format!("\"{}\" is listed twice", user.username),
            );
        }
        // Keycloak 26's user profile requires both names: without them the account is
        // "not fully set up" and cannot sign in.
        for (field, value) in [
            ("first_name", &user.first_name),
            ("last_name", &user.last_name),
        ] {
            if value.trim().is_empty() {
                bad(at(field), "is empty; Keycloak requires it".into());
            }
        }
        if !is_email(&user.email) {
            bad(
                at("email"),
                format!("\"{}\" is not an email address", user.email),
            );
        }
        if let Some(password) = &user.password
            && password.is_empty()
        {
            bad(
                at("password"),
                "is empty; remove it to have one generated".into(),
            );
        }
        let mut projects = HashSet::new();
        for (j, grant) in user.projects.iter().enumerate() {
            if !is_dns_label(&grant.name) {
                bad(
                    format!("users[{i}].projects[{j}].name"),
                    format!(
                        "\"{}\" is not a valid project name (lowercase letters, digits and '-', at most 63)",
                        grant.name
                    ),
                );
            }
            if !projects.insert(grant.name.as_str()) {
                bad(
                    format!("users[{i}].projects[{j}].name"),
                    format!("\"{}\" is granted twice to {}", grant.name, user.username),
                );
            }
        }
    }
    problems
}

fn is_container_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn is_url_safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_dns_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            let lower = label.to_ascii_lowercase();
            is_dns_label(&lower)
        })
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}
