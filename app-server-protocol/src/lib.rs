//! Wire types of the Codex-compatible app-server protocol (v2): the JSON-RPC envelope, every request,
//! response, notification and server->client request, and the JSON Schema / TypeScript export of them.

pub mod jsonrpc;

pub use jsonrpc::*;
