//! step1 against the real Podman engine and the real Keycloak image.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

use crate::support::{self, Bed, admin_token, client_trusting, podman};

#[test]
fn step1_starts_keycloak_over_verified_https_and_converges() {
    let bed = Bed::new("kc");

    // A dry run on a fresh machine plans everything and writes nothing.
    let plan = bed.run(&["--dry-run", "step1"]);
    plan.assert_ok();
    // The CA, the server certificate, Keycloak's data volume and its container; and its
    // optimized image, which another run on this machine may have built already.
    let (image, others): (Vec<&str>, Vec<&str>) = plan
        .stdout
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("    "))
        .partition(|line| line.contains("image/localhost/bridgectl/keycloak-optimized:"));
    assert_eq!(others.len(), 4, "{}", plan.all());
    assert!(
        others.iter().all(|l| l.contains("would create")),
        "{}",
        plan.all()
    );
    assert_eq!(image.len(), 1, "{}", plan.all());
    assert!(
        image[0].contains("would create") || image[0].contains("unchanged"),
        "{}",
        plan.all()
    );
    assert!(!bed.state_dir().exists(), "dry run wrote the state dir");
    assert_eq!(bed.container_id(), None, "dry run created a container");

    let first = bed.run(&["step1"]);
    first.assert_ok();
    assert_eq!(
        first.outcome_of("certificate/ca").as_deref(),
        Some("created")
    );
    assert_eq!(
        first.outcome_of("certificate/server").as_deref(),
        Some("created")
    );
    let object = format!("container/{}", bed.container);
    assert_eq!(first.outcome_of(&object).as_deref(), Some("created"));
    let id = bed.container_id().expect("container exists");

    // HTTPS verified against our CA, and only because of it.
    let base = format!("https://127.0.0.1:{}", bed.port);
    let ca = bed.state_dir().join("tls/ca.crt");
    let client = client_trusting(&ca);
    let discovery = client
        .get(format!(
            "{base}/realms/master/.well-known/openid-configuration"
        ))
        .send()
        .expect("discovery answers");
    assert_eq!(discovery.status(), 200);
    let doc: serde_json::Value = discovery.json().unwrap();
    assert_eq!(
        doc["issuer"],
        format!("{base}/realms/master"),
        "hostname pinned"
    );
    let stranger = reqwest::blocking::Client::builder().build().unwrap();
    let refused = stranger
        .get(format!("{base}/realms/master"))
        .send()
        .expect_err("a client without our CA must not trust Keycloak");
    assert!(
        format!("{refused:?}")
            .to_lowercase()
            .contains("certificate"),
        "{refused:?}"
    );

    // Keycloak itself says token exchange (legacy, from the flag) and standard v2 are on.
    let password = bed.secret("keycloak-admin-password");
    let token = admin_token(&client, &base, &password);
    let info: serde_json::Value = client
        .get(format!("{base}/admin/serverinfo"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let enabled = |name: &str| {
        info["features"]
            .as_array()
            .expect("serverinfo.features")
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["enabled"] == true)
    };
    assert_eq!(enabled("TOKEN_EXCHANGE"), Some(true));
    assert_eq!(enabled("TOKEN_EXCHANGE_STANDARD_V2"), Some(true));
    assert!(
        info["systemInfo"]["version"]
            .as_str()
            .unwrap()
            .starts_with("26.2")
    );

    // Certificates parse back with the names and validity asked for; state is private.
    let server = bridgectl::tls::inspect(&bed.read_state("tls/server.crt")).unwrap();
    let hostname = gethostname::gethostname().into_string().unwrap();
    let expected: BTreeSet<String> = ["127.0.0.1", "localhost", hostname.as_str()]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(server.names, expected);
    let days = (server.not_after - server.not_before).whole_days();
    assert!(
        (364..=366).contains(&days),
        "server cert lifetime {days} days"
    );
    let ca_info = bridgectl::tls::inspect(&bed.read_state("tls/ca.crt")).unwrap();
    assert!(ca_info.is_ca && (ca_info.not_after - ca_info.not_before).whole_days() > 3000);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&bed.state_dir()), 0o700);
    for file in [
        "tls/ca.crt",
        "tls/ca.key",
        "tls/server.crt",
        "tls/server.key",
        "secrets/keycloak-admin-password",
        "secrets/client-bridgectl-admin",
    ] {
        assert_eq!(mode(&bed.state_dir().join(file)), 0o600, "{file}");
    }
    assert!(
        !first.all().contains(&password),
        "the admin password was printed"
    );
    assert!(
        !first.all().contains(&bed.secret("client-bridgectl-admin")),
        "the admin client's secret was printed"
    );

    // A second run changes nothing and keeps the container.
    let again = bed.run(&["step1"]);
    again.assert_ok();
    assert_eq!(again.outcomes(), ["unchanged"; 5], "{}", again.all());
    assert_eq!(bed.container_id().as_deref(), Some(id.as_str()));

    // A dry run that would reissue the certificate also plans the container's update.
    let plan = bed.run(&[
        "--dry-run",
        "--set",
        "bastion.extra_sans=[kc.example.com]",
        "step1",
    ]);
    plan.assert_ok();
    assert_eq!(
        plan.outcome_of("certificate/server").as_deref(),
        Some("would update")
    );
    assert_eq!(plan.outcome_of(&object).as_deref(), Some("would update"));
    plan.assert_contains("reissued certificate");
    assert_eq!(bed.container_id().as_deref(), Some(id.as_str()));

    // Stopped by hand: started again, same container.
    assert!(
        podman(&["stop", "-t", "2", &bed.container])
            .status
            .success()
    );
    let restarted = bed.run(&["step1"]);
    restarted.assert_ok();
    assert_eq!(restarted.outcome_of(&object).as_deref(), Some("updated"));
    restarted.assert_contains("was stopped; started");
    assert_eq!(bed.container_id().as_deref(), Some(id.as_str()));

    // A changed port recreates the container, which then answers on the new port.
    let new_port = support::free_port();
    let moved = bed.run(&["--set", &format!("keycloak.https_port={new_port}"), "step1"]);
    moved.assert_ok();
    assert_eq!(moved.outcome_of(&object).as_deref(), Some("updated"));
    moved.assert_contains("host_port");
    let moved_id = bed.container_id().expect("recreated");
    assert_ne!(moved_id, id);
    let status = client
        .get(format!("https://127.0.0.1:{new_port}/realms/master"))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 200);

    // A changed image recreates it too.
    let alt_image = format!("localhost/bridgectl/keycloak-alt:{}", bed.container);
    assert!(
        podman(&["tag", &support::keycloak_image(), &alt_image])
            .status
            .success()
    );
    let retagged = bed.run(&[
        "--set",
        &format!("keycloak.https_port={new_port}"),
        "--set",
        &format!("keycloak.image={alt_image}"),
        "step1",
    ]);
    let _ = podman(&["untag", &alt_image, &alt_image]);
    retagged.assert_ok();
    assert_eq!(retagged.outcome_of(&object).as_deref(), Some("updated"));
    retagged.assert_contains("image");
    assert_ne!(bed.container_id().unwrap(), moved_id);
}
