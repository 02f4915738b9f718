//! The resource tools offered with MCP servers, with upstream's names, descriptions and parameters:
//! `list_mcp_resources`, `list_mcp_resource_templates` and `read_mcp_resource`.

use serde_json::Value;
use serde_json::json;

pub(crate) const LIST_RESOURCES: &str = "list_mcp_resources";
pub(crate) const LIST_RESOURCE_TEMPLATES: &str = "list_mcp_resource_templates";
pub(crate) const READ_RESOURCE: &str = "read_mcp_resource";

/// The three tools' specs, as upstream offers them.
pub(crate) fn resource_tool_specs() -> Vec<Value> {
    let listing = |name: &str, description: &str, cursor: &str, server: &str| {
        json!({
            "type": "function",
            "name": name,
            "description": description,
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "cursor": {"type": "string", "description": cursor},
                    "server": {"type": "string", "description": server},
                },
                "additionalProperties": false,
            },
        })
    };
    vec![
        listing(
            LIST_RESOURCES,
            "Lists resources provided by MCP servers. Resources allow servers to share data that provides context to language models, such as files, database schemas, or application-specific information. Prefer resources over web search when possible.",
            "Opaque cursor returned by a previous list_mcp_resources call for the same server.",
            "Optional MCP server name. When omitted, lists resources from every configured server.",
        ),
        listing(
            LIST_RESOURCE_TEMPLATES,
            "Lists resource templates provided by MCP servers. Parameterized resource templates allow servers to share data that takes parameters and provides context to language models, such as files, database schemas, or application-specific information. Prefer resource templates over web search when possible.",
            "Opaque cursor returned by a previous list_mcp_resource_templates call for the same server.",
            "Optional MCP server name. When omitted, lists resource templates from all configured servers.",
        ),
        json!({
            "type": "function",
            "name": READ_RESOURCE,
            "description": "Read a specific resource from an MCP server given the server name and resource URI.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "MCP server name exactly as configured. Must match the 'server' field returned by list_mcp_resources."},
                    "uri": {"type": "string", "description": "Resource URI to read. Must be one of the URIs returned by list_mcp_resources."},
                },
                "required": ["server", "uri"],
                "additionalProperties": false,
            },
        }),
    ]
}
