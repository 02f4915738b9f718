use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::JSONRPCRequest;
use crate::RequestId;
use crate::ServerRequestPayload;
use crate::ServerResponse;
use crate::ThreadItem;

#[test]
fn specs_of_both_generations_decode() {
    let schema = json!({"type": "object", "properties": {"id": {"type": "string"}}});
    let legacy: DynamicToolSpec = serde_json::from_value(
        json!({"name": "lookup", "description": "Look up.", "inputSchema": schema}),
    )
    .expect("0.105's spec");
    assert_eq!(
        legacy,
        DynamicToolSpec {
            kind: None,
            name: "lookup".to_string(),
            description: "Look up.".to_string(),
            input_schema: Some(schema.clone()),
            defer_loading: None,
            expose_to_context: None,
            tools: None,
        }
    );
    let tagged: DynamicToolSpec = serde_json::from_value(json!({
        "type": "function", "name": "lookup", "description": "Look up.", "inputSchema": schema,
        "deferLoading": false
    }))
    .expect("0.171's spec");
    assert_eq!(tagged.kind, Some(DynamicToolKind::Function));
    assert_eq!(tagged.defer_loading, Some(false));
    let namespace: DynamicToolSpec = serde_json::from_value(json!({
        "type": "namespace", "name": "ns", "description": "N", "tools": []
    }))
    .expect("a namespace decodes, to be refused by name");
    assert_eq!(
        (namespace.kind, namespace.input_schema),
        (Some(DynamicToolKind::Namespace), None)
    );
    let missing =
        serde_json::from_value::<DynamicToolSpec>(json!({"name": "x", "inputSchema": {}}))
            .expect_err("description is required");
    assert_eq!(missing.to_string(), "missing field `description`");
}

#[test]
fn the_call_request_and_its_answer_match_0171() {
    let request = ServerRequestPayload::DynamicToolCall(DynamicToolCallParams {
        thread_id: "thr".to_string(),
        turn_id: "turn".to_string(),
        call_id: "call_1".to_string(),
        namespace: None,
        tool: "lookup".to_string(),
        arguments: json!({"id": "ABC-1"}),
    })
    .with_id(RequestId::Integer(0));
    // As upstream 0.171 sent it.
    let expected = json!({"method": "item/tool/call", "id": 0, "params": {
        "threadId": "thr", "turnId": "turn", "callId": "call_1", "namespace": null,
        "tool": "lookup", "arguments": {"id": "ABC-1"}}});
    assert_eq!(
        serde_json::to_value(JSONRPCRequest::from(request.clone())).expect("encodes"),
        expected
    );
    assert_eq!(
        request
            .decode_response(json!({"contentItems": [
                {"type": "inputText", "text": "open"},
                {"type": "inputImage", "imageUrl": "data:image/png;base64,AA"},
                {"type": "inputAudio", "audioUrl": "data:audio/wav;base64,AA"}
            ], "success": true}))
            .expect("decodes"),
        ServerResponse::DynamicToolCall(DynamicToolCallResponse {
            content_items: vec![
                DynamicToolCallOutputContentItem::InputText {
                    text: "open".to_string()
                },
                DynamicToolCallOutputContentItem::InputImage {
                    image_url: "data:image/png;base64,AA".to_string()
                },
                DynamicToolCallOutputContentItem::InputAudio {
                    audio_url: "data:audio/wav;base64,AA".to_string()
                },
            ],
            success: true,
        })
    );
}

#[test]
fn the_item_uses_0171s_casing() {
    for item in [
        json!({"type": "dynamicToolCall", "id": "call_1", "namespace": null, "tool": "lookup",
               "arguments": {"id": "A"}, "status": "inProgress", "contentItems": null,
               "success": null, "durationMs": null}),
        json!({"type": "dynamicToolCall", "id": "call_1", "namespace": null, "tool": "lookup",
               "arguments": {"id": "A"}, "status": "failed",
               "contentItems": [{"type": "inputText", "text": "no such ticket"}],
               "success": false, "durationMs": 7}),
    ] {
        let decoded: ThreadItem = serde_json::from_value(item.clone()).expect("decodes");
        assert_eq!(serde_json::to_value(decoded).expect("encodes"), item);
    }
}
