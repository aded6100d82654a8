//! Query strings: the parameters of an authorization response (`code`, `state`, `error`,
//! `error_description`: first non-empty occurrence, bounded, oversized `code` or `state`
//! refused), `lang`, and the other request texts the app reads (the route of a path,
//! `Accept-Language`), plus the cut used for every displayed text.

#![no_main]

use demo_app::claims::truncate;
use demo_app::errors::Problem;
use demo_app::metrics::Route;
use demo_app::pages::Lang;
use demo_app::routes::{CallbackParams, MAX_CODE, MAX_STATE, query_param};
use libfuzzer_sys::fuzz_target;
use url::form_urlencoded;

/// The first non-empty value of `name`, decoded independently of the code under test.
fn first(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

/// `shown` is `full` when that is at most `max` bytes, else the longest prefix of `full`
/// within `max` bytes (cut at a character) followed by `…`.
fn is_cut_of(shown: &str, full: &str, max: usize) -> bool {
    if full.len() <= max {
        return shown == full;
    }
    shown
        .strip_suffix('…')
        .is_some_and(|head| full.starts_with(head) && head.len() == full.floor_char_boundary(max))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let query = text.as_ref();

    let oversized = form_urlencoded::parse(query.as_bytes())
        .any(|(k, v)| (k == "code" && v.len() > MAX_CODE) || (k == "state" && v.len() > MAX_STATE));
    match CallbackParams::parse(Some(query)) {
        Ok(p) => {
            assert!(!oversized, "an oversized code or state was accepted");
            assert_eq!(p.code, first(query, "code"));
            assert_eq!(p.state, first(query, "state"));
            match (&p.error, first(query, "error")) {
                (Some(shown), Some(full)) => assert!(is_cut_of(shown, &full, 100)),
                (None, None) => {}
                other => panic!("error parameter: {other:?}"),
            }
            match (&p.error_description, first(query, "error_description")) {
                (Some(shown), Some(full)) => assert!(is_cut_of(shown, &full, 300)),
                (None, None) => {}
                other => panic!("error_description parameter: {other:?}"),
            }
        }
        Err(problem) => {
            assert!(
                matches!(problem, Problem::ParamTooLong { .. }),
                "{problem:?}"
            );
            assert!(oversized, "refused without an oversized code or state");
        }
    }

    if let Some(lang) = query_param(query, "lang")
        && let Some(l) = Lang::from_code(&lang)
    {
        assert_eq!(Lang::from_code(l.code()), Some(l));
    }

    let route = Route::from_path(query);
    if route != Route::Other {
        assert_eq!(route.label(), query);
    }
    let _ = Lang::from_accept_language(query);

    for max in [0, 1, 2, 3, 100, 300] {
        let cut = truncate(query, max);
        assert!(
            is_cut_of(&cut, query, max),
            "truncate({query:?}, {max}) = {cut:?}"
        );
    }
});
