//! Detects the bastion's primary address and host name when the configuration leaves them out.

use std::net::IpAddr;

use anyhow::{Result, bail};

/// The IPv4 address of the interface that carries the default route, else the first
/// non-loopback, non-link-local IPv4 address.
pub fn detect_address() -> Result<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    let candidates: Vec<_> = interfaces
        .iter()
        .filter_map(|iface| match iface.ip() {
            IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_link_local() => {
                Some((iface.name.clone(), IpAddr::V4(v4)))
            }
            _ => None,
        })
        .collect();
    let default_iface = default_route_interface();
    let chosen = candidates
        .iter()
        .find(|(name, _)| Some(name) == default_iface.as_ref())
        .or_else(|| candidates.first());
    match chosen {
        Some((_, ip)) => Ok(*ip),
        None => bail!(
            "cannot detect the bastion's address (no non-loopback IPv4 interface); set bastion.address"
        ),
    }
}

pub fn detect_hostname() -> String {
    gethostname::gethostname()
        .into_string()
        .unwrap_or_else(|_| "localhost".into())
}

/// Linux only; elsewhere the first candidate wins.
fn default_route_interface() -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/route").ok()?;
    table.lines().skip(1).find_map(|line| {
        let mut cols = line.split_whitespace();
        let iface = cols.next()?;
        (cols.next()? == "00000000").then(|| iface.to_string())
    })
}
