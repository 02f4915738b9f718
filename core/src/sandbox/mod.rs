//! The sandbox the agent's commands run under: the policy (what a command may write, whether it may use
//! the network) and, on Linux, its enforcement: bubblewrap's namespaces and mounts, our seccomp network
//! filter, and a process-count limit per command; also the Landlock confinement of programs the daemon runs
//! itself on the workspace (`git`), which may execute only themselves.

#[cfg(target_os = "linux")]
mod bwrap;
mod denial;
mod error;
mod executed_files;
mod landlock;
#[cfg(target_os = "linux")]
mod launch;
#[cfg(not(target_os = "linux"))]
#[path = "launch_unsupported.rs"]
mod launch;
#[cfg(target_os = "linux")]
mod pids_cgroup;
mod policy;
#[cfg(target_os = "linux")]
mod seccomp;

pub use self::landlock::LandlockRuleset;
pub use self::landlock::landlock_available;
pub use denial::is_likely_sandbox_denial;
pub use error::SandboxError;
pub use executed_files::executed_files;
pub use launch::DEFAULT_MAX_PROCESSES;
pub use launch::SandboxSettings;
pub use launch::SandboxedCommand;
pub use launch::configure_sandbox;
pub use policy::SandboxPolicy;
pub use policy::WritableRoot;
pub(crate) use policy::normalize;
pub use policy::protected_entries;
pub(crate) use policy::resolve_existing;
