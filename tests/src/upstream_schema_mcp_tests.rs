//! The MCP wire types, serialized as the daemon will send them, checked against upstream's schema of both
//! generations: requests an upstream client sends, our answers, notifications, and the elicitation request
//! (0.171 only) with a form of every field shape.

use std::collections::BTreeMap;

use codex_app_server_protocol::*;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

use super::validate_transcript;
use crate::app_server::Transcribed;
use crate::upstream::UPSTREAM_0_105;
use crate::upstream::UPSTREAM_0_171;
use crate::upstream::UPSTREAM_VERSIONS;

fn encoded(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("encodes")
}

/// A client request and our result for it.
fn exchange(id: &str, method: &str, params: Option<Value>, result: Value) -> [Transcribed; 2] {
    let mut request = json!({"id": id, "method": method});
    if let Some(params) = params {
        request["params"] = params;
    }
    [
        Transcribed::Sent(request),
        Transcribed::Received(json!({"id": id, "result": result})),
    ]
}

/// A server with every member we may fill in set, and one with only what 0.105 requires.
fn statuses() -> Vec<McpServerStatus> {
    let tool = Tool {
        name: "search".to_string(),
        title: Some("Search".to_string()),
        description: Some("Search the docs.".to_string()),
        input_schema: json!({"type": "object"}),
        output_schema: Some(json!({"type": "object"})),
        annotations: Some(json!({"readOnlyHint": true})),
        icons: Some(vec![json!({"src": "https://docs.example/icon.png"})]),
        meta: Some(json!({"k": 1})),
    };
    let full = McpServerStatus {
        name: "docs".to_string(),
        tools: BTreeMap::from([("search".to_string(), tool)]),
        resources: vec![Resource {
            uri: "docs://readme".to_string(),
            name: "readme".to_string(),
            title: None,
            description: None,
            mime_type: Some("text/markdown".to_string()),
            size: Some(10),
            annotations: None,
            icons: None,
            meta: None,
        }],
        resource_templates: vec![ResourceTemplate {
            uri_template: "docs://{page}".to_string(),
            name: "page".to_string(),
            title: None,
            description: None,
            mime_type: None,
            annotations: None,
        }],
        auth_status: McpAuthStatus::OAuth,
        server_info: Some(McpServerInfo {
            name: "docs-server".to_string(),
            version: "1.0.0".to_string(),
            title: None,
            description: None,
            icons: None,
            website_url: Some("https://docs.example".to_string()),
        }),
        runtime_status: Some(McpServerConnectionStatus::Connected),
        server_capabilities: Some(json!({"tools": {}})),
        tool_list_meta: None,
        http_origin: Some("https://docs.example".to_string()),
        tools_error: None,
        environment_id: Some("env_1".to_string()),
        plugin_id: Some("plugin_1".to_string()),
    };
    let bare = McpServerStatus {
        name: "fs".to_string(),
        tools: BTreeMap::new(),
        resources: Vec::new(),
        resource_templates: Vec::new(),
        auth_status: McpAuthStatus::Unsupported,
        server_info: None,
        runtime_status: None,
        server_capabilities: None,
        tool_list_meta: None,
        http_origin: None,
        tools_error: Some("tools/list failed".to_string()),
        environment_id: None,
        plugin_id: None,
    };
    vec![full, bare]
}

/// What a client of either generation sends and what we answer.
fn client_exchanges() -> Vec<Transcribed> {
    let list = ListMcpServerStatusResponse {
        data: statuses(),
        next_cursor: None,
    };
    let login = McpServerOauthLoginResponse {
        authorization_url: "https://auth.example/authorize".to_string(),
        login_id: Some("login_1".to_string()),
    };
    [
        exchange(
            "list",
            "mcpServerStatus/list",
            Some(json!({"cursor": null, "limit": 10})),
            encoded(list),
        ),
        exchange(
            "reload",
            "config/mcpServer/reload",
            None,
            encoded(McpServerRefreshResponse {}),
        ),
        exchange(
            "login",
            "mcpServer/oauth/login",
            Some(json!({"name": "docs", "scopes": ["read"], "timeoutSecs": 30})),
            encoded(login),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Requests only 0.171's clients send, and our answers.
fn client_exchanges_0171() -> Vec<Transcribed> {
    let call = McpServerToolCallResponse {
        content: vec![json!({"type": "text", "text": "found"})],
        structured_content: Some(json!({"hits": 1})),
        is_error: Some(false),
        meta: None,
    };
    let read = McpResourceReadResponse {
        contents: vec![
            ResourceContent::Text {
                uri: "docs://readme".to_string(),
                mime_type: Some("text/markdown".to_string()),
                text: "# Docs".to_string(),
                meta: None,
            },
            ResourceContent::Blob {
                uri: "docs://logo".to_string(),
                mime_type: None,
                blob: "iVBORw0KGgo=".to_string(),
                meta: Some(json!({})),
            },
        ],
        origin_call_id: None,
    };
    [
        exchange(
            "list-0171",
            "mcpServerStatus/list",
            Some(json!({"detail": "toolsAndAuthOnly", "serverName": "docs", "threadId": "thr_1"})),
            encoded(ListMcpServerStatusResponse {
                data: Vec::new(),
                next_cursor: Some("next".to_string()),
            }),
        ),
        exchange(
            "call",
            "mcpServer/tool/call",
            Some(json!({"threadId": "thr_1", "server": "docs", "tool": "search", "arguments": {"q": "x"}})),
            encoded(call),
        ),
        exchange(
            "read",
            "mcpServer/resource/read",
            Some(json!({"threadId": "thr_1", "server": "docs", "uri": "docs://readme",
                        "target": {"connectorId": "c", "linkId": null}})),
            encoded(read),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Notifications of either generation (`mcpServer/startupStatus/updated` is skipped for 0.105).
fn notifications() -> Vec<Transcribed> {
    let item = ThreadItem::McpToolCall {
        id: "call_1".to_string(),
        server: "docs".to_string(),
        tool: "search".to_string(),
        status: McpToolCallStatus::Completed,
        arguments: json!({"q": "x"}),
        result: Some(McpToolCallResult {
            content: vec![json!({"type": "text", "text": "found"})],
            structured_content: None,
            meta: Some(json!({"k": 1})),
        }),
        error: None,
        duration_ms: Some(12),
    };
    [
        ServerNotification::McpToolCallProgress(McpToolCallProgressNotification {
            thread_id: "thr_1".to_string(),
            turn_id: "turn_1".to_string(),
            item_id: "call_1".to_string(),
            message: "halfway".to_string(),
        }),
        ServerNotification::ItemCompleted(ItemCompletedNotification {
            item,
            thread_id: "thr_1".to_string(),
            turn_id: "turn_1".to_string(),
            completed_at_ms: 1_795_533_967_000,
        }),
        ServerNotification::McpServerOauthLoginCompleted(
            McpServerOauthLoginCompletedNotification {
                name: "docs".to_string(),
                success: true,
                error: None,
                login_id: Some("login_1".to_string()),
                thread_id: Some("thr_1".to_string()),
            },
        ),
        ServerNotification::McpServerStatusUpdated(McpServerStatusUpdatedNotification {
            name: "docs".to_string(),
            status: McpServerStartupState::Failed,
            error: Some("handshake failed".to_string()),
            failure_reason: Some(McpServerStartupFailureReason::ReauthenticationRequired),
            thread_id: None,
            environment_id: None,
        }),
    ]
    .into_iter()
    .map(|notification| Transcribed::Received(encoded(JSONRPCNotification::from(notification))))
    .collect()
}

/// A form with one field of every shape.
fn every_field_form() -> McpElicitationSchema {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email", "minLength": 3},
            "count": {"type": "integer", "minimum": 1.0},
            "agree": {"type": "boolean", "default": true},
            "color": {"type": "string", "enum": ["red", "green"]},
            "size": {"type": "string", "oneOf": [{"const": "s", "title": "Small"}]},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
            "labels": {"type": "array", "items": {"anyOf": [{"const": "x", "title": "Ex"}]}},
            "legacy": {"type": "string", "enum": ["p"], "enumNames": ["Pea"]}
        },
        "required": ["email"]
    }))
    .expect("a form")
}

/// The elicitation requests (0.171 only) and a client's answers.
fn elicitations() -> Vec<Transcribed> {
    let form = McpServerElicitationRequest::Form {
        meta: None,
        message: "Fill in".to_string(),
        requested_schema: every_field_form(),
    };
    let url = McpServerElicitationRequest::Url {
        meta: Some(json!({"k": 1})),
        message: "Sign in".to_string(),
        url: "https://docs.example/login".to_string(),
        elicitation_id: "el_1".to_string(),
    };
    let answers = [
        json!({"action": "accept", "content": {"email": "a@b.c"}, "_meta": null}),
        json!({"action": "cancel"}),
    ];
    [(1, form, Some("turn_1")), (2, url, None)]
        .into_iter()
        .zip(answers)
        .flat_map(|((id, request, turn_id), answer)| {
            let params = McpServerElicitationRequestParams {
                thread_id: "thr_1".to_string(),
                turn_id: turn_id.map(str::to_string),
                server_name: "docs".to_string(),
                environment_id: None,
                request,
            };
            let request = ServerRequestPayload::McpServerElicitationRequest(params)
                .with_id(RequestId::Integer(id));
            [
                Transcribed::Received(encoded(JSONRPCRequest::from(request))),
                Transcribed::Sent(json!({"id": id, "result": answer})),
            ]
        })
        .collect()
}

#[test]
fn the_mcp_wire_matches_both_upstream_schemas() -> anyhow::Result<()> {
    for version in UPSTREAM_VERSIONS {
        let mut transcript = client_exchanges();
        transcript.extend(notifications());
        if version == UPSTREAM_0_171 {
            transcript.extend(client_exchanges_0171());
            transcript.extend(elicitations());
        }
        let errors: Vec<String> = validate_transcript(version, &transcript)?
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{version}");
    }
    Ok(())
}

/// `unknown` is the one value 0.105 cannot read, which is why it is never sent.
#[test]
fn only_the_unknown_auth_status_breaks_0105() -> anyhow::Result<()> {
    let mut status = statuses().remove(1);
    status.auth_status = McpAuthStatus::Unknown;
    let list = ListMcpServerStatusResponse {
        data: vec![status],
        next_cursor: None,
    };
    let transcript = exchange(
        "list",
        "mcpServerStatus/list",
        Some(json!({})),
        encoded(list),
    );
    let pointers: Vec<String> = validate_transcript(UPSTREAM_0_105, &transcript)?
        .into_iter()
        .map(|error| error.pointer)
        .collect();
    assert_eq!(pointers, vec!["/result/data/0/authStatus".to_string()]);
    assert!(validate_transcript(UPSTREAM_0_171, &transcript)?.is_empty());
    Ok(())
}
