//! `config/read`: the effective merged config as JSON, where each value came from, and optionally the layers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::config::ConfigError;
use crate::config::ConfigLayerMetadata;
use crate::config::ConfigLayerSource;
use crate::config::config_version;
use crate::config::find_codex_home;
use crate::config::load::ConfigLayers;

/// One layer as `config/read` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigLayer {
    pub name: ConfigLayerSource,
    pub version: String,
    pub config: serde_json::Value,
}

/// What `read_config` reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigReadOptions {
    /// Defaults to `$CODEX_HOME`, else `~/.codex`.
    pub codex_home: Option<PathBuf>,
    pub cli_overrides: Vec<(String, toml::Value)>,
}

/// The `config/read` result.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigReadOutcome {
    /// Effective config, snake_case keys.
    pub config: serde_json::Value,
    /// Dotted key path of every leaf value -> the layer it came from.
    pub origins: BTreeMap<String, ConfigLayerMetadata>,
    /// User layer then session flags, when asked for.
    pub layers: Option<Vec<ConfigLayer>>,
}

fn table_to_json(table: &toml::Table) -> Result<serde_json::Value, ConfigError> {
    serde_json::to_value(table).map_err(|err| ConfigError::InvalidValue {
        key: String::new(),
        origin: "config".to_string(),
        message: err.to_string(),
    })
}

fn record_origins(
    table: &toml::Table,
    prefix: &str,
    metadata: &ConfigLayerMetadata,
    origins: &mut BTreeMap<String, ConfigLayerMetadata>,
) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        match value {
            toml::Value::Table(nested) => {
                // A table replacing a leaf of a lower layer leaves no stale leaf origin behind.
                origins.remove(&path);
                record_origins(nested, &format!("{path}."), metadata, origins);
            }
            _ => {
                let nested_prefix = format!("{path}.");
                origins.retain(|existing, _| !existing.starts_with(&nested_prefix));
                origins.insert(path, metadata.clone());
            }
        }
    }
}

/// Reads the user file and session flags; validation is `Config::load`'s job, so an unusual but parseable
/// file still reads.
pub fn read_config(
    options: ConfigReadOptions,
    include_layers: bool,
) -> Result<ConfigReadOutcome, ConfigError> {
    let codex_home = match options.codex_home {
        Some(home) => home,
        None => find_codex_home()?,
    };
    let layers = ConfigLayers::read(&codex_home, &options.cli_overrides)?;
    let user = ConfigLayerMetadata {
        name: ConfigLayerSource::User {
            file: layers.config_file.clone(),
        },
        version: config_version(&layers.user_bytes),
    };
    let session_flags_json = table_to_json(&layers.session_flags)?;
    let session_flags = ConfigLayerMetadata {
        name: ConfigLayerSource::SessionFlags,
        version: config_version(session_flags_json.to_string().as_bytes()),
    };

    let mut origins = BTreeMap::new();
    record_origins(&layers.user, "", &user, &mut origins);
    record_origins(&layers.session_flags, "", &session_flags, &mut origins);

    let layers_out = if include_layers {
        Some(vec![
            ConfigLayer {
                name: user.name,
                version: user.version,
                config: table_to_json(&layers.user)?,
            },
            ConfigLayer {
                name: session_flags.name,
                version: session_flags.version,
                config: session_flags_json,
            },
        ])
    } else {
        None
    };
    Ok(ConfigReadOutcome {
        config: table_to_json(&layers.merged())?,
        origins,
        layers: layers_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn origins_and_layers_follow_the_winning_layer() {
        let home = tempfile::tempdir().expect("tempdir");
        let file = home.path().join("config.toml");
        let text =
            "model = \"gpt-5.1\"\napproval_policy = \"never\"\n[features]\nunified_exec = true\n";
        std::fs::write(&file, text).expect("write");

        let outcome = read_config(
            ConfigReadOptions {
                codex_home: Some(home.path().to_path_buf()),
                cli_overrides: vec![(
                    "model".to_string(),
                    toml::Value::String("gpt-5.2".to_string()),
                )],
            },
            true,
        )
        .expect("read");

        let user = ConfigLayerMetadata {
            name: ConfigLayerSource::User { file: file.clone() },
            version: config_version(text.as_bytes()),
        };
        let flags_version = config_version(json!({"model": "gpt-5.2"}).to_string().as_bytes());
        let flags = ConfigLayerMetadata {
            name: ConfigLayerSource::SessionFlags,
            version: flags_version.clone(),
        };
        assert_eq!(
            outcome,
            ConfigReadOutcome {
                config: json!({
                    "model": "gpt-5.2",
                    "approval_policy": "never",
                    "features": {"unified_exec": true},
                }),
                origins: BTreeMap::from([
                    ("approval_policy".to_string(), user.clone()),
                    ("features.unified_exec".to_string(), user.clone()),
                    ("model".to_string(), flags.clone()),
                ]),
                layers: Some(vec![
                    ConfigLayer {
                        name: ConfigLayerSource::User { file },
                        version: user.version.clone(),
                        config: json!({
                            "model": "gpt-5.1",
                            "approval_policy": "never",
                            "features": {"unified_exec": true},
                        }),
                    },
                    ConfigLayer {
                        name: ConfigLayerSource::SessionFlags,
                        version: flags_version,
                        config: json!({"model": "gpt-5.2"}),
                    },
                ]),
            }
        );
        assert_eq!(
            serde_json::to_value(&user.name).expect("json"),
            json!({"type": "user", "file": home.path().join("config.toml")})
        );
        assert_eq!(
            serde_json::to_value(&flags.name).expect("json"),
            json!({"type": "sessionFlags"})
        );
    }

    #[test]
    fn missing_file_reads_as_empty() {
        let home = tempfile::tempdir().expect("tempdir");
        let outcome = read_config(
            ConfigReadOptions {
                codex_home: Some(home.path().to_path_buf()),
                cli_overrides: Vec::new(),
            },
            false,
        )
        .expect("read");
        assert_eq!(
            outcome,
            ConfigReadOutcome {
                config: json!({}),
                origins: BTreeMap::new(),
                layers: None,
            }
        );
    }
}
