//! Landlock confinement of programs the daemon itself runs on input it does not trust (its own `git` in a
//! workspace the model writes): the ruleset is built in the parent and only applied (no new privileges, then
//! `landlock_restrict_self`) in the child between `fork` and `exec`. The agent's commands are sandboxed by
//! bubblewrap instead (`launch.rs`).

/// Why a Landlock ruleset could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LandlockError {
    #[cfg(target_os = "linux")]
    #[error("failed to build the Landlock ruleset: {0}")]
    Ruleset(#[from] landlock::RulesetError),
}

#[cfg(target_os = "linux")]
pub use linux::LandlockRuleset;
#[cfg(target_os = "linux")]
pub use linux::landlock_available;
#[cfg(not(target_os = "linux"))]
pub use unsupported::LandlockRuleset;
#[cfg(not(target_os = "linux"))]
pub use unsupported::landlock_available;

#[cfg(target_os = "linux")]
mod linux {
    use std::os::fd::AsRawFd;
    use std::os::fd::OwnedFd;
    use std::path::PathBuf;

    use landlock::ABI;
    use landlock::Access;
    use landlock::AccessFs;
    use landlock::AccessNet;
    use landlock::Ruleset;
    use landlock::RulesetAttr;
    use landlock::RulesetCreatedAttr;
    use landlock::path_beneath_rules;

    use super::LandlockError;

    /// The newest ABI whose filesystem rights we ask for. ABI 9 adds `ResolveUnix` to the write rights, which
    /// would also cut connecting to Unix sockets (ssh-agent, D-Bus): that is not a write.
    const FS_ABI: ABI = ABI::V5;

    /// Devices every sandbox may write (and run ioctls on): shells redirect to them. Missing ones are skipped.
    const WRITABLE_DEVICES: [&str; 4] = ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"];

    /// A Landlock ruleset ready to be applied in a child process.
    #[derive(Debug)]
    pub struct LandlockRuleset {
        /// Close-on-exec, so the command does not inherit it.
        fd: OwnedFd,
    }

    impl LandlockRuleset {
        /// Confines a program the daemon trusts but runs on input it does not (its own `git` in a workspace
        /// the model writes): it may read everything, write nothing but the devices above, execute nothing but
        /// `executables` (the program and its loader, see `executed_files`) and use no TCP. `None` when the
        /// kernel has no Landlock at all.
        pub fn confining_execution_to(
            executables: &[PathBuf],
        ) -> Result<Option<LandlockRuleset>, LandlockError> {
            let all = AccessFs::from_all(FS_ABI);
            let created = Ruleset::default()
                .handle_access(all)?
                .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)?
                .create()?
                .add_rules(path_beneath_rules(
                    ["/"],
                    AccessFs::ReadFile | AccessFs::ReadDir,
                ))?
                .add_rules(path_beneath_rules(
                    executables,
                    AccessFs::Execute | AccessFs::ReadFile,
                ))?
                .add_rules(path_beneath_rules(WRITABLE_DEVICES, all))?;
            Ok(Option::<OwnedFd>::from(created).map(|fd| LandlockRuleset { fd }))
        }

        /// Restricts the calling process (meant for `pre_exec`, in the forked child): sets no_new_privs, which
        /// `landlock_restrict_self` requires of unprivileged callers, then enforces the ruleset.
        ///
        /// The crate's own `RulesetCreated::restrict_self` consumes the ruleset and updates its compatibility
        /// bookkeeping, which it does not promise to be async-signal-safe; this does only two raw syscalls on
        /// integers and builds errors from errno, so it allocates nothing and takes no lock between fork and
        /// exec.
        pub fn restrict_self(&self) -> std::io::Result<()> {
            // SAFETY: `prctl` with integer arguments only changes the calling thread's flags.
            if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: `landlock_restrict_self(fd, flags)` reads only its integer arguments; `self.fd` is an open
            // Landlock ruleset fd for as long as `self` lives.
            let restricted = unsafe {
                libc::syscall(libc::SYS_landlock_restrict_self, self.fd.as_raw_fd(), 0_u32)
            };
            if restricted != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        }
    }

    /// Whether the running kernel provides Landlock at all (any ABI), as the crate's compatibility check sees it.
    pub fn landlock_available() -> bool {
        Ruleset::default()
            .handle_access(AccessFs::Execute)
            .and_then(|ruleset| ruleset.create())
            .is_ok_and(|created| Option::<OwnedFd>::from(created).is_some())
    }
}

#[cfg(not(target_os = "linux"))]
mod unsupported {
    use std::path::Path;
    use std::path::PathBuf;

    use super::LandlockError;

    /// Landlock exists only on Linux; elsewhere nothing is confined by it.
    #[derive(Debug)]
    pub struct LandlockRuleset {}

    impl LandlockRuleset {
        pub fn confining_execution_to(
            _executables: &[PathBuf],
        ) -> Result<Option<LandlockRuleset>, LandlockError> {
            Ok(None)
        }

        pub fn restrict_self(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    pub fn landlock_available() -> bool {
        false
    }
}
