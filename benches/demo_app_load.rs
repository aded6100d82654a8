//! Load on the demo app over loopback: `/health` and the signed-out page.
//!
//! `cargo bench --bench demo_app_load` builds the release app, starts it as its own
//! process (so its memory is its own), and drives it from a single-threaded load generator
//! with keep-alive connections (no pipelining), several rounds per path. Prints the median
//! requests/s and the app's resident memory under load (VmRSS sampled, VmHWM peak).
//! Targets (issue 5): >= 20,000 requests/s, <= 30 MB resident. BENCH_QUICK=1: 3 rounds of
//! 2 s instead of 5 of 4 s. Writes its section of BENCHMARKS.md to
//! target/bench-report/demo_app_load.md.

mod support;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::report::{self, Figure, Report, Target, Unit};

const CONNECTIONS: usize = 64;

/// The app's process, killed when dropped, so a failed run leaves nothing running.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let rounds = report::runs(5, 3);
    let round = Duration::from_secs(report::runs(4, 2) as u64);
    let binary = support::build::release_binary("demo-app");
    let port = free_port();
    let app = App(start_app(&binary, port));
    let pid = app.0.id();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_until_up(addr);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let paths = [
        ("`/health`", "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"),
        (
            "`/` signed out, English",
            "GET / HTTP/1.1\r\nHost: bench\r\nAccept-Language: en\r\n\r\n",
        ),
        (
            "`/` signed out, zh-TW",
            "GET / HTTP/1.1\r\nHost: bench\r\nAccept-Language: zh-TW,zh;q=0.9\r\n\r\n",
        ),
    ];
    let mut rates = Vec::new();
    let mut rss_under_load = Vec::new();
    for (label, request) in paths {
        let mut path_rates = Vec::new();
        let mut rss_peak_during = 0.0f64;
        for _ in 0..rounds {
            let sampler = RssSampler::start(pid);
            let rate = runtime.block_on(load(addr, request.as_bytes(), round));
            rss_peak_during = rss_peak_during.max(sampler.stop());
            path_rates.push(rate);
        }
        println!("{label}: {path_rates:.0?} req/s, VmRSS up to {rss_peak_during:.1} MB");
        rates.push(path_rates);
        rss_under_load.push(rss_peak_during);
    }
    let peak = [status_field(pid, "VmHWM:").unwrap_or(f64::NAN)];
    drop(app);

    let mut report = Report::new("demo_app_load", "The demo app under load");
    report.text(&format!(
        "The release app as its own process on loopback (placeholder upstreams: these paths \
         never call them), driven by a single-threaded Rust load generator in the same \
         benchmark with {CONNECTIONS} keep-alive connections (no pipelining), {rounds} rounds \
         of {} s per path; generator and app share the {cores} cores. Resident memory is the \
         app's VmRSS sampled every 50 ms under load; the peak is the kernel's VmHWM over the \
         whole run.",
        round.as_secs()
    ));
    let throughput_target = || Target::at_least(20_000.0, "20,000 req/s");
    let mut figures: Vec<Figure> = paths
        .iter()
        .zip(&rates)
        .map(|((label, _), runs)| {
            Figure::new(label, runs, Unit::PerSec)
                .target(throughput_target())
                .headline(&format!("demo app throughput, {label}"))
        })
        .collect();
    figures.push(
        Figure::new(
            "VmRSS under load, highest sample per path",
            &rss_under_load,
            Unit::Mb,
        )
        .note("runs: one per path, in the order above".into()),
    );
    figures.push(
        Figure::new("peak resident memory over the run (VmHWM)", &peak, Unit::Mb)
            .target(Target::at_most(30.0, "30 MB"))
            .headline("demo app peak resident memory"),
    );
    report.figures(&figures);
    report.text(
        "The signed-out pages are rendered once per language at start; the signed-out `/` \
         creates no session.",
    );
    report.finish();
}

/// Requests/s over one round: every connection sends, reads the whole response, repeats.
async fn load(addr: SocketAddr, request: &'static [u8], round: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let done = done.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).ok();
            let mut buffer = vec![0u8; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                stream.write_all(request).await.expect("send");
                read_response(&mut stream, &mut buffer).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(round).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("connection task");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// Reads one response (headers plus Content-Length body); panics on anything but 200.
async fn read_response(stream: &mut TcpStream, buffer: &mut [u8]) {
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buffer[filled..]).await.expect("read");
        assert!(n > 0, "the app closed the connection");
        filled += n;
        let Some(head_end) = find(&buffer[..filled], b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buffer[..head_end]).expect("ASCII headers");
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "unexpected answer: {head}"
        );
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("a Content-Length");
        let total = head_end + 4 + length;
        while filled < total {
            let n = stream.read(&mut buffer[filled..]).await.expect("read body");
            assert!(n > 0, "the app closed the connection mid-body");
            filled += n;
        }
        return;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Samples the app's VmRSS every 50 ms on a thread; `stop` returns the highest in MB.
struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<f64>,
}

impl RssSampler {
    fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0.0f64;
            while !flag.load(Ordering::Relaxed) {
                peak = peak.max(status_field(pid, "VmRSS:").unwrap_or(0.0));
                std::thread::sleep(Duration::from_millis(50));
            }
            peak
        });
        RssSampler { stop, thread }
    }

    fn stop(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0.0)
    }
}

/// A `kB` field of /proc/<pid>/status, in MB.
fn status_field(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The app with placeholder upstreams: the paths measured never call them.
fn start_app(binary: &Path, port: u16) -> Child {
    let unreachable = "https://127.0.0.1:9";
    Command::new(binary)
        .envs([
            ("PORT", port.to_string()),
            ("BIND_ADDRESS", "127.0.0.1".to_string()),
            ("KC_BASE_URL", unreachable.to_string()),
            ("KC_CLIENT_SECRET", "bench-only".to_string()),
            ("KC_OCP_CLIENT_SECRET", "bench-only".to_string()),
            ("OCP_API_URL", unreachable.to_string()),
            ("OCP_OAUTH_URL", unreachable.to_string()),
            ("OCP_OAUTH_CLIENT_SECRET", "bench-only".to_string()),
            (
                "FLASK_SECRET_KEY",
                "bench-only-session-key-0123456789".to_string(),
            ),
            ("APP_EXTERNAL_URL", format!("http://127.0.0.1:{port}")),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo app")
}

fn wait_until_up(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            let _ =
                s.write_all(b"GET /health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the demo app did not listen on {addr} within 10 s");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
