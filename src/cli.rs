//! Command-line interface: the subcommands and the options every command shares.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

#[derive(Debug, Parser)]
#[command(
    name = "bridgectl",
    version = crate::VERSION,
    about = "Sets up, checks and tears down the Keycloak token-exchange bridge to OpenShift",
    long_about = "Sets up, checks and tears down the Keycloak token-exchange bridge to OpenShift.\n\n\
        Every step reads what is live, compares it with what the configuration asks for, \
        changes only what differs and reports each object as created, updated or unchanged."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalOptions {
    /// Configuration file (default: ./bridgectl.yaml when it exists)
    #[arg(long, global = true, env = "BRIDGECTL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory holding generated secrets and certificates
    #[arg(
        long,
        global = true,
        env = "BRIDGECTL_STATE_DIR",
        value_name = "DIR",
        default_value = ".bridgectl"
    )]
    pub state_dir: PathBuf,

    /// Override one configuration field, e.g. --set keycloak.https_port=18444 (repeatable)
    #[arg(long = "set", global = true, value_name = "FIELD=VALUE")]
    pub overrides: Vec<String>,

    /// kubeconfig of the OpenShift cluster (default: KUBECONFIG, ~/.kube/config, in-cluster)
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// kubeconfig context to use (default: its current context)
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Show what would change without changing anything
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// With --dry-run: exit 0 when nothing would change, 2 when something would, 1 on error
    #[arg(long, global = true, requires = "dry_run")]
    pub detailed_exitcode: bool,

    /// Result format: a table for people, or one JSON or YAML document for scripts
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// More progress on stderr (repeat for more detail)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// No progress and no table: only errors on stderr, and the exit code
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run step1 to step5: each as soon as the steps it needs are done (step3 and step5
    /// beside step1), and report every step
    All,
    /// Step 1: generate the TLS certificates and start the Keycloak container
    Step1,
    /// Step 2: configure the Keycloak realm, clients and user accounts
    Step2,
    /// Step 3: configure the OpenShift OAuth identity provider and the OAuthClient
    Step3,
    /// Step 4: build and start the third-party demo app container
    Step4,
    /// Step 5: configure OpenShift RBAC (projects and role bindings)
    Step5,
    /// Show the state of every part of the setup (only reads; exit 2 when anything is off,
    /// 1 when it could not be checked)
    Status {
        /// Also sign the first user in through the demo app and exchange a token
        #[arg(long)]
        deep: bool,
    },
    /// Remove what bridgectl created, and nothing else
    Clean {
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
        /// Also remove the images bridgectl built (the demo app's); pulled images stay
        #[arg(long)]
        images: bool,
        /// Also remove the state directory (generated secrets and certificates)
        #[arg(long)]
        purge: bool,
        /// Wait until the cluster has removed the deleted projects (they stay Terminating
        /// while their content goes; up to openshift.wait_timeout_secs)
        #[arg(long)]
        wait: bool,
    },
    /// Replay the verification matrix through the demo app: every user signs in, calls the
    /// OpenShift API and must see exactly their projects (exit 2 when a cell fails)
    Verify,
    /// Print the generated credentials (admin password, user passwords, client secrets)
    Credentials,
    /// Print the effective configuration after files, environment and flags are applied
    Config,
    /// Print a shell completion script, e.g. `bridgectl completion bash > /etc/bash_completion.d/bridgectl`
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (bridgectl.1 and one per command) into a directory
    Man {
        /// Where to write them
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// The local OpenShift simulator, used when no cluster is configured
    #[command(subcommand)]
    Sandbox(SandboxAction),
    /// The programs bridgectl carries: the demo app (its image's entry point) and the
    /// OpenShift simulator (behind `sandbox up`). Not for direct use.
    #[command(subcommand, hide = true)]
    Internal(Carried),
}

#[derive(Debug, Subcommand)]
pub enum Carried {
    /// The demo app, configured by its environment (the seed's variable names)
    DemoApp,
    /// The OpenShift simulator; the arguments are its own (`serve --data-dir ...`)
    OcpSim {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SandboxAction {
    /// Start the simulator in the background (API and OAuth server on loopback) and write
    /// its kubeconfig into the state directory
    Up,
    /// Stop the simulator; its data stays for the next `up`
    Down,
}

impl Command {
    /// Commands that never write: they open the state directory read-only, without its lock.
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Status { .. } | Command::Verify | Command::Config
        )
    }
}
