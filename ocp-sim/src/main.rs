use clap::Parser;
use ocp_sim::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Command::Serve(args) = Cli::parse().command;
    let running = ocp_sim::start(ocp_sim::Options {
        data_dir: args.data_dir,
        api_listen: args.api_listen,
        oauth_listen: args.oauth_listen,
        kubeconfig_out: args.kubeconfig_out,
        tokens: args.tokens,
        without_groups: args.without_groups,
    })
    .await?;
    println!("{}", running.startup_line());
    wait_for_signal().await;
    drop(running);
    Ok(())
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
