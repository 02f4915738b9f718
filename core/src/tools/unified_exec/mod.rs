//! Unified exec: the model's long-lived commands. `exec_command` starts a command (on a PTY when asked) and
//! returns what it printed within its yield time, with a session id when it is still running;
//! `write_stdin` types into a session (or just polls it) and returns what it printed since. Sessions belong
//! to their thread: they outlive turns, are capped in number, and end with the thread, an interrupt, or
//! the daemon. Here: the sessions and what they print; the two calls themselves are `unified_exec_call`.

pub(crate) mod args;
mod output_buffer;
pub(crate) mod process;
pub mod sessions;
pub(crate) mod spec;
pub(crate) mod truncation;

pub use sessions::BackgroundTerminal;
pub use sessions::UnifiedExecSessions;
