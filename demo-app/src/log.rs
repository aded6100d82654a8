//! JSON lines on stdout: one object per event with `ts`, `level`, `msg` and fields.
//! Callers pass only what is safe to keep: never tokens, codes, secrets, cookies or
//! query strings.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.to_ascii_lowercase().as_str() {
            "off" | "none" => Some(Level::Off),
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);

pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
    level != Level::Off && level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// A field value; numbers stay numbers in the JSON.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Str(&'a str),
    Num(u64),
}

impl<'a> From<&'a str> for Field<'a> {
    fn from(v: &'a str) -> Self {
        Field::Str(v)
    }
}

impl<'a> From<&'a String> for Field<'a> {
    fn from(v: &'a String) -> Self {
        Field::Str(v)
    }
}

impl From<u64> for Field<'_> {
    fn from(v: u64) -> Self {
        Field::Num(v)
    }
}

impl From<u16> for Field<'_> {
    fn from(v: u16) -> Self {
        Field::Num(u64::from(v))
    }
}

pub fn log(level: Level, msg: &str, fields: &[(&str, Field<'_>)]) {
    if !enabled(level) {
        return;
    }
    let line = format_line(time::OffsetDateTime::now_utc(), level, msg, fields);
    // One write per line, so lines from several threads never interleave.
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

pub fn error(msg: &str, fields: &[(&str, Field<'_>)]) {
    log(Level::Error, msg, fields);
}

pub fn warn(msg: &str, fields: &[(&str, Field<'_>)]) {
    log(Level::Warn, msg, fields);
}

pub fn info(msg: &str, fields: &[(&str, Field<'_>)]) {
    log(Level::Info, msg, fields);
}

pub fn debug(msg: &str, fields: &[(&str, Field<'_>)]) {
    log(Level::Debug, msg, fields);
}

fn format_line(
    now: time::OffsetDateTime,
    level: Level,
    msg: &str,
    fields: &[(&str, Field<'_>)],
) -> String {
    let mut out = String::with_capacity(96 + msg.len());
    out.push_str("{\"ts\":\"");
    out.push_str(&rfc3339_millis(now));
    out.push_str("\",\"level\":\"");
    out.push_str(level.name());
    out.push_str("\",\"msg\":");
    push_json_str(&mut out, msg);
    for (key, value) in fields {
        out.push(',');
        push_json_str(&mut out, key);
        out.push(':');
        match value {
            Field::Str(s) => push_json_str(&mut out, s),
            Field::Num(n) => out.push_str(&n.to_string()),
        }
    }
    out.push_str("}\n");
    out
}

fn push_json_str(out: &mut String, s: &str) {
    // serde_json escapes quotes, backslashes and control characters.
    out.push_str(&serde_json::Value::from(s).to_string());
}

/// `2026-01-02T03:04:05.678Z`.
pub fn rfc3339_millis(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_is_one_json_object() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap();
        let line = format_line(
            t,
            Level::Warn,
            "a \"quoted\"\nmessage",
            &[("route", "/login".into()), ("status", 502u16.into())],
        );
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["ts"], "2026-01-01T00:00:00.000Z");
        assert_eq!(v["level"], "warn");
        assert_eq!(v["msg"], "a \"quoted\"\nmessage");
        assert_eq!(v["route"], "/login");
        assert_eq!(v["status"], 502);
    }
}
