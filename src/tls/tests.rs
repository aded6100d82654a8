use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::reconcile::Gate;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn outcomes(report: &Report) -> Vec<(String, Outcome)> {
    report
        .changes
        .iter()
        .map(|c| (c.name.clone(), c.outcome))
        .collect()
}

#[tokio::test]
async fn issues_once_then_reuses_and_reissues_only_the_server_cert_when_names_change() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let first_names = names(&["10.0.0.5", "bastion", "localhost", "127.0.0.1"]);

    let mut report = Report::new(Gate::apply());
    let first = ensure(&state, &first_names, "bastion", &mut report)
        .await
        .unwrap();
    assert_eq!(
        outcomes(&report),
        [
            ("ca".into(), Outcome::Created),
            ("server".into(), Outcome::Created)
        ]
    );
    let info = inspect(&first.server_cert_pem).unwrap();
    assert_eq!(info.names, first_names.iter().cloned().collect());
    assert!(!info.is_ca);
    let lifetime = info.not_after - info.not_before;
    assert!(lifetime > Duration::days(300) && lifetime < Duration::days(400));
    assert!(inspect(&first.ca_cert_pem).unwrap().is_ca);
    for file in [CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY] {
        let mode = std::fs::metadata(state.path(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }

    let mut again = Report::new(Gate::apply());
    let second = ensure(&state, &first_names, "bastion", &mut again)
        .await
        .unwrap();
    assert!(!again.wrote_anything());
    assert_eq!(second.server_cert_pem, first.server_cert_pem);

    let mut more = first_names.clone();
    more.push("kc.example.com".into());
    let mut changed = Report::new(Gate::apply());
    let third = ensure(&state, &more, "bastion", &mut changed)
        .await
        .unwrap();
    assert_eq!(
        outcomes(&changed),
        [
            ("ca".into(), Outcome::Unchanged),
            ("server".into(), Outcome::Updated)
        ]
    );
    assert!(changed.changes[1].details[0].contains("kc.example.com"));
    assert_eq!(third.ca_cert_pem, first.ca_cert_pem);
    assert!(
        inspect(&third.server_cert_pem)
            .unwrap()
            .names
            .contains("kc.example.com")
    );
}

#[tokio::test]
async fn a_server_cert_near_expiry_or_from_another_ca_is_reissued() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let wanted = names(&["127.0.0.1", "localhost"]);
    ensure(&state, &wanted, "h", &mut Report::new(Gate::apply()))
        .await
        .unwrap();

    // A certificate that expires in ten days, signed by the same CA.
    let ca = String::from_utf8(state.read(CA_CERT).unwrap().unwrap()).unwrap();
    let ca_key = String::from_utf8(state.read(CA_KEY).unwrap().unwrap()).unwrap();
    let soon = OffsetDateTime::now_utc() - SERVER_LIFETIME + Duration::days(10);
    let (cert, key) = issue_server(&ca, &ca_key, &wanted, "h", soon).unwrap();
    state.write_private(SERVER_CERT, cert.as_bytes()).unwrap();
    state.write_private(SERVER_KEY, key.as_bytes()).unwrap();
    let mut report = Report::new(Gate::apply());
    ensure(&state, &wanted, "h", &mut report).await.unwrap();
    assert_eq!(report.changes[1].outcome, Outcome::Updated);
    assert!(report.changes[1].details[0].starts_with("expires"));

    // A certificate from a foreign CA.
    let (other_ca, other_key) = issue_ca("other", OffsetDateTime::now_utc()).unwrap();
    let (cert, key) = issue_server(
        &other_ca,
        &other_key,
        &wanted,
        "h",
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    state.write_private(SERVER_CERT, cert.as_bytes()).unwrap();
    state.write_private(SERVER_KEY, key.as_bytes()).unwrap();
    let mut report = Report::new(Gate::apply());
    ensure(&state, &wanted, "h", &mut report).await.unwrap();
    assert_eq!(
        report.changes[1].details,
        ["not signed by the current CA".to_string()]
    );
}

#[tokio::test]
async fn a_key_left_from_a_killed_run_makes_its_pair_reissued() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let wanted = names(&["127.0.0.1"]);
    ensure(&state, &wanted, "h", &mut Report::new(Gate::apply()))
        .await
        .unwrap();
    let ca = state.read(CA_CERT).unwrap().unwrap();

    // The new server key landed, the new certificate did not.
    let (_, stray_key) = issue_ca("stray", OffsetDateTime::now_utc()).unwrap();
    state
        .write_private(SERVER_KEY, stray_key.as_bytes())
        .unwrap();
    let mut report = Report::new(Gate::apply());
    let material = ensure(&state, &wanted, "h", &mut report).await.unwrap();
    assert_eq!(report.changes[0].outcome, Outcome::Unchanged);
    assert_eq!(
        report.changes[1].details,
        ["the key on disk does not belong to it".to_string()]
    );
    assert!(key_matches(
        &material.server_cert_pem,
        &material.server_key_pem
    ));

    // The same for the CA: a CA whose key is not its own is issued again.
    state.write_private(CA_KEY, stray_key.as_bytes()).unwrap();
    let mut report = Report::new(Gate::apply());
    ensure(&state, &wanted, "h", &mut report).await.unwrap();
    assert_eq!(report.changes[0].outcome, Outcome::Created);
    assert_ne!(state.read(CA_CERT).unwrap().unwrap(), ca);
}

#[tokio::test]
async fn a_plan_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let mut report = Report::new(Gate::plan());
    ensure(&state, &names(&["localhost"]), "h", &mut report)
        .await
        .unwrap();
    assert_eq!(report.count(Outcome::Created), 2);
    assert!(state.read(CA_CERT).unwrap().is_none());
}

#[test]
fn der_certificates_round_trip_to_the_same_pem() {
    let (ca, _) = issue_ca("round trip", OffsetDateTime::now_utc()).unwrap();
    let der = x509_parser::pem::parse_x509_pem(ca.as_bytes())
        .unwrap()
        .1
        .contents;
    assert_eq!(certificate_pem(&der).trim(), ca.trim());
}
