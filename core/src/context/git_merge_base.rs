//! The merge base of `HEAD` and a branch, for a review of a branch's changes: asked of git through the same
//! hardened command as the workspace's git state, so the repository cannot make it run a program.

use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use crate::context::git_ceilings::GitCeilings;
use crate::context::git_command::GitProgram;
use crate::context::git_command::HardenedGit;

/// How long the merge base may take to find.
const MERGE_BASE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no merge base was found.
#[derive(Debug, thiserror::Error)]
pub enum MergeBaseError {
    #[error("`{0}` is not a branch name")]
    InvalidBranch(String),
    #[error("no merge base of HEAD and `{branch}` in {cwd}: {reason}")]
    NotFound {
        branch: String,
        cwd: String,
        reason: String,
    },
}

/// The commit where `HEAD` and `branch` diverged (`git merge-base HEAD <branch>`), in the repository of
/// `cwd`.
pub async fn merge_base(cwd: &Path, branch: &str) -> Result<String, MergeBaseError> {
    merge_base_with(&GitProgram::installed(), cwd, branch).await
}

async fn merge_base_with(
    git: &GitProgram,
    cwd: &Path,
    branch: &str,
) -> Result<String, MergeBaseError> {
    // A name git would read as an option (or an empty one) never reaches the command line.
    if branch.is_empty() || branch.starts_with('-') || branch.contains(['\0', '\n']) {
        return Err(MergeBaseError::InvalidBranch(branch.to_string()));
    }
    let not_found = |reason: String| MergeBaseError::NotFound {
        branch: branch.to_string(),
        cwd: cwd.display().to_string(),
        reason,
    };
    let git = HardenedGit::new(git, cwd)
        .map_err(|err| not_found(err.to_string()))?
        .with_ceilings(GitCeilings::from_env().env_value());
    let deadline = Instant::now() + MERGE_BASE_TIMEOUT;
    let output = git
        .output(&["merge-base", "HEAD", branch], deadline)
        .await
        .map_err(|err| not_found(err.to_string()))?;
    let sha = output.trim();
    if sha.is_empty() {
        return Err(not_found("git printed no commit".to_string()));
    }
    Ok(sha.to_string())
}

#[cfg(test)]
mod tests {
    use codex_app_server_tests::hostile_repo::git_ok;
    use pretty_assertions::assert_eq;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        git_ok(dir, args).expect("git runs")
    }

    #[tokio::test]
    async fn the_merge_base_is_where_the_branches_diverged() {
        let repo = tempfile::tempdir().expect("tempdir");
        let dir = repo.path();
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["commit", "-q", "--allow-empty", "-m", "base"]);
        let base = git(dir, &["rev-parse", "HEAD"]);
        git(dir, &["checkout", "-q", "-b", "feature"]);
        git(
            dir,
            &["commit", "-q", "--allow-empty", "-m", "feature work"],
        );
        git(dir, &["checkout", "-q", "main"]);
        git(
            dir,
            &["commit", "-q", "--allow-empty", "-m", "main moved on"],
        );
        git(dir, &["checkout", "-q", "feature"]);
        let unconfined = GitProgram::installed_unconfined();
        assert_eq!(
            merge_base_with(&unconfined, dir, "main")
                .await
                .expect("found"),
            base
        );
        assert!(matches!(
            merge_base_with(&unconfined, dir, "--output=/tmp/x").await,
            Err(MergeBaseError::InvalidBranch(_))
        ));
        assert!(matches!(
            merge_base_with(&unconfined, dir, "no-such-branch").await,
            Err(MergeBaseError::NotFound { .. })
        ));
    }
}
