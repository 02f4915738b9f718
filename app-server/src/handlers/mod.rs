//! Per-resource request handlers, one module per resource, and the context every handler receives.

pub mod account;
pub mod command;
pub mod config;
pub mod model;
pub mod thread;
pub mod thread_admin;
pub mod thread_history;
pub mod turn;

use std::collections::HashSet;
use std::sync::Arc;

use codex_app_server_protocol::ClientInfo;

use codex_app_server_protocol::ServerNotification;

use crate::connection_hub::ConnectionId;
use crate::engine::Engine;
use crate::error::RequestError;
use crate::outgoing::OutgoingMessageSender;
use crate::server_state::ServerState;

/// What the client declared at `initialize`; fixed for the connection's lifetime.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionCapabilities {
    pub client_info: ClientInfo,
    pub experimental_api: bool,
    pub opt_out_notification_methods: HashSet<String>,
}

/// Handed to every handler: shared state, the way out to the client, and the connection's capabilities.
#[derive(Clone)]
pub struct RequestContext {
    pub state: Arc<ServerState>,
    pub outgoing: OutgoingMessageSender,
    pub capabilities: Arc<ConnectionCapabilities>,
    pub engine: Arc<Engine>,
    /// The connection the request came on (its subscriptions are kept in `engine.connections`).
    pub connection_id: ConnectionId,
}

/// A typed response as the JSON result of a request.
pub(crate) fn to_value(value: impl serde::Serialize) -> Result<serde_json::Value, RequestError> {
    serde_json::to_value(value).map_err(|error| RequestError::Internal(error.to_string()))
}

/// A handler's successful answer: the result, the notifications that must follow it on the wire, and work
/// whose events must wait until the result is queued (a `PendingTurn`, a `PendingUnload`), released by
/// dropping it.
pub struct Answer {
    pub result: serde_json::Value,
    pub then_notify: Vec<ServerNotification>,
    pub then_release: Option<Box<dyn Send>>,
}

impl From<serde_json::Value> for Answer {
    fn from(result: serde_json::Value) -> Self {
        Answer {
            result,
            then_notify: Vec::new(),
            then_release: None,
        }
    }
}
