//! Named volumes: where a container keeps what must outlive it (Keycloak's database).
//! Labelled like bridgectl's containers; a volume without the label is never touched.

use anyhow::{Result, bail};
use bollard::models::VolumeCreateRequest;
use serde::Serialize;

use super::engine::Engine;
use super::image::engine_message;
use super::spec::MANAGED_LABEL;
use crate::reconcile::{Kind, Outcome, Report};

/// A named volume mounted into a container.
#[derive(Debug, Clone, Serialize)]
pub struct VolumeMount {
    pub name: String,
    pub path: String,
    /// What lives there, in words for reports (never in the container's summary).
    #[serde(skip)]
    pub holds: &'static str,
}

enum VolumeState {
    Absent,
    Foreign,
    Managed,
}

async fn state(engine: &Engine, name: &str) -> Result<VolumeState> {
    match engine.docker.inspect_volume(name).await {
        Ok(found) if found.labels.get(MANAGED_LABEL).map(String::as_str) == Some("true") => {
            Ok(VolumeState::Managed)
        }
        Ok(_) => Ok(VolumeState::Foreign),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(VolumeState::Absent),
        Err(err) => bail!("cannot inspect volume {name}: {}", engine_message(&err)),
    }
}

/// Creates the volume when it is missing; one that bridgectl did not create is refused
/// rather than shared.
pub async fn ensure(engine: &Engine, mount: &VolumeMount, report: &mut Report) -> Result<()> {
    let name = &mount.name;
    match state(engine, name).await? {
        VolumeState::Managed => {
            report.found(Kind::Volume, name, Outcome::Unchanged, vec![]);
            Ok(())
        }
        VolumeState::Foreign => bail!(
            "volume {name} exists but was not created by bridgectl, so bridgectl does not \
             mount it. Remove it (`podman volume rm {name}`) if it holds nothing you need, \
             or choose another container name"
        ),
        VolumeState::Absent => {
            let details = vec![format!("holds {}", mount.holds)];
            let create = || async {
                let request = VolumeCreateRequest {
                    name: Some(name.clone()),
                    labels: Some([(MANAGED_LABEL.to_string(), "true".to_string())].into()),
                    ..Default::default()
                };
                engine.docker.create_volume(request).await.map_err(|err| {
                    anyhow::anyhow!("cannot create volume {name}: {}", engine_message(&err))
                })?;
                crate::crash_point::wrote(|| format!("engine create volume {name}"));
                anyhow::Ok(())
            };
            report
                .apply(Kind::Volume, name, Outcome::Created, details, create)
                .await?;
            Ok(())
        }
    }
}

/// Removes bridgectl's volume (its container must be gone first); says what was in it.
/// Whether the volume is gone (now, or already); a plan says what it would be.
pub async fn remove(engine: &Engine, mount: &VolumeMount, report: &mut Report) -> Result<bool> {
    let name = &mount.name;
    match state(engine, name).await? {
        VolumeState::Absent => report.found(Kind::Volume, name, Outcome::Absent, vec![]),
        VolumeState::Foreign => {
            report.found(
                Kind::Volume,
                name,
                Outcome::Unchanged,
                vec!["not created by bridgectl: left alone".into()],
            );
            return Ok(false);
        }
        VolumeState::Managed => {
            let lost = report.gate().tense("removed", "would be removed");
            let details = vec![format!("{} {lost}", mount.holds)];
            let delete = || async {
                match engine
                    .docker
                    .remove_volume(name, None::<RemoveOptions>)
                    .await
                {
                    Ok(()) => {
                        crate::crash_point::wrote(|| format!("engine remove volume {name}"));
                        Ok(())
                    }
                    Err(bollard::errors::Error::DockerResponseServerError {
                        status_code: 404,
                        ..
                    }) => Ok(()),
                    Err(err) => Err(anyhow::anyhow!(
                        "cannot remove volume {name}: {}",
                        engine_message(&err)
                    )),
                }
            };
            report
                .apply(Kind::Volume, name, Outcome::Deleted, details, delete)
                .await?;
        }
    }
    Ok(true)
}

type RemoveOptions = bollard::query_parameters::RemoveVolumeOptions;
