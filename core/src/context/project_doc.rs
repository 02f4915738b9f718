//! Project instructions: the `AGENTS.md` files from the repository root down to the working directory,
//! joined in that order under a byte budget, plus the user's global `$CODEX_HOME/AGENTS.md`, rendered as the
//! user-role "AGENTS.md instructions" message of the session prefix.

use std::path::Path;
use std::path::PathBuf;

use tokio::io::AsyncReadExt;

use crate::context::git_ceilings::GitCeilings;

/// The file looked for in every directory.
pub const PROJECT_DOC_FILENAME: &str = "AGENTS.md";
/// A local override that wins over `AGENTS.md` in the same directory.
pub const PROJECT_DOC_OVERRIDE_FILENAME: &str = "AGENTS.override.md";
/// Default `project_doc_max_bytes`.
pub const DEFAULT_PROJECT_DOC_MAX_BYTES: usize = 32 * 1024;
/// Between the global instructions and the project docs when both exist.
const PROJECT_DOC_SEPARATOR: &str = "\n\n--- project-doc ---\n\n";

/// The project doc files that apply to `cwd`, outermost first: one per directory from the git root (the
/// nearest ancestor holding a `.git` directory or file, below `ceilings` as git looks for it) down to `cwd`,
/// or just `cwd` outside a repository. `AGENTS.override.md` is taken instead of `AGENTS.md` where both exist.
pub fn discover_project_doc_paths(cwd: &Path, ceilings: &GitCeilings) -> Vec<PathBuf> {
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let git_root = ceilings
        .search_path(&cwd)
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok());
    let mut search_dirs: Vec<&Path> = match git_root {
        Some(root) => cwd
            .ancestors()
            .take_while(|dir| *dir != root)
            .chain([root])
            .collect(),
        None => vec![cwd.as_path()],
    };
    search_dirs.reverse();
    search_dirs
        .into_iter()
        .filter_map(|dir| {
            [PROJECT_DOC_OVERRIDE_FILENAME, PROJECT_DOC_FILENAME]
                .into_iter()
                .map(|name| dir.join(name))
                .find(|candidate| {
                    std::fs::symlink_metadata(candidate)
                        .is_ok_and(|md| md.file_type().is_file() || md.file_type().is_symlink())
                })
        })
        .collect()
}

/// The discovered docs' contents joined by blank lines, at most `max_bytes` in total (the last one read is
/// cut at the budget). Blank files are skipped, unreadable ones logged and skipped. `None` when nothing is
/// left or `max_bytes` is 0 (which disables project docs).
pub async fn read_project_docs(
    cwd: &Path,
    ceilings: &GitCeilings,
    max_bytes: usize,
) -> Option<String> {
    if max_bytes == 0 {
        return None;
    }
    let mut remaining = max_bytes as u64;
    let mut parts = Vec::new();
    for path in discover_project_doc_paths(cwd, ceilings) {
        if remaining == 0 {
            break;
        }
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(err) => {
                tracing::warn!("cannot read project doc {}: {err}", path.display());
                continue;
            }
        };
        let mut data = Vec::new();
        if let Err(err) = file.take(remaining).read_to_end(&mut data).await {
            tracing::warn!("cannot read project doc {}: {err}", path.display());
            continue;
        }
        let text = String::from_utf8_lossy(&data).into_owned();
        if text.trim().is_empty() {
            continue;
        }
        remaining = remaining.saturating_sub(data.len() as u64);
        parts.push(text);
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The user's own instructions for every project: `$CODEX_HOME/AGENTS.override.md`, else
/// `$CODEX_HOME/AGENTS.md`; `None` when neither exists or it is blank.
pub async fn read_global_instructions(codex_home: &Path) -> Option<String> {
    for name in [PROJECT_DOC_OVERRIDE_FILENAME, PROJECT_DOC_FILENAME] {
        if let Ok(text) = tokio::fs::read_to_string(codex_home.join(name)).await {
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                return Some(trimmed.to_string());
            }
        }
    }
    None
}

/// Global instructions and project docs combined, as upstream sends them: global first, then the project
/// docs after a `--- project-doc ---` separator. `None` when both are absent.
pub async fn user_instructions(
    global_instructions: Option<&str>,
    cwd: &Path,
    ceilings: &GitCeilings,
    project_doc_max_bytes: usize,
) -> Option<String> {
    let project_docs = read_project_docs(cwd, ceilings, project_doc_max_bytes).await;
    match (global_instructions, project_docs) {
        (Some(global), Some(docs)) => Some(format!("{global}{PROJECT_DOC_SEPARATOR}{docs}")),
        (Some(global), None) => Some(global.to_string()),
        (None, Some(docs)) => Some(docs),
        (None, None) => None,
    }
}

/// The text of the user-role message that carries the instructions for a thread working in `cwd`.
pub fn render_user_instructions(cwd: &Path, instructions: &str) -> String {
    format!(
        "# AGENTS.md instructions for {}\n\n<INSTRUCTIONS>\n{instructions}\n</INSTRUCTIONS>",
        cwd.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::fs;

    fn canonical(path: &Path) -> PathBuf {
        fs::canonicalize(path).expect("canonicalize")
    }

    /// A ceiling at the fixture's parent: whatever lies above the fixture (a stray `/tmp/.git`, a
    /// `/tmp/AGENTS.md`) is not part of the test.
    fn below(fixture: &tempfile::TempDir) -> GitCeilings {
        GitCeilings::new(fixture.path().parent())
    }

    #[tokio::test]
    async fn concatenates_from_git_root_down_to_cwd() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outer = tmp.path().join("outer");
        let repo = outer.join("repo");
        let nested = repo.join("crates/a");
        fs::create_dir_all(&nested).expect("mkdir");
        fs::create_dir(repo.join(".git")).expect("mkdir .git");
        // Above the git root: never read.
        fs::write(outer.join("AGENTS.md"), "outside the repo").expect("write");
        fs::write(repo.join("AGENTS.md"), "root doc").expect("write");
        // A directory with only a blank doc contributes nothing.
        fs::write(repo.join("crates/AGENTS.md"), "  \n").expect("write");
        fs::write(nested.join("AGENTS.md"), "ignored: the override wins").expect("write");
        fs::write(nested.join("AGENTS.override.md"), "crate doc").expect("write");

        assert_eq!(
            discover_project_doc_paths(&nested, &below(&tmp)),
            vec![
                canonical(&repo).join("AGENTS.md"),
                canonical(&repo).join("crates/AGENTS.md"),
                canonical(&nested).join("AGENTS.override.md"),
            ]
        );
        assert_eq!(
            read_project_docs(&nested, &below(&tmp), DEFAULT_PROJECT_DOC_MAX_BYTES).await,
            Some("root doc\n\ncrate doc".to_string())
        );
    }

    #[tokio::test]
    async fn git_file_marks_the_root_too() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let nested = tmp.path().join("work");
        fs::create_dir(&nested).expect("mkdir");
        fs::write(tmp.path().join(".git"), "gitdir: /elsewhere\n").expect("write");
        fs::write(tmp.path().join("AGENTS.md"), "root level doc").expect("write");

        assert_eq!(
            read_project_docs(&nested, &below(&tmp), DEFAULT_PROJECT_DOC_MAX_BYTES).await,
            Some("root level doc".to_string())
        );
    }

    #[tokio::test]
    async fn outside_a_repo_only_cwd_is_read() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let cwd = tmp.path().join("project");
        fs::create_dir(&cwd).expect("mkdir");
        fs::write(tmp.path().join("AGENTS.md"), "parent doc").expect("write");
        fs::write(cwd.join("AGENTS.md"), "cwd doc").expect("write");

        assert_eq!(
            read_project_docs(&cwd, &below(&tmp), DEFAULT_PROJECT_DOC_MAX_BYTES).await,
            Some("cwd doc".to_string())
        );
    }

    #[tokio::test]
    async fn the_search_for_the_root_stops_below_a_ceiling() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ceiling = tmp.path().join("ceiling");
        let cwd = ceiling.join("project");
        fs::create_dir_all(&cwd).expect("mkdir");
        fs::create_dir(tmp.path().join(".git")).expect("mkdir .git");
        fs::write(tmp.path().join("AGENTS.md"), "repo root doc").expect("write");
        fs::write(ceiling.join("AGENTS.md"), "ceiling doc").expect("write");
        fs::write(cwd.join("AGENTS.md"), "cwd doc").expect("write");

        assert_eq!(
            discover_project_doc_paths(&cwd, &GitCeilings::new([&ceiling])),
            vec![canonical(&cwd).join("AGENTS.md")]
        );
        // A ceiling that is the cwd itself still lets the cwd be the root, as in git.
        fs::create_dir(cwd.join(".git")).expect("mkdir .git");
        assert_eq!(
            discover_project_doc_paths(&cwd, &GitCeilings::new([&cwd])),
            vec![canonical(&cwd).join("AGENTS.md")]
        );
        assert_eq!(
            discover_project_doc_paths(&ceiling, &below(&tmp)),
            vec![
                canonical(tmp.path()).join("AGENTS.md"),
                canonical(&ceiling).join("AGENTS.md"),
            ]
        );
    }

    #[tokio::test]
    async fn budget_cuts_the_concatenation() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let nested = tmp.path().join("a");
        fs::create_dir(&nested).expect("mkdir");
        fs::create_dir(tmp.path().join(".git")).expect("mkdir .git");
        fs::write(tmp.path().join("AGENTS.md"), "0123456789").expect("write");
        fs::write(nested.join("AGENTS.md"), "abcdefghij").expect("write");

        assert_eq!(
            read_project_docs(&nested, &below(&tmp), 14).await,
            Some("0123456789\n\nabcd".to_string())
        );
        assert_eq!(
            read_project_docs(&nested, &below(&tmp), 10).await,
            Some("0123456789".to_string())
        );
        assert_eq!(read_project_docs(&nested, &below(&tmp), 0).await, None);
    }

    #[tokio::test]
    async fn default_budget_caps_a_huge_doc() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let huge = "A".repeat(DEFAULT_PROJECT_DOC_MAX_BYTES * 2);
        fs::write(tmp.path().join("AGENTS.md"), &huge).expect("write");

        assert_eq!(
            read_project_docs(tmp.path(), &below(&tmp), DEFAULT_PROJECT_DOC_MAX_BYTES).await,
            Some(huge[..DEFAULT_PROJECT_DOC_MAX_BYTES].to_string())
        );
    }

    #[tokio::test]
    async fn no_docs_is_none() {
        let tmp = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            read_project_docs(tmp.path(), &below(&tmp), DEFAULT_PROJECT_DOC_MAX_BYTES).await,
            None
        );
        assert_eq!(
            user_instructions(
                None,
                tmp.path(),
                &below(&tmp),
                DEFAULT_PROJECT_DOC_MAX_BYTES
            )
            .await,
            None
        );
    }

    #[tokio::test]
    async fn global_instructions_come_first() {
        let home = tempfile::tempdir().expect("tempdir");
        let cwd = tempfile::tempdir().expect("tempdir");
        fs::write(home.path().join("AGENTS.md"), "be terse\n").expect("write");
        fs::write(cwd.path().join("AGENTS.md"), "run cargo test").expect("write");

        let global = read_global_instructions(home.path()).await;
        assert_eq!(global.as_deref(), Some("be terse"));
        assert_eq!(
            user_instructions(
                global.as_deref(),
                cwd.path(),
                &below(&cwd),
                DEFAULT_PROJECT_DOC_MAX_BYTES
            )
            .await,
            Some("be terse\n\n--- project-doc ---\n\nrun cargo test".to_string())
        );
        assert_eq!(
            user_instructions(
                global.as_deref(),
                home.path().join("none").as_path(),
                &below(&home),
                0
            )
            .await,
            Some("be terse".to_string())
        );
    }

    #[test]
    fn renders_the_instructions_message() {
        assert_eq!(
            render_user_instructions(Path::new("/repo"), "root doc\n\ncrate doc"),
            "# AGENTS.md instructions for /repo\n\n<INSTRUCTIONS>\nroot doc\n\ncrate doc\n</INSTRUCTIONS>"
        );
    }
}
