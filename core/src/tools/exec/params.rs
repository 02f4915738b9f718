//! `ExecParams`: what to run, where, for how long, with which extra environment and under which sandbox.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::sandbox::SandboxPolicy;

/// Applied when the model gives no `timeout_ms`; matches upstream's 10 s default.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_millis(10_000);

/// The program to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecCommand {
    /// An argv vector run directly (the `shell` tool): the first element is the program.
    Argv(Vec<String>),
    /// A script run by the user's shell as `$SHELL -lc <script>` (or `-c` when `login` is false), as the
    /// `shell_command` tool does.
    ShellScript { script: String, login: bool },
}

/// Everything `run` needs to execute one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecParams {
    pub command: ExecCommand,
    pub cwd: PathBuf,
    /// After this the whole process group is killed and the outcome reports exit code 124.
    pub timeout: Duration,
    /// Variables set on top of the daemon's own environment (overriding same-named ones).
    pub env: HashMap<String, String>,
    /// What the command may write and whether it may use the network (see `crate::sandbox`).
    pub sandbox: SandboxPolicy,
    /// The directory the policy's writable roots are computed from: the turn's working directory, not the
    /// command's `workdir`, so a command cannot widen its sandbox by choosing where it runs.
    pub sandbox_cwd: PathBuf,
    /// The daemon's `CODEX_HOME`: read-only to the command even where a writable root holds it.
    pub codex_home: PathBuf,
}
