//! Launching a sandboxed command: `bwrap <namespaces and mounts> --seccomp FD [...] -- <command>`, plus what
//! bubblewrap cannot do alone: the process-count limit (a pids cgroup joined between `fork` and `exec` for
//! the machine's root; otherwise `RLIMIT_NPROC`, set on the sandbox's first process while bubblewrap waits on
//! `--block-fd`, and counted in the command's own user namespace), death with the daemon, and telling a
//! sandbox that failed to start from a command that failed.

use std::ffi::OsString;
use std::os::fd::AsRawFd;
use std::os::fd::FromRawFd;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::path::PathBuf;
use std::sync::OnceLock;

use tokio::io::AsyncReadExt;

use super::SandboxError;
use super::bwrap::MountPlan;
use super::pids_cgroup;
use super::pids_cgroup::PidsCgroup;
use super::policy::SandboxPolicy;
use super::seccomp;

/// How many tasks (processes and threads) one sandboxed command may have at once by default: room for
/// parallel builds, a ceiling for fork bombs.
pub const DEFAULT_MAX_PROCESSES: u64 = 4096;
/// Where bubblewrap is looked for before `$PATH`, so a `bwrap` planted in a directory on the daemon's `PATH`
/// is not preferred to the system's.
const SYSTEM_BWRAP: [&str; 2] = ["/usr/bin/bwrap", "/bin/bwrap"];

/// What the embedding program may set once, before the first sandboxed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSettings {
    /// How many tasks (processes and threads) one command may have at once.
    pub max_processes: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        SandboxSettings {
            max_processes: DEFAULT_MAX_PROCESSES,
        }
    }
}

static SETTINGS: OnceLock<SandboxSettings> = OnceLock::new();

/// Sets the sandbox's settings for this process; the first call wins, and without one the defaults apply.
pub fn configure_sandbox(settings: SandboxSettings) {
    let _ = SETTINGS.set(settings);
}

/// How a command's process count is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProcessCounting {
    /// `RLIMIT_NPROC` inside a user namespace of the command's own, so only its processes count.
    Rlimit,
    /// A pids cgroup per command: the machine's root is exempt from `RLIMIT_NPROC`.
    Cgroup,
}

/// What the machine offers, looked up once.
#[derive(Debug)]
struct Machine {
    bwrap: Option<PathBuf>,
    counting: ProcessCounting,
}

fn machine() -> &'static Machine {
    static MACHINE: OnceLock<Machine> = OnceLock::new();
    MACHINE.get_or_init(|| Machine {
        bwrap: find_bwrap(),
        counting: if is_machine_root() {
            ProcessCounting::Cgroup
        } else {
            ProcessCounting::Rlimit
        },
    })
}

fn find_bwrap() -> Option<PathBuf> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("bwrap"))
                .collect()
        })
        .unwrap_or_default();
    SYSTEM_BWRAP
        .iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

/// Whether this process runs as uid 0 of the initial user namespace, whose processes `RLIMIT_NPROC` never
/// limits. Root inside a container's user namespace is an ordinary user to the kernel.
fn is_machine_root() -> bool {
    // SAFETY: geteuid only reads the calling process's credentials.
    if unsafe { libc::geteuid() } != 0 {
        return false;
    }
    std::fs::read_to_string("/proc/self/uid_map").is_ok_and(|map| {
        map.lines().any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.first() == Some(&"0") && fields.get(1) == Some(&"0")
        })
    })
}

/// The descriptors of the `RLIMIT_NPROC` hand-off: bubblewrap reports the sandbox's first process on
/// `--info-fd` and waits on `--block-fd` until the daemon has limited it.
#[derive(Debug)]
struct RlimitHandoff {
    info_read: OwnedFd,
    info_write: Option<OwnedFd>,
    block_read: Option<OwnedFd>,
    block_write: OwnedFd,
}

/// One command ready to be spawned under the sandbox: bubblewrap's program and arguments, plus what the
/// child does between `fork` and `exec` ([`SandboxedCommand::child_setup`]) and what the daemon does once it
/// is spawned ([`SandboxedCommand::release`]).
#[derive(Debug)]
pub struct SandboxedCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    mode: &'static str,
    /// The read end of the pipe holding the seccomp program; bubblewrap reads it once the sandbox is set up,
    /// right before it starts the command, so a program still in the pipe means the sandbox never started.
    seccomp: OwnedFd,
    handoff: Option<RlimitHandoff>,
    max_processes: u64,
    cgroup: Option<PidsCgroup>,
    daemon_pid: libc::pid_t,
}

impl SandboxedCommand {
    /// Wraps `command` (program and arguments) in the sandbox `policy` describes for a turn whose working
    /// directory is `sandbox_cwd`. `codex_home` stays read-only where a writable root holds it.
    pub fn prepare(
        policy: &SandboxPolicy,
        sandbox_cwd: &Path,
        codex_home: &Path,
        command: Vec<OsString>,
    ) -> Result<SandboxedCommand, SandboxError> {
        let mode = policy.mode_name();
        let machine = machine();
        let max_processes = SETTINGS.get_or_init(SandboxSettings::default).max_processes;
        let bwrap = machine
            .bwrap
            .clone()
            .ok_or(SandboxError::BubblewrapMissing { mode })?;
        // A CODEX_HOME that does not exist yet could be created by the command, config.toml included;
        // made now, it is protected like any other. (If the daemon cannot make it, neither can the command.)
        let _ = std::fs::create_dir_all(codex_home);
        let plan = MountPlan::new(
            policy,
            sandbox_cwd,
            codex_home,
            std::slice::from_ref(&bwrap),
        )?;
        let network_access = policy.has_network_access();
        let filter = seccomp::filter(network_access).map_err(|error| SandboxError::Setup {
            mode,
            reason: error.to_string(),
        })?;
        let seccomp = pipe_holding(&seccomp::to_bytes(&filter))?;
        let cgroup = match machine.counting {
            ProcessCounting::Cgroup => Some(
                PidsCgroup::create(max_processes)
                    .map_err(|reason| SandboxError::ProcessLimit { mode, reason })?,
            ),
            ProcessCounting::Rlimit => None,
        };
        let handoff = match machine.counting {
            ProcessCounting::Rlimit => {
                let (info_read, info_write) = pipe()?;
                let (block_read, block_write) = pipe()?;
                Some(RlimitHandoff {
                    info_read,
                    info_write: Some(info_write),
                    block_read: Some(block_read),
                    block_write,
                })
            }
            ProcessCounting::Cgroup => None,
        };
        let mut args = plan.bwrap_args(network_access, handoff.is_some());
        push_fd(&mut args, "--seccomp", Some(&seccomp));
        if let Some(handoff) = &handoff {
            push_fd(&mut args, "--info-fd", handoff.info_write.as_ref());
            push_fd(&mut args, "--block-fd", handoff.block_read.as_ref());
        }
        args.push("--".into());
        args.extend(command);
        Ok(SandboxedCommand {
            program: bwrap,
            args,
            mode,
            seccomp,
            handoff,
            max_processes,
            cgroup,
            // SAFETY: getpid has no preconditions.
            daemon_pid: unsafe { libc::getpid() },
        })
    }

    /// What the child runs between `fork` and `exec` (for `pre_exec`; async-signal-safe: a few syscalls on
    /// integers): die with the daemon, keep bubblewrap's descriptors across `exec`, join the pids cgroup.
    pub fn child_setup(&self) -> impl FnMut() -> std::io::Result<()> + Send + Sync + 'static {
        let daemon_pid = self.daemon_pid;
        let inherited: Vec<i32> = std::iter::once(self.seccomp.as_raw_fd())
            .chain(self.handoff.iter().flat_map(|handoff| {
                [&handoff.info_write, &handoff.block_read]
                    .into_iter()
                    .flatten()
                    .map(AsRawFd::as_raw_fd)
            }))
            .collect();
        let procs_fd = self.cgroup.as_ref().map(PidsCgroup::procs_fd);
        move || {
            // SAFETY: prctl with integer arguments only changes the calling thread's flags.
            if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The daemon may have died before the line above: then nothing would kill this child.
            // SAFETY: getppid has no preconditions.
            if unsafe { libc::getppid() } != daemon_pid {
                return Err(std::io::Error::other("the daemon exited"));
            }
            for fd in &inherited {
                // SAFETY: clears close-on-exec on a descriptor this child inherited.
                if unsafe { libc::fcntl(*fd, libc::F_SETFD, 0) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(fd) = procs_fd {
                pids_cgroup::join(fd)?;
            }
            Ok(())
        }
    }

    /// Lets the spawned sandbox go on to start the command, once its process count is limited: closes the
    /// daemon's copies of the child's descriptors, and with `RLIMIT_NPROC` sets the limit on the sandbox's
    /// first process (which bubblewrap names on `--info-fd`) before unblocking it. On an error the caller
    /// must kill the sandbox before dropping this (dropping unblocks it).
    pub async fn release(&mut self) -> Result<(), SandboxError> {
        let Some(handoff) = &mut self.handoff else {
            return Ok(());
        };
        handoff.info_write = None;
        handoff.block_read = None;
        let Some(first_process) = read_child_pid(&handoff.info_read).await? else {
            // bubblewrap failed before creating the sandbox; its exit reports why.
            return Ok(());
        };
        let limit = libc::rlimit {
            rlim_cur: self.max_processes,
            rlim_max: self.max_processes,
        };
        // SAFETY: `limit` is a valid rlimit for the duration of the call; no old value is asked for.
        let limited = unsafe {
            libc::prlimit(
                first_process,
                libc::RLIMIT_NPROC,
                &raw const limit,
                std::ptr::null_mut(),
            )
        };
        if limited != 0 {
            return Err(SandboxError::ProcessLimit {
                mode: self.mode,
                reason: format!(
                    "setting RLIMIT_NPROC on the sandbox failed: {}",
                    std::io::Error::last_os_error()
                ),
            });
        }
        // SAFETY: writes one byte from a static buffer to the pipe bubblewrap blocks on.
        let written =
            unsafe { libc::write(handoff.block_write.as_raw_fd(), b"1".as_ptr().cast(), 1) };
        if written != 1 {
            return Err(SandboxError::Io(std::io::Error::last_os_error()));
        }
        Ok(())
    }

    /// Whether bubblewrap finished setting up the sandbox and went on to start the command (it read the
    /// seccomp program). Meaningful once bubblewrap has exited; never blocks.
    pub fn command_started(&self) -> bool {
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer, which is live for the call.
        let queried =
            unsafe { libc::ioctl(self.seccomp.as_raw_fd(), libc::FIONREAD, &raw mut unread) };
        queried == 0 && unread == 0
    }

    /// The `Setup` error for a sandbox that did not start, with what bubblewrap printed.
    pub fn setup_error(&self, output: &str) -> SandboxError {
        SandboxError::Setup {
            mode: self.mode,
            reason: output.trim().to_string(),
        }
    }
}

/// The child pid in bubblewrap's `--info-fd` JSON (`{"child-pid": N, ...}`).
fn child_pid(info: &[u8]) -> Option<libc::pid_t> {
    let info: serde_json::Value = serde_json::from_slice(info).ok()?;
    info.get("child-pid")?.as_i64()?.try_into().ok()
}

/// Reads bubblewrap's info pipe until its JSON names the sandbox's first process; `None` when bubblewrap
/// closed the pipe without (it failed first).
async fn read_child_pid(fd: &OwnedFd) -> Result<Option<libc::pid_t>, SandboxError> {
    let mut receiver = tokio::net::unix::pipe::Receiver::from_owned_fd(fd.try_clone()?)?;
    let mut info = Vec::new();
    let mut chunk = [0_u8; 512];
    loop {
        let read = receiver.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        info.extend_from_slice(&chunk[..read]);
        if let Some(pid) = child_pid(&info) {
            return Ok(Some(pid));
        }
    }
}

fn push_fd(args: &mut Vec<OsString>, option: &str, fd: Option<&OwnedFd>) {
    if let Some(fd) = fd {
        args.push(option.into());
        args.push(fd.as_raw_fd().to_string().into());
    }
}

/// A close-on-exec pipe: (read end, write end).
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 returns.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The read end of a pipe that holds `bytes` and whose write end is closed, so a reader gets them and EOF.
fn pipe_holding(bytes: &[u8]) -> std::io::Result<OwnedFd> {
    let (read, write) = pipe()?;
    // A pipe buffers at least 4 KiB without blocking; the filter is a few hundred bytes.
    // SAFETY: writes from a live buffer of the given length.
    let written = unsafe { libc::write(write.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
    if usize::try_from(written).ok() != Some(bytes.len()) {
        return Err(std::io::Error::last_os_error());
    }
    Ok(read)
}
