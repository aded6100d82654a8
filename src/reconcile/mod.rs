//! The vocabulary every step shares: desired state is compared with live state, the
//! smallest change is applied, and each object is reported with its outcome.

mod diff;
mod report;

pub use diff::{FieldChange, diff_subset, diff_subset_unordered};
pub use report::{Change, Outcome, Report};
