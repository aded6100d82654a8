//! Outcomes of a reconcile and how they are shown.

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Deleted,
    /// Asked to delete something that was not there.
    Absent,
}

impl Outcome {
    fn label(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (Outcome::Created, false) => "created",
            (Outcome::Created, true) => "would create",
            (Outcome::Updated, false) => "updated",
            (Outcome::Updated, true) => "would update",
            (Outcome::Deleted, false) => "deleted",
            (Outcome::Deleted, true) => "would delete",
            (Outcome::Unchanged, _) => "unchanged",
            (Outcome::Absent, _) => "absent",
        }
    }

    fn mark(self) -> char {
        match self {
            Outcome::Created => '+',
            Outcome::Updated => '~',
            Outcome::Deleted => '-',
            Outcome::Unchanged | Outcome::Absent => '=',
        }
    }

    pub fn is_write(self) -> bool {
        matches!(self, Outcome::Created | Outcome::Updated | Outcome::Deleted)
    }
}

/// One object's outcome; `details` says what differed (field names, never secret values).
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: String,
    pub name: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn new(dry_run: bool) -> Self {
        Report {
            dry_run,
            changes: Vec::new(),
        }
    }

    pub fn record(
        &mut self,
        kind: &str,
        name: impl Into<String>,
        outcome: Outcome,
        details: Vec<String>,
    ) {
        self.changes.push(Change {
            kind: kind.to_string(),
            name: name.into(),
            outcome,
            details,
        });
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.changes.iter().filter(|c| c.outcome == outcome).count()
    }

    pub fn wrote_anything(&self) -> bool {
        self.changes.iter().any(|c| c.outcome.is_write())
    }

    /// `3 created, 1 updated, 5 unchanged`, leaving out zero counts.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            Outcome::Created,
            Outcome::Updated,
            Outcome::Unchanged,
            Outcome::Deleted,
            Outcome::Absent,
        ]
        .into_iter()
        .filter_map(|outcome| {
            let n = self.count(outcome);
            (n > 0).then(|| format!("{n} {}", outcome.label(self.dry_run)))
        })
        .collect();
        if parts.is_empty() {
            "nothing to do".into()
        } else {
            parts.join(", ")
        }
    }

    /// One aligned line per object, details indented below.
    pub fn render(&self) -> String {
        let width = self
            .changes
            .iter()
            .map(|c| c.outcome.label(self.dry_run).len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for change in &self.changes {
            let _ = writeln!(
                out,
                "  {} {:width$}  {}/{}",
                change.outcome.mark(),
                change.outcome.label(self.dry_run),
                change.kind,
                change.name,
            );
            for detail in &change.details {
                let _ = writeln!(out, "      {detail}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_and_summary_speak_the_same_vocabulary() {
        let mut report = Report::new(false);
        report.record("container", "keycloak", Outcome::Created, vec![]);
        report.record(
            "client",
            "ocp-oauth",
            Outcome::Updated,
            vec!["attributes.x: \"a\" -> \"b\"".into()],
        );
        report.record("user", "user-a", Outcome::Unchanged, vec![]);
        assert_eq!(report.summary(), "1 created, 1 updated, 1 unchanged");
        let text = report.render();
        assert!(text.contains("+ created    container/keycloak"), "{text}");
        assert!(text.contains("      attributes.x"), "{text}");
        assert!(report.wrote_anything());

        let mut plan = Report::new(true);
        plan.record("realm", "demo", Outcome::Created, vec![]);
        assert_eq!(plan.summary(), "1 would create");
        assert!(plan.render().contains("would create  realm/demo"));
    }
}
