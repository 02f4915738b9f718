//! An MCP tool's input schema made fit for the Responses API, as upstream 0.171 rewrites it: only the
//! keywords a function's parameters use are kept (`type`, `description`, `properties`, `required`,
//! `items`, `enum`, `anyOf`, `additionalProperties`), an object gets `properties` when it has none, an
//! array `items` (strings) when it has none, and a property with no type at all becomes `{}`.

use serde_json::Map;
use serde_json::Value;

/// The parameters to offer for an MCP tool's `input_schema`.
pub(crate) fn sanitize_input_schema(schema: &Map<String, Value>) -> Value {
    let mut top = sanitize_object(schema);
    if let Value::Object(map) = &mut top {
        // The parameters of a function are an object whatever the server said.
        map.insert("type".to_string(), Value::String("object".to_string()));
        map.entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    top
}

fn sanitize(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => sanitize_object(map),
        // `true` (anything) and other non-schemas: no constraint.
        _ => Value::Object(Map::new()),
    }
}

fn sanitize_object(map: &Map<String, Value>) -> Value {
    let Some(kind) = map.get("type").cloned().or_else(|| inferred_type(map)) else {
        // Untyped, as upstream: an empty schema, unless it is a union.
        return match map.get("anyOf") {
            Some(Value::Array(options)) => {
                let mut out = Map::new();
                out.insert(
                    "anyOf".to_string(),
                    Value::Array(options.iter().map(sanitize).collect()),
                );
                Value::Object(out)
            }
            _ => Value::Object(Map::new()),
        };
    };
    let mut out = Map::new();
    let is = |name: &str| match &kind {
        Value::String(kind) => kind == name,
        Value::Array(kinds) => kinds.iter().any(|k| k.as_str() == Some(name)),
        _ => false,
    };
    if let Some(description) = map.get("description").filter(|d| d.is_string()) {
        out.insert("description".to_string(), description.clone());
    }
    if is("object") {
        let properties = match map.get("properties") {
            Some(Value::Object(properties)) => properties
                .iter()
                .map(|(name, schema)| (name.clone(), sanitize(schema)))
                .collect(),
            _ => Map::new(),
        };
        out.insert("properties".to_string(), Value::Object(properties));
        if let Some(required @ Value::Array(_)) = map.get("required") {
            out.insert("required".to_string(), required.clone());
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(allowed)) => {
                out.insert("additionalProperties".to_string(), Value::Bool(*allowed));
            }
            Some(schema @ Value::Object(_)) => {
                out.insert("additionalProperties".to_string(), sanitize(schema));
            }
            _ => {}
        }
    }
    if is("array") {
        let items = match map.get("items") {
            Some(items @ Value::Object(_)) => sanitize(items),
            _ => serde_json::json!({"type": "string"}),
        };
        out.insert("items".to_string(), items);
    }
    if let Some(values @ Value::Array(_)) = map.get("enum") {
        out.insert("enum".to_string(), values.clone());
    }
    if let Some(Value::Array(options)) = map.get("anyOf") {
        out.insert(
            "anyOf".to_string(),
            Value::Array(options.iter().map(sanitize).collect()),
        );
    }
    out.insert("type".to_string(), kind);
    Value::Object(out)
}

/// The type a schema without `type` evidently has.
fn inferred_type(map: &Map<String, Value>) -> Option<Value> {
    let kind = if map.contains_key("properties") || map.contains_key("required") {
        "object"
    } else if map.contains_key("items") {
        "array"
    } else if map.contains_key("enum") || map.contains_key("format") {
        "string"
    } else {
        return None;
    };
    Some(Value::String(kind.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn rewrites_as_upstream_0171_does() {
        // The schema and the parameters upstream 0.171 offered for it (observed).
        let schema = json!({"type":"object","properties":{"count":{"type":"integer","minimum":0},
            "untyped":{"description":"no type here"},
            "either":{"anyOf":[{"type":"string"},{"type":"number"}]},"list":{"type":"array"},
            "nested":{"type":"object","properties":{"flag":{"type":"boolean"}}},
            "nullable":{"type":["string","null"]},
            "enum_field":{"type":"string","enum":["a","b"]},"with_default":{"type":"string","default":"x"}}});
        let expected = json!({"type":"object","properties":{"count":{"type":"integer"},
            "either":{"anyOf":[{"type":"string"},{"type":"number"}]},
            "enum_field":{"type":"string","enum":["a","b"]},"list":{"type":"array","items":{"type":"string"}},
            "nested":{"type":"object","properties":{"flag":{"type":"boolean"}}},"nullable":{"type":["string","null"]},
            "untyped":{},"with_default":{"type":"string"}}});
        assert_eq!(sanitize_input_schema(schema.as_object().unwrap()), expected);
    }

    #[test]
    fn an_object_without_properties_gets_them() {
        let schema = json!({"type": "object", "required": ["a"], "title": "T"});
        assert_eq!(
            sanitize_input_schema(schema.as_object().unwrap()),
            json!({"type": "object", "properties": {}, "required": ["a"]})
        );
        assert_eq!(
            sanitize_input_schema(&Map::new()),
            json!({"type": "object", "properties": {}})
        );
    }
}
