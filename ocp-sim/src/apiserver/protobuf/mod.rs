//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`). client-go's generated
//! clients send built-in kinds this way and never fall back to JSON on a 415 (they do only
//! for CBOR), so without it `kubectl create namespace` and `kubectl auth can-i` fail. The
//! body is the `k8s\0` magic and a `runtime.Unknown` envelope whose `raw` is the object;
//! it is turned into the JSON the rest of the server handles. Answers stay JSON: clients
//! that send protobuf accept JSON too.

mod kinds;
mod meta;

use prost::Message;
use serde::Serialize;
use serde_json::Value;

const MAGIC: &[u8] = b"k8s\0";

/// Why a protobuf body was not decoded.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Not a Kubernetes protobuf message at all (400 on a real server).
    Malformed(String),
    /// A kind the simulator keeps only in JSON: CRD-served and OpenShift kinds.
    NotBuiltIn { api_version: String, kind: String },
}

#[derive(Clone, PartialEq, Message)]
struct Unknown {
    #[prost(message, optional, tag = "1")]
    type_meta: Option<TypeMeta>,
    #[prost(bytes = "vec", optional, tag = "2")]
    raw: Option<Vec<u8>>,
    #[prost(string, optional, tag = "3")]
    content_encoding: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct TypeMeta {
    #[prost(string, optional, tag = "1")]
    api_version: Option<String>,
    #[prost(string, optional, tag = "2")]
    kind: Option<String>,
}

type Decoder = fn(&[u8]) -> Result<Value, prost::DecodeError>;

fn to_json<M: Message + Default + Serialize>(raw: &[u8]) -> Result<Value, prost::DecodeError> {
    let message = M::decode(raw)?;
    Ok(serde_json::to_value(message).unwrap_or(Value::Null))
}

/// Every built-in kind the simulator serves, by apiVersion and kind (`*`: DeleteOptions
/// comes in the version of whichever group the deleted object is in).
const KINDS: &[(&str, &str, Decoder)] = &[
    ("*", "DeleteOptions", to_json::<kinds::DeleteOptions>),
    ("v1", "Namespace", to_json::<kinds::Namespace>),
    ("v1", "Secret", to_json::<kinds::Secret>),
    ("v1", "ConfigMap", to_json::<kinds::ConfigMap>),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        to_json::<kinds::RoleBinding>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        to_json::<kinds::ClusterRole>,
    ),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        to_json::<kinds::AccessReview>,
    ),
    (
        "authorization.k8s.io/v1",
        "SubjectAccessReview",
        to_json::<kinds::AccessReview>,
    ),
    (
        "authentication.k8s.io/v1",
        "SelfSubjectReview",
        to_json::<kinds::SelfSubjectReview>,
    ),
];

/// Whether bodies of this kind are decoded from protobuf.
pub fn decodes(api_version: &str, kind: &str) -> bool {
    decoder(api_version, kind).is_some()
}

fn decoder(api_version: &str, kind: &str) -> Option<Decoder> {
    KINDS
        .iter()
        .find(|(v, k, _)| (*v == api_version || *v == "*") && *k == kind)
        .map(|(_, _, decoder)| *decoder)
}

/// The object a protobuf body carries, as JSON with its apiVersion and kind.
pub fn decode(body: &[u8]) -> Result<Value, Refusal> {
    let malformed = |why: String| Refusal::Malformed(why);
    let envelope = body.strip_prefix(MAGIC).ok_or_else(|| {
        malformed(format!(
            "provided data does not appear to be a protobuf message, expected prefix {MAGIC:?}"
        ))
    })?;
    let unknown = Unknown::decode(envelope).map_err(|e| malformed(e.to_string()))?;
    if unknown
        .content_encoding
        .as_deref()
        .is_some_and(|e| !e.is_empty())
    {
        return Err(malformed("content encodings are not supported".into()));
    }
    let type_meta = unknown.type_meta.unwrap_or_default();
    let api_version = type_meta.api_version.unwrap_or_default();
    let kind = type_meta.kind.unwrap_or_default();
    let Some(decoder) = decoder(&api_version, &kind) else {
        return Err(Refusal::NotBuiltIn { api_version, kind });
    };
    let mut object = decoder(unknown.raw.as_deref().unwrap_or_default())
        .map_err(|e| malformed(format!("unable to decode {kind}: {e}")))?;
    prune_empty(&mut object);
    if let Value::Object(map) = &mut object {
        map.insert("apiVersion".into(), Value::String(api_version));
        map.insert("kind".into(), Value::String(kind));
    }
    Ok(object)
}

/// Drops what the JSON form of the Go object omits: absent optionals, empty strings
/// (Go's protobuf encoder writes every string field, set or not), empty lists and maps.
fn prune_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune_empty);
            map.retain(|_, v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                _ => true,
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
