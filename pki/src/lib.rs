//! A CA, server and client certificates (ECDSA P-256, PEM), issued with rcgen. bridgectl uses it
//! for Keycloak's certificate, the OpenShift simulator for its own.

use std::net::IpAddr;

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType,
};
use time::OffsetDateTime;

/// A certificate and its private key, both PEM.
#[derive(Clone)]
pub struct Pair {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Who a certificate names and when it is valid.
pub struct Subject<'a> {
    pub organization: &'a str,
    pub common_name: &'a str,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// The SubjectPublicKeyInfo (DER) of a PEM private key, to check that a key belongs to a
/// certificate; `None` when the key does not parse.
pub fn public_key_der(key_pem: &str) -> Option<Vec<u8>> {
    KeyPair::from_pem(key_pem)
        .ok()
        .map(|key| key.subject_public_key_info())
}

/// A fresh RSA-2048 private key, PKCS#8 PEM (for a Keycloak realm's signing and
/// encryption keys, which Keycloak expects to be RSA).
pub fn rsa_private_key_pem() -> Result<String> {
    let key = KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .context("generating an RSA key")?;
    Ok(key.serialize_pem())
}

/// A self-signed CA that may sign server certificates (but no further CAs).
pub fn issue_ca(subject: &Subject<'_>) -> Result<Pair> {
    let key = KeyPair::generate()?;
    let mut params = params_for(subject);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key)?;
    Ok(Pair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// A TLS server certificate for `names` (IP addresses or DNS names), signed by `ca`.
pub fn issue_server(ca: &Pair, names: &[&str], subject: &Subject<'_>) -> Result<Pair> {
    let mut params = params_for(subject);
    params.subject_alt_names = names
        .iter()
        .map(|name| match name.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => Ok(SanType::DnsName(name.to_string().try_into()?)),
        })
        .collect::<Result<_, rcgen::Error>>()?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sign(params, ca)
}

/// A TLS client certificate signed by `ca`: Kubernetes reads the subject's common name as
/// the user and its organization as a group.
pub fn issue_client(ca: &Pair, subject: &Subject<'_>) -> Result<Pair> {
    let mut params = params_for(subject);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    sign(params, ca)
}

/// A new key, certified by `ca` with `params` (naming the CA's key as its authority).
fn sign(mut params: CertificateParams, ca: &Pair) -> Result<Pair> {
    let ca_key = KeyPair::from_pem(&ca.key_pem).context("the CA key does not parse")?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key).context("the CA does not parse")?;
    let key = KeyPair::generate()?;
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(Pair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn params_for(subject: &Subject<'_>) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, subject.organization);
    dn.push(DnType::CommonName, subject.common_name);
    params.distinguished_name = dn;
    params.not_before = subject.not_before;
    params.not_after = subject.not_after;
    params
}
