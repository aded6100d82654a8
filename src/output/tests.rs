use serde_json::json;

use super::*;
use crate::reconcile::{Gate, Kind, Outcome};

#[test]
fn exit_codes_follow_detailed_exitcode_and_health() {
    let plain = Output::default();
    let detailed = Output {
        detailed_exitcode: true,
        ..Output::default()
    };
    assert_eq!(plain.exit_for(true), ExitCode::from(0));
    assert_eq!(detailed.exit_for(false), ExitCode::from(0));
    assert_eq!(detailed.exit_for(true), ExitCode::from(2));
    assert_eq!(check_exit(true), ExitCode::from(0));
    assert_eq!(check_exit(false), ExitCode::from(2));
}

#[test]
fn a_report_document_has_the_documented_shape() {
    let mut report = Report::new(Gate::apply());
    report.found(
        Kind::User,
        "user-a",
        Outcome::Unchanged,
        vec!["email".into()],
    );
    let document = serde_json::to_value(ReportDocument::new("step2", &report)).unwrap();
    assert_eq!(
        document,
        json!({
            "command": "step2", "plan": false, "changed": false, "summary": "1 unchanged",
            "changes": [{"kind": "user", "name": "user-a", "outcome": "unchanged", "details": ["email"]}],
        })
    );
}
