//! The layers a config value comes from (the user's `config.toml`, the session's `-c` flags) and a layer's
//! version, shared by `config/read` and `config/value/write`.

use std::path::PathBuf;

use serde::Serialize;
use sha2::Digest;
use sha2::Sha256;

/// Which layer a value came from (the wire's tagged ConfigLayerSource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ConfigLayerSource {
    User { file: PathBuf },
    SessionFlags,
}

/// `origins` entry: the layer and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigLayerMetadata {
    pub name: ConfigLayerSource,
    pub version: String,
}

/// `sha256:<hex>` of the file bytes: the opaque version used for optimistic concurrency.
pub fn config_version(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}
