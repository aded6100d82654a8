//! Host ports: refused early, with the fix, when something else already listens.

use std::net::{IpAddr, TcpListener};

use anyhow::{Result, bail};

/// Fails when `port` on `ip` is taken; `user` says who needs it ("container keycloak"),
/// `field` where to choose another port.
pub fn ensure_free(ip: IpAddr, port: u16, user: &str, field: &str) -> Result<()> {
    match TcpListener::bind((ip, port)) {
        Ok(_) => Ok(()),
        Err(err) => bail!(
            "host port {port} on {ip} is already in use ({err}), so {user} cannot use it. \
             Stop whatever listens there (`ss -ltnp 'sport = :{port}'`) or choose another port \
             in the configuration ({field})"
        ),
    }
}
