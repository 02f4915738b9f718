//! What the engine knows about one model: reasoning levels, context window, which tools it takes, whether it
//! prefers WebSockets. Built-in entries live in the model catalog; config can override them.

use serde::Deserialize;
use serde::Serialize;

/// Reasoning effort levels (lowercase on every wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningEffort {
    None,
    Minimal,
    Low,
    Medium,
    High,
    Xhigh,
}

/// Reasoning summary modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningSummaryMode {
    #[default]
    Auto,
    Concise,
    Detailed,
    None,
}

/// Output verbosity for models that support it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verbosity {
    Low,
    Medium,
    High,
}

/// Which shell tool a model is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellToolType {
    #[default]
    ShellCommand,
    Shell,
    Local,
    /// `exec_command` and `write_stdin` (upstream's `unified_exec`).
    UnifiedExec,
    /// No shell tool.
    Disabled,
}

/// How `apply_patch` is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyPatchToolType {
    #[default]
    Freeform,
    Function,
}

/// A reasoning level a model supports, with its description for pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasoningEffortPreset {
    pub effort: ReasoningEffort,
    pub description: String,
}

/// One model of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub slug: String,
    pub display_name: String,
    pub description: String,
    #[serde(default)]
    pub default_reasoning_level: Option<ReasoningEffort>,
    #[serde(default)]
    pub supported_reasoning_levels: Vec<ReasoningEffortPreset>,
    #[serde(default)]
    pub supports_reasoning_summaries: bool,
    #[serde(default)]
    pub support_verbosity: bool,
    #[serde(default)]
    pub default_verbosity: Option<Verbosity>,
    /// Full context window in tokens.
    #[serde(default)]
    pub context_window: Option<i64>,
    /// Percent of the window usable for input (upstream reports 95% of the window).
    #[serde(default = "default_effective_context_window_percent")]
    pub effective_context_window_percent: i64,
    #[serde(default)]
    pub shell_type: ShellToolType,
    #[serde(default)]
    pub apply_patch_tool_type: ApplyPatchToolType,
    #[serde(default)]
    pub supports_parallel_tool_calls: bool,
    #[serde(default)]
    pub prefer_websockets: bool,
    #[serde(default = "default_input_modalities")]
    pub input_modalities: Vec<String>,
    #[serde(default)]
    pub supports_personality: bool,
    #[serde(default)]
    pub hidden: bool,
    /// A newer model this one upgrades to, if any.
    #[serde(default)]
    pub upgrade: Option<String>,
}

fn default_effective_context_window_percent() -> i64 {
    95
}

fn default_input_modalities() -> Vec<String> {
    vec!["text".to_string(), "image".to_string()]
}

impl ModelInfo {
    /// Whether the model reads images (`image` among its `input_modalities`).
    pub fn takes_images(&self) -> bool {
        self.input_modalities
            .iter()
            .any(|modality| modality == "image")
    }

    /// The context window reported to clients (`modelContextWindow`).
    pub fn effective_context_window(&self) -> Option<i64> {
        self.context_window
            .map(|w| w * self.effective_context_window_percent / 100)
    }
}

impl ModelInfo {
    /// A catalog entry in either shape: ours, or upstream's (`/models` responses and upstream's
    /// `model_catalog_json` files: `visibility` instead of `hidden`, an `upgrade` object, `shell_type`
    /// values we name differently, nulls for absent fields). Upstream fields we do not use are ignored.
    pub fn from_catalog_entry(
        mut entry: serde_json::Value,
    ) -> Result<ModelInfo, serde_json::Error> {
        use serde_json::Value;
        if let Some(fields) = entry.as_object_mut() {
            fields.retain(|_, value| !value.is_null());
            fields
                .entry("description")
                .or_insert_with(|| Value::String(String::new()));
            if !fields.contains_key("hidden")
                && let Some(visibility) = fields.get("visibility").and_then(Value::as_str)
            {
                let hidden = visibility != "list";
                fields.insert("hidden".to_string(), Value::Bool(hidden));
            }
            if let Some(upgrade) = fields.get("upgrade").filter(|upgrade| upgrade.is_object()) {
                match upgrade.get("model").cloned() {
                    Some(model) => fields.insert("upgrade".to_string(), model),
                    None => fields.remove("upgrade"),
                };
            }
            match fields.get("shell_type").and_then(Value::as_str) {
                Some("shell_command" | "shell" | "local" | "unified_exec" | "disabled") | None => {}
                Some("default") => {
                    fields.insert("shell_type".to_string(), Value::from("shell"));
                }
                Some(_) => {
                    fields.remove("shell_type");
                }
            }
        }
        serde_json::from_value(entry)
    }
}
