//! Every v2 payload type, one resource a file.

pub mod account;
pub mod approval;
pub mod background_terminals;
pub mod collaboration;
pub mod command_exec;
pub mod config;
pub mod dynamic_tools;
pub mod fuzzy_file_search;
pub mod item;
pub mod mcp_elicitation;
pub mod mcp_elicitation_schema;
pub mod mcp_model;
pub mod mcp_oauth;
pub mod mcp_server_calls;
pub mod mcp_server_status;
pub mod model;
pub mod notification;
pub mod rate_limits;
pub mod review;
pub mod shared;
pub mod thread;
pub mod thread_admin;
pub mod thread_history;
pub mod thread_undo;
pub mod turn;
pub mod user_input;
pub mod user_input_request;

pub use account::*;
pub use approval::*;
pub use background_terminals::*;
pub use collaboration::*;
pub use command_exec::*;
pub use config::*;
pub use dynamic_tools::*;
pub use fuzzy_file_search::*;
pub use item::*;
pub use mcp_elicitation::*;
pub use mcp_elicitation_schema::*;
pub use mcp_model::*;
pub use mcp_oauth::*;
pub use mcp_server_calls::*;
pub use mcp_server_status::*;
pub use model::*;
pub use notification::*;
pub use rate_limits::*;
pub use review::*;
pub use shared::*;
pub use thread::*;
pub use thread_admin::*;
pub use thread_history::*;
pub use thread_undo::*;
pub use turn::*;
pub use user_input::*;
pub use user_input_request::*;

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod mcp_tests;
