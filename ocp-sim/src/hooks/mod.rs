//! Test hooks, reachable with the admin token under `/_sim/`: injected faults, an edit
//! by "another admin" right after a read, and the log of requests the API server saw.

pub(crate) mod endpoints;
pub(crate) mod faults;
