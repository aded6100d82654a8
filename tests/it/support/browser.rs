//! A real headless Chromium for tests, driven through chromedriver by a minimal W3C
//! WebDriver client (blocking HTTP + JSON). Debian packages: `chromium`, `chromium-driver`
//! and `libnss3-tools` (for `certutil`); scripts/sandbox-kit.sh installs them.
//!
//! Each [`Browser`] has its own chromedriver on a free loopback port and its own temporary
//! HOME, profile and TMPDIR, so tests can run browsers side by side. TLS is verified
//! as usual: the CAs passed to [`Browser::start`] are added to the NSS database in that
//! HOME (`$HOME/.pki/nssdb`), which is where Chromium on Linux reads locally trusted
//! roots. Nothing else is trusted beyond Chromium's own root store; certificate errors
//! are never ignored.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CERTUTIL: &str = "certutil";
/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const DRIVER_READY_TIMEOUT: Duration = Duration::from_secs(15);
/// Bounds every single WebDriver call (page loads are bounded lower, by the session).
const HTTP_TIMEOUT: Duration = Duration::from_secs(90);
const PAGE_LOAD_TIMEOUT_MS: u64 = 30_000;
const POLL: Duration = Duration::from_millis(100);

/// A WebDriver error: the HTTP status and the `error`/`message` the driver returned, or
/// a transport failure (status 0).
#[derive(Debug)]
pub struct WebDriverError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Chromedriver appends a native stack trace to some messages: first line only.
        let first = self.message.lines().next().unwrap_or_default();
        write!(f, "{} ({}): {first}", self.error, self.status)
    }
}

/// A headless Chromium session. Dropping it (also when a test panics) ends the session,
/// kills chromedriver and every Chromium process and removes the temporary directories.
/// Keep browsers in locals, not statics: statics are never dropped.
pub struct Browser {
    http: reqwest::blocking::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    driver: Child,
    log: PathBuf,
    dir: tempfile::TempDir,
}

/// An element of the current page, as found by CSS selector.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
    css: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium that trusts `trusted_ca_pems` (PEM
    /// certificates) in addition to its built-in roots. Panics with the reason (and the
    /// tail of the driver's log) when it cannot.
    pub fn start(trusted_ca_pems: &[&str]) -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install the Debian package {package} (scripts/sandbox-kit.sh does)"
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("bridgectl-browser-")
            .tempdir()
            .expect("temp dir for the browser");
        let home = dir.path().join("home");
        let profile = dir.path().join("profile");
        let tmp = dir.path().join("tmp");
        for d in [&home, &profile, &tmp] {
            std::fs::create_dir_all(d).expect("browser temp dirs");
        }
        trust_cas(&home, &dir.path().join("cas"), trusted_ca_pems);

        let log = dir.path().join("chromedriver.log");
        let http = reqwest::blocking::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .no_proxy()
            .build()
            .expect("HTTP client for chromedriver");
        // The port is free when picked but may be taken before chromedriver binds it
        // (another test): then chromedriver exits and we try another.
        let mut attempts = 0;
        let (driver, base) = loop {
            attempts += 1;
            let port = super::free_port();
            let mut driver = spawn_driver(port, &home, &tmp, &log);
            let base = format!("http://127.0.0.1:{port}");
            match wait_ready(&http, &base, &mut driver) {
                Ok(()) => break (driver, base),
                Err(reason) => {
                    kill_tree(&mut driver);
                    if attempts >= 3 {
                        panic!(
                            "chromedriver did not become ready: {reason}\n--- {}:\n{}",
                            keep_log(&log).display(),
                            tail(&log)
                        );
                    }
                }
            }
        };

        let args = [
            "--headless=new",
            "--no-sandbox", // Chromium runs as root here
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-proxy-server",
            // No internet: keep Chromium from trying to reach Google's services.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,1024",
        ];
        let capabilities = json!({
            "capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "acceptInsecureCerts": false,
                "pageLoadStrategy": "normal",
                "timeouts": {"implicit": 0, "pageLoad": PAGE_LOAD_TIMEOUT_MS, "script": 10_000},
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            }}
        });
        let mut browser = Browser {
            http,
            session: String::new(),
            driver,
            log,
            dir,
        };
        match browser.call("POST", &format!("{base}/session"), Some(capabilities)) {
            Ok(value) => match value["sessionId"].as_str() {
                Some(id) => browser.session = format!("{base}/session/{id}"),
                None => panic!("chromedriver answered without a session id: {value}"),
            },
            Err(e) => panic!(
                "Chromium did not start: {e}\n--- {}:\n{}",
                keep_log(&browser.log).display(),
                tail(&browser.log)
            ),
        }
        browser
    }

    /// Opens `url` and waits for the page to load. Panics on a WebDriver error, such as
    /// a refused connection. (A certificate error is not one: Chromium shows its warning
    /// page instead, which [`Browser::page_text`] returns.)
    #[track_caller]
    pub fn goto(&self, url: &str) {
        if let Err(e) = self.try_goto(url) {
            panic!("cannot open {url}: {e}");
        }
    }

    pub fn try_goto(&self, url: &str) -> Result<(), WebDriverError> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    pub fn current_url(&self) -> String {
        self.expect("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's visible text (`document.body.innerText`).
    pub fn page_text(&self) -> String {
        self.try_page_text()
            .unwrap_or_else(|e| panic!("page text: {e}"))
    }

    pub fn page_source(&self) -> String {
        self.expect("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        self.expect(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The first element matching `css`, polling until it appears. On timeout, panics
    /// with the current URL and an excerpt of the page (and saves a screenshot).
    #[track_caller]
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Element<'_> {
        self.poll(&format!("no element matches {css:?}"), timeout, || {
            Ok(self.try_find_all(css)?.into_iter().next())
        })
    }

    /// Polls until the page's visible text contains `needle`; returns the text. On
    /// timeout, panics like [`Browser::wait_for`].
    #[track_caller]
    pub fn wait_for_text(&self, needle: &str, timeout: Duration) -> String {
        self.poll(
            &format!("the page never showed {needle:?}"),
            timeout,
            || Ok(Some(self.try_page_text()?).filter(|t| t.contains(needle))),
        )
    }

    /// Every element matching `css` now (no waiting).
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        self.try_find_all(css)
            .unwrap_or_else(|e| panic!("find {css:?}: {e}"))
    }

    /// Writes a PNG of the viewport to `path` (creating its directory).
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let data = self.expect("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("screenshot directory");
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    /// The cookies visible to the current page, as WebDriver returns them
    /// (`name`, `value`, `domain`, `path`, `httpOnly`, `secure`, ...).
    pub fn cookies(&self) -> Vec<Value> {
        match self.expect("GET", "/cookie", None) {
            Value::Array(cookies) => cookies,
            other => panic!("cookies are not a list: {other}"),
        }
    }

    fn try_page_text(&self) -> Result<String, WebDriverError> {
        let text = self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.body ? document.body.innerText : ''", "args": []})),
        )?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    fn try_find_all(&self, css: &str) -> Result<Vec<Element<'_>>, WebDriverError> {
        let found = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT_KEY].as_str())
            .map(|id| Element {
                browser: self,
                id: id.to_string(),
                css: css.to_string(),
            })
            .collect())
    }

    /// Calls `probe` until it finds something or `timeout` passes. Errors while a page
    /// is changing (a document unloaded mid-call) only mean "not yet"; a bad selector
    /// fails at once.
    #[track_caller]
    fn poll<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut() -> Result<Option<T>, WebDriverError>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        let mut last_error = None;
        loop {
            match probe() {
                Ok(Some(found)) => return found,
                Ok(None) => self.reload_if_network_changed(),
                Err(e) if e.error == "invalid selector" => panic!("{what}: {e}"),
                Err(e) => last_error = Some(e),
            }
            if Instant::now() >= deadline {
                let what = match last_error {
                    Some(e) => format!("{what} (last error: {e})"),
                    None => what.to_string(),
                };
                self.fail(&what, timeout);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Chromium abandons a page load when the host's interfaces change (the container
    /// engine adding or removing a veth for another test) and shows ERR_NETWORK_CHANGED;
    /// a person would press Reload, and so does the test.
    fn reload_if_network_changed(&self) {
        let changed = self
            .try_page_text()
            .is_ok_and(|text| text.contains("ERR_NETWORK_CHANGED"));
        if changed {
            let _ = self.cmd("POST", "/refresh", Some(json!({})));
        }
    }

    #[track_caller]
    fn fail(&self, what: &str, timeout: Duration) -> ! {
        let url = self.try_cmd_str("GET", "/url");
        let text = self.try_page_text().unwrap_or_else(|e| format!("<{e}>"));
        let shot = artifacts_dir().join(format!(
            "browser-failure-{}-{}.png",
            std::process::id(),
            self.dir
                .path()
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ));
        let saved = self
            .cmd("GET", "/screenshot", None)
            .ok()
            .and_then(|v| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(v.as_str()?)
                    .ok()
            })
            .and_then(|png| std::fs::write(&shot, png).ok())
            .map(|()| format!("\nscreenshot: {}", shot.display()))
            .unwrap_or_default();
        panic!(
            "{what} within {timeout:?}\nat: {url}\npage text:\n{}{saved}",
            excerpt(&text, 2000)
        );
    }

    fn try_cmd_str(&self, method: &str, path: &str) -> String {
        match self.cmd(method, path, None) {
            Ok(v) => v.as_str().unwrap_or_default().to_string(),
            Err(e) => format!("<{e}>"),
        }
    }

    /// A command on this session; panics with the driver's error.
    #[track_caller]
    fn expect(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.cmd(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WebDriverError> {
        self.call(method, &format!("{}{path}", self.session), body)
    }

    fn call(&self, method: &str, url: &str, body: Option<Value>) -> Result<Value, WebDriverError> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let request = self.http.request(method, url);
        // WebDriver wants a JSON body on every POST, `{}` when there are no parameters.
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let transport = |e: reqwest::Error| WebDriverError {
            status: 0,
            error: "transport".into(),
            message: e.to_string(),
        };
        let response = request.send().map_err(transport)?;
        let status = response.status().as_u16();
        let body: Value = response.json().map_err(transport)?;
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            Err(WebDriverError {
                status,
                error: value["error"].as_str().unwrap_or("unknown").to_string(),
                message: value["message"].as_str().unwrap_or_default().to_string(),
            })
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // Ends Chromium cleanly (chromedriver reaps it); bounded by HTTP_TIMEOUT.
            let _ = self
                .http
                .delete(&self.session)
                .timeout(Duration::from_secs(10))
                .send();
        }
        kill_tree(&mut self.driver);
    }
}

impl Element<'_> {
    pub fn click(&self) {
        self.post("/click", json!({}));
    }

    /// Sends keystrokes to the element (appends to what an input already holds).
    pub fn type_text(&self, text: &str) {
        self.post("/value", json!({ "text": text }));
    }

    pub fn text(&self) -> String {
        self.get("/text").as_str().unwrap_or_default().to_string()
    }

    pub fn attribute(&self, name: &str) -> Option<String> {
        self.get(&format!("/attribute/{name}"))
            .as_str()
            .map(String::from)
    }

    #[track_caller]
    fn post(&self, what: &str, body: Value) -> Value {
        self.browser
            .cmd("POST", &format!("/element/{}{what}", self.id), Some(body))
            .unwrap_or_else(|e| panic!("{what} on {:?}: {e}", self.css))
    }

    #[track_caller]
    fn get(&self, what: &str) -> Value {
        self.browser
            .cmd("GET", &format!("/element/{}{what}", self.id), None)
            .unwrap_or_else(|e| panic!("{what} of {:?}: {e}", self.css))
    }
}

/// `target/test-artifacts/` (created): where tests put screenshots and the like.
pub fn artifacts_dir() -> PathBuf {
    let target_tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = target_tmp
        .parent()
        .unwrap_or(target_tmp)
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// Creates `$HOME/.pki/nssdb` and adds every CA as trusted for TLS servers ("C,,").
fn trust_cas(home: &Path, pem_dir: &Path, pems: &[&str]) {
    if pems.is_empty() {
        return;
    }
    let db_dir = home.join(".pki/nssdb");
    std::fs::create_dir_all(&db_dir).expect("NSS database directory");
    std::fs::create_dir_all(pem_dir).expect("CA directory");
    let db = format!("sql:{}", db_dir.display());
    certutil(&["-N", "--empty-password", "-d", &db]);
    for (i, pem) in pems.iter().enumerate() {
        let file = pem_dir.join(format!("ca-{i}.pem"));
        std::fs::write(&file, pem).expect("write CA");
        let nick = format!("bridgectl-test-ca-{i}");
        certutil(&[
            "-A",
            "-t",
            "C,,",
            "-n",
            &nick,
            "-i",
            &file.to_string_lossy(),
            "-d",
            &db,
        ]);
    }
}

fn certutil(args: &[&str]) {
    let out = Command::new(CERTUTIL).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {CERTUTIL} ({e}): install the Debian package libnss3-tools (scripts/sandbox-kit.sh does)")
    });
    assert!(
        out.status.success(),
        "certutil {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// chromedriver with the temporary HOME and TMPDIR, its and Chromium's output appended
/// to `log`.
fn spawn_driver(port: u16, home: &Path, tmp: &Path, log: &Path) -> Child {
    let out = File::options()
        .create(true)
        .append(true)
        .open(log)
        .expect("driver log");
    let err = out.try_clone().expect("driver log");
    Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        // Chromium's own stderr goes to the log too (chromedriver drops it otherwise).
        .arg("--enable-chrome-logs")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"))
}

fn wait_ready(
    http: &reqwest::blocking::Client,
    base: &str,
    driver: &mut Child,
) -> Result<(), String> {
    let deadline = Instant::now() + DRIVER_READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("chromedriver exited ({status})"));
        }
        let ready = http
            .get(format!("{base}/status"))
            .timeout(Duration::from_secs(2))
            .send()
            .and_then(|r| r.json::<Value>())
            .map(|v| v["value"]["ready"] == json!(true))
            .unwrap_or(false);
        if ready {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("no ready /status within {DRIVER_READY_TIMEOUT:?}"));
        }
        std::thread::sleep(POLL);
    }
}

/// SIGKILL to chromedriver and every process under it (Chromium's browser, zygotes,
/// renderers...), then reaps chromedriver. They share the test's process group, so a
/// Ctrl-C of the test run stops them too.
fn kill_tree(driver: &mut Child) {
    let pids: Vec<String> = descendants(driver.id())
        .iter()
        .map(u32::to_string)
        .collect();
    if !pids.is_empty() {
        let _ = Command::new("sh")
            .args(["-c", "kill -s KILL \"$@\" 2>/dev/null", "sh"])
            .args(&pids)
            .status();
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// The processes below `root`, from the parent ids in /proc/*/stat.
fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (command) state ppid ...": the command may hold spaces and parentheses.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// A copy of the driver's log in the artifacts directory (the temp dir goes with the
/// browser).
fn keep_log(log: &Path) -> PathBuf {
    let name = log
        .parent()
        .and_then(Path::file_name)
        .unwrap_or_default()
        .to_string_lossy();
    let kept = artifacts_dir().join(format!("{name}-chromedriver.log"));
    match std::fs::copy(log, &kept) {
        Ok(_) => kept,
        Err(_) => log.to_path_buf(),
    }
}

/// The last few KB of a log file.
fn tail(path: &Path) -> String {
    let Ok(mut file) = File::open(path) else {
        return "<no log>".into();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(6000)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
