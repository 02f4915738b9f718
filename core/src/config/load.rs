//! Loading the effective config: `$CODEX_HOME/config.toml` (user layer), then `-c` session flags, then the
//! selected profile, then per-thread overrides, resolved into typed fields.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::DEFAULT_EXTERNAL_REFRESH_TIMEOUT;
use crate::config::AskForApproval;
use crate::config::AuthCredentialsStoreMode;
use crate::config::ConfigError;
use crate::config::ConfigToml;
use crate::config::ConfigWarning;
use crate::config::Feature;
use crate::config::Features;
use crate::config::ForcedLoginMethod;
use crate::config::OtelConfig;
use crate::config::ProjectConfig;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::config::ShellEnvironmentPolicyToml;
use crate::config::WebSearchMode;
use crate::config::apply_dotted_override;
use crate::config::config_toml::is_known_key;
use crate::model::catalog;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::model::info::Verbosity;
use crate::model::provider::ModelProviderInfo;
use crate::model::provider::OPENAI_PROVIDER_ID;

pub const CONFIG_TOML_FILE: &str = "config.toml";
pub const DEFAULT_CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api/";
const DEFAULT_PROJECT_DOC_MAX_BYTES: usize = 32 * 1024;
pub(crate) const SESSION_FLAGS_ORIGIN: &str = "session flags (-c)";
const THREAD_OVERRIDES_ORIGIN: &str = "thread config overrides";

/// Per-thread overrides (`thread/start` params), applied after every config layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigOverrides {
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub cwd: Option<PathBuf>,
    pub approval_policy: Option<AskForApproval>,
    pub sandbox_mode: Option<SandboxMode>,
    pub base_instructions: Option<String>,
    pub developer_instructions: Option<String>,
    pub reasoning_effort: Option<ReasoningEffort>,
    pub service_tier: Option<String>,
    /// Dotted snake_case config.toml keys; `null` removes the key.
    pub config: BTreeMap<String, serde_json::Value>,
}

/// What `Config::load` reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigLoadOptions {
    /// Defaults to `$CODEX_HOME`, else `~/.codex`.
    pub codex_home: Option<PathBuf>,
    /// `-c key=value` session flags, see `parse_cli_override`.
    pub cli_overrides: Vec<(String, toml::Value)>,
    pub enable_features: Vec<String>,
    pub disable_features: Vec<String>,
    pub overrides: ConfigOverrides,
}

/// The resolved config of one thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub codex_home: PathBuf,
    /// `$CODEX_HOME/config.toml` (it may not exist).
    pub config_file: PathBuf,
    /// Absolute working directory.
    pub cwd: PathBuf,
    /// Resolved model slug.
    pub model: String,
    pub model_provider_id: String,
    pub model_provider: ModelProviderInfo,
    /// Built-in and user-defined providers by id.
    pub model_providers: BTreeMap<String, ModelProviderInfo>,
    pub model_reasoning_effort: Option<ReasoningEffort>,
    pub model_reasoning_summary: ReasoningSummaryMode,
    pub model_verbosity: Option<Verbosity>,
    /// The processing tier asked of the provider; `None` leaves it to the provider.
    pub service_tier: Option<String>,
    pub approval_policy: AskForApproval,
    pub sandbox_mode: SandboxMode,
    pub sandbox_workspace_write: SandboxWorkspaceWrite,
    pub features: Features,
    pub chatgpt_base_url: String,
    /// `chatgpt_auth_tokens_refresh_timeout_ms`: how long the host gets to answer a token refresh.
    pub chatgpt_auth_tokens_refresh_timeout: Duration,
    pub base_instructions: Option<String>,
    pub developer_instructions: Option<String>,
    pub cli_auth_credentials_store: AuthCredentialsStoreMode,
    pub forced_login_method: Option<ForcedLoginMethod>,
    /// `web_search` (or the legacy feature gates) as configured; `None` leaves it to the sandbox, see
    /// [`WebSearchMode::for_sandbox`].
    pub web_search_mode: Option<WebSearchMode>,
    pub otel: OtelConfig,
    pub shell_environment_policy: ShellEnvironmentPolicyToml,
    pub active_profile: Option<String>,
    pub project_doc_max_bytes: usize,
    /// `review_model`: the model `review/start` reviews with; `None`: the thread's.
    pub review_model: Option<String>,
    /// `model_auto_compact_token_limit`: compact once a thread's context passes this many tokens (capped at
    /// 90% of the model's context window).
    pub model_auto_compact_token_limit: Option<i64>,
    /// The compaction prompt from `compact_prompt` or `experimental_compact_prompt_file`; `None`: built-in.
    pub compact_prompt: Option<String>,
    pub projects: BTreeMap<String, ProjectConfig>,
    pub hide_agent_reasoning: bool,
    pub notify: Option<Vec<String>>,
    pub mcp_servers: toml::Table,
    /// Catalog entry for `model` with config overrides applied (context window, reasoning summaries).
    pub model_info: ModelInfo,
    /// The per-model keys, kept to apply them to a fresher catalog entry (see `Config::model_info_from`).
    pub model_overrides: ModelOverrides,
    /// Built-in catalog merged with `model_catalog_json`; see `Config::catalog`.
    pub catalog_models: Vec<ModelInfo>,
    /// The effective merged table, including keys this build does not use.
    pub raw: toml::Table,
    pub warnings: Vec<ConfigWarning>,
}

/// `$CODEX_HOME`, else `~/.codex`.
pub fn find_codex_home() -> Result<PathBuf, ConfigError> {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".codex"))
        .ok_or(ConfigError::NoHomeDirectory)
}

/// The two file-or-flag layers, before profiles and thread overrides.
pub(crate) struct ConfigLayers {
    pub config_file: PathBuf,
    /// Raw file bytes (empty when the file does not exist).
    pub user_bytes: Vec<u8>,
    pub user: toml::Table,
    pub session_flags: toml::Table,
}

impl ConfigLayers {
    pub(crate) fn read(
        codex_home: &Path,
        cli_overrides: &[(String, toml::Value)],
    ) -> Result<ConfigLayers, ConfigError> {
        let config_file = codex_home.join(CONFIG_TOML_FILE);
        let user_bytes = match std::fs::read(&config_file) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(ConfigError::Io {
                    path: config_file,
                    source,
                });
            }
        };
        let user = parse_user_table(&config_file, &user_bytes)?;
        let mut session_flags = toml::Table::new();
        for (key, value) in cli_overrides {
            apply_dotted_override(&mut session_flags, key, value.clone());
        }
        Ok(ConfigLayers {
            config_file,
            user_bytes,
            user,
            session_flags,
        })
    }

    /// User layer with session flags on top.
    pub(crate) fn merged(&self) -> toml::Table {
        let mut merged = self.user.clone();
        merge_tables(&mut merged, &self.session_flags);
        merged
    }
}

pub(crate) fn parse_user_table(path: &Path, bytes: &[u8]) -> Result<toml::Table, ConfigError> {
    let text = std::str::from_utf8(bytes).map_err(|err| ConfigError::Parse {
        path: path.to_path_buf(),
        message: err.to_string(),
    })?;
    toml::from_str(text).map_err(|err| ConfigError::Parse {
        path: path.to_path_buf(),
        message: err.to_string(),
    })
}

/// Overlays `overlay` on `base`: tables merge key by key, anything else replaces.
pub(crate) fn merge_tables(base: &mut toml::Table, overlay: &toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(incoming)) => {
                merge_tables(existing, incoming);
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn remove_dotted_key(table: &mut toml::Table, key_path: &str) {
    let segments: Vec<&str> = key_path.split('.').map(str::trim).collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = table;
    for segment in parents {
        match current.get_mut(*segment) {
            Some(toml::Value::Table(next)) => current = next,
            _ => return,
        }
    }
    current.remove(*last);
}

fn unknown_key_warnings(
    table: &toml::Table,
    prefix: &str,
    path: Option<&Path>,
    warnings: &mut Vec<ConfigWarning>,
) {
    for key in table.keys().filter(|key| !is_known_key(key)) {
        warnings.push(ConfigWarning {
            summary: format!("unknown config key `{prefix}{key}` was ignored"),
            details: None,
            path: path.map(Path::to_path_buf),
        });
    }
}

impl Config {
    /// The catalog for this config: the built-in entries, replaced or extended by `model_catalog_json`, with
    /// the configured model's per-model overrides (`model_context_window`,
    /// `model_supports_reasoning_summaries`) applied to its entry.
    pub fn catalog(&self) -> Vec<ModelInfo> {
        let mut models = self.catalog_models.clone();
        if let Some(entry) = models.iter_mut().find(|model| model.slug == self.model) {
            *entry = self.model_info.clone();
        }
        models
    }

    pub fn load(options: ConfigLoadOptions) -> Result<Config, ConfigError> {
        let codex_home = match options.codex_home {
            Some(home) => home,
            None => find_codex_home()?,
        };
        let layers = ConfigLayers::read(&codex_home, &options.cli_overrides)?;
        let mut warnings = Vec::new();
        let MergedLayers {
            table: merged,
            config_toml,
            active_profile,
        } = MergedLayers::merge(&layers, &options.overrides.config, &mut warnings)?;

        let overrides = options.overrides;
        let features = Features::resolve(
            &config_toml.features,
            &options.enable_features,
            &options.disable_features,
            &layers.config_file,
            &mut warnings,
        );
        let (model_providers, model_provider_id, model_provider) =
            resolve_model_provider(&config_toml, overrides.model_provider)?;
        let model = overrides
            .model
            .or(config_toml.model.clone())
            .unwrap_or_else(|| catalog::default_model().to_string());
        let (catalog_models, model_overrides, model_info) =
            resolve_model_info(&codex_home, &config_toml, &model)?;
        let cwd = resolve_cwd(overrides.cwd)?;
        let web_search_mode = web_search_mode(config_toml.web_search, &features);

        Ok(Config {
            config_file: layers.config_file.clone(),
            cwd,
            model,
            model_provider_id,
            model_provider,
            model_providers,
            model_reasoning_effort: overrides
                .reasoning_effort
                .or(config_toml.model_reasoning_effort),
            model_reasoning_summary: config_toml.model_reasoning_summary.unwrap_or_default(),
            model_verbosity: config_toml.model_verbosity,
            service_tier: overrides.service_tier.or(config_toml.service_tier.clone()),
            approval_policy: overrides
                .approval_policy
                .or(config_toml.approval_policy)
                .unwrap_or_default(),
            sandbox_mode: overrides
                .sandbox_mode
                .or(config_toml.sandbox_mode)
                .unwrap_or_default(),
            sandbox_workspace_write: config_toml
                .sandbox_workspace_write
                .clone()
                .unwrap_or_default(),
            features,
            chatgpt_base_url: config_toml
                .chatgpt_base_url
                .clone()
                .unwrap_or_else(|| DEFAULT_CHATGPT_BASE_URL.to_string()),
            chatgpt_auth_tokens_refresh_timeout: config_toml
                .chatgpt_auth_tokens_refresh_timeout_ms
                .map_or(DEFAULT_EXTERNAL_REFRESH_TIMEOUT, Duration::from_millis),
            base_instructions: overrides
                .base_instructions
                .or_else(|| config_toml.base_instructions()),
            developer_instructions: overrides
                .developer_instructions
                .or(config_toml.developer_instructions.clone()),
            cli_auth_credentials_store: config_toml.cli_auth_credentials_store.unwrap_or_default(),
            forced_login_method: config_toml.forced_login_method,
            web_search_mode,
            otel: config_toml.otel.clone().unwrap_or_default(),
            shell_environment_policy: config_toml
                .shell_environment_policy
                .clone()
                .unwrap_or_default(),
            active_profile,
            project_doc_max_bytes: config_toml
                .project_doc_max_bytes
                .unwrap_or(DEFAULT_PROJECT_DOC_MAX_BYTES),
            review_model: config_toml.review_model.clone(),
            model_auto_compact_token_limit: config_toml.model_auto_compact_token_limit,
            compact_prompt: compact_prompt(&config_toml)?,
            projects: config_toml.projects.clone(),
            hide_agent_reasoning: config_toml.hide_agent_reasoning.unwrap_or(false),
            notify: config_toml.notify.clone(),
            mcp_servers: config_toml.mcp_servers.clone().unwrap_or_default(),
            model_info,
            model_overrides,
            catalog_models,
            raw: merged,
            warnings,
            codex_home,
        })
    }
}

/// The compaction prompt: `compact_prompt`, else the contents of `experimental_compact_prompt_file`.
fn compact_prompt(config_toml: &ConfigToml) -> Result<Option<String>, ConfigError> {
    if let Some(prompt) = &config_toml.compact_prompt {
        return Ok(Some(prompt.clone()));
    }
    let Some(path) = &config_toml.experimental_compact_prompt_file else {
        return Ok(None);
    };
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })
}

/// Every layer merged into one table, with its typed view: the user's file, the session flags, the active
/// profile, then the thread's `config` overrides.
struct MergedLayers {
    table: toml::Table,
    config_toml: ConfigToml,
    active_profile: Option<String>,
}

impl MergedLayers {
    /// Merges the layers in order, validating each step; unknown keys become `warnings`.
    fn merge(
        layers: &ConfigLayers,
        thread_config: &BTreeMap<String, serde_json::Value>,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Result<MergedLayers, ConfigError> {
        let config_file_display = layers.config_file.display().to_string();
        ConfigToml::from_table(&layers.user, &config_file_display)?;
        unknown_key_warnings(&layers.user, "", Some(&layers.config_file), warnings);
        unknown_key_warnings(&layers.session_flags, "", None, warnings);
        let mut merged = layers.merged();
        let mut config_toml = ConfigToml::from_table(&merged, SESSION_FLAGS_ORIGIN)?;
        for (name, profile) in &config_toml.profiles {
            unknown_key_warnings(
                profile,
                &format!("profiles.{name}."),
                Some(&layers.config_file),
                warnings,
            );
        }

        let active_profile = config_toml.profile.clone();
        if let Some(name) = &active_profile {
            let profile = config_toml
                .profiles
                .get(name)
                .ok_or_else(|| ConfigError::UnknownProfile { name: name.clone() })?;
            merge_tables(&mut merged, profile);
            config_toml = ConfigToml::from_table(&merged, &format!("profile `{name}`"))?;
        }

        if !thread_config.is_empty() {
            apply_thread_config(&mut merged, thread_config)?;
            config_toml = ConfigToml::from_table(&merged, THREAD_OVERRIDES_ORIGIN)?;
        }
        Ok(MergedLayers {
            table: merged,
            config_toml,
            active_profile,
        })
    }
}

/// Applies a thread's dotted `config` overrides to `merged`; `null` removes the key.
fn apply_thread_config(
    merged: &mut toml::Table,
    thread_config: &BTreeMap<String, serde_json::Value>,
) -> Result<(), ConfigError> {
    for (key, value) in thread_config {
        if value.is_null() {
            remove_dotted_key(merged, key);
            continue;
        }
        let value = toml::Value::try_from(value).map_err(|err| ConfigError::InvalidValue {
            key: key.clone(),
            origin: THREAD_OVERRIDES_ORIGIN.to_string(),
            message: err.to_string(),
        })?;
        apply_dotted_override(merged, key, value);
    }
    Ok(())
}

/// The built-in and configured providers, and the one selected (thread override, then config, then OpenAI).
fn resolve_model_provider(
    config_toml: &ConfigToml,
    provider_override: Option<String>,
) -> Result<
    (
        BTreeMap<String, ModelProviderInfo>,
        String,
        ModelProviderInfo,
    ),
    ConfigError,
> {
    let mut openai = ModelProviderInfo::openai();
    // 0.171's `openai_base_url` moves the built-in provider (it wins over the `OPENAI_BASE_URL` variable).
    if let Some(url) = config_toml
        .openai_base_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
    {
        openai.base_url = Some(url.to_string());
    }
    let mut model_providers = BTreeMap::from([(OPENAI_PROVIDER_ID.to_string(), openai)]);
    model_providers.extend(config_toml.model_providers.clone());
    let model_provider_id = provider_override
        .or(config_toml.model_provider.clone())
        .unwrap_or_else(|| OPENAI_PROVIDER_ID.to_string());
    let model_provider = model_providers
        .get(&model_provider_id)
        .cloned()
        .ok_or_else(|| ConfigError::UnknownModelProvider {
            id: model_provider_id.clone(),
        })?;
    Ok((model_providers, model_provider_id, model_provider))
}

/// The catalog (built-in, or `model_catalog_json` under `codex_home`), the per-model overrides, and
/// `model`'s entry with them applied (a fallback entry for a model the catalog does not know).
fn resolve_model_info(
    codex_home: &Path,
    config_toml: &ConfigToml,
    model: &str,
) -> Result<(Vec<ModelInfo>, ModelOverrides, ModelInfo), ConfigError> {
    let catalog_file = config_toml
        .model_catalog_json
        .as_ref()
        .map(|path| codex_home.join(path));
    let catalog_models = catalog::load_catalog_with_file(catalog_file.as_deref())?;
    let model_overrides = ModelOverrides {
        context_window: config_toml.model_context_window,
        supports_reasoning_summaries: config_toml.model_supports_reasoning_summaries,
    };
    let model_info = model_overrides.apply(
        catalog_models
            .iter()
            .find(|entry| entry.slug == model)
            .cloned()
            .unwrap_or_else(|| catalog::fallback(model)),
    );
    Ok((catalog_models, model_overrides, model_info))
}

/// The thread's working directory: the override, made absolute against the process's, else the process's.
fn resolve_cwd(cwd_override: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    let process_cwd = std::env::current_dir().map_err(|source| ConfigError::Io {
        path: PathBuf::from("."),
        source,
    })?;
    Ok(match cwd_override {
        Some(cwd) if cwd.is_absolute() => cwd,
        Some(cwd) => process_cwd.join(cwd),
        None => process_cwd,
    })
}

/// Upstream order: explicit `web_search`, then the legacy feature gates; unset, the sandbox decides.
fn web_search_mode(
    configured: Option<WebSearchMode>,
    features: &Features,
) -> Option<WebSearchMode> {
    configured.or_else(|| {
        match (
            features.enabled(Feature::WebSearchRequest),
            features.enabled(Feature::WebSearchCached),
        ) {
            (true, false) => Some(WebSearchMode::Live),
            (_, true) => Some(WebSearchMode::Cached),
            (false, false) => None,
        }
    })
}

/// `model_context_window` and `model_supports_reasoning_summaries`: config's say over the model's catalog
/// entry, whichever catalog it comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModelOverrides {
    pub context_window: Option<i64>,
    pub supports_reasoning_summaries: Option<bool>,
}

impl ModelOverrides {
    pub fn apply(&self, mut model_info: ModelInfo) -> ModelInfo {
        if let Some(window) = self.context_window {
            model_info.context_window = Some(window);
        }
        if let Some(supported) = self.supports_reasoning_summaries {
            model_info.supports_reasoning_summaries = supported;
        }
        model_info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog;
    use crate::model::provider::WireApi;
    use pretty_assertions::assert_eq;

    fn home_with(config_toml: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::write(home.path().join(CONFIG_TOML_FILE), config_toml).expect("write config");
        home
    }

    fn load(home: &tempfile::TempDir, options: ConfigLoadOptions) -> Result<Config, ConfigError> {
        Config::load(ConfigLoadOptions {
            codex_home: Some(home.path().to_path_buf()),
            ..options
        })
    }

    #[test]
    fn missing_file_gives_defaults() {
        let home = tempfile::tempdir().expect("tempdir");
        let config = load(&home, ConfigLoadOptions::default()).expect("load");
        let model_info = catalog::find(catalog::default_model()).expect("default model");
        assert_eq!(
            config,
            Config {
                codex_home: home.path().to_path_buf(),
                config_file: home.path().join(CONFIG_TOML_FILE),
                cwd: std::env::current_dir().expect("cwd"),
                model: "gpt-5.2-codex".to_string(),
                model_provider_id: "openai".to_string(),
                model_provider: ModelProviderInfo::openai(),
                model_providers: BTreeMap::from([(
                    "openai".to_string(),
                    ModelProviderInfo::openai()
                )]),
                model_reasoning_effort: None,
                model_reasoning_summary: ReasoningSummaryMode::Auto,
                model_verbosity: None,
                service_tier: None,
                approval_policy: AskForApproval::OnRequest,
                sandbox_mode: SandboxMode::ReadOnly,
                sandbox_workspace_write: SandboxWorkspaceWrite::default(),
                features: Features::default(),
                chatgpt_base_url: "https://chatgpt.com/backend-api/".to_string(),
                chatgpt_auth_tokens_refresh_timeout: Duration::from_secs(10),
                base_instructions: None,
                developer_instructions: None,
                cli_auth_credentials_store: AuthCredentialsStoreMode::File,
                forced_login_method: None,
                web_search_mode: None,
                otel: OtelConfig::default(),
                shell_environment_policy: ShellEnvironmentPolicyToml::default(),
                active_profile: None,
                project_doc_max_bytes: 32 * 1024,
                review_model: None,
                model_auto_compact_token_limit: None,
                compact_prompt: None,
                projects: BTreeMap::new(),
                hide_agent_reasoning: false,
                notify: None,
                mcp_servers: toml::Table::new(),
                model_info,
                model_overrides: ModelOverrides::default(),
                catalog_models: catalog::builtin_models(),
                raw: toml::Table::new(),
                warnings: Vec::new(),
            }
        );
    }

    const REALISTIC: &str = r#"
model = "gpt-5.1-codex-max"
model_provider = "azure"
model_reasoning_effort = "high"
approval_policy = "never"
sandbox_mode = "workspace-write"
profile = "fast"
file_opener = "vscode"
my_custom_thing = 1
hide_agent_reasoning = true
notify = ["notify-send", "codex"]

[sandbox_workspace_write]
writable_roots = ["/tmp/extra"]
network_access = true

[model_providers.azure]
name = "Azure"
base_url = "https://example.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
query_params = { api-version = "2025-04-01-preview" }
wire_api = "responses"
stream_idle_timeout_ms = 60000

[profiles.fast]
model = "gpt-5.1-codex-mini"
model_reasoning_effort = "low"
surprise = true

[features]
responses_websockets = true
teleport = true

[projects."/home/me/repo"]
trust_level = "trusted"

[otel]
environment = "staging"
exporter = { otlp-grpc = { endpoint = "https://otel:4317" } }

[tui]
notifications = true

[mcp_servers.docs]
command = "docs-mcp"
"#;

    #[test]
    fn realistic_user_config_with_profile_and_unknown_keys() {
        let home = home_with(REALISTIC);
        let config = load(&home, ConfigLoadOptions::default()).expect("load");
        let config_file = home.path().join(CONFIG_TOML_FILE);

        assert_eq!(config.model, "gpt-5.1-codex-mini");
        assert_eq!(config.model_reasoning_effort, Some(ReasoningEffort::Low));
        assert_eq!(config.active_profile.as_deref(), Some("fast"));
        assert_eq!(config.model_provider_id, "azure");
        assert_eq!(
            config.model_provider,
            ModelProviderInfo {
                name: "Azure".to_string(),
                base_url: Some("https://example.openai.azure.com/openai".to_string()),
                env_key: Some("AZURE_OPENAI_API_KEY".to_string()),
                env_key_instructions: None,
                experimental_bearer_token: None,
                wire_api: WireApi::Responses,
                query_params: Some(BTreeMap::from([(
                    "api-version".to_string(),
                    "2025-04-01-preview".to_string()
                )])),
                http_headers: None,
                env_http_headers: None,
                request_max_retries: None,
                stream_max_retries: None,
                stream_idle_timeout_ms: Some(60_000),
                websocket_connect_timeout_ms: None,
                requires_openai_auth: false,
                supports_websockets: false,
            }
        );
        assert_eq!(config.approval_policy, AskForApproval::Never);
        assert_eq!(config.sandbox_mode, SandboxMode::WorkspaceWrite);
        assert_eq!(
            config.sandbox_workspace_write,
            SandboxWorkspaceWrite {
                writable_roots: vec![PathBuf::from("/tmp/extra")],
                network_access: true,
                exclude_tmpdir_env_var: false,
                exclude_slash_tmp: false,
            }
        );
        assert!(config.features.enabled(Feature::ResponsesWebsockets));
        assert_eq!(
            config.projects,
            BTreeMap::from([(
                "/home/me/repo".to_string(),
                ProjectConfig {
                    trust_level: Some(crate::config::TrustLevel::Trusted)
                }
            )])
        );
        assert_eq!(
            config.otel.exporter,
            crate::config::OtelExporter::OtlpGrpc {
                endpoint: "https://otel:4317".to_string(),
                headers: BTreeMap::new(),
            }
        );
        assert_eq!(config.otel.environment, "staging");
        assert!(config.hide_agent_reasoning);
        assert_eq!(
            config.notify,
            Some(vec!["notify-send".to_string(), "codex".to_string()])
        );
        assert_eq!(config.mcp_servers.keys().collect::<Vec<_>>(), vec!["docs"]);
        assert_eq!(
            config.raw.get("file_opener"),
            Some(&toml::Value::String("vscode".to_string()))
        );
        assert_eq!(
            config.warnings,
            vec![
                ConfigWarning {
                    summary: "unknown config key `my_custom_thing` was ignored".to_string(),
                    details: None,
                    path: Some(config_file.clone()),
                },
                ConfigWarning {
                    summary: "unknown config key `profiles.fast.surprise` was ignored".to_string(),
                    details: None,
                    path: Some(config_file.clone()),
                },
                ConfigWarning {
                    summary: "unknown feature `teleport` in [features] was ignored".to_string(),
                    details: Some(format!(
                        "known features: {}",
                        Feature::ALL.map(Feature::key).join(", ")
                    )),
                    path: Some(config_file),
                },
            ]
        );
    }

    /// The sample `config.toml` of README.md uses only keys and values this build reads, and its profile and
    /// provider work when selected.
    #[test]
    fn the_readme_sample_config_loads_without_warnings() {
        const MARKER: &str = "```toml\n# $CODEX_HOME/config.toml";
        let readme = include_str!("../../../README.md");
        let start = readme
            .find(MARKER)
            .expect("README.md has the sample config")
            + "```toml\n".len();
        let sample = &readme[start..][..readme[start..].find("```").expect("the sample ends")];
        let home = home_with(sample);

        let config = load(&home, ConfigLoadOptions::default()).expect("load");
        assert_eq!(config.warnings, Vec::new());
        assert_eq!(
            (
                config.model.as_str(),
                config.sandbox_mode,
                config.web_search_mode
            ),
            (
                "gpt-5.2-codex",
                SandboxMode::WorkspaceWrite,
                Some(WebSearchMode::Cached)
            )
        );
        let selected = load(
            &home,
            ConfigLoadOptions {
                cli_overrides: vec![
                    ("profile".to_string(), toml::Value::from("quick")),
                    ("model_provider".to_string(), toml::Value::from("gateway")),
                ],
                ..ConfigLoadOptions::default()
            },
        )
        .expect("load with the profile and the provider");
        assert_eq!(selected.warnings, Vec::new());
        assert_eq!(
            (
                selected.model.as_str(),
                selected.model_provider.effective_base_url(false)
            ),
            (
                "gpt-5.1-codex-mini",
                "https://gateway.example.com/v1".to_string()
            )
        );
    }

    #[test]
    fn bad_value_error_names_key_and_file() {
        let home = home_with("approval_policy = \"sometimes\"\n");
        let err = load(&home, ConfigLoadOptions::default()).expect_err("bad value");
        let file = home.path().join(CONFIG_TOML_FILE);
        assert_eq!(
            err.to_string(),
            format!(
                "invalid value for `approval_policy` in {}: unknown variant `sometimes`, expected one \
                 of `untrusted`, `on-failure`, `on-request`, `granular`, `reject`, `never`",
                file.display()
            )
        );
    }

    #[test]
    fn bad_session_flag_is_attributed_to_session_flags() {
        let home = tempfile::tempdir().expect("tempdir");
        let err = load(
            &home,
            ConfigLoadOptions {
                cli_overrides: vec![
                    crate::config::parse_cli_override("sandbox_mode=open").expect("parse"),
                ],
                ..ConfigLoadOptions::default()
            },
        )
        .expect_err("bad flag");
        assert_eq!(
            err.to_string(),
            "invalid value for `sandbox_mode` in session flags (-c): unknown variant `open`, \
             expected one of `read-only`, `workspace-write`, `danger-full-access`"
        );
    }

    #[test]
    fn timeout_keys_are_read_with_upstream_defaults() {
        let home = home_with(
            "model_provider = \"mock\"\nchatgpt_auth_tokens_refresh_timeout_ms = 300\n\
             [model_providers.mock]\nname = \"mock\"\nwebsocket_connect_timeout_ms = 250\n",
        );
        let config = load(&home, ConfigLoadOptions::default()).expect("load");
        assert_eq!(
            (
                config.chatgpt_auth_tokens_refresh_timeout,
                config.model_provider.websocket_connect_timeout()
            ),
            (Duration::from_millis(300), Duration::from_millis(250))
        );

        let defaults = load(
            &tempfile::tempdir().expect("tempdir"),
            ConfigLoadOptions::default(),
        )
        .expect("load");
        assert_eq!(
            (
                defaults.chatgpt_auth_tokens_refresh_timeout,
                defaults.model_provider.websocket_connect_timeout()
            ),
            (Duration::from_secs(10), Duration::from_secs(15))
        );
    }

    #[test]
    fn a_bad_timeout_names_the_key_and_what_was_expected() {
        let home = home_with("chatgpt_auth_tokens_refresh_timeout_ms = 0\n");
        let err = load(&home, ConfigLoadOptions::default()).expect_err("zero timeout");
        assert_eq!(
            err.to_string(),
            format!(
                "invalid value for `chatgpt_auth_tokens_refresh_timeout_ms` in {}: invalid value: \
                 integer `0`, expected a whole number of milliseconds greater than 0",
                home.path().join(CONFIG_TOML_FILE).display()
            )
        );

        let home = tempfile::tempdir().expect("tempdir");
        let cli_overrides = [
            "model_providers.mock.name=\"mock\"",
            "model_providers.mock.websocket_connect_timeout_ms=\"15s\"",
        ]
        .iter()
        .map(|raw| crate::config::parse_cli_override(raw).expect("parse"))
        .collect();
        let err = load(
            &home,
            ConfigLoadOptions {
                cli_overrides,
                ..ConfigLoadOptions::default()
            },
        )
        .expect_err("text timeout");
        assert_eq!(
            err.to_string(),
            "invalid value for `model_providers.mock.websocket_connect_timeout_ms` in session flags \
             (-c): invalid type: string \"15s\", expected a whole number of milliseconds greater than 0"
        );
    }

    #[test]
    fn unknown_provider_and_profile_are_errors() {
        let home = home_with("model_provider = \"nowhere\"\n");
        let err = load(&home, ConfigLoadOptions::default()).expect_err("unknown provider");
        assert_eq!(
            err.to_string(),
            "model provider `nowhere` not found; define it under [model_providers.nowhere] in config.toml"
        );

        let home = home_with("profile = \"ghost\"\n");
        let err = load(&home, ConfigLoadOptions::default()).expect_err("unknown profile");
        assert_eq!(err.to_string(), "config profile `ghost` not found");
    }

    #[test]
    fn openai_base_url_moves_the_builtin_provider() {
        let home = home_with("openai_base_url = \"http://127.0.0.1:4010/v1\"\n");
        let config = load(&home, ConfigLoadOptions::default()).expect("load");
        assert_eq!(config.model_provider_id, "openai");
        assert_eq!(
            config.model_provider.base_url.as_deref(),
            Some("http://127.0.0.1:4010/v1")
        );
        assert!(config.model_provider.supports_remote_compaction());
    }

    #[test]
    fn dotted_session_flags_define_a_provider() {
        let home = home_with("model = \"gpt-5.1\"\n");
        let cli_overrides = [
            "model_provider=mock",
            "model_providers.mock.name=\"Mock\"",
            "model_providers.mock.base_url=\"http://127.0.0.1:4010/v1\"",
            "model_providers.mock.supports_websockets=true",
            "features.responses_websockets=true",
            "model_context_window=100000",
        ]
        .iter()
        .map(|raw| crate::config::parse_cli_override(raw).expect("parse"))
        .collect();
        let config = load(
            &home,
            ConfigLoadOptions {
                cli_overrides,
                ..ConfigLoadOptions::default()
            },
        )
        .expect("load");

        assert_eq!(config.model_provider_id, "mock");
        assert_eq!(
            config.model_provider.base_url.as_deref(),
            Some("http://127.0.0.1:4010/v1")
        );
        assert!(config.model_provider.supports_websockets);
        assert!(config.features.enabled(Feature::ResponsesWebsockets));
        assert_eq!(config.model, "gpt-5.1");
        assert_eq!(config.model_info.context_window, Some(100_000));
        assert_eq!(config.model_info.effective_context_window(), Some(95_000));
    }

    #[test]
    fn thread_overrides_apply_last() {
        let home = home_with(
            "model = \"gpt-5.1\"\nmodel_reasoning_effort = \"high\"\ndeveloper_instructions = \"be brief\"\n",
        );
        let config = load(
            &home,
            ConfigLoadOptions {
                enable_features: vec!["unified_exec".to_string()],
                disable_features: vec!["shell_tool".to_string()],
                overrides: ConfigOverrides {
                    model: Some("my-local-model".to_string()),
                    model_provider: None,
                    cwd: Some(PathBuf::from("sub/dir")),
                    approval_policy: Some(AskForApproval::Untrusted),
                    sandbox_mode: Some(SandboxMode::DangerFullAccess),
                    base_instructions: Some("You are a test.".to_string()),
                    developer_instructions: None,
                    reasoning_effort: None,
                    service_tier: None,
                    config: BTreeMap::from([
                        (
                            "sandbox_workspace_write.network_access".to_string(),
                            serde_json::Value::Bool(true),
                        ),
                        (
                            "model_reasoning_effort".to_string(),
                            serde_json::Value::Null,
                        ),
                    ]),
                },
                ..ConfigLoadOptions::default()
            },
        )
        .expect("load");

        assert_eq!(config.model, "my-local-model");
        assert_eq!(config.model_info, catalog::fallback("my-local-model"));
        assert_eq!(
            config.cwd,
            std::env::current_dir().expect("cwd").join("sub/dir")
        );
        assert_eq!(config.approval_policy, AskForApproval::Untrusted);
        assert_eq!(config.sandbox_mode, SandboxMode::DangerFullAccess);
        assert_eq!(config.base_instructions.as_deref(), Some("You are a test."));
        assert_eq!(config.developer_instructions.as_deref(), Some("be brief"));
        assert_eq!(config.model_reasoning_effort, None);
        assert!(config.sandbox_workspace_write.network_access);
        assert!(config.features.enabled(Feature::UnifiedExec));
        assert!(!config.features.enabled(Feature::ShellTool));
    }

    #[test]
    fn catalog_file_and_model_keys_shape_the_catalog() {
        let home = home_with(
            "model = \"local-llm\"\nmodel_catalog_json = \"models.json\"\nmodel_supports_reasoning_summaries = true\n",
        );
        let local = catalog::fallback("local-llm");
        std::fs::write(
            home.path().join("models.json"),
            serde_json::json!({ "models": [local.clone()] }).to_string(),
        )
        .expect("write catalog");

        let config = load(&home, ConfigLoadOptions::default()).expect("load");

        let configured = ModelInfo {
            supports_reasoning_summaries: true,
            ..local
        };
        assert_eq!(config.model_info, configured);
        let mut expected = catalog::builtin_models();
        expected.push(configured);
        assert_eq!(config.catalog(), expected);
    }
}
