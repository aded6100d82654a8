//! `/openapi/v2` in protobuf, the only encoding kubectl asks for: the Swagger 2.0 JSON
//! document written as gnostic's `openapi.v2.Document` (field numbers from
//! gnostic-models' `OpenAPIv2.proto`). Only the parts our document uses are encoded;
//! vendor extensions and defaults travel as YAML text (JSON is YAML), as gnostic keeps them.

use prost::encoding::{WireType, encode_key, encode_varint};
use serde_json::{Map, Value};

/// A message being written field by field (prost's wire encoding; the document's shape
/// is dynamic, so there are no generated message types to derive it from).
#[derive(Default)]
struct Message(Vec<u8>);

impl Message {
    fn bytes(&mut self, field: u32, data: &[u8]) {
        encode_key(field, WireType::LengthDelimited, &mut self.0);
        encode_varint(data.len() as u64, &mut self.0);
        self.0.extend_from_slice(data);
    }

    fn string(&mut self, field: u32, value: Option<&Value>) {
        if let Some(s) = value.and_then(Value::as_str) {
            self.bytes(field, s.as_bytes());
        }
    }

    fn strings(&mut self, field: u32, value: Option<&Value>) {
        for s in value.and_then(Value::as_array).into_iter().flatten() {
            self.string(field, Some(s));
        }
    }

    fn boolean(&mut self, field: u32, value: Option<&Value>) {
        if value.and_then(Value::as_bool) == Some(true) {
            encode_key(field, WireType::Varint, &mut self.0);
            encode_varint(1, &mut self.0);
        }
    }

    fn message(&mut self, field: u32, inner: Message) {
        self.bytes(field, &inner.0);
    }
}

fn build(fill: impl FnOnce(&mut Message)) -> Message {
    let mut m = Message::default();
    fill(&mut m);
    m
}

/// `Any { yaml = 2 }`.
fn any(value: &Value) -> Message {
    build(|m| m.bytes(2, value.to_string().as_bytes()))
}

/// `NamedX { name = 1; value = 2 }` for each entry of `map`.
fn named(m: &mut Message, field: u32, map: Option<&Value>, value: impl Fn(&Value) -> Message) {
    for (name, v) in map.and_then(Value::as_object).into_iter().flatten() {
        m.message(
            field,
            build(|n| {
                n.bytes(1, name.as_bytes());
                n.message(2, value(v));
            }),
        );
    }
}

fn extensions(m: &mut Message, field: u32, object: &Map<String, Value>) {
    for (name, v) in object.iter().filter(|(k, _)| k.starts_with("x-")) {
        m.message(
            field,
            build(|n| {
                n.bytes(1, name.as_bytes());
                n.message(2, any(v));
            }),
        );
    }
}

fn schema(s: &Value) -> Message {
    build(|m| {
        m.string(1, s.get("$ref"));
        m.string(2, s.get("format"));
        m.string(4, s.get("description"));
        if let Some(default) = s.get("default") {
            m.message(5, any(default));
        }
        m.strings(19, s.get("required"));
        if let Some(extra) = s.get("additionalProperties") {
            m.message(21, build(|a| a.message(1, schema(extra))));
        }
        if let Some(t) = s.get("type") {
            m.message(22, build(|t2| t2.string(1, Some(t))));
        }
        if let Some(items) = s.get("items") {
            m.message(23, build(|i| i.message(1, schema(items))));
        }
        for part in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            m.message(24, schema(part));
        }
        if s.get("properties").is_some() {
            m.message(25, build(|p| named(p, 1, s.get("properties"), schema)));
        }
        if let Some(object) = s.as_object() {
            extensions(m, 31, object);
        }
    })
}

/// `ParametersItem { Parameter parameter = 1 }` for a body, query or path parameter.
fn parameter(p: &Value) -> Message {
    let inner = match p["in"].as_str() {
        Some("body") => build(|b| {
            b.message(
                1,
                build(|m| {
                    m.string(1, p.get("description"));
                    m.string(2, p.get("name"));
                    m.string(3, p.get("in"));
                    m.boolean(4, p.get("required"));
                    if let Some(s) = p.get("schema") {
                        m.message(5, schema(s));
                    }
                }),
            )
        }),
        Some(location) => {
            // Query and path sub-schemas number `type` and `uniqueItems` differently.
            let (sub, type_field, unique_field) = if location == "path" {
                (4, 5, 19)
            } else {
                (3, 6, 20)
            };
            build(|b| {
                b.message(
                    2,
                    build(|n| {
                        n.message(
                            sub,
                            build(|m| {
                                m.boolean(1, p.get("required"));
                                m.string(2, p.get("in"));
                                m.string(3, p.get("description"));
                                m.string(4, p.get("name"));
                                m.string(type_field, p.get("type"));
                                m.boolean(unique_field, p.get("uniqueItems"));
                            }),
                        )
                    }),
                )
            })
        }
        None => Message::default(),
    };
    build(|m| m.message(1, inner))
}

fn response(r: &Value) -> Message {
    build(|m| {
        m.message(
            1,
            build(|resp| {
                resp.string(1, r.get("description"));
                if let Some(s) = r.get("schema") {
                    resp.message(2, build(|item| item.message(1, schema(s))));
                }
            }),
        )
    })
}

fn operation(op: &Value) -> Message {
    build(|m| {
        m.strings(1, op.get("tags"));
        m.string(3, op.get("description"));
        m.string(5, op.get("operationId"));
        m.strings(6, op.get("produces"));
        m.strings(7, op.get("consumes"));
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            m.message(8, parameter(p));
        }
        m.message(9, build(|r| named(r, 1, op.get("responses"), response)));
        m.strings(10, op.get("schemes"));
        if let Some(object) = op.as_object() {
            extensions(m, 13, object);
        }
    })
}

fn path_item(item: &Value) -> Message {
    build(|m| {
        for (field, method) in [
            (2, "get"),
            (3, "put"),
            (4, "post"),
            (5, "delete"),
            (8, "patch"),
        ] {
            if let Some(op) = item.get(method) {
                m.message(field, operation(op));
            }
        }
        for p in item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            m.message(9, parameter(p));
        }
    })
}

fn security_definition(d: &Value) -> Message {
    build(|m| {
        m.message(
            2,
            build(|k| {
                k.string(1, d.get("type"));
                k.string(2, d.get("name"));
                k.string(3, d.get("in"));
            }),
        )
    })
}

/// The whole document.
pub fn encode(doc: &Value) -> Vec<u8> {
    build(|m| {
        m.string(1, doc.get("swagger"));
        m.message(
            2,
            build(|i| {
                i.string(1, doc.pointer("/info/title"));
                i.string(2, doc.pointer("/info/version"));
            }),
        );
        m.message(8, build(|p| named(p, 2, doc.get("paths"), path_item)));
        m.message(9, build(|d| named(d, 1, doc.get("definitions"), schema)));
        for requirement in doc
            .get("security")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            m.message(
                12,
                build(|r| {
                    named(r, 1, Some(requirement), |scopes| {
                        build(|s| s.strings(1, Some(scopes)))
                    })
                }),
            );
        }
        m.message(
            13,
            build(|s| named(s, 1, doc.get("securityDefinitions"), security_definition)),
        );
    })
    .0
}
