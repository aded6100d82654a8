//! The wire: requests written as bytes, answers parsed by hand.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request as bytes: anything may be put in it.
#[derive(Clone)]
pub(super) struct Req {
    pub(super) method: Vec<u8>,
    pub(super) target: Vec<u8>,
    pub(super) version: &'static str,
    pub(super) headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub(super) body: Vec<u8>,
    /// Sent instead of everything above when set.
    pub(super) raw: Option<Vec<u8>>,
    /// Close the writing half once sent: a server that waits for more (an HTTP/2 server,
    /// in a build where hyper has HTTP/2, waits for the client's SETTINGS) then ends too.
    pub(super) half_close: bool,
}

pub(super) fn get(target: impl AsRef<[u8]>) -> Req {
    Req {
        method: b"GET".to_vec(),
        target: target.as_ref().to_vec(),
        version: "HTTP/1.1",
        headers: Vec::new(),
        body: Vec::new(),
        raw: None,
        half_close: false,
    }
}

pub(super) fn raw(bytes: impl AsRef<[u8]>) -> Req {
    Req {
        raw: Some(bytes.as_ref().to_vec()),
        ..get("/")
    }
}

impl Req {
    pub(super) fn method(mut self, m: impl AsRef<[u8]>) -> Req {
        self.method = m.as_ref().to_vec();
        self
    }

    pub(super) fn header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Req {
        self.headers
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }

    pub(super) fn cookie(self, value: impl AsRef<[u8]>) -> Req {
        self.header("Cookie", value)
    }

    pub(super) fn body(mut self, body: Vec<u8>) -> Req {
        self.body = body;
        self
    }

    pub(super) fn bytes(&self, host: &str) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut out = Vec::with_capacity(256 + self.body.len());
        out.extend_from_slice(&self.method);
        out.push(b' ');
        out.extend_from_slice(&self.target);
        out.extend_from_slice(format!(" {}\r\n", self.version).as_bytes());
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        };
        if !has("host") {
            out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n");
        if !self.body.is_empty() && !has("content-length") && !has("transfer-encoding") {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The start of the request, printable, for failure messages.
    pub(super) fn shown(&self) -> String {
        show(&self.bytes("app"), 300)
    }
}

pub(super) fn show(bytes: &[u8], max: usize) -> String {
    let text = format!(
        "{:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(max)])
    );
    if bytes.len() > max {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

/// An answer read off the wire. `status` is None when the server closed the connection
/// without answering (which it may do to a request it cannot parse).
#[derive(Debug, Default, Clone)]
pub(super) struct Wire {
    pub(super) status: Option<u16>,
    /// Names in lower case, values as sent.
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
}

impl Wire {
    pub(super) fn all(&self, name: &str) -> impl Iterator<Item = String> + '_ {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.all(name).next()
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `data-kind` of the page's error box.
    pub(super) fn error_kind(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("data-kind=\"")? + "data-kind=\"".len();
        let end = start + text[start..].find('"')?;
        Some(text[start..end].to_string())
    }

    pub(super) fn page_state(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("data-state=\"")? + "data-state=\"".len();
        let end = start + text[start..].find('"')?;
        Some(text[start..end].to_string())
    }
}

/// Parses a whole HTTP/1.1 answer (the server closed the connection after it).
pub(super) fn parse_answer(raw: &[u8]) -> Wire {
    let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Wire::default();
    };
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers: Vec<(String, Vec<u8>)> = raw[..head_end]
        .split(|b| *b == b'\n')
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let colon = line.iter().position(|b| *b == b':')?;
            let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
            let value = line[colon + 1..].trim_ascii().to_vec();
            Some((name, value))
        })
        .collect();
    let rest = &raw[head_end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case(b"chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Wire {
        status,
        headers,
        body,
    }
}

/// The payload of a chunked body, so that nothing can hide across a chunk boundary.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        rest = &rest[eol + 2..];
        if size == 0 || rest.len() < size {
            body.extend_from_slice(&rest[..size.min(rest.len())]);
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    body
}

/// Writes `bytes` on a fresh connection and reads the answer until the server closes.
/// The writing half stays open while reading (a half-closed connection may be dropped
/// before the answer), and write errors are expected: the server may answer and close
/// before it has read a large body.
pub(super) async fn exchange(addr: &str, bytes: Vec<u8>, half_close: bool) -> Result<Wire, String> {
    let stream = TcpStream::connect(addr).await.expect("connect to the app");
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        let _ = writer.flush().await;
        if half_close {
            let _ = writer.shutdown().await;
        }
        writer
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return Err("the app did not answer nor close within 20 s".into());
    }
    drop(write.await);
    Ok(parse_answer(&answer))
}
