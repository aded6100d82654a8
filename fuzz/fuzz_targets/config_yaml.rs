//! bridgectl's configuration file: any bytes, loaded as `--config FILE` would load them
//! (from a file in the temporary directory, rewritten for every input). Never a panic;
//! an error always names the file it is about (or the field to set when the bastion's
//! address cannot be detected).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use bridgectl::config::{Inputs, load};
use libfuzzer_sys::fuzz_target;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::temp_dir().join(format!("bridgectl-fuzz-{}.yaml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(path, data).expect("write the configuration file");
    let result = load(Inputs {
        file: Some(path),
        flags: &[],
        env: Vec::new(),
    });
    match result {
        Ok(loaded) => {
            assert!(loaded.config.bastion.address.is_some());
            assert!(loaded.config.bastion.hostname.is_some());
        }
        Err(err) => {
            let message = format!("{err:#}");
            assert!(
                message.contains(&path.display().to_string())
                    || message.contains("bastion.address"),
                "an error that names no file: {message}"
            );
        }
    }
});
