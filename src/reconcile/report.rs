//! Outcomes of a reconcile and how they are shown.

use std::fmt::Write as _;

use serde::Serialize;

use super::gate::Gate;
use super::kind::Kind;

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
    fn label(self, plan: bool) -> &'static str {
        match (self, plan) {
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
    pub kind: Kind,
    pub name: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// What one run did (or, through a planning gate, would do), object by object. Writes
/// are recorded only through [`Report::apply`] (gate.rs), which also performs them.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub(super) gate: Gate,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn new(gate: Gate) -> Self {
        Report {
            gate,
            changes: Vec::new(),
        }
    }

    /// The gate this report's writes pass (for the reports of a step's parts).
    pub fn gate(&self) -> Gate {
        self.gate
    }

    /// Whether this report plans instead of applying, for wording only.
    pub fn is_plan(&self) -> bool {
        self.gate.plans()
    }

    /// An object found as it should be, or (asked to delete) not there: nothing to write.
    pub fn found(
        &mut self,
        kind: Kind,
        name: impl Into<String>,
        outcome: Outcome,
        details: Vec<String>,
    ) {
        debug_assert!(!outcome.is_write(), "writes are recorded by Report::apply");
        self.push(kind, name.into(), outcome, details);
    }

    pub(super) fn push(
        &mut self,
        kind: Kind,
        name: String,
        outcome: Outcome,
        details: Vec<String>,
    ) {
        self.changes.push(Change {
            kind,
            name,
            outcome,
            details,
        });
    }

    /// Moves another report's changes to the end of this one.
    pub fn append(&mut self, other: Report) {
        self.changes.extend(other.changes);
    }

    /// The changes of these kinds.
    pub fn of_kinds<'a>(&'a self, kinds: &'a [Kind]) -> impl Iterator<Item = &'a Change> + 'a {
        self.changes.iter().filter(|c| kinds.contains(&c.kind))
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
            (n > 0).then(|| format!("{n} {}", outcome.label(self.is_plan())))
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
            .map(|c| c.outcome.label(self.is_plan()).len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for change in &self.changes {
            let _ = writeln!(
                out,
                "  {} {:width$}  {}/{}",
                change.outcome.mark(),
                change.outcome.label(self.is_plan()),
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
        let mut report = Report::new(Gate::apply());
        report.push(Kind::Container, "keycloak".into(), Outcome::Created, vec![]);
        report.push(
            Kind::Client,
            "ocp-oauth".into(),
            Outcome::Updated,
            vec!["attributes.x: \"a\" -> \"b\"".into()],
        );
        report.found(Kind::User, "user-a", Outcome::Unchanged, vec![]);
        assert_eq!(report.summary(), "1 created, 1 updated, 1 unchanged");
        let text = report.render();
        assert!(text.contains("+ created    container/keycloak"), "{text}");
        assert!(text.contains("      attributes.x"), "{text}");
        assert!(report.wrote_anything());

        let mut plan = Report::new(Gate::plan());
        plan.push(Kind::Realm, "demo".into(), Outcome::Created, vec![]);
        assert_eq!(plan.summary(), "1 would create");
        assert!(plan.render().contains("would create  realm/demo"));
    }
}
