//! The typed shape of config.toml (upstream key names), the list of keys that are accepted without being
//! used, and deserialisation that names the offending key path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::config::AskForApproval;
use crate::config::AuthCredentialsStoreMode;
use crate::config::ConfigError;
use crate::config::ForcedLoginMethod;
use crate::config::OtelConfig;
use crate::config::ProjectConfig;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::config::ShellEnvironmentPolicyToml;
use crate::config::WebSearchMode;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::model::info::Verbosity;
use crate::model::provider::ModelProviderInfo;

/// config.toml as written by the user (or merged from several layers). Every key is optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ConfigToml {
    pub model: Option<String>,
    pub model_provider: Option<String>,
    #[serde(default)]
    pub model_providers: BTreeMap<String, ModelProviderInfo>,
    pub model_reasoning_effort: Option<ReasoningEffort>,
    pub model_reasoning_summary: Option<ReasoningSummaryMode>,
    pub model_verbosity: Option<Verbosity>,
    /// The processing tier asked of the provider (`fast`, `flex`, `priority`, ...).
    pub service_tier: Option<String>,
    pub model_context_window: Option<i64>,
    /// Total tokens after which a thread compacts its history before the next request.
    pub model_auto_compact_token_limit: Option<i64>,
    /// The instructions of a summarizing compaction (replaces the built-in prompt).
    pub compact_prompt: Option<String>,
    /// A file holding the compaction prompt, read when config loads (`compact_prompt` wins).
    pub experimental_compact_prompt_file: Option<PathBuf>,
    pub model_supports_reasoning_summaries: Option<bool>,
    pub model_catalog_json: Option<PathBuf>,
    pub approval_policy: Option<AskForApproval>,
    pub sandbox_mode: Option<SandboxMode>,
    pub sandbox_workspace_write: Option<SandboxWorkspaceWrite>,
    #[serde(default)]
    pub features: BTreeMap<String, bool>,
    pub chatgpt_base_url: Option<String>,
    /// Where the built-in `openai` provider's requests go (upstream 0.171's key).
    pub openai_base_url: Option<String>,
    /// How long the host gets to answer `account/chatgptAuthTokens/refresh`.
    #[serde(default, deserialize_with = "crate::timeout_ms::deserialize")]
    pub chatgpt_auth_tokens_refresh_timeout_ms: Option<u64>,
    pub base_instructions: Option<String>,
    /// Older spelling of `base_instructions`.
    pub instructions: Option<String>,
    pub developer_instructions: Option<String>,
    pub cli_auth_credentials_store: Option<AuthCredentialsStoreMode>,
    pub forced_login_method: Option<ForcedLoginMethod>,
    pub web_search: Option<WebSearchMode>,
    pub otel: Option<OtelConfig>,
    pub shell_environment_policy: Option<ShellEnvironmentPolicyToml>,
    pub profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, toml::Table>,
    pub project_doc_max_bytes: Option<usize>,
    /// The model `review/start` reviews with (the thread's when unset).
    pub review_model: Option<String>,
    #[serde(default)]
    pub projects: BTreeMap<String, ProjectConfig>,
    pub hide_agent_reasoning: Option<bool>,
    pub notify: Option<Vec<String>>,
    pub mcp_servers: Option<toml::Table>,
    pub tui: Option<toml::Value>,
}

/// Top-level keys this build reads.
pub(crate) const USED_KEYS: &[&str] = &[
    "model",
    "review_model",
    "model_provider",
    "model_providers",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "service_tier",
    "model_context_window",
    "model_auto_compact_token_limit",
    "compact_prompt",
    "experimental_compact_prompt_file",
    "model_supports_reasoning_summaries",
    "model_catalog_json",
    "approval_policy",
    "sandbox_mode",
    "sandbox_workspace_write",
    "features",
    "chatgpt_base_url",
    "openai_base_url",
    "chatgpt_auth_tokens_refresh_timeout_ms",
    "base_instructions",
    "instructions",
    "developer_instructions",
    "cli_auth_credentials_store",
    "forced_login_method",
    "web_search",
    "otel",
    "shell_environment_policy",
    "profile",
    "profiles",
    "project_doc_max_bytes",
    "projects",
    "hide_agent_reasoning",
    "notify",
    "mcp_servers",
    "mcp_oauth_callback_port",
    "tui",
];

/// Upstream keys users commonly have that this build does not act on: kept in the raw table, no warning.
pub(crate) const ACCEPTED_UNUSED_KEYS: &[&str] = &[
    "model_max_output_tokens",
    "model_reasoning_summary_format",
    "model_supports_reasoning_summary",
    "model_personality",
    "personality",
    "oss_provider",
    "show_raw_agent_reasoning",
    "file_opener",
    "history",
    "notice",
    "tools",
    "disable_response_storage",
    "preferred_auth_method",
    "mcp_oauth_credentials_store",
    "check_for_update_on_startup",
    "disable_paste_burst",
    "windows_wsl_setup_acknowledged",
    "windows",
    "analytics",
    "feedback",
    "ghost_snapshot",
    "project_doc_fallback_filenames",
    "project_root_markers",
    "experimental_instructions_file",
    "model_instructions_file",
    "experimental_use_exec_command_tool",
    "experimental_use_unified_exec_tool",
    "experimental_use_freeform_apply_patch",
    "experimental_use_rmcp_client",
    "experimental_resume",
    "include_apply_patch_tool",
    "include_plan_tool",
    "include_view_image_tool",
    "tools_web_search_request",
    "skills",
    "sandbox",
    "suppress_unstable_features_warning",
    "forced_chatgpt_workspace_id",
    "agents",
    "apps",
    "hooks",
    "shell",
    "zsh_path",
    "log_dir",
    "sqlite_home",
    "memories",
    "experimental_realtime_ws_model",
];

/// Whether a top-level key is known (read or accepted).
pub(crate) fn is_known_key(key: &str) -> bool {
    USED_KEYS.contains(&key) || ACCEPTED_UNUSED_KEYS.contains(&key)
}

impl ConfigToml {
    /// Deserialises a table, naming the key path and `origin` (a file path or layer name) on a bad value.
    pub fn from_table(table: &toml::Table, origin: &str) -> Result<ConfigToml, ConfigError> {
        serde_path_to_error::deserialize(toml::Value::Table(table.clone())).map_err(|err| {
            ConfigError::InvalidValue {
                key: err.path().to_string(),
                origin: origin.to_string(),
                message: err.into_inner().message().to_string(),
            }
        })
    }

    /// `base_instructions`, or its older spelling `instructions`.
    pub fn base_instructions(&self) -> Option<String> {
        self.base_instructions
            .clone()
            .or_else(|| self.instructions.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn bad_value_names_key_and_file() {
        let table: toml::Table = toml::from_str("approval_policy = \"sometimes\"").expect("toml");
        let err = ConfigToml::from_table(&table, "/x/config.toml").expect_err("bad value");
        assert_eq!(
            err.to_string(),
            "invalid value for `approval_policy` in /x/config.toml: unknown variant `sometimes`, \
             expected one of `untrusted`, `on-failure`, `on-request`, `granular`, `reject`, `never`"
        );
    }

    #[test]
    fn nested_bad_value_names_full_path() {
        let table: toml::Table =
            toml::from_str("[model_providers.mock]\nname = \"m\"\nwire_api = \"grpc\"\n")
                .expect("toml");
        let err = ConfigToml::from_table(&table, "/x/config.toml").expect_err("bad value");
        assert_eq!(
            err.to_string(),
            "invalid value for `model_providers.mock.wire_api` in /x/config.toml: unknown variant \
             `grpc`, expected `responses` or `chat`"
        );
    }
}
