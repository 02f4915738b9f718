//! The environment block the model sees at the start of a thread: where it works, with which shell, under
//! which approval and sandbox rules, and the git repositories of its workspace.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;

use crate::config::AskForApproval;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::context::git_info::GitInfo;
use crate::protocol::response_item::ResponseItem;

/// Everything `<environment_context>` can say. Optional parts are left out of the block when `None` or empty,
/// so `EnvironmentContext::new(cwd, shell)` renders the base form upstream 0.105 sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentContext {
    pub cwd: PathBuf,
    pub shell: String,
    pub approval_policy: Option<AskForApproval>,
    pub sandbox_mode: Option<SandboxMode>,
    /// Whether commands may reach the network (`enabled` / `restricted`).
    pub network_access: Option<bool>,
    /// Git repositories of the workspace, keyed by repo root.
    pub workspaces: BTreeMap<PathBuf, GitInfo>,
}

impl EnvironmentContext {
    /// The base form: cwd and shell only.
    pub fn new(cwd: PathBuf, shell: String) -> Self {
        Self {
            cwd,
            shell,
            approval_policy: None,
            sandbox_mode: None,
            network_access: None,
            workspaces: BTreeMap::new(),
        }
    }

    /// Fills approval policy, sandbox mode and network access from config: network is off in `read-only`,
    /// per `[sandbox_workspace_write] network_access` in `workspace-write`, on in `danger-full-access`.
    pub fn with_policies(
        self,
        approval_policy: AskForApproval,
        sandbox_mode: SandboxMode,
        workspace_write: &SandboxWorkspaceWrite,
    ) -> Self {
        let network_access = match sandbox_mode {
            SandboxMode::ReadOnly => false,
            SandboxMode::WorkspaceWrite => workspace_write.network_access,
            SandboxMode::DangerFullAccess => true,
        };
        Self {
            approval_policy: Some(approval_policy),
            sandbox_mode: Some(sandbox_mode),
            network_access: Some(network_access),
            ..self
        }
    }

    /// Adds a workspace repository; a second one with the same root replaces the first.
    pub fn with_git_info(mut self, git: GitInfo) -> Self {
        self.workspaces.insert(git.repo_root.clone(), git);
        self
    }

    /// The `<environment_context>` text. Deterministic: workspaces and remotes are ordered by key.
    pub fn render(&self) -> String {
        let mut lines = vec![
            "<environment_context>".to_string(),
            format!("  <cwd>{}</cwd>", self.cwd.display()),
        ];
        if let Some(policy) = self.approval_policy {
            let policy = policy.as_str();
            lines.push(format!("  <approval_policy>{policy}</approval_policy>"));
        }
        if let Some(mode) = self.sandbox_mode {
            let mode = mode.as_str();
            lines.push(format!("  <sandbox_mode>{mode}</sandbox_mode>"));
        }
        if let Some(network) = self.network_access {
            let network = if network { "enabled" } else { "restricted" };
            lines.push(format!("  <network_access>{network}</network_access>"));
        }
        lines.push(format!("  <shell>{}</shell>", self.shell));
        if !self.workspaces.is_empty() {
            lines.push("  <workspace_configuration>".to_string());
            for (root, git) in &self.workspaces {
                let hint = git
                    .repo_name()
                    .map(|name| format!(" hint=\"{name}\""))
                    .unwrap_or_default();
                lines.push(format!("    <workspace path=\"{}\"{hint}>", root.display()));
                if let Some(hash) = &git.commit_hash {
                    lines.push(format!(
                        "      <latest_git_commit_hash>{hash}</latest_git_commit_hash>"
                    ));
                }
                if !git.remotes.is_empty() {
                    lines.push("      <associated_remote_urls>".to_string());
                    for (name, url) in &git.remotes {
                        lines.push(format!("        <remote name=\"{name}\">{url}</remote>"));
                    }
                    lines.push("      </associated_remote_urls>".to_string());
                }
                lines.push("    </workspace>".to_string());
            }
            lines.push("  </workspace_configuration>".to_string());
        }
        lines.push("</environment_context>".to_string());
        lines.join("\n")
    }
}

impl EnvironmentContext {
    /// The environment context the model read last in `history` (the latest one a user message carries).
    pub fn last_in(history: &[ResponseItem]) -> Option<Self> {
        history.iter().rev().find_map(|item| {
            item.input_texts("user")
                .find_map(EnvironmentContext::from_rendered)
        })
    }
}

impl EnvironmentContext {
    /// Reads back what a rendered context said about cwd, shell and permissions (git state is not read), so
    /// a resumed thread knows what the model was last told. `None` when `text` is not an environment context.
    pub fn from_rendered(text: &str) -> Option<Self> {
        let body = text.strip_prefix("<environment_context>")?;
        let field = |tag: &str| {
            let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
            let end = start + body[start..].find(&format!("</{tag}>"))?;
            Some(body[start..end].to_string())
        };
        Some(Self {
            cwd: PathBuf::from(field("cwd")?),
            shell: field("shell")?,
            approval_policy: field("approval_policy").and_then(|policy| {
                AskForApproval::SIMPLE
                    .into_iter()
                    .find(|known| known.as_str() == policy)
            }),
            sandbox_mode: field("sandbox_mode").and_then(|mode| {
                SandboxMode::ALL
                    .into_iter()
                    .find(|known| known.as_str() == mode)
            }),
            network_access: field("network_access").and_then(|network| match network.as_str() {
                "enabled" => Some(true),
                "restricted" => Some(false),
                _ => None,
            }),
            workspaces: BTreeMap::new(),
        })
    }
}

/// Renders the base `<environment_context>` (cwd and shell) for the session prefix.
pub fn render_environment_context(cwd: &Path, shell: &str) -> String {
    EnvironmentContext::new(cwd.to_path_buf(), shell.to_string()).render()
}

#[cfg(test)]
mod round_trip_tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn a_rendered_context_reads_back_without_its_git_state() {
        let context = EnvironmentContext::new(PathBuf::from("/repo"), "zsh".to_string())
            .with_policies(
                AskForApproval::Untrusted,
                SandboxMode::WorkspaceWrite,
                &SandboxWorkspaceWrite {
                    network_access: true,
                    ..SandboxWorkspaceWrite::default()
                },
            );
        assert_eq!(
            EnvironmentContext::from_rendered(&context.render()),
            Some(context)
        );
        assert_eq!(
            EnvironmentContext::from_rendered(&render_environment_context(Path::new("/a"), "bash")),
            Some(EnvironmentContext::new(
                PathBuf::from("/a"),
                "bash".to_string()
            ))
        );
        assert_eq!(EnvironmentContext::from_rendered("hello"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn repo(root: &str, commit: Option<&str>, remotes: &[(&str, &str)]) -> GitInfo {
        GitInfo {
            repo_root: PathBuf::from(root),
            branch: Some("main".to_string()),
            commit_hash: commit.map(str::to_string),
            remotes: remotes
                .iter()
                .map(|(name, url)| (name.to_string(), url.to_string()))
                .collect(),
            has_changes: Some(true),
        }
    }

    #[test]
    fn renders_cwd_and_shell() {
        assert_eq!(
            render_environment_context(Path::new("/repo"), "zsh"),
            "<environment_context>\n  <cwd>/repo</cwd>\n  <shell>zsh</shell>\n</environment_context>"
        );
    }

    #[test]
    fn policies_from_config() {
        let base = EnvironmentContext::new(PathBuf::from("/w"), "bash".to_string());
        let open_network = SandboxWorkspaceWrite {
            network_access: true,
            ..SandboxWorkspaceWrite::default()
        };
        assert_eq!(
            base.clone().with_policies(
                AskForApproval::OnRequest,
                SandboxMode::WorkspaceWrite,
                &open_network
            ),
            EnvironmentContext {
                approval_policy: Some(AskForApproval::OnRequest),
                sandbox_mode: Some(SandboxMode::WorkspaceWrite),
                network_access: Some(true),
                ..base.clone()
            }
        );
        assert_eq!(
            base.clone()
                .with_policies(
                    AskForApproval::Untrusted,
                    SandboxMode::ReadOnly,
                    &open_network
                )
                .render(),
            "<environment_context>
  <cwd>/w</cwd>
  <approval_policy>untrusted</approval_policy>
  <sandbox_mode>read-only</sandbox_mode>
  <network_access>restricted</network_access>
  <shell>bash</shell>
</environment_context>"
        );
        assert_eq!(
            base.clone()
                .with_policies(
                    AskForApproval::Never,
                    SandboxMode::DangerFullAccess,
                    &SandboxWorkspaceWrite::default()
                )
                .network_access,
            Some(true)
        );
    }

    #[test]
    fn renders_policies_and_one_workspace() {
        let context = EnvironmentContext {
            approval_policy: Some(AskForApproval::OnRequest),
            sandbox_mode: Some(SandboxMode::WorkspaceWrite),
            network_access: Some(false),
            ..EnvironmentContext::new(PathBuf::from("/repo/src"), "bash".to_string())
        }
        .with_git_info(repo(
            "/repo",
            Some("abc123"),
            &[
                ("upstream", "https://example.com/up.git"),
                ("origin", "https://example.com/repo.git"),
            ],
        ));
        assert_eq!(
            context.render(),
            "<environment_context>
  <cwd>/repo/src</cwd>
  <approval_policy>on-request</approval_policy>
  <sandbox_mode>workspace-write</sandbox_mode>
  <network_access>restricted</network_access>
  <shell>bash</shell>
  <workspace_configuration>
    <workspace path=\"/repo\" hint=\"repo\">
      <latest_git_commit_hash>abc123</latest_git_commit_hash>
      <associated_remote_urls>
        <remote name=\"origin\">https://example.com/repo.git</remote>
        <remote name=\"upstream\">https://example.com/up.git</remote>
      </associated_remote_urls>
    </workspace>
  </workspace_configuration>
</environment_context>"
        );
    }

    #[test]
    fn several_workspaces_are_ordered_and_unknown_children_omitted() {
        let context = EnvironmentContext {
            network_access: Some(true),
            sandbox_mode: Some(SandboxMode::DangerFullAccess),
            approval_policy: Some(AskForApproval::Never),
            ..EnvironmentContext::new(PathBuf::from("/b"), "zsh".to_string())
        }
        .with_git_info(repo("/b", None, &[("origin", "git@example.com:b.git")]))
        .with_git_info(repo("/a", Some("fff"), &[]));
        assert_eq!(
            context.render(),
            "<environment_context>
  <cwd>/b</cwd>
  <approval_policy>never</approval_policy>
  <sandbox_mode>danger-full-access</sandbox_mode>
  <network_access>enabled</network_access>
  <shell>zsh</shell>
  <workspace_configuration>
    <workspace path=\"/a\" hint=\"a\">
      <latest_git_commit_hash>fff</latest_git_commit_hash>
    </workspace>
    <workspace path=\"/b\" hint=\"b\">
      <associated_remote_urls>
        <remote name=\"origin\">git@example.com:b.git</remote>
      </associated_remote_urls>
    </workspace>
  </workspace_configuration>
</environment_context>"
        );
    }
}
