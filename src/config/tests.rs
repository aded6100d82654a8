use std::io::Write;

use super::*;

fn write_config(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn load_with(file: Option<&Path>, env: &[(&str, &str)], flags: &[&str]) -> Result<Loaded> {
    let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    load(Inputs {
        file,
        flags: &flags,
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

fn error_of(file: Option<&Path>, env: &[(&str, &str)], flags: &[&str]) -> String {
    match load_with(file, env, flags) {
        Ok(_) => panic!("expected an error"),
        Err(err) => format!("{err:#}"),
    }
}

#[test]
fn defaults_reproduce_the_seed() {
    let config = load_with(None, &[], &["bastion.address=10.0.0.5"])
        .unwrap()
        .config;
    assert_eq!(config.keycloak.realm, "demo");
    assert_eq!(config.keycloak.https_port, 18443);
    assert_eq!(config.keycloak.image, "quay.io/keycloak/keycloak:26.2");
    assert_eq!(config.keycloak.container_name, "keycloak");
    assert_eq!(config.keycloak.ocp_client_id, "ocp-oauth");
    assert_eq!(config.keycloak.app_client_id, "third-party-app");
    assert_eq!(config.app.port, 9080);
    assert_eq!(config.app.container_name, "demo-app");
    assert_eq!(config.openshift.oauth_client_name, "third-party-demo");
    assert_eq!(config.openshift.idp_name, "keycloak");
    assert_eq!(config.keycloak_url(), "https://10.0.0.5:18443");
    assert_eq!(config.issuer_url(), "https://10.0.0.5:18443/realms/demo");
    assert_eq!(config.app_url(), "http://10.0.0.5:9080");

    let matrix: Vec<(String, Vec<(String, Role)>)> = config
        .users
        .iter()
        .map(|u| {
            (
                u.username.clone(),
                u.projects
                    .iter()
                    .map(|p| (p.name.clone(), p.role))
                    .collect(),
            )
        })
        .collect();
    let grant = |p: &str, r| (p.to_string(), r);
    assert_eq!(
        matrix,
        vec![
            (
                "user-a".into(),
                vec![
                    grant("project-a", Role::View),
                    grant("project-c", Role::View)
                ]
            ),
            ("user-b".into(), vec![grant("project-b", Role::Edit)]),
            (
                "user-c".into(),
                vec![
                    grant("project-c", Role::Admin),
                    grant("project-a", Role::View),
                    grant("project-b", Role::View)
                ]
            ),
        ]
    );
    for user in &config.users {
        assert!(!user.first_name.is_empty() && !user.last_name.is_empty());
        assert!(user.email.contains('@'));
        assert!(
            user.password.is_none(),
            "passwords are generated, never built in"
        );
    }
}

#[test]
fn precedence_is_flag_then_env_then_file_then_default() {
    let file =
        write_config("keycloak:\n  https_port: 20000\n  realm: from-file\napp:\n  port: 20001\n");
    let env = [
        ("BRIDGECTL_KEYCLOAK_HTTPS_PORT", "20010"),
        ("BRIDGECTL_APP_PORT", "20011"),
    ];
    let config = load_with(
        Some(file.path()),
        &env,
        &["keycloak.https_port=20020", "bastion.address=127.0.0.1"],
    )
    .unwrap()
    .config;
    assert_eq!(config.keycloak.https_port, 20020, "flag beats env");
    assert_eq!(config.app.port, 20011, "env beats file");
    assert_eq!(config.keycloak.realm, "from-file", "file beats default");
    assert_eq!(config.keycloak.admin_username, "admin", "default remains");
}

#[test]
fn string_fields_stay_strings_from_env() {
    let config = load_with(
        None,
        &[
            ("BRIDGECTL_KEYCLOAK_REALM", "123"),
            ("BRIDGECTL_BASTION_ADDRESS", "127.0.0.1"),
        ],
        &[],
    )
    .unwrap()
    .config;
    assert_eq!(config.keycloak.realm, "123");
}

#[test]
fn unknown_environment_variables_are_warned_about() {
    let loaded = load_with(
        None,
        &[
            ("BRIDGECTL_KEYCLOAK_PORTT", "1"),
            ("BRIDGECTL_STATE_DIR", "x"),
        ],
        &["bastion.address=127.0.0.1"],
    )
    .unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].contains("BRIDGECTL_KEYCLOAK_PORTT"));
}

#[test]
fn a_bad_role_names_the_field_and_the_file() {
    let file = write_config(
        "users:\n  - username: user-a\n    first_name: A\n    last_name: B\n    email: a@example.com\n  \
         - username: user-b\n    first_name: A\n    last_name: B\n    email: b@example.com\n    \
         projects:\n      - name: project-b\n        role: viewer\n",
    );
    let err = error_of(Some(file.path()), &[], &[]);
    assert!(
        err.contains(
            r#"users[1].projects[0].role: unknown role "viewer", expected view, edit or admin"#
        ),
        "{err}"
    );
    assert!(err.contains(&file.path().display().to_string()), "{err}");
}

#[test]
fn unknown_keys_are_errors_naming_the_section() {
    let file = write_config("keycloak:\n  portt: 1\n");
    let err = error_of(Some(file.path()), &[], &[]);
    assert!(
        err.contains("keycloak.portt: unknown field `portt`"),
        "{err}"
    );
    assert!(err.contains(&file.path().display().to_string()), "{err}");

    let top = write_config("kecloak: {}\n");
    let err = error_of(Some(top.path()), &[], &[]);
    assert!(err.contains("unknown field `kecloak`"), "{err}");
}

#[test]
fn bad_values_name_their_origin() {
    let err = error_of(None, &[("BRIDGECTL_KEYCLOAK_HTTPS_PORT", "99999")], &[]);
    assert!(err.contains("keycloak.https_port"), "{err}");
    assert!(err.contains("BRIDGECTL_KEYCLOAK_HTTPS_PORT"), "{err}");

    let err = error_of(None, &[], &["app.port=18443", "bastion.address=127.0.0.1"]);
    assert!(
        err.contains(
            "app.port: port 18443 is already keycloak.https_port (flag --set app.port=18443)"
        ),
        "{err}"
    );

    let err = error_of(None, &[], &["no.such=1"]);
    assert!(err.contains("unknown field \"no.such\""), "{err}");

    let err = error_of(None, &[], &["keycloak.https_port"]);
    assert!(err.contains("expected FIELD=VALUE"), "{err}");
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let file = write_config(
        "bastion:\n  address: 127.0.0.1\n  extra_sans: ['not a name']\n\
         keycloak:\n  container_name: '-bad'\n  realm: ''\n\
         openshift:\n  oauth_url: http://plain\n\
         users:\n  - username: User-A\n    first_name: A\n    last_name: B\n    email: nope\n    \
         projects:\n      - {name: Project_A, role: view}\n      - {name: Project_A, role: edit}\n",
    );
    let err = error_of(Some(file.path()), &[], &[]);
    for expected in [
        "bastion.extra_sans[0]",
        "keycloak.container_name",
        "keycloak.realm",
        "openshift.oauth_url",
        "users[0].username",
        "users[0].email",
        "users[0].projects[0].name",
        "users[0].projects[1].name",
    ] {
        assert!(err.contains(expected), "missing {expected} in:\n{err}");
    }
}

#[test]
fn syntax_errors_and_missing_files_are_clear() {
    let file = write_config("keycloak: [unclosed\n");
    let err = error_of(Some(file.path()), &[], &[]);
    assert!(err.contains("invalid YAML"), "{err}");
    let err = error_of(Some(Path::new("/nonexistent/bridgectl.yaml")), &[], &[]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn the_example_config_loads_and_equals_the_defaults() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("bridgectl.example.yaml");
    let from_example = load_with(Some(&example), &[], &["bastion.address=10.0.0.5"])
        .unwrap()
        .config;
    let mut defaults = load_with(None, &[], &["bastion.address=10.0.0.5"])
        .unwrap()
        .config;
    defaults.bastion.hostname = from_example.bastion.hostname.clone();
    assert_eq!(from_example, defaults);
}

#[test]
fn every_field_has_an_environment_name() {
    let tree = serde_yaml::to_value(Config::default()).unwrap();
    let paths = leaf_paths(&tree);
    assert!(paths.contains(&"keycloak.https_port".to_string()));
    assert!(paths.contains(&"users".to_string()));
    assert_eq!(
        env_name("keycloak.https_port"),
        "BRIDGECTL_KEYCLOAK_HTTPS_PORT"
    );
}
