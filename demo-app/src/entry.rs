//! The app as a process: reads the environment, binds, serves until SIGTERM or Ctrl-C.
//! Both the `demo-app` binary and `bridgectl internal demo-app` (the app image's entry
//! point) start here.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::{App, Settings, log, serve_app};

/// Reads the environment, binds, serves until SIGTERM or Ctrl-C; the exit code is 2 for a
/// configuration error and 1 for any other failure to start.
pub fn run() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            // One line naming the variable; exit 2 = configuration error.
            eprintln!("demo-app: {e}");
            return ExitCode::from(2);
        }
    };
    log::set_level(settings.log_level);
    std::panic::set_hook(Box::new(|info| {
        // The location only: a panic message could quote request data.
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        log::error("panic", &[("location", (&location).into())]);
    }));

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo-app: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let addr = SocketAddr::new(settings.bind_address, settings.port);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("demo-app: cannot listen on {addr} (BIND_ADDRESS, PORT): {e}");
                return ExitCode::from(1);
            }
        };
        let app = match App::new(settings) {
            Ok(app) => app,
            Err(e) => {
                eprintln!("demo-app: {e}");
                return ExitCode::from(1);
            }
        };
        match serve_app(app, listener, shutdown_signal()).await {
            Ok(()) => {
                log::info("stopped", &[]);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("demo-app: {e}");
                ExitCode::from(1)
            }
        }
    })
}

/// SIGTERM (as a container stop sends) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
