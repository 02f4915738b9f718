//! Errors that stop config from loading, and warnings that do not.

use std::path::PathBuf;

/// Why config could not be loaded. Messages name the key path and the file so the user can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not determine the home directory; set CODEX_HOME")]
    NoHomeDirectory,
    #[error("failed to read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to parse {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("invalid value for `{key}` in {origin}: {message}")]
    InvalidValue {
        key: String,
        /// The file path, or the name of the non-file layer (session flags, thread overrides).
        origin: String,
        message: String,
    },
    #[error("invalid config override `{raw}`: {message}")]
    InvalidOverride { raw: String, message: String },
    #[error(
        "model provider `{id}` not found; define it under [model_providers.{id}] in config.toml"
    )]
    UnknownModelProvider { id: String },
    #[error("config profile `{name}` not found")]
    UnknownProfile { name: String },
    #[error(transparent)]
    ModelCatalog(#[from] crate::model::catalog::CatalogError),
}

/// Something in config that was ignored or looks wrong but did not stop loading. The app-server forwards
/// these as `configWarning` notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    pub summary: String,
    pub details: Option<String>,
    pub path: Option<PathBuf>,
}
