//! Git facts about a working directory (repo root, branch, HEAD commit, remotes, dirty flag), gathered by
//! running `git` with a deadline so a huge, locked or broken repository never stalls a thread or a turn, and
//! through `git_command` so a hostile repository never gets a program of its own run.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde::Serialize;
use tokio::time::Instant;

use crate::context::git_ceilings::GitCeilings;
use crate::context::git_command::GitCommandError;
use crate::context::git_command::GitProgram;
use crate::context::git_command::HardenedGit;

/// Upper bound callers can use when they have no better budget (thread start, turn metadata).
pub const DEFAULT_GIT_INFO_TIMEOUT: Duration = Duration::from_secs(5);

/// What one git repository looked like when it was inspected. Unknown facts (a command failed or ran out of
/// time) are `None` or empty rather than failing the whole collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitInfo {
    /// `git rev-parse --show-toplevel`.
    pub repo_root: PathBuf,
    /// Current branch; `None` on a detached HEAD.
    pub branch: Option<String>,
    /// HEAD commit hash; `None` in a repository without commits.
    pub commit_hash: Option<String>,
    /// Remote name -> fetch URL.
    pub remotes: BTreeMap<String, String>,
    /// Whether `git status` reports any change (tracked or untracked).
    pub has_changes: Option<bool>,
}

/// The `Thread.gitInfo` shape of the app-server protocol: `{sha, branch, originUrl}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadGitInfo {
    pub sha: Option<String>,
    pub branch: Option<String>,
    pub origin_url: Option<String>,
}

impl GitInfo {
    /// The `origin` remote's URL, the one clients show as "the repository".
    pub fn origin_url(&self) -> Option<&str> {
        self.remotes.get("origin").map(String::as_str)
    }

    /// The protocol's `Thread.gitInfo`.
    pub fn thread_git_info(&self) -> ThreadGitInfo {
        ThreadGitInfo {
            sha: self.commit_hash.clone(),
            branch: self.branch.clone(),
            origin_url: self.origin_url().map(str::to_string),
        }
    }

    /// The rollout's `session_meta.git`.
    pub fn rollout_git_info(&self) -> crate::rollout::GitInfo {
        crate::rollout::GitInfo {
            commit_hash: self.commit_hash.clone(),
            branch: self.branch.clone(),
            repository_url: self.origin_url().map(str::to_string),
        }
    }

    /// The directory name of the repo root (the `hint` of a workspace in the environment context).
    pub fn repo_name(&self) -> Option<String> {
        self.repo_root
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
    }
}

/// Inspects the repository containing `cwd`, looked for below `ceilings`. `None` when `cwd` is not inside a
/// repository, git is not installed, or the repo root could not be found within `timeout`. The whole call
/// never takes (much) longer than `timeout`: every git process shares one deadline and is killed when it
/// passes.
pub async fn collect_git_info(
    cwd: &Path,
    ceilings: &GitCeilings,
    timeout: Duration,
) -> Option<GitInfo> {
    collect_git_info_with(&GitProgram::installed(), cwd, ceilings, timeout).await
}

/// Inspects several working directories concurrently (multi-root workspaces). Directories in the same
/// repository yield one entry; the result is keyed and ordered by repo root.
pub async fn collect_workspaces_git_info(
    dirs: &[PathBuf],
    ceilings: &GitCeilings,
    timeout: Duration,
) -> BTreeMap<PathBuf, GitInfo> {
    let infos = futures::future::join_all(
        dirs.iter()
            .map(|dir| collect_git_info(dir, ceilings, timeout)),
    )
    .await;
    infos
        .into_iter()
        .flatten()
        .map(|info| (info.repo_root.clone(), info))
        .collect()
}

/// `git` is the program that stands for `git` (the installed one, or a test's stand-in).
async fn collect_git_info_with(
    git: &GitProgram,
    cwd: &Path,
    ceilings: &GitCeilings,
    timeout: Duration,
) -> Option<GitInfo> {
    let deadline = Instant::now() + timeout;
    let git = match HardenedGit::new(git, cwd) {
        Ok(git) => git.with_ceilings(ceilings.env_value()),
        Err(err) => {
            tracing::debug!("cannot run git in {}: {err}", cwd.display());
            return None;
        }
    };
    let run = |args: &'static [&'static str]| answer(&git, cwd, args, deadline);
    let repo_root = run(&["rev-parse", "--show-toplevel"]).await?;
    let repo_root = PathBuf::from(repo_root.trim_end_matches(['\n', '\r']));
    let (commit_hash, branch, remotes, status) = tokio::join!(
        run(&["rev-parse", "--verify", "HEAD"]),
        run(&["rev-parse", "--abbrev-ref", "HEAD"]),
        run(&["remote", "-v"]),
        run(&["status", "--porcelain"]),
    );
    Some(GitInfo {
        repo_root,
        commit_hash: commit_hash
            .map(|out| out.trim().to_string())
            .filter(|hash| !hash.is_empty()),
        // `--abbrev-ref` prints `HEAD` when detached.
        branch: branch
            .map(|out| out.trim().to_string())
            .filter(|name| !name.is_empty() && name != "HEAD"),
        remotes: remotes
            .map(|out| parse_remote_fetch_urls(&out))
            .unwrap_or_default(),
        has_changes: status.map(|out| !out.trim().is_empty()),
    })
}

/// Parses `git remote -v` (`<name>\t<url> (fetch|push)` lines), keeping fetch URLs.
fn parse_remote_fetch_urls(output: &str) -> BTreeMap<String, String> {
    output
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once('\t')?;
            let url = rest.strip_suffix(" (fetch)")?;
            Some((name.to_string(), url.to_string()))
        })
        .collect()
}

/// One git command's stdout; `None` (logged) on any failure or when `deadline` passes.
async fn answer(git: &HardenedGit, cwd: &Path, args: &[&str], deadline: Instant) -> Option<String> {
    match git.output(args, deadline).await {
        Ok(stdout) => Some(stdout),
        Err(err @ GitCommandError::TimedOut { .. }) => {
            tracing::warn!("{err} in {}", cwd.display());
            None
        }
        Err(err) => {
            tracing::debug!("{err} in {}", cwd.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_app_server_tests::hostile_repo::Vector;
    use codex_app_server_tests::hostile_repo::markers_present;
    use codex_app_server_tests::hostile_repo::plant;
    use codex_app_server_tests::hostile_repo::unhardened_status;
    use pretty_assertions::assert_eq;
    use std::process::Command as StdCommand;

    /// A ceiling at the fixture's parent: a repository above the fixture (a stray `/tmp/.git`) is not part of
    /// the test.
    fn below(fixture: &tempfile::TempDir) -> GitCeilings {
        GitCeilings::new(fixture.path().parent())
    }

    fn git_available() -> bool {
        StdCommand::new("git")
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = StdCommand::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout)
            .expect("utf8")
            .trim()
            .to_string()
    }

    /// A repo on branch `feature` with one commit and an `origin` remote; returns (canonical root, HEAD).
    fn init_repo(dir: &Path) -> (PathBuf, String) {
        git(dir, &["init", "-q", "-b", "feature"]);
        git(dir, &["config", "user.name", "Test"]);
        git(dir, &["config", "user.email", "test@example.com"]);
        git(dir, &["config", "commit.gpgsign", "false"]);
        std::fs::write(dir.join("README.md"), "hello\n").expect("write");
        git(dir, &["add", "."]);
        git(dir, &["commit", "-q", "-m", "initial"]);
        git(
            dir,
            &["remote", "add", "origin", "https://example.com/repo.git"],
        );
        let head = git(dir, &["rev-parse", "HEAD"]);
        let root = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"]));
        (root, head)
    }

    #[tokio::test]
    async fn collects_branch_commit_remotes_and_dirty_flag() {
        if !git_available() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        let (root, head) = init_repo(tmp.path());
        let nested = tmp.path().join("src");
        std::fs::create_dir(&nested).expect("mkdir");

        let info = collect_git_info(&nested, &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT).await;
        assert_eq!(
            info,
            Some(GitInfo {
                repo_root: root.clone(),
                branch: Some("feature".to_string()),
                commit_hash: Some(head.clone()),
                remotes: BTreeMap::from([(
                    "origin".to_string(),
                    "https://example.com/repo.git".to_string()
                )]),
                has_changes: Some(false),
            })
        );

        std::fs::write(tmp.path().join("new.txt"), "x").expect("write");
        let dirty = collect_git_info(tmp.path(), &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT)
            .await
            .expect("repo");
        assert_eq!(dirty.has_changes, Some(true));
        assert_eq!(
            dirty.thread_git_info(),
            ThreadGitInfo {
                sha: Some(head.clone()),
                branch: Some("feature".to_string()),
                origin_url: Some("https://example.com/repo.git".to_string()),
            }
        );
        assert_eq!(
            serde_json::to_value(dirty.thread_git_info()).expect("json"),
            serde_json::json!({
                "sha": head,
                "branch": "feature",
                "originUrl": "https://example.com/repo.git"
            })
        );
    }

    #[tokio::test]
    async fn detached_head_without_remotes_has_no_branch() {
        if !git_available() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        let (root, head) = init_repo(tmp.path());
        git(tmp.path(), &["remote", "remove", "origin"]);
        git(tmp.path(), &["checkout", "-q", "--detach"]);

        let info = collect_git_info(tmp.path(), &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT).await;
        assert_eq!(
            info,
            Some(GitInfo {
                repo_root: root,
                branch: None,
                commit_hash: Some(head),
                remotes: BTreeMap::new(),
                has_changes: Some(false),
            })
        );
    }

    #[tokio::test]
    async fn not_a_repo_is_none() {
        if !git_available() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            collect_git_info(tmp.path(), &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT).await,
            None
        );
    }

    #[tokio::test]
    async fn git_does_not_climb_into_a_ceiling() {
        if !git_available() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        init_repo(tmp.path());
        let ceiling = tmp.path().join("ceiling");
        let nested = ceiling.join("nested");
        std::fs::create_dir_all(&nested).expect("mkdir");

        assert_eq!(
            collect_git_info(
                &nested,
                &GitCeilings::new([&ceiling]),
                DEFAULT_GIT_INFO_TIMEOUT
            )
            .await,
            None
        );
        assert!(
            collect_git_info(&nested, &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT)
                .await
                .is_some()
        );
    }

    #[tokio::test]
    async fn broken_git_pointer_is_none_quickly() {
        if !git_available() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join(".git"), "gitdir: /nonexistent/elsewhere\n").expect("write");

        let started = std::time::Instant::now();
        let info = collect_git_info(tmp.path(), &below(&tmp), DEFAULT_GIT_INFO_TIMEOUT).await;
        assert_eq!(info, None);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn missing_git_binary_is_none() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let info = collect_git_info_with(
            &GitProgram::stand_in(&["/nonexistent/bin/git"]),
            tmp.path(),
            &below(&tmp),
            DEFAULT_GIT_INFO_TIMEOUT,
        )
        .await;
        assert_eq!(info, None);
    }

    /// A `git` stand-in: `sh -c <script>`, which sees the subcommand and its arguments as `$1`, `$2`, ...
    /// once the global options (`--no-pager`, `-c <setting>`) are shifted away (run through `sh` rather than
    /// as a freshly written executable, which parallel tests could hit with ETXTBSY).
    #[cfg(unix)]
    fn fake_git(script: &str) -> GitProgram {
        let script = format!(
            "while :; do case \"$1\" in -c) shift 2 ;; --*) shift ;; *) break ;; esac; done\n{script}"
        );
        GitProgram::stand_in(&["sh", "-c", &script, "git"])
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn hanging_git_is_cut_off_at_the_deadline() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let started = std::time::Instant::now();
        let info = collect_git_info_with(
            &fake_git("exec sleep 30"),
            tmp.path(),
            &below(&tmp),
            Duration::from_millis(300),
        )
        .await;
        assert_eq!(info, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn slow_status_keeps_the_facts_that_arrived_in_time() {
        let tmp = tempfile::tempdir().expect("tempdir");
        // Answers everything at once except `status`, which hangs like a huge working tree would.
        let script = "case \"$1 $2\" in\n\
            \"rev-parse --show-toplevel\") echo /work/repo ;;\n\
            \"rev-parse --verify\") echo abc123 ;;\n\
            \"rev-parse --abbrev-ref\") echo main ;;\n\
            \"remote -v\") printf 'origin\\tgit@example.com:r.git (fetch)\\norigin\\tgit@example.com:r.git (push)\\n' ;;\n\
            *) exec sleep 30 ;;\n\
            esac\n";

        let started = std::time::Instant::now();
        let info = collect_git_info_with(
            &fake_git(script),
            tmp.path(),
            &below(&tmp),
            Duration::from_millis(1500),
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            info,
            Some(GitInfo {
                repo_root: PathBuf::from("/work/repo"),
                branch: Some("main".to_string()),
                commit_hash: Some("abc123".to_string()),
                remotes: BTreeMap::from([(
                    "origin".to_string(),
                    "git@example.com:r.git".to_string()
                )]),
                has_changes: None,
            })
        );
    }

    /// Every way the test suite knows for a repository to make `git status` and friends start a program: the
    /// facts are still collected, and none of the programs ran (while plain `git status` runs each).
    #[tokio::test]
    async fn a_hostile_repository_gets_none_of_its_programs_run() {
        if !git_available() {
            return;
        }
        for vector in Vector::ALL {
            let repo = tempfile::tempdir().expect("tempdir");
            let markers = tempfile::tempdir().expect("tempdir");
            let head = plant(vector, repo.path(), markers.path()).expect("plant");

            let info = collect_git_info(repo.path(), &below(&repo), DEFAULT_GIT_INFO_TIMEOUT)
                .await
                .expect("a repository");
            assert_eq!(info.commit_hash, Some(head), "{vector:?}");
            assert_eq!(info.branch.as_deref(), Some("main"), "{vector:?}");
            assert_eq!(
                info.has_changes.is_some(),
                vector.status_answers(),
                "{vector:?}: {info:?}"
            );
            assert_eq!(
                markers_present(markers.path()).expect("markers"),
                Vec::<String>::new(),
                "{vector:?}"
            );
            unhardened_status(repo.path()).expect("git");
            assert_eq!(
                markers_present(markers.path()).expect("markers"),
                vec![vector.name().to_string()],
                "{vector:?} is not hostile"
            );
        }
    }

    #[tokio::test]
    async fn several_roots_are_keyed_by_repo_root() {
        if !git_available() {
            return;
        }
        let first = tempfile::tempdir().expect("tempdir");
        let second = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let (first_root, _) = init_repo(first.path());
        let (second_root, _) = init_repo(second.path());
        let nested = first.path().join("sub");
        std::fs::create_dir(&nested).expect("mkdir");

        let infos = collect_workspaces_git_info(
            &[
                first.path().to_path_buf(),
                nested,
                second.path().to_path_buf(),
                outside.path().to_path_buf(),
            ],
            &below(&outside),
            DEFAULT_GIT_INFO_TIMEOUT,
        )
        .await;
        let mut expected_roots = vec![first_root, second_root];
        expected_roots.sort();
        assert_eq!(infos.keys().cloned().collect::<Vec<_>>(), expected_roots);
    }
}
