//! Which Keycloak answers, and what its version means for the chain: the standard token
//! exchange (RFC 8693, "token-exchange-standard:v2") is supported from 26.2, and the legacy
//! one (feature `token-exchange`, v1) is deprecated from 26.6.

use std::fmt;

use anyhow::{Result, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The first version with the standard token exchange the chain uses.
pub const STANDARD_EXCHANGE: Version = Version::new(26, 2, 0);
/// The first version that deprecates the legacy exchange.
pub const LEGACY_DEPRECATED: Version = Version::new(26, 6, 0);

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// `26.7.3`, or with a suffix (`26.2.5-redhat-00001`, `999.0.0-SNAPSHOT`).
    pub fn parse(text: &str) -> Option<Version> {
        let mut numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<u32>().ok());
        Some(Version::new(
            numbers.next()??,
            numbers.next()??,
            numbers.next().flatten().unwrap_or(0),
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Refuses a Keycloak without the standard exchange; a warning when the configuration
/// enables what this version deprecates.
pub fn check(reported: &str, features: &[String]) -> Result<Option<String>> {
    let Some(version) = Version::parse(reported) else {
        return Ok(Some(format!(
            "Keycloak reports version {reported:?}, which bridgectl cannot read; assuming it \
             has the standard token exchange"
        )));
    };
    if version < STANDARD_EXCHANGE {
        bail!(
            "Keycloak {version} has no standard token exchange (RFC 8693, supported from \
             {STANDARD_EXCHANGE}), which the chain needs. Set keycloak.image to Keycloak \
             {STANDARD_EXCHANGE} or newer"
        );
    }
    let legacy = features.iter().any(|f| f == "token-exchange");
    if version >= LEGACY_DEPRECATED && legacy {
        return Ok(Some(format!(
            "Keycloak {version} deprecates the legacy token exchange (feature token-exchange, \
             v1), which keycloak.features turns on. The chain uses the standard exchange \
             (v2, on by default); the legacy one is only for what the seed's script did. \
             Remove token-exchange from keycloak.features when nothing else needs it"
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::{Version, check};

    #[test]
    fn versions_parse_with_suffixes_and_compare() {
        assert_eq!(Version::parse("26.7.3"), Some(Version::new(26, 7, 3)));
        assert_eq!(
            Version::parse("26.2.5-redhat-00001"),
            Some(Version::new(26, 2, 5))
        );
        assert_eq!(Version::parse("26.4"), Some(Version::new(26, 4, 0)));
        assert_eq!(Version::parse("nightly"), None);
        assert!(Version::new(26, 1, 9) < Version::new(26, 2, 0));
        assert!(Version::new(27, 0, 0) > Version::new(26, 99, 0));
    }

    #[test]
    fn old_versions_are_refused_and_deprecations_warned() {
        let legacy = vec!["token-exchange".to_string()];
        let refused = check("26.1.0", &legacy).unwrap_err().to_string();
        assert!(
            refused.contains("Keycloak 26.1.0 has no standard token exchange"),
            "{refused}"
        );
        assert!(refused.contains("26.2.0 or newer"), "{refused}");
        assert_eq!(check("26.2.5", &legacy).unwrap(), None);
        let warned = check("26.7.3", &legacy).unwrap().unwrap();
        assert!(
            warned.contains("deprecates the legacy token exchange"),
            "{warned}"
        );
        assert_eq!(check("26.7.3", &[]).unwrap(), None);
    }
}
