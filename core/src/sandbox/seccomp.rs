//! The seccomp filter bubblewrap installs (`--seccomp FD`) right before it starts a sandboxed command.
//!
//! Without network access it refuses every socket (`socket(2)` of any family: TCP, UDP, raw, netlink, and
//! Unix sockets, which reach docker.sock, ssh-agent or D-Bus through the filesystem), datagram and non-Unix
//! `socketpair(2)`s, and io_uring (its `IORING_OP_SOCKET` / `IORING_OP_CONNECT` would bypass the filter),
//! all with EPERM. A stream `socketpair` stays allowed: it only connects the command's own processes
//! (shells, Python, libuv use one for pipes). With network access the filter allows everything; it is still
//! installed, because bubblewrap reading it is how the daemon knows the sandbox was set up.
//!
//! The program is written out by hand rather than with a filter compiler so that every path is visible: a
//! syscall of a foreign ABI (i386 on x86_64, arm32 on aarch64) kills the process, and the x32 ABI (the same
//! numbers with bit 30 set) is refused outright, which compilers keyed on syscall numbers miss.

use libc::sock_filter;

/// Why no filter exists for this machine.
#[derive(Debug, thiserror::Error)]
#[error("the network filter is implemented for x86_64 and aarch64 only")]
pub(super) struct UnsupportedArchitecture;

/// The filter for a command with or without network access.
pub(super) fn filter(network_access: bool) -> Result<Vec<sock_filter>, UnsupportedArchitecture> {
    if network_access {
        return Ok(vec![ret(libc::SECCOMP_RET_ALLOW)]);
    }
    network_filter()
}

/// The program as bubblewrap reads it: the instructions' bytes, in the machine's order.
pub(super) fn to_bytes(filter: &[sock_filter]) -> Vec<u8> {
    filter
        .iter()
        .flat_map(|instruction| {
            let mut bytes = Vec::with_capacity(8);
            bytes.extend(instruction.code.to_ne_bytes());
            bytes.push(instruction.jt);
            bytes.push(instruction.jf);
            bytes.extend(instruction.k.to_ne_bytes());
            bytes
        })
        .collect()
}

fn ret(action: u32) -> sock_filter {
    jump(libc::BPF_RET | libc::BPF_K, action, 0, 0)
}

/// `if (A <op> k) skip jt instructions else skip jf`; the offsets count from the next instruction.
fn jump(code: u32, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn network_filter() -> Result<Vec<sock_filter>, UnsupportedArchitecture> {
    Err(UnsupportedArchitecture)
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use native::network_filter;

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod native {
    use libc::sock_filter;

    use super::UnsupportedArchitecture;
    use super::jump;
    use super::ret;

    /// `AUDIT_ARCH_*` of the native ABI (`EM_X86_64` / `EM_AARCH64`, 64-bit, little-endian).
    #[cfg(target_arch = "x86_64")]
    const NATIVE_ARCH: u32 = 0xC000_003E;
    #[cfg(target_arch = "aarch64")]
    const NATIVE_ARCH: u32 = 0xC000_00B7;
    /// Syscall numbers of the x32 ABI carry this bit; aarch64 has no such ABI and no number this high.
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;

    // Offsets into `struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; }`; the low half of an
    // argument comes first on these little-endian targets.
    const OFFSET_NR: u32 = 0;
    const OFFSET_ARCH: u32 = 4;
    const OFFSET_ARG0_LOW: u32 = 16;
    const OFFSET_ARG1_LOW: u32 = 24;
    /// The socket type's bits in `socketpair`'s second argument (the rest are `SOCK_CLOEXEC` / `NONBLOCK`).
    const SOCK_TYPE_MASK: u32 = 0xF;

    const RET_ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    const RET_EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    const RET_KILL: u32 = libc::SECCOMP_RET_KILL_PROCESS;

    fn load(offset: u32) -> sock_filter {
        statement(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, offset)
    }

    fn statement(code: u32, k: u32) -> sock_filter {
        jump(code, k, 0, 0)
    }

    fn if_equal(k: u32, jt: u8, jf: u8) -> sock_filter {
        jump(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K, k, jt, jf)
    }

    fn if_at_least(k: u32, jt: u8, jf: u8) -> sock_filter {
        jump(libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K, k, jt, jf)
    }

    /// The filter; the comments number the instructions, and the jump offsets follow from them.
    pub(super) fn network_filter() -> Result<Vec<sock_filter>, UnsupportedArchitecture> {
        Ok(vec![
            /* 0 */ load(OFFSET_ARCH),
            /* 1 */ if_equal(NATIVE_ARCH, 1, 0),
            /* 2 */ ret(RET_KILL),
            /* 3 */ load(OFFSET_NR),
            /* 4 */ if_at_least(X32_SYSCALL_BIT, 9, 0),
            /* 5 */ if_equal(libc::SYS_socket as u32, 8, 0),
            /* 6 */ if_equal(libc::SYS_io_uring_setup as u32, 7, 0),
            /* 7 */ if_equal(libc::SYS_socketpair as u32, 0, 5),
            /* 8 */ load(OFFSET_ARG0_LOW),
            /* 9 */ if_equal(libc::AF_UNIX as u32, 0, 4),
            /* 10 */ load(OFFSET_ARG1_LOW),
            /* 11 */ statement(libc::BPF_ALU | libc::BPF_AND | libc::BPF_K, SOCK_TYPE_MASK),
            /* 12 */ if_equal(libc::SOCK_DGRAM as u32, 1, 0),
            /* 13 */ ret(RET_ALLOW),
            /* 14 */ ret(RET_EPERM),
        ])
    }
}

#[cfg(test)]
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    /// A syscall made in the filtered child, classified by [`classify`].
    type Probe = fn() -> i32;

    /// Installs the network filter on the calling thread, as bubblewrap does before `exec`.
    fn apply_network_filter(program: &[sock_filter]) -> std::io::Result<()> {
        let program = libc::sock_fprog {
            len: program.len() as u16,
            filter: program.as_ptr().cast_mut(),
        };
        // SAFETY: `prctl` with integer arguments only changes the calling thread's flags.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `program` points at a filter that outlives the call; the kernel copies it.
        let installed = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0_u32,
                &raw const program,
            )
        };
        if installed != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Runs `probe` in a forked child under the filter and returns the child's exit code: the filter must
    /// not touch the test process itself. The child makes raw syscalls only (no allocation, no locks).
    fn exit_code_under_filter(probe: Probe) -> i32 {
        let program = filter(false).expect("filter");
        // SAFETY: the child only makes async-signal-safe syscalls and leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = match apply_network_filter(&program) {
                Ok(()) => probe(),
                Err(_) => 99,
            };
            // SAFETY: ends the forked child without running the parent's destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waits for the child forked above.
        unsafe { libc::waitpid(pid, &raw mut status, 0) };
        assert!(libc::WIFEXITED(status), "child ended by signal: {status}");
        libc::WEXITSTATUS(status)
    }

    /// 0 when the call succeeded, 1 when it failed with EPERM, 2 for any other error.
    fn classify(result: libc::c_int) -> i32 {
        if result >= 0 {
            0
        } else if std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM) {
            1
        } else {
            2
        }
    }

    fn socket_of(domain: libc::c_int, kind: libc::c_int) -> i32 {
        // SAFETY: plain syscall on integers.
        classify(unsafe { libc::socket(domain, kind, 0) })
    }

    fn socketpair_of(domain: libc::c_int, kind: libc::c_int) -> i32 {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        classify(unsafe { libc::socketpair(domain, kind, 0, fds.as_mut_ptr()) })
    }

    #[test]
    fn every_socket_family_is_refused_with_eperm() {
        let probes: [(&str, Probe); 6] = [
            ("tcp", || socket_of(libc::AF_INET, libc::SOCK_STREAM)),
            ("udp", || socket_of(libc::AF_INET, libc::SOCK_DGRAM)),
            ("udp6", || socket_of(libc::AF_INET6, libc::SOCK_DGRAM)),
            ("unix", || socket_of(libc::AF_UNIX, libc::SOCK_STREAM)),
            ("unix cloexec", || {
                socket_of(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC)
            }),
            ("netlink", || {
                socket_of(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC)
            }),
        ];
        let results: Vec<(&str, i32)> = probes
            .iter()
            .map(|(name, probe)| (*name, exit_code_under_filter(*probe)))
            .collect();
        assert_eq!(
            results,
            probes
                .iter()
                .map(|(name, _)| (*name, 1))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn only_unix_stream_socketpairs_and_ordinary_syscalls_pass() {
        let probes: [(&str, Probe, i32); 5] = [
            (
                "unix stream pair",
                || socketpair_of(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC),
                0,
            ),
            (
                "unix seqpacket pair",
                || socketpair_of(libc::AF_UNIX, libc::SOCK_SEQPACKET),
                0,
            ),
            (
                "unix datagram pair",
                || socketpair_of(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_NONBLOCK),
                1,
            ),
            (
                "io_uring",
                // SAFETY: a null params pointer makes the kernel fail the call without touching memory.
                || classify(unsafe { libc::syscall(libc::SYS_io_uring_setup, 1, 0) } as i32),
                1,
            ),
            (
                "getpid",
                // SAFETY: plain syscall.
                || classify(unsafe { libc::getpid() }),
                0,
            ),
        ];
        let results: Vec<(&str, i32)> = probes
            .iter()
            .map(|(name, probe, _)| (*name, exit_code_under_filter(*probe)))
            .collect();
        assert_eq!(
            results,
            probes
                .iter()
                .map(|(name, _, expected)| (*name, *expected))
                .collect::<Vec<_>>()
        );
    }
}
