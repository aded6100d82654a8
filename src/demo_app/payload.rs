//! What goes into the demo app's image. By default: this very executable, which carries
//! the app (`bridgectl internal demo-app`), plus exactly the shared objects the loader
//! loaded for it, started through that same loader. The image then runs on any base,
//! `scratch` included, whatever C library the base has or has not; a statically linked
//! bridgectl brings no libraries at all. `app.binary` (a developer option) instead places
//! a separately built `demo-app` onto the base image as it is.

use std::ffi::CStr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::carried;
use crate::container::{ContextFile, KnownDigests};

/// Where the payload lives inside the image, apart from whatever the base brings.
const ROOT: &str = "/opt/bridgectl";

pub struct Payload {
    pub files: Vec<ContextFile>,
    /// The image's entry point, as an exec-form argument list.
    pub entrypoint: Vec<String>,
    /// Where the payload came from, for the report.
    pub origin: String,
}

impl Payload {
    /// The app bridgectl carries: the running executable and its shared objects. Files
    /// whose digest `known` has (an unchanged file the image was built from) are not read.
    pub fn carried(known: &KnownDigests) -> Result<Payload> {
        // /proc/self/exe is the running program even if its file was replaced since.
        let executable = Path::new("/proc/self/exe");
        let executable = ContextFile::from_disk("bin/bridgectl", executable, 0o755, known)
            .context("cannot read bridgectl's own executable (/proc/self/exe)")?;
        let mut files = vec![executable];
        let program = format!("{ROOT}/bin/bridgectl");
        let mut loader = None;
        for object in loaded_shared_objects() {
            let Some(name) = object.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let library = ContextFile::from_disk(format!("lib/{name}"), &object, 0o755, known)
                .with_context(|| {
                    format!(
                        "cannot read {}, a library bridgectl runs with",
                        object.display()
                    )
                })?;
            if is_loader(&name) {
                loader = Some(name.clone());
            }
            files.push(library);
        }
        let mut entrypoint = match (&loader, files.len()) {
            (_, 1) => vec![program],
            (Some(loader), _) => vec![
                format!("{ROOT}/lib/{loader}"),
                "--library-path".into(),
                format!("{ROOT}/lib"),
                program,
            ],
            (None, _) => bail!(
                "bridgectl runs with shared libraries but no dynamic loader was found among \
                 them; set app.binary to a demo-app binary that runs on app.base_image"
            ),
        };
        entrypoint.extend(carried::DEMO_APP.map(String::from));
        let origin = match loader {
            Some(_) => format!(
                "this bridgectl and its {} shared libraries",
                files.len() - 1
            ),
            None => "this bridgectl (statically linked)".into(),
        };
        Ok(Payload {
            files,
            entrypoint,
            origin,
        })
    }

    /// A separately built demo-app binary, run as it is on the base image.
    pub fn prebuilt(binary: &Path, known: &KnownDigests) -> Result<Payload> {
        let file =
            ContextFile::from_disk("bin/demo-app", binary, 0o755, known).with_context(|| {
                format!(
                    "cannot read the demo-app binary {} (app.binary)",
                    binary.display()
                )
            })?;
        Ok(Payload {
            files: vec![file],
            entrypoint: vec![format!("{ROOT}/bin/demo-app")],
            origin: format!("{} (app.binary)", binary.display()),
        })
    }

    /// The Containerfile lines that copy the payload in and name the entry point.
    pub fn containerfile_lines(&self) -> String {
        let mut lines = String::from("COPY bin/ /opt/bridgectl/bin/\n");
        if self.files.iter().any(|f| f.path.starts_with("lib/")) {
            lines.push_str("COPY lib/ /opt/bridgectl/lib/\n");
        }
        let entrypoint = serde_json::to_string(&self.entrypoint).unwrap_or_default();
        lines.push_str(&format!("ENTRYPOINT {entrypoint}\n"));
        lines
    }
}

/// The dynamic loader, by the names glibc and musl give it (`ld-linux-x86-64.so.2`,
/// `ld-linux-aarch64.so.1`, `ld64.so.2`, `ld-musl-x86_64.so.1`).
fn is_loader(file_name: &str) -> bool {
    file_name.starts_with("ld-") || file_name.starts_with("ld64.")
}

/// Every shared object of this process by the path the loader opened it under, which
/// ends in the name dependents ask for (`libc.so.6`, never a versioned file behind a
/// symlink); the kernel's vDSO and the program itself have no path and are left out.
fn loaded_shared_objects() -> Vec<PathBuf> {
    unsafe extern "C" fn collect(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: the loader passes a valid entry for the duration of the call, and
        // `data` is the `Vec` handed to `dl_iterate_phdr` below.
        let (info, found) = unsafe { (&*info, &mut *data.cast::<Vec<PathBuf>>()) };
        if !info.dlpi_name.is_null() {
            // SAFETY: a non-null name is a NUL-terminated string owned by the loader.
            let name = unsafe { CStr::from_ptr(info.dlpi_name) };
            let path = PathBuf::from(name.to_string_lossy().into_owned());
            if path.is_absolute() && !found.contains(&path) {
                found.push(path);
            }
        }
        0
    }
    let mut found: Vec<PathBuf> = Vec::new();
    // SAFETY: `collect` only touches `found`, which outlives the call.
    unsafe {
        libc::dl_iterate_phdr(Some(collect), (&raw mut found).cast());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Contents;

    #[test]
    fn the_carried_payload_is_this_program_and_what_it_loaded() {
        let payload = Payload::carried(&KnownDigests::default()).unwrap();
        let executable = std::fs::read("/proc/self/exe").unwrap();
        assert_eq!(payload.files[0].path, "bin/bridgectl");
        assert!(matches!(&payload.files[0].contents, Contents::Bytes(b) if *b == executable));
        // The test binary is linked like bridgectl: dynamically, against the C library.
        let libraries: Vec<&str> = payload.files[1..].iter().map(|f| f.path.as_str()).collect();
        assert!(libraries.contains(&"lib/libc.so.6"), "{libraries:?}");
        let loader = libraries
            .iter()
            .find(|path| is_loader(path.trim_start_matches("lib/")))
            .expect("the loader is shipped");
        assert_eq!(
            payload.entrypoint,
            [
                format!("/opt/bridgectl/{loader}"),
                "--library-path".into(),
                "/opt/bridgectl/lib".into(),
                "/opt/bridgectl/bin/bridgectl".into(),
                "internal".into(),
                "demo-app".into(),
            ]
        );
        let lines = payload.containerfile_lines();
        assert!(lines.contains("COPY lib/ /opt/bridgectl/lib/"), "{lines}");
        assert!(lines.ends_with("\"internal\",\"demo-app\"]\n"), "{lines}");
    }

    #[test]
    fn an_executable_the_image_was_built_from_is_not_read_again() {
        let first = Payload::carried(&KnownDigests::default()).unwrap();
        let mut known = KnownDigests::default();
        let identity =
            crate::container::file_identity(std::path::Path::new("/proc/self/exe")).unwrap();
        known.insert(identity, first.files[0].digest().to_string());
        let again = Payload::carried(&known).unwrap();
        assert!(matches!(again.files[0].contents, Contents::OnDisk(_)));
        assert_eq!(again.files[0].digest(), first.files[0].digest());
        // A digest recorded for another file (another identity) is not taken.
        let mut other = KnownDigests::default();
        other.insert("0:0:0:0.0:0.0".into(), "not this".into());
        let fresh = Payload::carried(&other).unwrap();
        assert_eq!(fresh.files[0].digest(), first.files[0].digest());
    }

    #[test]
    fn loaders_are_recognised_by_name() {
        for name in ["ld-linux-x86-64.so.2", "ld-musl-x86_64.so.1", "ld64.so.2"] {
            assert!(is_loader(name), "{name}");
        }
        for name in ["libc.so.6", "libgcc_s.so.1", "libldap.so.2"] {
            assert!(!is_loader(name), "{name}");
        }
    }
}
