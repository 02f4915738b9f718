//! The daemon's side of one MCP connection: what it tells the server about itself at the handshake
//! (name, version, elicitation support), and where the server's requests and notifications go. Progress
//! reaches the call it belongs to (by progress token); a question for the user (elicitation) reaches the
//! host of the most recent call still running on this server, and is declined when there is none or the
//! approval policy forbids asking.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;

use rmcp::ClientHandler;
use rmcp::ErrorData as McpError;
use rmcp::model::ClientCapabilities;
use rmcp::model::ClientInfo;
use rmcp::model::CreateElicitationRequestParams;
use rmcp::model::CreateElicitationResult;
use rmcp::model::ElicitationAction as RmcpAction;
use rmcp::model::ElicitationCapability;
use rmcp::model::FormElicitationCapability;
use rmcp::model::Implementation;
use rmcp::model::NumberOrString;
use rmcp::model::ProgressNotificationParam;
use rmcp::model::ProgressToken;
use rmcp::model::UrlElicitationCapability;
use rmcp::service::NotificationContext;
use rmcp::service::RequestContext;
use rmcp::service::RoleClient;
use tokio::sync::mpsc;

use crate::client::identity::CLI_VERSION;
use crate::protocol::event::EventMsg;
use crate::protocol::event_sink::EventSink;
use crate::protocol::mcp::ElicitationAction;
use crate::protocol::mcp::ElicitationReply;
use crate::protocol::mcp::McpElicitationRequest;

/// Who is calling a server right now: the thread to ask when the server has a question.
#[derive(Debug, Clone)]
pub(crate) struct McpCaller {
    pub(crate) events: EventSink,
    pub(crate) turn_id: Option<String>,
    /// False when the approval policy rejects MCP elicitations without asking (granular).
    pub(crate) may_ask: bool,
    /// The caller's turn was interrupted: a question still open is withdrawn.
    pub(crate) cancel: Option<tokio_util::sync::CancellationToken>,
}

/// What a connection routes: progress senders by token, callers by call.
#[derive(Debug, Default)]
struct Routes {
    progress: HashMap<String, mpsc::UnboundedSender<String>>,
    /// Calls in flight, oldest first, by call number.
    callers: Vec<(u64, McpCaller)>,
}

/// The handler rmcp runs for one connection; clones share the routes.
#[derive(Debug, Clone)]
pub(crate) struct McpClientHandler {
    server: Arc<str>,
    routes: Arc<Mutex<Routes>>,
    next_call: Arc<AtomicU64>,
}

/// One call registered with its connection; dropping it unregisters.
pub(crate) struct CallRegistration {
    handler: McpClientHandler,
    number: u64,
    pub(crate) progress_token: String,
    pub(crate) progress: mpsc::UnboundedReceiver<String>,
}

impl Drop for CallRegistration {
    fn drop(&mut self) {
        let mut routes = self.handler.routes();
        routes.progress.remove(&self.progress_token);
        routes.callers.retain(|(number, _)| *number != self.number);
    }
}

impl McpClientHandler {
    pub(crate) fn new(server: &str) -> Self {
        Self {
            server: Arc::from(server),
            routes: Arc::default(),
            next_call: Arc::new(AtomicU64::new(1)),
        }
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a call: its progress token (to send with the request) and its caller.
    pub(crate) fn register_call(&self, caller: Option<McpCaller>) -> CallRegistration {
        let number = self.next_call.fetch_add(1, Ordering::Relaxed);
        let progress_token = format!("codex-call-{number}");
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut routes = self.routes();
        routes.progress.insert(progress_token.clone(), sender);
        if let Some(caller) = caller {
            routes.callers.push((number, caller));
        }
        drop(routes);
        CallRegistration {
            handler: self.clone(),
            number,
            progress_token,
            progress: receiver,
        }
    }

    /// Hands a progress notification to the call it belongs to (by its token).
    pub(crate) fn deliver_progress(&self, params: &ProgressNotificationParam) {
        let key = token_key(&params.progress_token);
        if let Some(sender) = self.routes().progress.get(&key) {
            let _ = sender.send(progress_message(params));
        }
    }

    fn latest_caller(&self) -> Option<McpCaller> {
        self.routes()
            .callers
            .last()
            .map(|(_, caller)| caller.clone())
    }
}

fn token_key(token: &ProgressToken) -> String {
    match &token.0 {
        NumberOrString::Number(number) => number.to_string(),
        NumberOrString::String(text) => text.to_string(),
    }
}

/// `message`, else `progress/total` as upstream words it.
fn progress_message(params: &ProgressNotificationParam) -> String {
    if let Some(message) = params.message.as_ref().filter(|m| !m.is_empty()) {
        return message.clone();
    }
    match params.total {
        Some(total) => format!("{}/{}", params.progress, total),
        None => params.progress.to_string(),
    }
}

fn declined() -> CreateElicitationResult {
    CreateElicitationResult {
        action: RmcpAction::Decline,
        content: None,
    }
}

impl ClientHandler for McpClientHandler {
    fn get_info(&self) -> ClientInfo {
        // As upstream 0.171 introduces itself (observed): its name, title and version, form and URL
        // elicitation.
        ClientInfo {
            capabilities: ClientCapabilities {
                elicitation: Some(ElicitationCapability {
                    form: Some(FormElicitationCapability::default()),
                    url: Some(UrlElicitationCapability::default()),
                }),
                ..ClientCapabilities::default()
            },
            client_info: Implementation {
                name: "codex-mcp-client".to_string(),
                title: Some("Codex".to_string()),
                version: CLI_VERSION.to_string(),
                ..Implementation::default()
            },
            ..ClientInfo::default()
        }
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.deliver_progress(&params);
    }

    async fn create_elicitation(
        &self,
        request: CreateElicitationRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateElicitationResult, McpError> {
        let Some(caller) = self.latest_caller() else {
            tracing::info!(mcp_server = %self.server, "declining an elicitation: no call is running");
            return Ok(declined());
        };
        if !caller.may_ask {
            return Ok(declined());
        }
        let params = serde_json::to_value(&request)
            .map_err(|err| McpError::internal_error(err.to_string(), None))?;
        let (reply, answer) = ElicitationReply::channel();
        caller
            .events
            .emit(EventMsg::McpElicitationRequested(McpElicitationRequest {
                server: self.server.to_string(),
                turn_id: caller.turn_id.clone(),
                params,
                reply,
            }))
            .await;
        // No answer (the host went away, the caller's turn was interrupted): the user did not answer.
        let cancelled = async {
            match &caller.cancel {
                Some(cancel) => cancel.cancelled().await,
                None => std::future::pending().await,
            }
        };
        let answer = tokio::select! {
            answer = answer => answer.ok(),
            () = cancelled => None,
        };
        let Some(answer) = answer else {
            return Ok(CreateElicitationResult {
                action: RmcpAction::Cancel,
                content: None,
            });
        };
        Ok(CreateElicitationResult {
            action: match answer.action {
                ElicitationAction::Accept => RmcpAction::Accept,
                ElicitationAction::Decline => RmcpAction::Decline,
                ElicitationAction::Cancel => RmcpAction::Cancel,
            },
            content: answer.content,
        })
    }
}
