//! A pids cgroup per sandboxed command, the process-count limit of a daemon running as the machine's root:
//! the kernel never applies `RLIMIT_NPROC` to root's processes, capabilities or not. The command's first
//! process joins the cgroup before `exec`, so everything it starts is counted and `fork` fails with EAGAIN
//! at `pids.max`.
//!
//! The cgroup is made under the daemon's own pids cgroup (cgroup v1), or under its cgroup v2 directory when
//! that delegates the `pids` controller, or else under the v2 hierarchy's root when that enables it.

use std::os::fd::AsRawFd;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;

/// Names of our cgroups start with this, then `<daemon pid>-<counter>`.
const NAME_PREFIX: &str = "codex-exec-";

/// One command's cgroup; removed when dropped (or, while its processes are still exiting, by a later one).
#[derive(Debug)]
pub(super) struct PidsCgroup {
    dir: PathBuf,
    /// The membership file, open for writing; the child writes `0` (itself) to it.
    procs: OwnedFd,
}

/// cgroup v1's `tasks` moves just the writing thread (the child is single-threaded between `fork` and
/// `exec`), which skips the global lock whose RCU grace period makes a `cgroup.procs` write cost 10-30 ms;
/// cgroup v2 has only `cgroup.procs`.
const MEMBERSHIP_FILES: [&str; 2] = ["tasks", "cgroup.procs"];

/// Cgroups whose removal failed because their last processes were still exiting.
static LEFTOVERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl PidsCgroup {
    /// Creates a cgroup that holds at most `max_processes` tasks (threads count).
    pub(super) fn create(max_processes: u64) -> Result<PidsCgroup, String> {
        static PARENT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let parent = PARENT.get_or_init(find_parent).clone()?;
        remove_leftovers();
        let dir = parent.join(format!(
            "{NAME_PREFIX}{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dir).map_err(|error| format!("mkdir {}: {error}", dir.display()))?;
        let created = std::fs::write(dir.join("pids.max"), max_processes.to_string())
            .and_then(|()| {
                let file = MEMBERSHIP_FILES
                    .iter()
                    .map(|name| dir.join(name))
                    .find(|file| file.exists())
                    .unwrap_or_else(|| dir.join("cgroup.procs"));
                std::fs::OpenOptions::new().write(true).open(file)
            })
            .map_err(|error| format!("set up {}: {error}", dir.display()));
        match created {
            Ok(procs) => Ok(PidsCgroup {
                dir,
                procs: procs.into(),
            }),
            Err(error) => {
                let _ = std::fs::remove_dir(&dir);
                Err(error)
            }
        }
    }

    /// The descriptor the child writes `0` to, between `fork` and `exec`, to join the cgroup.
    pub(super) fn procs_fd(&self) -> i32 {
        self.procs.as_raw_fd()
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        if std::fs::remove_dir(&self.dir).is_err() {
            LEFTOVERS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(self.dir.clone());
        }
    }
}

/// Moves the calling (single-threaded) process into the cgroup whose membership file is open as `procs_fd`.
/// Async-signal-safe: one `write`, meant for the child between `fork` and `exec`.
pub(super) fn join(procs_fd: i32) -> std::io::Result<()> {
    // SAFETY: writes one byte from a static buffer.
    if unsafe { libc::write(procs_fd, b"0".as_ptr().cast(), 1) } != 1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn remove_leftovers() {
    LEFTOVERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|dir| std::fs::remove_dir(dir).is_err() && dir.exists());
}

/// The directory our cgroups go in: the first candidate where a test cgroup gets a `pids.max`. Cgroups a
/// killed daemon left there are removed on the way.
fn find_parent() -> Result<PathBuf, String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|error| format!("read /proc/self/mountinfo: {error}"))?;
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .map_err(|error| format!("read /proc/self/cgroup: {error}"))?;
    let candidates = candidate_parents(&mountinfo, &own);
    for candidate in &candidates {
        let probe = candidate.join(format!("{NAME_PREFIX}{}-probe", std::process::id()));
        if std::fs::create_dir(&probe).is_err() {
            continue;
        }
        let usable = probe.join("pids.max").exists();
        let _ = std::fs::remove_dir(&probe);
        if usable {
            remove_stale(candidate);
            return Ok(candidate.clone());
        }
    }
    Err(if candidates.is_empty() {
        "no cgroup hierarchy offers the pids controller".to_string()
    } else {
        format!(
            "none of {} is writable with the pids controller",
            candidates
                .iter()
                .map(|dir| dir.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Where a pids cgroup could be made, best first, from `/proc/self/mountinfo` and `/proc/self/cgroup`.
fn candidate_parents(mountinfo: &str, own_cgroups: &str) -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    for line in mountinfo.lines() {
        // `id parent dev root mount-point options [optional...] - fstype source super-options`
        let Some((before, after)) = line.split_once(" - ") else {
            continue;
        };
        let fields: Vec<&str> = before.split(' ').collect();
        let mut rest = after.split(' ');
        let (Some(fstype), Some(_source), Some(super_options)) =
            (rest.next(), rest.next(), rest.next())
        else {
            continue;
        };
        let (Some(mount_root), Some(mount_point)) = (fields.get(3), fields.get(4)) else {
            continue;
        };
        let mount_point = Path::new(mount_point);
        if fstype == "cgroup" && super_options.split(',').any(|option| option == "pids") {
            if let Some(path) = own_path(own_cgroups, |controllers| {
                controllers.split(',').any(|c| c == "pids")
            }) {
                candidates.push(under_mount(mount_point, mount_root, &path));
            }
        } else if fstype == "cgroup2" {
            if let Some(path) = own_path(own_cgroups, str::is_empty) {
                let own = under_mount(mount_point, mount_root, &path);
                if delegates_pids(&own) {
                    candidates.push(own);
                }
            }
            if delegates_pids(mount_point) {
                candidates.push(mount_point.to_path_buf());
            }
        }
    }
    candidates.dedup();
    candidates
}

/// The daemon's path in the hierarchy whose `/proc/self/cgroup` line (`id:controllers:path`) matches.
fn own_path(own_cgroups: &str, controllers_match: impl Fn(&str) -> bool) -> Option<String> {
    own_cgroups.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers_match(controllers).then(|| path.to_string())
    })
}

/// `path` (as `/proc/self/cgroup` shows it) inside a hierarchy mounted at `mount_point` from `mount_root`.
fn under_mount(mount_point: &Path, mount_root: &str, path: &str) -> PathBuf {
    let relative = path
        .strip_prefix(mount_root)
        .unwrap_or(path)
        .trim_start_matches('/');
    mount_point.join(relative)
}

fn delegates_pids(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("cgroup.subtree_control"))
        .is_ok_and(|controllers| controllers.split_whitespace().any(|c| c == "pids"))
}

/// Removes our cgroups under `parent` whose daemon is gone (a removal fails while processes remain).
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(NAME_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn a_v1_pids_hierarchy_gives_the_daemons_own_pids_cgroup() {
        let mountinfo = "\
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
";
        let own = "8:pids:/jobs/build\n4:memory:/process_api/x\n0::/\n";
        assert_eq!(
            candidate_parents(mountinfo, own),
            vec![PathBuf::from("/sys/fs/cgroup/pids/jobs/build")]
        );
    }

    #[test]
    fn a_mount_root_is_taken_off_the_daemons_path() {
        assert_eq!(
            under_mount(
                Path::new("/sys/fs/cgroup/pids"),
                "/docker/abc",
                "/docker/abc/sub"
            ),
            PathBuf::from("/sys/fs/cgroup/pids/sub")
        );
        assert_eq!(
            under_mount(Path::new("/sys/fs/cgroup"), "/", "/"),
            PathBuf::from("/sys/fs/cgroup")
        );
    }
}
