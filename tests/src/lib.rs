//! Test support shared by the end-to-end suites, the demo and the benchmark: a mock Responses server on
//! loopback (SSE and WebSocket, with fault injection), a harness that spawns the real `codex-app-server`
//! binary and talks JSON-RPC to it over stdio or over its listeners (`ws_client.rs`), keeping a transcript
//! of the session (`inbox.rs`), turns and model requests read as lines for whole comparisons (`turns.rs`,
//! `model_input.rs`), hostile git repositories (also used by core's tests), fake ChatGPT tokens,
//! and upstream releases with the validation of our wire against their JSON Schema; an MCP server for the
//! daemon to connect to (`mcp_test_server.rs`, launched with `mcp_server.rs`); and the check of the
//! workspace's source structure (no module cycle, no overlong file or function).

// Everything here runs inside tests, the demo or the benchmark: a setup that fails is the test's failure, so
// the workspace's ban on `unwrap`/`expect` (meant for the daemon's code) does not apply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app_server;
pub mod chatgpt_token;
pub mod hostile_repo;
pub mod inbox;
pub mod mcp_server;
pub mod mcp_test_server;
pub mod mock_model_server;
pub mod mock_provider;
pub mod model_input;
pub mod scripted_model;
pub mod source_structure;
pub mod turns;
pub mod upstream;
pub mod upstream_schema;
pub mod workspace_binary;
pub mod ws_client;
