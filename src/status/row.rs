//! One row of `status`: a part of the chain, ✔ or ✖, why, and what to do.

use serde::Serialize;

use super::part::Part;

#[derive(Debug, Serialize)]
pub struct Row {
    pub part: Part,
    /// Not broken: as configured, or on its way there (`rolling_out`).
    pub ok: bool,
    /// The cluster has taken the change and is still applying it (the authentication
    /// operator's rollout): neither done nor broken.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rolling_out: bool,
    pub reason: String,
    /// What to run or fix, for a ✖.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}
