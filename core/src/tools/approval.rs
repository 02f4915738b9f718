//! What the host approved for the rest of a thread (commands, command prefixes, patched paths, MCP tools), which lets
//! later tool calls of the same kind run without asking again.

use std::collections::HashSet;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;

/// What the host approved for the rest of a thread, so the same request is not asked twice. Clones share
/// one record: the thread keeps it, each turn's tools read and extend it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionApprovals {
    approved: Arc<Mutex<Approved>>,
}

#[derive(Debug, Default)]
struct Approved {
    /// Commands approved with "accept for session", by their text.
    commands: HashSet<String>,
    /// Word prefixes approved with an exec-policy amendment.
    prefixes: Vec<Vec<String>>,
    /// Files the host let patches write for the rest of the thread.
    patch_paths: HashSet<PathBuf>,
    /// MCP tools approved for the rest of the thread, as (server, tool).
    mcp_tools: HashSet<(String, String)>,
}

impl SessionApprovals {
    fn lock(&self) -> std::sync::MutexGuard<'_, Approved> {
        self.approved.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a command was approved for the session: its exact text, or its words (`None` for a script
    /// that is more than one simple command) starting with an approved prefix.
    pub(crate) fn allows_command(&self, text: &str, words: Option<&[String]>) -> bool {
        let approved = self.lock();
        approved.commands.contains(text)
            || words.is_some_and(|words| {
                approved
                    .prefixes
                    .iter()
                    .any(|prefix| !prefix.is_empty() && words.starts_with(prefix))
            })
    }

    /// "Accept for session": the same command text runs without asking from now on.
    pub(crate) fn approve_command(&self, text: &str) {
        self.lock().commands.insert(text.to_string());
    }

    /// An exec-policy amendment: commands whose words start with `prefix` run without asking.
    pub(crate) fn approve_prefix(&self, prefix: Vec<String>) {
        self.lock().prefixes.push(prefix);
    }

    /// Patches may write these files for the rest of the thread.
    pub(crate) fn approve_patch_paths(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.lock().patch_paths.extend(paths);
    }

    /// Calls of `server`'s `tool` run without asking for the rest of the thread.
    pub(crate) fn approve_mcp_tool(&self, server: &str, tool: &str) {
        self.lock()
            .mcp_tools
            .insert((server.to_string(), tool.to_string()));
    }

    pub(crate) fn allows_mcp_tool(&self, server: &str, tool: &str) -> bool {
        self.lock()
            .mcp_tools
            .contains(&(server.to_string(), tool.to_string()))
    }

    /// Whether patches were allowed to write `path` for the rest of the thread.
    pub(crate) fn allows_patch_path(&self, path: &Path) -> bool {
        self.lock().patch_paths.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_rule_matches_words_but_never_a_compound_script() {
        let approvals = SessionApprovals::default();
        approvals.approve_prefix(vec!["npm".to_string(), "install".to_string()]);
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(
            approvals.allows_command("npm install left-pad", Some(&words("npm install left-pad")))
        );
        assert!(!approvals.allows_command("npm test", Some(&words("npm test"))));
        assert!(!approvals.allows_command("npm install && rm -rf ~", None));
    }
}
