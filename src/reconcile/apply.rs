//! The write gate's door: every write of every step (Keycloak's admin API, the cluster,
//! the container engine, image builds, the state files a step makes) is handed to
//! [`Report::apply`] (or [`Report::apply_delete`], or [`Report::converge`], which call it)
//! as a closure, together with the outcome it brings about. In a plan the outcome is
//! recorded and the closure is dropped without being called, so a plan cannot write by
//! construction.

use std::future::Future;

use anyhow::{Result, bail};

use super::kind::Kind;
use super::report::{Outcome, Report};

impl Report {
    /// Records that `kind/name` is (or, in a plan, would be) brought about by `write`, and
    /// performs the write unless planning. Returns the write's result, `None` in a plan.
    /// A failed write records nothing, so the report never claims what did not happen.
    pub async fn apply<T, E, W, Fut>(
        &mut self,
        kind: Kind,
        name: impl Into<String>,
        outcome: Outcome,
        details: Vec<String>,
        write: W,
    ) -> Result<Option<T>, E>
    where
        W: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        debug_assert!(
            outcome.is_write(),
            "Report::found records what needs no write"
        );
        let done = self.gate.unless_planning(async { write().await }).await?;
        self.push(kind, name.into(), outcome, details);
        Ok(done)
    }

    /// Deletes `kind/name` unless planning. `delete` says whether the object was still
    /// there; one that went before we got to it is reported absent, not deleted.
    pub async fn apply_delete<E, W, Fut>(
        &mut self,
        kind: Kind,
        name: impl Into<String>,
        delete: W,
    ) -> Result<(), E>
    where
        W: FnOnce() -> Fut,
        Fut: Future<Output = Result<bool, E>>,
    {
        let existed = self.gate.unless_planning(async { delete().await }).await?;
        let outcome = match existed {
            Some(false) => Outcome::Absent,
            _ => Outcome::Deleted,
        };
        self.push(kind, name.into(), outcome, vec![]);
        Ok(())
    }

    /// An object its parent's own request created (a client in a new realm's
    /// representation): created, with no write of its own. Only after that request wrote.
    pub fn created_with_parent(&mut self, kind: Kind, name: impl Into<String>) {
        self.push(kind, name.into(), Outcome::Created, vec![]);
    }

    /// An object inside a parent that a plan creates (a client of a realm that does not
    /// exist yet): it cannot be read, so it is new. Only a plan can say this.
    pub fn planned_inside_new_parent(&mut self, kind: Kind, name: impl Into<String>) -> Result<()> {
        if !self.gate.plans() {
            bail!(
                "{kind}/{}: planned without a write outside a dry run",
                name.into()
            );
        }
        self.push(kind, name.into(), Outcome::Created, vec![]);
        Ok(())
    }

    /// The shape of every reconcile: nothing live → `create`; live but different → `update`,
    /// with the differences as details; else unchanged. Returns the outcome and the write's
    /// result (`None` when nothing was written: unchanged, or a plan).
    pub async fn converge<T, E, C, CF, U, UF>(
        &mut self,
        kind: Kind,
        name: impl Into<String>,
        live: Live,
        create: C,
        update: U,
    ) -> Result<(Outcome, Option<T>), E>
    where
        C: FnOnce() -> CF,
        CF: Future<Output = Result<T, E>>,
        U: FnOnce() -> UF,
        UF: Future<Output = Result<T, E>>,
    {
        match live {
            Live::Absent => {
                let done = self
                    .apply(kind, name, Outcome::Created, vec![], create)
                    .await?;
                Ok((Outcome::Created, done))
            }
            Live::Differs(details) => self.update_if_differs(kind, name, details, update).await,
        }
    }

    /// An object that exists: `update` when `differences` is not empty, else unchanged.
    pub async fn update_if_differs<T, E, U, UF>(
        &mut self,
        kind: Kind,
        name: impl Into<String>,
        differences: Vec<String>,
        update: U,
    ) -> Result<(Outcome, Option<T>), E>
    where
        U: FnOnce() -> UF,
        UF: Future<Output = Result<T, E>>,
    {
        if differences.is_empty() {
            self.found(kind, name, Outcome::Unchanged, vec![]);
            return Ok((Outcome::Unchanged, None));
        }
        let done = self
            .apply(kind, name, Outcome::Updated, differences, update)
            .await?;
        Ok((Outcome::Updated, done))
    }

    /// One object written in several requests (a client's settings and each of its
    /// mappers): the parts went through the gate on `parts`; here they become one line,
    /// updated when any part was written, listing every part's details.
    pub fn absorb(&mut self, kind: Kind, name: impl Into<String>, parts: Report) {
        let outcome = if parts.wrote_anything() {
            Outcome::Updated
        } else {
            Outcome::Unchanged
        };
        let details = parts.changes.into_iter().flat_map(|c| c.details).collect();
        self.push(kind, name.into(), outcome, details);
    }
}

/// What reading the live object found, compared with the desired one.
pub enum Live {
    Absent,
    /// Present; the differences that matter (field paths, never secret values), empty
    /// when it is as desired.
    Differs(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::gate::Gate;

    /// A write that fails the test if anything calls it.
    async fn forbidden() -> Result<()> {
        panic!("a plan reached a write")
    }

    #[tokio::test]
    async fn a_plan_records_the_outcome_and_never_calls_the_write() {
        let mut plan = Report::new(Gate::plan());
        let done = plan
            .apply(Kind::Realm, "demo", Outcome::Created, vec![], || {
                forbidden()
            })
            .await
            .unwrap();
        assert_eq!(done, None);
        assert_eq!(plan.summary(), "1 would create");
        plan.apply_delete(Kind::Image, "app", || async {
            forbidden().await.map(|()| true)
        })
        .await
        .unwrap();
        assert_eq!(plan.summary(), "1 would create, 1 would delete");
    }

    #[tokio::test]
    async fn applying_writes_once_and_a_failed_write_records_nothing() {
        let mut report = Report::new(Gate::apply());
        let calls = std::cell::Cell::new(0);
        let done = report
            .apply(Kind::Client, "app", Outcome::Updated, vec![], || async {
                calls.set(calls.get() + 1);
                anyhow::Ok(7)
            })
            .await
            .unwrap();
        assert_eq!((done, calls.get()), (Some(7), 1));
        let failed = report
            .apply(Kind::User, "user-a", Outcome::Created, vec![], || async {
                Err::<(), _>(anyhow::anyhow!("refused"))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(report.summary(), "1 updated");
    }

    #[test]
    fn only_a_plan_may_plan_inside_a_new_parent() {
        let mut plan = Report::new(Gate::plan());
        plan.planned_inside_new_parent(Kind::Client, "app").unwrap();
        let mut real = Report::new(Gate::apply());
        assert!(real.planned_inside_new_parent(Kind::Client, "app").is_err());
        assert!(real.changes.is_empty());
        assert!(
            Gate::apply()
                .stand_in(1, anyhow::anyhow!("run step1"))
                .is_err()
        );
    }
}
