//! `config/*`: read the effective config with its origins (and layers on request), and write values into the
//! user's `config.toml` (one value or a batch) keeping its comments and formatting. Writes answer the
//! session's `-c` flags' effect (`okOverridden`) and fail with upstream's config write error codes.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ConfigBatchWriteParams;
use codex_app_server_protocol::ConfigReadParams;
use codex_app_server_protocol::ConfigValueWriteParams;
use codex_core::config::ConfigEdit;
use codex_core::config::ConfigLayerMetadata;
use codex_core::config::ConfigLayerSource;
use codex_core::config::ConfigReadOptions;
use codex_core::config::ConfigWriteStatus;
use codex_core::config::MergeStrategy;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;

fn layer_source(source: &ConfigLayerSource) -> wire::ConfigLayerSource {
    match source {
        ConfigLayerSource::User { file } => wire::ConfigLayerSource::User {
            file: file.display().to_string(),
        },
        ConfigLayerSource::SessionFlags => wire::ConfigLayerSource::SessionFlags,
    }
}

fn layer_metadata(metadata: &ConfigLayerMetadata) -> wire::ConfigLayerMetadata {
    wire::ConfigLayerMetadata {
        name: layer_source(&metadata.name),
        version: metadata.version.clone(),
    }
}

/// `config/read`: the effective config, where each key comes from, and the layers if asked.
pub async fn read(
    context: RequestContext,
    params: ConfigReadParams,
) -> Result<Answer<wire::ConfigReadResponse>, RequestError> {
    let outcome = codex_core::config::read_config(
        ConfigReadOptions {
            codex_home: Some(context.engine.threads.codex_home().clone()),
            cli_overrides: context.state.config_overrides.clone(),
        },
        params.include_layers,
    )
    .map_err(|error| RequestError::Rejected(error.to_string()))?;
    let config = match outcome.config {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        other => {
            return Err(RequestError::Internal(format!(
                "effective config is not a table: {other}"
            )));
        }
    };
    Ok(Answer::new(wire::ConfigReadResponse {
        config,
        origins: outcome
            .origins
            .iter()
            .map(|(key, metadata)| (key.clone(), layer_metadata(metadata)))
            .collect(),
        layers: outcome.layers.map(|layers| {
            layers
                .iter()
                .map(|layer| wire::ConfigLayer {
                    name: layer_source(&layer.name),
                    version: layer.version.clone(),
                    config: layer.config.clone(),
                    disabled_reason: None,
                })
                .collect()
        }),
    }))
}

fn edit(key_path: String, value: serde_json::Value, strategy: wire::MergeStrategy) -> ConfigEdit {
    ConfigEdit {
        key_path,
        value,
        merge_strategy: match strategy {
            wire::MergeStrategy::Replace => MergeStrategy::Replace,
            wire::MergeStrategy::Upsert => MergeStrategy::Upsert,
        },
    }
}

fn write(
    context: &RequestContext,
    file_path: Option<String>,
    expected_version: Option<String>,
    edits: Vec<ConfigEdit>,
) -> Result<Answer<wire::ConfigWriteResponse>, RequestError> {
    let outcome = codex_core::config::write_config(
        context.engine.threads.codex_home(),
        file_path.map(std::path::PathBuf::from),
        expected_version,
        edits,
        &context.state.config_overrides,
    )
    .map_err(|error| RequestError::ConfigWrite {
        code: serde_json::to_value(error.code)
            .ok()
            .and_then(|code| code.as_str().map(str::to_string))
            .unwrap_or_default(),
        message: error.message,
    })?;
    Ok(Answer::new(wire::ConfigWriteResponse {
        status: match outcome.status {
            ConfigWriteStatus::Ok => wire::WriteStatus::Ok,
            ConfigWriteStatus::OkOverridden => wire::WriteStatus::OkOverridden,
        },
        version: outcome.version,
        file_path: outcome.file_path.display().to_string(),
        overridden_metadata: outcome
            .overridden
            .map(|overridden| wire::OverriddenMetadata {
                message: overridden.message,
                overriding_layer: layer_metadata(&overridden.overriding_layer),
                effective_value: overridden.effective_value,
            }),
    }))
}

/// `config/value/write`: writes one key of `config.toml` (or the file named).
pub async fn write_value(
    context: RequestContext,
    params: ConfigValueWriteParams,
) -> Result<Answer<wire::ConfigWriteResponse>, RequestError> {
    let edits = vec![edit(params.key_path, params.value, params.merge_strategy)];
    write(&context, params.file_path, params.expected_version, edits)
}

/// `config/batchWrite`: writes several keys of `config.toml` (or the file named) in one write.
pub async fn batch_write(
    context: RequestContext,
    params: ConfigBatchWriteParams,
) -> Result<Answer<wire::ConfigWriteResponse>, RequestError> {
    crate::unsupported_params::refuse_if(
        "config/batchWrite",
        "reloadUserConfig",
        params.reload_user_config,
        "loaded threads keep their settings; new threads read the written config",
    )?;
    let edits = params
        .edits
        .into_iter()
        .map(|e| edit(e.key_path, e.value, e.merge_strategy))
        .collect();
    write(&context, params.file_path, params.expected_version, edits)
}
