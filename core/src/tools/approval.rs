//! What the host approved for the rest of a thread (commands, command prefixes, patched paths), which lets
//! later tool calls of the same kind run without asking again.

use std::path::PathBuf;

/// What the host approved for the rest of a thread, so the same request is not asked twice.
#[derive(Debug, Default)]
pub(crate) struct SessionApprovals {
    /// Commands approved with "accept for session", by their text.
    pub(crate) commands: std::collections::HashSet<String>,
    /// Word prefixes approved with an exec-policy amendment.
    pub(crate) prefixes: Vec<Vec<String>>,
    /// Files the host let patches write for the rest of the thread.
    pub(crate) patch_paths: std::collections::HashSet<PathBuf>,
}

impl SessionApprovals {
    /// Whether a command was approved for the session: its exact text, or its words (`None` for a script
    /// that is more than one simple command) starting with an approved prefix.
    pub(crate) fn allows_command(&self, text: &str, words: Option<&[String]>) -> bool {
        self.commands.contains(text)
            || words.is_some_and(|words| {
                self.prefixes
                    .iter()
                    .any(|prefix| !prefix.is_empty() && words.starts_with(prefix))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_rule_matches_words_but_never_a_compound_script() {
        let approvals = SessionApprovals {
            prefixes: vec![vec!["npm".to_string(), "install".to_string()]],
            ..SessionApprovals::default()
        };
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(
            approvals.allows_command("npm install left-pad", Some(&words("npm install left-pad")))
        );
        assert!(!approvals.allows_command("npm test", Some(&words("npm test"))));
        assert!(!approvals.allows_command("npm install && rm -rf ~", None));
    }
}
