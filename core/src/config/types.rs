//! Small typed config values with upstream spellings: approval policy, sandbox mode and its workspace-write
//! settings, web search mode, credential store, login method, project trust, shell environment policy.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde::Serialize;

/// When the agent must ask before running a command (`approval_policy`). As upstream 0.171, `on-failure` is
/// read as `on-request`, and 0.105's `{ reject = { .. } }` as the `granular` policy allowing the prompts it
/// did not reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", from = "AskForApprovalSpelling")]
pub enum AskForApproval {
    /// Ask for everything except known-safe read-only commands.
    Untrusted,
    /// The model decides when to ask.
    #[default]
    OnRequest,
    /// Like on-request, but each kind of prompt is either allowed (`true`) or rejected without asking.
    Granular(GranularApprovalConfig),
    /// Never ask; failures go back to the model.
    Never,
}

/// Which prompts the `granular` approval policy allows; a `false` kind is rejected without asking the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GranularApprovalConfig {
    /// Command and file-change approvals: running outside the sandbox, writing outside its roots.
    pub sandbox_approval: bool,
    /// Prompts required by exec-policy rules.
    pub rules: bool,
    /// Prompts for skill scripts.
    #[serde(default)]
    pub skill_approval: bool,
    /// Prompts from the `request_permissions` tool.
    #[serde(default)]
    pub request_permissions: bool,
    /// MCP servers' elicitation requests.
    pub mcp_elicitations: bool,
}

/// 0.105's `reject` policy: `true` rejects that kind of prompt without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct RejectApprovalConfig {
    #[serde(default)]
    pub sandbox_approval: bool,
    #[serde(default)]
    pub rules: bool,
    #[serde(default)]
    pub mcp_elicitations: bool,
}

impl From<RejectApprovalConfig> for GranularApprovalConfig {
    fn from(reject: RejectApprovalConfig) -> Self {
        GranularApprovalConfig {
            sandbox_approval: !reject.sandbox_approval,
            rules: !reject.rules,
            skill_approval: true,
            request_permissions: true,
            mcp_elicitations: !reject.mcp_elicitations,
        }
    }
}

/// Every spelling `approval_policy` is read from.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AskForApprovalSpelling {
    Untrusted,
    #[serde(alias = "on-failure")]
    OnRequest,
    Granular(GranularApprovalConfig),
    Reject(RejectApprovalConfig),
    Never,
}

impl From<AskForApprovalSpelling> for AskForApproval {
    fn from(spelling: AskForApprovalSpelling) -> Self {
        match spelling {
            AskForApprovalSpelling::Untrusted => AskForApproval::Untrusted,
            AskForApprovalSpelling::OnRequest => AskForApproval::OnRequest,
            AskForApprovalSpelling::Granular(config) => AskForApproval::Granular(config),
            AskForApprovalSpelling::Reject(reject) => AskForApproval::Granular(reject.into()),
            AskForApprovalSpelling::Never => AskForApproval::Never,
        }
    }
}

impl AskForApproval {
    /// The policies that are plain strings in config.
    pub const SIMPLE: [AskForApproval; 3] = [
        AskForApproval::Untrusted,
        AskForApproval::OnRequest,
        AskForApproval::Never,
    ];

    /// The config spelling (`approval_policy = "on-request"`), or `granular` for the table form.
    pub fn as_str(self) -> &'static str {
        match self {
            AskForApproval::Untrusted => "untrusted",
            AskForApproval::OnRequest => "on-request",
            AskForApproval::Granular(_) => "granular",
            AskForApproval::Never => "never",
        }
    }

    /// Whether a command or file-change approval may be put to the user at all.
    pub fn allows_sandbox_prompts(self) -> bool {
        match self {
            AskForApproval::Untrusted | AskForApproval::OnRequest => true,
            AskForApproval::Granular(config) => config.sandbox_approval,
            AskForApproval::Never => false,
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
