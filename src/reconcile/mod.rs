//! The vocabulary every step shares: desired state is compared with live state, the
//! smallest change is applied through the one write gate, and each object is reported
//! with its outcome.

mod apply;
mod diff;
mod gate;
mod kind;
mod report;

pub use apply::Live;
pub use diff::{FieldChange, diff_subset, diff_subset_unordered};
pub use gate::Gate;
pub use kind::Kind;
pub use report::{Change, Outcome, Report};
