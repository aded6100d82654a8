//! Test hooks: injected failures, an edit by "another admin" right after a read, and
//! request counters, so tests can provoke what a busy real cluster does now and then.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::apiserver::status::{ApiError, GroupResource};

/// One injected failure: the next `count` requests matching method and path prefix fail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    /// HTTP method to match; any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    pub path_prefix: String,
    /// Status code to answer with (ignored when `close_connection`).
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default = "one")]
    pub count: u32,
    /// Drop the connection without any response instead.
    #[serde(default)]
    pub close_connection: bool,
    #[serde(default)]
    pub message: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize)]
pub struct MutateAfterRead {
    pub path: String,
    pub merge_patch: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
}

const LOG_LIMIT: usize = 2000;

#[derive(Default)]
pub struct Hooks {
    faults: Vec<Fault>,
    mutations: Vec<MutateAfterRead>,
    counts: BTreeMap<String, u64>,
    log: VecDeque<LoggedRequest>,
}

impl Hooks {
    pub fn add_fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
        self.mutations.clear();
    }

    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    pub fn add_mutation(&mut self, m: MutateAfterRead) {
        self.mutations.push(m);
    }

    pub fn count(&mut self, method: &str) {
        *self.counts.entry(method.to_string()).or_default() += 1;
    }

    pub fn log(&mut self, method: &str, path: &str, status: u16) {
        if self.log.len() >= LOG_LIMIT {
            self.log.pop_front();
        }
        self.log.push_back(LoggedRequest {
            method: method.to_string(),
            path: path.to_string(),
            status,
        });
    }

    pub fn reset_counts(&mut self) {
        self.counts.clear();
        self.log.clear();
    }

    pub fn report(&self) -> Value {
        let total: u64 = self.counts.values().sum();
        json!({"counts": self.counts, "total": total, "requests": self.log})
    }

    /// Consumes one use of the first fault matching this request.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|f| {
            f.count > 0
                && path.starts_with(&f.path_prefix)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = &mut self.faults[index];
        fault.count -= 1;
        let taken = fault.clone();
        if fault.count == 0 {
            self.faults.remove(index);
        }
        Some(taken)
    }

    pub fn take_mutation(&mut self, path: &str) -> Option<Value> {
        let index = self.mutations.iter().position(|m| m.path == path)?;
        Some(self.mutations.remove(index).merge_patch)
    }
}

/// The Status an injected fault answers with. `target` names the object the path
/// addresses, so a 409 reads exactly like a real optimistic-concurrency conflict.
pub fn error_for(fault: &Fault, target: Option<(GroupResource, String)>) -> ApiError {
    let code = fault.status.unwrap_or(500);
    if let Some(message) = &fault.message {
        return ApiError::for_code(code, message);
    }
    match (code, target) {
        (409, Some((gr, name))) => ApiError::modified(&gr, &name),
        (404, Some((gr, name))) => ApiError::not_found(&gr, &name),
        (500, _) => ApiError::internal("injected fault"),
        (503, _) => ApiError::for_code(503, "the server is currently unable to handle the request"),
        (429, _) => ApiError::for_code(429, "too many requests, please try again later"),
        (code, _) => ApiError::for_code(code, "injected fault"),
    }
}
