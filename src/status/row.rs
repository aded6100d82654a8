//! One row of `status`: a part of the chain, ✔ or ✖, why, and what to do.

use serde::Serialize;

use super::part::Part;

#[derive(Debug, Serialize)]
pub struct Row {
    pub part: Part,
    pub ok: bool,
    pub reason: String,
    /// What to run or fix, for a ✖.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}
