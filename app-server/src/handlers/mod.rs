//! Per-resource request handlers, one module per resource, and the context every handler receives.

pub mod account;
pub mod command;
pub mod config;
pub mod model;

use std::collections::HashSet;
use std::sync::Arc;

use codex_app_server_protocol::ClientInfo;

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
}
