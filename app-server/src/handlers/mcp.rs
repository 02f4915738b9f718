//! The MCP methods: `mcpServerStatus/list` (the servers, their tools, resources and sign-in state),
//! `config/mcpServer/reload`, `mcpServer/tool/call` and `mcpServer/resource/read` (through a loaded
//! thread's servers, or the current configuration's), and `mcpServer/oauth/login` (a browser sign-in whose
//! end is announced with `mcpServer/oauthLogin/completed`).

use std::collections::BTreeMap;
use std::sync::Arc;

use codex_app_server_protocol as wire;
use codex_core::mcp::McpAuthKind;
use codex_core::mcp::McpCallError;
use codex_core::mcp::McpServerView;
use codex_core::mcp::McpServers;
use codex_core::mcp::SlotStatus;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::loaded_thread;
use crate::handlers::thread::thread_error;
use crate::unsupported_params::refuse_if;

/// The page size of `mcpServerStatus/list` when the host gives none.
const DEFAULT_PAGE: usize = 100;

/// The servers of `thread_id`, or those a new thread would use now.
fn servers(
    context: &RequestContext,
    thread_id: Option<&str>,
) -> Result<Arc<McpServers>, RequestError> {
    match thread_id {
        Some(thread_id) => Ok(Arc::clone(loaded_thread(context, thread_id)?.mcp_servers())),
        None => context
            .engine
            .threads
            .mcp_servers_now()
            .map_err(thread_error),
    }
}

/// An MCP method's `environmentId`: this server has no execution environments to select.
fn refuse_environment(method: &str, environment_id: Option<&String>) -> Result<(), RequestError> {
    refuse_if(
        method,
        "environmentId",
        environment_id.is_some(),
        "this server has no execution environments",
    )
}

fn call_error(error: McpCallError) -> RequestError {
    match error {
        McpCallError::UnknownServer(_) => RequestError::InvalidParams(error.to_string()),
        other => RequestError::Rejected(other.to_string()),
    }
}

/// `mcpServerStatus/list`.
pub async fn list_status(
    context: RequestContext,
    params: wire::ListMcpServerStatusParams,
) -> Result<Answer<wire::ListMcpServerStatusResponse>, RequestError> {
    refuse_environment("mcpServerStatus/list", params.environment_id.as_ref())?;
    let servers = servers(&context, params.thread_id.as_deref())?;
    if let Some(name) = &params.server_name
        && servers.config(name).is_none()
    {
        return Err(RequestError::InvalidParams(format!(
            "unknown MCP server `{name}`"
        )));
    }
    let with_resources = params.detail != Some(wire::McpServerStatusDetail::ToolsAndAuthOnly);
    let mut views = servers.views(with_resources).await;
    views.retain(|view| {
        params
            .server_name
            .as_ref()
            .is_none_or(|name| &view.name == name)
    });
    let start = match &params.cursor {
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|start| *start <= views.len())
            .ok_or_else(|| RequestError::InvalidParams(format!("invalid cursor: {cursor}")))?,
        None => 0,
    };
    let limit = params.limit.map_or(DEFAULT_PAGE, |limit| {
        usize::try_from(limit.max(1)).unwrap_or(DEFAULT_PAGE)
    });
    let end = start.saturating_add(limit).min(views.len());
    let next_cursor = (end < views.len()).then(|| end.to_string());
    let data = views
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(server_status)
        .collect();
    Ok(Answer::new(wire::ListMcpServerStatusResponse {
        data,
        next_cursor,
    }))
}

fn server_status(view: McpServerView) -> wire::McpServerStatus {
    let tools: BTreeMap<String, wire::Tool> = view
        .tools
        .into_iter()
        .filter_map(|tool| serde_json::from_value::<wire::Tool>(tool).ok())
        .map(|tool| (tool.name.clone(), tool))
        .collect();
    let runtime_status = match (&view.status, view.auth) {
        (SlotStatus::Failed(_), McpAuthKind::NotLoggedIn) => {
            wire::McpServerConnectionStatus::AuthenticationRequired
        }
        (SlotStatus::NotStarted, _) => wire::McpServerConnectionStatus::NotStarted,
        (SlotStatus::Starting, _) => wire::McpServerConnectionStatus::Starting,
        (SlotStatus::Ready, _) => wire::McpServerConnectionStatus::Connected,
        (SlotStatus::Failed(_), _) => wire::McpServerConnectionStatus::Failed,
        (SlotStatus::Disabled, _) => wire::McpServerConnectionStatus::Disabled,
    };
    let tools_error = match &view.status {
        SlotStatus::Failed(reason) if tools.is_empty() => Some(reason.clone()),
        _ => None,
    };
    wire::McpServerStatus {
        name: view.name,
        tools,
        resources: from_values(view.resources),
        resource_templates: from_values(view.resource_templates),
        auth_status: match view.auth {
            McpAuthKind::Unsupported => wire::McpAuthStatus::Unsupported,
            McpAuthKind::NotLoggedIn => wire::McpAuthStatus::NotLoggedIn,
            McpAuthKind::BearerToken => wire::McpAuthStatus::BearerToken,
            McpAuthKind::OAuth => wire::McpAuthStatus::OAuth,
        },
        server_info: view
            .server_info
            .and_then(|info| serde_json::from_value(info).ok()),
        runtime_status: Some(runtime_status),
        server_capabilities: view.capabilities,
        tool_list_meta: None,
        http_origin: view.http_origin,
        tools_error,
        environment_id: None,
        plugin_id: None,
    }
}

fn from_values<T: serde::de::DeserializeOwned>(values: Vec<serde_json::Value>) -> Vec<T> {
    values
        .into_iter()
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect()
}

/// `config/mcpServer/reload`.
pub async fn reload(
    context: RequestContext,
    _params: Option<wire::NoParams>,
) -> Result<Answer<wire::McpServerRefreshResponse>, RequestError> {
    context.engine.threads.reload_mcp_servers();
    Ok(Answer::new(wire::McpServerRefreshResponse {}))
}

/// `mcpServer/tool/call`.
pub async fn call_tool(
    context: RequestContext,
    params: wire::McpServerToolCallParams,
) -> Result<Answer<wire::McpServerToolCallResponse>, RequestError> {
    refuse_environment("mcpServer/tool/call", params.environment_id.as_ref())?;
    refuse_if(
        "mcpServer/tool/call",
        "_meta",
        params.meta.as_ref().is_some_and(|meta| !meta.is_null()),
        "request metadata is not passed to MCP servers",
    )?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let result = thread
        .call_mcp_tool(&params.server, &params.tool, params.arguments)
        .await
        .map_err(call_error)?;
    let response = serde_json::from_value(result)
        .map_err(|err| RequestError::Internal(format!("the tool's result: {err}")))?;
    Ok(Answer::new(response))
}

/// `mcpServer/resource/read`.
pub async fn read_resource(
    context: RequestContext,
    params: wire::McpResourceReadParams,
) -> Result<Answer<wire::McpResourceReadResponse>, RequestError> {
    let method = "mcpServer/resource/read";
    refuse_environment(method, params.environment_id.as_ref())?;
    refuse_if(
        method,
        "connectorId",
        params.connector_id.is_some(),
        "hosted apps are not supported",
    )?;
    refuse_if(
        method,
        "target",
        params.target.is_some(),
        "hosted apps are not supported",
    )?;
    refuse_if(
        method,
        "originCallId",
        params.origin_call_id.is_some(),
        "hosted apps are not supported",
    )?;
    refuse_if(
        method,
        "_meta",
        params.meta.as_ref().is_some_and(|meta| !meta.is_empty()),
        "request metadata is not passed to MCP servers",
    )?;
    let contents = match &params.thread_id {
        Some(thread_id) => {
            loaded_thread(&context, thread_id)?
                .read_mcp_resource(&params.server, &params.uri)
                .await
        }
        None => {
            servers(&context, None)?
                .read_resource_for_host(&params.server, &params.uri)
                .await
        }
    }
    .map_err(call_error)?;
    let contents = serde_json::from_value(contents)
        .map_err(|err| RequestError::Internal(format!("the resource's contents: {err}")))?;
    Ok(Answer::new(wire::McpResourceReadResponse {
        contents,
        origin_call_id: None,
    }))
}

/// How long a sign-in waits for the browser when the host gives no `timeoutSecs`.
const DEFAULT_LOGIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// `mcpServer/oauth/login`: starts the sign-in and answers its URL; `mcpServer/oauthLogin/completed`
/// follows when it ends.
pub async fn oauth_login(
    context: RequestContext,
    params: wire::McpServerOauthLoginParams,
) -> Result<Answer<wire::McpServerOauthLoginResponse>, RequestError> {
    let method = "mcpServer/oauth/login";
    refuse_environment(method, params.environment_id.as_ref())?;
    refuse_if(
        method,
        "clientRegistration",
        params.client_registration == Some(wire::McpServerOauthClientRegistration::Cimd),
        "only dynamic client registration is supported",
    )?;
    let servers = servers(&context, params.thread_id.as_deref())?;
    let Some(config) = servers.config(&params.name) else {
        return Err(RequestError::InvalidParams(format!(
            "unknown MCP server `{}`",
            params.name
        )));
    };
    let codex_core::mcp::McpTransportConfig::StreamableHttp { url, .. } = config.transport.clone()
    else {
        return Err(RequestError::InvalidParams(format!(
            "MCP server `{}` is not an HTTP server; OAuth login is only for servers configured with `url`",
            params.name
        )));
    };
    let timeout = match params.timeout_secs {
        Some(secs) if secs > 0 => std::time::Duration::from_secs(secs.unsigned_abs()),
        Some(secs) => {
            return Err(RequestError::InvalidParams(format!(
                "timeoutSecs must be positive, got {secs}"
            )));
        }
        None => DEFAULT_LOGIN_TIMEOUT,
    };
    let scopes = params
        .scopes
        .clone()
        .unwrap_or_else(|| config.scopes.clone());
    let threads = &context.engine.threads;
    let callback_port = threads.mcp_oauth_callback_port().map_err(thread_error)?;
    let login = codex_core::mcp::start_oauth_login(
        threads.codex_home(),
        &params.name,
        url.as_str(),
        &scopes,
        timeout,
        callback_port,
        &reqwest::Client::new(),
    )
    .await
    .map_err(|err| RequestError::Rejected(err.to_string()))?;
    let response = wire::McpServerOauthLoginResponse {
        authorization_url: login.authorization_url,
        login_id: Some(login.login_id.clone()),
    };
    let engine = Arc::clone(&context.engine);
    let (name, login_id, thread_id) = (params.name, login.login_id, params.thread_id);
    let completion = login.completion;
    Ok(Answer::new(response).then_spawn(move |sink| async move {
        let outcome = completion
            .await
            .unwrap_or_else(|_| Err("the sign-in ended without a result".to_string()));
        if outcome.is_ok() {
            // Threads started from now on connect with the new tokens.
            engine.threads.reload_mcp_servers();
        }
        sink.notify(wire::ServerNotification::McpServerOauthLoginCompleted(
            wire::McpServerOauthLoginCompletedNotification {
                name,
                success: outcome.is_ok(),
                error: outcome.err(),
                login_id: Some(login_id),
                thread_id,
            },
        ))
        .await;
    }))
}
