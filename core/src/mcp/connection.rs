//! One live MCP connection: started over stdio (a child process) or streamable HTTP, handshaken, its tools
//! listed, all within the start-up limit; then tool calls (with progress, a time limit and cancellation),
//! resource listings and reads. When the transport closes (the server crashed or hung up) the connection
//! says so and why, and its owner starts a new one on next use.

use std::sync::Mutex;
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequest;
use rmcp::model::CallToolRequestParams;
use rmcp::model::CallToolResult;
use rmcp::model::ClientRequest;
use rmcp::model::JsonObject;
use rmcp::model::Meta;
use rmcp::model::NumberOrString;
use rmcp::model::PaginatedRequestParams;
use rmcp::model::ProgressToken;
use rmcp::model::ReadResourceRequestParams;
use rmcp::model::ReadResourceResult;
use rmcp::model::ServerResult;
use rmcp::model::Tool;
use rmcp::service::PeerRequestOptions;
use rmcp::service::RunningService;
use rmcp::service::ServiceError;
use tokio_util::sync::CancellationToken;

use crate::mcp::client_handler::McpCaller;
use crate::mcp::client_handler::McpClientHandler;
use crate::mcp::error::McpCallError;
use crate::mcp::error::McpStartError;
use crate::mcp::http_transport::http_transport;
use crate::mcp::server_config::McpServerConfig;
use crate::mcp::server_config::McpTransportConfig;
use crate::mcp::stdio_process::ServerProcess;
use crate::mcp::stdio_process::server_env;
use crate::mcp::stdio_process::spawn_server;

/// A handshaken server and what it offers.
pub(crate) struct McpConnection {
    service: RunningService<RoleClient, McpClientHandler>,
    handler: McpClientHandler,
    process: Option<Mutex<ServerProcess>>,
    pub(crate) tools: Vec<Tool>,
}

impl McpConnection {
    /// Starts the server `name` and lists its tools, all within `config.startup_timeout`.
    pub(crate) async fn start(
        name: &str,
        config: &McpServerConfig,
        http: &reqwest::Client,
        oauth_token: Option<String>,
    ) -> Result<Self, McpStartError> {
        let limit = config.startup_timeout;
        match tokio::time::timeout(
            limit,
            Self::start_unbounded(name, config, http, oauth_token),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(McpStartError::Timeout(limit)),
        }
    }

    async fn start_unbounded(
        name: &str,
        config: &McpServerConfig,
        http: &reqwest::Client,
        oauth_token: Option<String>,
    ) -> Result<Self, McpStartError> {
        let handler = McpClientHandler::new(name);
        let (service, process) = match &config.transport {
            McpTransportConfig::Stdio {
                command,
                args,
                env,
                env_vars,
                cwd,
            } => {
                let tap = handler.clone();
                let channels = spawn_server(
                    name,
                    command,
                    args,
                    server_env(env_vars, env),
                    cwd.as_deref(),
                    Box::new(move |params| tap.deliver_progress(&params)),
                )
                .map_err(|source| McpStartError::Spawn {
                    command: command.clone(),
                    source,
                })?;
                let mut process = channels.process;
                let service = handler
                    .clone()
                    .serve((channels.sink, channels.stream))
                    .await
                    .map_err(|err| {
                        let exit = process.exit_status();
                        McpStartError::Handshake(handshake_failure(&err.to_string(), exit))
                    })?;
                (service, Some(Mutex::new(process)))
            }
            McpTransportConfig::StreamableHttp { .. } => {
                let transport = http_transport(&config.transport, http, oauth_token)?;
                let service = handler
                    .clone()
                    .serve(transport)
                    .await
                    .map_err(|err| http_handshake_failure(&err.to_string()))?;
                (service, None)
            }
        };
        let tools = service
            .peer()
            .list_all_tools()
            .await
            .map_err(|err| McpStartError::ListTools(err.to_string()))?;
        Ok(Self {
            service,
            handler,
            process,
            tools,
        })
    }

    /// Whether the transport closed (the server exited or hung up).
    pub(crate) fn is_closed(&self) -> bool {
        self.service.is_transport_closed() || self.service.is_closed()
    }

    /// Why the connection is gone, for errors: the process's exit status when there is one.
    pub(crate) fn closed_reason(&self) -> String {
        let status = self.process.as_ref().and_then(|process| {
            process
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .exit_status()
        });
        match status {
            Some(status) => format!("the MCP server exited ({status})"),
            None => "the MCP server closed the connection".to_string(),
        }
    }

    /// What the server said about itself at the handshake.
    pub(crate) fn server_info(&self) -> Option<rmcp::model::ServerInfo> {
        self.service.peer().peer_info().cloned()
    }

    /// Calls `tool` with `arguments`, reporting progress to `progress`; stops at `timeout` or `cancel`
    /// (telling the server the request is cancelled).
    pub(crate) async fn call_tool(
        &self,
        tool: &str,
        arguments: Option<JsonObject>,
        caller: Option<McpCaller>,
        timeout: Duration,
        cancel: &CancellationToken,
        progress: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> Result<CallToolResult, McpCallError> {
        let mut registration = self.handler.register_call(caller);
        let params = CallToolRequestParams {
            meta: None,
            name: tool.to_string().into(),
            arguments,
            task: None,
        };
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let mut options = PeerRequestOptions::no_options();
        options.meta = Some(Meta::with_progress_token(ProgressToken(
            NumberOrString::String(registration.progress_token.clone().into()),
        )));
        let peer = self.service.peer().clone();
        let handle = peer
            .send_request_with_option(request, options)
            .await
            .map_err(|err| self.call_error(err))?;
        let request_id = handle.id.clone();
        let mut response = handle.rx;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let outcome = loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => break Err(McpCallError::Cancelled),
                () = &mut deadline => break Err(McpCallError::Timeout(timeout)),
                Some(message) = registration.progress.recv() => {
                    let _ = progress.send(message);
                }
                answer = &mut response => break match answer {
                    Ok(Ok(ServerResult::CallToolResult(result))) => Ok(result),
                    Ok(Ok(_)) => Err(McpCallError::Protocol("the server answered a tool call with something else".to_string())),
                    Ok(Err(err)) => Err(self.call_error(err)),
                    Err(_) => Err(McpCallError::Closed(self.closed_reason())),
                },
            }
        };
        if matches!(
            outcome,
            Err(McpCallError::Cancelled | McpCallError::Timeout(_))
        ) {
            let reason = match &outcome {
                Err(McpCallError::Timeout(_)) => "request timeout",
                _ => "cancelled by the user",
            };
            send_cancelled(&peer, request_id, reason).await;
        }
        outcome
    }

    fn call_error(&self, err: ServiceError) -> McpCallError {
        match err {
            ServiceError::McpError(error) => McpCallError::Server(error.message.to_string()),
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
                McpCallError::Closed(self.closed_reason())
            }
            ServiceError::Timeout { timeout } => McpCallError::Timeout(timeout),
            ServiceError::Cancelled { .. } => McpCallError::Cancelled,
            other => McpCallError::Protocol(other.to_string()),
        }
    }

    /// One page of the server's resources.
    pub(crate) async fn list_resources(
        &self,
        cursor: Option<String>,
    ) -> Result<rmcp::model::ListResourcesResult, McpCallError> {
        self.service
            .peer()
            .list_resources(Some(page(cursor)))
            .await
            .map_err(|err| self.call_error(err))
    }

    /// One page of the server's resource templates.
    pub(crate) async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<rmcp::model::ListResourceTemplatesResult, McpCallError> {
        self.service
            .peer()
            .list_resource_templates(Some(page(cursor)))
            .await
            .map_err(|err| self.call_error(err))
    }

    pub(crate) async fn read_resource(
        &self,
        uri: &str,
    ) -> Result<ReadResourceResult, McpCallError> {
        let params = ReadResourceRequestParams {
            meta: None,
            uri: uri.to_string(),
        };
        self.service
            .peer()
            .read_resource(params)
            .await
            .map_err(|err| self.call_error(err))
    }

    /// Whether the server said it has resources.
    pub(crate) fn has_resources(&self) -> bool {
        self.server_info()
            .is_some_and(|info| info.capabilities.resources.is_some())
    }

    /// Ends the connection (and the process, when there is one).
    pub(crate) fn shutdown(&self) {
        self.service.cancellation_token().cancel();
    }
}

impl Drop for McpConnection {
    fn drop(&mut self) {
        self.service.cancellation_token().cancel();
    }
}

fn page(cursor: Option<String>) -> PaginatedRequestParams {
    PaginatedRequestParams {
        cursor,
        ..PaginatedRequestParams::default()
    }
}

async fn send_cancelled(
    peer: &rmcp::Peer<RoleClient>,
    request_id: rmcp::model::RequestId,
    reason: &str,
) {
    let mut params = rmcp::model::CancelledNotificationParam {
        request_id,
        reason: None,
    };
    params.reason = Some(reason.to_string());
    let notification = rmcp::model::CancelledNotification::new(params);
    let _ = peer.send_notification(notification.into()).await;
}

/// An HTTP handshake that failed: a 401 (rmcp words one with a challenge `Auth required`) means the server
/// wants credentials; anything else is reported as it came.
fn http_handshake_failure(error: &str) -> McpStartError {
    let lower = error.to_ascii_lowercase();
    if lower.contains("auth required") || lower.contains("401") || lower.contains("unauthorized") {
        McpStartError::AuthRequired
    } else {
        McpStartError::Handshake(format!("the MCP handshake failed: {error}"))
    }
}

/// A handshake that failed, with the exit status of a process that is gone.
fn handshake_failure(error: &str, exit: Option<std::process::ExitStatus>) -> String {
    match exit {
        Some(status) => format!("the server exited during the MCP handshake ({status})"),
        None => format!("the MCP handshake failed: {error}"),
    }
}
