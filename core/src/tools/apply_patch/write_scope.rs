//! `WriteScope`: where a patch may write — the sandbox's writable roots without their read-only entries, or
//! everywhere under `danger-full-access` — plus the exact paths the host approved; and, for each path, the
//! anchor its write is confined to.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::path::PathBuf;

use super::confined_fs::ConfinedPath;
use crate::sandbox::SandboxPolicy;
use crate::sandbox::WritableRoot;

/// Whether the sandbox lets a patch write a resolved path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathAccess {
    Writable,
    /// Inside a writable root, but in (or being) an entry that stays read-only (`.git`, `CODEX_HOME`, ...).
    ReadOnly {
        entry: PathBuf,
    },
    OutsideRoots,
}

impl fmt::Display for PathAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathAccess::Writable => f.write_str("writable"),
            PathAccess::ReadOnly { entry } => {
                write!(
                    f,
                    "read-only ({} stays read-only inside the writable roots)",
                    entry.display()
                )
            }
            PathAccess::OutsideRoots => f.write_str("outside the sandbox's writable roots"),
        }
    }
}

#[derive(Debug, Clone)]
enum Roots {
    Everywhere,
    Only(Vec<WritableRoot>),
}

/// The paths one patch may write. Paths are resolved (absolute, canonical as far as they exist); since the
/// writes follow no symlink, the lexical checks here are exact.
#[derive(Debug, Clone)]
pub struct WriteScope {
    roots: Roots,
    approved: HashSet<PathBuf>,
}

impl WriteScope {
    /// What `policy` lets a turn in `cwd` write; `codex_home` stays read-only where a root holds it.
    pub fn new(policy: &SandboxPolicy, cwd: &Path, codex_home: &Path) -> Self {
        let roots = match policy {
            SandboxPolicy::DangerFullAccess => Roots::Everywhere,
            SandboxPolicy::ReadOnly | SandboxPolicy::WorkspaceWrite { .. } => {
                Roots::Only(policy.writable_roots_with_protection(cwd, codex_home))
            }
        };
        Self {
            roots,
            approved: HashSet::new(),
        }
    }

    /// Writes anywhere (still without following symlinks).
    pub fn everywhere() -> Self {
        Self {
            roots: Roots::Everywhere,
            approved: HashSet::new(),
        }
    }

    /// What the sandbox alone allows for `path`. Read-only wins: an entry protected by one root (its `.git`)
    /// is not made writable by an enclosing root (`/tmp`).
    pub fn access(&self, path: &Path) -> PathAccess {
        let roots = match &self.roots {
            Roots::Everywhere => return PathAccess::Writable,
            Roots::Only(roots) => roots,
        };
        let mut access = PathAccess::OutsideRoots;
        for root in roots.iter().filter(|root| path.starts_with(&root.root)) {
            if let Some(entry) = root.read_only_entry(path) {
                return PathAccess::ReadOnly { entry };
            }
            access = PathAccess::Writable;
        }
        access
    }

    /// The host approved writing exactly `path`.
    pub fn approve(&mut self, path: PathBuf) {
        self.approved.insert(path);
    }

    /// Where the write of `path` is confined: below the innermost writable root holding it, or — for a path
    /// the host approved, or anywhere under `danger-full-access` — from `/`, along exactly that path.
    /// `Err(Writable)` means `path` is a writable root (or `/`) itself, which is no file.
    pub fn confine(&self, path: &Path) -> Result<ConfinedPath, PathAccess> {
        let access = self.access(path);
        let confined = match (&access, &self.roots) {
            (PathAccess::Writable, Roots::Only(roots)) => roots
                .iter()
                .filter(|root| path.starts_with(&root.root))
                .max_by_key(|root| root.root.components().count())
                .and_then(|root| ConfinedPath::new(&root.root, path)),
            (PathAccess::Writable, Roots::Everywhere) => ConfinedPath::absolute(path),
            (PathAccess::ReadOnly { .. } | PathAccess::OutsideRoots, _)
                if self.approved.contains(path) =>
            {
                ConfinedPath::absolute(path)
            }
            (PathAccess::ReadOnly { .. } | PathAccess::OutsideRoots, _) => None,
        };
        confined.ok_or(access)
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn workspace_write() -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: false,
        }
    }

    #[test]
    fn protected_entries_stay_read_only_even_under_an_enclosing_root() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join(".git/hooks")).expect("mkdir");
        let codex_home = root.join("home");
        let scope = WriteScope::new(&workspace_write(), &root, &codex_home);
        assert_eq!(scope.access(&root.join("src/lib.rs")), PathAccess::Writable);
        for (path, entry) in [
            (".git/hooks/pre-commit", ".git"),
            (".git", ".git"),
            (".codex/config.toml", ".codex"),
            ("sub/.agents/skills/x.md", "sub/.agents"),
            ("home/config.toml", "home"),
        ] {
            assert_eq!(
                scope.access(&root.join(path)),
                PathAccess::ReadOnly {
                    entry: root.join(entry)
                },
                "{path}"
            );
            assert_eq!(
                scope.confine(&root.join(path)),
                Err(PathAccess::ReadOnly {
                    entry: root.join(entry)
                })
            );
        }
        assert_eq!(
            scope.access(Path::new("/etc/passwd")),
            PathAccess::OutsideRoots
        );
    }

    #[test]
    fn writes_are_anchored_at_their_root_and_approved_paths_at_slash() {
        let workspace = tempfile::tempdir().expect("workspace");
        let root = workspace.path().canonicalize().expect("canonical");
        let mut scope = WriteScope::new(&workspace_write(), &root, Path::new("/nonexistent"));
        let inside = root.join("src/lib.rs");
        assert_eq!(
            scope.confine(&inside),
            Ok(ConfinedPath::new(&root, &inside).expect("below"))
        );
        let hook = root.join(".git/hooks/pre-commit");
        let outside = PathBuf::from("/opt/elsewhere/file.txt");
        assert_eq!(scope.confine(&outside), Err(PathAccess::OutsideRoots));
        scope.approve(hook.clone());
        scope.approve(outside.clone());
        assert_eq!(
            scope.confine(&hook),
            Ok(ConfinedPath::absolute(&hook).expect("abs"))
        );
        assert_eq!(
            scope.confine(&outside),
            Ok(ConfinedPath::absolute(&outside).expect("abs"))
        );
        assert_eq!(
            scope.confine(&root.join(".git/config")),
            Err(PathAccess::ReadOnly {
                entry: root.join(".git")
            }),
            "approval covers exactly the approved path"
        );
        let read_only = WriteScope::new(&SandboxPolicy::ReadOnly, &root, Path::new("/nonexistent"));
        assert_eq!(read_only.confine(&inside), Err(PathAccess::OutsideRoots));
        assert_eq!(
            WriteScope::everywhere().confine(&outside),
            Ok(ConfinedPath::absolute(&outside).expect("abs"))
        );
    }
}
