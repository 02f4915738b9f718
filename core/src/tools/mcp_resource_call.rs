//! Running the resource tools offered with MCP servers (specs in `mcp_resource_specs`):
//! `list_mcp_resources` and `list_mcp_resource_templates` (one server with paging, or every ready server)
//! and `read_mcp_resource`. Each answers the model with JSON text; a failure is explained in text.

use serde::Deserialize;
use serde_json::Value;
use serde_json::json;

use crate::mcp::McpCallError;
use crate::mcp::McpServers;
use crate::tools::mcp_resource_specs::LIST_RESOURCE_TEMPLATES;
use crate::tools::mcp_resource_specs::LIST_RESOURCES;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::ToolRun;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArguments {
    server: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadArguments {
    server: String,
    uri: String,
}

/// Which listing.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Resources,
    Templates,
}

impl ToolRun<'_> {
    /// Runs one of the resource tools (`name`) with `arguments` (JSON text).
    pub(crate) async fn mcp_resource_call(&self, name: &str, arguments: &str) -> Handled {
        self.settle_approvals();
        let servers = self.ctx.settings.mcp.servers();
        let answer = match name {
            LIST_RESOURCES => list(servers, Listing::Resources, arguments).await,
            LIST_RESOURCE_TEMPLATES => list(servers, Listing::Templates, arguments).await,
            _ => read(servers, arguments).await,
        };
        Handled::text_only(match answer {
            Ok(value) => value.to_string(),
            Err(message) => format!("err: {message}"),
        })
    }
}

fn parse<T: serde::de::DeserializeOwned + Default>(arguments: &str) -> Result<T, String> {
    if arguments.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(arguments)
        .map_err(|err| format!("failed to parse function arguments: {err}"))
}

async fn list(servers: &McpServers, listing: Listing, arguments: &str) -> Result<Value, String> {
    let arguments: ListArguments = parse(arguments)?;
    let key = match listing {
        Listing::Resources => "resources",
        Listing::Templates => "resourceTemplates",
    };
    match arguments.server {
        Some(server) => {
            let (items, next_cursor) = list_page(servers, &server, listing, arguments.cursor)
                .await
                .map_err(|err| err.to_string())?;
            let items: Vec<Value> = items
                .into_iter()
                .map(|item| with_server(item, &server))
                .collect();
            Ok(json!({"server": server, key: items, "nextCursor": next_cursor}))
        }
        None if arguments.cursor.is_some() => {
            Err("a cursor can only be used together with the server it came from".to_string())
        }
        None => {
            let mut all = Vec::new();
            for server in servers.server_names() {
                // Every page of every server that answers; a server that cannot is left out.
                let mut cursor = None;
                loop {
                    match list_page(servers, &server, listing, cursor).await {
                        Ok((items, next)) => {
                            all.extend(items.into_iter().map(|item| with_server(item, &server)));
                            cursor = next;
                        }
                        Err(err) => {
                            tracing::info!(mcp_server = %server, "listing {key} failed: {err}");
                            break;
                        }
                    }
                    if cursor.is_none() {
                        break;
                    }
                }
            }
            Ok(json!({key: all}))
        }
    }
}

fn with_server(mut item: Value, server: &str) -> Value {
    if let Value::Object(map) = &mut item {
        map.insert("server".to_string(), Value::String(server.to_string()));
    }
    item
}

/// One page of a server's resources or templates, as JSON values.
async fn list_page(
    servers: &McpServers,
    server: &str,
    listing: Listing,
    cursor: Option<String>,
) -> Result<(Vec<Value>, Option<String>), McpCallError> {
    let connection = servers.connection(server).await?;
    if !connection.has_resources() {
        return Ok((Vec::new(), None));
    }
    match listing {
        Listing::Resources => {
            let page = connection.list_resources(cursor).await?;
            let items = page
                .resources
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
            Ok((items, page.next_cursor))
        }
        Listing::Templates => {
            let page = connection.list_resource_templates(cursor).await?;
            let items = page
                .resource_templates
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
            Ok((items, page.next_cursor))
        }
    }
}

async fn read(servers: &McpServers, arguments: &str) -> Result<Value, String> {
    let arguments: ReadArguments = serde_json::from_str(arguments)
        .map_err(|err| format!("failed to parse function arguments: {err}"))?;
    let connection = servers
        .connection(&arguments.server)
        .await
        .map_err(|err| err.to_string())?;
    let result = connection
        .read_resource(&arguments.uri)
        .await
        .map_err(|err| format!("reading {} failed: {err}", arguments.uri))?;
    Ok(json!({
        "server": arguments.server,
        "uri": arguments.uri,
        "contents": serde_json::to_value(&result.contents).unwrap_or(Value::Null),
    }))
}
