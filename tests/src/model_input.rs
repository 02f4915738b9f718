//! What a model request asks the model to read, one line an item, for assertions that compare a whole
//! conversation: `conversation(body)` over a Responses request body (its `input`).

use serde_json::Value;

/// How the summaries a compaction leaves in history begin: ours, then upstream Codex's.
pub const SUMMARY_STARTS: [&str; 2] = [
    "An earlier part of this conversation was condensed",
    "Another language model started to solve this problem",
];

/// The request's `input`, one line an item, without the session prefix (developer and system messages,
/// user messages the engine writes: `<environment_context>`, `<skills_instructions>`, `# AGENTS.md`...):
/// `user: <text>` and `assistant: <text>` (cut to 40 characters), `summary: <its last line>` for a
/// compaction's summary, `call <call_id>`, `output <call_id>: <output>`, `compaction <encrypted_content>`.
/// Other items are left out.
pub fn conversation(body: &Value) -> Vec<String> {
    let items = body["input"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    items.iter().filter_map(conversation_line).collect()
}

fn conversation_line(item: &Value) -> Option<String> {
    let call_id = || item["call_id"].as_str().unwrap_or_default();
    match item["type"].as_str()? {
        "function_call" => Some(format!("call {}", call_id())),
        "function_call_output" => {
            let output = &item["output"];
            let text = output.as_str().map_or(output.to_string(), str::to_string);
            Some(format!("output {}: {}", call_id(), text.trim_end()))
        }
        "compaction" => Some(format!(
            "compaction {}",
            item["encrypted_content"].as_str().unwrap_or_default()
        )),
        "message" => message_line(item),
        _ => None,
    }
}

fn message_line(item: &Value) -> Option<String> {
    let role = item["role"].as_str()?;
    let parts = item["content"].as_array()?;
    let text: String = parts
        .iter()
        .filter_map(|part| part["text"].as_str())
        .collect();
    let engine_written = text.starts_with('<') || text.starts_with("# AGENTS.md");
    if role == "developer" || role == "system" || engine_written {
        return None;
    }
    if SUMMARY_STARTS.iter().any(|start| text.starts_with(start)) {
        let summary = text.rsplit('\n').next().unwrap_or_default();
        return Some(format!("summary: {summary}"));
    }
    Some(format!(
        "{role}: {}",
        text.chars().take(40).collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn a_request_reads_as_its_conversation() {
        let message = |role: &str, text: &str| json!({"type": "message", "role": role, "content": [{"type": "input_text", "text": text}]});
        let body = json!({"input": [
            message("developer", "permissions"),
            message("user", "<environment_context>\n</environment_context>"),
            message("user", "fix the bug"),
            {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "done\n"},
            {"type": "compaction", "encrypted_content": "E"},
            message("user", &format!("{}, really.\nSummary:\nAll fixed.", SUMMARY_STARTS[0])),
            message("assistant", &"x".repeat(50)),
            {"type": "reasoning", "summary": []},
        ]});
        assert_eq!(
            conversation(&body),
            vec![
                "user: fix the bug".to_string(),
                "call c1".to_string(),
                "output c1: done".to_string(),
                "compaction E".to_string(),
                "summary: All fixed.".to_string(),
                format!("assistant: {}", "x".repeat(40)),
            ]
        );
    }
}
