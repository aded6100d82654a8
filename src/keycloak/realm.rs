//! The realm itself: created when missing, its managed settings put back when they drift.

use anyhow::Result;
use serde_json::Value;

use super::admin::AdminClient;
use crate::reconcile::{Kind, Live, Outcome, Report, diff_subset};

/// Whether the realm can be read after this: `false` when a plan would create it.
pub async fn reconcile(admin: &AdminClient, desired: &Value, report: &mut Report) -> Result<bool> {
    let name = desired["realm"].as_str().unwrap_or_default().to_string();
    let what = format!("realm {name}");
    let path = format!("/{name}");
    let live = match admin.get(&path, &what).await? {
        None => Live::Absent,
        Some(live) => Live::Differs(
            diff_subset(desired, &live)
                .iter()
                .map(|c| c.describe(&[]))
                .collect(),
        ),
    };
    let (outcome, written) = report
        .converge(
            Kind::Realm,
            name,
            live,
            || async { admin.post("", desired, &what).await.map(drop) },
            || admin.put(&path, desired, &what),
        )
        .await?;
    Ok(outcome != Outcome::Created || written.is_some())
}
