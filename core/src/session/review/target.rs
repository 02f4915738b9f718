//! What a review looks at (`review/start`'s target): its short label for the user and the request the
//! reviewer reads, which for a branch names the commit where the branch left it.

use std::path::Path;

use crate::context::git_merge_base::merge_base;

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewTarget {
    /// The working tree: staged, unstaged and untracked files.
    UncommittedChanges,
    /// The current branch's changes since it left `branch`.
    BaseBranch { branch: String },
    /// The changes one commit made; `title` (its subject, say) labels it.
    Commit { sha: String, title: Option<String> },
    /// Whatever the user's own instructions ask for.
    Custom { instructions: String },
}

impl ReviewTarget {
    /// Why the target cannot be reviewed, before anything runs.
    pub fn validate(&self) -> Result<(), String> {
        let empty = |field: &str| Err(format!("review target `{field}` must not be empty"));
        match self {
            ReviewTarget::UncommittedChanges => Ok(()),
            ReviewTarget::BaseBranch { branch } if branch.trim().is_empty() => empty("branch"),
            // Git refuses such names; one would reach git (and the reviewer's commands) as an option.
            ReviewTarget::BaseBranch { branch } if branch.starts_with('-') => {
                Err(format!("`{branch}` is not a branch name"))
            }
            ReviewTarget::Commit { sha, .. } if sha.trim().is_empty() => empty("sha"),
            ReviewTarget::Custom { instructions } if instructions.trim().is_empty() => {
                empty("instructions")
            }
            ReviewTarget::BaseBranch { .. }
            | ReviewTarget::Commit { .. }
            | ReviewTarget::Custom { .. } => Ok(()),
        }
    }

    /// How the user sees what is reviewed (the review turn's user message, `enteredReviewMode`).
    pub fn label(&self) -> String {
        match self {
            ReviewTarget::UncommittedChanges => "current changes".to_string(),
            ReviewTarget::BaseBranch { branch } => format!("changes against '{branch}'"),
            ReviewTarget::Commit { sha, title } => match title.as_deref().map(str::trim) {
                Some(title) if !title.is_empty() => format!("commit {sha}: {title}"),
                Some(_) | None => format!("commit {sha}"),
            },
            ReviewTarget::Custom { instructions } => instructions.trim().to_string(),
        }
    }

    /// The request the reviewer reads, for a repository at `cwd`.
    pub(crate) async fn request(&self, cwd: &Path) -> String {
        match self {
            ReviewTarget::UncommittedChanges => {
                "Review the uncommitted changes of this repository \
                 (staged, unstaged and untracked files) and report prioritized findings."
                    .to_string()
            }
            ReviewTarget::BaseBranch { branch } => match merge_base(cwd, branch).await {
                Ok(sha) => format!(
                    "Review this branch's changes against the base branch '{branch}'. The branch left \
                     '{branch}' at commit {sha}: `git diff {sha}` shows what changed since. Report \
                     prioritized, actionable findings."
                ),
                Err(err) => {
                    tracing::debug!("review against {branch}: {err}");
                    format!(
                        "Review this branch's changes against the base branch '{branch}'. Find the \
                         commit where the branch left it (`git merge-base HEAD {branch}`) and inspect \
                         `git diff` from there. Report prioritized, actionable findings."
                    )
                }
            },
            ReviewTarget::Commit { sha, title } => match title.as_deref().map(str::trim) {
                Some(title) if !title.is_empty() => format!(
                    "Review the changes made by commit {sha} (\"{title}\"). Report prioritized, \
                     actionable findings."
                ),
                Some(_) | None => format!(
                    "Review the changes made by commit {sha}. Report prioritized, actionable findings."
                ),
            },
            ReviewTarget::Custom { instructions } => instructions.trim().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn labels_read_as_upstreams() {
        let commit = |title: Option<&str>| ReviewTarget::Commit {
            sha: "abc123".to_string(),
            title: title.map(str::to_string),
        };
        assert_eq!(
            [
                ReviewTarget::UncommittedChanges.label(),
                ReviewTarget::BaseBranch {
                    branch: "main".to_string()
                }
                .label(),
                commit(Some("fix add")).label(),
                commit(None).label(),
                ReviewTarget::Custom {
                    instructions: " Check naming. ".to_string()
                }
                .label(),
            ],
            [
                "current changes",
                "changes against 'main'",
                "commit abc123: fix add",
                "commit abc123",
                "Check naming.",
            ]
        );
    }

    #[test]
    fn empty_targets_are_refused() {
        assert_eq!(
            ReviewTarget::Custom {
                instructions: "  ".to_string()
            }
            .validate(),
            Err("review target `instructions` must not be empty".to_string())
        );
        assert_eq!(
            ReviewTarget::BaseBranch {
                branch: String::new()
            }
            .validate(),
            Err("review target `branch` must not be empty".to_string())
        );
        assert_eq!(
            ReviewTarget::BaseBranch {
                branch: "--output=/tmp/x".to_string()
            }
            .validate(),
            Err("`--output=/tmp/x` is not a branch name".to_string())
        );
        assert_eq!(ReviewTarget::UncommittedChanges.validate(), Ok(()));
    }
}
