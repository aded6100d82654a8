//! The local sandbox: the OpenShift simulator (`ocp-sim`, carried inside bridgectl) as a
//! supervised background process that outlives the command, with its data, log and kubeconfig in the state
//! directory. It stands in for a cluster when none is configured.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rustix::process::{Pid, Signal, kill_process};

use crate::context::Context as Ctx;
use crate::reconcile::{Kind, Outcome, Report};
use crate::state::StateDir;

const DIR: &str = "sandbox";
const PID_FILE: &str = "ocp-sim.pid";
const LOG_FILE: &str = "ocp-sim.log";
const KUBECONFIG: &str = "kubeconfig";
const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Absolute, so the pid check matches the simulator's command line from any directory.
fn sandbox_dir(state_root: &Path) -> PathBuf {
    let dir = state_root.join(DIR);
    std::path::absolute(&dir).unwrap_or(dir)
}

/// The kubeconfig `sandbox up` writes, whether or not the sandbox runs now.
pub fn kubeconfig_path(state_root: &Path) -> PathBuf {
    sandbox_dir(state_root).join(KUBECONFIG)
}

/// The simulator's process id when the sandbox of this state directory is running.
pub fn running(state_root: &Path) -> Option<i32> {
    let dir = sandbox_dir(state_root);
    let pid: i32 = std::fs::read_to_string(dir.join(PID_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    // The pid must still be our simulator, not a process that reused the number.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let cmdline = String::from_utf8_lossy(&cmdline);
    let data_dir = dir.join("data");
    (cmdline.contains("serve") && cmdline.contains(&*data_dir.to_string_lossy())).then_some(pid)
}

/// Starts the simulator unless it runs already; reports it as created or unchanged.
pub async fn up(ctx: &Ctx) -> Result<Report> {
    let mut report = ctx.report();
    let root = ctx.state.root();
    let name = "ocp-sim";
    if let Some(pid) = running(root) {
        report.found(
            Kind::Process,
            name,
            Outcome::Unchanged,
            vec![format!("pid {pid}")],
        );
        return Ok(report);
    }
    let config = &ctx.config;
    let program = Program::configured(config.sandbox.binary.as_deref())?;
    let details = vec![format!(
        "API https://127.0.0.1:{}, OAuth https://127.0.0.1:{}",
        config.sandbox.api_port, config.sandbox.oauth_port
    )];
    let launch = || async {
        for (port, field) in [
            (config.sandbox.api_port, "sandbox.api_port"),
            (config.sandbox.oauth_port, "sandbox.oauth_port"),
        ] {
            crate::ports::ensure_free([127, 0, 0, 1].into(), port, "the simulator", field)?;
        }
        start(&ctx.state, &program, &config.sandbox)?;
        ctx.ui.info(format!(
            "sandbox running; its kubeconfig is {} (used by default when no cluster is configured)",
            kubeconfig_path(root).display()
        ));
        anyhow::Ok(())
    };
    report
        .apply(Kind::Process, name, Outcome::Created, details, launch)
        .await?;
    Ok(report)
}

/// Stops the simulator; its data stays, so the next `up` serves the same objects.
pub async fn down(ctx: &Ctx) -> Result<Report> {
    let mut report = ctx.report();
    let root = ctx.state.root();
    let Some(pid) = running(root) else {
        report.found(Kind::Process, "ocp-sim", Outcome::Absent, vec![]);
        return Ok(report);
    };
    let stop = || async {
        let target = Pid::from_raw(pid).context("invalid pid in the sandbox pid file")?;
        let _ = kill_process(target, Signal::TERM);
        let deadline = Instant::now() + STOP_TIMEOUT;
        while running(root).is_some() {
            if Instant::now() >= deadline {
                let _ = kill_process(target, Signal::KILL);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = std::fs::remove_file(root.join(DIR).join(PID_FILE));
        anyhow::Ok(())
    };
    let details = vec![format!("pid {pid}")];
    report
        .apply(Kind::Process, "ocp-sim", Outcome::Deleted, details, stop)
        .await?;
    Ok(report)
}

/// The simulator's executable: the one bridgectl carries (this very binary), or a
/// separately built `ocp-sim` named by `sandbox.binary` (a developer option).
struct Program {
    path: PathBuf,
    leading_args: Vec<&'static str>,
}

impl Program {
    fn configured(binary: Option<&Path>) -> Result<Program> {
        match binary {
            Some(path) if !path.is_file() => bail!(
                "there is no ocp-sim binary at {} (sandbox.binary); remove the field to use \
                 the simulator bridgectl carries",
                path.display()
            ),
            Some(path) => Ok(Program {
                path: path.to_path_buf(),
                leading_args: vec![],
            }),
            None => Ok(Program {
                path: std::env::current_exe()
                    .context("cannot find bridgectl's own executable to start the simulator")?,
                leading_args: crate::carried::OCP_SIM.to_vec(),
            }),
        }
    }
}

/// Spawns the simulator in its own process group (a terminal's Ctrl-C does not reach it)
/// and waits for its startup line, which it prints on its stdout (a pipe to us, read as
/// it comes: no polling) once both servers listen. It prints nothing there afterwards.
fn start(state: &StateDir, program: &Program, sandbox: &crate::config::Sandbox) -> Result<()> {
    let dir = sandbox_dir(state.root());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stderr = File::options()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(dir.join(LOG_FILE))
        .context("cannot open the sandbox log")?;
    let mut command = Command::new(&program.path);
    command
        .args(&program.leading_args)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg(format!("--api-listen=127.0.0.1:{}", sandbox.api_port))
        .arg(format!("--oauth-listen=127.0.0.1:{}", sandbox.oauth_port))
        .arg(format!(
            "--namespace-termination-secs={}",
            sandbox.namespace_termination_secs
        ))
        .arg("--kubeconfig-out")
        .arg(dir.join(KUBECONFIG));
    if let Some(secs) = sandbox.oauth_rollout_secs {
        command.arg(format!("--oauth-rollout-secs={secs}"));
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start the simulator {}", program.path.display()))?;
    state.write_private(
        &format!("{DIR}/{PID_FILE}"),
        child.id().to_string().as_bytes(),
    )?;

    // The line, or the end of the pipe when the simulator exits first.
    let stdout = child.stdout.take().context("the simulator's stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(START_TIMEOUT).unwrap_or_default();
    if line.contains("api_url") {
        return Ok(());
    }
    let log = std::fs::read_to_string(dir.join(LOG_FILE)).unwrap_or_default();
    bail!(
        "the simulator did not start{} (see {}):\n{}",
        match line.is_empty() && running(state.root()).is_some() {
            true => format!(" within {}s", START_TIMEOUT.as_secs()),
            false => String::new(),
        },
        dir.join(LOG_FILE).display(),
        crate::ui::tail_indented(&log, 10)
    )
}

/// The sandbox's kubeconfig when nothing else names a cluster (no openshift.kubeconfig,
/// no KUBECONFIG, no ~/.kube/config) and the sandbox of this state directory runs.
pub fn fallback_kubeconfig(config: &crate::config::Config, state_root: &Path) -> Option<PathBuf> {
    if config.openshift.kubeconfig.is_some() || std::env::var_os("KUBECONFIG").is_some() {
        return None;
    }
    let home_config = std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kube/config"));
    if home_config.is_some_and(|path| path.exists()) {
        return None;
    }
    running(state_root)?;
    Some(kubeconfig_path(state_root)).filter(|path| path.exists())
}
