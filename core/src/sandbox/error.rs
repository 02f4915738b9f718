//! `SandboxError`: why a sandboxed command was not run. Every variant refuses the command; none lets it run
//! with less protection.

use std::path::PathBuf;

/// Why a command cannot be put in its sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "sandbox_mode \"{mode}\" needs bubblewrap (`bwrap`), which is not installed: install it \
         (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: `dnf install bubblewrap`, Arch: `pacman -S \
         bubblewrap`), or set sandbox_mode = \"danger-full-access\" to run commands without a sandbox"
    )]
    BubblewrapMissing { mode: &'static str },
    /// bubblewrap failed before the command started; `reason` is what it printed.
    #[error(
        "sandbox_mode \"{mode}\" could not start its sandbox: {reason} (as an ordinary user, bubblewrap \
         needs unprivileged user namespaces; see the README's sandbox section); set sandbox_mode = \
         \"danger-full-access\" to run commands without a sandbox"
    )]
    Setup { mode: &'static str, reason: String },
    #[error(
        "sandbox_mode \"{mode}\" cannot keep {} read-only: it is a symbolic link, and a sandboxed command \
         could replace the link itself; replace the link with what it points to, or run the thread from \
         another directory",
        path.display()
    )]
    ProtectedSymlink { mode: &'static str, path: PathBuf },
    #[error(
        "sandbox_mode \"{mode}\" limits how many processes a command may start, which for a daemon running \
         as root takes a writable pids cgroup (the cgroup v1 `pids` hierarchy, or cgroup v2 with the `pids` \
         controller enabled): {reason}; set sandbox_mode = \"danger-full-access\" to run commands without \
         a sandbox"
    )]
    ProcessLimit { mode: &'static str, reason: String },
    #[error(
        "sandbox_mode \"{mode}\" is only enforced on Linux; set sandbox_mode = \"danger-full-access\" to \
         run commands without a sandbox"
    )]
    Unsupported { mode: &'static str },
    #[error("failed to prepare the sandbox: {0}")]
    Io(#[from] std::io::Error),
}
