//! A host tool as the thread keeps it: checked when declared by upstream 0.171's rules (a Responses API
//! identifier, not reserved, unique, a usable input schema) plus ours (no clash with a built-in tool), and
//! written in the rollout's `session_meta` as 0.171 writes it, so a resumed or forked thread offers it again.

use std::collections::HashSet;

use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use serde_json::json;

use super::input_schema::InputSchemaError;
use super::input_schema::model_parameters;

/// The longest name the Responses API takes for a function.
const MAX_NAME_CHARS: usize = 128;

/// The tools this server may offer itself (and `request_user_input`, upstream's): a host tool of the same
/// name would be shadowed or would shadow one.
const BUILT_IN_TOOL_NAMES: [&str; 8] = [
    "shell",
    "shell_command",
    "local_shell",
    "update_plan",
    "apply_patch",
    "view_image",
    "web_search",
    "request_user_input",
];

/// A host tool as a host declared it, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredDynamicTool {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
}

/// A checked host tool.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicTool {
    name: String,
    description: String,
    /// As the host gave it; the model gets it through [`model_parameters`].
    input_schema: Value,
    /// What the model is offered as `parameters`.
    parameters: Value,
}

/// Why a declared host tool is refused; each names the field at fault ([`DynamicToolError::field`]).
/// The texts of upstream's rules are upstream's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DynamicToolError {
    #[error("dynamic tool name must not be empty")]
    EmptyName,
    #[error("dynamic tool name has leading/trailing whitespace: {0}")]
    Whitespace(String),
    #[error("dynamic tool name must match ^[a-zA-Z0-9_-]+$ to match Responses API: {0}")]
    NotAnIdentifier(String),
    #[error(
        "dynamic tool name must be at most {MAX_NAME_CHARS} characters to match Responses API: {0}"
    )]
    TooLong(String),
    #[error("dynamic tool name is reserved: {0}")]
    Reserved(String),
    #[error("dynamic tool name is the name of a built-in tool: {0}")]
    BuiltIn(String),
    #[error("duplicate dynamic tool name: {0}")]
    Duplicate(String),
    #[error("dynamic tool input schema is not supported for {name}: {reason}")]
    InputSchema {
        name: String,
        reason: InputSchemaError,
    },
}

impl DynamicToolError {
    /// The declaration's field at fault, as the wire spells it.
    pub fn field(&self) -> &'static str {
        match self {
            DynamicToolError::EmptyName
            | DynamicToolError::Whitespace(_)
            | DynamicToolError::NotAnIdentifier(_)
            | DynamicToolError::TooLong(_)
            | DynamicToolError::Reserved(_)
            | DynamicToolError::BuiltIn(_)
            | DynamicToolError::Duplicate(_) => "name",
            DynamicToolError::InputSchema { .. } => "inputSchema",
        }
    }
}

/// The first refused declaration of a list: its position and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dynamic tool {index}: {error}")]
pub struct DynamicToolsError {
    pub index: usize,
    #[source]
    pub error: DynamicToolError,
}

impl DynamicTool {
    /// Checks one declaration (everything but uniqueness, which [`checked_dynamic_tools`] adds).
    pub fn new(declared: DeclaredDynamicTool) -> Result<Self, DynamicToolError> {
        let DeclaredDynamicTool {
            name,
            description,
            input_schema,
        } = declared;
        check_name(&name)?;
        let parameters =
            model_parameters(&input_schema).map_err(|reason| DynamicToolError::InputSchema {
                name: name.clone(),
                reason,
            })?;
        Ok(Self {
            name,
            description,
            input_schema,
            parameters,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The function tool the model is offered, as upstream 0.171 sends it.
    pub fn tool_json(&self) -> Value {
        json!({
            "type": "function",
            "name": self.name,
            "description": self.description,
            "strict": false,
            "parameters": self.parameters,
        })
    }
}

fn check_name(name: &str) -> Result<(), DynamicToolError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(DynamicToolError::EmptyName);
    }
    if trimmed != name {
        return Err(DynamicToolError::Whitespace(
            name.escape_default().to_string(),
        ));
    }
    if !name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
    {
        return Err(DynamicToolError::NotAnIdentifier(
            name.escape_default().to_string(),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DynamicToolError::TooLong(name.to_string()));
    }
    if name == "mcp" || name.starts_with("mcp__") {
        return Err(DynamicToolError::Reserved(name.to_string()));
    }
    if BUILT_IN_TOOL_NAMES.contains(&name) {
        return Err(DynamicToolError::BuiltIn(name.to_string()));
    }
    Ok(())
}

/// Checks a host's declarations in order; the first refused one is the error.
pub fn checked_dynamic_tools(
    declared: impl IntoIterator<Item = DeclaredDynamicTool>,
) -> Result<Vec<DynamicTool>, DynamicToolsError> {
    let mut names = HashSet::new();
    let mut tools = Vec::new();
    for (index, declared) in declared.into_iter().enumerate() {
        let tool =
            DynamicTool::new(declared).map_err(|error| DynamicToolsError { index, error })?;
        if !names.insert(tool.name.clone()) {
            return Err(DynamicToolsError {
                index,
                error: DynamicToolError::Duplicate(tool.name),
            });
        }
        tools.push(tool);
    }
    Ok(tools)
}

/// The tools of a stored `session_meta`, whoever wrote it: a function tool (tagged or, as 0.105 wrote it,
/// untagged) that passes today's checks is kept, anything else (a namespace, a deferred tool, a name that is
/// now refused) is left out with a warning, as upstream leaves out what it cannot offer.
pub(crate) fn lenient_dynamic_tools(stored: Vec<Value>) -> Vec<DynamicTool> {
    let mut names = HashSet::new();
    stored
        .into_iter()
        .filter_map(|value| {
            let tool = serde_json::from_value::<StoredDynamicTool>(value.clone())
                .map_err(|err| err.to_string())
                .and_then(StoredDynamicTool::usable)
                .and_then(|declared| DynamicTool::new(declared).map_err(|err| err.to_string()));
            match tool {
                Ok(tool) if names.insert(tool.name.clone()) => Some(tool),
                Ok(tool) => {
                    tracing::warn!(
                        "leaving out the stored dynamic tool {}: a duplicate",
                        tool.name
                    );
                    None
                }
                Err(reason) => {
                    tracing::warn!("leaving out the stored dynamic tool {value}: {reason}");
                    None
                }
            }
        })
        .collect()
}

/// A stored tool in any shape a build wrote it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredDynamicTool {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    input_schema: Option<Value>,
    #[serde(default)]
    defer_loading: bool,
}

impl StoredDynamicTool {
    fn usable(self) -> Result<DeclaredDynamicTool, String> {
        match self.kind.as_deref() {
            None | Some("function") => {}
            Some(other) => return Err(format!("a `{other}` is not offered")),
        }
        if self.defer_loading {
            return Err("deferred loading is not offered".to_string());
        }
        Ok(DeclaredDynamicTool {
            name: self.name,
            description: self.description,
            input_schema: self.input_schema.ok_or("no inputSchema")?,
        })
    }
}

/// Written as upstream 0.171 writes a function tool in `session_meta.dynamic_tools`.
impl Serialize for DynamicTool {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Written<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            name: &'a str,
            description: &'a str,
            input_schema: &'a Value,
        }
        Written {
            kind: "function",
            name: &self.name,
            description: &self.description,
            input_schema: &self.input_schema,
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
#[path = "definition_tests.rs"]
mod tests;
