//! Threads and their turns: the loaded threads and their manager, the turn loop, and what a thread does
//! besides turns (injected items, the user's own shell commands, undoing turns).

pub(crate) mod conversation;
pub mod models_manager;
pub mod review;
pub mod thread;
pub mod thread_compaction;
pub mod thread_injection;
pub mod thread_manager;
pub mod thread_mcp;
pub mod thread_settings;
pub mod thread_shell_command;
pub mod thread_undo;
mod turn;
pub(crate) mod turn_context;
