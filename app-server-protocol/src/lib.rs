//! Wire types of the Codex-compatible app-server protocol (v2): the JSON-RPC envelope, every request,
//! response, notification and server->client request, and the JSON Schema / TypeScript export of them.

pub mod export;
pub mod jsonrpc;
pub mod protocol;

pub use export::generate_json_schema;
pub use export::generate_ts;
pub use jsonrpc::*;
pub use protocol::common::*;
pub use protocol::experimental::ExperimentalApi;
pub use protocol::v1::*;
pub use protocol::v2::*;
