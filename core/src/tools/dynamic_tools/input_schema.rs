//! A host tool's input schema as the model is offered it, made acceptable the way upstream 0.171 does:
//! the schema must be a JSON object (or `true`), not a lone `{"type": "null"}`; boolean sub-schemas become
//! `{"type": "string"}`, `const` becomes a one-value `enum`, an untyped schema gets the type its keywords
//! imply, an object gets `properties: {}` and an array `items: {"type": "string"}` when they have none.
//! Unlike upstream we keep the keywords it drops (`minimum`, `$defs`, ...): the Responses API takes them.

use serde_json::Map;
use serde_json::Value;
use serde_json::json;

/// Why an input schema cannot be offered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputSchemaError {
    #[error("tool input schema must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    /// Upstream's words.
    #[error("tool input schema must not be a singleton null type")]
    SingletonNull,
}

/// The `parameters` the model is offered for `schema`.
pub(crate) fn model_parameters(schema: &Value) -> Result<Value, InputSchemaError> {
    let mut parameters = match schema {
        Value::Object(_) | Value::Bool(_) => schema.clone(),
        Value::Null => return Err(InputSchemaError::NotAnObject("null")),
        Value::String(_) => return Err(InputSchemaError::NotAnObject("a string")),
        Value::Number(_) => return Err(InputSchemaError::NotAnObject("a number")),
        Value::Array(_) => return Err(InputSchemaError::NotAnObject("an array")),
    };
    sanitize(&mut parameters);
    if parameters.get("type") == Some(&json!("null")) {
        return Err(InputSchemaError::SingletonNull);
    }
    Ok(parameters)
}

fn sanitize(schema: &mut Value) {
    let map = match schema {
        Value::Bool(_) => {
            *schema = json!({"type": "string"});
            return;
        }
        Value::Object(map) => map,
        Value::Null | Value::Number(_) | Value::String(_) | Value::Array(_) => return,
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.values_mut().for_each(sanitize);
    }
    for key in ["items", "anyOf", "prefixItems"] {
        match map.get_mut(key) {
            Some(Value::Array(schemas)) => schemas.iter_mut().for_each(sanitize),
            Some(one) => sanitize(one),
            None => {}
        }
    }
    if let Some(additional @ Value::Object(_)) = map.get_mut("additionalProperties") {
        sanitize(additional);
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".to_string(), Value::Array(vec![value]));
    }
    if !map.contains_key("type")
        && !map.contains_key("anyOf")
        && let Some(implied) = implied_type(map)
    {
        map.insert("type".to_string(), json!(implied));
    }
    if has_type(map, "object") && !map.contains_key("properties") {
        map.insert("properties".to_string(), json!({}));
    }
    if has_type(map, "array") && !map.contains_key("items") {
        map.insert("items".to_string(), json!({"type": "string"}));
    }
}

/// The type an untyped schema's keywords imply; none for a schema that says nothing (`{}` takes anything).
fn implied_type(map: &Map<String, Value>) -> Option<&'static str> {
    let any = |keys: &[&str]| keys.iter().any(|key| map.contains_key(*key));
    if any(&["properties", "required", "additionalProperties"]) {
        Some("object")
    } else if any(&["items", "prefixItems"]) {
        Some("array")
    } else if any(&["enum", "format"]) {
        Some("string")
    } else if any(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        Some("number")
    } else {
        None
    }
}

/// Whether `type` is `name` or a list holding it.
fn has_type(map: &Map<String, Value>, name: &str) -> bool {
    match map.get("type") {
        Some(Value::String(kind)) => kind == name,
        Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == name),
        Some(_) | None => false,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn schemas_are_completed_as_upstream_0171_completes_them() {
        // Each pair as upstream 0.171 sent the host's schema to the model (probed against a mock model).
        let cases = [
            (json!({}), json!({})),
            (
                json!({"type": "object"}),
                json!({"type": "object", "properties": {}}),
            ),
            (
                json!({"properties": {"x": {"type": "string"}}}),
                json!({"type": "object", "properties": {"x": {"type": "string"}}}),
            ),
            (
                json!({"type": "object", "properties": {
                    "x": {}, "y": {"type": ["string", "null"]}, "z": {"enum": ["a", "b"]},
                    "o": {"type": "object"}, "arr": {"type": "array"}
                }}),
                json!({"type": "object", "properties": {
                    "x": {}, "y": {"type": ["string", "null"]}, "z": {"type": "string", "enum": ["a", "b"]},
                    "o": {"type": "object", "properties": {}}, "arr": {"type": "array", "items": {"type": "string"}}
                }}),
            ),
            (
                json!({"type": "array", "items": {"type": "string"}}),
                json!({"type": "array", "items": {"type": "string"}}),
            ),
            (json!(true), json!({"type": "string"})),
        ];
        for (schema, offered) in cases {
            assert_eq!(model_parameters(&schema), Ok(offered), "{schema}");
        }
    }

    #[test]
    fn const_becomes_an_enum_and_nullable_objects_get_properties() {
        assert_eq!(
            model_parameters(&json!({"type": "object", "properties": {
                "mode": {"const": "fast"}, "opt": {"type": ["object", "null"]}
            }})),
            Ok(json!({"type": "object", "properties": {
                "mode": {"type": "string", "enum": ["fast"]},
                "opt": {"type": ["object", "null"], "properties": {}}
            }}))
        );
    }

    #[test]
    fn what_cannot_be_a_schema_is_refused() {
        assert_eq!(
            model_parameters(&json!({"type": "null"})),
            Err(InputSchemaError::SingletonNull)
        );
        assert_eq!(
            model_parameters(&json!("string")),
            Err(InputSchemaError::NotAnObject("a string"))
        );
        assert_eq!(
            model_parameters(&Value::Null),
            Err(InputSchemaError::NotAnObject("null"))
        );
        assert!(
            model_parameters(&json!({"type": "object", "properties": {"x": {"type": "null"}}}))
                .is_ok()
        );
    }
}
