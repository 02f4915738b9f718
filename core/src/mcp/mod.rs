//! MCP servers: the `[mcp_servers]` configuration, their processes and connections (the official SDK,
//! `rmcp`), the tools and resources they offer the model and the host, and the OAuth tokens of HTTP
//! servers.

pub(crate) mod call_output;
pub(crate) mod client_handler;
mod connection;
mod error;
mod host_view;
mod http_transport;
mod hub;
mod oauth_discovery;
mod oauth_login;
mod oauth_store;
mod server_config;
mod server_slot;
mod servers;
mod stdio_process;
mod tool_names;
mod tool_schema;

pub use error::McpCallError;
pub use error::McpStartError;
pub use host_view::McpAuthKind;
pub use host_view::McpServerView;
pub use hub::McpHub;
pub use oauth_login::McpOauthError;
pub use oauth_login::McpOauthLogin;
pub use oauth_login::start_oauth_login;
pub use server_config::McpServerConfig;
pub use server_config::McpToolApprovalMode;
pub use server_config::McpTransportConfig;
pub use server_config::parse_mcp_servers;
pub use server_slot::SlotStatus;
pub use servers::McpServers;
pub use servers::McpTool;
pub(crate) use tool_schema::sanitize_input_schema;
