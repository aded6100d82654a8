//! Command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ocp-sim",
    version,
    about = "A strict OpenShift simulator: API-server subset and OAuth server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API server and the OAuth server over HTTPS until interrupted.
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// State, certificates and kubeconfig live here (created 0700).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// API server address; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub api_listen: String,
    /// OAuth server address; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:6444")]
    pub oauth_listen: String,
    /// Where to write the admin kubeconfig [default: DATA_DIR/kubeconfig].
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// An API group not to serve, e.g. project.openshift.io to act like plain Kubernetes (repeatable).
    #[arg(long = "without-group", value_name = "GROUP")]
    pub without_groups: Vec<String>,
    /// NAME=TOKEN: a bearer token for user NAME with no RBAC rights (repeatable).
    #[arg(long = "token", value_parser = parse_token)]
    pub tokens: Vec<(String, String)>,
    /// Seconds a deleted namespace stays Terminating, refusing new content (0: gone at once).
    #[arg(long, default_value_t = 0.0)]
    pub namespace_termination_secs: f64,
    /// infrastructures/cluster status.controlPlaneTopology: HighlyAvailable, SingleReplica,
    /// or External (a hosted control plane)
    #[arg(long, default_value = "HighlyAvailable")]
    pub control_plane_topology: String,
    /// Model the authentication operator: a change to oauths/cluster is validated (the
    /// issuer's discovery fetched) and served only after this many seconds of rollout
    #[arg(long)]
    pub oauth_rollout_secs: Option<f64>,
}

fn parse_token(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, token)) if !name.is_empty() && !token.is_empty() => {
            Ok((name.to_string(), token.to_string()))
        }
        _ => Err("expected NAME=TOKEN".into()),
    }
}
