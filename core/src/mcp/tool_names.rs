//! The names the model sees for MCP tools, as upstream 0.105 gives them (flat function tools, which every
//! Responses provider takes): `mcp__<server>__<tool>` with every character outside `[A-Za-z0-9_-]`
//! replaced by `_`; a name past 64 characters (the Responses API's limit) is its first 24 characters and
//! the 40 hex digits of the SHA-1 of the full name. Two tools whose names would collide are told apart the
//! same way (upstream drops the second).

use std::collections::BTreeMap;
use std::collections::HashSet;

use sha1::Digest;
use sha1::Sha1;

const DELIMITER: &str = "__";
const MAX_NAME_LEN: usize = 64;
const SHA1_HEX_LEN: usize = 40;

/// `server`'s `tool` as the model calls it, before collisions are resolved.
fn base_name(server: &str, tool: &str) -> String {
    let joined = format!("mcp{DELIMITER}{server}{DELIMITER}{tool}");
    joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn hashed(name: &str, hashed_text: &str) -> String {
    let digest = Sha1::digest(hashed_text.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    let prefix: String = name.chars().take(MAX_NAME_LEN - SHA1_HEX_LEN).collect();
    format!("{prefix}{hex}")
}

/// The model-visible name of each `(server, tool)`, unique and at most 64 characters.
pub(crate) fn qualify_tool_names<'a>(
    tools: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, (String, String)> {
    let mut pairs: Vec<(&str, &str)> = tools.into_iter().collect();
    pairs.sort();
    pairs.dedup();
    let mut used = HashSet::new();
    let mut names = BTreeMap::new();
    for (server, tool) in pairs {
        let qualified = format!("mcp{DELIMITER}{server}{DELIMITER}{tool}");
        let base = base_name(server, tool);
        let mut name = if base.len() > MAX_NAME_LEN {
            hashed(&base, &qualified)
        } else {
            base.clone()
        };
        let mut attempt = 0u32;
        while used.contains(&name) {
            attempt += 1;
            name = hashed(&base, &format!("{qualified}\0{attempt}"));
        }
        used.insert(name.clone());
        names.insert(name, (server.to_string(), tool.to_string()));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn names_are_sanitized_unique_and_bounded() {
        let long = "very_long_tool_name_".repeat(4);
        let names = qualify_tool_names([
            ("docs", "search"),
            ("docs", "weird.name/with spaces"),
            ("docs", "weird_name_with_spaces"),
            ("docs", "dash-name"),
            ("docs", long.as_str()),
        ]);
        let by_tool: BTreeMap<&str, &str> = names
            .iter()
            .map(|(name, (_, tool))| (tool.as_str(), name.as_str()))
            .collect();
        assert_eq!(by_tool["search"], "mcp__docs__search");
        assert_eq!(
            by_tool["weird.name/with spaces"],
            "mcp__docs__weird_name_with_spaces"
        );
        let collided = by_tool["weird_name_with_spaces"];
        assert!(
            collided.starts_with("mcp__docs__weird_name_wi"),
            "{collided}"
        );
        assert_eq!(collided.len(), MAX_NAME_LEN);
        // As upstream 0.105 names `mcp__test__a_very_long_tool_name_` + 60 x's (observed).
        let observed = format!("a_very_long_tool_name_{}", "x".repeat(60));
        let names = qualify_tool_names([("test", observed.as_str())]);
        assert_eq!(
            names.keys().next().unwrap(),
            "mcp__test__a_very_long_t7206360ee927a09500b290eee4324d396cfdaf8b"
        );
        assert_eq!(by_tool[long.as_str()].len(), MAX_NAME_LEN);
        assert_eq!(by_tool["dash-name"], "mcp__docs__dash-name");
    }
}
