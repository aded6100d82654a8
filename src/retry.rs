//! One retry policy for every remote call: bounded attempts with exponential backoff.

use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Backoff {
    /// For servers that may be restarting: about 10 s in all.
    pub const SERVER: Backoff = Backoff {
        attempts: 6,
        first_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(4),
    };

    /// For a server that answered before and went away mid-run, most likely restarting
    /// (Keycloak takes up to a minute on a small host): about 60 s in all.
    pub const RESTART: Backoff = Backoff {
        attempts: 17,
        first_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(5),
    };

    fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// What an attempt's error means for the next one.
pub enum Verdict<E> {
    Retry(E),
    Fail(E),
}

/// Runs `attempt` until it succeeds, fails for good, or the attempts run out (the last
/// error is returned).
pub async fn retry<T, E, F, Fut>(backoff: Backoff, mut attempt: F) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Verdict<E>>>,
{
    let mut n = 1;
    loop {
        match attempt(n).await {
            Ok(value) => return Ok(value),
            Err(Verdict::Fail(err)) => return Err(err),
            Err(Verdict::Retry(err)) if n >= backoff.attempts => return Err(err),
            Err(Verdict::Retry(_)) => {
                tokio::time::sleep(backoff.delay(n)).await;
                n += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Backoff = Backoff {
        attempts: 4,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
    };

    #[tokio::test]
    async fn retries_until_success_or_the_limit() {
        let ok: Result<u32, &str> = retry(FAST, |n| async move {
            if n < 3 {
                Err(Verdict::Retry("again"))
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(ok, Ok(3));

        let mut calls = 0;
        let exhausted: Result<(), String> = retry(FAST, |n| {
            calls += 1;
            async move { Err(Verdict::Retry(format!("attempt {n}"))) }
        })
        .await;
        assert_eq!(exhausted, Err("attempt 4".to_string()));
        assert_eq!(calls, 4);

        let fatal: Result<(), &str> = retry(FAST, |_| async { Err(Verdict::Fail("no")) }).await;
        assert_eq!(fatal, Err("no"));
    }

    /// The longest a policy waits in all before giving up.
    fn budget(backoff: Backoff) -> Duration {
        (1..backoff.attempts).map(|n| backoff.delay(n)).sum()
    }

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(Backoff::SERVER.delay(1), Duration::from_millis(250));
        assert_eq!(Backoff::SERVER.delay(2), Duration::from_millis(500));
        assert_eq!(Backoff::SERVER.delay(6), Duration::from_secs(4));
        assert_eq!(budget(Backoff::SERVER), Duration::from_millis(7750));
        let restart = budget(Backoff::RESTART).as_secs();
        assert!((55..=70).contains(&restart), "{restart}");
    }
}
