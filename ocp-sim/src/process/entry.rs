//! The simulator as a process: serve until SIGTERM or Ctrl-C. Both the `ocp-sim` binary
//! and `bridgectl internal ocp-sim` (behind `bridgectl sandbox up`) start here.

use std::ffi::OsString;

use clap::Parser;

use super::cli::{Cli, Command};
use super::server::{Options, start};

/// Parses `args` (the program name first, as `std::env::args_os` gives them) and serves.
pub fn run(args: impl IntoIterator<Item = OsString>) -> anyhow::Result<()> {
    let Command::Serve(args) = Cli::parse_from(args).command;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let running = start(Options {
            data_dir: args.data_dir,
            api_listen: args.api_listen,
            oauth_listen: args.oauth_listen,
            kubeconfig_out: args.kubeconfig_out,
            tokens: args.tokens,
            without_groups: args.without_groups,
            namespace_termination: std::time::Duration::from_secs_f64(
                args.namespace_termination_secs.max(0.0),
            ),
            control_plane_topology: args.control_plane_topology,
            oauth_rollout: args
                .oauth_rollout_secs
                .map(|secs| std::time::Duration::from_secs_f64(secs.max(0.0))),
        })
        .await?;
        println!("{}", running.startup_line());
        wait_for_signal().await;
        drop(running);
        Ok(())
    })
}
async fn wait_for_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
