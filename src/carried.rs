//! The programs bridgectl carries inside its own executable, so that a host with nothing
//! but this binary and a container engine runs the whole setup: the demo app (the entry
//! point of its image, see `demo_app::payload`) and the OpenShift simulator (the process
//! behind `sandbox up`).

use std::ffi::OsString;
use std::process::ExitCode;

use crate::cli::Carried;

/// The arguments that start the demo app from this executable.
pub const DEMO_APP: [&str; 2] = ["internal", "demo-app"];
/// The arguments that start the simulator from this executable (its own follow).
pub const OCP_SIM: [&str; 2] = ["internal", "ocp-sim"];

/// Runs a carried program in this process; it builds its own async runtime.
pub fn run(program: Carried) -> ExitCode {
    match program {
        Carried::DemoApp => demo_app::entry::run(),
        Carried::OcpSim { args } => {
            let argv = std::iter::once(OsString::from("ocp-sim")).chain(args);
            match ocp_sim::entry::run(argv) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("ocp-sim: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
