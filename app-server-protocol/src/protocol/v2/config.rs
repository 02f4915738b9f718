//! The config resource: `config/read`, `config/value/write` and `config/batchWrite`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// Params of `config/read`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ConfigReadParams {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_layers: bool,
    /// Resolve project layers for this directory.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub cwd: Option<String>,
}

impl ExperimentalApi for ConfigReadParams {}

/// Result of `config/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ConfigReadResponse {
    /// The effective config; keys are snake_case `config.toml` keys.
    pub config: BTreeMap<String, serde_json::Value>,
    /// Which layer set each key path.
    pub origins: BTreeMap<String, ConfigLayerMetadata>,
    /// Present only when `includeLayers` was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub layers: Option<Vec<ConfigLayer>>,
}

/// A config layer's identity and content version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ConfigLayerMetadata {
    pub name: ConfigLayerSource,
    pub version: String,
}

/// One config layer and its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ConfigLayer {
    pub name: ConfigLayerSource,
    pub version: String,
    pub config: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub disabled_reason: Option<String>,
}

/// Where a config layer comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ConfigLayerSource {
    Mdm {
        domain: String,
        key: String,
    },
    System {
        file: String,
    },
    User {
        file: String,
    },
    #[serde(rename_all = "camelCase")]
    Project {
        dot_codex_folder: String,
    },
    SessionFlags,
    LegacyManagedConfigTomlFromFile {
        file: String,
    },
    LegacyManagedConfigTomlFromMdm,
}

/// How a written value combines with what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum MergeStrategy {
    Replace,
    Upsert,
}

/// Params of `config/value/write`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ConfigValueWriteParams {
    /// Dotted key path, e.g. `model` or `profiles.fast.model`.
    pub key_path: String,
    pub value: serde_json::Value,
    pub merge_strategy: MergeStrategy,
    /// Defaults to the user config file.
    pub file_path: Option<String>,
    /// Fail with `configVersionConflict` unless the file still has this version.
    pub expected_version: Option<String>,
}

impl ExperimentalApi for ConfigValueWriteParams {}

/// One edit of a `config/batchWrite`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ConfigEdit {
    pub key_path: String,
    pub value: serde_json::Value,
    pub merge_strategy: MergeStrategy,
}

/// Params of `config/batchWrite`: edits applied atomically to one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ConfigBatchWriteParams {
    pub edits: Vec<ConfigEdit>,
    pub file_path: Option<String>,
    pub expected_version: Option<String>,
    /// 0.171: reload the written config into loaded threads; refused when true (new threads read it).
    #[serde(default)]
    pub reload_user_config: bool,
}

impl ExperimentalApi for ConfigBatchWriteParams {}

/// Whether the written value is the effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum WriteStatus {
    Ok,
    /// Written, but a higher-precedence layer overrides it.
    OkOverridden,
}

/// Result of `config/value/write` and `config/batchWrite`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ConfigWriteResponse {
    pub status: WriteStatus,
    /// Opaque content hash of the file after the write.
    pub version: String,
    pub file_path: String,
    #[serde(default)]
    pub overridden_metadata: Option<OverriddenMetadata>,
}

/// Which layer overrides a written value, and the value in effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct OverriddenMetadata {
    pub message: String,
    pub overriding_layer: ConfigLayerMetadata,
    pub effective_value: serde_json::Value,
}

/// Error categories of config writes, sent as `error.data.config_write_error_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ConfigWriteErrorCode {
    ConfigLayerReadonly,
    ConfigVersionConflict,
    ConfigValidationError,
    ConfigPathNotFound,
    ConfigSchemaUnknownKey,
    UserLayerNotFound,
}
