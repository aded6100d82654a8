//! `bridgectl status`: the table (or JSON for scripts), non-zero when anything is ✖.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::Context;
use crate::status;
use crate::ui::out;

pub async fn status(ctx: &Context, deep: bool, json: bool) -> Result<ExitCode> {
    let rows = status::collect(ctx, deep).await;
    let healthy = rows.iter().all(|row| row.ok);
    if json {
        let doc = serde_json::json!({ "ok": healthy, "parts": rows });
        out(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    } else {
        out(status::render(&rows));
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
