//! Hostile configuration files. Thousands of generated inputs go through `load` exactly
//! as a file named by `--config` does: random bytes, random YAML documents, the example
//! file with fields removed, retyped, renamed or nested deep, huge and negative numbers,
//! unicode, control characters, duplicate keys, aliases, several documents, bytes that
//! are not UTF-8. Each must end in a configuration that passes validation and can be
//! used, or in an error that says where the problem is: the dotted path of the field, or
//! for text that is not YAML the file and the line and column. Never a panic.
//!
//! The generators draw from a fixed-seed PRNG, so every run sees the same cases and a
//! failure names its case (`generator #n`) and shows its input.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value};

use super::*;

/// Cases per generator.
const CASES: usize = 300;

// ------------------------------------------------------------------------------------
// The property
// ------------------------------------------------------------------------------------

/// Every field path of the configuration; list items as `[]` (`users[].projects[].role`).
struct Schema(BTreeSet<String>);

impl Schema {
    fn new() -> Schema {
        fn walk(prefix: &str, node: &Value, out: &mut BTreeSet<String>) {
            if !prefix.is_empty() {
                out.insert(prefix.to_string());
            }
            match node {
                Value::Mapping(map) => {
                    for (key, child) in map {
                        let key = key.as_str().expect("field names are text");
                        let path = if prefix.is_empty() {
                            key.to_string()
                        } else {
                            format!("{prefix}.{key}")
                        };
                        walk(&path, child, out);
                    }
                }
                Value::Sequence(items) => {
                    if let Some(first) = items.first() {
                        walk(&format!("{prefix}[]"), first, out);
                    }
                }
                _ => {}
            }
        }
        let mut config = Config::default();
        // Fields that are left out when empty or unset, so that they are listed too.
        config.users[0].password = Some("x".into());
        config.bastion.extra_sans = vec!["x".into()];
        let tree = serde_yaml::to_value(&config).unwrap();
        let mut paths = BTreeSet::new();
        walk("", &tree, &mut paths);
        Schema(paths)
    }

    /// Whether `path` (`users[2].email`) is a field of the configuration.
    fn knows(&self, path: &str) -> bool {
        let mut shape = String::new();
        let mut in_index = false;
        for c in path.chars() {
            match c {
                '[' => in_index = true,
                ']' if in_index => {
                    in_index = false;
                    shape.push_str("[]");
                }
                c if in_index && c.is_ascii_digit() => {}
                c => shape.push(c),
            }
        }
        !in_index && self.0.contains(&shape)
    }
}

/// The word that ends at byte `end` of `message` (after the last space or parenthesis).
fn word_before(message: &str, end: usize) -> &str {
    let head = &message[..end];
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || *c == '(')
        .map_or(0, |(i, c)| i + c.len_utf8());
    &head[start..]
}

/// Whether an error message names a field: `<field>: ...` (type errors, every validation
/// line), `<section>.<key>: unknown field `<key>`` (a key that is no field, under a field
/// or at the top level after the file name), or `set <field>` (a value that could not be
/// detected).
fn names_a_field(message: &str, schema: &Schema) -> bool {
    if message
        .match_indices(": ")
        .any(|(i, _)| schema.knows(word_before(message, i)))
    {
        return true;
    }
    const UNKNOWN: &str = ": unknown field `";
    for (i, _) in message.match_indices(UNKNOWN) {
        let rest = &message[i + UNKNOWN.len()..];
        let Some(key) = rest.split('`').next() else {
            continue;
        };
        let Some(parent) = message[..i].strip_suffix(key) else {
            continue;
        };
        match parent.strip_suffix('.') {
            Some(section) if schema.knows(word_before(section, section.len())) => return true,
            Some(_) => {}
            None if parent.ends_with(": ") => return true,
            None => {}
        }
    }
    message.match_indices("set ").any(|(i, _)| {
        let word = message[i + 4..]
            .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
            .next()
            .unwrap_or("");
        schema.knows(word)
    })
}

/// Whether the message has a `line N column M` position.
fn has_line_column(message: &str) -> bool {
    message.match_indices("line ").any(|(i, _)| {
        let rest = &message[i + "line ".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0
            && rest[digits..]
                .strip_prefix(" column ")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// A loaded configuration must pass validation and give usable values: URLs that parse,
/// certificate names that are IP addresses or DNS names, users Keycloak will accept.
/// `detected` is this machine's host name, which the input does not decide.
fn usable(config: &Config, detected: &str) -> Result<(), String> {
    let problems = validate::validate(config);
    if !problems.is_empty() {
        return Err(format!("loaded, yet validation says {problems:?}"));
    }
    if config.bastion.address.is_none() || config.bastion.hostname.is_none() {
        return Err("loaded without a bastion address and host name".into());
    }
    for url in [
        config.keycloak_url(),
        config.issuer_url(),
        config.app_url(),
        config.keycloak_local_url(),
    ] {
        if url::Url::parse(&url).map_or(true, |u| u.host().is_none()) {
            return Err(format!("loaded, but {url:?} is not a URL"));
        }
    }
    for name in config.server_cert_names() {
        if name != detected && name.parse::<IpAddr>().is_err() && !is_dns_name(&name) {
            return Err(format!(
                "loaded, but the certificate would name {name:?}, neither IP nor DNS name"
            ));
        }
    }
    for user in &config.users {
        for (what, value) in [
            ("username", &user.username),
            ("first name", &user.first_name),
            ("last name", &user.last_name),
        ] {
            if value.trim().is_empty() {
                return Err(format!("loaded, but a user has an empty {what}"));
            }
        }
    }
    Ok(())
}

/// RFC 1123 host name, written out here rather than borrowed from `validate`, so the
/// property does not trust the code under test.
fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The property for one input read from `file`: Ok, or what is wrong.
fn judge(
    file: &Path,
    result: &Result<Loaded>,
    schema: &Schema,
    detected: &str,
) -> Result<(), String> {
    let message = match result {
        Ok(loaded) => return usable(&loaded.config, detected),
        Err(err) => format!("{err:#}"),
    };
    if names_a_field(&message, schema) {
        return Ok(());
    }
    let names_file = message.contains(&file.display().to_string());
    // Not YAML, or YAML that is not a mapping of settings: the file and the place.
    if names_file && (has_line_column(&message) || message.contains("at the top level")) {
        return Ok(());
    }
    // The one error libyaml cannot place: aliases that expand past its limit (a "billion
    // laughs" document). It is about the whole document, and says so.
    if names_file && message.contains("repetition limit exceeded") {
        return Ok(());
    }
    Err(format!(
        "the error names no field and no place in the file: {message}"
    ))
}

// ------------------------------------------------------------------------------------
// The generators
// ------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and plenty to choose mutations with.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0 to n-1 (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Keys a hostile file might use: real field names, near misses, YAML's specials.
const KEYS: &[&str] = &[
    "bastion",
    "keycloak",
    "openshift",
    "app",
    "users",
    "sandbox",
    "templates_dir",
    "address",
    "hostname",
    "extra_sans",
    "image",
    "container_name",
    "https_port",
    "bind_address",
    "realm",
    "features",
    "admin_concurrency",
    "port",
    "tls_verify",
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "projects",
    "name",
    "role",
    "kecloak",
    "Realm",
    "https-port",
    "<<",
    "?",
    "-",
    "~",
    "",
    " ",
    "null",
    "true",
    "1",
    "é",
    "使用者",
    "🙂",
    "a.b",
    "users[0]",
    "a: b",
];

/// Texts for values, chosen to break things.
const TEXTS: &[&str] = &[
    "",
    " ",
    "démo",
    "使用者",
    "🙂",
    "\u{202e}evil",
    "a\nb",
    "\t",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{feff}",
    "-bad",
    "UPPER",
    "user-a",
    "view",
    "viewer",
    "admin",
    "127.0.0.1",
    "::1",
    "999.1.1.1",
    "0.0.0.0",
    "https://x.example",
    "http://plain",
    "a@b",
    "a b",
    "{{ x }}",
    "${HOME}",
    "*alias",
    "&anchor",
    "!tag",
    "- item",
    "key: value",
    "'",
    "\"",
    "#",
    "%",
    "yes",
    "no",
    "on",
    "~",
    "null",
    "0x1F",
    "0o17",
    "1e400",
    ".inf",
    "-.nan",
    "18446744073709551616",
    "project-a",
    "token-exchange",
    "a,b",
];

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::from(*rng.pick(&[
            0i64,
            1,
            -1,
            65535,
            65536,
            -65536,
            i64::MAX,
            i64::MIN,
            18443,
            9080,
        ])),
        3 => match rng.below(4) {
            0 => Value::from(u64::MAX),
            1 => Value::from(rng.next()),
            2 => Value::from(*rng.pick(&[1e308, -0.0, 0.5, f64::NAN, f64::INFINITY])),
            _ => Value::from(rng.next() as i64),
        },
        4 => Value::from("x".repeat(rng.below(3) * rng.below(20_000))),
        _ => Value::from(*rng.pick(TEXTS)),
    }
}

fn key(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => scalar(rng),
        1 => Value::Sequence(vec![scalar(rng)]),
        _ => Value::from(*rng.pick(KEYS)),
    }
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 || rng.chance(45) {
        return scalar(rng);
    }
    match rng.below(5) {
        0 | 1 => Value::Sequence((0..rng.below(5)).map(|_| value(rng, depth - 1)).collect()),
        2 | 3 => {
            let mut map = Mapping::new();
            for _ in 0..rng.below(6) {
                map.insert(key(rng), value(rng, depth - 1));
            }
            Value::Mapping(map)
        }
        _ => Value::Tagged(Box::new(TaggedValue {
            tag: Tag::new(*rng.pick(&["foo", "!str", "binary", "int"])),
            value: value(rng, depth - 1),
        })),
    }
}

/// `value` wrapped `levels` times in lists or mappings.
fn nested(rng: &mut Rng, levels: usize) -> Value {
    let mut v = scalar(rng);
    for _ in 0..levels {
        v = if rng.chance(50) {
            Value::Sequence(vec![v])
        } else {
            let mut map = Mapping::new();
            map.insert(key(rng), v);
            Value::Mapping(map)
        };
    }
    v
}

fn example_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("bridgectl.example.yaml"))
        .unwrap()
}

/// A step from a node to a child.
#[derive(Clone)]
enum Step {
    Key(Value),
    Index(usize),
}

fn node_paths(node: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match node {
        Value::Mapping(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                node_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                node_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn parent_mut<'a>(mut node: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    for step in path {
        node = match step {
            Step::Key(k) => node.as_mapping_mut()?.get_mut(k)?,
            Step::Index(i) => node.as_sequence_mut()?.get_mut(*i)?,
        };
    }
    Some(node)
}

/// One change at a random place of the tree.
fn mutate(rng: &mut Rng, tree: &mut Value) {
    let mut paths = Vec::new();
    node_paths(tree, &mut Vec::new(), &mut paths);
    if paths.is_empty() {
        *tree = value(rng, 3);
        return;
    }
    let path = rng.pick(&paths).clone();
    let (last, parent_path) = path.split_last().unwrap();
    let Some(parent) = parent_mut(tree, parent_path) else {
        return;
    };
    let replacement = match rng.below(8) {
        // Removed.
        0 | 1 => None,
        // A near miss of its name, or an extra key beside it.
        2 => {
            if let (Step::Key(k), Value::Mapping(map)) = (last, &mut *parent) {
                let old = map.remove(k).unwrap_or(Value::Null);
                let name = k.as_str().unwrap_or("k");
                let renamed = match rng.below(3) {
                    0 => format!("{name}s"),
                    1 => name.to_uppercase(),
                    _ => name.replace('_', "-"),
                };
                map.insert(Value::from(renamed), old);
            } else if let Value::Mapping(map) = &mut *parent {
                map.insert(key(rng), value(rng, 2));
            }
            return;
        }
        3 => {
            let levels = rng.below(300);
            Some(nested(rng, levels))
        }
        4 => Some(value(rng, 3)),
        _ => Some(scalar(rng)),
    };
    match (last, parent, replacement) {
        (Step::Key(k), Value::Mapping(map), None) => {
            map.remove(k);
        }
        (Step::Index(i), Value::Sequence(items), None) => {
            items.remove(*i);
        }
        (Step::Key(k), Value::Mapping(map), Some(v)) => {
            map.insert(k.clone(), v);
        }
        (Step::Index(i), Value::Sequence(items), Some(v)) => items[*i] = v,
        _ => {}
    }
}

fn to_yaml(v: &Value) -> Vec<u8> {
    serde_yaml::to_string(v).unwrap_or_default().into_bytes()
}

/// Random bytes, half of them YAML punctuation and letters.
fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    const YAMLISH: &[u8] = b" \n\n\t:-[]{},#&*!|>'\"%@`?abcdekmyz0123456789._";
    (0..rng.below(400))
        .map(|_| {
            if rng.chance(50) {
                *rng.pick(YAMLISH)
            } else {
                rng.next() as u8
            }
        })
        .collect()
}

/// A random document: a mapping of mostly real section names to random values, or
/// sometimes no mapping at all.
fn random_document(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(10) {
        return to_yaml(&value(rng, 3));
    }
    let mut map = Mapping::new();
    for _ in 0..rng.below(7) {
        let k = if rng.chance(70) {
            Value::from(*rng.pick(&KEYS[..8]))
        } else {
            key(rng)
        };
        map.insert(k, value(rng, 4));
    }
    to_yaml(&Value::Mapping(map))
}

/// The example file parsed, changed in one to four places, written back.
fn mutated_example(rng: &mut Rng, example: &Value) -> Vec<u8> {
    let mut tree = example.clone();
    for _ in 0..1 + rng.below(4) {
        mutate(rng, &mut tree);
    }
    to_yaml(&tree)
}

/// The example file edited as text: lines duplicated (duplicate keys), dropped, swapped
/// or re-indented, values replaced by raw text, bytes broken, the file cut short.
fn edited_example(rng: &mut Rng, example: &str) -> Vec<u8> {
    let mut lines: Vec<String> = example.lines().map(String::from).collect();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(8) {
            0 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            1 => {
                lines.remove(i);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => {
                let pad = " ".repeat(1 + rng.below(3));
                lines[i] = if rng.chance(50) {
                    format!("{pad}{}", lines[i])
                } else {
                    lines[i].trim_start().to_string()
                };
            }
            4 => lines[i] = format!("\t{}", lines[i]),
            5 => {
                if let Some((k, _)) = lines[i].split_once(": ") {
                    let raw = *rng.pick(&[
                        "-1",
                        "99999999999999999999999999",
                        "1e400",
                        ".nan",
                        "[1, [2, [3]]]",
                        "{a: 1}",
                        "~",
                        "''",
                        "\"\\ud800\"",
                        "&a x",
                        "*nope",
                        "!!binary aGVsbG8=",
                        "|\n  block",
                        "0x10",
                        "yes",
                        "用戶",
                    ]);
                    lines[i] = format!("{k}: {raw}");
                }
            }
            6 => {
                let token = *rng.pick(&["---", "...", "%YAML 1.2", "? ", "- ", "<<: *x", "[", "{"]);
                lines.insert(i, token.to_string());
            }
            _ => {
                let cut = rng.below(lines[i].len() + 1);
                let cut = lines[i].floor_char_boundary(cut);
                lines[i].truncate(cut);
            }
        }
    }
    let mut bytes = lines.join("\n").into_bytes();
    if rng.chance(20) && !bytes.is_empty() {
        let at = rng.below(bytes.len());
        bytes[at] = *rng.pick(&[0xff, 0xc0, 0x80, 0x00, 0x07, 0x1b, 0x7f]);
    }
    if rng.chance(10) {
        bytes.truncate(rng.below(bytes.len() + 1));
    }
    bytes
}

/// Shapes that stress the parser: deep nesting, alias bombs, several documents, many
/// keys, long lines, many users (which is a valid file).
fn structural(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.below(1000);
    match rng.below(9) {
        0 => format!("keycloak: {}{}", "[".repeat(n), "]".repeat(n)).into_bytes(),
        1 => format!("{}x{}", "{a: ".repeat(n), "}".repeat(n)).into_bytes(),
        2 => {
            let mut text = String::new();
            for level in 0..n.min(400) {
                text.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
            }
            text.into_bytes()
        }
        3 => {
            // Aliases of aliases, ten each: a few levels are a fine file, nine a bomb (rare:
            // refusing one takes the parser a second in a debug build).
            let levels = if rng.chance(4) { 9 } else { 1 + rng.below(4) };
            let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
            for level in 1..=levels as u8 {
                let (prev, name) = ((b'a' + level - 1) as char, (b'a' + level) as char);
                text.push_str(&format!(
                    "{name}: &{name} [{}]\n",
                    vec![format!("*{prev}"); 10].join(", ")
                ));
            }
            text.into_bytes()
        }
        4 => format!(
            "keycloak: {{realm: a}}\n---\nkeycloak: {{realm: b}}\n{}",
            "---\n".repeat(rng.below(3))
        )
        .into_bytes(),
        5 => (0..n)
            .map(|i| format!("key{i}: {i}\n"))
            .collect::<String>()
            .into_bytes(),
        6 => format!("keycloak:\n  realm: {}\n", "r".repeat(n * 50)).into_bytes(),
        7 => {
            let mut text = String::from("users:\n");
            for i in 0..n.min(300) {
                text.push_str(&format!(
                    "  - {{username: u{i}, first_name: F, last_name: L, email: u{i}@example.com, projects: [{{name: p{}, role: {}}}]}}\n",
                    i % 7,
                    rng.pick(&["view", "edit", "admin"])
                ));
            }
            text.into_bytes()
        }
        _ => format!(
            "keycloak:\n  realm: demo\n  realm: demo\nbastion: {{address: {}}}\n",
            rng.pick(&["10.0.0.5", "::1", "300.1.1.1", "[1]", "''"])
        )
        .into_bytes(),
    }
}

/// Shows an input in a failure message: escaped, cut short.
fn show(input: &[u8]) -> String {
    let text = format!("{:?}", String::from_utf8_lossy(input));
    if text.chars().count() > 400 {
        text.chars().take(400).collect::<String>() + "…"
    } else {
        text
    }
}

#[test]
fn hostile_files_give_a_valid_config_or_an_error_that_says_where() {
    let schema = Schema::new();
    let detected = bastion::detect_hostname();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridgectl.yaml");
    let example = example_text();
    let example_tree: Value = serde_yaml::from_str(&example).unwrap();

    type Generator<'a> = Box<dyn Fn(&mut Rng) -> Vec<u8> + 'a>;
    let generators: Vec<(&str, Generator)> = vec![
        ("random bytes", Box::new(random_bytes)),
        ("random document", Box::new(random_document)),
        (
            "mutated example",
            Box::new(|rng| mutated_example(rng, &example_tree)),
        ),
        (
            "edited example",
            Box::new(|rng| edited_example(rng, &example)),
        ),
        ("structural", Box::new(structural)),
    ];

    let (mut loaded, mut refused) = (0usize, 0usize);
    let mut failures = Vec::new();
    for (g, (name, generate)) in generators.iter().enumerate() {
        let mut rng = Rng(0x5eed_0000 + g as u64);
        let started = std::time::Instant::now();
        for case in 0..CASES {
            let input = generate(&mut rng);
            std::fs::write(&file, &input).unwrap();
            let result = catch_unwind(AssertUnwindSafe(|| {
                load(Inputs {
                    file: Some(&file),
                    flags: &[],
                    env: Vec::new(),
                })
            }));
            let verdict = match &result {
                Ok(result) => {
                    match result {
                        Ok(_) => loaded += 1,
                        Err(_) => refused += 1,
                    }
                    judge(&file, result, &schema, &detected)
                }
                Err(_) => Err("load panicked".to_string()),
            };
            if let Err(why) = verdict {
                failures.push(format!(
                    "{name} #{case}: {why}\n    input: {}",
                    show(&input)
                ));
            }
        }
        eprintln!("{name}: {CASES} cases in {:?}", started.elapsed());
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs broke the property:\n{}",
        failures.len(),
        generators.len() * CASES,
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Both sides were exercised: some hostile files are still valid configurations.
    assert!(
        loaded > 50 && refused > 1000,
        "loaded {loaded}, refused {refused}"
    );
}

/// Positive controls: the property fails on what it is meant to catch.
#[test]
fn the_property_rejects_errors_that_do_not_say_where() {
    let schema = Schema::new();
    let file = Path::new("/etc/bridgectl/bridgectl.yaml");
    let err = |message: &str| -> Result<Loaded> { Err(anyhow::anyhow!(message.to_string())) };
    for bad in [
        // What load said for `{1: x}` before the fix: serde's `?` for a key that is not text.
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: ?: invalid type: integer `1`, expected field identifier",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: invalid type: unit value",
        // What it said for bytes that are not UTF-8: the file, but not where.
        "cannot read configuration file /etc/bridgectl/bridgectl.yaml: stream did not contain valid UTF-8",
        "/etc/bridgectl/bridgectl.yaml: invalid YAML: control characters are not allowed",
        "/etc/bridgectl/bridgectl.yaml: invalid YAML: found character that cannot start any token",
        // A place, but in no named file.
        "invalid YAML at line 3 column 4",
        // Paths that are not fields of the configuration.
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: kecloak.realm: bad",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: users[x].email: bad",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: users[1.email: bad",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: nope.portt: unknown field `portt`",
    ] {
        assert!(
            judge(file, &err(bad), &schema, "vm").is_err(),
            "the property accepted: {bad}"
        );
    }
    for good in [
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: keycloak.https_port: invalid value: integer `-5`, expected u16",
        "invalid configuration:\n  users[1].projects[0].name: \"Project_A\" is not a valid project name (bridgectl.yaml)",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: keycloak.portt: unknown field `portt`, expected one of `image`",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: kecloak: unknown field `kecloak`, expected one of `bastion`",
        "invalid configuration in /etc/bridgectl/bridgectl.yaml: keycloak.a b: unknown field `a b`, field names are text",
        "/etc/bridgectl/bridgectl.yaml: invalid YAML: found character that cannot start any token at line 2 column 1",
        "/etc/bridgectl/bridgectl.yaml: expected a mapping of settings at the top level",
        "cannot detect the bastion's address (no non-loopback IPv4 interface); set bastion.address",
    ] {
        assert_eq!(judge(file, &err(good), &schema, "vm"), Ok(()), "{good}");
    }

    // A loaded configuration must pass validation and be usable.
    let mut config = Config::default();
    config.bastion.address = Some(IpAddr::from([10, 0, 0, 5]));
    config.bastion.hostname = Some("bastion".into());
    let ok = |config: &Config| -> Result<Loaded> {
        Ok(Loaded {
            config: config.clone(),
            warnings: Vec::new(),
        })
    };
    assert_eq!(judge(file, &ok(&config), &schema, "vm"), Ok(()));
    let mut clash = config.clone();
    clash.app.port = clash.keycloak.https_port;
    assert!(judge(file, &ok(&clash), &schema, "vm").is_err());
    let mut bad_name = config.clone();
    bad_name.bastion.hostname = Some("bad host".into());
    assert!(judge(file, &ok(&bad_name), &schema, "vm").is_err());
    let mut nameless = config.clone();
    nameless.users[1].first_name = " ".into();
    assert!(judge(file, &ok(&nameless), &schema, "vm").is_err());
}

/// What the property found, kept as plain regressions with the exact messages.
#[test]
fn what_the_property_found() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridgectl.yaml");
    let error_of = |input: &[u8]| -> String {
        std::fs::write(&file, input).unwrap();
        match load(Inputs {
            file: Some(&file),
            flags: &[],
            env: Vec::new(),
        }) {
            Ok(_) => panic!("{} loaded", show(input)),
            Err(err) => format!("{err:#}"),
        }
    };
    let f = file.display().to_string();
    for (input, expected) in [
        // A key that is not text was named `?`.
        (&b"keycloak: {1: x}\n"[..], "keycloak.1: unknown field `1`, field names are text".to_string()),
        (b"? [a]\n: 1\n", "[\"a\"]: unknown field `[\"a\"]`, field names are text".into()),
        (b"~: 1\n", "null: unknown field `null`, field names are text".into()),
        // An empty top-level key was named nowhere.
        (b"'': []\n", "an empty key at the top level: unknown field ``".into()),
        // Bytes that are not UTF-8 had no position.
        (
            b"keycloak:\n  realm: d\xe9mo\n",
            format!("{f}: invalid YAML: not UTF-8 text (byte 0xe9) at line 2 column 11"),
        ),
        // A control character had a byte offset at best.
        (
            b"app:\n  port: 1\x002\n",
            format!("{f}: invalid YAML: control character U+0000 is not allowed at line 2 column 10"),
        ),
        // A second document had no position.
        (
            b"app: {}\n---\nkeycloak: {}\n",
            "the second one starts at line 3 column 1".into(),
        ),
        // A host name that cannot be in a certificate was accepted.
        (
            "bastion: {address: 10.0.0.5, hostname: bastion hôte}\n".as_bytes(),
            "bastion.hostname: \"bastion hôte\" is not a DNS name".into(),
        ),
        // A user Keycloak will not let sign in ("Account is not fully set up").
        (
            b"bastion: {address: 10.0.0.5}\nusers: [{username: u, first_name: '', last_name: L, email: u@example.com}]\n",
            "users[0].first_name: is empty; Keycloak requires it".into(),
        ),
    ] {
        let message = error_of(input);
        assert!(message.contains(&expected), "{}\n  gave: {message}\n  want: {expected}", show(input));
    }
}
