//! Wire types of the Codex-compatible app-server protocol (v2): the JSON-RPC envelope, every request,
//! response, notification and server->client request, and the JSON Schema / TypeScript export of them.

pub mod export;
pub mod jsonrpc;
pub mod protocol;
mod wire_type_visitor;

pub use export::generate_json_schema;
pub use export::generate_ts;
pub use jsonrpc::*;
pub use protocol::client_method::ClientMethod;
pub use protocol::common::*;
pub use protocol::experimental::ExperimentalApi;
pub use protocol::v1::*;
pub use protocol::v2::*;
