//! Layers the configuration: built-in defaults < file < BRIDGECTL_* environment < --set flags.
//! Layers are merged as YAML trees and deserialized once, so every error can name the
//! field and the layer it came from.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_yaml::{Mapping, Value};

use super::model::Config;

pub const DEFAULT_FILE: &str = "bridgectl.yaml";
const ENV_PREFIX: &str = "BRIDGECTL_";
/// Variables read by the CLI itself rather than naming a configuration field.
const ENV_RESERVED: &[&str] = &["BRIDGECTL_CONFIG", "BRIDGECTL_STATE_DIR"];

/// Where a value came from, for error messages.
#[derive(Debug, Clone)]
pub enum Origin {
    Default,
    File(PathBuf),
    Env(String),
    Flag(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("built-in defaults"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Flag(arg) => write!(f, "flag --set {arg}"),
        }
    }
}

/// The merged tree plus the origin of every overridden path.
pub struct Layers {
    pub tree: Value,
    file: Option<PathBuf>,
    overrides: Vec<(String, Origin)>,
}

impl Layers {
    pub fn new() -> Result<Self> {
        Ok(Layers {
            tree: serde_yaml::to_value(Config::default())?,
            file: None,
            overrides: Vec::new(),
        })
    }

    /// Merges the explicit file, or ./bridgectl.yaml when it exists.
    pub fn add_file(&mut self, explicit: Option<&Path>) -> Result<()> {
        let path = match explicit {
            Some(path) => {
                if !path.exists() {
                    bail!(
                        "configuration file {} does not exist; create it (see bridgectl.example.yaml) or drop --config",
                        path.display()
                    );
                }
                path.to_path_buf()
            }
            None if Path::new(DEFAULT_FILE).exists() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(()),
        };
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let bytes = err.as_bytes();
                let (line, column) = line_column(&String::from_utf8_lossy(&bytes[..at]));
                bail!(
                    "{}: invalid YAML: not UTF-8 text (byte 0x{:02x}) at line {line} column {column}",
                    path.display(),
                    bytes[at]
                );
            }
        };
        let value: Value = serde_yaml::from_str(&text).map_err(|err| {
            anyhow::anyhow!(
                "{}: invalid YAML: {}",
                path.display(),
                yaml_error(&text, &err)
            )
        })?;
        match value {
            Value::Null => {}
            Value::Mapping(_) => merge(&mut self.tree, value),
            _ => bail!(
                "{}: expected a mapping of settings at the top level",
                path.display()
            ),
        }
        self.file = Some(path);
        Ok(())
    }

    /// Applies BRIDGECTL_* variables; returns the names that match no field.
    pub fn add_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
        let fields = leaf_paths(&self.tree);
        let mut unknown = Vec::new();
        for (name, raw) in vars {
            if !name.starts_with(ENV_PREFIX) || ENV_RESERVED.contains(&name.as_str()) {
                continue;
            }
            match fields.iter().find(|path| env_name(path) == name) {
                Some(path) => self.set(path, &raw, Origin::Env(name.clone())),
                None => unknown.push(name),
            }
        }
        unknown
    }

    /// Applies `--set field=value` flags.
    pub fn add_flags(&mut self, flags: &[String]) -> Result<()> {
        let fields = leaf_paths(&self.tree);
        for flag in flags {
            let Some((path, raw)) = flag.split_once('=') else {
                bail!("--set {flag}: expected FIELD=VALUE, e.g. --set keycloak.https_port=18444");
            };
            let path = path.trim();
            if !fields.iter().any(|known| known == path) {
                bail!(
                    "--set {flag}: unknown field \"{path}\"; known fields: {}",
                    fields.join(", ")
                );
            }
            self.set(path, raw, Origin::Flag(flag.clone()));
        }
        Ok(())
    }

    /// The layer that supplied `path` (or the closest enclosing field).
    pub fn origin_of(&self, path: &str) -> Origin {
        let covers = |set: &str| {
            path == set
                || path.starts_with(&format!("{set}."))
                || path.starts_with(&format!("{set}["))
        };
        if let Some((_, origin)) = self.overrides.iter().rev().find(|(set, _)| covers(set)) {
            return origin.clone();
        }
        match &self.file {
            Some(file) => Origin::File(file.clone()),
            None => Origin::Default,
        }
    }

    fn set(&mut self, path: &str, raw: &str, origin: Origin) {
        let mut node = &mut self.tree;
        for key in path.split('.') {
            if !node.is_mapping() {
                *node = Value::Mapping(Mapping::new());
            }
            let Value::Mapping(map) = node else {
                unreachable!("made a mapping above")
            };
            node = map
                .entry(Value::String(key.to_string()))
                .or_insert(Value::Null);
        }
        *node = typed_like(node, raw);
        self.overrides.push((path.to_string(), origin));
    }
}

/// serde_yaml's message, always with a line and column: it leaves them out at the start
/// of the text, libyaml gives only a byte offset for a control character, and none for a
/// second document.
fn yaml_error(text: &str, err: &serde_yaml::Error) -> String {
    let message = err.to_string();
    if message.contains("control characters are not allowed")
        && let Some((c, line, column)) = first_unprintable(text)
    {
        return format!(
            "control character U+{:04X} is not allowed at line {line} column {column}",
            u32::from(c)
        );
    }
    // serde_yaml leaves out a position at the very start of the text.
    if let Some(at) = err.location()
        && !message.contains(" at line ")
    {
        return format!("{message} at line {} column {}", at.line(), at.column());
    }
    if message.contains("more than one document")
        && let Some((line, column)) = second_document_at(text)
    {
        return format!("{message}: the second one starts at line {line} column {column}");
    }
    message
}

/// Line and column (both from 1, columns in characters) just after `prefix`.
fn line_column(prefix: &str) -> (usize, usize) {
    let line = prefix.matches('\n').count() + 1;
    let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The first character YAML does not allow in a stream (YAML 1.2, 5.1: only the
/// printable set) and where it is.
fn first_unprintable(text: &str) -> Option<(char, usize, usize)> {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}')
            || ('\u{a0}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    let (at, c) = text.char_indices().find(|(_, c)| !printable(*c))?;
    let (line, column) = line_column(&text[..at]);
    Some((c, line, column))
}

/// Where the second YAML document of `text` starts: deserializing it into a type that
/// accepts nothing makes the parser report the position of its first node.
fn second_document_at(text: &str) -> Option<(usize, usize)> {
    struct Nothing;
    impl<'de> serde::Deserialize<'de> for Nothing {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Refuse;
            impl serde::de::Visitor<'_> for Refuse {
                type Value = Nothing;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a single document")
                }
            }
            d.deserialize_any(Refuse)
        }
    }
    let mut documents = serde_yaml::Deserializer::from_str(text);
    documents.next()?;
    let second = documents.next()?;
    let err = <Nothing as serde::Deserialize>::deserialize(second).err()?;
    err.location().map(|l| (l.line(), l.column()))
}

/// Text from the environment or a flag, typed like the value it replaces: strings stay
/// strings (a realm called "123" is a string), numbers, booleans and lists are parsed as YAML.
fn typed_like(current: &Value, raw: &str) -> Value {
    match current {
        Value::String(_) | Value::Null => Value::String(raw.to_string()),
        _ => serde_yaml::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string())),
    }
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(base), Value::Mapping(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// Dotted paths of every settable field: mappings are descended, anything else is a leaf.
pub fn leaf_paths(tree: &Value) -> Vec<String> {
    fn walk(prefix: &str, node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Mapping(map) => {
                for (key, child) in map {
                    let key = key.as_str().unwrap_or_default();
                    let path = if prefix.is_empty() {
                        key.to_string()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, child, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk("", tree, &mut out);
    out
}

/// A YAML value on one line, cut short: for naming a key in a message.
pub fn compact(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(&b.to_string()),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => out.push_str(&format!("{s:?}")),
            Value::Sequence(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if out.len() > 60 {
                        out.push_str("...");
                        break;
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::Mapping(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if out.len() > 60 {
                        out.push_str("...");
                        break;
                    }
                    write(k, out);
                    out.push_str(": ");
                    write(v, out);
                }
                out.push('}');
            }
            Value::Tagged(tagged) => {
                out.push_str(&format!("{} ", tagged.tag));
                write(&tagged.value, out);
            }
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    if out.chars().count() > 80 {
        out = out.chars().take(80).collect::<String>() + "...";
    }
    out
}

/// `keycloak.https_port` is set by `BRIDGECTL_KEYCLOAK_HTTPS_PORT`.
pub fn env_name(path: &str) -> String {
    format!("{ENV_PREFIX}{}", path.replace('.', "_").to_uppercase())
}
