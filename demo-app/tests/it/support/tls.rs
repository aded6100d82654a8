//! TEST ONLY: a private CA made at run time, and an axum listener that speaks TLS with
//! a server certificate for 127.0.0.1 signed by it.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A CA and a server certificate for 127.0.0.1 that it signed.
pub struct Tls {
    pub ca_pem: String,
    server: pki::Pair,
}

fn subject(common_name: &str) -> pki::Subject<'_> {
    let now = OffsetDateTime::now_utc();
    pki::Subject {
        organization: "demo-app tests",
        common_name,
        not_before: now - Duration::hours(1),
        not_after: now + Duration::days(1),
    }
}

impl Tls {
    pub fn new() -> Tls {
        let ca = pki::issue_ca(&subject("demo-app test CA")).unwrap();
        let server = pki::issue_server(&ca, &["127.0.0.1"], &subject("127.0.0.1")).unwrap();
        Tls {
            ca_pem: ca.cert_pem,
            server,
        }
    }

    /// Writes the CA certificate to a file for `CA_BUNDLE`.
    pub fn write_ca(&self, name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("demo-app-test-{}-{name}.pem", std::process::id()));
        std::fs::write(&path, &self.ca_pem).unwrap();
        path
    }

    fn acceptor(&self) -> TlsAcceptor {
        let chain = CertificateDer::pem_slice_iter(self.server.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(self.server.key_pem.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, tls: &Tls) -> TlsListener {
        TlsListener {
            tcp,
            acceptor: tls.acceptor(),
        }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A failed handshake (the client refused the certificate) is expected in
            // some tests: wait for the next connection.
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
