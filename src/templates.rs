//! YAML templates with `{{ name }}` placeholders, rendered to JSON. Built-in copies are
//! compiled in; `templates_dir` in the configuration points at edited ones instead.
//! Placeholders are replaced in the parsed tree, not in the text, so a value can never
//! break the YAML around it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

/// Built-in templates by their path relative to the repository root.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "keycloak-realm/realm.yaml",
        include_str!("../keycloak-realm/realm.yaml"),
    ),
    (
        "keycloak-realm/clients/ocp-client.yaml",
        include_str!("../keycloak-realm/clients/ocp-client.yaml"),
    ),
    (
        "keycloak-realm/clients/app-client.yaml",
        include_str!("../keycloak-realm/clients/app-client.yaml"),
    ),
    (
        "keycloak-realm/user.yaml",
        include_str!("../keycloak-realm/user.yaml"),
    ),
    (
        "manifests/keycloak-client-secret.yaml",
        include_str!("../manifests/keycloak-client-secret.yaml"),
    ),
    (
        "manifests/keycloak-ca-configmap.yaml",
        include_str!("../manifests/keycloak-ca-configmap.yaml"),
    ),
    (
        "manifests/identity-provider.yaml",
        include_str!("../manifests/identity-provider.yaml"),
    ),
    (
        "manifests/oauth-cluster.yaml",
        include_str!("../manifests/oauth-cluster.yaml"),
    ),
    (
        "manifests/oauthclient.yaml",
        include_str!("../manifests/oauthclient.yaml"),
    ),
    (
        "manifests/project-request.yaml",
        include_str!("../manifests/project-request.yaml"),
    ),
    (
        "manifests/namespace.yaml",
        include_str!("../manifests/namespace.yaml"),
    ),
    (
        "manifests/rolebinding.yaml",
        include_str!("../manifests/rolebinding.yaml"),
    ),
];

pub type Vars = BTreeMap<&'static str, Value>;

#[derive(Debug, Clone)]
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    pub fn new(dir: Option<&Path>) -> Self {
        Templates {
            dir: dir.map(Path::to_path_buf),
        }
    }

    /// Renders `name` (e.g. "keycloak-realm/realm.yaml") with `vars`.
    pub fn render(&self, name: &str, vars: &Vars) -> Result<Value> {
        let (origin, text) = self.source(name)?;
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|err| anyhow!("template {origin}: invalid YAML: {err}"))?;
        let mut value: Value = serde_json::to_value(yaml)
            .map_err(|err| anyhow!("template {origin}: cannot be turned into JSON: {err}"))?;
        substitute(&mut value, "", vars).map_err(|err| anyhow!("template {origin}: {err}"))?;
        Ok(value)
    }

    fn source(&self, name: &str) -> Result<(String, String)> {
        if let Some(dir) = &self.dir {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|err| {
                anyhow!(
                    "template {} cannot be read ({err}); templates_dir must hold {name}",
                    path.display()
                )
            })?;
            return Ok((path.display().to_string(), text));
        }
        BUILT_IN
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(builtin, text)| (format!("{builtin} (built in)"), text.to_string()))
            .ok_or_else(|| anyhow!("no built-in template named {name}"))
    }
}

fn substitute(node: &mut Value, path: &str, vars: &Vars) -> Result<()> {
    match node {
        Value::String(text) => {
            if let Some(replacement) = render_string(text, path, vars)? {
                *node = replacement;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                substitute(item, &format!("{path}[{i}]"), vars)?;
            }
        }
        Value::Object(map) => {
            // Keys may hold placeholders too (e.g. a mapper named after a client).
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, mut value) in entries {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let key = match render_string(&key, &child, vars)? {
                    Some(Value::String(s)) => s,
                    Some(_) => bail!("{child}: a key must render to text"),
                    None => key,
                };
                substitute(&mut value, &child, vars)?;
                map.insert(key, value);
            }
        }
        _ => {}
    }
    Ok(())
}

/// `None` when the text has no placeholder. A string that is exactly one placeholder takes
/// the variable's type (number, list); otherwise variables are spliced in as text.
fn render_string(text: &str, path: &str, vars: &Vars) -> Result<Option<Value>> {
    if !text.contains("{{") {
        return Ok(None);
    }
    let lookup = |name: &str| {
        vars.get(name).ok_or_else(|| {
            let known: Vec<_> = vars.keys().copied().collect();
            anyhow!(
                "{path}: unknown placeholder {{{{ {name} }}}}; known: {}",
                known.join(", ")
            )
        })
    };
    if let Some(inner) = text.strip_prefix("{{").and_then(|t| t.strip_suffix("}}"))
        && !inner.contains("{{")
    {
        return Ok(Some(lookup(inner.trim())?.clone()));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            bail!("{path}: unclosed placeholder in {text:?}");
        };
        let name = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        match lookup(name)? {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            _ => bail!("{path}: placeholder {name} is a list and must stand alone"),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(Some(Value::String(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        [
            ("name", json!("demo")),
            ("port", json!(18443)),
            ("uris", json!(["a", "b"])),
        ]
        .into()
    }

    fn render_text(text: &str) -> Result<Value> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.yaml"), text).unwrap();
        Templates::new(Some(dir.path())).render("t.yaml", &vars())
    }

    #[test]
    fn placeholders_take_types_and_splice_into_text() {
        let value = render_text(
            "realm: \"{{ name }}\"\nport: \"{{port}}\"\nurl: https://x:{{ port }}/{{ name }}\nlist: \"{{ uris }}\"\n\"{{ name }}-key\": 1\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"realm": "demo", "port": 18443, "url": "https://x:18443/demo", "list": ["a", "b"], "demo-key": 1})
        );
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let err = format!(
            "{:#}",
            render_text("a:\n  b: \"{{ nope }}\"\n").unwrap_err()
        );
        assert!(
            err.contains("t.yaml: a.b: unknown placeholder {{ nope }}"),
            "{err}"
        );
        let err = format!("{:#}", render_text("a: [unclosed\n").unwrap_err());
        assert!(err.contains("t.yaml: invalid YAML"), "{err}");
    }

    #[test]
    fn every_built_in_template_parses() {
        let templates = Templates::new(None);
        for (name, _) in BUILT_IN {
            let (_, text) = templates.source(name).unwrap();
            serde_yaml::from_str::<serde_yaml::Value>(&text).unwrap();
        }
    }
}
