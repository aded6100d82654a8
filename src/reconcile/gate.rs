//! The write gate's switch: the one value that knows whether this run applies changes or
//! only plans them (`--dry-run`, and `status`, which is a plan of every step). Writes pass
//! it through [`Report::apply`](super::Report::apply) and its siblings (apply.rs); no other
//! code branches on the mode.

use std::future::Future;

use anyhow::Result;
use serde::Serialize;

/// Whether writes happen. Made once per command (context.rs) and carried by every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gate {
    dry_run: bool,
}

impl Gate {
    /// Changes are applied.
    pub fn apply() -> Gate {
        Gate { dry_run: false }
    }

    /// Changes are only planned: `--dry-run` and `status`.
    pub fn plan() -> Gate {
        Gate { dry_run: true }
    }

    /// The gate for a command run with or without `--dry-run`.
    pub fn for_command(dry_run: bool) -> Gate {
        Gate { dry_run }
    }

    pub fn plans(self) -> bool {
        self.dry_run
    }

    /// A prerequisite an earlier step makes (the CA, say) is missing. A plan goes on with
    /// `planned` standing in for it (whatever uses it is new as well); a real run stops
    /// with `missing`, which says what to run first.
    pub fn stand_in<T>(self, planned: T, missing: anyhow::Error) -> Result<T> {
        if self.dry_run {
            Ok(planned)
        } else {
            Err(missing)
        }
    }

    /// The words for what a write did, or in a plan would do.
    pub fn tense(self, applied: &'static str, planned: &'static str) -> &'static str {
        if self.dry_run { planned } else { applied }
    }

    /// Work that only makes sense after real writes (compiling, pulling, waiting for a
    /// started container to answer): run it when applying; `None` in a plan.
    pub async fn unless_planning<T, E>(
        self,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<Option<T>, E> {
        if self.dry_run {
            Ok(None)
        } else {
            work.await.map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;

    async fn forbidden() -> anyhow::Result<u8> {
        panic!("a plan ran real work")
    }

    #[tokio::test]
    async fn a_plan_runs_no_work_and_stands_in_for_what_is_missing() {
        let waited = Gate::plan().unless_planning(forbidden()).await.unwrap();
        assert_eq!(waited, None);
        assert_eq!(
            Gate::plan()
                .stand_in(1, anyhow::anyhow!("run step1"))
                .unwrap(),
            1
        );
        assert!(
            Gate::apply()
                .stand_in(1, anyhow::anyhow!("run step1"))
                .is_err()
        );
        let ran = Gate::apply()
            .unless_planning(async { anyhow::Ok(2) })
            .await
            .unwrap();
        assert_eq!(ran, Some(2));
    }
}
