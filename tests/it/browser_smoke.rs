//! The test browser itself: a real headless Chromium trusts exactly the CAs it is given,
//! follows links, submits forms, keeps cookies and takes screenshots.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::support::browser::{Browser, artifacts_dir};
use crate::support::sim::Sim;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn trusts_the_given_ca_and_no_other() {
    let sim = Sim::start(&[]);
    let url = format!("{}/.well-known/oauth-authorization-server", sim.oauth_url);

    let started = Instant::now();
    let trusting = Browser::start(&[&sim.ca_pem]);
    let start_time = started.elapsed();
    let loading = Instant::now();
    trusting.goto(&url);
    let text = trusting.wait_for_text("authorization_endpoint", WAIT);
    eprintln!(
        "browser start {start_time:?}, first HTTPS page {:?}",
        loading.elapsed()
    );
    assert!(text.contains(&sim.oauth_url), "{text}");
    assert_eq!(trusting.current_url(), url);

    // The same page in a browser without the simulator's CA, with none at all and with
    // an unrelated one: Chromium refuses the certificate and never shows the content.
    let other_ca = pki::issue_ca(&pki::Subject {
        organization: "bridgectl tests",
        common_name: "unrelated test CA",
        not_before: time::OffsetDateTime::now_utc() - time::Duration::hours(1),
        not_after: time::OffsetDateTime::now_utc() + time::Duration::days(1),
    })
    .unwrap();
    for (label, cas) in [
        ("no CA", vec![]),
        ("another CA", vec![other_ca.cert_pem.as_str()]),
    ] {
        let browser = Browser::start(&cas);
        match browser.try_goto(&url) {
            // Chromium's warning page, with the reason.
            Ok(()) => {
                browser.wait_for_text("ERR_CERT_AUTHORITY_INVALID", WAIT);
            }
            Err(e) => assert!(
                e.message.contains("ERR_CERT_AUTHORITY_INVALID"),
                "{label}: expected Chromium to refuse the certificate's issuer: {e}"
            ),
        }
        let text = browser.page_text();
        assert!(
            !text.contains("authorization_endpoint"),
            "{label}: the page loaded without its CA:\n{text}"
        );
    }
}

#[test]
fn follows_links_submits_forms_and_keeps_cookies() {
    let base = serve_pages();
    let browser = Browser::start(&[]);
    let loading = Instant::now();
    browser.goto(&format!("{base}/"));
    eprintln!("first HTTP page {:?}", loading.elapsed());

    let link = browser.wait_for("a#next", WAIT);
    assert_eq!(link.attribute("href").as_deref(), Some("/form"));
    link.click();
    browser
        .wait_for("input#name", WAIT)
        .type_text("Ada Lovelace");
    browser.wait_for("button#send", WAIT).click();

    let result = browser.wait_for("p#result", WAIT).text();
    assert_eq!(result, "hello Ada Lovelace; cookie: session=s3cr3t");
    assert_eq!(browser.current_url(), format!("{base}/submit"));
    assert!(browser.page_source().contains("<p id=\"result\">"));
    let cookies = browser.cookies();
    assert!(
        cookies
            .iter()
            .any(|c| c["name"] == "session" && c["value"] == "s3cr3t" && c["httpOnly"] == true),
        "{cookies:?}"
    );

    let shot = artifacts_dir().join("browser-smoke.png");
    let _ = std::fs::remove_file(&shot);
    browser.screenshot(&shot);
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {}",
        shot.display()
    );
}

#[test]
fn a_missing_element_fails_with_the_page_it_was_on() {
    let base = serve_pages();
    let browser = Browser::start(&[]);
    browser.goto(&format!("{base}/"));
    let started = Instant::now();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.wait_for("#never", Duration::from_millis(500));
    }))
    .expect_err("wait_for should panic");
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("no element matches \"#never\""),
        "{message}"
    );
    assert!(message.contains(&format!("at: {base}/")), "{message}");
    assert!(message.contains("Start page"), "{message}");
    let shot = message
        .split_once("screenshot: ")
        .map(|(_, path)| std::path::PathBuf::from(path.trim()))
        .unwrap_or_else(|| panic!("no screenshot in: {message}"));
    assert!(
        std::fs::read(&shot)
            .unwrap()
            .starts_with(b"\x89PNG\r\n\x1a\n")
    );
    std::fs::remove_file(shot).unwrap();
}

/// A tiny HTTP server on loopback: `/` sets a cookie and links to `/form`, whose form
/// posts to `/submit`, which echoes the name and the cookie it received. Lives as long
/// as the test process.
fn serve_pages() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = handle(stream);
            });
        }
    });
    base
}

fn handle(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let (mut length, mut cookie) = (0, String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "cookie" => cookie = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut words = request_line.split_whitespace();
    let (status, extra, html) = match (words.next(), words.next()) {
        (Some("GET"), Some("/")) => (
            "200 OK",
            "Set-Cookie: session=s3cr3t; Path=/; HttpOnly\r\n",
            "<h1>Start page</h1><a id=\"next\" href=\"/form\">to the form</a>".to_string(),
        ),
        (Some("GET"), Some("/form")) => (
            "200 OK",
            "",
            "<form method=\"post\" action=\"/submit\"><input id=\"name\" name=\"name\">\
             <button id=\"send\" type=\"submit\">Send</button></form>"
                .to_string(),
        ),
        (Some("POST"), Some("/submit")) => {
            let name = url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "name")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let text = format!("hello {name}; cookie: {cookie}");
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
            ("200 OK", "", format!("<p id=\"result\">{escaped}</p>"))
        }
        _ => ("404 Not Found", "", "not found".to_string()),
    };
    let page = format!("<!doctype html><html><body>{html}</body></html>");
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{extra}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    )?;
    stream.flush()
}
