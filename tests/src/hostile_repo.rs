//! Repositories that try to make git start a program, for the tests of the daemon's own git (core's unit
//! tests and the end-to-end suites). Each plants one vector; the program it names touches a marker file
//! called after the vector in a directory the test chooses, outside the repository, so a test can tell which
//! ones ran. Fixture commands run with no global or system config.

use std::path::Path;
use std::process::Command;
use std::process::Output;
use std::time::Duration;
use std::time::SystemTime;

use anyhow::Context;
use anyhow::ensure;

/// One way a repository makes git run a program of its choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vector {
    /// `core.fsmonitor` names a hook command, which `git status` runs.
    Fsmonitor,
    /// A required clean filter for every file and a tracked file whose stat data changed: `git status`
    /// re-reads it through the filter.
    CleanFilter,
    /// The same with a long-running `process` filter.
    ProcessFilter,
    /// A clean filter defined in a file the repository's config includes.
    IncludedCleanFilter,
    /// A `post-index-change` hook, which follows every index write (`git status` writes the refreshed index
    /// when it may take locks).
    IndexHook,
    /// A submodule whose own config has an fsmonitor hook and a clean filter: `git status` in the parent
    /// runs `git status` inside it.
    Submodule,
    /// A partial clone missing HEAD's tree, whose promisor remote is an `ext::` command line.
    LazyFetchExt,
    /// The same with an ssh remote and `core.sshCommand`.
    LazyFetchSsh,
}

impl Vector {
    pub const ALL: [Vector; 8] = [
        Vector::Fsmonitor,
        Vector::CleanFilter,
        Vector::ProcessFilter,
        Vector::IncludedCleanFilter,
        Vector::IndexHook,
        Vector::Submodule,
        Vector::LazyFetchExt,
        Vector::LazyFetchSsh,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Vector::Fsmonitor => "fsmonitor",
            Vector::CleanFilter => "clean-filter",
            Vector::ProcessFilter => "process-filter",
            Vector::IncludedCleanFilter => "included-clean-filter",
            Vector::IndexHook => "index-hook",
            Vector::Submodule => "submodule",
            Vector::LazyFetchExt => "lazy-fetch-ext",
            Vector::LazyFetchSsh => "lazy-fetch-ssh",
        }
    }

    /// Whether `git status` still answers once the vector is disarmed (a lazy fetch refused leaves HEAD's
    /// tree missing).
    pub fn status_answers(self) -> bool {
        !matches!(self, Vector::LazyFetchExt | Vector::LazyFetchSsh)
    }
}

/// Git for fixtures: no global or system config, a fixed identity, discovery stopped above `dir`.
pub fn git(dir: &Path, args: &[&str]) -> anyhow::Result<Output> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .output()
        .with_context(|| format!("run git {args:?} in {}", dir.display()))
}

/// [`git`] that must succeed; its trimmed stdout.
pub fn git_ok(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = git(dir, args)?;
    ensure!(
        output.status.success(),
        "git {args:?} in {}: {output:?}",
        dir.display()
    );
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

pub fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Makes `repo` (an existing empty directory) a repository with one commit on `main` and plants `vector`,
/// whose program touches `markers/<vector name>`. Returns the HEAD commit.
pub fn plant(vector: Vector, repo: &Path, markers: &Path) -> anyhow::Result<String> {
    let touch = format!("touch '{}'", markers.join(vector.name()).display());
    init_with_commit(repo)?;
    match vector {
        Vector::Fsmonitor => {
            git_ok(
                repo,
                &["config", "core.fsmonitor", &format!("{touch}; false")],
            )?;
            make_stat_dirty(&repo.join("a.txt"))?;
        }
        Vector::CleanFilter | Vector::ProcessFilter | Vector::IncludedCleanFilter => {
            commit_file(repo, ".gitattributes", "* filter=planted\n")?;
            let (key, value) = match vector {
                Vector::ProcessFilter => ("filter.planted.process", touch.clone()),
                _ => ("filter.planted.clean", format!("{touch}; cat")),
            };
            if vector == Vector::IncludedCleanFilter {
                std::fs::write(
                    repo.join(".git/planted.inc"),
                    format!("[filter \"planted\"]\n\tclean = {value}\n"),
                )?;
                git_ok(repo, &["config", "include.path", "planted.inc"])?;
            } else {
                git_ok(repo, &["config", key, &value])?;
            }
            git_ok(repo, &["config", "filter.planted.required", "true"])?;
            make_stat_dirty(&repo.join("a.txt"))?;
        }
        Vector::IndexHook => {
            write_executable(
                &repo.join(".git/hooks/post-index-change"),
                &format!("#!/bin/sh\n{touch}\n"),
            )?;
            make_stat_dirty(&repo.join("a.txt"))?;
        }
        Vector::Submodule => plant_submodule(repo, &touch)?,
        Vector::LazyFetchExt | Vector::LazyFetchSsh => {
            let tree = git_ok(repo, &["rev-parse", "HEAD^{tree}"])?;
            let (dir, file) = tree.split_at(2);
            std::fs::remove_file(repo.join(".git/objects").join(dir).join(file))
                .context("remove HEAD's tree")?;
            git_ok(repo, &["config", "core.repositoryformatversion", "1"])?;
            git_ok(repo, &["config", "extensions.partialClone", "planted"])?;
            git_ok(repo, &["config", "remote.planted.promisor", "true"])?;
            if vector == Vector::LazyFetchExt {
                // In an `ext::` URL `% ` is a space.
                let command = format!("ext::sh -c {}", touch.replace(' ', "% "));
                git_ok(repo, &["config", "remote.planted.url", &command])?;
                git_ok(repo, &["config", "protocol.ext.allow", "always"])?;
            } else {
                let url = "ssh://planted.invalid/r.git";
                git_ok(repo, &["config", "remote.planted.url", url])?;
                git_ok(
                    repo,
                    &["config", "core.sshCommand", &format!("{touch}; false")],
                )?;
            }
        }
    }
    git_ok(repo, &["rev-parse", "HEAD"])
}

/// The markers present in `markers`, sorted.
pub fn markers_present(markers: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(markers)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// The control: plain `git status` (locks allowed, so the index is written) with none of the hardening,
/// which runs the planted program. Its own outcome does not matter.
pub fn unhardened_status(repo: &Path) -> anyhow::Result<()> {
    git(repo, &["status", "--porcelain"]).map(drop)
}

/// `git init` on `main` and one commit of `a.txt`.
pub fn init_with_commit(repo: &Path) -> anyhow::Result<()> {
    git_ok(repo, &["init", "-q", "-b", "main"])?;
    commit_file(repo, "a.txt", "hello\n")
}

fn commit_file(repo: &Path, name: &str, contents: &str) -> anyhow::Result<()> {
    std::fs::write(repo.join(name), contents)?;
    git_ok(repo, &["add", name])?;
    git_ok(repo, &["commit", "-q", "--no-verify", "-m", name]).map(drop)
}

/// The parent repository tracks `sub` as a submodule (a gitlink) whose worktree has a stat-dirty file
/// under a clean filter and an fsmonitor hook, both defined in the submodule's config only.
fn plant_submodule(repo: &Path, touch: &str) -> anyhow::Result<()> {
    let sub = repo.join("sub");
    std::fs::create_dir(&sub)?;
    init_with_commit(&sub)?;
    commit_file(&sub, ".gitattributes", "* filter=subfilter\n")?;
    let gitlink = format!("160000,{},sub", git_ok(&sub, &["rev-parse", "HEAD"])?);
    git_ok(repo, &["update-index", "--add", "--cacheinfo", &gitlink])?;
    git_ok(repo, &["commit", "-q", "--no-verify", "-m", "sub"])?;
    git_ok(
        &sub,
        &["config", "filter.subfilter.clean", &format!("{touch}; cat")],
    )?;
    git_ok(
        &sub,
        &["config", "core.fsmonitor", &format!("{touch}; false")],
    )?;
    make_stat_dirty(&sub.join("a.txt"))
}

/// Moves the file's mtime a year ahead: its stat data no longer matches the index, so git re-reads it.
fn make_stat_dirty(path: &Path) -> anyhow::Result<()> {
    let future = SystemTime::now() + Duration::from_secs(3600 * 24 * 365);
    std::fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(future)
        .with_context(|| format!("set the mtime of {}", path.display()))
}

fn write_executable(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}
