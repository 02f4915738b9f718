//! The exit codes the engine reports for commands that did not exit on their own, as shells and coreutils
//! do, so the sandbox, the tools and the host read them the same way.

/// Reported as the exit code of a command killed by its timeout, like upstream (and coreutils `timeout`).
pub const TIMEOUT_EXIT_CODE: i32 = 124;
/// A command killed by signal N reports 128 + N, as shells do.
pub const SIGNAL_EXIT_CODE_BASE: i32 = 128;
