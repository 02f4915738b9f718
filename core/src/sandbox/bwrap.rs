//! The bubblewrap (`bwrap`) command line of a sandboxed command: new PID, IPC (and, without network
//! access, network) namespaces, the whole filesystem re-mounted read-only, the writable roots bound
//! writable on top, then the protected entries inside them bound read-only again. A mount point cannot be
//! renamed, removed or replaced (EBUSY), so `.git`, `.codex`, `.agents` and `CODEX_HOME` keep both their
//! contents and their names.

use std::ffi::OsString;
use std::path::Path;
use std::path::PathBuf;

use super::SandboxError;
use super::policy::SandboxPolicy;

/// Where the sandbox lets a command write and what stays read-only inside that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MountPlan {
    /// Existing writable roots, canonical, each parent before its children.
    pub writable_roots: Vec<PathBuf>,
    /// Entries under the writable roots bound read-only on top of them.
    pub read_only_entries: Vec<PathBuf>,
}

impl MountPlan {
    /// The plan for `policy` in a turn whose working directory is `sandbox_cwd`. `launcher_files` (the
    /// programs that build the sandbox) stay read-only too where a writable root holds them, so no command
    /// can replace what starts the next one. A protected entry that is a symbolic link is refused: a mount
    /// lands on the link's target, and the link itself could be swapped for a directory of the command's.
    pub(super) fn new(
        policy: &SandboxPolicy,
        sandbox_cwd: &Path,
        codex_home: &Path,
        launcher_files: &[PathBuf],
    ) -> Result<MountPlan, SandboxError> {
        let roots = policy.writable_roots_with_protection(sandbox_cwd, codex_home);
        let mut writable_roots: Vec<PathBuf> = roots
            .iter()
            .map(|root| root.root.clone())
            .filter(|root| root.exists())
            .collect();
        writable_roots.sort();
        writable_roots.dedup();
        let mut read_only_entries: Vec<PathBuf> = roots
            .iter()
            .flat_map(|root| root.read_only_subpaths.iter().cloned())
            .chain(
                launcher_files
                    .iter()
                    .filter_map(|file| file.canonicalize().ok())
                    .filter(|file| writable_roots.iter().any(|root| file.starts_with(root))),
            )
            .collect();
        // bubblewrap cannot bind what does not exist (a CODEX_HOME nobody could create, say).
        read_only_entries.retain(|entry| entry.symlink_metadata().is_ok());
        read_only_entries.sort();
        read_only_entries.dedup();
        if let Some(link) = read_only_entries
            .iter()
            .find(|entry| entry.symlink_metadata().is_ok_and(|m| m.is_symlink()))
        {
            return Err(SandboxError::ProtectedSymlink {
                mode: policy.mode_name(),
                path: link.clone(),
            });
        }
        Ok(MountPlan {
            writable_roots,
            read_only_entries,
        })
    }

    /// bubblewrap's options (everything before its `--`). `new_user_namespace` for a daemon that is not
    /// the machine's root: the namespaces need one, and the process-count limit is counted in it.
    pub(super) fn bwrap_args(
        &self,
        network_access: bool,
        new_user_namespace: bool,
    ) -> Vec<OsString> {
        let mut args: Vec<OsString> = [
            // setsid: no controlling terminal to push input into (TIOCSTI).
            "--new-session",
            // SIGKILL when bwrap's parent (the daemon) dies; the PID namespace takes every process with it.
            "--die-with-parent",
            "--unshare-pid",
            "--unshare-ipc",
        ]
        .map(OsString::from)
        .to_vec();
        if new_user_namespace {
            args.push("--unshare-user".into());
        }
        if !network_access {
            args.push("--unshare-net".into());
        }
        push_mount(&mut args, "--ro-bind", Path::new("/"));
        let (under_dev, elsewhere): (Vec<&PathBuf>, Vec<&PathBuf>) = self
            .writable_roots
            .iter()
            .partition(|root| root.starts_with("/dev"));
        for root in elsewhere {
            push_mount(&mut args, "--bind", root);
        }
        // A private /dev with only the harmless nodes (null, zero, tty, ptmx, shm, ...): the host's disks
        // stay out of reach, which a read-only mount alone would not do for device nodes.
        args.extend(["--dev", "/dev"].map(OsString::from));
        for root in under_dev {
            push_mount(&mut args, "--bind", root);
        }
        // The PID namespace's own /proc: no other process (the daemon's environ included) is visible.
        args.extend(["--proc", "/proc"].map(OsString::from));
        for entry in &self.read_only_entries {
            push_mount(&mut args, "--ro-bind", entry);
        }
        args.extend(["--cap-drop", "ALL"].map(OsString::from));
        args
    }
}

fn push_mount(args: &mut Vec<OsString>, option: &str, path: &Path) {
    args.push(option.into());
    args.push(path.into());
    args.push(path.into());
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn workspace_write(extra_roots: Vec<PathBuf>) -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite {
            writable_roots: extra_roots,
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: true,
        }
    }

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn read_only_binds_nothing_writable() {
        let plan = MountPlan::new(
            &SandboxPolicy::ReadOnly,
            Path::new("/"),
            Path::new("/nonexistent/codex-home"),
            &[],
        )
        .expect("plan");
        assert_eq!(
            strings(&plan.bwrap_args(false, true)),
            [
                "--new-session",
                "--die-with-parent",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-user",
                "--unshare-net",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--cap-drop",
                "ALL",
            ]
        );
    }

    #[test]
    fn protected_entries_are_bound_read_only_after_every_writable_root() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        for dir in [".git/hooks", ".codex", "nested/extra", "bin"] {
            std::fs::create_dir_all(root.join(dir)).expect("mkdir");
        }
        std::fs::write(root.join("bin/bwrap"), "").expect("launcher");
        let outside_launcher = PathBuf::from("/bin/sh");
        let plan = MountPlan::new(
            &workspace_write(vec![root.join("nested/extra")]),
            &root,
            Path::new("/nonexistent/codex-home"),
            &[root.join("bin/bwrap"), outside_launcher],
        )
        .expect("plan");
        let args = strings(&plan.bwrap_args(true, false));
        let root = root.display().to_string();
        let mounts: Vec<String> = args
            .iter()
            .skip_while(|arg| *arg != "--ro-bind")
            .cloned()
            .collect();
        assert_eq!(
            mounts,
            [
                "--ro-bind".to_string(),
                "/".to_string(),
                "/".to_string(),
                "--bind".to_string(),
                root.clone(),
                root.clone(),
                "--bind".to_string(),
                format!("{root}/nested/extra"),
                format!("{root}/nested/extra"),
                "--dev".to_string(),
                "/dev".to_string(),
                "--proc".to_string(),
                "/proc".to_string(),
                "--ro-bind".to_string(),
                format!("{root}/.codex"),
                format!("{root}/.codex"),
                "--ro-bind".to_string(),
                format!("{root}/.git"),
                format!("{root}/.git"),
                "--ro-bind".to_string(),
                format!("{root}/bin/bwrap"),
                format!("{root}/bin/bwrap"),
                "--cap-drop".to_string(),
                "ALL".to_string(),
            ]
        );
        assert!(
            !args.contains(&"--unshare-net".to_string()),
            "network access keeps the host's network namespace: {args:?}"
        );
        assert!(!args.contains(&"--unshare-user".to_string()));
    }

    #[test]
    fn a_symlinked_protected_entry_is_refused() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        std::fs::create_dir(root.join("decoy")).expect("mkdir");
        std::os::unix::fs::symlink(root.join("decoy"), root.join(".codex")).expect("symlink");
        let error = MountPlan::new(
            &workspace_write(Vec::new()),
            &root,
            Path::new("/nonexistent/codex-home"),
            &[],
        )
        .expect_err("a symlink cannot be kept read-only");
        assert_eq!(
            error.to_string(),
            format!(
                "sandbox_mode \"workspace-write\" cannot keep {}/.codex read-only: it is a symbolic link, \
                 and a sandboxed command could replace the link itself; replace the link with what it \
                 points to, or run the thread from another directory",
                root.display()
            )
        );
    }
}
