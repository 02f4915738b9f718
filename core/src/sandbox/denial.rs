//! `is_likely_sandbox_denial`: whether a failed command looks like it hit the sandbox, so the turn loop can
//! offer to run it again outside.

use super::policy::SandboxPolicy;
use crate::protocol::exit_code::TIMEOUT_EXIT_CODE;

/// Lower-case fragments of the errors the sandbox produces: EROFS for a write outside the writable roots,
/// EPERM for a socket, EACCES for what the mounts and namespaces hide.
const DENIAL_MARKERS: [&str; 3] = [
    "permission denied",
    "operation not permitted",
    "read-only file system",
];

/// True when `policy` restricts the command, it failed (non-zero, not a timeout) and its output shows a
/// denial. A heuristic: a command that fails on a file it may not write for other reasons looks the same.
pub fn is_likely_sandbox_denial(policy: &SandboxPolicy, exit_code: i32, output: &str) -> bool {
    if policy.is_unrestricted() || exit_code == 0 || exit_code == TIMEOUT_EXIT_CODE {
        return false;
    }
    let output = output.to_lowercase();
    DENIAL_MARKERS.iter().any(|marker| output.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restricted_failure_with_a_denial_message_is_a_likely_denial() {
        let policy = SandboxPolicy::ReadOnly;
        assert!(is_likely_sandbox_denial(
            &policy,
            1,
            "touch: cannot touch '/etc/x': Permission denied\n"
        ));
        assert!(is_likely_sandbox_denial(
            &policy,
            2,
            "mkdir: cannot create directory 'out': Operation not permitted"
        ));
        assert!(is_likely_sandbox_denial(
            &policy,
            1,
            "error: Read-only file system (os error 30)"
        ));
    }

    #[test]
    fn success_timeouts_other_errors_and_full_access_are_not_denials() {
        let policy = SandboxPolicy::ReadOnly;
        assert!(!is_likely_sandbox_denial(&policy, 0, "Permission denied"));
        assert!(!is_likely_sandbox_denial(
            &policy,
            TIMEOUT_EXIT_CODE,
            "Permission denied"
        ));
        assert!(!is_likely_sandbox_denial(
            &policy,
            1,
            "error[E0308]: mismatched types"
        ));
        assert!(!is_likely_sandbox_denial(
            &SandboxPolicy::DangerFullAccess,
            1,
            "Permission denied"
        ));
    }
}
