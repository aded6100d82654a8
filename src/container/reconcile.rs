//! Reconciling one container with its spec: create, start, recreate, or leave alone.

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, HostConfig, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptions, LogsOptions, RemoveContainerOptions, UploadToContainerOptions,
};
use futures_util::StreamExt;

use super::engine::Engine;
use super::image::{engine_message, ensure_image, image_id};
use super::spec::ContainerSpec;
use super::spec::{HASH_LABEL, MANAGED_LABEL, SUMMARY_LABEL};
use super::volume;
use crate::reconcile::{Kind, Outcome, Report, diff_subset};
use crate::ui::Ui;

/// What is live for a container name.
pub enum ContainerState {
    Absent,
    /// Present but without bridgectl's label: never touched.
    Foreign,
    Managed {
        id: String,
        running: bool,
        hash: String,
        summary: serde_json::Value,
        image_id: String,
        status: String,
    },
}

pub async fn state(engine: &Engine, name: &str) -> Result<ContainerState> {
    let found = match engine.docker.inspect_container(name, None).await {
        Ok(found) => found,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => return Ok(ContainerState::Absent),
        Err(err) => bail!("cannot inspect container {name}: {}", engine_message(&err)),
    };
    Ok(describe(found))
}

fn describe(found: ContainerInspectResponse) -> ContainerState {
    let labels = found
        .config
        .as_ref()
        .and_then(|c| c.labels.clone())
        .unwrap_or_default();
    if labels.get(MANAGED_LABEL).map(String::as_str) != Some("true") {
        return ContainerState::Foreign;
    }
    let state = found.state.unwrap_or_default();
    ContainerState::Managed {
        id: found.id.unwrap_or_default(),
        running: state.running.unwrap_or(false),
        status: state
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into()),
        hash: labels.get(HASH_LABEL).cloned().unwrap_or_default(),
        summary: labels
            .get(SUMMARY_LABEL)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default(),
        image_id: found.image.unwrap_or_default(),
    }
}

/// Brings the container named in `spec` to the spec, recording the outcome in `report`.
pub async fn ensure(
    engine: &Engine,
    spec: &ContainerSpec,
    ui: &Ui,
    report: &mut Report,
) -> Result<()> {
    let image = if spec.pull_image {
        ensure_image(engine, &spec.image, spec.config_field, ui, report.gate()).await?
    } else {
        image_id(engine, &spec.image).await?
    };
    for mount in &spec.volumes {
        volume::ensure(engine, mount, report).await?;
    }
    let live = state(engine, &spec.name).await?;
    let name = spec.name.clone();
    let ContainerState::Managed {
        id,
        hash,
        summary,
        image_id,
        running,
        ..
    } = live
    else {
        if matches!(live, ContainerState::Foreign) {
            bail!(
                "container {name} exists but was not created by bridgectl, so bridgectl leaves it alone. \
                 Remove or rename it (`podman rm -f {name}`), or choose another name with {field}",
                field = spec.config_field.replace(".image", ".container_name"),
            );
        }
        let create = || create_and_start(engine, spec);
        report
            .apply(Kind::Container, name, Outcome::Created, vec![], create)
            .await?;
        return Ok(());
    };

    let mut differences: Vec<String> = diff_subset(&spec.summary(), &summary)
        .iter()
        .filter(|change| !change.path.starts_with("volumes"))
        .map(|change| change.describe(&[]))
        .collect();
    differences.extend(moved_to_volumes(spec, &summary));
    if image.as_deref().is_some_and(|wanted| wanted != image_id) {
        differences.push(format!("image {} now points to a new build", spec.image));
    }
    if hash != spec.hash() && differences.is_empty() {
        differences.push("injected files or secrets changed (e.g. a reissued certificate)".into());
    }
    if differences.is_empty() && !running {
        let detail = report.gate().tense(
            "was stopped; started",
            "stopped (as after a reboot); would be started",
        );
        let start_again = || async {
            ui.detail(format!("starting container {}", spec.name));
            // A run killed between create and start left a container without its files.
            upload_files(engine, spec).await?;
            start(engine, spec).await
        };
        report
            .apply(
                Kind::Container,
                name,
                Outcome::Updated,
                vec![detail.into()],
                start_again,
            )
            .await?;
        return Ok(());
    }
    let recreate = || async {
        ui.detail(format!("removing outdated container {}", spec.name));
        remove(engine, &id).await?;
        create_and_start(engine, spec).await
    };
    report
        .update_if_differs(Kind::Container, name, differences, recreate)
        .await?;
    Ok(())
}

/// A container made before its data had a volume keeps that data inside itself: say,
/// once, what recreating it loses.
fn moved_to_volumes(spec: &ContainerSpec, live_summary: &serde_json::Value) -> Vec<String> {
    let mounted = |name: &str| {
        live_summary["volumes"]
            .as_array()
            .is_some_and(|mounts| mounts.iter().any(|m| m["name"] == name))
    };
    spec.volumes
        .iter()
        .filter(|mount| !mounted(&mount.name))
        .map(|mount| {
            format!(
                "{} moves to volume {} (mounted at {}): what the old container kept inside \
                 itself is lost this once",
                mount.holds, mount.name, mount.path
            )
        })
        .collect()
}

async fn create_and_start(engine: &Engine, spec: &ContainerSpec) -> Result<String> {
    for port in &spec.ports {
        crate::ports::ensure_free(
            port.host_ip,
            port.host_port,
            &format!("container {}", spec.name),
            &spec.config_field.replace(".image", ""),
        )?;
    }
    let options = CreateContainerOptions {
        name: Some(spec.name.clone()),
        ..Default::default()
    };
    let created = engine
        .docker
        .create_container(Some(options), create_body(spec))
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "cannot create container {}: {}",
                spec.name,
                engine_message(&err)
            )
        })?;
    crate::crash_point::wrote(|| format!("engine create container {}", spec.name));
    // Anything failing from here on must not leave a half-made container behind.
    let finish = async {
        upload_files(engine, spec).await?;
        start(engine, spec).await
    };
    if let Err(err) = finish.await {
        let _ = remove(engine, &created.id).await;
        return Err(err);
    }
    Ok(created.id)
}

fn create_body(spec: &ContainerSpec) -> ContainerCreateBody {
    let env = spec
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(
            spec.secret_env
                .iter()
                .map(|(k, v)| format!("{k}={}", v.expose())),
        )
        .collect();
    let mut port_bindings = HashMap::new();
    for port in &spec.ports {
        port_bindings.insert(
            format!("{}/tcp", port.container_port),
            Some(vec![bollard::models::PortBinding {
                host_ip: Some(port.host_ip.to_string()),
                host_port: Some(port.host_port.to_string()),
            }]),
        );
    }
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: Some(spec.cmd.clone()),
        env: Some(env),
        labels: Some(spec.labels()),
        exposed_ports: Some(
            spec.ports
                .iter()
                .map(|p| format!("{}/tcp", p.container_port))
                .collect(),
        ),
        host_config: Some(HostConfig {
            binds: Some(
                spec.volumes
                    .iter()
                    .map(|mount| format!("{}:{}", mount.name, mount.path))
                    .collect(),
            ),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::ALWAYS),
                maximum_retry_count: None,
            }),
            port_bindings: (!spec.host_network).then_some(port_bindings),
            network_mode: spec.host_network.then(|| "host".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn start(engine: &Engine, spec: &ContainerSpec) -> Result<()> {
    engine
        .docker
        .start_container(&spec.name, None)
        .await
        .map_err(|err| {
            let message = engine_message(&err);
            let hint = if message.contains("address already in use") {
                format!(
                    "; a host port is taken, free it or change the port in {}",
                    spec.config_field.replace(".image", "")
                )
            } else {
                String::new()
            };
            anyhow::anyhow!("cannot start container {}: {message}{hint}", spec.name)
        })?;
    crate::crash_point::wrote(|| format!("engine start container {}", spec.name));
    Ok(())
}

/// Files go in as a tar archive before start, owned by the container's user.
async fn upload_files(engine: &Engine, spec: &ContainerSpec) -> Result<()> {
    if spec.files.is_empty() {
        return Ok(());
    }
    let mut archive = tar::Builder::new(Vec::new());
    for file in &spec.files {
        let mut header = tar::Header::new_gnu();
        header.set_size(file.contents.len() as u64);
        header.set_mode(file.mode);
        header.set_uid(file.uid);
        header.set_gid(0);
        header.set_mtime(0);
        let path = file.path.trim_start_matches('/');
        archive
            .append_data(&mut header, path, file.contents.as_slice())
            .with_context(|| format!("cannot pack {}", file.path))?;
    }
    let bytes = archive.into_inner()?;
    let options = UploadToContainerOptions {
        path: "/".into(),
        ..Default::default()
    };
    engine
        .docker
        .upload_to_container(&spec.name, Some(options), bollard::body_full(bytes.into()))
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "cannot copy files into container {}: {}",
                spec.name,
                engine_message(&err)
            )
        })?;
    crate::crash_point::wrote(|| format!("engine copy files into container {}", spec.name));
    Ok(())
}

pub async fn remove(engine: &Engine, id_or_name: &str) -> Result<()> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    match engine
        .docker
        .remove_container(id_or_name, Some(options))
        .await
    {
        Ok(()) => {
            crate::crash_point::wrote(|| "engine remove container".into());
            Ok(())
        }
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(()),
        Err(err) => bail!(
            "cannot remove container {id_or_name}: {}",
            engine_message(&err)
        ),
    }
}

/// The last `lines` lines the container printed, for error messages.
pub async fn logs_tail(engine: &Engine, name: &str, lines: usize) -> String {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        tail: lines.to_string(),
        ..Default::default()
    };
    let mut stream = engine.docker.logs(name, Some(options));
    let mut out = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        out.push_str(&chunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::moved_to_volumes;
    use crate::container::{ContainerSpec, VolumeMount};

    fn spec_with_volume() -> ContainerSpec {
        ContainerSpec {
            name: "kc".into(),
            image: "keycloak".into(),
            cmd: vec![],
            env: vec![],
            secret_env: vec![],
            ports: vec![],
            files: vec![],
            volumes: vec![VolumeMount {
                name: "kc-data".into(),
                path: "/opt/keycloak/data".into(),
                holds: "the database",
            }],
            host_network: false,
            pull_image: false,
            config_field: "keycloak.image",
        }
    }

    #[test]
    fn a_container_without_its_volume_is_told_what_it_loses_once() {
        let spec = spec_with_volume();
        let mut old = spec.summary();
        old.as_object_mut().unwrap().remove("volumes");
        let said = moved_to_volumes(&spec, &old);
        assert_eq!(said.len(), 1);
        assert!(
            said[0].contains("the database moves to volume kc-data"),
            "{said:?}"
        );
        assert!(said[0].contains("lost this once"), "{said:?}");
        // Once mounted, nothing more is said.
        assert!(moved_to_volumes(&spec, &spec.summary()).is_empty());
    }
}
