//! Round-trip tests of the method tables against exact JSON, including lines from the recorded upstream
//! 0.105 traffic.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

/// Decodes `value` as `T`, re-encodes it, and checks the JSON is unchanged.
fn assert_round_trip<T>(value: serde_json::Value) -> T
where
    T: serde::de::DeserializeOwned + Serialize,
{
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), value);
    decoded
}

/// A thread as recorded from upstream 0.105, with the three keys 0.171 requires and this server always sends.
fn recorded_thread(thread_id: &str) -> serde_json::Value {
    json!({
        "id": thread_id, "preview": "", "modelProvider": "mock", "createdAt": 1795533967,
        "updatedAt": 1795533967, "status": {"type": "idle"}, "path": "/home/user/project",
        "cwd": "/home/user/project", "cliVersion": "0.105.0", "source": "vscode", "agentNickname": null,
        "agentRole": null, "gitInfo": null, "name": null, "turns": [],
        "ephemeral": false, "sessionId": thread_id, "projectId": null
    })
}

#[test]
fn recorded_initialize_request_decodes() {
    let request: ClientRequest = serde_json::from_value(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"clientInfo": {"name": "example_client", "title": "Example Client", "version": "0.0.1"},
                   "capabilities": {"experimentalApi": true}}
    }))
    .expect("decodes");
    assert_eq!(
        request,
        ClientRequest::Initialize {
            request_id: RequestId::Integer(1),
            params: InitializeParams {
                client_info: ClientInfo {
                    name: "example_client".to_string(),
                    title: Some("Example Client".to_string()),
                    version: "0.0.1".to_string(),
                },
                capabilities: Some(InitializeCapabilities {
                    experimental_api: true,
                    opt_out_notification_methods: None,
                }),
            },
        }
    );
    assert_eq!(request.method(), "initialize");
    assert_eq!(request.id(), &RequestId::Integer(1));
    assert_eq!(request.experimental_reason(), None);
}

#[test]
fn thread_start_request_decodes_with_sparse_params() {
    let request: ClientRequest = serde_json::from_value(json!({
        "id": "a", "method": "thread/start",
        "params": {"cwd": "/home/user/project", "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite",
                   "model": null}
    }))
    .expect("decodes");
    assert_eq!(
        request,
        ClientRequest::ThreadStart {
            request_id: RequestId::String("a".to_string()),
            params: ThreadStartParams {
                cwd: Some("/home/user/project".to_string()),
                approval_policy: Some(AskForApproval::UnlessTrusted),
                sandbox: Some(SandboxMode::WorkspaceWrite),
                ..ThreadStartParams::default()
            },
        }
    );
}

#[test]
fn experimental_fields_are_named_by_descriptor() {
    let login: ClientRequest = serde_json::from_value(json!({
        "id": 3, "method": "account/login/start",
        "params": {"type": "chatgptAuthTokens", "accessToken": "jwt", "chatgptAccountId": "org-123"}
    }))
    .expect("decodes");
    assert_eq!(
        login.experimental_reason(),
        Some("account/login/start.chatgptAuthTokens".to_string())
    );

    let start: ClientRequest = serde_json::from_value(json!({
        "id": 4, "method": "thread/start",
        "params": {"dynamicTools": [{"name": "t", "description": "d", "inputSchema": {}}]}
    }))
    .expect("decodes");
    assert_eq!(
        start.experimental_reason(),
        Some("thread/start.dynamicTools".to_string())
    );
}

#[test]
fn collaboration_mode_is_experimental_and_keeps_upstream_casing() {
    let start: ClientRequest = serde_json::from_value(json!({
        "id": 5, "method": "turn/start",
        "params": {"threadId": "thr_1", "input": [], "collaborationMode": {"mode": "plan",
            "settings": {"model": "m", "reasoning_effort": "high", "developer_instructions": null}}}
    }))
    .expect("decodes");
    assert_eq!(
        start.experimental_reason(),
        Some("turn/start.collaborationMode".to_string())
    );
    let ClientRequest::TurnStart { params, .. } = start else {
        panic!("not turn/start");
    };
    assert_eq!(
        params.collaboration_mode,
        Some(CollaborationMode {
            mode: ModeKind::Plan,
            settings: Settings {
                model: "m".to_string(),
                reasoning_effort: Some(ReasoningEffort::High),
                developer_instructions: None,
            },
        })
    );
    for bad in [
        json!({"mode": "execute", "settings": {"model": "m"}}),
        json!({"mode": "plan", "settings": {}}),
    ] {
        let decoded = serde_json::from_value::<ClientRequest>(json!({
            "id": 6, "method": "turn/start",
            "params": {"threadId": "thr_1", "input": [], "collaborationMode": bad}
        }));
        assert!(decoded.is_err(), "{bad} decoded");
    }
}

#[test]
fn user_input_request_and_answers_match_the_spec() {
    let request = ServerRequestPayload::ToolRequestUserInput(ToolRequestUserInputParams {
        thread_id: "thr_1".to_string(),
        turn_id: "turn_1".to_string(),
        item_id: "call_1".to_string(),
        questions: vec![ToolRequestUserInputQuestion {
            id: "scope".to_string(),
            header: "Scope".to_string(),
            question: "Which part?".to_string(),
            is_other: true,
            is_secret: false,
            options: Some(vec![ToolRequestUserInputOption {
                label: "All".to_string(),
                description: "Everything".to_string(),
            }]),
        }],
        is_blocking: true,
        auto_resolution_ms: None,
    })
    .with_id(RequestId::Integer(4));
    assert_eq!(
        serde_json::to_value(&request).expect("encodes"),
        json!({"method": "item/tool/requestUserInput", "id": 4, "params": {
            "threadId": "thr_1", "turnId": "turn_1", "itemId": "call_1", "isBlocking": true,
            "autoResolutionMs": null,
            "questions": [{"id": "scope", "header": "Scope", "question": "Which part?",
                "isOther": true, "isSecret": false,
                "options": [{"label": "All", "description": "Everything"}]}]}})
    );
    let ServerResponse::ToolRequestUserInput(response) = request
        .decode_response(json!({"answers": {"scope": {"answers": ["All", "user_note: fast"]}}}))
        .expect("decodes")
    else {
        panic!("not a user input response");
    };
    assert_eq!(
        response.answers["scope"].answers,
        vec!["All".to_string(), "user_note: fast".to_string()]
    );
}

#[test]
fn param_less_methods_accept_missing_null_and_empty_params() {
    for params in [None, Some(json!(null)), Some(json!({}))] {
        let mut line = json!({"id": 5, "method": "account/rateLimits/read"});
        if let Some(params) = params {
            line["params"] = params;
        }
        let request: ClientRequest = serde_json::from_value(line).expect("decodes");
        assert_eq!(request.method(), "account/rateLimits/read");
    }
    let logout: ClientRequest =
        serde_json::from_value(json!({"id": 6, "method": "account/logout"})).expect("decodes");
    assert_eq!(
        logout,
        ClientRequest::LogoutAccount {
            request_id: RequestId::Integer(6),
            params: None,
        }
    );
}

#[test]
fn methods_with_params_require_the_params_object() {
    let error =
        serde_json::from_value::<ClientRequest>(json!({"id": 1, "method": "thread/loaded/list"}))
            .expect_err("params are required");
    assert_eq!(error.to_string(), "missing field `params`");
    let error = serde_json::from_value::<ClientRequest>(
        json!({"id": 1, "method": "no/such", "params": {}}),
    )
    .expect_err("unknown method");
    assert!(error.to_string().starts_with("unknown variant `no/such`"));
}

#[test]
fn every_client_method_is_listed_once() {
    let methods: std::collections::BTreeSet<&str> =
        ClientRequest::METHODS.iter().copied().collect();
    assert_eq!(methods.len(), ClientRequest::METHODS.len());
    assert_eq!(ClientRequest::METHODS.len(), 49);
    assert_eq!(ServerNotification::METHODS.len(), 38);
    assert_eq!(
        ServerRequest::METHODS,
        &[
            "item/commandExecution/requestApproval",
            "item/fileChange/requestApproval",
            "item/tool/call",
            "account/chatgptAuthTokens/refresh",
            "item/tool/requestUserInput",
            "mcpServer/elicitation/request",
        ]
    );
}

#[test]
fn recorded_thread_start_response_round_trips() {
    let thread_id = "01a20e2a-102e-7592-9c0e-b0966fdf0daf";
    let recorded = json!({
        "thread": recorded_thread(thread_id), "model": "gpt-5.2-codex", "modelProvider": "mock",
        "cwd": "/home/user/project", "approvalPolicy": "never",
        "sandbox": {"type": "readOnly", "access": {"type": "fullAccess"}}, "reasoningEffort": null
    });
    let response: ThreadStartResponse = serde_json::from_value(recorded.clone()).expect("decodes");
    // This project always emits the later keys `approvalsReviewer` and `serviceTier` too.
    let mut expected = recorded;
    expected["approvalsReviewer"] = json!("user");
    expected["serviceTier"] = json!(null);
    assert_eq!(serde_json::to_value(&response).expect("encodes"), expected);
    assert_eq!(
        response.sandbox,
        SandboxPolicy::ReadOnly {
            access: ReadOnlyAccess::FullAccess
        }
    );
}

#[test]
fn recorded_turn_notifications_round_trip() {
    let thread_id = "01a20e2a-102e-7592-9c0e-b0966fdf0daf";
    let turn_id = "01a20e2a-1042-7ce0-8caa-d63c1318a524";
    let lines = [
        json!({"method": "thread/started", "params": {"thread": recorded_thread(thread_id)}}),
        json!({"method": "thread/status/changed", "params": {"threadId": thread_id, "status": {"type": "active", "activeFlags": []}}}),
        json!({"method": "item/started", "params": {"item": {"type": "userMessage", "id": "u1", "content": [{"type": "text", "text": "Say hello.", "text_elements": []}]}, "threadId": thread_id, "turnId": turn_id, "startedAtMs": 1795533968000_i64}}),
        json!({"method": "item/started", "params": {"item": {"type": "agentMessage", "id": "msg_mock_1", "text": "", "phase": null}, "threadId": thread_id, "turnId": turn_id, "startedAtMs": 1795533968000_i64}}),
        json!({"method": "item/agentMessage/delta", "params": {"threadId": thread_id, "turnId": turn_id, "itemId": "msg_mock_1", "delta": "Hello from"}}),
        json!({"method": "item/completed", "params": {"item": {"type": "agentMessage", "id": "msg_mock_1", "text": "Hello.", "phase": "final_answer"}, "threadId": thread_id, "turnId": turn_id, "completedAtMs": 1795533969000_i64}}),
        json!({"method": "thread/tokenUsage/updated", "params": {"threadId": thread_id, "turnId": turn_id, "tokenUsage": {"total": {"totalTokens": 110, "inputTokens": 100, "cachedInputTokens": 20, "outputTokens": 10, "reasoningOutputTokens": 3}, "last": {"totalTokens": 110, "inputTokens": 100, "cachedInputTokens": 20, "outputTokens": 10, "reasoningOutputTokens": 3}, "modelContextWindow": 258400}}}),
        json!({"method": "account/rateLimits/updated", "params": {"rateLimits": {"limitId": "codex_other", "limitName": "gpt-5.2-codex-sonic", "primary": {"usedPercent": 70, "windowDurationMins": 60, "resetsAt": 1795535767}, "secondary": null, "credits": {"hasCredits": true, "unlimited": false, "balance": "9.99"}, "planType": null}}}),
        json!({"method": "account/login/completed", "params": {"loginId": null, "success": true, "error": null}}),
        json!({"method": "account/updated", "params": {"authMode": "chatgptAuthTokens"}}),
        json!({"method": "error", "params": {"threadId": thread_id, "turnId": turn_id, "willRetry": false, "error": {"message": "You've hit your usage limit.", "codexErrorInfo": "usageLimitExceeded", "additionalDetails": null}}}),
        json!({"method": "thread/name/updated", "params": {"threadId": thread_id}}),
    ];
    for line in lines {
        let notification: ServerNotification = assert_round_trip(line.clone());
        let envelope = JSONRPCNotification::from(notification);
        assert_eq!(serde_json::to_value(envelope).expect("encodes"), line);
    }
}

#[test]
fn recorded_turn_started_gains_the_later_timing_keys() {
    let line = json!({"method": "turn/started", "params": {"threadId": "t", "turn": {"id": "u", "items": [], "status": "inProgress", "error": null}}});
    let notification: ServerNotification = serde_json::from_value(line).expect("decodes");
    assert_eq!(
        serde_json::to_value(notification).expect("encodes"),
        json!({"method": "turn/started", "params": {"threadId": "t", "turn": {
            "id": "u", "items": [], "status": "inProgress", "error": null,
            "startedAt": null, "completedAt": null, "durationMs": null}}})
    );
}

#[test]
fn recorded_rate_limits_read_response_decodes() {
    let codex = json!({"limitId": "codex", "limitName": null, "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1795537569}, "secondary": {"usedPercent": 84, "windowDurationMins": 10080, "resetsAt": 1795620369}, "credits": {"hasCredits": true, "unlimited": false, "balance": "9.99"}, "planType": "pro"});
    let other = json!({"limitId": "codex_other", "limitName": "GPT-5.2-Codex-Sonic", "primary": {"usedPercent": 70, "windowDurationMins": 15, "resetsAt": 1795534569}, "secondary": null, "credits": null, "planType": "pro"});
    let recorded =
        json!({"rateLimits": codex, "rateLimitsByLimitId": {"codex": codex, "codex_other": other}});
    let response: GetAccountRateLimitsResponse = serde_json::from_value(recorded).expect("decodes");
    assert_eq!(response.rate_limits.plan_type, Some(PlanType::Pro));
    assert_eq!(response.rate_limits_by_name, None);

    let by_id = response.rate_limits_by_limit_id.clone().expect("present");
    let with_names = GetAccountRateLimitsResponse {
        rate_limits_by_name: Some(by_id),
        ..response
    };
    assert_eq!(
        serde_json::to_value(with_names).expect("encodes"),
        json!({"rateLimits": codex, "rateLimitsByName": {"codex": codex, "codex_other": other},
               "rateLimitsByLimitId": {"codex": codex, "codex_other": other}})
    );
}

#[test]
fn refresh_request_and_response_match_the_spec() {
    let request = ServerRequestPayload::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshParams {
        reason: ChatgptAuthTokensRefreshReason::Unauthorized,
        previous_account_id: Some("org-123".to_string()),
    })
    .with_id(RequestId::Integer(2));
    assert_eq!(request.method(), "account/chatgptAuthTokens/refresh");
    let expected = json!({"id": 2, "method": "account/chatgptAuthTokens/refresh",
                          "params": {"reason": "unauthorized", "previousAccountId": "org-123"}});
    assert_eq!(serde_json::to_value(&request).expect("encodes"), expected);
    assert_eq!(
        serde_json::to_value(JSONRPCRequest::from(request.clone())).expect("encodes"),
        expected
    );
    assert_eq!(
        request
            .decode_response(json!({"accessToken": "jwt", "chatgptAccountId": "org-123", "chatgptPlanType": null}))
            .expect("decodes"),
        ServerResponse::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshResponse {
            access_token: "jwt".to_string(),
            chatgpt_account_id: "org-123".to_string(),
            chatgpt_plan_type: None,
        })
    );
}

#[test]
fn approval_requests_and_decisions_match_the_spec() {
    let command = ServerRequest::CommandExecutionRequestApproval {
        request_id: RequestId::Integer(0),
        params: CommandExecutionRequestApprovalParams {
            thread_id: "thr_1".to_string(),
            turn_id: "turn_1".to_string(),
            item_id: "call_9".to_string(),
            started_at_ms: 1_796_000_000_000,
            reason: Some("needs network".to_string()),
            command: Some("npm install".to_string()),
            cwd: Some("/repo".to_string()),
            command_actions: Some(vec![CommandAction::Unknown {
                command: "npm install".to_string(),
            }]),
            proposed_execpolicy_amendment: Some(vec!["npm".to_string(), "install".to_string()]),
            ..CommandExecutionRequestApprovalParams::default()
        },
    };
    assert_eq!(
        serde_json::to_value(&command).expect("encodes"),
        json!({"method": "item/commandExecution/requestApproval", "id": 0, "params": {
            "threadId": "thr_1", "turnId": "turn_1", "itemId": "call_9",
            "startedAtMs": 1_796_000_000_000_i64, "reason": "needs network",
            "command": "npm install", "cwd": "/repo",
            "commandActions": [{"type": "unknown", "command": "npm install"}],
            "proposedExecpolicyAmendment": ["npm", "install"]}})
    );
    assert_eq!(
        command
            .decode_response(json!({"decision": {"acceptWithExecpolicyAmendment": {"execpolicy_amendment": ["npm"]}}}))
            .expect("decodes"),
        ServerResponse::CommandExecutionRequestApproval(CommandExecutionRequestApprovalResponse {
            decision: CommandExecutionApprovalDecision::AcceptWithExecpolicyAmendment {
                execpolicy_amendment: vec!["npm".to_string()],
            },
        })
    );

    let file = ServerRequestPayload::FileChangeRequestApproval(FileChangeRequestApprovalParams {
        thread_id: "thr_1".to_string(),
        turn_id: "turn_1".to_string(),
        item_id: "call_10".to_string(),
        started_at_ms: 1_796_000_000_001,
        reason: None,
        grant_root: None,
    })
    .with_id(RequestId::Integer(1));
    assert_eq!(
        serde_json::to_value(&file).expect("encodes"),
        json!({"method": "item/fileChange/requestApproval", "id": 1, "params": {
            "threadId": "thr_1", "turnId": "turn_1", "itemId": "call_10",
            "startedAtMs": 1_796_000_000_001_i64, "reason": null, "grantRoot": null}})
    );
    assert_eq!(
        file.decode_response(json!({"decision": "decline"}))
            .expect("decodes"),
        ServerResponse::FileChangeRequestApproval(FileChangeRequestApprovalResponse {
            decision: FileChangeApprovalDecision::Decline,
        })
    );
}

#[test]
fn thread_items_use_the_spec_casing() {
    assert_round_trip::<ThreadItem>(json!({
        "type": "fileChange", "id": "f1", "status": "completed",
        "changes": [{"path": "a.rs", "kind": {"type": "update", "move_path": "b.rs"}, "diff": "@@"},
                    {"path": "c.rs", "kind": {"type": "add"}, "diff": ""}]
    }));
    assert_round_trip::<ThreadItem>(json!({
        "type": "commandExecution", "id": "c1", "command": "ls", "cwd": "/repo", "processId": null,
        "status": "declined", "commandActions": [{"type": "listFiles", "command": "ls", "path": null}],
        "aggregatedOutput": null, "exitCode": null, "durationMs": null
    }));
    assert_round_trip::<ThreadItem>(json!({
        "type": "webSearch", "id": "w1", "query": "rust",
        "action": {"type": "openPage", "url": "https://example.com"}
    }));
    // 0.105's snake_case action tags are read too.
    let snake: WebSearchAction =
        serde_json::from_value(json!({"type": "find_in_page", "url": null, "pattern": "x"}))
            .expect("decodes");
    assert_eq!(
        serde_json::to_value(snake).expect("encodes"),
        json!({"type": "findInPage", "url": null, "pattern": "x"})
    );
    assert_round_trip::<ThreadItem>(json!({"type": "contextCompaction", "id": "x"}));
}

#[test]
fn codex_error_info_is_externally_tagged() {
    assert_round_trip::<Vec<CodexErrorInfo>>(json!([
        "contextWindowExceeded",
        {"httpConnectionFailed": {"httpStatusCode": 502}},
        {"responseStreamDisconnected": {"httpStatusCode": null}},
    ]));
}

#[test]
fn thread_start_response_with_workspace_write_sandbox_round_trips() {
    let response: ThreadStartResponse = assert_round_trip(json!({
        "thread": recorded_thread("t").as_object().cloned().map(|mut thread| {
            thread.insert("ephemeral".to_string(), json!(true));
            serde_json::Value::Object(thread)
        }).expect("object"),
        "model": "gpt-5.1-codex", "modelProvider": "openai", "cwd": "/repo",
        "approvalPolicy": {"granular": {"sandbox_approval": false, "rules": true, "skill_approval": true,
                                        "request_permissions": true, "mcp_elicitations": true}},
        "approvalsReviewer": "user",
        "sandbox": {"type": "workspaceWrite", "writableRoots": ["/repo"], "readOnlyAccess": {"type": "fullAccess"},
                    "networkAccess": true, "excludeTmpdirEnvVar": false, "excludeSlashTmp": false},
        "reasoningEffort": "xhigh", "serviceTier": "fast"
    }));
    assert_eq!(response.reasoning_effort, Some(ReasoningEffort::XHigh));
    assert!(response.thread.ephemeral);
}

#[test]
fn initialized_notification_decodes_without_params() {
    for line in [
        json!({"jsonrpc": "2.0", "method": "initialized"}),
        json!({"method": "initialized", "params": null}),
    ] {
        let notification: ClientNotification = serde_json::from_value(line).expect("decodes");
        assert_eq!(notification, ClientNotification::Initialized);
    }
    assert_eq!(
        serde_json::to_value(ClientNotification::Initialized).expect("encodes"),
        json!({"method": "initialized"})
    );
    let envelope = JSONRPCNotification {
        method: "initialized".to_string(),
        params: None,
    };
    assert_eq!(
        ClientNotification::try_from(envelope).expect("decodes"),
        ClientNotification::Initialized
    );
}

#[test]
fn generic_request_envelopes_convert_into_typed_requests() {
    let envelope: JSONRPCRequest = serde_json::from_value(json!({
        "id": 9, "method": "turn/interrupt", "params": {"threadId": "t", "turnId": "u"}
    }))
    .expect("decodes");
    assert_eq!(
        ClientRequest::try_from(envelope).expect("converts"),
        ClientRequest::TurnInterrupt {
            request_id: RequestId::Integer(9),
            params: TurnInterruptParams {
                thread_id: "t".to_string(),
                turn_id: "u".to_string(),
            },
        }
    );
    let missing: JSONRPCRequest = serde_json::from_value(
        json!({"id": 9, "method": "turn/interrupt", "params": {"threadId": "t"}}),
    )
    .expect("decodes");
    assert_eq!(
        ClientRequest::try_from(missing)
            .expect_err("turnId is required")
            .to_string(),
        "missing field `turnId`"
    );
}

use crate::protocol::client_method::ClientMethod;

/// The params and response types a method's marker names, checked at compile time.
fn marker_types<M: ClientMethod>(
    params: M::Params,
    response: M::Response,
) -> (M::Params, M::Response) {
    (params, response)
}

#[test]
fn every_method_has_a_marker_with_its_wire_name_and_types() {
    assert_eq!(methods::ThreadSetName::METHOD, "thread/name/set");
    assert_eq!(methods::Initialize::METHOD, "initialize");
    assert_eq!(methods::LogoutAccount::METHOD, "account/logout");
    let (params, response) = marker_types::<methods::ThreadSetName>(
        ThreadSetNameParams {
            thread_id: "t".to_string(),
            name: "n".to_string(),
        },
        ThreadSetNameResponse {},
    );
    assert_eq!(
        serde_json::to_value(params).expect("encodes"),
        json!({"threadId": "t", "name": "n"})
    );
    assert_eq!(serde_json::to_value(response).expect("encodes"), json!({}));
    let markers = [
        methods::Initialize::METHOD,
        methods::ThreadStart::METHOD,
        methods::ThreadResume::METHOD,
        methods::ThreadFork::METHOD,
        methods::ThreadList::METHOD,
        methods::ThreadRead::METHOD,
        methods::ThreadArchive::METHOD,
        methods::ThreadUnarchive::METHOD,
        methods::ThreadSetName::METHOD,
        methods::ThreadLoadedList::METHOD,
        methods::ThreadUnsubscribe::METHOD,
        methods::ThreadInjectItems::METHOD,
        methods::ThreadTurnsList::METHOD,
        methods::ThreadItemsList::METHOD,
        methods::ThreadDelete::METHOD,
        methods::ThreadRollback::METHOD,
        methods::ThreadRevert::METHOD,
        methods::ReviewStart::METHOD,
        methods::ThreadMetadataUpdate::METHOD,
        methods::ThreadShellCommand::METHOD,
        methods::ThreadCompactStart::METHOD,
        methods::ThreadBackgroundTerminalsList::METHOD,
        methods::ThreadBackgroundTerminalsTerminate::METHOD,
        methods::ThreadBackgroundTerminalsClean::METHOD,
        methods::TurnStart::METHOD,
        methods::TurnInterrupt::METHOD,
        methods::TurnSteer::METHOD,
        methods::ModelList::METHOD,
        methods::LoginAccount::METHOD,
        methods::CancelLoginAccount::METHOD,
        methods::LogoutAccount::METHOD,
        methods::GetAccount::METHOD,
        methods::GetAccountRateLimits::METHOD,
        methods::ConfigRead::METHOD,
        methods::ConfigValueWrite::METHOD,
        methods::ConfigBatchWrite::METHOD,
        methods::CommandExec::METHOD,
        methods::CommandExecWrite::METHOD,
        methods::CommandExecResize::METHOD,
        methods::CommandExecTerminate::METHOD,
        methods::McpServerOauthLogin::METHOD,
        methods::McpServerRefresh::METHOD,
        methods::ListMcpServerStatus::METHOD,
        methods::McpResourceRead::METHOD,
        methods::McpServerToolCall::METHOD,
        methods::FuzzyFileSearch::METHOD,
        methods::FuzzyFileSearchSessionStart::METHOD,
        methods::FuzzyFileSearchSessionUpdate::METHOD,
        methods::FuzzyFileSearchSessionStop::METHOD,
    ];
    assert_eq!(markers.as_slice(), ClientRequest::METHODS);
}
