//! The app-server daemon: newline-delimited JSON-RPC over stdio, or WebSocket connections on a unix socket
//! or a TCP port, wire-compatible with `codex app-server` v2.
//! It never writes anything but protocol messages to stdout; see its traffic with
//! `RUST_LOG=codex_app_server=debug` (logs go to stderr).

pub mod approval_requests;
pub mod cli;
pub mod command_processes;
pub mod connection;
pub mod connection_hub;
pub mod dispatch;
pub mod dynamic_tool_requests;
pub mod dynamic_tool_specs;
pub mod engine;
pub mod error;
pub mod event_forwarder;
pub mod event_translation;
pub mod file_searches;
pub mod handlers;
pub mod history_page;
pub mod host_token_refresher;
pub mod listener;
pub mod listener_error;
pub mod mcp_elicitation_requests;
pub mod message_processor;
pub mod otel;
pub mod outgoing;
pub mod outgoing_queue;
pub mod server_state;
pub mod stdio;
pub mod unix_socket;
pub mod unsupported_params;
pub mod user_agent;
pub mod user_input_requests;
pub mod websocket;
pub mod wire_conversion;
pub mod ws_auth;
pub mod ws_auth_rejection;
pub mod ws_jwt;
