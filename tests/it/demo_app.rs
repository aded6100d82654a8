//! step4 and the demo app end to end: the real Keycloak (step1/step2), the OpenShift
//! simulator (step3/step5) and the demo app container step4 builds and runs. A person's
//! browser is played first by a cookie-keeping HTTP client through Keycloak's real login
//! form, then by real headless Chromium (its screenshot: target/test-artifacts/). On the
//! shared Keycloak, in a realm of its own.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use crate::support::browser::{Browser, artifacts_dir};
use crate::support::sim::Sim;
use crate::support::{self, Bed, Run, default_keycloak, free_port, realm, unique};
use bridgectl::verify::page::{
    keycloak_form_action as form_action, keycloak_login_fields, visible_text,
};
use reqwest::cookie::CookieStore;

static WORLD: OnceLock<World> = OnceLock::new();

/// Keycloak, the simulator and the demo app, set up once by step2..step5 for this module's
/// tests.
struct World {
    kc: &'static Bed,
    realm: String,
    sim: Sim,
    app_port: u16,
    app_container: String,
    app_image: String,
}

impl World {
    fn get() -> &'static World {
        WORLD.get_or_init(|| {
            let world = World {
                kc: default_keycloak(),
                realm: realm("demo-app"),
                sim: Sim::start(&[]),
                app_port: free_port(),
                app_container: unique("app"),
                app_image: format!("localhost/{}:test", unique("demo-app")),
            };
            for step in ["step2", "step3", "step5", "step4"] {
                world.run(&[step]).assert_ok();
            }
            world
        })
    }

    /// bridgectl against this world's realm, cluster, app port, container and image names.
    fn run(&self, args: &[&str]) -> Run {
        let kubeconfig = self.sim.kubeconfig.display().to_string();
        let settings = [
            format!("keycloak.realm={}", self.realm),
            format!("app.port={}", self.app_port),
            format!("app.container_name={}", self.app_container),
            format!("app.image={}", self.app_image),
            "app.bind_address=127.0.0.1".to_string(),
            format!("app.base_image={}", support::base_image()),
        ];
        let mut all: Vec<&str> = vec!["--kubeconfig", &kubeconfig];
        for setting in &settings {
            all.extend(["--set", setting]);
        }
        all.extend_from_slice(args);
        self.kc.run(&all)
    }

    fn image_object(&self) -> String {
        format!("image/{}", self.app_image)
    }

    fn container_object(&self) -> String {
        format!("container/{}", self.app_container)
    }

    /// The app is one container: tests that sign in or recreate it take turns.
    fn exclusive(&self) -> MutexGuard<'static, ()> {
        static TURN: Mutex<()> = Mutex::new(());
        TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn app_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.app_port)
    }

    fn password(&self, user: &str) -> String {
        self.kc.secret(&format!("user-{user}"))
    }

    fn ca_pems(&self) -> Vec<String> {
        vec![self.kc.read_state("tls/ca.crt"), self.sim.ca_pem.clone()]
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = support::podman(&["rm", "-f", "-t", "0", &self.app_container]);
        let _ = support::podman(&["rmi", "-f", &self.app_image]);
    }
}

/// A person's browser without the browser: follows redirects, keeps cookies, trusts the
/// test CAs and nothing else.
struct Visitor {
    client: reqwest::blocking::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl Visitor {
    fn new(ca_pems: &[String]) -> Visitor {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::blocking::Client::builder()
            .tls_certs_only(
                ca_pems
                    .iter()
                    .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()),
            )
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        Visitor { client, jar }
    }

    /// GET, following redirects; the final status and page.
    fn get(&self, url: &str) -> (u16, String) {
        let resp = self.client.get(url).send().expect("GET");
        (resp.status().as_u16(), resp.text().unwrap_or_default())
    }

    /// Signs in on Keycloak's real login form; returns the page the app shows after.
    fn sign_in(&self, app_url: &str, username: &str, password: &str) -> String {
        let (status, login_page) = self.get(&format!("{app_url}/login"));
        assert_eq!(status, 200, "{}", visible_text(&login_page));
        let action = form_action(&login_page).expect("Keycloak's login form");
        let resp = self
            .client
            .post(action)
            .form(&keycloak_login_fields(username, password))
            .send()
            .expect("submit the login form");
        assert!(resp.url().as_str().starts_with(app_url), "back at the app");
        assert_eq!(resp.status(), 200);
        resp.text().unwrap()
    }

    /// The Cookie header the browser would send to the app.
    fn app_cookies(&self, app_url: &str) -> String {
        self.jar
            .cookies(&app_url.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// The names in `<li class="project" data-name="...">`, in page order.
fn projects_on(page: &str) -> Vec<String> {
    page.split("class=\"project\"")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find("data-name=\"")? + 11;
            let end = rest[start..].find('"')?;
            Some(rest[start..start + end].to_string())
        })
        .collect()
}

fn text_of(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("id=\"{id}\""))?;
    let open = page[start..].find('>')? + start + 1;
    let close = page[open..].find('<')? + open;
    Some(page[open..close].trim().to_string())
}

#[test]
fn user_a_signs_in_calls_the_api_and_sees_exactly_project_a_and_c() {
    let world = World::get();
    let _turn = world.exclusive();
    let app = world.app_url();
    let visitor = Visitor::new(&world.ca_pems());

    let (status, welcome) = visitor.get(&format!("{app}/"));
    assert_eq!(status, 200);
    assert!(welcome.contains("id=\"login\""), "signed-out page");

    let signed_in = visitor.sign_in(&app, "user-a", &world.password("user-a"));
    assert!(signed_in.contains("user-a"), "{}", visible_text(&signed_in));
    assert!(
        signed_in.contains("third-party-app"),
        "azp of the login token"
    );
    assert!(signed_in.contains("id=\"call-ocp-api\""));

    // One click: token exchange, the OpenShift OAuth round trip through Keycloak's SSO
    // (no second password), the API calls.
    let (status, done) = visitor.get(&format!("{app}/call-ocp-api"));
    assert_eq!(status, 200, "{}", visible_text(&done));
    for section in ["step-2a", "step-2b", "step-2c"] {
        assert!(
            done.contains(&format!("id=\"{section}\"")),
            "{section} shown"
        );
    }
    assert_eq!(
        text_of(&done, "exchanged-azp").as_deref(),
        Some("ocp-oauth")
    );
    assert_eq!(projects_on(&done), ["project-a", "project-c"]);
    assert!(!done.contains("class=\"error\""), "{}", visible_text(&done));
    assert!(
        done.contains("sha256~"),
        "the OpenShift token's prefix is shown"
    );

    // The cookie is an opaque id: small, and no token in it.
    let cookies = visitor.app_cookies(&app);
    let session = cookies
        .split("; ")
        .find(|c| c.starts_with("demo_session="))
        .unwrap_or_else(|| panic!("a session cookie in {cookies}"));
    assert!(session.len() < 4096, "{} bytes", session.len());
    for token_mark in ["eyJ", "sha256~"] {
        assert!(
            !cookies.contains(token_mark),
            "a token in the cookies: {cookies}"
        );
    }
}

#[test]
fn step4_again_is_unchanged_and_a_new_binary_or_setting_recreates_the_app() {
    let world = World::get();
    let _turn = world.exclusive();
    let again = world.run(&["step4"]);
    again.assert_ok();
    assert_eq!(
        again.outcome_of(&world.image_object()).as_deref(),
        Some("unchanged")
    );
    assert_eq!(
        again.outcome_of(&world.container_object()).as_deref(),
        Some("unchanged")
    );
    let id_before = support::container_id(&world.app_container).expect("app container");

    // A separately built demo-app (the developer option app.binary) in place of the one
    // bridgectl carries, with a byte appended so it differs from any earlier build.
    let built = separately_built_demo_app();
    let dir = tempfile::tempdir().unwrap();
    let changed = dir.path().join("demo-app");
    let mut bytes = std::fs::read(&built).expect("the demo-app binary");
    bytes.push(0);
    std::fs::write(&changed, bytes).unwrap();
    std::fs::set_permissions(
        &changed,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let binary_flag = format!("app.binary={}", changed.display());
    let dry = world.run(&["--dry-run", "--set", &binary_flag, "step4"]);
    dry.assert_ok();
    assert_eq!(
        dry.outcome_of(&world.image_object()).as_deref(),
        Some("would update")
    );
    assert_eq!(
        support::container_id(&world.app_container).as_deref(),
        Some(id_before.as_str()),
        "a dry run touches nothing"
    );
    let rebuilt = world.run(&["--set", &binary_flag, "step4"]);
    rebuilt.assert_ok();
    assert_eq!(
        rebuilt.outcome_of(&world.image_object()).as_deref(),
        Some("updated")
    );
    assert_eq!(
        rebuilt.outcome_of(&world.container_object()).as_deref(),
        Some("updated")
    );
    assert_ne!(
        support::container_id(&world.app_container).as_deref(),
        Some(id_before.as_str())
    );

    // Back to the app bridgectl carries, and a setting that changes the environment.
    let setting = world.run(&["--set", "app.tls_verify=false", "step4"]);
    setting.assert_ok();
    assert_eq!(
        setting.outcome_of(&world.image_object()).as_deref(),
        Some("updated")
    );
    assert_eq!(
        setting.outcome_of(&world.container_object()).as_deref(),
        Some("updated")
    );
    assert!(
        setting.all().contains("TLS_VERIFY"),
        "the report names what changed:\n{}",
        setting.all()
    );
    let (_, page) = Visitor::new(&world.ca_pems()).get(&format!("{}/", world.app_url()));
    assert!(
        page.contains("id=\"tls-warning\""),
        "TLS_VERIFY=false is visible"
    );

    let restored = world.run(&["step4"]);
    restored.assert_ok();
    assert_eq!(
        restored.outcome_of(&world.container_object()).as_deref(),
        Some("updated")
    );
    let settled = world.run(&["step4"]);
    assert_eq!(
        settled.outcome_of(&world.container_object()).as_deref(),
        Some("unchanged")
    );
    for secret in ["client-third-party-app", "oauthclient-third-party-demo"] {
        assert!(
            !settled.all().contains(&world.kc.secret(secret)),
            "no secret in the output"
        );
    }
}

/// The app's image starts whatever C library its base has: none at all (`scratch`, the
/// default) or one older than the host's (Debian bullseye's glibc 2.31, from the kit).
#[test]
fn the_app_image_starts_on_scratch_and_on_an_older_glibc() {
    let world = World::get();
    let _turn = world.exclusive();
    for base in ["scratch".to_string(), support::old_glibc_image()] {
        let setting = format!("app.base_image={base}");
        let run = world.run(&["--set", &setting, "step4"]);
        run.assert_ok();
        assert_eq!(
            run.outcome_of(&world.image_object()).as_deref(),
            Some("updated"),
            "{base}: {}",
            run.all()
        );
        let (status, body) =
            Visitor::new(&world.ca_pems()).get(&format!("{}/health", world.app_url()));
        assert_eq!(status, 200, "{base}: {body}");
        // What the base brings: no C library on scratch, glibc 2.31 on bullseye.
        let libc = support::podman(&[
            "run",
            "--rm",
            "--entrypoint",
            "/lib/x86_64-linux-gnu/libc.so.6",
            &world.app_image,
        ]);
        let libc_says = String::from_utf8_lossy(&libc.stdout).into_owned();
        if base == "scratch" {
            assert!(
                !libc.status.success(),
                "scratch has a C library: {libc_says}"
            );
        } else {
            assert!(libc_says.contains("release version 2.31"), "{libc_says}");
        }
    }
    world.run(&["step4"]).assert_ok();
}

#[test]
fn user_b_in_real_chromium_sees_project_b_and_a_screenshot_is_saved() {
    let world = World::get();
    let _turn = world.exclusive();
    let cas = world.ca_pems();
    let browser = Browser::start(&cas.iter().map(String::as_str).collect::<Vec<_>>());
    let wait = Duration::from_secs(30);

    browser.goto(&format!("{}/?lang=en", world.app_url()));
    browser.wait_for("#login", wait).click();
    // Keycloak's own login page, over HTTPS Chromium verifies against our CA.
    browser.wait_for("#username", wait).type_text("user-b");
    browser
        .wait_for("#password", wait)
        .type_text(&world.password("user-b"));
    browser.wait_for("#kc-login", wait).click();

    browser.wait_for("#call-ocp-api", wait).click();
    browser.wait_for("#step-2c", wait);
    let projects: Vec<String> = browser
        .find_all("li.project")
        .iter()
        .filter_map(|item| item.attribute("data-name"))
        .collect();
    let azp = browser.wait_for("#exchanged-azp", wait).text();
    // The screenshot shows the project list.
    browser.execute("document.getElementById('step-2c').scrollIntoView()", &[]);
    let shot = artifacts_dir().join("demo-app-user-b.png");
    browser.screenshot(&shot);

    assert_eq!(projects, ["project-b"], "{}", browser.page_text());
    assert_eq!(azp, "ocp-oauth");
    assert!(
        browser.find_all("#error").is_empty(),
        "{}",
        browser.page_text()
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // The browser holds the app's cookie; it carries no token.
    let app_cookies: Vec<String> = browser
        .cookies()
        .iter()
        .filter(|c| c["name"] == "demo_session")
        .map(|c| c["value"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(app_cookies.len(), 1, "{:?}", browser.cookies());
    assert!(!app_cookies[0].contains("eyJ") && app_cookies[0].len() < 4096);
}

/// The demo app's own binary (`cargo build -p demo-app`), for the `app.binary` option.
fn separately_built_demo_app() -> PathBuf {
    let built = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "demo-app"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo");
    assert!(built.success(), "cargo build -p demo-app failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("debug/demo-app")
}
