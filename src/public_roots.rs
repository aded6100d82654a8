//! The public roots this host trusts, for a cluster whose kubeconfig names no CA (ROSA's
//! API and OAuth routes usually carry publicly trusted certificates, and `oc login`
//! then writes no `certificate-authority-data`). Read as `oc` and kube read them:
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` when set, else the distribution's store.

/// The roots as PEM certificates; empty when the host has none to offer.
pub fn pems() -> Vec<String> {
    rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|der| crate::tls::certificate_pem(der))
        .collect()
}
