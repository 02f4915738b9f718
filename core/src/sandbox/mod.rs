//! The sandbox the agent's commands run under: the policy (what a command may write, whether it may use
//! the network) and, on Linux, its enforcement with Landlock in the child process before `exec`; also the
//! confinement of programs the daemon runs itself on the workspace (`git`), which may execute only themselves.

mod denial;
mod executed_files;
mod landlock;
mod policy;

pub use self::landlock::LandlockRuleset;
pub use self::landlock::SandboxError;
pub use self::landlock::landlock_available;
pub use denial::is_likely_sandbox_denial;
pub use executed_files::executed_files;
pub use policy::SandboxPolicy;
pub use policy::WritableRoot;
pub(crate) use policy::normalize;
pub use policy::protected_entries;
pub(crate) use policy::resolve_existing;
