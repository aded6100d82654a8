//! Images bridgectl builds itself (no registry needed): a Containerfile plus files, sent
//! to the engine's build API. A content hash in the image's labels makes a rebuild happen
//! only when the inputs change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bollard::query_parameters::{BuildImageOptions, ListContainersOptions, RemoveImageOptions};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::engine::Engine;
use super::image::{engine_message, ensure_image};
use super::known_digests::{self, KnownDigests};
use super::spec::{HASH_LABEL, MANAGED_LABEL, SUMMARY_LABEL};
use crate::reconcile::{Kind, Live, Outcome, Report, diff_subset};
use crate::ui::Ui;

/// The base image that is no image at all (`FROM scratch`).
pub const SCRATCH: &str = "scratch";

/// A file placed in the build context.
pub struct ContextFile {
    pub path: String,
    pub contents: Contents,
    pub mode: u32,
    /// SHA-256 of the contents, computed once where the file is read (the app's payload
    /// is the whole executable: not something to hash again on an async thread), or
    /// taken from the image's record of an unchanged file.
    digest: String,
    /// The identity of the file on disk it came from, if it did.
    identity: Option<String>,
}

pub enum Contents {
    Bytes(Vec<u8>),
    /// Not read: its digest was known. Read only if the image has to be built.
    OnDisk(PathBuf),
}

impl ContextFile {
    pub fn new(path: impl Into<String>, contents: Vec<u8>, mode: u32) -> ContextFile {
        let digest = hex::encode(Sha256::digest(&contents));
        ContextFile {
            path: path.into(),
            contents: Contents::Bytes(contents),
            mode,
            digest,
            identity: None,
        }
    }

    /// The file at `disk`, read and hashed unless `known` has its digest.
    pub fn from_disk(
        path: impl Into<String>,
        disk: &Path,
        mode: u32,
        known: &KnownDigests,
    ) -> std::io::Result<ContextFile> {
        let identity = known_digests::identity(disk)?;
        if let Some(digest) = known.get(&identity) {
            return Ok(ContextFile {
                path: path.into(),
                contents: Contents::OnDisk(disk.to_path_buf()),
                mode,
                digest: digest.to_string(),
                identity: Some(identity),
            });
        }
        let mut file = ContextFile::new(path, std::fs::read(disk)?, mode);
        file.identity = Some(identity);
        Ok(file)
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The bytes, read now if they were not; refused if they are not what was compared.
    fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match &self.contents {
            Contents::Bytes(bytes) => Ok(bytes.into()),
            Contents::OnDisk(disk) => {
                let bytes = std::fs::read(disk)
                    .with_context(|| format!("cannot read {}", disk.display()))?;
                if hex::encode(Sha256::digest(&bytes)) != self.digest {
                    bail!(
                        "{} changed while bridgectl was building from it; run again",
                        disk.display()
                    );
                }
                Ok(bytes.into())
            }
        }
    }
}

pub struct BuildContext {
    pub tag: String,
    /// The `FROM` image; must exist locally or be pullable.
    pub base_image: String,
    /// The Containerfile, whose first line is `FROM <base_image>`.
    pub containerfile: String,
    pub files: Vec<ContextFile>,
    /// Configuration fields for the tag and the base image, for messages.
    pub tag_field: &'static str,
    pub base_field: &'static str,
}

impl BuildContext {
    /// Readable inputs: base image id and a digest per file, never contents.
    fn summary(&self, base_id: &str) -> serde_json::Value {
        let files: BTreeMap<&str, String> = self
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.digest.clone()))
            .collect();
        serde_json::json!({
            "base_image": self.base_image,
            "base_id": base_id,
            "containerfile": hex::encode(Sha256::digest(self.containerfile.as_bytes())),
            "files": files,
        })
    }

    fn hash(&self, base_id: &str) -> String {
        hex::encode(Sha256::digest(self.summary(base_id).to_string().as_bytes()))
    }
}

/// Builds `context.tag` unless an image built from the same inputs is already there.
/// Returns the id of the image a rebuild replaced, to prune once no container uses it.
pub async fn ensure_built_image(
    engine: &Engine,
    context: &BuildContext,
    ui: &Ui,
    report: &mut Report,
) -> Result<Option<String>> {
    // Plans never build, so they never wait for another run's build either.
    let _turn = match report.gate().plans() {
        true => None,
        false => super::build_turn::take(&context.tag, ui).await,
    };
    // `scratch` is the empty image: the engine needs nothing local or pulled for it.
    let base_id = if context.base_image == SCRATCH {
        SCRATCH.to_string()
    } else {
        ensure_image(
            engine,
            &context.base_image,
            context.base_field,
            ui,
            report.gate(),
        )
        .await?
        .unwrap_or_else(|| format!("{} (not pulled yet)", context.base_image))
    };
    let wanted = context.summary(&base_id);
    let wanted_hash = context.hash(&base_id);

    let live = match engine.docker.inspect_image(&context.tag).await {
        Ok(found) => Some(found),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => None,
        Err(err) => bail!(
            "cannot inspect image {}: {}",
            context.tag,
            engine_message(&err)
        ),
    };
    let live_labels = live
        .as_ref()
        .and_then(|image| image.config.as_ref())
        .and_then(|config| config.labels.clone())
        .unwrap_or_default();
    let live_id = live.as_ref().and_then(|image| image.id.clone());
    let state = match &live {
        None => Live::Absent,
        Some(_) if live_labels.get(HASH_LABEL) == Some(&wanted_hash) => Live::Differs(vec![]),
        Some(_) => {
            let before = live_labels
                .get(SUMMARY_LABEL)
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let mut details: Vec<String> = diff_subset(&wanted, &before)
                .iter()
                .map(|change| change.describe(&[]))
                .collect();
            if live_labels.get(MANAGED_LABEL).map(String::as_str) != Some("true") {
                details.push("the tag pointed to an image bridgectl did not build".into());
            }
            if details.is_empty() {
                details.push("its build inputs changed".into());
            }
            Live::Differs(details)
        }
    };
    let run_build = || build(engine, context, &wanted, &wanted_hash, ui);
    let (_, built) = report
        .converge(Kind::Image, &context.tag, state, run_build, run_build)
        .await?;
    Ok(built.and_then(|id| live_id.filter(|old| *old != id)))
}

async fn build(
    engine: &Engine,
    context: &BuildContext,
    summary: &serde_json::Value,
    hash: &str,
    ui: &Ui,
) -> Result<String> {
    let archive = context_archive(context)?;
    let labels = [
        (MANAGED_LABEL.to_string(), "true".to_string()),
        (HASH_LABEL.to_string(), hash.to_string()),
        (SUMMARY_LABEL.to_string(), summary.to_string()),
        (
            known_digests::LABEL.to_string(),
            file_digests(context).to_label(),
        ),
    ]
    .into();
    let options = BuildImageOptions {
        dockerfile: "Containerfile".into(),
        t: Some(context.tag.clone()),
        labels: Some(labels),
        rm: true,
        forcerm: true,
        ..Default::default()
    };
    let spinner = ui.spinner(format!("building image {}", context.tag));
    let mut output: Vec<String> = Vec::new();
    let mut stream =
        engine
            .docker
            .build_image(options, None, Some(bollard::body_full(archive.into())));
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(detail) = info.error_detail {
                    failure = detail.message;
                }
                if let Some(line) = info.stream {
                    output.extend(line.lines().map(str::to_string));
                }
            }
            Err(err) => failure = Some(engine_message(&err)),
        }
    }
    spinner.finish_and_clear();
    if let Some(message) = failure {
        bail!(
            "building image {} failed: {message}\nLast build output:\n{}\n\
             Check that {} ({}) exists locally or can be pulled",
            context.tag,
            crate::ui::tail_indented(&output.join("\n"), 10),
            context.base_field,
            context.base_image,
        );
    }
    crate::crash_point::wrote(|| format!("engine build image {}", context.tag));
    match super::image::image_id(engine, &context.tag).await? {
        Some(id) => Ok(id),
        None => bail!(
            "the engine finished building {} but does not list it",
            context.tag
        ),
    }
}

/// The digests of the files that came from disk, by their identity, for the next check.
fn file_digests(context: &BuildContext) -> KnownDigests {
    let mut known = KnownDigests::default();
    for file in &context.files {
        if let Some(identity) = &file.identity {
            known.insert(identity.clone(), file.digest.clone());
        }
    }
    known
}

fn context_archive(context: &BuildContext) -> Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    let containerfile = ContextFile::new(
        "Containerfile",
        context.containerfile.clone().into_bytes(),
        0o644,
    );
    for file in std::iter::once(&containerfile).chain(&context.files) {
        let bytes = file.bytes()?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(file.mode);
        header.set_mtime(0);
        archive
            .append_data(&mut header, &file.path, bytes.as_ref())
            .with_context(|| format!("cannot pack {} into the build context", file.path))?;
    }
    Ok(archive.into_inner()?)
}

/// Removes an image a rebuild replaced; an image still in use is left alone.
pub async fn prune_image(engine: &Engine, id: &str, ui: &Ui) {
    // Identical builds share one image id: another tag may still name the replaced image
    // (another setup's app on this engine). Only an image nothing names goes.
    if let Ok(found) = engine.docker.inspect_image(id).await
        && let Some(tags) = found.repo_tags.filter(|tags| !tags.is_empty())
    {
        ui.detail(format!(
            "kept the replaced image {id}: still tagged {}",
            tags.join(", ")
        ));
        return;
    }
    let options = RemoveImageOptions {
        noprune: false,
        force: false,
        ..Default::default()
    };
    match engine.docker.remove_image(id, Some(options), None).await {
        Ok(_) => ui.detail(format!("removed the replaced image {id}")),
        Err(err) => ui.detail(format!(
            "kept the replaced image {id}: {}",
            engine_message(&err)
        )),
    }
}

/// The names of the containers created from `image` (a tag: Podman's compatible API
/// matches no container by a `sha256:` id here), running or not.
async fn containers_using(engine: &Engine, image: &str) -> Result<Vec<String>> {
    let options = ListContainersOptions {
        all: true,
        filters: Some([("ancestor".to_string(), vec![image.to_string()])].into()),
        ..Default::default()
    };
    let found = engine
        .docker
        .list_containers(Some(options))
        .await
        .map_err(|err| anyhow::anyhow!("cannot list containers: {}", engine_message(&err)))?;
    Ok(found
        .into_iter()
        .flat_map(|c| c.names.unwrap_or_default())
        .map(|name| name.trim_start_matches('/').to_string())
        .collect())
}

/// `clean --images`: removes the image at `tag` when bridgectl built it (it carries the
/// managed label); pulled images and anyone else's stay.
pub async fn remove_built_image(engine: &Engine, tag: &str, report: &mut Report) -> Result<()> {
    let found = match engine.docker.inspect_image(tag).await {
        Ok(found) => found,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {
            report.found(Kind::Image, tag, Outcome::Absent, vec![]);
            return Ok(());
        }
        Err(err) => bail!("cannot inspect image {tag}: {}", engine_message(&err)),
    };
    let ours = found
        .config
        .and_then(|c| c.labels)
        .is_some_and(|labels| labels.get(MANAGED_LABEL).is_some_and(|v| v == "true"));
    if !ours {
        report.found(
            Kind::Image,
            tag,
            Outcome::Unchanged,
            vec!["not built by bridgectl: left alone".into()],
        );
        return Ok(());
    }
    // Keycloak's derived image is shared by every configuration asking for the same
    // build: one still running from it keeps it.
    let users = containers_using(engine, tag).await?;
    if !users.is_empty() {
        report.found(
            Kind::Image,
            tag,
            Outcome::Unchanged,
            vec![format!(
                "still used by container {}: left",
                users.join(", ")
            )],
        );
        return Ok(());
    }
    report
        .apply_delete(Kind::Image, tag, || async {
            engine
                .docker
                .remove_image(tag, None::<RemoveImageOptions>, None)
                .await
                .map_err(|err| {
                    anyhow::anyhow!("cannot remove image {tag}: {}", engine_message(&err))
                })?;
            anyhow::Ok(true)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(file: ContextFile) -> BuildContext {
        BuildContext {
            tag: "localhost/test:1".into(),
            base_image: SCRATCH.into(),
            containerfile: "FROM scratch\n".into(),
            files: vec![file],
            tag_field: "app.image",
            base_field: "app.base_image",
        }
    }

    #[test]
    fn a_file_not_read_is_packed_when_it_still_has_its_digest_and_refused_when_not() {
        let dir = tempfile::tempdir().unwrap();
        let disk = dir.path().join("app");
        std::fs::write(&disk, b"the app").unwrap();
        let read = ContextFile::from_disk("bin/app", &disk, 0o755, &KnownDigests::default());
        let read = read.unwrap();
        let mut known = KnownDigests::default();
        known.insert(known_digests::identity(&disk).unwrap(), read.digest.clone());
        let unread = ContextFile::from_disk("bin/app", &disk, 0o755, &known).unwrap();
        assert!(matches!(unread.contents, Contents::OnDisk(_)));
        let archive = context_archive(&context(unread)).unwrap();
        assert!(archive.windows(7).any(|w| w == b"the app"));

        // Its identity recorded with another digest: what is packed must be what was
        // compared, so the build stops.
        let mut wrong = KnownDigests::default();
        wrong.insert(known_digests::identity(&disk).unwrap(), "0".repeat(64));
        let unread = ContextFile::from_disk("bin/app", &disk, 0o755, &wrong).unwrap();
        let err = context_archive(&context(unread)).unwrap_err();
        assert!(format!("{err:#}").contains("changed while"), "{err:#}");
    }
}
