//! Waiting until a freshly started container serves, and saying why when it does not.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::engine::Engine;
use super::reconcile::{ContainerState, logs_tail, state};
use crate::ui::{Ui, tail_indented};

const POLL_EVERY: Duration = Duration::from_millis(100);
const STATE_CHECK_EVERY: Duration = Duration::from_secs(2);

/// What to wait for: a GET answering 2xx.
pub struct Readiness<'a> {
    pub container: &'a str,
    /// The service's name in messages ("Keycloak", "the demo app").
    pub service: &'a str,
    pub url: String,
    pub client: reqwest::Client,
    pub timeout: Duration,
    /// The setting to raise on a slow machine.
    pub timeout_field: &'a str,
}

/// Polls `url` until it answers 2xx; fails early with the container's last log lines when
/// the container stops, or after the timeout.
pub async fn wait_ready(engine: &Engine, ready: &Readiness<'_>, ui: &Ui) -> Result<Duration> {
    let name = ready.container;
    let spinner = ui.spinner(format!("waiting for {} at {}", ready.service, ready.url));
    let started = Instant::now();
    let mut last_answer;
    let mut next_state_check = started;
    let result = loop {
        match ready.client.get(&ready.url).send().await {
            Ok(resp) if resp.status().is_success() => break Ok(started.elapsed()),
            Ok(resp) => last_answer = format!("HTTP {}", resp.status()),
            Err(err) => last_answer = crate::http::describe_error(&err),
        }
        if Instant::now() >= next_state_check {
            next_state_check = Instant::now() + STATE_CHECK_EVERY;
            if let ContainerState::Managed {
                running: false,
                status,
                ..
            } = state(engine, name).await?
            {
                let logs = logs_tail(engine, name, 20).await;
                break Err(anyhow::anyhow!(
                    "container {name} stopped while {} was starting (status {status}).\n\
                     Last lines:\n{}",
                    ready.service,
                    tail_indented(&logs, 20)
                ));
            }
        }
        if started.elapsed() >= ready.timeout {
            let logs = logs_tail(engine, name, 20).await;
            break Err(anyhow::anyhow!(
                "{} did not become ready within {}s (last answer from {}: {last_answer}).\n\
                 Last lines of container {name}:\n{}\n\
                 Check the lines above, or raise {} on a slow machine",
                ready.service,
                ready.timeout.as_secs(),
                ready.url,
                tail_indented(&logs, 20),
                ready.timeout_field,
            ));
        }
        tokio::time::sleep(POLL_EVERY).await;
    };
    spinner.finish_and_clear();
    result
}
