//! Making sure an image is present, pulling it with a progress bar when it is not.

use std::collections::HashMap;

use anyhow::{Result, bail};
use bollard::query_parameters::CreateImageOptions;
use futures_util::StreamExt;

use super::engine::Engine;
use crate::reconcile::Gate;
use crate::ui::Ui;

/// The image's id, pulling it when absent; `None` only in a plan.
pub async fn ensure_image(
    engine: &Engine,
    image: &str,
    config_field: &str,
    ui: &Ui,
    gate: Gate,
) -> Result<Option<String>> {
    if let Some(id) = image_id(engine, image).await? {
        return Ok(Some(id));
    }
    let pulled = gate
        .unless_planning(async {
            pull(engine, image, config_field, ui).await?;
            match image_id(engine, image).await? {
                Some(id) => Ok(id),
                None => bail!("image {image} was pulled but the engine does not list it"),
            }
        })
        .await?;
    if pulled.is_none() {
        ui.info(format!("image {image} is not present; it would be pulled"));
    }
    Ok(pulled)
}

pub async fn image_id(engine: &Engine, image: &str) -> Result<Option<String>> {
    match engine.docker.inspect_image(image).await {
        Ok(found) => Ok(found.id),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(err) => bail!("cannot inspect image {image}: {err}"),
    }
}

async fn pull(engine: &Engine, image: &str, config_field: &str, ui: &Ui) -> Result<()> {
    let reference = with_default_tag(image);
    let bar = ui.bytes_bar(format!("pulling {reference}"));
    let options = CreateImageOptions {
        from_image: Some(reference.clone()),
        ..Default::default()
    };
    let mut layers: HashMap<String, (u64, u64)> = HashMap::new();
    let mut stream = engine.docker.create_image(Some(options), None, None);
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            Err(err) => {
                bar.finish_and_clear();
                bail!(
                    "cannot pull image {reference}: {}\n\
                     Check the image name and registry access, or load the image into the \
                     engine yourself and set {config_field} to its name",
                    engine_message(&err)
                );
            }
        };
        if let Some(detail) = &info.error_detail {
            bar.finish_and_clear();
            bail!(
                "cannot pull image {reference}: {}; check the name or set {config_field}",
                detail.message.clone().unwrap_or_default()
            );
        }
        if let (Some(id), Some(progress)) = (&info.id, &info.progress_detail) {
            let current = progress.current.unwrap_or(0).max(0) as u64;
            let total = progress.total.unwrap_or(0).max(0) as u64;
            layers.insert(id.clone(), (current, total));
            bar.set_length(layers.values().map(|(_, t)| t).sum());
            bar.set_position(layers.values().map(|(c, _)| c).sum());
        }
    }
    bar.finish_and_clear();
    ui.info(format!("pulled {reference}"));
    Ok(())
}

/// Without a tag the API would pull every tag of the repository.
fn with_default_tag(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') || last.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// The engine's own words, without bollard's wrapping.
pub fn engine_message(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        bollard::errors::Error::DockerStreamError { error } => error.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::with_default_tag;

    #[test]
    fn tags_are_added_only_when_missing() {
        assert_eq!(with_default_tag("keycloak"), "keycloak:latest");
        assert_eq!(
            with_default_tag("localhost:5000/kc"),
            "localhost:5000/kc:latest"
        );
        assert_eq!(
            with_default_tag("quay.io/keycloak/keycloak:26.2"),
            "quay.io/keycloak/keycloak:26.2"
        );
        assert_eq!(with_default_tag("x/y@sha256:ab"), "x/y@sha256:ab");
    }
}
