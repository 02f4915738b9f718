//! The shell tool's engine: parse a `shell` / `shell_command` call, run the command in its own process group
//! with a timeout and streamed output (or drive it while it runs: stdin, PTY, terminate), and format the
//! outcome as the text returned to the model.

pub mod capped_output;
pub mod format;
pub mod params;
pub mod parse;
mod pty;
pub mod run;
pub mod session;

pub use crate::protocol::exit_code::TIMEOUT_EXIT_CODE;
pub use capped_output::CappedOutput;
pub use format::format_for_model;
pub use params::DEFAULT_EXEC_TIMEOUT;
pub use params::ExecCommand;
pub use params::ExecParams;
pub use parse::parse_shell_call;
pub use run::ExecError;
pub use run::ExecOutcome;
pub use run::ExecOutputChunk;
pub use run::ExecStream;
pub use run::run;
pub use session::SessionInput;
pub use session::SessionStdio;
pub use session::run_session;
