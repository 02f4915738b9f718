//! The tool catalog of `mcp_test_server`: every tool's name, description, input schema and, where it has
//! them, output schema and annotations, as `tools/list` reports them.

use std::sync::Arc;

use rmcp::model::JsonObject;
use rmcp::model::Tool;
use rmcp::model::ToolAnnotations;
use serde_json::Value;
use serde_json::json;

pub const ECHO: &str = "echo";
pub const ADD: &str = "add";
pub const IMAGE: &str = "image";
pub const PROGRESS: &str = "progress";
pub const SLOW: &str = "slow";
pub const CRASH: &str = "crash";
pub const HUGE: &str = "huge";
pub const FAIL: &str = "fail";
pub const ENV: &str = "env";
pub const CWD: &str = "cwd";
pub const ELICIT: &str = "elicit";
pub const DELETE_EVERYTHING: &str = "delete_everything";
pub const READ_ONLY_LOOKUP: &str = "read_only_lookup";
/// A name with a dot, a slash and spaces, which clients must sanitize before handing it to a model.
pub const WEIRD_TOOL_NAME: &str = "weird.name/with spaces";
/// A 70-character name (`very_long_tool_name_` repeated and cut at 70), longer than the 64 characters a
/// model's tool name may have.
pub const LONG_TOOL_NAME: &str =
    "very_long_tool_name_very_long_tool_name_very_long_tool_name_very_long_";
const _: () = assert!(LONG_TOOL_NAME.len() == 70);
pub const LOOSE_SCHEMA: &str = "loose_schema";

/// Every tool, in the order `tools/list` reports them.
pub const ALL_TOOL_NAMES: [&str; 16] = [
    ECHO,
    ADD,
    IMAGE,
    PROGRESS,
    SLOW,
    CRASH,
    HUGE,
    FAIL,
    ENV,
    CWD,
    ELICIT,
    DELETE_EVERYTHING,
    READ_ONLY_LOOKUP,
    WEIRD_TOOL_NAME,
    LONG_TOOL_NAME,
    LOOSE_SCHEMA,
];

/// The input schema of `loose_schema`, as it is advertised: no `required`, a property without a type, an
/// `anyOf`, an array without `items`.
pub fn loose_input_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "anything": {},
            "choice": {"anyOf": [{"type": "string"}, {"type": "number"}]},
            "items": {"type": "array"},
        },
    })
}

/// The definitions of every tool, in the order of [`ALL_TOOL_NAMES`].
pub(super) fn all_tools() -> Vec<Tool> {
    vec![
        tool(
            ECHO,
            "Echoes the text back, prefixed with `echo: `.",
            object(json!({"text": {"type": "string"}}), &["text"]),
        ),
        add_tool(),
        tool(
            IMAGE,
            "Returns a 1x1 PNG image and the text `an image`.",
            no_arguments(),
        ),
        tool(
            PROGRESS,
            "Reports `steps` progress notifications, 20 ms apart, then returns.",
            object(
                json!({"steps": {"type": "integer", "minimum": 0}}),
                &["steps"],
            ),
        ),
        tool(
            SLOW,
            "Sleeps `ms` milliseconds, then returns.",
            object(json!({"ms": {"type": "integer", "minimum": 0}}), &["ms"]),
        ),
        tool(
            CRASH,
            "Exits the server process (status 3) in the middle of the call.",
            no_arguments(),
        ),
        tool(
            HUGE,
            "Returns a text of exactly `bytes` bytes.",
            object(
                json!({"bytes": {"type": "integer", "minimum": 0}}),
                &["bytes"],
            ),
        ),
        tool(FAIL, "Always fails (isError: true).", no_arguments()),
        tool(
            ENV,
            "Returns the value of the server's environment variable `name`, or `<unset>`.",
            object(json!({"name": {"type": "string"}}), &["name"]),
        ),
        tool(
            CWD,
            "Returns the server's current directory.",
            no_arguments(),
        ),
        tool(
            ELICIT,
            "Asks the user for a name (elicitation/create) and reports the answer.",
            object(json!({"message": {"type": "string"}}), &["message"]),
        ),
        tool(
            DELETE_EVERYTHING,
            "Pretends to delete everything (a destructive tool; deletes nothing).",
            no_arguments(),
        )
        .annotate(
            ToolAnnotations::new()
                .destructive(true)
                .read_only(false)
                .open_world(false),
        ),
        tool(
            READ_ONLY_LOOKUP,
            "Looks up a key (a read-only tool).",
            object(json!({"key": {"type": "string"}}), &["key"]),
        )
        .annotate(ToolAnnotations::new().read_only(true)),
        tool(
            WEIRD_TOOL_NAME,
            "A tool whose name needs sanitizing.",
            no_arguments(),
        ),
        tool(
            LONG_TOOL_NAME,
            "A tool whose name is 70 characters long.",
            no_arguments(),
        ),
        tool(
            LOOSE_SCHEMA,
            "Echoes its arguments as JSON; its input schema needs sanitizing.",
            loose_input_schema(),
        ),
    ]
}

fn add_tool() -> Tool {
    let mut add = tool(
        ADD,
        "Adds two numbers; the sum comes as text and as structured content.",
        object(
            json!({"a": {"type": "number"}, "b": {"type": "number"}}),
            &["a", "b"],
        ),
    );
    add.output_schema = Some(schema_object(object(
        json!({"sum": {"type": "number"}}),
        &["sum"],
    )));
    add
}

fn tool(name: &'static str, description: &'static str, input_schema: Value) -> Tool {
    Tool::new(name, description, schema_object(input_schema))
}

/// `{"type": "object", "properties": ..., "required": [...]}`.
fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn no_arguments() -> Value {
    json!({"type": "object", "properties": {}})
}

fn schema_object(schema: Value) -> Arc<JsonObject> {
    match schema {
        Value::Object(object) => Arc::new(object),
        _ => Arc::new(JsonObject::new()),
    }
}
