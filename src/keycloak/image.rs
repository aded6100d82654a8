//! The image Keycloak runs from. In `optimized` mode, one derived from `keycloak.image` in
//! which Keycloak's own build (Quarkus augmentation, `kc.sh build`) has already run with
//! the build-time options, so that `start --optimized` skips the half minute or more that
//! `start-dev` spends redoing it at every start. Built locally through the engine's build
//! API, once per base image and set of options, and shared by every configuration on this
//! engine that asks for the same.

use sha2::{Digest, Sha256};

use crate::config::{Config, KeycloakMode};
use crate::container::BuildContext;

/// Where the derived images live; the tag names the base's tag and the options' digest.
const REPOSITORY: &str = "localhost/bridgectl/keycloak-optimized";

/// The options Keycloak fixes at build time, as `kc.sh build` and `start-dev` take them.
/// The database is the file-based H2 `start-dev` uses, on the data volume.
pub fn build_options(config: &Config) -> Vec<String> {
    let mut options = vec!["--db=dev-file".to_string(), "--health-enabled=true".into()];
    // `token-exchange` turns on the legacy exchange; the standard (v2) one is on by default.
    if !config.keycloak.features.is_empty() {
        options.push(format!("--features={}", config.keycloak.features.join(",")));
    }
    options
}

/// The image the Keycloak container runs: the configured one (`start-dev`) or the derived.
pub fn to_run(config: &Config) -> String {
    match config.keycloak.mode {
        KeycloakMode::StartDev => config.keycloak.image.clone(),
        KeycloakMode::Optimized => optimized_tag(config),
    }
}

/// The build of the derived image; `None` in `start-dev` mode.
pub fn optimized_build(config: &Config) -> Option<BuildContext> {
    if config.keycloak.mode != KeycloakMode::Optimized {
        return None;
    }
    Some(BuildContext {
        tag: optimized_tag(config),
        base_image: config.keycloak.image.clone(),
        containerfile: containerfile(config),
        files: vec![],
        tag_field: "keycloak.mode",
        base_field: "keycloak.image",
    })
}

fn containerfile(config: &Config) -> String {
    format!(
        "FROM {}\nRUN /opt/keycloak/bin/kc.sh build {}\n",
        config.keycloak.image,
        build_options(config).join(" ")
    )
}

/// `localhost/bridgectl/keycloak-optimized:26.2-<digest>`: readable, and distinct for each
/// base image name and set of options (a new build of the same base keeps its tag).
fn optimized_tag(config: &Config) -> String {
    let base = &config.keycloak.image;
    let digest = hex::encode(Sha256::digest(containerfile(config).as_bytes()));
    // The base's tag, when its reference has one after the last path segment.
    let base_tag = base
        .rsplit('/')
        .next()
        .and_then(|last| last.split_once(':'))
        .map(|(_, tag)| tag)
        .unwrap_or("latest");
    let readable: String = base_tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{REPOSITORY}:{readable}-{}", &digest[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(image: &str, features: &[&str]) -> Config {
        let mut config = Config::default();
        config.keycloak.image = image.into();
        config.keycloak.features = features.iter().map(|f| f.to_string()).collect();
        config
    }

    #[test]
    fn the_tag_names_the_base_and_changes_with_the_options() {
        let plain = config("quay.io/keycloak/keycloak:26.2", &["token-exchange"]);
        let tag = optimized_tag(&plain);
        assert!(
            tag.starts_with("localhost/bridgectl/keycloak-optimized:26.2-"),
            "{tag}"
        );
        assert_ne!(
            tag,
            optimized_tag(&config("quay.io/keycloak/keycloak:26.2", &[]))
        );
        assert_ne!(
            tag,
            optimized_tag(&config(
                "quay.io/keycloak/keycloak:26.3",
                &["token-exchange"]
            ))
        );
        // A registry with a port and no tag: the port is not mistaken for a tag.
        let untagged = optimized_tag(&config("registry:5000/keycloak", &[]));
        assert!(
            untagged.starts_with("localhost/bridgectl/keycloak-optimized:latest-"),
            "{untagged}"
        );
    }

    #[test]
    fn the_build_bakes_in_the_options_start_dev_passes_at_start() {
        let config = config("localhost/kc:26.2.5", &["token-exchange"]);
        let build = optimized_build(&config).unwrap();
        assert_eq!(
            build.containerfile,
            "FROM localhost/kc:26.2.5\nRUN /opt/keycloak/bin/kc.sh build --db=dev-file \
             --health-enabled=true --features=token-exchange\n"
        );
        assert_eq!(to_run(&config), build.tag);
        let mut dev = config.clone();
        dev.keycloak.mode = KeycloakMode::StartDev;
        assert!(optimized_build(&dev).is_none());
        assert_eq!(to_run(&dev), "localhost/kc:26.2.5");
    }
}
