//! `/_sim/` test hooks, for the admin token only.

use axum::http::Method;
use serde_json::json;

use crate::apiserver::auth::{self, Principal};
use crate::apiserver::routes::request::{Reply, Req};
use crate::apiserver::status::{ApiError, ApiResult};
use crate::context::Sim;
use crate::hooks::faults::{Fault, MutateAfterRead};

pub fn handle(sim: &Sim, req: &Req<'_>) -> ApiResult<Reply> {
    let principal = {
        let store = sim.store();
        auth::authenticate(req.headers, req.certificate, &store, &sim.extra_tokens)?
    };
    match principal {
        Principal::Admin => {}
        Principal::Anonymous => return Err(ApiError::unauthorized()),
        other => {
            return Err(ApiError::forbidden_path(&format!(
                "User \"{}\" cannot use the simulator's test hooks",
                other.name()
            )));
        }
    }
    let parse = |what: &str| -> ApiResult<serde_json::Value> {
        serde_json::from_slice(req.body)
            .map_err(|e| ApiError::bad_request(format!("{what}: invalid JSON body: {e}")))
    };
    match (req.method.clone(), req.path) {
        (Method::POST, "/_sim/faults") => {
            let fault: Fault = serde_json::from_value(parse("fault")?)
                .map_err(|e| ApiError::bad_request(format!("fault: {e}")))?;
            if fault.status.is_none() && !fault.close_connection {
                return Err(ApiError::bad_request(
                    "fault: set status or close_connection",
                ));
            }
            sim.hooks().add_fault(fault);
            Ok(Reply {
                code: 201,
                body: json!({"faults": sim.hooks().faults()}),
                warnings: vec![],
            })
        }
        (Method::GET, "/_sim/faults") => Ok(Reply::ok(json!({"faults": sim.hooks().faults()}))),
        (Method::DELETE, "/_sim/faults") => {
            sim.hooks().clear_faults();
            Ok(Reply::ok(json!({"faults": []})))
        }
        (Method::POST, "/_sim/mutate-after-read") => {
            let m: MutateAfterRead = serde_json::from_value(parse("mutate-after-read")?)
                .map_err(|e| ApiError::bad_request(format!("mutate-after-read: {e}")))?;
            if !m.merge_patch.is_object() {
                return Err(ApiError::bad_request(
                    "mutate-after-read: merge_patch must be an object",
                ));
            }
            sim.hooks().add_mutation(m);
            Ok(Reply {
                code: 201,
                body: json!({"armed": true}),
                warnings: vec![],
            })
        }
        (Method::GET, "/_sim/requests") => Ok(Reply::ok(sim.hooks().report())),
        (Method::DELETE, "/_sim/requests") => {
            sim.hooks().reset_counts();
            Ok(Reply::ok(sim.hooks().report()))
        }
        _ => Err(ApiError::no_such_path()),
    }
}
