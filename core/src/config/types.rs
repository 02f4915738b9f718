//! Small typed config values with upstream spellings: approval policy, sandbox mode and its workspace-write
//! settings, web search mode, credential store, login method, project trust, shell environment policy.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde::Serialize;

/// When the agent must ask before running a command (`approval_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AskForApproval {
    /// Ask for everything except known-safe read-only commands.
    Untrusted,
    /// Run in the sandbox; ask only when a command fails there.
    OnFailure,
    /// The model decides when to ask.
    #[default]
    OnRequest,
    /// Never ask; failures go back to the model.
    Never,
}

impl AskForApproval {
    pub const ALL: [AskForApproval; 4] = [
        AskForApproval::Untrusted,
        AskForApproval::OnFailure,
        AskForApproval::OnRequest,
        AskForApproval::Never,
    ];

    /// The config spelling (`approval_policy = "on-request"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AskForApproval::Untrusted => "untrusted",
            AskForApproval::OnFailure => "on-failure",
            AskForApproval::OnRequest => "on-request",
            AskForApproval::Never => "never",
        }
    }
}

/// How commands are sandboxed (`sandbox_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    #[default]
    ReadOnly,
    WorkspaceWrite,
    DangerFullAccess,
}

impl SandboxMode {
    pub const ALL: [SandboxMode; 3] = [
        SandboxMode::ReadOnly,
        SandboxMode::WorkspaceWrite,
        SandboxMode::DangerFullAccess,
    ];

    /// The config spelling (`sandbox_mode = "workspace-write"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxMode::ReadOnly => "read-only",
            SandboxMode::WorkspaceWrite => "workspace-write",
            SandboxMode::DangerFullAccess => "danger-full-access",
        }
    }
}

/// `[sandbox_workspace_write]`: what `workspace-write` may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxWorkspaceWrite {
    pub writable_roots: Vec<PathBuf>,
    pub network_access: bool,
    pub exclude_tmpdir_env_var: bool,
    pub exclude_slash_tmp: bool,
}

/// `web_search`: whether and how the hosted web search tool is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebSearchMode {
    #[default]
    Disabled,
    Cached,
    Live,
}

impl WebSearchMode {
    /// The mode a turn uses: the configured one, else (as upstream) live results when the sandbox is
    /// `danger-full-access` and cached ones otherwise.
    pub fn for_sandbox(configured: Option<WebSearchMode>, sandbox: SandboxMode) -> WebSearchMode {
        configured.unwrap_or(match sandbox {
            SandboxMode::DangerFullAccess => WebSearchMode::Live,
            SandboxMode::ReadOnly | SandboxMode::WorkspaceWrite => WebSearchMode::Cached,
        })
    }
}

/// `cli_auth_credentials_store`: where sign-in credentials are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthCredentialsStoreMode {
    #[default]
    File,
    Keyring,
    Auto,
}

/// `forced_login_method`: restricts sign-in to one method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForcedLoginMethod {
    Chatgpt,
    Api,
}

/// `[projects."<path>"] trust_level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    Trusted,
    Untrusted,
}

/// One `[projects."<path>"]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProjectConfig {
    #[serde(default)]
    pub trust_level: Option<TrustLevel>,
}

/// `[shell_environment_policy]`: which environment variables commands inherit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShellEnvironmentPolicyToml {
    /// `core`, `all` or `none`.
    #[serde(default)]
    pub inherit: Option<String>,
    #[serde(default)]
    pub ignore_default_excludes: Option<bool>,
    #[serde(default)]
    pub exclude: Option<Vec<String>>,
    #[serde(default)]
    pub set: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub include_only: Option<Vec<String>>,
    #[serde(default)]
    pub experimental_use_profile: Option<bool>,
}
