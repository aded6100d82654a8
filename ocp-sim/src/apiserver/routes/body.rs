//! Request bodies of create and update (and a DELETE's options): JSON, YAML or (for
//! built-in kinds) protobuf, decoded with the real server's error wording.

use serde_json::Value;

use crate::apiserver::protobuf::{self, Refusal};
use crate::apiserver::resources::ResourceDef;
use crate::apiserver::status::{ApiError, ApiResult};

const ACCEPTED: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// What a CRD-served kind accepts (the real server has no protobuf for custom resources).
const ACCEPTED_BY_CUSTOM: &[&str] = &["application/json", "application/yaml"];

pub fn decode(content_type: Option<&str>, body: &[u8], def: &ResourceDef) -> ApiResult<Value> {
    parse(content_type, body, !def.crd)
}

/// A DELETE's `DeleteOptions` (kubectl sends `dryRun` there, not in the query), or none.
pub fn delete_options(content_type: Option<&str>, body: &[u8]) -> Option<Value> {
    (!body.is_empty())
        .then(|| parse(content_type, body, true).ok())
        .flatten()
}

fn parse(content_type: Option<&str>, body: &[u8], protobuf_ok: bool) -> ApiResult<Value> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "application/json".to_string());
    let value: Value = match media.as_str() {
        "application/json" | "" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the body is not valid UTF-8"))?;
            serde_yaml::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error converting YAML to JSON: {e}")))?
        }
        "application/vnd.kubernetes.protobuf" if !protobuf_ok => {
            return Err(ApiError::unsupported_media_type(ACCEPTED_BY_CUSTOM));
        }
        "application/vnd.kubernetes.protobuf" => match protobuf::decode(body) {
            Ok(value) => value,
            Err(Refusal::Malformed(why)) => return Err(ApiError::bad_request(why)),
            // OpenShift's own kinds: the simulator keeps them in JSON only (a real cluster
            // decodes them; `oc` sends them as JSON).
            Err(Refusal::NotBuiltIn { .. }) => {
                return Err(ApiError::unsupported_media_type(ACCEPTED_BY_CUSTOM));
            }
        },
        _ => return Err(ApiError::unsupported_media_type(ACCEPTED)),
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "couldn't get version/kind; json parse error: the body is not a JSON object",
        ));
    }
    Ok(value)
}
