//! The certificate authority and Keycloak's server certificate (step1).
//! The CA is long-lived so whatever trusts it (OpenShift's ConfigMap, the demo app) keeps
//! working; the server certificate is reissued when its names change or it nears expiry.

use std::collections::BTreeSet;
use std::net::IpAddr;

use anyhow::{Context, Result};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::reconcile::{Kind, Outcome, Report};
use crate::state::StateDir;

pub const CA_CERT: &str = "tls/ca.crt";
pub const CA_KEY: &str = "tls/ca.key";
pub const SERVER_CERT: &str = "tls/server.crt";
pub const SERVER_KEY: &str = "tls/server.key";

const CA_LIFETIME: Duration = Duration::days(3650);
const SERVER_LIFETIME: Duration = Duration::days(365);
/// Reissue this long before expiry, so a demo never starts on a dying certificate.
const RENEW_BEFORE: Duration = Duration::days(30);

/// PEM texts of the current CA and server certificate.
#[derive(Clone)]
pub struct Material {
    pub ca_cert_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
}

/// Makes sure the CA and a server certificate for `names` exist and are valid. In a
/// plan, what would be issued is generated in memory and never written.
pub async fn ensure(
    state: &StateDir,
    names: &[String],
    hostname: &str,
    report: &mut Report,
) -> Result<Material> {
    let now = OffsetDateTime::now_utc();
    let existing_ca = load_pair(state, CA_CERT, CA_KEY)?.filter(|(cert, key)| {
        inspect(cert).is_ok_and(|info| info.is_ca && info.not_after - now > RENEW_BEFORE)
            && key_matches(cert, key)
    });
    let (ca_pem, ca_key_pem) = match existing_ca {
        Some(pair) => {
            report.found(Kind::Certificate, "ca", Outcome::Unchanged, vec![]);
            pair
        }
        None => {
            let pair = issue_ca(hostname, now)?;
            report
                .apply(
                    Kind::Certificate,
                    "ca",
                    Outcome::Created,
                    vec![],
                    || async {
                        state.write_private(CA_KEY, pair.1.as_bytes())?;
                        state.write_private(CA_CERT, pair.0.as_bytes())
                    },
                )
                .await?;
            pair
        }
    };

    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    let current = load_pair(state, SERVER_CERT, SERVER_KEY)?;
    let problems = current
        .as_ref()
        .map(|(cert, key)| server_problems(cert, key, &ca_pem, &wanted, now));
    let (server_cert_pem, server_key_pem) = match (current, problems) {
        (Some(pair), Some(problems)) if problems.is_empty() => {
            report.found(Kind::Certificate, "server", Outcome::Unchanged, vec![]);
            pair
        }
        // None for a certificate never issued: created; else updated for its problems.
        (_, problems) => {
            let reasons = problems.unwrap_or_default();
            write_server(
                state,
                &ca_pem,
                &ca_key_pem,
                names,
                hostname,
                now,
                reasons,
                report,
            )
            .await?
        }
    };
    Ok(Material {
        ca_cert_pem: ca_pem,
        server_cert_pem,
        server_key_pem,
    })
}

/// Issues the server certificate (created, or updated for `reasons`) and stores it.
#[allow(clippy::too_many_arguments)]
async fn write_server(
    state: &StateDir,
    ca_pem: &str,
    ca_key_pem: &str,
    names: &[String],
    hostname: &str,
    now: OffsetDateTime,
    reasons: Vec<String>,
    report: &mut Report,
) -> Result<(String, String)> {
    let outcome = if reasons.is_empty() {
        Outcome::Created
    } else {
        Outcome::Updated
    };
    let (cert, key) = issue_server(ca_pem, ca_key_pem, names, hostname, now)?;
    report
        .apply(Kind::Certificate, "server", outcome, reasons, || async {
            state.write_private(SERVER_KEY, key.as_bytes())?;
            state.write_private(SERVER_CERT, cert.as_bytes())
        })
        .await?;
    Ok((cert, key))
}

/// What a certificate says about itself, as far as bridgectl cares.
#[derive(Debug, Clone)]
pub struct CertInfo {
    pub names: BTreeSet<String>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub is_ca: bool,
}

pub fn inspect(pem_text: &str) -> Result<CertInfo> {
    let der = pem_to_der(pem_text)?;
    let (_, cert) = X509Certificate::from_der(&der).context("certificate does not parse")?;
    Ok(describe(&cert))
}

fn describe(cert: &X509Certificate<'_>) -> CertInfo {
    let mut names = BTreeSet::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => {
                    names.insert(dns.to_string());
                }
                GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
                        _ => None,
                    };
                    if let Some(ip) = ip {
                        names.insert(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    CertInfo {
        names,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        is_ca: cert.is_ca(),
    }
}

/// Why the current server certificate cannot stay; empty when it can.
fn server_problems(
    cert_pem: &str,
    key_pem: &str,
    ca_pem: &str,
    wanted: &BTreeSet<String>,
    now: OffsetDateTime,
) -> Vec<String> {
    let (Ok(der), Ok(ca_der)) = (pem_to_der(cert_pem), pem_to_der(ca_pem)) else {
        return vec!["certificate does not parse".into()];
    };
    let (Ok((_, cert)), Ok((_, ca))) = (
        X509Certificate::from_der(&der),
        X509Certificate::from_der(&ca_der),
    ) else {
        return vec!["certificate does not parse".into()];
    };
    let info = describe(&cert);
    let mut problems = Vec::new();
    if &info.names != wanted {
        let missing: Vec<_> = wanted.difference(&info.names).cloned().collect();
        let extra: Vec<_> = info.names.difference(wanted).cloned().collect();
        problems.push(format!(
            "names: missing [{}], no longer wanted [{}]",
            missing.join(", "),
            extra.join(", ")
        ));
    }
    if info.not_after - now <= RENEW_BEFORE {
        problems.push(format!("expires {}", info.not_after.date()));
    }
    if cert.verify_signature(Some(ca.public_key())).is_err() {
        problems.push("not signed by the current CA".into());
    }
    if !key_matches(cert_pem, key_pem) {
        // A run killed between writing the new key and the new certificate.
        problems.push("the key on disk does not belong to it".into());
    }
    problems
}

/// Whether `key_pem` is the private key of the certificate `cert_pem`.
fn key_matches(cert_pem: &str, key_pem: &str) -> bool {
    let Ok(der) = pem_to_der(cert_pem) else {
        return false;
    };
    let Ok((_, cert)) = X509Certificate::from_der(&der) else {
        return false;
    };
    pki::public_key_der(key_pem).is_some_and(|public| public == cert.public_key().raw)
}

fn issue_ca(hostname: &str, now: OffsetDateTime) -> Result<(String, String)> {
    let pair = pki::issue_ca(&pki::Subject {
        organization: "bridgectl",
        common_name: &format!("bridgectl CA ({hostname})"),
        not_before: now - Duration::hours(1),
        not_after: now + CA_LIFETIME,
    })?;
    Ok((pair.cert_pem, pair.key_pem))
}

fn issue_server(
    ca_pem: &str,
    ca_key_pem: &str,
    names: &[String],
    hostname: &str,
    now: OffsetDateTime,
) -> Result<(String, String)> {
    let ca = pki::Pair {
        cert_pem: ca_pem.to_string(),
        key_pem: ca_key_pem.to_string(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let pair = pki::issue_server(
        &ca,
        &names,
        &pki::Subject {
            organization: "bridgectl",
            common_name: hostname,
            not_before: now - Duration::hours(1),
            not_after: now + SERVER_LIFETIME,
        },
    )?;
    Ok((pair.cert_pem, pair.key_pem))
}

fn load_pair(state: &StateDir, cert: &str, key: &str) -> Result<Option<(String, String)>> {
    match (state.read(cert)?, state.read(key)?) {
        (Some(cert), Some(key)) => Ok(Some((
            String::from_utf8_lossy(&cert).into_owned(),
            String::from_utf8_lossy(&key).into_owned(),
        ))),
        _ => Ok(None),
    }
}

fn pem_to_der(pem_text: &str) -> Result<Vec<u8>> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.as_bytes())
        .map_err(|_| anyhow::anyhow!("not a PEM certificate"))?;
    Ok(pem.contents)
}

#[cfg(test)]
mod tests;

/// A DER certificate as PEM text (64-column base64 lines).
pub fn certificate_pem(der: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}
