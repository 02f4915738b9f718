//! `thread/start`'s `dynamicTools` made into the engine's host tools. What this server does not offer (a
//! namespace of tools, deferred loading) and what upstream 0.171 refuses (a list mixing its tagged specs with
//! 0.105's untagged ones, a name the Responses API would refuse or that is reserved, a duplicate, an
//! unusable input schema) is a -32602 error naming the field, e.g. `dynamicTools[1].name`; so is a name of
//! one of our built-in tools, which upstream silently drops.

use codex_app_server_protocol as wire;
use codex_core::tools::dynamic_tools::DeclaredDynamicTool;
use codex_core::tools::dynamic_tools::DynamicTool;
use codex_core::tools::dynamic_tools::checked_dynamic_tools;

use crate::error::RequestError;
use crate::unsupported_params;

const METHOD: &str = "thread/start";

/// The host tools `specs` declare, in order; none when absent.
pub fn dynamic_tools(
    specs: Option<Vec<wire::DynamicToolSpec>>,
) -> Result<Vec<DynamicTool>, RequestError> {
    let specs = specs.unwrap_or_default();
    let tagged = |spec: &wire::DynamicToolSpec| spec.kind.is_some();
    if let Some(index) = specs
        .iter()
        .position(|spec| tagged(spec) != tagged(&specs[0]))
    {
        return Err(RequestError::InvalidParams(format!(
            "{METHOD}: `{}` is invalid: dynamic tools must use either canonical or legacy format consistently",
            field(index, "type")
        )));
    }
    let mut declared = Vec::new();
    for (index, spec) in specs.into_iter().enumerate() {
        declared.push(declared_tool(index, spec)?);
    }
    checked_dynamic_tools(declared).map_err(|refused| {
        RequestError::InvalidParams(format!(
            "{METHOD}: `{}` is invalid: {}",
            field(refused.index, refused.error.field()),
            refused.error
        ))
    })
}

fn field(index: usize, name: &str) -> String {
    format!("dynamicTools[{index}].{name}")
}

/// A function tool's declaration; what this server does not offer is refused.
fn declared_tool(
    index: usize,
    spec: wire::DynamicToolSpec,
) -> Result<DeclaredDynamicTool, RequestError> {
    let wire::DynamicToolSpec {
        kind,
        name,
        description,
        input_schema,
        defer_loading,
        expose_to_context,
        tools,
    } = spec;
    match kind {
        None | Some(wire::DynamicToolKind::Function) => {}
        Some(wire::DynamicToolKind::Namespace) => {
            return Err(unsupported_params::unsupported(
                METHOD,
                &field(index, "type"),
                "namespaces of host tools are not offered; declare each tool as a function",
            ));
        }
    }
    if tools.is_some() {
        return Err(unsupported_params::unsupported(
            METHOD,
            &field(index, "tools"),
            "only a namespace has tools, and namespaces of host tools are not offered",
        ));
    }
    let deferred = defer_loading == Some(true) || expose_to_context == Some(false);
    if deferred {
        // Upstream takes a deferred tool only inside a namespace.
        return Err(unsupported_params::unsupported(
            METHOD,
            &field(index, "deferLoading"),
            "host tools are always offered to the model; there is no tool search to load them",
        ));
    }
    let input_schema = input_schema.ok_or_else(|| {
        RequestError::InvalidParams(format!(
            "{METHOD}: `{}` is required for a function",
            field(index, "inputSchema")
        ))
    })?;
    Ok(DeclaredDynamicTool {
        name,
        description,
        input_schema,
    })
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn refusal(specs: serde_json::Value) -> String {
        let specs: Vec<wire::DynamicToolSpec> = serde_json::from_value(specs).expect("specs");
        match dynamic_tools(Some(specs)) {
            Ok(tools) => panic!("accepted {tools:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn refusals_name_the_field_at_fault() {
        let tool = |name: &str| json!({"name": name, "description": "d", "inputSchema": {"type": "object"}});
        assert_eq!(
            refusal(
                json!([tool("a"), {"type": "function", "name": "b", "description": "d", "inputSchema": {}}])
            ),
            "Invalid params: thread/start: `dynamicTools[1].type` is invalid: dynamic tools must use either canonical or legacy format consistently"
        );
        assert_eq!(
            refusal(json!([tool("a"), tool("a")])),
            "Invalid params: thread/start: `dynamicTools[1].name` is invalid: duplicate dynamic tool name: a"
        );
        assert_eq!(
            refusal(json!([tool("view_image")])),
            "Invalid params: thread/start: `dynamicTools[0].name` is invalid: dynamic tool name is the name of a built-in tool: view_image"
        );
        assert_eq!(
            refusal(json!([{"name": "a", "description": "d", "inputSchema": {"type": "null"}}])),
            "Invalid params: thread/start: `dynamicTools[0].inputSchema` is invalid: dynamic tool input schema is not supported for a: tool input schema must not be a singleton null type"
        );
        assert_eq!(
            refusal(json!([{"name": "a", "description": "d"}])),
            "Invalid params: thread/start: `dynamicTools[0].inputSchema` is required for a function"
        );
        assert_eq!(
            refusal(json!([{"type": "namespace", "name": "ns", "description": "N", "tools": []}])),
            "Invalid params: thread/start: `dynamicTools[0].type` is not supported by this server (namespaces of host tools are not offered; declare each tool as a function)"
        );
        assert_eq!(
            refusal(
                json!([{"name": "a", "description": "d", "inputSchema": {}, "exposeToContext": false}])
            ),
            "Invalid params: thread/start: `dynamicTools[0].deferLoading` is not supported by this server (host tools are always offered to the model; there is no tool search to load them)"
        );
        assert_eq!(
            refusal(
                json!([{"type": "function", "name": "a", "description": "d", "inputSchema": {}, "tools": []}])
            ),
            "Invalid params: thread/start: `dynamicTools[0].tools` is not supported by this server (only a namespace has tools, and namespaces of host tools are not offered)"
        );
    }

    #[test]
    fn no_specs_and_an_empty_list_offer_nothing() {
        assert_eq!(dynamic_tools(None).map(|tools| tools.len()).ok(), Some(0));
        assert_eq!(
            dynamic_tools(Some(Vec::new()))
                .map(|tools| tools.len())
                .ok(),
            Some(0)
        );
    }
}
