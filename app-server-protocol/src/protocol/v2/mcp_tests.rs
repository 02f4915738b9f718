//! Round trips of the MCP wire types against JSON in the shapes of upstream's schema (0.171, and 0.105
//! where it has the method).

use std::collections::BTreeMap;

use pretty_assertions::assert_eq;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::json;

use crate::ClientRequest;
use crate::JSONRPCNotification;
use crate::JSONRPCRequest;
use crate::NoParams;
use crate::RequestId;
use crate::ServerNotification;
use crate::ServerRequestPayload;
use crate::ServerResponse;
use crate::protocol::v2::*;

/// Decodes `value` as `T`, re-encodes it, and checks the JSON is unchanged.
fn assert_round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), value);
    decoded
}

fn encoded(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("encodes")
}

#[test]
fn list_params_decode_from_nothing_and_from_every_member() {
    let empty: ListMcpServerStatusParams = serde_json::from_value(json!({})).expect("decodes");
    assert_eq!(empty, ListMcpServerStatusParams::default());
    let full = assert_round_trip::<ListMcpServerStatusParams>(json!({
        "cursor": "c1", "limit": 20, "detail": "toolsAndAuthOnly", "serverName": "docs",
        "threadId": "thr_1", "environmentId": "env_1"
    }));
    assert_eq!(
        full,
        ListMcpServerStatusParams {
            cursor: Some("c1".to_string()),
            limit: Some(20),
            detail: Some(McpServerStatusDetail::ToolsAndAuthOnly),
            server_name: Some("docs".to_string()),
            thread_id: Some("thr_1".to_string()),
            environment_id: Some("env_1".to_string()),
        }
    );
    let request: ClientRequest = serde_json::from_value(
        json!({"id": 1, "method": "mcpServerStatus/list", "params": {"limit": 5}}),
    )
    .expect("decodes");
    assert_eq!(request.method(), "mcpServerStatus/list");
    assert_eq!(request.experimental_reason(), None);
}

/// A server as 0.171 lists it: every member, tools keyed by name.
fn full_status() -> Value {
    json!({
        "name": "docs",
        "tools": {"search": {
            "name": "search", "title": "Search", "description": "Search the docs.",
            "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}},
            "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true},
            "icons": [{"src": "https://docs.example/icon.png"}], "_meta": {"k": 1}
        }},
        "resources": [{
            "uri": "docs://readme", "name": "readme", "title": "Readme", "description": "The readme.",
            "mimeType": "text/markdown", "size": 2048, "annotations": {"priority": 0.5},
            "icons": [], "_meta": {}
        }],
        "resourceTemplates": [{
            "uriTemplate": "docs://{page}", "name": "page", "title": "Page", "description": "A page.",
            "mimeType": "text/markdown", "annotations": {"audience": ["user"]}
        }],
        "authStatus": "oAuth",
        "serverInfo": {"name": "docs-server", "version": "1.2.0", "title": "Docs",
                       "description": "Docs over MCP.", "icons": [], "websiteUrl": "https://docs.example"},
        "runtimeStatus": "connected",
        "serverCapabilities": {"tools": {"listChanged": true}},
        "toolListMeta": {"page": 1},
        "httpOrigin": "https://docs.example",
        "toolsError": null,
        "environmentId": "env_1",
        "pluginId": "plugin_1"
    })
}

#[test]
fn list_response_round_trips_0171_shapes() {
    let response = assert_round_trip::<ListMcpServerStatusResponse>(
        json!({"data": [full_status()], "nextCursor": "next"}),
    );
    let status = &response.data[0];
    assert_eq!(status.auth_status, McpAuthStatus::OAuth);
    assert_eq!(
        status.runtime_status,
        Some(McpServerConnectionStatus::Connected)
    );
    assert_eq!(status.tools["search"].input_schema["type"], "object");
    assert_eq!(status.resources[0].size, Some(2048));
}

#[test]
fn a_0105_status_decodes_and_gains_0171_nulls() {
    let status: McpServerStatus = serde_json::from_value(json!({
        "name": "fs", "tools": {"read": {"name": "read", "inputSchema": {"type": "object"}}},
        "resources": [], "resourceTemplates": [], "authStatus": "unsupported"
    }))
    .expect("decodes");
    assert_eq!(
        status,
        McpServerStatus {
            name: "fs".to_string(),
            tools: BTreeMap::from([(
                "read".to_string(),
                Tool {
                    name: "read".to_string(),
                    title: None,
                    description: None,
                    input_schema: json!({"type": "object"}),
                    output_schema: None,
                    annotations: None,
                    icons: None,
                    meta: None,
                },
            )]),
            resources: Vec::new(),
            resource_templates: Vec::new(),
            auth_status: McpAuthStatus::Unsupported,
            server_info: None,
            runtime_status: None,
            server_capabilities: None,
            tool_list_meta: None,
            http_origin: None,
            tools_error: None,
            environment_id: None,
            plugin_id: None,
        }
    );
    assert_eq!(
        encoded(&status),
        json!({
            "name": "fs", "tools": {"read": {"name": "read", "inputSchema": {"type": "object"}}},
            "resources": [], "resourceTemplates": [], "authStatus": "unsupported",
            "serverInfo": null, "runtimeStatus": null, "serverCapabilities": null, "toolListMeta": null,
            "httpOrigin": null, "toolsError": null
        })
    );
}

#[test]
fn auth_and_connection_states_keep_upstream_spellings() {
    let auth = [
        McpAuthStatus::Unknown,
        McpAuthStatus::Unsupported,
        McpAuthStatus::NotLoggedIn,
        McpAuthStatus::BearerToken,
        McpAuthStatus::OAuth,
    ];
    assert_eq!(
        encoded(auth),
        json!([
            "unknown",
            "unsupported",
            "notLoggedIn",
            "bearerToken",
            "oAuth"
        ])
    );
    assert_round_trip::<Vec<McpServerConnectionStatus>>(json!([
        "notStarted",
        "starting",
        "connected",
        "authenticationRequired",
        "failed",
        "cancelled",
        "disabled"
    ]));
    assert_round_trip::<Vec<McpServerStatusDetail>>(json!(["full", "toolsAndAuthOnly"]));
}

#[test]
fn reload_takes_no_params_and_answers_an_empty_object() {
    for params in [None, Some(json!(null)), Some(json!({}))] {
        let mut line = json!({"id": 9, "method": "config/mcpServer/reload"});
        if let Some(params) = params {
            line["params"] = params;
        }
        let request: ClientRequest = serde_json::from_value(line).expect("decodes");
        assert!(matches!(
            request,
            ClientRequest::McpServerRefresh {
                params: None | Some(NoParams {}),
                ..
            }
        ));
    }
    assert_round_trip::<McpServerRefreshResponse>(json!({}));
}

#[test]
fn tool_call_params_and_result_round_trip() {
    let params = assert_round_trip::<McpServerToolCallParams>(json!({
        "threadId": "thr_1", "server": "docs", "tool": "search", "arguments": {"q": "mcp"},
        "_meta": {"progressToken": 1}, "environmentId": null
    }));
    assert_eq!(params.arguments, Some(json!({"q": "mcp"})));
    let sparse: McpServerToolCallParams =
        serde_json::from_value(json!({"threadId": "thr_1", "server": "docs", "tool": "search"}))
            .expect("decodes");
    assert_eq!((sparse.arguments, sparse.meta), (None, None));

    assert_round_trip::<McpServerToolCallResponse>(json!({
        "content": [{"type": "text", "text": "found"}], "structuredContent": {"hits": 1},
        "isError": false, "_meta": {"k": "v"}
    }));
    let bare = McpServerToolCallResponse {
        content: vec![json!({"type": "text", "text": "ok"})],
        structured_content: None,
        is_error: None,
        meta: None,
    };
    assert_eq!(
        encoded(bare),
        json!({"content": [{"type": "text", "text": "ok"}]})
    );
}

#[test]
fn resource_read_params_and_contents_round_trip() {
    let params = assert_round_trip::<McpResourceReadParams>(json!({
        "threadId": "thr_1", "server": "docs", "uri": "docs://readme", "_meta": {"k": 1},
        "connectorId": "conn", "environmentId": "env_1", "originCallId": "call_1",
        "target": {"connectorId": "conn", "linkId": null}
    }));
    assert_eq!(
        params.target,
        Some(McpResourceReadTarget {
            connector_id: "conn".to_string(),
            link_id: None,
        })
    );
    let sparse: McpResourceReadParams =
        serde_json::from_value(json!({"server": "docs", "uri": "docs://readme"})).expect("decodes");
    assert_eq!((sparse.thread_id, sparse.target), (None, None));

    let response = assert_round_trip::<McpResourceReadResponse>(json!({
        "contents": [
            {"uri": "docs://readme", "mimeType": "text/markdown", "text": "# Docs"},
            {"uri": "docs://logo", "blob": "iVBORw0KGgo=", "_meta": {"k": 1}}
        ],
        "originCallId": "call_1"
    }));
    assert_eq!(
        response.contents,
        vec![
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
                meta: Some(json!({"k": 1})),
            },
        ]
    );
    assert_round_trip::<McpResourceReadResponse>(json!({"contents": []}));
}

#[test]
fn oauth_login_in_both_generations() {
    let legacy: McpServerOauthLoginParams =
        serde_json::from_value(json!({"name": "docs", "scopes": ["read"], "timeoutSecs": 60}))
            .expect("0.105's params");
    assert_eq!(
        legacy,
        McpServerOauthLoginParams {
            name: "docs".to_string(),
            scopes: Some(vec!["read".to_string()]),
            timeout_secs: Some(60),
            thread_id: None,
            environment_id: None,
            client_registration: None,
        }
    );
    assert_round_trip::<McpServerOauthLoginParams>(json!({
        "name": "docs", "scopes": null, "timeoutSecs": null, "threadId": "thr_1",
        "environmentId": "env_1", "clientRegistration": "cimd"
    }));
    assert_round_trip::<McpServerOauthLoginResponse>(
        json!({"authorizationUrl": "https://auth.example/authorize?x=1"}),
    );
    assert_round_trip::<McpServerOauthLoginResponse>(
        json!({"authorizationUrl": "https://auth.example/authorize", "loginId": "login_1"}),
    );

    let completed = ServerNotification::McpServerOauthLoginCompleted(
        McpServerOauthLoginCompletedNotification {
            name: "docs".to_string(),
            success: false,
            error: Some("timed out".to_string()),
            login_id: None,
            thread_id: None,
        },
    );
    assert_eq!(
        encoded(JSONRPCNotification::from(completed)),
        json!({"method": "mcpServer/oauthLogin/completed",
               "params": {"name": "docs", "success": false, "error": "timed out"}})
    );
    assert_round_trip::<McpServerOauthLoginCompletedNotification>(json!({
        "name": "docs", "success": true, "error": null, "loginId": "login_1", "threadId": "thr_1"
    }));
}

#[test]
fn startup_status_omits_absent_members() {
    let ready = ServerNotification::McpServerStatusUpdated(McpServerStatusUpdatedNotification {
        name: "docs".to_string(),
        status: McpServerStartupState::Ready,
        error: None,
        failure_reason: None,
        thread_id: None,
        environment_id: None,
    });
    assert_eq!(
        encoded(JSONRPCNotification::from(ready)),
        json!({"method": "mcpServer/startupStatus/updated", "params": {"name": "docs", "status": "ready"}})
    );
    let failed = assert_round_trip::<McpServerStatusUpdatedNotification>(json!({
        "name": "docs", "status": "failed", "error": "handshake failed",
        "failureReason": "reauthenticationRequired", "threadId": "thr_1", "environmentId": "env_1"
    }));
    assert_eq!(
        failed.failure_reason,
        Some(McpServerStartupFailureReason::ReauthenticationRequired)
    );
    assert_round_trip::<Vec<McpServerStartupState>>(json!([
        "starting",
        "ready",
        "failed",
        "cancelled"
    ]));
}

#[test]
fn tool_call_progress_is_an_item_notification() {
    let progress = ServerNotification::McpToolCallProgress(McpToolCallProgressNotification {
        thread_id: "thr_1".to_string(),
        turn_id: "turn_1".to_string(),
        item_id: "call_1".to_string(),
        message: "indexing 3/10".to_string(),
    });
    assert_eq!(
        encoded(JSONRPCNotification::from(progress)),
        json!({"method": "item/mcpToolCall/progress", "params": {
            "threadId": "thr_1", "turnId": "turn_1", "itemId": "call_1", "message": "indexing 3/10"}})
    );
}

/// A form with one field of every shape the typed schema knows.
fn every_field_form() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "email": {"type": "string", "title": "Email", "description": "Where to write.",
                      "minLength": 3, "maxLength": 200, "format": "email", "default": "a@b.c"},
            "count": {"type": "integer", "minimum": 1.0, "maximum": 10.0, "default": 2.0},
            "ratio": {"type": "number"},
            "agree": {"type": "boolean", "default": false},
            "color": {"type": "string", "enum": ["red", "green"], "default": "red"},
            "size": {"type": "string", "oneOf": [{"const": "s", "title": "Small"}, {"const": "l", "title": "Large"}]},
            "tags": {"type": "array", "minItems": 1, "maxItems": 2,
                     "items": {"type": "string", "enum": ["a", "b"]}, "default": ["a"]},
            "labels": {"type": "array", "items": {"anyOf": [{"const": "x", "title": "Ex"}]}},
            "legacy": {"type": "string", "enum": ["p", "q"], "enumNames": ["Pea", "Queue"]}
        },
        "required": ["email"]
    })
}

#[test]
fn typed_form_schemas_tell_every_field_shape_apart() {
    let schema = assert_round_trip::<McpElicitationSchema>(every_field_form());
    let field = |name: &str| schema.properties[name].clone();
    assert!(matches!(
        field("email"),
        McpElicitationPrimitiveSchema::String(McpElicitationStringSchema {
            format: Some(McpElicitationStringFormat::Email),
            ..
        })
    ));
    assert!(matches!(
        field("count"),
        McpElicitationPrimitiveSchema::Number(McpElicitationNumberSchema {
            kind: McpElicitationNumberType::Integer,
            ..
        })
    ));
    assert!(matches!(
        field("agree"),
        McpElicitationPrimitiveSchema::Boolean(_)
    ));
    assert!(matches!(
        field("color"),
        McpElicitationPrimitiveSchema::Enum(McpElicitationEnumSchema::SingleSelect(
            McpElicitationSingleSelectEnumSchema::Untitled(_)
        ))
    ));
    assert!(matches!(
        field("size"),
        McpElicitationPrimitiveSchema::Enum(McpElicitationEnumSchema::SingleSelect(
            McpElicitationSingleSelectEnumSchema::Titled(_)
        ))
    ));
    assert!(matches!(
        field("tags"),
        McpElicitationPrimitiveSchema::Enum(McpElicitationEnumSchema::MultiSelect(
            McpElicitationMultiSelectEnumSchema::Untitled(_)
        ))
    ));
    assert!(matches!(
        field("labels"),
        McpElicitationPrimitiveSchema::Enum(McpElicitationEnumSchema::MultiSelect(
            McpElicitationMultiSelectEnumSchema::Titled(_)
        ))
    ));
    assert!(matches!(
        field("legacy"),
        McpElicitationPrimitiveSchema::Enum(McpElicitationEnumSchema::Legacy(_))
    ));
    // Keys outside MCP's restricted schema are refused, as upstream's schema refuses them.
    let nested =
        json!({"type": "object", "properties": {"inner": {"type": "object", "properties": {}}}});
    assert!(serde_json::from_value::<McpElicitationSchema>(nested).is_err());
    let extra = json!({"type": "object", "properties": {}, "additionalProperties": false});
    assert!(serde_json::from_value::<McpElicitationSchema>(extra).is_err());
}

#[test]
fn a_form_elicitation_is_sent_with_mode_form() {
    let requested_schema = McpElicitationSchema {
        schema: None,
        kind: McpElicitationObjectType::Object,
        properties: BTreeMap::from([(
            "name".to_string(),
            McpElicitationPrimitiveSchema::String(McpElicitationStringSchema {
                title: Some("Name".to_string()),
                ..McpElicitationStringSchema::default()
            }),
        )]),
        required: Some(vec!["name".to_string()]),
    };
    let request =
        ServerRequestPayload::McpServerElicitationRequest(McpServerElicitationRequestParams {
            thread_id: "thr_1".to_string(),
            turn_id: Some("turn_1".to_string()),
            server_name: "docs".to_string(),
            environment_id: None,
            request: McpServerElicitationRequest::Form {
                meta: None,
                message: "Who are you?".to_string(),
                requested_schema,
            },
        })
        .with_id(RequestId::Integer(7));
    assert_eq!(request.method(), "mcpServer/elicitation/request");
    assert_eq!(
        encoded(JSONRPCRequest::from(request.clone())),
        json!({"id": 7, "method": "mcpServer/elicitation/request", "params": {
            "threadId": "thr_1", "turnId": "turn_1", "serverName": "docs",
            "mode": "form", "_meta": null, "message": "Who are you?",
            "requestedSchema": {"type": "object", "properties": {"name": {"type": "string", "title": "Name"}},
                                "required": ["name"]}}})
    );
    assert_eq!(
        request
            .decode_response(json!({"action": "accept", "content": {"name": "Ada"}}))
            .expect("decodes"),
        ServerResponse::McpServerElicitationRequest(McpServerElicitationRequestResponse {
            action: McpServerElicitationAction::Accept,
            content: Some(json!({"name": "Ada"})),
            meta: None,
        })
    );
    assert_round_trip::<McpServerElicitationRequestResponse>(
        json!({"action": "decline", "content": null, "_meta": null}),
    );
    let cancel: McpServerElicitationRequestResponse =
        serde_json::from_value(json!({"action": "cancel"})).expect("decodes");
    assert_eq!(cancel.action, McpServerElicitationAction::Cancel);
}

#[test]
fn url_and_openai_form_elicitations_round_trip() {
    let url = assert_round_trip::<McpServerElicitationRequestParams>(json!({
        "threadId": "thr_1", "turnId": null, "serverName": "docs", "environmentId": "env_1",
        "mode": "url", "_meta": null, "message": "Sign in", "url": "https://docs.example/login",
        "elicitationId": "el_1"
    }));
    assert_eq!(
        url.request,
        McpServerElicitationRequest::Url {
            meta: None,
            message: "Sign in".to_string(),
            url: "https://docs.example/login".to_string(),
            elicitation_id: "el_1".to_string(),
        }
    );
    for mode in ["openai/form", "openaiForm"] {
        let params: McpServerElicitationRequestParams = serde_json::from_value(json!({
            "threadId": "thr_1", "serverName": "docs", "mode": mode, "message": "Pick",
            "requestedSchema": {"type": "object", "properties": {"x": {"type": "object"}}}
        }))
        .expect("decodes");
        assert_eq!(params.turn_id, None);
        assert!(matches!(
            params.request,
            McpServerElicitationRequest::OpenaiForm { .. }
                | McpServerElicitationRequest::OpenaiFormCamelCase { .. }
        ));
    }
    let full_form = json!({
        "threadId": "thr_1", "turnId": "turn_1", "serverName": "docs",
        "mode": "form", "_meta": {"k": 1}, "message": "Fill in", "requestedSchema": every_field_form()
    });
    assert_round_trip::<McpServerElicitationRequestParams>(full_form);
}

#[test]
fn mcp_tool_call_items_carry_duration_and_result_meta() {
    let item = assert_round_trip::<ThreadItem>(json!({
        "type": "mcpToolCall", "id": "call_1", "server": "docs", "tool": "search", "status": "completed",
        "arguments": {"q": "mcp"},
        "result": {"content": [{"type": "text", "text": "found"}], "structuredContent": null, "_meta": {"k": 1}},
        "error": null, "durationMs": 42
    }));
    assert!(matches!(
        item,
        ThreadItem::McpToolCall {
            duration_ms: Some(42),
            ..
        }
    ));
    // 0.105's result has no `_meta`; it is written back as null.
    let legacy: McpToolCallResult =
        serde_json::from_value(json!({"content": [], "structuredContent": null})).expect("decodes");
    assert_eq!(
        encoded(legacy),
        json!({"content": [], "structuredContent": null, "_meta": null})
    );
}
