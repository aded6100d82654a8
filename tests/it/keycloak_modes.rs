//! The two ways Keycloak starts: `start-dev` as the document runs it (its build at every
//! start) and `optimized` (the build done once, into a derived image). Both carry the
//! whole chain, and switching between them keeps the data. And `status` reads with
//! bridgectl's read-only client rather than the admin's password.

use crate::keycloak_data::user_ids;
use crate::support::setup::Setup;
use crate::support::{self};

/// The command the Keycloak container runs, as the engine has it.
fn keycloak_command(setup: &Setup) -> (String, String) {
    let out = support::podman(&[
        "inspect",
        "--format",
        "{{.ImageName}}|{{join .Config.Cmd \" \"}}",
        &setup.bed.container,
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (image, cmd) = text.split_once('|').unwrap();
    (image.to_string(), cmd.to_string())
}

fn set_mode(setup: &Setup, mode: &str) {
    let path = setup.bed.config_path();
    let config = std::fs::read_to_string(&path).unwrap();
    let config = match config.find("  mode: ") {
        Some(_) => config
            .lines()
            .map(|line| match line.starts_with("  mode: ") {
                true => format!("  mode: {mode}"),
                false => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        None => config.replacen("keycloak:\n", &format!("keycloak:\n  mode: {mode}\n"), 1),
    };
    std::fs::write(path, config + "\n").unwrap();
}

#[test]
fn start_dev_carries_the_chain_and_switching_to_optimized_keeps_the_data() {
    let setup = Setup::new("modes");
    set_mode(&setup, "start-dev");
    setup.run(&["sandbox", "up"]).assert_ok();
    let first = setup.run(&["all"]);
    first.assert_ok();
    let (image, cmd) = keycloak_command(&setup);
    assert_eq!(
        image,
        support::keycloak_image(),
        "start-dev runs the configured image"
    );
    assert!(cmd.starts_with("start-dev "), "{cmd}");
    assert!(cmd.contains("--features=token-exchange"), "{cmd}");
    assert!(
        !first.stdout.contains("keycloak-optimized"),
        "start-dev built the optimized image:\n{}",
        first.all()
    );
    setup.assert_verified();
    let ids = user_ids(&setup);

    // Optimized: the derived image (built now, or already built by another test), the
    // container recreated from it, the same data.
    set_mode(&setup, "optimized");
    let switched = setup.run(&["all"]);
    switched.assert_ok();
    let container = format!("container/{}", setup.bed.container);
    assert_eq!(
        switched.outcome_of(&container).as_deref(),
        Some("updated"),
        "{}",
        switched.all()
    );
    let (image, cmd) = keycloak_command(&setup);
    assert!(
        image.starts_with("localhost/bridgectl/keycloak-optimized:26."),
        "{image}"
    );
    assert!(cmd.starts_with("start --optimized "), "{cmd}");
    assert!(
        !cmd.contains("--features"),
        "a build-time option at start: {cmd}"
    );
    let built = format!("image/{image}");
    assert!(
        matches!(
            switched.outcome_of(&built).as_deref(),
            Some("created" | "unchanged")
        ),
        "{}",
        switched.all()
    );
    for user in ["user-a", "user-b", "user-c"] {
        assert_eq!(
            switched.outcome_of(&format!("user/{user}")).as_deref(),
            Some("unchanged"),
            "{}",
            switched.all()
        );
    }
    assert_eq!(user_ids(&setup), ids, "the switch lost Keycloak's data");
    setup.assert_verified();
    setup
        .run(&["all"])
        .assert_ok()
        .assert_all_unchanged("the optimized Keycloak converged");

    status_reads_with_the_read_only_client(&setup);
}

/// `status` signs in as bridgectl's read-only client, not as an admin: with the admin's
/// password and the admin client's secret wrong it still sees the realm as configured,
/// while step2 (which writes) is refused. The client reads and cannot write.
fn status_reads_with_the_read_only_client(setup: &Setup) {
    let password_file = setup
        .bed
        .state_dir()
        .join("secrets/keycloak-admin-password");
    let client_file = password_file.with_file_name("client-bridgectl-admin");
    let password = std::fs::read(&password_file).unwrap();
    let client_secret = std::fs::read(&client_file).unwrap();
    std::fs::write(&password_file, "not-the-password").unwrap();
    std::fs::write(&client_file, "not-the-secret").unwrap();
    let (run, status) = setup.status();
    let step2 = setup.run(&["step2"]);
    std::fs::write(&password_file, password).unwrap();
    std::fs::write(&client_file, client_secret).unwrap();
    // The container's row is ✖ now (the admin's secrets are part of its definition), so
    // status exits 1; the rows of what is inside Keycloak are read all the same.
    assert_ne!(run.status, 0, "{}", run.all());
    for part in ["Keycloak realm", "Keycloak clients", "Keycloak users"] {
        let row = status["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["part"] == part)
            .unwrap();
        assert_eq!(row["ok"], true, "{row}");
    }
    step2
        .assert_failed()
        .assert_contains("Keycloak refused the admin sign-in");

    let client = setup.bed.client();
    let token: serde_json::Value = client
        .post(format!(
            "{}/realms/master/protocol/openid-connect/token",
            setup.bed.base_url()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bridgectl-reader"),
            (
                "client_secret",
                &setup.bed.secret("client-bridgectl-reader"),
            ),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = token["access_token"].as_str().expect("a token");
    let realm = format!("{}/admin/realms/demo", setup.bed.base_url());
    let read = client.get(&realm).bearer_auth(token).send().unwrap();
    assert_eq!(read.status(), 200);
    let body: serde_json::Value = read.json().unwrap();
    let written = client
        .put(&realm)
        .bearer_auth(token)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(
        written.status(),
        403,
        "the read-only client wrote the realm"
    );
}
