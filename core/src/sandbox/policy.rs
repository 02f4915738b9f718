//! `SandboxPolicy`: what commands and patches may write, resolved from `sandbox_mode` and
//! `[sandbox_workspace_write]` (or from a host's explicit policy).

use std::path::Component;
use std::path::Path;
use std::path::PathBuf;

use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;

/// The effective sandbox of a command. Reads are allowed everywhere in every mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxPolicy {
    /// No restriction at all (also used when the host sandboxes the daemon itself).
    DangerFullAccess,
    /// Nothing may be written (but `/dev/null` and friends); no network.
    ReadOnly,
    /// The working directory, the extra roots and the temp directories are writable.
    WorkspaceWrite {
        writable_roots: Vec<PathBuf>,
        network_access: bool,
        /// Leave `$TMPDIR` out of the writable roots.
        exclude_tmpdir_env_var: bool,
        /// Leave `/tmp` out of the writable roots.
        exclude_slash_tmp: bool,
    },
}

impl SandboxPolicy {
    pub fn from_config(mode: SandboxMode, workspace_write: &SandboxWorkspaceWrite) -> Self {
        match mode {
            SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
            SandboxMode::WorkspaceWrite => SandboxPolicy::WorkspaceWrite {
                writable_roots: workspace_write.writable_roots.clone(),
                network_access: workspace_write.network_access,
                exclude_tmpdir_env_var: workspace_write.exclude_tmpdir_env_var,
                exclude_slash_tmp: workspace_write.exclude_slash_tmp,
            },
        }
    }

    /// The `sandbox_mode` value this policy corresponds to, for messages.
    pub fn mode_name(&self) -> &'static str {
        match self {
            SandboxPolicy::DangerFullAccess => SandboxMode::DangerFullAccess,
            SandboxPolicy::ReadOnly => SandboxMode::ReadOnly,
            SandboxPolicy::WorkspaceWrite { .. } => SandboxMode::WorkspaceWrite,
        }
        .as_str()
    }

    /// The config values (`sandbox_mode`, `[sandbox_workspace_write]`) that give this policy back.
    pub fn into_config(self) -> (SandboxMode, SandboxWorkspaceWrite) {
        match self {
            SandboxPolicy::DangerFullAccess => (
                SandboxMode::DangerFullAccess,
                SandboxWorkspaceWrite::default(),
            ),
            SandboxPolicy::ReadOnly => (SandboxMode::ReadOnly, SandboxWorkspaceWrite::default()),
            SandboxPolicy::WorkspaceWrite {
                writable_roots,
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
            } => (
                SandboxMode::WorkspaceWrite,
                SandboxWorkspaceWrite {
                    writable_roots,
                    network_access,
                    exclude_tmpdir_env_var,
                    exclude_slash_tmp,
                },
            ),
        }
    }

    /// Whether commands run without any sandbox.
    pub fn is_unrestricted(&self) -> bool {
        matches!(self, SandboxPolicy::DangerFullAccess)
    }

    /// Whether sandboxed commands may open network connections.
    pub fn has_network_access(&self) -> bool {
        match self {
            SandboxPolicy::DangerFullAccess => true,
            SandboxPolicy::ReadOnly => false,
            SandboxPolicy::WorkspaceWrite { network_access, .. } => *network_access,
        }
    }

    /// The directories a sandboxed command may write under, for a turn whose working directory is `cwd`
    /// (relative configured roots are resolved against it). Empty for `ReadOnly`; meaningless for
    /// `DangerFullAccess`, which writes everywhere.
    pub fn writable_roots(&self, cwd: &Path) -> Vec<PathBuf> {
        match self {
            SandboxPolicy::DangerFullAccess | SandboxPolicy::ReadOnly => Vec::new(),
            SandboxPolicy::WorkspaceWrite {
                writable_roots,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
                ..
            } => {
                let mut roots = vec![normalize(cwd)];
                roots.extend(writable_roots.iter().map(|root| normalize(&cwd.join(root))));
                if !exclude_slash_tmp {
                    roots.push(PathBuf::from("/tmp"));
                }
                if !exclude_tmpdir_env_var
                    && let Some(tmpdir) = std::env::var_os("TMPDIR").filter(|dir| !dir.is_empty())
                {
                    roots.push(normalize(Path::new(&tmpdir)));
                }
                roots.dedup();
                roots
            }
        }
    }

    /// The writable roots with, for each, the entries inside it that stay read-only (see
    /// [`protected_entries`]): the repository's `.git` (and the gitdir a `.git` file points to, with the
    /// common directory of a worktree), `.codex`, `.agents`, and `codex_home` when it falls inside the root.
    /// A gitdir found through one root is protected in whichever root holds it.
    pub fn writable_roots_with_protection(
        &self,
        cwd: &Path,
        codex_home: &Path,
    ) -> Vec<WritableRoot> {
        let roots: Vec<PathBuf> = self
            .writable_roots(cwd)
            .iter()
            .map(|root| resolve_existing(root))
            .collect();
        let candidates: Vec<PathBuf> = roots
            .iter()
            .flat_map(|root| protection_candidates(root, codex_home))
            .collect();
        roots
            .into_iter()
            .map(|root| {
                let mut read_only_subpaths: Vec<PathBuf> = candidates
                    .iter()
                    .filter(|entry| entry.starts_with(&root) && **entry != root)
                    .cloned()
                    .collect();
                read_only_subpaths.sort();
                read_only_subpaths.dedup();
                WritableRoot {
                    root,
                    read_only_subpaths,
                }
            })
            .collect()
    }
}

/// A directory commands may write under, and the entries inside it they may not touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritableRoot {
    pub root: PathBuf,
    /// Existing entries under `root` that stay read-only, themselves included (no rename, no replace).
    pub read_only_subpaths: Vec<PathBuf>,
}

impl WritableRoot {
    /// Whether `path` (absolute, resolved) is under this root and outside its read-only entries.
    pub fn allows(&self, path: &Path) -> bool {
        path.starts_with(&self.root) && self.read_only_entry(path).is_none()
    }

    /// The read-only entry `path` (absolute, resolved, under this root) is or lies in: one of
    /// `read_only_subpaths`, or a `.git`, `.codex` or `.agents` anywhere below the root, existing or not — a
    /// model must not create a repository or agent configuration either, and a nested one configures git or
    /// the agent run from that directory. Exact only for a path whose components are no symlinks.
    pub fn read_only_entry(&self, path: &Path) -> Option<PathBuf> {
        if let Some(protected) = self
            .read_only_subpaths
            .iter()
            .find(|protected| path.starts_with(protected))
        {
            return Some(protected.clone());
        }
        let relative = path.strip_prefix(&self.root).ok()?;
        let mut entry = self.root.clone();
        for component in relative.components() {
            entry.push(component);
            if PROTECTED_NAMES
                .iter()
                .any(|name| component.as_os_str() == *name)
            {
                return Some(entry);
            }
        }
        None
    }
}

/// Names that configure the agent or run code on the user's behalf, protected wherever a writable root holds
/// them: a model must not plant git hooks or `core.fsmonitor`, nor rewrite its own configuration.
const PROTECTED_NAMES: [&str; 3] = [".git", ".codex", ".agents"];

/// The existing entries under `root` that stay read-only: each of [`PROTECTED_NAMES`] present directly in
/// it, the gitdir a `.git` file (worktree, submodule) points to and a worktree's common directory (where
/// its hooks and config live) when those are under the root too, and `codex_home` when it is under the
/// root. Paths are canonical, like the roots.
pub fn protected_entries(root: &Path, codex_home: &Path) -> Vec<PathBuf> {
    let root = resolve_existing(root);
    let mut entries: Vec<PathBuf> = protection_candidates(&root, codex_home)
        .into_iter()
        .filter(|entry| entry.starts_with(&root) && *entry != root)
        .collect();
    entries.sort();
    entries.dedup();
    entries
}

/// What [`protected_entries`] protects, before keeping what lies under the (resolved) `root`: a `.git`
/// file's gitdir and common directory may be anywhere.
fn protection_candidates(root: &Path, codex_home: &Path) -> Vec<PathBuf> {
    let mut entries = Vec::new();
    for name in PROTECTED_NAMES {
        let entry = root.join(name);
        let Ok(metadata) = std::fs::symlink_metadata(&entry) else {
            continue;
        };
        if name == ".git"
            && metadata.is_file()
            && let Some(gitdir) = gitdir_of_git_file(&entry)
        {
            if let Some(common) = common_dir_of_gitdir(&gitdir) {
                entries.push(common);
            }
            entries.push(gitdir);
        }
        entries.push(entry);
    }
    entries.push(resolve_existing(&normalize(codex_home)));
    entries
}

/// The directory a `.git` file names (`gitdir: <path>`, relative to the file's directory), resolved.
fn gitdir_of_git_file(git_file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(git_file).ok()?;
    let gitdir = text
        .lines()
        .find_map(|line| line.strip_prefix("gitdir:"))?
        .trim();
    let base = git_file.parent()?;
    Some(resolve_existing(&normalize(&base.join(gitdir))))
}

/// The repository directory a worktree's gitdir shares (its `commondir` file, relative to the gitdir).
fn common_dir_of_gitdir(gitdir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(gitdir.join("commondir")).ok()?;
    let common = text.lines().next()?.trim();
    Some(resolve_existing(&normalize(&gitdir.join(common))))
}

/// Canonicalizes the longest existing ancestor of `path` (following symlinks) and appends the rest, which
/// does not exist yet and so cannot be a link.
pub(crate) fn resolve_existing(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |resolved, part| resolved.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            (None, _) | (_, None) => return path.to_path_buf(),
        }
    }
}

/// Resolves `.` and `..` lexically, so `/repo/../etc` is not mistaken for a path under `/repo`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normalized.pop();
            }
            Component::CurDir => {}
            Component::Prefix(_) | Component::RootDir | Component::Normal(_) => {
                normalized.push(component.as_os_str());
            }
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn workspace_write(roots: &[&str]) -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite {
            writable_roots: roots.iter().map(PathBuf::from).collect(),
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: false,
        }
    }

    #[test]
    fn workspace_write_roots_are_cwd_extra_roots_and_tmp() {
        assert_eq!(
            workspace_write(&["../shared", "/opt/cache"]).writable_roots(Path::new("/work/repo")),
            vec![
                PathBuf::from("/work/repo"),
                PathBuf::from("/work/shared"),
                PathBuf::from("/opt/cache"),
                PathBuf::from("/tmp"),
            ]
        );
    }

    #[test]
    fn git_codex_and_agents_entries_and_codex_home_stay_read_only() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        for dir in [".git/hooks", ".codex", ".agents", "home/.codex", "src"] {
            std::fs::create_dir_all(root.join(dir)).expect("mkdir");
        }
        let codex_home = root.join("home/.codex");
        let policy = workspace_write(&[]);
        let roots = policy.writable_roots_with_protection(&root, &codex_home);
        let expected = WritableRoot {
            root: root.clone(),
            read_only_subpaths: vec![
                root.join(".agents"),
                root.join(".codex"),
                root.join(".git"),
                codex_home,
            ],
        };
        assert_eq!(roots.first(), Some(&expected));
        assert!(expected.allows(&root.join("src/lib.rs")));
        assert!(expected.allows(&root.join(".gitignore")));
        assert!(!expected.allows(&root.join(".git")));
        assert!(!expected.allows(&root.join(".git/hooks/pre-commit")));
        assert!(!expected.allows(&root.join("home/.codex/config.toml")));
        assert!(!expected.allows(Path::new("/etc/passwd")));
        assert_eq!(
            expected.read_only_entry(&root.join("vendor/lib/.git/hooks/pre-commit")),
            Some(root.join("vendor/lib/.git")),
            "a nested or not yet existing .git is read-only too"
        );
        assert_eq!(expected.read_only_entry(&root.join("src/.gitignore")), None);
    }

    #[test]
    fn a_git_file_protects_the_gitdir_it_names_inside_the_root() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("modules/sub")).expect("mkdir");
        std::fs::create_dir_all(root.join("checkout")).expect("mkdir");
        std::fs::write(root.join("checkout/.git"), "gitdir: ../modules/sub\n").expect("write");
        assert_eq!(
            protected_entries(&root.join("checkout"), Path::new("/nonexistent/home")),
            vec![root.join("checkout/.git")],
            "a gitdir outside the root is protected by not being writable at all"
        );
        assert_eq!(
            protected_entries(&root, Path::new("/nonexistent/home")),
            Vec::<PathBuf>::new(),
            "only entries directly in the root count"
        );
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::remove_dir(root.join(".git")).expect("rmdir");
        std::fs::write(root.join(".git"), "gitdir: modules/sub\n").expect("write");
        assert_eq!(
            protected_entries(&root, Path::new("/nonexistent/home")),
            vec![root.join(".git"), root.join("modules/sub")]
        );
    }

    #[test]
    fn a_worktree_protects_its_gitdir_and_common_dir_in_whichever_root_holds_them() {
        let workspace = tempfile::tempdir().expect("workspace");
        let base = workspace.path().canonicalize().expect("canonical");
        let main = base.join("main");
        let worktree = base.join("worktree");
        std::fs::create_dir_all(main.join(".git/worktrees/wt/hooks")).expect("mkdir");
        std::fs::create_dir_all(&worktree).expect("mkdir");
        std::fs::write(main.join(".git/worktrees/wt/commondir"), "../..\n").expect("commondir");
        std::fs::write(
            worktree.join(".git"),
            format!("gitdir: {}\n", main.join(".git/worktrees/wt").display()),
        )
        .expect("git file");
        let policy = SandboxPolicy::WorkspaceWrite {
            writable_roots: vec![main.clone()],
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: true,
        };
        let roots =
            policy.writable_roots_with_protection(&worktree, Path::new("/nonexistent/home"));
        assert_eq!(
            roots,
            vec![
                WritableRoot {
                    root: worktree.clone(),
                    read_only_subpaths: vec![worktree.join(".git")],
                },
                WritableRoot {
                    root: main.clone(),
                    read_only_subpaths: vec![main.join(".git"), main.join(".git/worktrees/wt")],
                },
            ]
        );
    }
}
