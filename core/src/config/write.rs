//! `config/value/write` and `config/batchWrite`: edits to the user's config.toml that keep its comments and
//! formatting (`toml_edit`), with optimistic concurrency on a content hash and atomic replacement.

use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Deserialize;
use serde::Serialize;
use toml_edit::DocumentMut;
use toml_edit::Item;
use toml_edit::TableLike;

use crate::atomic_write::FileMode;
use crate::atomic_write::write_atomic;
use crate::config::ConfigLayerMetadata;
use crate::config::ConfigLayerSource;
use crate::config::ConfigToml;
use crate::config::apply_dotted_override;
use crate::config::config_toml::is_known_key;
use crate::config::config_version;
use crate::config::load::CONFIG_TOML_FILE;
use crate::config::load::SESSION_FLAGS_ORIGIN;
use crate::config::load::merge_tables;
use crate::config::load::parse_user_table;
use crate::model::provider::OPENAI_PROVIDER_ID;

/// Writes to config.toml are serialised process-wide so two edits never interleave read-modify-write.
static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// How an object value combines with what is already at the key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MergeStrategy {
    /// The value replaces whatever is there.
    #[default]
    Replace,
    /// Tables merge key by key; other values replace.
    Upsert,
}

/// One edit: a dotted key path and its new value (`null` removes the key).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigEdit {
    pub key_path: String,
    pub value: serde_json::Value,
    pub merge_strategy: MergeStrategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConfigWriteStatus {
    Ok,
    /// Written, but a session flag (`-c`) overrides the key, so the effective value did not change.
    OkOverridden,
}

/// Why the written value is not the effective one.
#[derive(Debug, Clone, PartialEq)]
pub struct OverriddenMetadata {
    pub message: String,
    pub overriding_layer: ConfigLayerMetadata,
    pub effective_value: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigWriteOutcome {
    pub status: ConfigWriteStatus,
    /// Version of the file after the write.
    pub version: String,
    pub file_path: PathBuf,
    pub overridden: Option<OverriddenMetadata>,
}

/// ConfigWriteErrorCode of the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConfigWriteErrorCode {
    ConfigLayerReadonly,
    ConfigVersionConflict,
    ConfigValidationError,
    ConfigPathNotFound,
    ConfigSchemaUnknownKey,
    UserLayerNotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigWriteError {
    pub code: ConfigWriteErrorCode,
    pub message: String,
}

impl ConfigWriteError {
    fn new(code: ConfigWriteErrorCode, message: impl Into<String>) -> Self {
        ConfigWriteError {
            code,
            message: message.into(),
        }
    }
}

/// Applies `edits` to `$codex_home/config.toml` (the only writable layer). `cli_overrides` are the session's
/// `-c` flags, used to report `OkOverridden`. The edited file must still load, else nothing is written.
pub fn write_config(
    codex_home: &Path,
    file_path: Option<PathBuf>,
    expected_version: Option<String>,
    edits: Vec<ConfigEdit>,
    cli_overrides: &[(String, toml::Value)],
) -> Result<ConfigWriteOutcome, ConfigWriteError> {
    let _guard = WRITE_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let config_file = codex_home.join(CONFIG_TOML_FILE);
    if let Some(requested) = &file_path
        && !same_file(requested, &config_file)
    {
        return Err(ConfigWriteError::new(
            ConfigWriteErrorCode::ConfigLayerReadonly,
            format!(
                "Only writes to the user config are allowed ({} is not {})",
                requested.display(),
                config_file.display()
            ),
        ));
    }

    let old_bytes = match std::fs::read(&config_file) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => {
            return Err(ConfigWriteError::new(
                ConfigWriteErrorCode::UserLayerNotFound,
                format!("failed to read {}: {err}", config_file.display()),
            ));
        }
    };
    let current_version = config_version(&old_bytes);
    if let Some(expected) = expected_version
        && expected != current_version
    {
        return Err(ConfigWriteError::new(
            ConfigWriteErrorCode::ConfigVersionConflict,
            "Configuration was modified since last read. Fetch latest version and retry.",
        ));
    }

    let validation = |message: String| {
        ConfigWriteError::new(
            ConfigWriteErrorCode::ConfigValidationError,
            format!("Invalid configuration: {message}"),
        )
    };
    let old_text = String::from_utf8(old_bytes).map_err(|err| validation(err.to_string()))?;
    let mut document: DocumentMut = old_text
        .parse()
        .map_err(|err| validation(format!("failed to parse {}: {err}", config_file.display())))?;
    for edit in &edits {
        apply_edit(&mut document, edit)?;
    }
    let new_text = document.to_string();

    let new_table = parse_user_table(&config_file, new_text.as_bytes())
        .map_err(|err| validation(err.to_string()))?;
    ConfigToml::from_table(&new_table, &config_file.display().to_string())
        .map_err(|err| validation(err.to_string()))?;
    // References may resolve through session flags (e.g. a provider defined with `-c`), so check them on
    // the effective config.
    let mut session_flags = toml::Table::new();
    for (key, value) in cli_overrides {
        apply_dotted_override(&mut session_flags, key, value.clone());
    }
    let mut effective = new_table.clone();
    merge_tables(&mut effective, &session_flags);
    let parsed = ConfigToml::from_table(&effective, SESSION_FLAGS_ORIGIN)
        .map_err(|err| validation(err.to_string()))?;
    if let Some(id) = &parsed.model_provider
        && id != OPENAI_PROVIDER_ID
        && !parsed.model_providers.contains_key(id)
    {
        return Err(validation(format!(
            "model provider `{id}` is not defined under [model_providers.{id}]"
        )));
    }
    if let Some(name) = &parsed.profile
        && !parsed.profiles.contains_key(name)
    {
        return Err(validation(format!(
            "config profile `{name}` is not defined"
        )));
    }

    std::fs::create_dir_all(config_file.parent().unwrap_or(Path::new(".")))
        .map_err(|err| validation(format!("failed to write {}: {err}", config_file.display())))?;
    write_atomic(&config_file, new_text.as_bytes(), FileMode::KeepExisting)
        .map_err(|err| validation(format!("failed to write {}: {err}", config_file.display())))?;
    let version = config_version(new_text.as_bytes());

    let overridden = overridden_metadata(&edits, &new_table, &session_flags, &effective);
    Ok(ConfigWriteOutcome {
        status: match overridden {
            Some(_) => ConfigWriteStatus::OkOverridden,
            None => ConfigWriteStatus::Ok,
        },
        version,
        file_path: config_file,
        overridden,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (
            std::fs::canonicalize(a),
            b.parent().map(std::fs::canonicalize),
        ) {
            (Ok(a), Some(Ok(dir))) => b.file_name().is_some_and(|name| a == dir.join(name)),
            _ => false,
        }
}

fn apply_edit(document: &mut DocumentMut, edit: &ConfigEdit) -> Result<(), ConfigWriteError> {
    let segments: Vec<&str> = edit.key_path.split('.').map(str::trim).collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(ConfigWriteError::new(
            ConfigWriteErrorCode::ConfigPathNotFound,
            format!("invalid key path `{}`", edit.key_path),
        ));
    }
    // Upstream accepts keys it does not know on write (they load with a warning), so the UI can store
    // settings newer than this build; only the result's validity is checked.
    if !is_known_key(segments[0]) {
        tracing::debug!("writing unknown config key `{}`", segments[0]);
    }
    let Some((last, parents)) = segments.split_last() else {
        return Ok(());
    };
    let mut parent: &mut dyn TableLike = document.as_table_mut();
    let mut parent_is_inline = false;
    for segment in parents {
        if parent.get(segment).is_none() {
            if edit.value.is_null() {
                return Err(ConfigWriteError::new(
                    ConfigWriteErrorCode::ConfigPathNotFound,
                    format!("Path not found: `{}`", edit.key_path),
                ));
            }
            let child = if parent_is_inline {
                Item::Value(toml_edit::Value::InlineTable(toml_edit::InlineTable::new()))
            } else {
                let mut table = toml_edit::Table::new();
                table.set_implicit(true);
                Item::Table(table)
            };
            parent.insert(segment, child);
        }
        let Some(item) = parent.get_mut(segment) else {
            return Ok(());
        };
        parent_is_inline = item.is_inline_table();
        parent = item.as_table_like_mut().ok_or_else(|| {
            ConfigWriteError::new(
                ConfigWriteErrorCode::ConfigValidationError,
                format!("`{segment}` in `{}` is not a table", edit.key_path),
            )
        })?;
    }

    if edit.value.is_null() {
        parent.remove(last);
        return Ok(());
    }
    let value = json_to_toml(&edit.value, &edit.key_path)?;
    let existing = parent.get_mut(last);
    match (edit.merge_strategy, existing) {
        (MergeStrategy::Upsert, Some(existing))
            if existing.is_table_like() && matches!(value, toml_edit::Value::InlineTable(_)) =>
        {
            upsert(existing, value);
        }
        (MergeStrategy::Upsert | MergeStrategy::Replace, Some(existing)) => {
            replace(existing, value);
        }
        (MergeStrategy::Upsert | MergeStrategy::Replace, None) => {
            parent.insert(last, into_item(value, parent_is_inline));
        }
    }
    Ok(())
}

/// Replaces an item, keeping the comment and spacing around a scalar it replaces.
fn replace(existing: &mut Item, mut value: toml_edit::Value) {
    match existing {
        Item::Value(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        Item::Table(_) | Item::ArrayOfTables(_) | Item::None => {
            *existing = into_item(value, false);
        }
    }
}

fn upsert(existing: &mut Item, value: toml_edit::Value) {
    let toml_edit::Value::InlineTable(incoming) = value else {
        replace(existing, value);
        return;
    };
    let existing_is_inline = existing.is_inline_table();
    let Some(table) = existing.as_table_like_mut() else {
        return;
    };
    for (key, value) in incoming {
        match table.get_mut(&key) {
            Some(child)
                if child.is_table_like() && matches!(value, toml_edit::Value::InlineTable(_)) =>
            {
                upsert(child, value);
            }
            Some(child) => replace(child, value),
            None => {
                table.insert(&key, into_item(value, existing_is_inline));
            }
        }
    }
}

/// Objects become `[section]` tables unless they live inside an inline table.
fn into_item(value: toml_edit::Value, inside_inline_table: bool) -> Item {
    match value {
        toml_edit::Value::InlineTable(inline) if !inside_inline_table => {
            let mut table = toml_edit::Table::new();
            for (key, value) in inline {
                table.insert(&key, into_item(value, false));
            }
            Item::Table(table)
        }
        other => Item::Value(other),
    }
}

fn json_to_toml(
    value: &serde_json::Value,
    key_path: &str,
) -> Result<toml_edit::Value, ConfigWriteError> {
    let invalid = |message: &str| {
        ConfigWriteError::new(
            ConfigWriteErrorCode::ConfigValidationError,
            format!("invalid value for `{key_path}`: {message}"),
        )
    };
    Ok(match value {
        serde_json::Value::Null => return Err(invalid("null is only allowed as a whole value")),
        serde_json::Value::Bool(b) => toml_edit::Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml_edit::Value::from(i),
            (None, Some(f)) => toml_edit::Value::from(f),
            (None, None) => return Err(invalid("number out of range")),
        },
        serde_json::Value::String(s) => toml_edit::Value::from(s.as_str()),
        serde_json::Value::Array(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                array.push(json_to_toml(item, key_path)?);
            }
            toml_edit::Value::Array(array)
        }
        serde_json::Value::Object(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (key, item) in map {
                if item.is_null() {
                    continue;
                }
                table.insert(key, json_to_toml(item, key_path)?);
            }
            toml_edit::Value::InlineTable(table)
        }
    })
}

/// The first edit whose written value is not the effective one because a session flag sets it.
fn overridden_metadata(
    edits: &[ConfigEdit],
    user_table: &toml::Table,
    session_flags: &toml::Table,
    effective: &toml::Table,
) -> Option<OverriddenMetadata> {
    let value_at = |table: &toml::Table, key_path: &str| {
        let mut current = Some(table);
        let mut found = None;
        for segment in key_path.split('.').map(str::trim) {
            found = current.and_then(|table| table.get(segment));
            current = found.and_then(toml::Value::as_table);
        }
        found.cloned()
    };
    edits.iter().find_map(|edit| {
        let flagged = value_at(session_flags, &edit.key_path)?;
        let effective_value = value_at(effective, &edit.key_path);
        if value_at(user_table, &edit.key_path) == effective_value {
            return None;
        }
        let session_flags_json = serde_json::to_value(session_flags).unwrap_or_default();
        Some(OverriddenMetadata {
            message: "Overridden by session flags".to_string(),
            overriding_layer: ConfigLayerMetadata {
                name: ConfigLayerSource::SessionFlags,
                version: config_version(session_flags_json.to_string().as_bytes()),
            },
            effective_value: serde_json::to_value(effective_value.unwrap_or(flagged))
                .unwrap_or(serde_json::Value::Null),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    const ORIGINAL: &str = r#"# My Codex config
model = "gpt-5.1"   # the one I like

# approvals
approval_policy = "on-request"

[model_providers.mock]
# local mock server
name = "Mock"
base_url = "http://localhost:1234/v1"
"#;

    fn home_with(text: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::write(home.path().join(CONFIG_TOML_FILE), text).expect("write");
        home
    }

    fn edit(key_path: &str, value: serde_json::Value, merge_strategy: MergeStrategy) -> ConfigEdit {
        ConfigEdit {
            key_path: key_path.to_string(),
            value,
            merge_strategy,
        }
    }

    fn read(home: &tempfile::TempDir) -> String {
        std::fs::read_to_string(home.path().join(CONFIG_TOML_FILE)).expect("read")
    }

    #[test]
    fn edits_keep_comments_and_formatting() {
        let home = home_with(ORIGINAL);
        let outcome = write_config(
            home.path(),
            None,
            Some(config_version(ORIGINAL.as_bytes())),
            vec![
                edit("model", json!("gpt-5.2-codex"), MergeStrategy::Replace),
                edit(
                    "model_providers.mock.stream_max_retries",
                    json!(2),
                    MergeStrategy::Replace,
                ),
                edit(
                    "sandbox_workspace_write",
                    json!({"network_access": true}),
                    MergeStrategy::Upsert,
                ),
            ],
            &[],
        )
        .expect("write");

        let expected = r#"# My Codex config
model = "gpt-5.2-codex"   # the one I like

# approvals
approval_policy = "on-request"

[model_providers.mock]
# local mock server
name = "Mock"
base_url = "http://localhost:1234/v1"
stream_max_retries = 2

[sandbox_workspace_write]
network_access = true
"#;
        assert_eq!(read(&home), expected);
        assert_eq!(
            outcome,
            ConfigWriteOutcome {
                status: ConfigWriteStatus::Ok,
                version: config_version(expected.as_bytes()),
                file_path: home.path().join(CONFIG_TOML_FILE),
                overridden: None,
            }
        );
    }

    #[test]
    fn null_removes_and_upsert_merges() {
        let home = home_with(ORIGINAL);
        write_config(
            home.path(),
            None,
            None,
            vec![
                edit(
                    "approval_policy",
                    serde_json::Value::Null,
                    MergeStrategy::Replace,
                ),
                edit(
                    "model_providers",
                    json!({"mock": {"name": "Mock 2"}, "other": {"name": "Other"}}),
                    MergeStrategy::Upsert,
                ),
                edit(
                    "model_providers.mock.nothing_here",
                    serde_json::Value::Null,
                    MergeStrategy::Replace,
                ),
            ],
            &[],
        )
        .expect("write");

        assert_eq!(
            read(&home),
            r#"# My Codex config
model = "gpt-5.1"   # the one I like

[model_providers.mock]
# local mock server
name = "Mock 2"
base_url = "http://localhost:1234/v1"

[model_providers.other]
name = "Other"
"#
        );
    }

    #[test]
    fn stale_version_is_a_conflict() {
        let home = home_with(ORIGINAL);
        let err = write_config(
            home.path(),
            None,
            Some(config_version(b"something else")),
            vec![edit("model", json!("x"), MergeStrategy::Replace)],
            &[],
        )
        .expect_err("conflict");
        assert_eq!(err.code, ConfigWriteErrorCode::ConfigVersionConflict);
        assert_eq!(read(&home), ORIGINAL);
    }

    #[test]
    fn invalid_result_leaves_file_untouched() {
        let home = home_with(ORIGINAL);
        let err = write_config(
            home.path(),
            None,
            None,
            vec![edit(
                "approval_policy",
                json!("sometimes"),
                MergeStrategy::Replace,
            )],
            &[],
        )
        .expect_err("invalid");
        assert_eq!(err.code, ConfigWriteErrorCode::ConfigValidationError);
        assert!(err.message.contains("`approval_policy`"), "{}", err.message);
        assert_eq!(read(&home), ORIGINAL);

        let err = write_config(
            home.path(),
            None,
            None,
            vec![edit(
                "model_provider",
                json!("undefined"),
                MergeStrategy::Replace,
            )],
            &[],
        )
        .expect_err("undefined provider");
        assert_eq!(err.code, ConfigWriteErrorCode::ConfigValidationError);
        assert_eq!(read(&home), ORIGINAL);
    }

    #[test]
    fn unknown_key_is_written_and_foreign_file_is_readonly() {
        let home = home_with("model = \"gpt-5.1\"\n");
        write_config(
            home.path(),
            None,
            None,
            vec![edit(
                "newer_setting.enabled",
                json!(true),
                MergeStrategy::Replace,
            )],
            &[],
        )
        .expect("unknown keys are accepted like upstream");
        let written = "model = \"gpt-5.1\"\n\n[newer_setting]\nenabled = true\n";
        assert_eq!(read(&home), written);

        let err = write_config(
            home.path(),
            Some(home.path().join("other.toml")),
            None,
            vec![edit("model", json!("x"), MergeStrategy::Replace)],
            &[],
        )
        .expect_err("readonly");
        assert_eq!(err.code, ConfigWriteErrorCode::ConfigLayerReadonly);

        let err = write_config(
            home.path(),
            None,
            None,
            vec![edit(
                "profiles.none.model",
                serde_json::Value::Null,
                MergeStrategy::Replace,
            )],
            &[],
        )
        .expect_err("path not found");
        assert_eq!(
            err,
            ConfigWriteError {
                code: ConfigWriteErrorCode::ConfigPathNotFound,
                message: "Path not found: `profiles.none.model`".to_string(),
            }
        );
        assert_eq!(read(&home), written);
    }

    #[cfg(unix)]
    #[test]
    fn file_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let home = home_with(ORIGINAL);
        let path = home.path().join(CONFIG_TOML_FILE);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write_config(
            home.path(),
            Some(path.clone()),
            None,
            vec![edit("model", json!("gpt-5.2"), MergeStrategy::Replace)],
            &[],
        )
        .expect("write");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn provider_defined_by_session_flag_satisfies_validation() {
        let home = tempfile::tempdir().expect("tempdir");
        let flags = vec![(
            "model_providers.mock.name".to_string(),
            toml::Value::String("Mock".to_string()),
        )];
        let outcome = write_config(
            home.path(),
            None,
            None,
            vec![edit(
                "model_provider",
                json!("mock"),
                MergeStrategy::Replace,
            )],
            &flags,
        )
        .expect("write");
        assert_eq!(outcome.status, ConfigWriteStatus::Ok);
        assert_eq!(read(&home), "model_provider = \"mock\"\n");
    }

    #[test]
    fn concurrent_writes_all_land() {
        let home = home_with(ORIGINAL);
        let path = home.path().to_path_buf();
        let writers: Vec<_> = (0..8)
            .map(|index| {
                let path = path.clone();
                std::thread::spawn(move || {
                    write_config(
                        &path,
                        None,
                        None,
                        vec![edit(
                            &format!("projects./repo/{index}.trust_level"),
                            json!("trusted"),
                            MergeStrategy::Replace,
                        )],
                        &[],
                    )
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("join").expect("write");
        }
        let table: toml::Table = toml::from_str(&read(&home)).expect("toml");
        let projects = table["projects"].as_table().expect("projects");
        assert_eq!(
            projects["/repo/0"].as_table().map(toml::Table::len),
            Some(1)
        );
        let mut keys: Vec<&String> = projects.keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            (0..8)
                .map(|index| format!("/repo/{index}"))
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn wire_spellings() {
        assert_eq!(
            serde_json::to_value([ConfigWriteStatus::Ok, ConfigWriteStatus::OkOverridden])
                .expect("json"),
            json!(["ok", "okOverridden"])
        );
        assert_eq!(
            serde_json::to_value(ConfigWriteErrorCode::ConfigVersionConflict).expect("json"),
            json!("configVersionConflict")
        );
        assert_eq!(
            serde_json::from_value::<MergeStrategy>(json!("upsert")).expect("json"),
            MergeStrategy::Upsert
        );
    }

    #[test]
    fn session_flag_override_is_reported() {
        let home = tempfile::tempdir().expect("tempdir");
        let flags = vec![(
            "model".to_string(),
            toml::Value::String("flagged".to_string()),
        )];
        let outcome = write_config(
            home.path(),
            None,
            Some(config_version(b"")),
            vec![edit("model", json!("gpt-5.2"), MergeStrategy::Replace)],
            &flags,
        )
        .expect("write");
        assert_eq!(read(&home), "model = \"gpt-5.2\"\n");
        assert_eq!(outcome.status, ConfigWriteStatus::OkOverridden);
        assert_eq!(
            outcome.overridden,
            Some(OverriddenMetadata {
                message: "Overridden by session flags".to_string(),
                overriding_layer: ConfigLayerMetadata {
                    name: ConfigLayerSource::SessionFlags,
                    version: config_version(json!({"model": "flagged"}).to_string().as_bytes()),
                },
                effective_value: json!("flagged"),
            })
        );
    }
}
