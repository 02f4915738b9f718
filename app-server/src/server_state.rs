//! State shared by every request on the connection: the command line's config knobs, the config loaded from
//! them at startup, and the warnings to forward once the client has initialized.

use std::path::Path;
use std::path::PathBuf;

use codex_app_server_protocol::ConfigWarningNotification;
use codex_core::atomic_write::STALE_TEMP_FILE_AGE;
use codex_core::atomic_write::remove_stale_temp_files;
use codex_core::auth::AUTH_FILE_NAME;
use codex_core::client::Metrics;
use codex_core::config::CONFIG_TOML_FILE;
use codex_core::config::Config;
use codex_core::config::ConfigLoadOptions;
use codex_core::config::Feature;

use crate::cli::AppServerArgs;

/// A `-c` flag that is not `key=value`: the one startup error that stops the daemon, as upstream.
#[derive(Debug, thiserror::Error)]
#[error("invalid -c override '{raw}': {message}")]
pub struct InvalidConfigOverride {
    pub raw: String,
    pub message: String,
}

/// Built once at startup; handlers read it through `Arc<ServerState>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerState {
    /// `$CODEX_HOME`, when set; the config layer decides the default otherwise.
    pub codex_home: Option<PathBuf>,
    /// `-c key=value` overrides in command-line order, values already parsed as TOML.
    pub config_overrides: Vec<(String, toml::Value)>,
    /// `--enable` feature keys as given (unknown ones are warned about by config loading).
    pub enabled_features: Vec<String>,
    /// `--disable` feature keys as given.
    pub disabled_features: Vec<String>,
    /// The config as of startup; `None` when it failed to load (a `configWarning` says why).
    pub config: Option<Config>,
    /// Sent as `configWarning` notifications right after the `initialize` response.
    pub startup_warnings: Vec<ConfigWarningNotification>,
    /// Where the engine reports its measurements: the OTLP exporter's sink when metrics are exported.
    pub metrics: Metrics,
}

impl ServerState {
    /// `CODEX_HOME` as the daemon uses it: `$CODEX_HOME`, else `~/.codex`, else `.codex` in the cwd.
    pub fn resolved_codex_home(&self) -> PathBuf {
        self.codex_home
            .clone()
            .or_else(|| codex_core::config::find_codex_home().ok())
            .unwrap_or_else(|| PathBuf::from(".codex"))
    }

    /// Parses the command line's config knobs and loads config with them. A config that does not load is a
    /// warning for the client, not a dead daemon.
    pub fn from_cli(args: &AppServerArgs) -> Result<ServerState, InvalidConfigOverride> {
        let config_overrides = args
            .config_overrides
            .iter()
            .map(|raw| {
                codex_core::config::parse_cli_override(raw).map_err(|error| InvalidConfigOverride {
                    raw: raw.clone(),
                    message: error.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for feature in args.enable.iter().chain(&args.disable) {
            if Feature::from_key(feature).is_none() {
                tracing::warn!("unknown feature '{feature}' ignored");
            }
        }
        let codex_home = std::env::var_os("CODEX_HOME").map(PathBuf::from);
        let loaded = Config::load(ConfigLoadOptions {
            codex_home: codex_home.clone(),
            cli_overrides: config_overrides.clone(),
            enable_features: args.enable.clone(),
            disable_features: args.disable.clone(),
            ..ConfigLoadOptions::default()
        });
        let (config, startup_warnings) = match loaded {
            Ok(config) => {
                let warnings = config
                    .warnings
                    .iter()
                    .map(|warning| ConfigWarningNotification {
                        summary: warning.summary.clone(),
                        details: warning.details.clone(),
                        path: warning.path.as_ref().map(|path| path.display().to_string()),
                        range: None,
                    })
                    .collect();
                (Some(config), warnings)
            }
            Err(error) => {
                tracing::warn!("config failed to load: {error}");
                let warning = ConfigWarningNotification {
                    summary: "Config failed to load; using defaults".to_string(),
                    details: Some(error.to_string()),
                    path: None,
                    range: None,
                };
                (None, vec![warning])
            }
        };
        Ok(ServerState {
            codex_home,
            config_overrides,
            enabled_features: args.enable.clone(),
            disabled_features: args.disable.clone(),
            config,
            startup_warnings,
            metrics: Metrics::default(),
        })
    }
}

/// Start-up upkeep of `CODEX_HOME`: removes the temp files that config and auth writes cut short left behind
/// (see `codex_core::atomic_write`).
pub fn remove_interrupted_writes(codex_home: &Path) {
    let removed = remove_stale_temp_files(
        codex_home,
        &[CONFIG_TOML_FILE, AUTH_FILE_NAME],
        STALE_TEMP_FILE_AGE,
    );
    for path in removed {
        tracing::info!("removed {} left by an interrupted write", path.display());
    }
}
