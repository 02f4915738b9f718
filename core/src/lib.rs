//! The Codex engine: configuration, authentication, the Responses API client (HTTP SSE and WebSocket),
//! threads and their turns, tools, and the JSONL rollouts that persist them.
//! See `RUST_LOG=codex_core=debug` for its traffic; it never writes to stdout.

pub mod atomic_write;
pub mod auth;
pub mod backend;
pub mod client;
pub mod config;
pub mod context;
pub mod file_search;
pub mod mcp;
pub mod model;
mod prompt_image;
pub mod protocol;
pub mod rollout;
pub mod sandbox;
pub mod session;
mod timeout_ms;
pub mod tools;
pub mod transport_error;
pub mod user_shell;
