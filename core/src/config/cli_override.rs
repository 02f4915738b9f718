//! `-c key=value` session flags: parsing one flag and setting a dotted key in a TOML table.

use crate::config::ConfigError;

/// Parses `key=value`. The value is read as TOML (`-c model_reasoning_effort="high"`, `-c x=[1,2]`); when it
/// is not valid TOML it is taken as a plain string, like upstream, so `-c model=o3` works unquoted.
pub fn parse_cli_override(raw: &str) -> Result<(String, toml::Value), ConfigError> {
    let Some((key, value)) = raw.split_once('=') else {
        return Err(ConfigError::InvalidOverride {
            raw: raw.to_string(),
            message: "expected key=value".to_string(),
        });
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(|segment| segment.trim().is_empty()) {
        return Err(ConfigError::InvalidOverride {
            raw: raw.to_string(),
            message: "the key is empty".to_string(),
        });
    }
    let value = value.trim();
    let parsed = toml::from_str::<toml::Table>(&format!("value = {value}"))
        .ok()
        .and_then(|mut table| table.remove("value"));
    let value = parsed.unwrap_or_else(|| {
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        toml::Value::String(unquoted.to_string())
    });
    Ok((key.to_string(), value))
}

/// Sets `dotted.key.path` in `table`, creating (or replacing non-table values with) intermediate tables.
pub fn apply_dotted_override(table: &mut toml::Table, key_path: &str, value: toml::Value) {
    let segments: Vec<&str> = key_path.split('.').map(str::trim).collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = table;
    for segment in parents {
        let entry = current
            .entry(segment.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else {
            unreachable!("entry was just made a table");
        };
        current = next;
    }
    current.insert(last.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn values_parse_as_toml_or_fall_back_to_strings() {
        assert_eq!(
            parse_cli_override("model=\"gpt-5.1\"").expect("parse"),
            (
                "model".to_string(),
                toml::Value::String("gpt-5.1".to_string())
            )
        );
        assert_eq!(
            parse_cli_override("model=o3").expect("parse"),
            ("model".to_string(), toml::Value::String("o3".to_string()))
        );
        assert_eq!(
            parse_cli_override(" features.unified_exec = true").expect("parse"),
            (
                "features.unified_exec".to_string(),
                toml::Value::Boolean(true)
            )
        );
        assert_eq!(
            parse_cli_override("model_providers.mock.base_url=http://127.0.0.1:9/v1")
                .expect("parse")
                .1,
            toml::Value::String("http://127.0.0.1:9/v1".to_string())
        );
        assert!(parse_cli_override("no_equals").is_err());
        assert!(parse_cli_override("=1").is_err());
    }

    #[test]
    fn dotted_keys_build_nested_tables() {
        let mut table: toml::Table =
            toml::from_str("model = \"a\"\n[model_providers.mock]\nname = \"Mock\"\n")
                .expect("toml");
        apply_dotted_override(
            &mut table,
            "model_providers.mock.base_url",
            toml::Value::String("http://x".to_string()),
        );
        apply_dotted_override(&mut table, "model", toml::Value::String("b".to_string()));
        let expected: toml::Table = toml::from_str(
            "model = \"b\"\n[model_providers.mock]\nname = \"Mock\"\nbase_url = \"http://x\"\n",
        )
        .expect("toml");
        assert_eq!(table, expected);
    }
}
