//! Per-resource request handlers, one module per resource, the context every handler receives and the
//! [`Answer`] every handler returns. A handler for method `M` has one shape,
//! `async fn(RequestContext, M::Params) -> Result<Answer<M::Response>, RequestError>`, and its `///` line
//! starts with the method's name.

pub mod account;
pub mod answer;
pub mod background_terminals;
pub mod command;
pub mod command_params;
pub mod command_session;
pub mod config;
pub mod fuzzy_file_search;
pub mod mcp;
pub mod model;
pub mod review;
pub mod thread;
pub mod thread_admin;
pub mod thread_history;
pub mod thread_undo;
pub mod turn;

use std::collections::HashSet;
use std::sync::Arc;

use codex_app_server_protocol::ClientInfo;
use codex_app_server_protocol::RequestId;

pub use crate::handlers::answer::Answer;
pub use crate::handlers::answer::NotificationSink;
pub use crate::handlers::answer::StreamSink;

use crate::command_processes::CommandProcesses;
use crate::connection_hub::ConnectionId;
use crate::engine::Engine;
use crate::file_searches::FileSearches;
use crate::server_state::ServerState;

/// What the client declared at `initialize`; fixed for the connection's lifetime.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionCapabilities {
    pub client_info: ClientInfo,
    pub experimental_api: bool,
    pub opt_out_notification_methods: HashSet<String>,
}

/// Handed to every handler: shared state, the engine and the connection's capabilities. A handler speaks
/// to the client through its [`Answer`]; only what upstream streams before a response goes through
/// `stream`.
#[derive(Clone)]
pub struct RequestContext {
    pub state: Arc<ServerState>,
    pub capabilities: Arc<ConnectionCapabilities>,
    pub engine: Arc<Engine>,
    /// The connection the request came on (its subscriptions are kept in `engine.connections`).
    pub connection_id: ConnectionId,
    /// The id of the request being handled.
    pub request_id: RequestId,
    /// The connection's live `command/exec` processes.
    pub command_processes: Arc<CommandProcesses>,
    /// The connection's file searches and search sessions.
    pub file_searches: Arc<FileSearches>,
    /// Notifications written before this request's response.
    pub stream: StreamSink,
}
