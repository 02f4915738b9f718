//! The Codex engine: configuration, authentication, the Responses API client (HTTP SSE and WebSocket),
//! threads and their turns, tools, and the JSONL rollouts that persist them.
//! See `RUST_LOG=codex_core=debug` for its traffic; it never writes to stdout.

pub mod atomic_write;
pub mod auth;
pub mod backend;
pub mod client;
pub mod config;
pub mod environment_context;
pub mod event;
pub mod git_ceilings;
mod git_command;
pub mod git_info;
pub mod model_catalog;
pub mod model_info;
pub mod model_provider;
pub mod models_manager;
pub mod project_doc;
pub mod rate_limit;
pub mod rate_limit_store;
pub mod response_item;
pub mod rollout;
pub mod sandbox;
pub mod thread;
pub mod thread_injection;
pub mod thread_manager;
pub mod thread_shell_command;
mod timeout_ms;
pub mod token_usage;
pub mod tools;
pub mod tools_spec;
pub mod transport_error;
mod turn;
pub mod turn_item;
pub mod turn_metadata;
pub mod turn_outcome;
