use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn declared(name: &str, input_schema: Value) -> DeclaredDynamicTool {
    DeclaredDynamicTool {
        name: name.to_string(),
        description: "Look up a ticket.".to_string(),
        input_schema,
    }
}

fn refusal(name: &str) -> DynamicToolError {
    match DynamicTool::new(declared(name, json!({"type": "object"}))) {
        Ok(tool) => panic!("accepted {tool:?}"),
        Err(error) => error,
    }
}

#[test]
fn the_tool_is_offered_as_upstream_0171_offers_it() {
    let schema =
        json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
    let tool = DynamicTool::new(declared("lookup_ticket", schema.clone())).expect("valid");
    assert_eq!(
        tool.tool_json(),
        json!({"type": "function", "name": "lookup_ticket", "description": "Look up a ticket.",
               "strict": false, "parameters": schema})
    );
}

#[test]
fn names_follow_upstreams_rules_and_ours() {
    assert_eq!(refusal(""), DynamicToolError::EmptyName);
    assert_eq!(
        refusal(" x").to_string(),
        "dynamic tool name has leading/trailing whitespace:  x"
    );
    assert_eq!(
        refusal("a.b").to_string(),
        "dynamic tool name must match ^[a-zA-Z0-9_-]+$ to match Responses API: a.b"
    );
    assert_eq!(
        refusal(&"a".repeat(129)),
        DynamicToolError::TooLong("a".repeat(129))
    );
    assert!(DynamicTool::new(declared(&"a".repeat(128), json!({}))).is_ok());
    assert_eq!(
        refusal("mcp__x").to_string(),
        "dynamic tool name is reserved: mcp__x"
    );
    assert_eq!(
        refusal("mcp"),
        DynamicToolError::Reserved("mcp".to_string())
    );
    for built_in in BUILT_IN_TOOL_NAMES {
        assert_eq!(
            refusal(built_in),
            DynamicToolError::BuiltIn(built_in.to_string())
        );
        assert_eq!(refusal(built_in).field(), "name");
    }
}

#[test]
fn a_list_is_checked_in_order_and_names_are_unique() {
    let tools = checked_dynamic_tools([
        declared("a", json!({})),
        declared("b", json!({})),
        declared("a", json!({})),
    ]);
    assert_eq!(
        tools,
        Err(DynamicToolsError {
            index: 2,
            error: DynamicToolError::Duplicate("a".to_string()),
        })
    );
    let schema_error =
        checked_dynamic_tools([declared("a", json!({"type": "null"}))]).expect_err("refused");
    assert_eq!(
        (schema_error.index, schema_error.error.field()),
        (0, "inputSchema")
    );
}

#[test]
fn stored_tools_are_written_as_0171_writes_them_and_read_from_either_generation() {
    let schema = json!({"type": "object", "properties": {}});
    let tool = DynamicTool::new(declared("lookup", schema.clone())).expect("valid");
    let written = serde_json::to_value(&tool).expect("encodes");
    assert_eq!(
        written,
        json!({"type": "function", "name": "lookup", "description": "Look up a ticket.", "inputSchema": schema})
    );
    let as_0105_wrote_it = json!({"name": "other", "description": "", "inputSchema": {}});
    let stored = vec![
        written,
        as_0105_wrote_it,
        json!({"type": "namespace", "name": "ns", "description": "N", "tools": []}),
        json!({"type": "function", "name": "deferred", "description": "", "inputSchema": {}, "deferLoading": true}),
        json!({"name": "view_image", "description": "", "inputSchema": {}}),
        json!({"name": "lookup", "description": "again", "inputSchema": {}}),
        json!("not a tool"),
    ];
    let names: Vec<String> = lenient_dynamic_tools(stored)
        .iter()
        .map(|tool| tool.name().to_string())
        .collect();
    assert_eq!(names, ["lookup", "other"]);
}
