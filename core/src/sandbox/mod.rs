//! The sandbox the agent's commands run under: the policy (what a command may write, whether it may use
//! the network) and, on Linux, its enforcement with Landlock in the child process before `exec`.

mod policy;

pub use policy::SandboxPolicy;
