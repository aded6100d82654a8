//! The realm itself: created when missing, its managed settings put back when they drift.

use anyhow::Result;
use serde_json::Value;

use super::admin::AdminClient;
use crate::reconcile::{Outcome, Report, diff_subset};

pub async fn reconcile(admin: &AdminClient, desired: &Value, report: &mut Report) -> Result<()> {
    let name = desired["realm"].as_str().unwrap_or_default().to_string();
    let what = format!("realm {name}");
    let path = format!("/{name}");
    match admin.get(&path, &what).await? {
        None => {
            if !report.dry_run {
                admin.post("", desired, &what).await?;
            }
            report.record("realm", name, Outcome::Created, vec![]);
        }
        Some(live) => {
            let changes = diff_subset(desired, &live);
            if changes.is_empty() {
                report.record("realm", name, Outcome::Unchanged, vec![]);
            } else {
                if !report.dry_run {
                    admin.put(&path, desired, &what).await?;
                }
                let details = changes.iter().map(|c| c.describe(&[])).collect();
                report.record("realm", name, Outcome::Updated, details);
            }
        }
    }
    Ok(())
}
