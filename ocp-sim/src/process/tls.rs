//! The simulator's own CA, the server certificate both listeners present (SANs 127.0.0.1
//! and localhost), and a client certificate for `system:admin` (group `system:masters`),
//! as the kubeconfig of a single-node cluster's installer holds. Generated once into the
//! data directory and reused. The CA also verifies client certificates.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

use crate::process::datadir;

pub use pki::Pair;

#[derive(Clone)]
pub struct Material {
    pub ca: Pair,
    pub server: Pair,
}

pub const CA_FILE: &str = "ca.crt";
const CA_KEY_FILE: &str = "ca.key";
const SERVER_FILE: &str = "server.crt";
const SERVER_KEY_FILE: &str = "server.key";
const ADMIN_CLIENT_FILE: &str = "admin-client.crt";
const ADMIN_CLIENT_KEY_FILE: &str = "admin-client.key";

/// Loads the CA, the server and the admin client certificate from `dir`, generating what
/// is missing.
pub fn ensure(dir: &Path) -> Result<Material> {
    let ca = match load(dir, CA_FILE, CA_KEY_FILE)? {
        Some(ca) => ca,
        None => {
            let ca = issue_ca("ocp-sim CA")?;
            datadir::write_private(&dir.join(CA_KEY_FILE), ca.key_pem.as_bytes())?;
            datadir::write_private(&dir.join(CA_FILE), ca.cert_pem.as_bytes())?;
            // A new CA makes any old certificate worthless.
            let _ = std::fs::remove_file(dir.join(SERVER_FILE));
            let _ = std::fs::remove_file(dir.join(ADMIN_CLIENT_FILE));
            ca
        }
    };
    let server = match load(dir, SERVER_FILE, SERVER_KEY_FILE)? {
        Some(server) => server,
        None => {
            let server = issue_server(&ca, &["127.0.0.1", "localhost"])?;
            datadir::write_private(&dir.join(SERVER_KEY_FILE), server.key_pem.as_bytes())?;
            datadir::write_private(&dir.join(SERVER_FILE), server.cert_pem.as_bytes())?;
            server
        }
    };
    ensure_admin_client(dir, &ca)?;
    Ok(Material { ca, server })
}

/// The client certificate a kubeconfig may use in place of the admin token (the files
/// are what users and tests take).
fn ensure_admin_client(dir: &Path, ca: &Pair) -> Result<()> {
    if load(dir, ADMIN_CLIENT_FILE, ADMIN_CLIENT_KEY_FILE)?.is_some() {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let client = pki::issue_client(
        ca,
        &pki::Subject {
            organization: "system:masters",
            common_name: "system:admin",
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(825),
        },
    )?;
    datadir::write_private(&dir.join(ADMIN_CLIENT_KEY_FILE), client.key_pem.as_bytes())?;
    datadir::write_private(&dir.join(ADMIN_CLIENT_FILE), client.cert_pem.as_bytes())?;
    Ok(())
}

fn load(dir: &Path, cert: &str, key: &str) -> Result<Option<Pair>> {
    let read = |name: &str| -> Result<Option<String>> {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", dir.join(name).display())),
        }
    };
    Ok(match (read(cert)?, read(key)?) {
        (Some(cert_pem), Some(key_pem)) => Some(Pair { cert_pem, key_pem }),
        _ => None,
    })
}

fn subject(common_name: &str, lifetime: Duration) -> pki::Subject<'_> {
    let now = OffsetDateTime::now_utc();
    pki::Subject {
        organization: "ocp-sim",
        common_name,
        not_before: now - Duration::hours(1),
        not_after: now + lifetime,
    }
}

/// A new self-signed CA (ECDSA P-256).
pub fn issue_ca(common_name: &str) -> Result<Pair> {
    pki::issue_ca(&subject(common_name, Duration::days(3650)))
}

/// A server certificate for `names` (IP addresses or DNS names) signed by `ca`.
pub fn issue_server(ca: &Pair, names: &[&str]) -> Result<Pair> {
    let common_name = names.first().copied().unwrap_or("ocp-sim");
    pki::issue_server(ca, names, &subject(common_name, Duration::days(825)))
}

/// The rustls configuration both listeners use (HTTP/1.1 only). A client may present a
/// certificate signed by `client_ca`; one signed by anyone else fails the handshake, as on
/// a real API server.
pub fn server_config(server: &Pair, client_ca: &Pair) -> Result<Arc<rustls::ServerConfig>> {
    let chain = CertificateDer::pem_slice_iter(server.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("server certificate PEM")?;
    let key = PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).context("server key PEM")?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(client_ca.cert_pem.as_bytes()) {
        roots.add(ca.context("client CA PEM")?)?;
    }
    let clients = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(clients)
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
