//! Launching a sandboxed command where the sandbox is not implemented (anything but Linux): every restricted
//! policy is refused, so no command runs with less protection than its policy asks for.

use std::ffi::OsString;
use std::path::Path;
use std::path::PathBuf;

use super::SandboxError;
use super::policy::SandboxPolicy;

/// See the Linux implementation (`launch.rs`).
pub const DEFAULT_MAX_PROCESSES: u64 = 4096;

/// See the Linux implementation (`launch.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSettings {
    pub max_processes: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        SandboxSettings {
            max_processes: DEFAULT_MAX_PROCESSES,
        }
    }
}

pub fn configure_sandbox(_settings: SandboxSettings) {}

/// Never built: [`SandboxedCommand::prepare`] always refuses.
#[derive(Debug)]
pub struct SandboxedCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl SandboxedCommand {
    pub fn prepare(
        policy: &SandboxPolicy,
        _sandbox_cwd: &Path,
        _codex_home: &Path,
        _command: Vec<OsString>,
    ) -> Result<SandboxedCommand, SandboxError> {
        Err(SandboxError::Unsupported {
            mode: policy.mode_name(),
        })
    }

    pub fn child_setup(&self) -> impl FnMut() -> std::io::Result<()> + Send + Sync + 'static {
        || Ok(())
    }

    pub async fn release(&mut self) -> Result<(), SandboxError> {
        Ok(())
    }

    pub fn command_started(&self) -> bool {
        false
    }

    pub fn setup_error(&self, output: &str) -> SandboxError {
        SandboxError::Setup {
            mode: "",
            reason: output.to_string(),
        }
    }
}
