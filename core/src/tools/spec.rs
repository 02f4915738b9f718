//! The `tools` array of a Responses request: the shell tool the model takes, `update_plan`,
//! `request_user_input`, `apply_patch` in its freeform or function flavour, `view_image` for a model that
//! reads images, the host's own tools, and the hosted web search tool, each only when enabled.

use serde_json::Value;
use serde_json::json;

use crate::config::Feature;
use crate::config::Features;
use crate::config::WebSearchMode;
use crate::model::info::ApplyPatchToolType;
use crate::model::info::ModelInfo;
use crate::model::info::ShellToolType;
use crate::tools::dynamic_tools::DynamicTool;
use crate::tools::mcp_tools::McpTurnTools;
use crate::tools::unified_exec::spec::exec_command_tool;
use crate::tools::unified_exec::spec::write_stdin_tool;

/// The Lark grammar the freeform `apply_patch` tool constrains the model's output to.
pub const APPLY_PATCH_LARK_GRAMMAR: &str = r#"start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
"#;

const APPLY_PATCH_DESCRIPTION: &str = "Use the `apply_patch` tool to edit files. The patch starts with \
`*** Begin Patch` and ends with `*** End Patch`; in between, each file operation is one of \
`*** Add File: <path>` (every following line prefixed with `+`), `*** Delete File: <path>`, or \
`*** Update File: <path>` (optionally followed by `*** Move to: <new path>`) with hunks introduced by `@@` \
whose lines are prefixed with ` ` (context), `-` (removed) or `+` (added). Paths are relative to the \
working directory; never absolute.";

/// Upstream's words: models are trained on them.
const PLAN_DESCRIPTION: &str = "Updates the task plan.\nProvide an optional explanation and a list of plan \
items, each with a step and status.\nAt most one step can be in_progress at a time.\n";

/// Upstream's words (0.105 and 0.171 alike). The tool is offered in every mode, as upstream does, and
/// refused outside plan mode when called.
const REQUEST_USER_INPUT_DESCRIPTION: &str = "Request user input for one to three short questions and \
wait for the response. This tool is only available in Plan mode.";

const SHELL_COMMAND_DESCRIPTION: &str = "Runs a shell command and returns its output. Always set `workdir` \
rather than using `cd` in the command.";

/// Upstream 0.171's words.
const VIEW_IMAGE_DESCRIPTION: &str = "View a local image file from the filesystem when visual inspection \
is needed. Use this for images already available on disk.";

const SHELL_DESCRIPTION: &str = "Runs a command (an argv array, usually [\"bash\", \"-lc\", \"...\"]) and \
returns its output. Always set `workdir` rather than using `cd` in the command.";

/// What decides the tools of a request: the shell and `apply_patch` flavours (turns offer both; `None`
/// leaves a tool out) and the hosted web search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolsSpecConfig {
    /// Which shell tool to offer, or `None` for no shell tool.
    pub shell: Option<ShellToolType>,
    /// Whether to offer `update_plan`.
    pub plan: bool,
    /// Whether to offer `request_user_input`.
    pub request_user_input: bool,
    /// Which `apply_patch` flavour to offer, or `None` for none.
    pub apply_patch: Option<ApplyPatchToolType>,
    /// Offer `view_image` (local tools on, and the model reads images).
    pub view_image: bool,
    pub web_search_mode: WebSearchMode,
    /// Whether the provider/model serves the hosted `web_search` tool (OpenAI Responses does; local and
    /// third-party providers generally do not).
    pub model_supports_web_search: bool,
}

impl ToolsSpecConfig {
    /// Web search per config; the shell tool as [`shell_tool_type`] decides, `apply_patch` in the model's
    /// flavour, and `view_image` if the model reads images, when `enable_local_tools`.
    pub fn for_model(
        model_info: &ModelInfo,
        features: &Features,
        web_search_mode: WebSearchMode,
        model_supports_web_search: bool,
        enable_local_tools: bool,
    ) -> Self {
        Self {
            shell: enable_local_tools
                .then(|| shell_tool_type(model_info.shell_type, features))
                .flatten(),
            plan: enable_local_tools,
            request_user_input: enable_local_tools,
            apply_patch: enable_local_tools.then_some(model_info.apply_patch_tool_type),
            view_image: enable_local_tools && model_info.takes_images(),
            web_search_mode,
            model_supports_web_search,
        }
    }

    /// The `tools` array, in upstream order: shell, `update_plan`, `request_user_input`, `apply_patch`,
    /// `view_image`, web search.
    pub fn tools_json(&self) -> Vec<Value> {
        self.tools_json_with(&[])
    }

    /// The `tools` array with the MCP tools too: the resource tools after the shell tool, the servers'
    /// tools (by name) after everything else, as upstream 0.105 orders them.
    pub(crate) fn tools_json_with_mcp(
        &self,
        dynamic_tools: &[DynamicTool],
        mcp: &McpTurnTools,
    ) -> Vec<Value> {
        let mut tools = self.tools_json_with(dynamic_tools);
        let after_shell = self.shell.map_or(0, |shell| shell_tools(shell).len());
        let resource_tools = mcp.resource_tool_specs();
        tools.splice(after_shell..after_shell, resource_tools);
        tools.extend(mcp.function_specs());
        tools
    }

    /// The `tools` array with the host's own tools, which upstream puts after its function tools and
    /// before the hosted web search.
    pub fn tools_json_with(&self, dynamic_tools: &[DynamicTool]) -> Vec<Value> {
        let web_search = if self.model_supports_web_search {
            web_search_tool(self.web_search_mode)
        } else {
            None
        };
        self.shell
            .map(shell_tools)
            .unwrap_or_default()
            .into_iter()
            .chain(
                [
                    self.plan.then(plan_tool),
                    self.request_user_input.then(request_user_input_tool),
                    self.apply_patch.map(apply_patch_tool),
                    self.view_image.then(view_image_tool),
                ]
                .into_iter()
                .flatten(),
            )
            .chain(dynamic_tools.iter().map(DynamicTool::tool_json))
            .chain(web_search)
            .collect()
    }
}

/// The hosted web search tool: none when disabled; `cached` restricts it to the search index,
/// `live` lets it fetch the web.
pub fn web_search_tool(mode: WebSearchMode) -> Option<Value> {
    match mode {
        WebSearchMode::Disabled => None,
        WebSearchMode::Cached => Some(json!({"type": "web_search", "external_web_access": false})),
        WebSearchMode::Live => Some(json!({"type": "web_search", "external_web_access": true})),
    }
}

/// Which shell tool a model is offered, as upstream decides: none without the `shell_tool` feature; unified
/// exec while the `unified_exec` feature is on (the default); otherwise the model's catalog entry, where
/// `unified_exec` falls back to `shell_command`.
pub fn shell_tool_type(catalog: ShellToolType, features: &Features) -> Option<ShellToolType> {
    if !features.enabled(Feature::ShellTool) {
        return None;
    }
    if features.enabled(Feature::UnifiedExec) {
        return Some(ShellToolType::UnifiedExec);
    }
    match catalog {
        ShellToolType::UnifiedExec => Some(ShellToolType::ShellCommand),
        ShellToolType::Disabled => None,
        other @ (ShellToolType::ShellCommand | ShellToolType::Shell | ShellToolType::Local) => {
            Some(other)
        }
    }
}

/// The specs of a shell type's tools: unified exec is two (`exec_command`, `write_stdin`), the others one.
pub fn shell_tools(shell_type: ShellToolType) -> Vec<Value> {
    match shell_type {
        ShellToolType::UnifiedExec => vec![exec_command_tool(), write_stdin_tool()],
        ShellToolType::Disabled => Vec::new(),
        ShellToolType::ShellCommand => vec![shell_command_tool()],
        ShellToolType::Shell => vec![shell_argv_tool()],
        ShellToolType::Local => vec![json!({"type": "local_shell"})],
    }
}

/// The `shell_command` tool spec: a script for the user's shell.
fn shell_command_tool() -> Value {
    json!({
        "type": "function",
        "name": "shell_command",
        "description": SHELL_COMMAND_DESCRIPTION,
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The shell script to run in the user's default shell."},
                "workdir": {"type": "string", "description": "The working directory to run the command in."},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds."},
                "sandbox_permissions": {"type": "string", "description": "Set to `require_escalated` to run without the sandbox; needs `justification`."},
                "justification": {"type": "string", "description": "Why the command needs to run outside the sandbox, shown to the user."}
            },
            "required": ["command"],
            "additionalProperties": false
        }
    })
}

/// The `shell` tool spec: an argv array.
fn shell_argv_tool() -> Value {
    json!({
        "type": "function",
        "name": "shell",
        "description": SHELL_DESCRIPTION,
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute."},
                "workdir": {"type": "string", "description": "The working directory to run the command in."},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds."}
            },
            "required": ["command"],
            "additionalProperties": false
        }
    })
}

/// The `update_plan` tool spec, as upstream offers it (its description and parameters).
pub fn plan_tool() -> Value {
    json!({
        "type": "function",
        "name": "update_plan",
        "description": PLAN_DESCRIPTION,
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "explanation": {"type": "string"},
                "plan": {
                    "type": "array",
                    "description": "The list of steps",
                    "items": {
                        "type": "object",
                        "properties": {
                            "step": {"type": "string"},
                            "status": {"type": "string", "description": "One of: pending, in_progress, completed"}
                        },
                        "required": ["step", "status"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["plan"],
            "additionalProperties": false
        }
    })
}

/// The `request_user_input` tool spec, as upstream sends it.
pub fn request_user_input_tool() -> Value {
    json!({
        "type": "function",
        "name": "request_user_input",
        "description": REQUEST_USER_INPUT_DESCRIPTION,
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "questions": {
                    "type": "array",
                    "description": "Questions to show the user. Prefer 1 and do not exceed 3",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "description": "Stable identifier for mapping answers (snake_case)."},
                            "header": {"type": "string", "description": "Short header label shown in the UI (12 or fewer chars)."},
                            "question": {"type": "string", "description": "Single-sentence prompt shown to the user."},
                            "options": {
                                "type": "array",
                                "description": "Provide 2-3 mutually exclusive choices. Put the recommended option first and suffix its label with \"(Recommended)\". Do not include an \"Other\" option in this list; the client will add a free-form \"Other\" option automatically.",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "label": {"type": "string", "description": "User-facing label (1-5 words)."},
                                        "description": {"type": "string", "description": "One short sentence explaining impact/tradeoff if selected."}
                                    },
                                    "required": ["label", "description"],
                                    "additionalProperties": false
                                }
                            }
                        },
                        "required": ["id", "header", "question", "options"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["questions"],
            "additionalProperties": false
        }
    })
}

/// The `view_image` tool spec, as upstream 0.171 sends it.
pub fn view_image_tool() -> Value {
    json!({
        "type": "function",
        "name": "view_image",
        "description": VIEW_IMAGE_DESCRIPTION,
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Local filesystem path to an image file."}
            },
            "required": ["path"],
            "additionalProperties": false
        }
    })
}

/// The `apply_patch` tool spec: a grammar-constrained custom tool, or a function taking the patch text.
pub fn apply_patch_tool(tool_type: ApplyPatchToolType) -> Value {
    match tool_type {
        ApplyPatchToolType::Freeform => json!({
            "type": "custom",
            "name": "apply_patch",
            "description": APPLY_PATCH_DESCRIPTION,
            "format": {"type": "grammar", "syntax": "lark", "definition": APPLY_PATCH_LARK_GRAMMAR}
        }),
        ApplyPatchToolType::Function => json!({
            "type": "function",
            "name": "apply_patch",
            "description": APPLY_PATCH_DESCRIPTION,
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "input": {"type": "string", "description": "The entire contents of the apply_patch command."}
                },
                "required": ["input"],
                "additionalProperties": false
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn web_only(mode: WebSearchMode, supported: bool) -> ToolsSpecConfig {
        ToolsSpecConfig {
            shell: None,
            plan: false,
            request_user_input: false,
            apply_patch: None,
            view_image: false,
            web_search_mode: mode,
            model_supports_web_search: supported,
        }
    }

    #[test]
    fn web_search_per_mode() {
        assert_eq!(
            web_only(WebSearchMode::Disabled, true).tools_json(),
            Vec::<Value>::new()
        );
        assert_eq!(
            web_only(WebSearchMode::Cached, true).tools_json(),
            vec![json!({"type": "web_search", "external_web_access": false})]
        );
        assert_eq!(
            web_only(WebSearchMode::Live, true).tools_json(),
            vec![json!({"type": "web_search", "external_web_access": true})]
        );
    }

    #[test]
    fn no_web_search_when_the_model_lacks_it() {
        assert_eq!(
            web_only(WebSearchMode::Live, false).tools_json(),
            Vec::<Value>::new()
        );
    }

    #[test]
    fn local_tools_follow_the_model_and_come_first() {
        let model: ModelInfo = serde_json::from_value(json!({
            "slug": "m",
            "display_name": "m",
            "description": "",
            "shell_type": "local",
            "apply_patch_tool_type": "function",
            "input_modalities": ["text"]
        }))
        .expect("model info");
        let mut catalog_shells = Features::default();
        catalog_shells.set(Feature::UnifiedExec, false);
        assert_eq!(
            ToolsSpecConfig::for_model(&model, &catalog_shells, WebSearchMode::Cached, true, false),
            web_only(WebSearchMode::Cached, true)
        );
        assert_eq!(
            ToolsSpecConfig::for_model(&model, &catalog_shells, WebSearchMode::Live, true, true)
                .tools_json(),
            vec![
                json!({"type": "local_shell"}),
                plan_tool(),
                request_user_input_tool(),
                json!({
                    "type": "function",
                    "name": "apply_patch",
                    "description": APPLY_PATCH_DESCRIPTION,
                    "strict": false,
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "input": {"type": "string", "description": "The entire contents of the apply_patch command."}
                        },
                        "required": ["input"],
                        "additionalProperties": false
                    }
                }),
                json!({"type": "web_search", "external_web_access": true}),
            ]
        );
    }

    #[test]
    fn view_image_is_offered_after_apply_patch_to_a_model_that_reads_images() {
        let model: ModelInfo = serde_json::from_value(json!({
            "slug": "m",
            "display_name": "m",
            "description": "",
            "shell_type": "shell_command",
            "apply_patch_tool_type": "freeform"
        }))
        .expect("model info");
        let names: Vec<Value> = ToolsSpecConfig::for_model(
            &model,
            &Features::default(),
            WebSearchMode::Cached,
            true,
            true,
        )
        .tools_json()
        .iter()
        .map(|tool| tool.get("name").cloned().unwrap_or(Value::Null))
        .collect();
        assert_eq!(
            names,
            [
                json!("exec_command"),
                json!("write_stdin"),
                json!("update_plan"),
                json!("request_user_input"),
                json!("apply_patch"),
                json!("view_image"),
                Value::Null
            ]
        );
        assert_eq!(
            view_image_tool(),
            json!({
                "type": "function",
                "name": "view_image",
                "description": "View a local image file from the filesystem when visual inspection is needed. Use this for images already available on disk.",
                "strict": false,
                "parameters": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "Local filesystem path to an image file."}
                    },
                    "required": ["path"],
                    "additionalProperties": false
                }
            })
        );
    }

    #[test]
    fn unified_exec_is_offered_unless_its_feature_is_off() {
        let defaults = Features::default();
        let mut no_unified = Features::default();
        no_unified.set(Feature::UnifiedExec, false);
        let mut no_shell = Features::default();
        no_shell.set(Feature::ShellTool, false);
        let cases = [
            (
                ShellToolType::Shell,
                &defaults,
                Some(ShellToolType::UnifiedExec),
            ),
            (
                ShellToolType::Shell,
                &no_unified,
                Some(ShellToolType::Shell),
            ),
            (
                ShellToolType::Local,
                &no_unified,
                Some(ShellToolType::Local),
            ),
            (
                ShellToolType::UnifiedExec,
                &no_unified,
                Some(ShellToolType::ShellCommand),
            ),
            (ShellToolType::Disabled, &no_unified, None),
            (ShellToolType::UnifiedExec, &no_shell, None),
        ];
        for (catalog, features, expected) in cases {
            assert_eq!(shell_tool_type(catalog, features), expected, "{catalog:?}");
        }
        assert_eq!(
            shell_tools(ShellToolType::UnifiedExec)
                .iter()
                .map(|tool| tool["name"].clone())
                .collect::<Vec<_>>(),
            vec![json!("exec_command"), json!("write_stdin")]
        );
    }

    #[test]
    fn shell_command_tool_json() {
        assert_eq!(
            shell_command_tool(),
            json!({
                "type": "function",
                "name": "shell_command",
                "description": SHELL_COMMAND_DESCRIPTION,
                "strict": false,
                "parameters": {
                    "type": "object",
                    "properties": {
                        "command": {"type": "string", "description": "The shell script to run in the user's default shell."},
                        "workdir": {"type": "string", "description": "The working directory to run the command in."},
                        "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds."},
                        "sandbox_permissions": {"type": "string", "description": "Set to `require_escalated` to run without the sandbox; needs `justification`."},
                        "justification": {"type": "string", "description": "Why the command needs to run outside the sandbox, shown to the user."}
                    },
                    "required": ["command"],
                    "additionalProperties": false
                }
            })
        );
    }

    #[test]
    fn shell_tool_json() {
        assert_eq!(
            shell_argv_tool(),
            json!({
                "type": "function",
                "name": "shell",
                "description": SHELL_DESCRIPTION,
                "strict": false,
                "parameters": {
                    "type": "object",
                    "properties": {
                        "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute."},
                        "workdir": {"type": "string", "description": "The working directory to run the command in."},
                        "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds."}
                    },
                    "required": ["command"],
                    "additionalProperties": false
                }
            })
        );
    }

    #[test]
    fn freeform_apply_patch_tool_json() {
        assert_eq!(
            apply_patch_tool(ApplyPatchToolType::Freeform),
            json!({
                "type": "custom",
                "name": "apply_patch",
                "description": APPLY_PATCH_DESCRIPTION,
                "format": {"type": "grammar", "syntax": "lark", "definition": APPLY_PATCH_LARK_GRAMMAR}
            })
        );
        assert!(APPLY_PATCH_LARK_GRAMMAR.starts_with("start: begin_patch hunk+ end_patch\n"));
    }
}
