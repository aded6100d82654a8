//! Prometheus counters and histograms on plain atomics: fixed label sets, so the hot
//! path is one relaxed increment and there is no lock anywhere.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The route label. Unknown paths are all `other`, so a scanner cannot grow the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Index,
    Login,
    KeycloakCallback,
    CallOcpApi,
    OcpCallback,
    Logout,
    Health,
    Metrics,
    Other,
}

impl Route {
    pub const ALL: [Route; 9] = [
        Route::Index,
        Route::Login,
        Route::KeycloakCallback,
        Route::CallOcpApi,
        Route::OcpCallback,
        Route::Logout,
        Route::Health,
        Route::Metrics,
        Route::Other,
    ];

    pub fn from_path(path: &str) -> Route {
        match path {
            "/" => Route::Index,
            "/login" => Route::Login,
            "/callback/keycloak" => Route::KeycloakCallback,
            "/call-ocp-api" => Route::CallOcpApi,
            "/callback/ocp" => Route::OcpCallback,
            "/logout" => Route::Logout,
            "/health" => Route::Health,
            "/metrics" => Route::Metrics,
            _ => Route::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::Index => "/",
            Route::Login => "/login",
            Route::KeycloakCallback => "/callback/keycloak",
            Route::CallOcpApi => "/call-ocp-api",
            Route::OcpCallback => "/callback/ocp",
            Route::Logout => "/logout",
            Route::Health => "/health",
            Route::Metrics => "/metrics",
            Route::Other => "other",
        }
    }
}

/// The status codes this app answers with; anything else counts as `other`.
const STATUSES: [u16; 10] = [200, 302, 303, 400, 404, 405, 414, 500, 502, 503];
const N_STATUS: usize = STATUSES.len() + 1;

fn status_index(status: u16) -> usize {
    STATUSES
        .iter()
        .position(|s| *s == status)
        .unwrap_or(STATUSES.len())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    KeycloakDiscovery,
    KeycloakToken,
    KeycloakExchange,
    KeycloakJwks,
    OcpDiscovery,
    OcpToken,
    OcpApi,
}

impl Upstream {
    pub const ALL: [Upstream; 7] = [
        Upstream::KeycloakDiscovery,
        Upstream::KeycloakToken,
        Upstream::KeycloakExchange,
        Upstream::KeycloakJwks,
        Upstream::OcpDiscovery,
        Upstream::OcpToken,
        Upstream::OcpApi,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Upstream::KeycloakDiscovery => "keycloak_discovery",
            Upstream::KeycloakToken => "keycloak_token",
            Upstream::KeycloakExchange => "keycloak_exchange",
            Upstream::KeycloakJwks => "keycloak_jwks",
            Upstream::OcpDiscovery => "ocp_discovery",
            Upstream::OcpToken => "ocp_token",
            Upstream::OcpApi => "ocp_api",
        }
    }
}

/// `ok`: a 2xx answer; `http_error`: any other status; `network_error`: no answer
/// (connection, TLS, timeout) or an unreadable body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    HttpError,
    NetworkError,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::HttpError, Outcome::NetworkError];

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::HttpError => "http_error",
            Outcome::NetworkError => "network_error",
        }
    }
}

/// Upper bounds in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    /// Non-cumulative counts per bucket, plus one for +Inf.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[i].fetch_add(1, Relaxed);
        self.sum_micros
            .fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Relaxed);
        self.count.fetch_add(1, Relaxed);
    }
}

#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; N_STATUS]; Route::ALL.len()],
    upstream: [[AtomicU64; Outcome::ALL.len()]; Upstream::ALL.len()],
    latency: [Histogram; Upstream::ALL.len()],
    panics: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: Route, status: u16) {
        self.requests[route as usize][status_index(status)].fetch_add(1, Relaxed);
    }

    pub fn upstream(&self, upstream: Upstream, outcome: Outcome, elapsed: Duration) {
        self.upstream[upstream as usize][outcome as usize].fetch_add(1, Relaxed);
        self.latency[upstream as usize].observe(elapsed);
    }

    pub fn panic(&self) {
        self.panics.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, sessions: usize) -> String {
        let mut out = String::with_capacity(8192);
        out.push_str(
            "# HELP demo_app_http_requests_total HTTP requests by route and status code.\n",
        );
        out.push_str("# TYPE demo_app_http_requests_total counter\n");
        for route in Route::ALL {
            for (i, counter) in self.requests[route as usize].iter().enumerate() {
                let n = counter.load(Relaxed);
                // Only combinations that happened: 99 zero lines would be noise.
                if n == 0 {
                    continue;
                }
                let status = STATUSES
                    .get(i)
                    .map_or_else(|| "other".to_string(), u16::to_string);
                let _ = writeln!(
                    out,
                    "demo_app_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    route.label()
                );
            }
        }

        out.push_str("# HELP demo_app_upstream_requests_total Calls to Keycloak and OpenShift by upstream and outcome.\n");
        out.push_str("# TYPE demo_app_upstream_requests_total counter\n");
        for up in Upstream::ALL {
            for outcome in Outcome::ALL {
                let _ = writeln!(
                    out,
                    "demo_app_upstream_requests_total{{upstream=\"{}\",outcome=\"{}\"}} {}",
                    up.label(),
                    outcome.label(),
                    self.upstream[up as usize][outcome as usize].load(Relaxed)
                );
            }
        }

        out.push_str("# HELP demo_app_upstream_duration_seconds Latency of calls to Keycloak and OpenShift.\n");
        out.push_str("# TYPE demo_app_upstream_duration_seconds histogram\n");
        for up in Upstream::ALL {
            let h = &self.latency[up as usize];
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += h.buckets[i].load(Relaxed);
                let _ = writeln!(
                    out,
                    "demo_app_upstream_duration_seconds_bucket{{upstream=\"{}\",le=\"{bound}\"}} {cumulative}",
                    up.label()
                );
            }
            cumulative += h.buckets[BUCKETS.len()].load(Relaxed);
            let label = up.label();
            let _ = writeln!(
                out,
                "demo_app_upstream_duration_seconds_bucket{{upstream=\"{label}\",le=\"+Inf\"}} {cumulative}"
            );
            let sum = h.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "demo_app_upstream_duration_seconds_sum{{upstream=\"{label}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "demo_app_upstream_duration_seconds_count{{upstream=\"{label}\"}} {}",
                h.count.load(Relaxed)
            );
        }

        out.push_str("# HELP demo_app_sessions Server-side sessions held in memory.\n");
        out.push_str("# TYPE demo_app_sessions gauge\n");
        let _ = writeln!(out, "demo_app_sessions {sessions}");
        out.push_str("# HELP demo_app_handler_panics_total Requests whose handler panicked (answered 503).\n");
        out.push_str("# TYPE demo_app_handler_panics_total counter\n");
        let _ = writeln!(
            out,
            "demo_app_handler_panics_total {}",
            self.panics.load(Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.request(Route::Health, 200);
        m.request(Route::Health, 200);
        m.request(Route::Other, 404);
        m.request(Route::Index, 418);
        m.upstream(Upstream::OcpApi, Outcome::Ok, Duration::from_millis(30));
        let text = m.render(3);
        assert!(text.contains("demo_app_http_requests_total{route=\"/health\",status=\"200\"} 2"));
        assert!(text.contains("demo_app_http_requests_total{route=\"other\",status=\"404\"} 1"));
        assert!(text.contains("demo_app_http_requests_total{route=\"/\",status=\"other\"} 1"));
        assert!(
            text.contains(
                "demo_app_upstream_requests_total{upstream=\"ocp_api\",outcome=\"ok\"} 1"
            )
        );
        assert!(text.contains(
            "demo_app_upstream_duration_seconds_bucket{upstream=\"ocp_api\",le=\"0.025\"} 0"
        ));
        assert!(text.contains(
            "demo_app_upstream_duration_seconds_bucket{upstream=\"ocp_api\",le=\"0.05\"} 1"
        ));
        assert!(text.contains(
            "demo_app_upstream_duration_seconds_bucket{upstream=\"ocp_api\",le=\"+Inf\"} 1"
        ));
        assert!(text.contains("demo_app_upstream_duration_seconds_count{upstream=\"ocp_api\"} 1"));
        assert!(text.contains("demo_app_sessions 3"));
    }
}
