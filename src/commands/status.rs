//! `bridgectl status`: the table (or a document for scripts); exit 2 when anything is ✖.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::Context;
use crate::output::{self, Output};
use crate::status;

pub async fn status(ctx: &Context, output: &Output, deep: bool) -> Result<ExitCode> {
    let rows = status::collect(ctx, deep).await;
    let healthy = rows.iter().all(|row| row.ok);
    let document = serde_json::json!({ "command": "status", "ok": healthy, "parts": rows });
    output.print(&document, || status::render(&rows))?;
    Ok(output::check_exit(healthy))
}
