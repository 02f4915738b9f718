//! Every message of end-to-end sessions that call every method we serve (and cause the notifications and
//! server requests those methods lead to) is valid against upstream's generated JSON Schema of both
//! generations we are compatible with (0.105 and 0.171): what the daemon writes, and what the test writes
//! as a client, so the tests speak the shapes upstream clients really send.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::ServerNotification;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::chatgpt_token::fake_jwt;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockRateLimitWindow;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::codex_rate_limit_headers;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_openai_auth_provider_args;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::upstream::UPSTREAM_0_105;
use codex_app_server_tests::upstream::UPSTREAM_0_171;
use codex_app_server_tests::upstream::UPSTREAM_VERSIONS;
use codex_app_server_tests::upstream_schema::grouped_report;
use codex_app_server_tests::upstream_schema::validate_transcript;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// Ids of requests the suite sends malformed on purpose (to get error responses); they are left out of the
/// check of what we send, their error responses are checked.
const INVALID_ON_PURPOSE: &str = "invalid-on-purpose-";

#[path = "upstream_schema_validation/fuzzy_session.rs"]
mod fuzzy_session;
#[path = "upstream_schema_validation/mcp_session.rs"]
mod mcp_session;
#[path = "upstream_schema_validation/review_session.rs"]
mod review_session;
#[path = "upstream_schema_validation/undo_session.rs"]
mod undo_session;
#[path = "upstream_schema_validation/unified_exec_session.rs"]
mod unified_exec_session;

const SERVER_REQUESTS: [&str; 6] = [
    "item/commandExecution/requestApproval",
    "item/fileChange/requestApproval",
    "item/tool/call",
    "account/chatgptAuthTokens/refresh",
    "item/tool/requestUserInput",
    "mcpServer/elicitation/request",
];

/// Notifications and server requests no session here causes: their triggers are not reachable with the
/// mock model.
const NOT_CAUSED: [&str; 2] = ["item/fileChange/outputDelta", "model/rerouted"];

/// The id prefix of a request only one version's clients send (`only-0.171.0-...`): the other version's
/// check leaves it and its answer out.
const ONLY: &str = "only-";

/// The id suffix of a 0.105 request whose answer follows 0.171 where the two schemas disagree (issue 16): a
/// 0.105 client's `reject` policy comes back as 0.171's `granular`, which 0.105's schema does not have. The
/// request is checked against 0.105, its answer against 0.171 (the same shape answers `only-0.171.0-granular`).
const ANSWERED_AS_0171: &str = "-answered-as-0.171";

#[tokio::test]
async fn every_message_of_every_method_matches_both_upstream_schemas() -> anyhow::Result<()> {
    let (policies, rejected) = approval_policies_session().await?;
    let transcripts = vec![
        threads_and_turns_session().await?,
        accounts_session().await?,
        external_tokens_session().await?,
        plan_mode_session().await?,
        policies,
        host_tools_session().await?,
        mcp_session::mcp_session().await?,
        unified_exec_session::unified_exec_session().await?,
        undo_session::undo_session().await?,
        review_session::review_session().await?,
        fuzzy_session::fuzzy_session().await?,
    ];
    assert_every_method_is_covered(&transcripts);
    let mut errors = Vec::new();
    for version in UPSTREAM_VERSIONS {
        for transcript in &transcripts {
            errors.extend(validate_transcript(
                version,
                &as_sent_by(version, transcript),
            )?);
        }
    }
    if !errors.is_empty() {
        println!("{}", grouped_report(&errors));
    }
    for rejection in &rejected {
        println!("rejected an upstream client's request: {rejection}");
    }
    assert!(
        errors.is_empty() && rejected.is_empty(),
        "{} violations of upstream's schema and {} rejected upstream requests, listed above",
        errors.len(),
        rejected.len()
    );
    Ok(())
}

/// The transcript as a client of `version` would have seen it: without the requests malformed on purpose
/// (their error answers stay), nor the requests only another version's clients send (and their answers).
fn as_sent_by(version: &str, transcript: &[Transcribed]) -> Vec<Transcribed> {
    let own = format!("{ONLY}{version}-");
    let id = |message: &Value| message["id"].as_str().unwrap_or_default().to_string();
    transcript
        .iter()
        .filter(|entry| match entry {
            Transcribed::Sent(message) => {
                let id = id(message);
                !id.starts_with(INVALID_ON_PURPOSE)
                    && (!id.starts_with(ONLY) || id.starts_with(&own))
            }
            Transcribed::Received(message) => {
                let id = id(message);
                (!id.starts_with(ONLY) || id.starts_with(&own))
                    && !(version == UPSTREAM_0_105 && id.ends_with(ANSWERED_AS_0171))
            }
        })
        .cloned()
        .collect()
}

/// The methods each session called and the server requests and notifications it got.
fn assert_every_method_is_covered(transcripts: &[Vec<Transcribed>]) {
    let mut called = BTreeSet::new();
    let mut received = BTreeSet::new();
    for entry in transcripts.iter().flatten() {
        match entry {
            Transcribed::Sent(message) if message.get("id").is_some() => {
                called.extend(message["method"].as_str().map(str::to_string));
            }
            Transcribed::Received(message) => {
                received.extend(message["method"].as_str().map(str::to_string));
            }
            Transcribed::Sent(_) => {}
        }
    }
    let served: BTreeSet<String> = ClientRequest::METHODS
        .iter()
        .map(|method| method.to_string())
        .collect();
    assert_eq!(
        served.difference(&called).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    let caused: BTreeSet<String> = ServerNotification::METHODS
        .iter()
        .chain(SERVER_REQUESTS.iter())
        .filter(|method| !NOT_CAUSED.contains(method))
        .map(|method| method.to_string())
        .collect();
    assert_eq!(
        caused.difference(&received).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
}

/// A server with the mock provider (plus `extra_args`), handshaken as a plain client.
async fn spawn(model: &MockModelServer, extra_args: &[&str]) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), extra_args)).await?;
    server.initialize().await?;
    Ok(server)
}

/// Ends the session (EOF, exit) and returns everything written and read, the last messages included.
async fn finish(mut server: AppServer) -> anyhow::Result<Vec<Transcribed>> {
    server.close_stdin();
    server.wait_exit(std::time::Duration::from_secs(10)).await?;
    server.read_remaining().await?;
    Ok(server.transcript().to_vec())
}

/// Threads, turns (streaming, reasoning, usage, rate limits, both approvals, web search, images, steer,
/// interrupt, a failure), models, config, `command/exec` and error answers, on one server.
async fn threads_and_turns_session() -> anyhow::Result<Vec<Transcribed>> {
    let workspace = tempfile::tempdir()?;
    std::fs::write(workspace.path().join("lib.txt"), "alpha\nbeta\n")?;
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, &["--enable", "no_such_feature_xyz"]).await?;
    server.read_notification("configWarning").await?;
    server.call("model/list", json!({})).await?;
    configuration(&mut server).await.context("configuration")?;
    let thread_id = start_thread(&mut server, workspace.path()).await?;
    streamed_turn(&mut server, &model, &thread_id)
        .await
        .context("streamed_turn")?;
    approved_tool_turns(&mut server, &model, &thread_id)
        .await
        .context("approved_tool_turns")?;
    web_search_turn(&mut server, &model, &thread_id)
        .await
        .context("web_search_turn")?;
    plan_turn(&mut server, &model, &thread_id)
        .await
        .context("plan_turn")?;
    image_turn(&mut server, &model, &thread_id, workspace.path())
        .await
        .context("image_turn")?;
    steered_and_interrupted_turn(&mut server, &model, &thread_id)
        .await
        .context("steered_and_interrupted_turn")?;
    failed_turn(&mut server, &model, &thread_id)
        .await
        .context("failed_turn")?;
    compaction_turn(&mut server, &model, &thread_id)
        .await
        .context("compaction_turn")?;
    thread_methods(&mut server, &thread_id)
        .await
        .context("thread_methods")?;
    thread_history_and_admin_methods(&mut server, &thread_id)
        .await
        .context("thread_history_and_admin_methods")?;
    command_and_error_answers(&mut server, workspace.path())
        .await
        .context("command_and_error_answers")?;
    finish(server).await
}

async fn configuration(server: &mut AppServer) -> anyhow::Result<()> {
    server
        .call("config/read", json!({"includeLayers": true}))
        .await?;
    server
        .call(
            "config/value/write",
            json!({"keyPath": "model_reasoning_effort", "value": "high", "mergeStrategy": "replace"}),
        )
        .await?;
    server
        .call(
            "config/batchWrite",
            json!({"edits": [
                {"keyPath": "features.web_search_request", "value": true, "mergeStrategy": "upsert"},
                {"keyPath": "model_reasoning_summary", "value": "auto", "mergeStrategy": "replace"},
            ]}),
        )
        .await?;
    Ok(())
}

/// A thread in `workspace` whose commands and patches need the host's approval.
async fn start_thread(server: &mut AppServer, workspace: &Path) -> anyhow::Result<String> {
    let started = server
        .call(
            "thread/start",
            json!({"cwd": workspace, "approvalPolicy": "untrusted", "sandbox": "danger-full-access"}),
        )
        .await?;
    server.read_notification("thread/started").await?;
    started["thread"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("thread/start answered {started}"))
}

/// Starts a turn with `text`; returns the turn's id.
async fn start_turn(server: &mut AppServer, thread_id: &str, text: &str) -> anyhow::Result<String> {
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input(text)]}),
        )
        .await?;
    Ok(started["turn"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

async fn read_turn_completed(server: &mut AppServer, thread_id: &str) -> anyhow::Result<Value> {
    server
        .read_until(|message| {
            message["method"] == "turn/completed" && message["params"]["threadId"] == thread_id
        })
        .await
}

/// Reasoning (summary and raw text), an answer in deltas, usage, and rate-limit headers.
async fn streamed_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    let headers = codex_rate_limit_headers(
        MockRateLimitWindow::new(12.5, 300, 1_730_947_200),
        Some(MockRateLimitWindow::new(40.0, 10080, 1_731_400_000)),
    );
    model.push_response(
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::reasoning_item_added("rs_1"),
            sse::reasoning_summary_part_added(0),
            sse::reasoning_summary_text_delta("Checking.", 0),
            sse::reasoning_text_delta("Raw thought.", 0),
            sse::reasoning_item_done("rs_1", &["Checking."], None),
            sse::output_item_added_message("msg_1", Some("commentary")),
            sse::output_text_delta("Looking"),
            sse::output_item_done_message("msg_1", "Looking", Some("commentary")),
            sse::output_item_added_message("msg_2", Some("final_answer")),
            sse::output_text_delta("Hello"),
            sse::output_text_delta(" world"),
            sse::output_item_done_message("msg_2", "Hello world", Some("final_answer")),
            sse::completed_with_usage("resp_1", 1200, 200, 96, 12, 1296),
        ])
        .with_headers(headers),
    );
    start_turn(server, thread_id, "Say hello").await?;
    read_turn_completed(server, thread_id).await?;
    server.call("account/rateLimits/read", Value::Null).await?;
    Ok(())
}

/// Plan mode (experimental `collaborationMode`): the model asks the user (`item/tool/requestUserInput`,
/// answered), then proposes a plan (a `plan` item and `item/plan/delta`) around a short message.
async fn plan_mode_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    let questions = json!({"questions": [{"id": "scope", "header": "Scope", "question": "Fix which part?",
        "options": [{"label": "Parser (Recommended)", "description": "Only the parser."},
                    {"label": "Everything", "description": "Parser and printer."}]}]});
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_q"),
            sse::function_call("call_q", "request_user_input", &questions.to_string()),
            sse::completed("resp_q"),
        ]),
        MockResponse::assistant_message(
            &[
                "Here it is.\n<proposed",
                "_plan>\n# Fix the parser\n",
                "</proposed_plan>\n",
            ],
            Some("final_answer"),
        ),
    ]);
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize_experimental().await?;
    let thread_id = server.call("thread/start", json!({})).await?["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mode = json!({"mode": "plan", "settings": {"model": "gpt-5.2-codex", "reasoning_effort": null, "developer_instructions": null}});
    server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input("Plan the fix")], "collaborationMode": mode}),
        )
        .await?;
    let request = server
        .read_server_request("item/tool/requestUserInput")
        .await?;
    server
        .answer(
            &request,
            json!({"answers": {"scope": {"answers": ["Parser (Recommended)"]}}}),
        )
        .await?;
    read_turn_completed(&mut server, &thread_id).await?;
    server
        .read_until(|message| message["method"] == "serverRequest/resolved")
        .await?;
    finish(server).await
}

/// A shell command and a patch, each approved by the host when the daemon asks.
async fn approved_tool_turns(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    let shell = json!({"command": ["bash", "-c", "echo hello > note.txt && cat note.txt"]});
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** Update File: lib.txt\n@@\n alpha\n-beta\n+gamma\n*** End Patch";
    let calls = [
        (
            sse::function_call("call_1", "shell", &shell.to_string()),
            "item/commandExecution/requestApproval",
        ),
        (
            sse::custom_tool_call("call_2", "apply_patch", patch),
            "item/fileChange/requestApproval",
        ),
    ];
    for (call, approval) in calls {
        model.push_responses([
            MockResponse::sse(vec![
                sse::response_created("resp_t"),
                call,
                sse::completed("resp_t"),
            ]),
            MockResponse::assistant_message(&["done"], Some("final_answer")),
        ]);
        start_turn(server, thread_id, "Use a tool").await?;
        let request = server.read_server_request(approval).await?;
        server
            .answer(&request, json!({"decision": "accept"}))
            .await?;
        read_turn_completed(server, thread_id).await?;
    }
    Ok(())
}

/// Web search calls of each action: search, open a page, find in a page.
async fn web_search_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    let action = |id: &str, action: Value| {
        json!({
            "type": "response.output_item.done",
            "item": {"type": "web_search_call", "id": id, "status": "completed", "action": action},
        })
    };
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_w"),
        sse::web_search_call("ws_1", "rust 2024 edition"),
        action("ws_2", json!({"type": "open_page", "url": "https://blog.rust-lang.org/"})),
        action(
            "ws_3",
            json!({"type": "find_in_page", "url": "https://blog.rust-lang.org/", "pattern": "2024"}),
        ),
        sse::output_item_added_message("msg_w", Some("final_answer")),
        sse::output_text_delta("Found it."),
        sse::output_item_done_message("msg_w", "Found it.", Some("final_answer")),
        sse::completed("resp_w"),
    ]));
    start_turn(server, thread_id, "Search the web").await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// The model updates its plan (`turn/plan/updated`), then answers.
async fn plan_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    let plan = json!({"explanation": "Two steps.", "plan": [
        {"step": "Look", "status": "in_progress"},
        {"step": "Fix", "status": "pending"},
    ]});
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_p"),
            sse::function_call("call_p", "update_plan", &plan.to_string()),
            sse::completed("resp_p"),
        ]),
        MockResponse::assistant_message(&["planned"], Some("final_answer")),
    ]);
    start_turn(server, thread_id, "Plan it").await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// A `localImage` input and a `view_image` call: the user message keeps the path, an `imageView` item.
async fn image_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
    workspace: &Path,
) -> anyhow::Result<()> {
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)?;
    let path = workspace.join("pixel.png");
    std::fs::write(&path, png.into_inner())?;
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_i"),
            sse::function_call(
                "call_img",
                "view_image",
                &json!({"path": "pixel.png"}).to_string(),
            ),
            sse::completed("resp_i"),
        ]),
        MockResponse::assistant_message(&["A blue square."], Some("final_answer")),
    ]);
    let input = json!([
        text_input("What is in this picture?"),
        {"type": "localImage", "path": path},
    ]);
    server
        .call("turn/start", json!({"threadId": thread_id, "input": input}))
        .await?;
    server
        .read_until(|message| message["params"]["item"]["type"] == "imageView")
        .await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// A turn whose stream stalls: the host steers it, then interrupts it.
async fn steered_and_interrupted_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    model
        .push_response(MockResponse::assistant_message(&["Partial", " rest"], None).stall_after(3));
    let turn_id = start_turn(server, thread_id, "Go").await?;
    // Only this turn's delta shows the stalled stream was requested (earlier turns' are still buffered).
    server
        .read_turn_notification("item/agentMessage/delta", &turn_id)
        .await?;
    server
        .call(
            "turn/steer",
            json!({"threadId": thread_id, "input": [text_input("Faster")], "expectedTurnId": turn_id}),
        )
        .await?;
    server
        .call(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// Host tools (`dynamicTools`, declared by an experimental client as 0.105 declares them; 0.171 takes that
/// too): a call answered with text and an image, and a call withdrawn by an interrupt
/// (`serverRequest/resolved`).
async fn host_tools_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize_experimental().await?;
    let schema = json!({"type": "object", "properties": {"id": {"type": "string"}}});
    let tools = json!([
        {"name": "lookup_ticket", "description": "Look up a ticket.", "inputSchema": schema},
        {"name": "close_ticket", "description": "Close it.", "inputSchema": schema},
    ]);
    let started = server
        .call("thread/start", json!({"dynamicTools": tools}))
        .await?;
    let thread_id = started["thread"]["id"].as_str().unwrap_or_default();
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPg5OQEAAA6ABztCJuOAAAAAElFTkSuQmCC";
    let answer = json!({"contentItems": [
        {"type": "inputText", "text": "open"},
        {"type": "inputImage", "imageUrl": format!("data:image/png;base64,{png}")},
    ], "success": true});
    for interrupt in [false, true] {
        model.push_responses([
            MockResponse::sse(vec![
                sse::response_created("resp_h"),
                sse::function_call("call_h", "lookup_ticket", r#"{"id":"A"}"#),
                sse::completed("resp_h"),
            ]),
            MockResponse::assistant_message(&["done"], Some("final_answer")),
        ]);
        let turn_id = start_turn(&mut server, thread_id, "Look it up").await?;
        let request = server.read_server_request("item/tool/call").await?;
        if interrupt {
            let params = json!({"threadId": thread_id, "turnId": turn_id});
            server.call("turn/interrupt", params).await?;
            server.read_notification("serverRequest/resolved").await?;
        } else {
            server.answer(&request, answer.clone()).await?;
        }
        read_turn_completed(&mut server, thread_id).await?;
    }
    finish(server).await
}

/// A turn the model fails: an `error` notification and a failed turn.
async fn failed_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    model.push_response(MockResponse::error(
        400,
        json!({"error": {"type": "invalid_request_error", "message": "bad request"}}),
    ));
    start_turn(server, thread_id, "Too long").await?;
    server.read_notification("error").await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// `thread/compact/start`: a turn with its `contextCompaction` item and the deprecated `thread/compacted`.
async fn compaction_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    model.push_response(MockResponse::assistant_message(&["The summary."], None));
    server
        .call("thread/compact/start", json!({"threadId": thread_id}))
        .await?;
    server.read_notification("thread/compacted").await?;
    read_turn_completed(server, thread_id).await?;
    Ok(())
}

/// Naming, reading (with turns), listing, forking, archiving, resuming and unsubscribing.
async fn thread_methods(server: &mut AppServer, thread_id: &str) -> anyhow::Result<()> {
    let thread = json!({"threadId": thread_id});
    server
        .call(
            "thread/name/set",
            json!({"threadId": thread_id, "name": "Schema tour"}),
        )
        .await?;
    server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    server.call("thread/list", json!({"limit": 10})).await?;
    server.call("thread/loaded/list", json!({})).await?;
    let forked = server.call("thread/fork", thread.clone()).await?;
    let fork_id = forked["thread"]["id"].clone();
    server
        .call("thread/archive", json!({"threadId": fork_id}))
        .await?;
    server.read_notification("thread/archived").await?;
    server
        .call("thread/list", json!({"archived": true}))
        .await?;
    server
        .call("thread/unarchive", json!({"threadId": fork_id}))
        .await?;
    server.read_notification("thread/unarchived").await?;
    server.call("thread/resume", thread.clone()).await?;
    server.call("thread/unsubscribe", thread).await?;
    server.read_notification("thread/closed").await?;
    Ok(())
}

/// The 0.171 thread methods: injected items, turn and item pages, git metadata, the user's shell command
/// (a turn of its own) and deleting a thread.
async fn thread_history_and_admin_methods(
    server: &mut AppServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let note = json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Note."}]});
    server
        .call(
            "thread/inject_items",
            json!({"threadId": thread_id, "items": [note]}),
        )
        .await?;
    let turns = server
        .call(
            "thread/turns/list",
            json!({"threadId": thread_id, "limit": 2}),
        )
        .await?;
    server
        .call(
            "thread/turns/list",
            json!({"threadId": thread_id, "cursor": turns["backwardsCursor"], "sortDirection": "asc", "itemsView": "full"}),
        )
        .await?;
    server
        .call(
            "thread/items/list",
            json!({"threadId": thread_id, "limit": 3}),
        )
        .await?;
    server
        .call(
            "thread/metadata/update",
            json!({"threadId": thread_id, "gitInfo": {"branch": "schema-tour", "sha": null}}),
        )
        .await?;
    server
        .call(
            "thread/shellCommand",
            json!({"threadId": thread_id, "command": "echo from the user"}),
        )
        .await?;
    read_turn_completed(server, thread_id).await?;
    let doomed = server.call("thread/start", json!({})).await?;
    let doomed_id = doomed["thread"]["id"].clone();
    server
        .call("thread/delete", json!({"threadId": doomed_id}))
        .await?;
    server.read_notification("thread/deleted").await?;
    Ok(())
}

/// `command/exec`, and the error answers to an unknown method and to bad params.
async fn command_and_error_answers(server: &mut AppServer, workspace: &Path) -> anyhow::Result<()> {
    server
        .call(
            "command/exec",
            json!({"command": ["echo", "hi"], "cwd": workspace, "sandboxPolicy": {"type": "dangerFullAccess"}}),
        )
        .await?;
    streamed_command(server, workspace).await?;
    for (name, method, params) in [
        ("unknown", "no/such/method", json!({})),
        ("params", "thread/read", json!({"thread": 7})),
    ] {
        let id = format!("{INVALID_ON_PURPOSE}{name}");
        server
            .send_json(&json!({"id": id, "method": method, "params": params}))
            .await?;
        let answer = server.read_response(id.as_str()).await?;
        anyhow::ensure!(answer.get("error").is_some(), "{method} answered {answer}");
    }
    Ok(())
}

/// 0.171's streamed `command/exec`: a PTY resized and typed into (its output comes as
/// `command/exec/outputDelta`), and a `sleep` terminated.
async fn streamed_command(server: &mut AppServer, workspace: &Path) -> anyhow::Result<()> {
    let request = |name: &str, method: &str, params: Value| json!({"id": format!("{ONLY}{UPSTREAM_0_171}-{name}"), "method": method, "params": params});
    let mut answers = Vec::new();
    for (name, method, params) in [
        (
            "exec-tty",
            "command/exec",
            json!({"command": ["sh", "-c", "read line; echo got:$line"], "processId": "tour-tty",
                "tty": true, "size": {"rows": 24, "cols": 80}, "cwd": workspace,
                "sandboxPolicy": {"type": "dangerFullAccess"}}),
        ),
        (
            "exec-resize",
            "command/exec/resize",
            json!({"processId": "tour-tty", "size": {"rows": 30, "cols": 100}}),
        ),
        (
            "exec-write",
            "command/exec/write",
            json!({"processId": "tour-tty", "deltaBase64": "aGkK", "closeStdin": false}),
        ),
        (
            "exec-sleep",
            "command/exec",
            json!({"command": ["sleep", "100"], "processId": "tour-sleep", "streamStdin": true,
                "streamStdoutStderr": true, "cwd": workspace,
                "sandboxPolicy": {"type": "dangerFullAccess"}}),
        ),
        (
            "exec-terminate",
            "command/exec/terminate",
            json!({"processId": "tour-sleep"}),
        ),
    ] {
        let request = request(name, method, params);
        server.send_json(&request).await?;
        answers.push(request["id"].clone());
    }
    for id in answers {
        let answer = server.read_response(id.clone()).await?;
        anyhow::ensure!(answer.get("result").is_some(), "{id} answered {answer}");
    }
    Ok(())
}

/// Threads started under every approval policy some upstream client sends (in the request, or in
/// `config.toml` as older clients wrote it); returns the transcript and the requests the daemon refused.
async fn approval_policies_session() -> anyhow::Result<(Vec<Transcribed>, Vec<String>)> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, &[]).await?;
    let flags = json!({"mcp_elicitations": true, "rules": false, "sandbox_approval": true});
    let requests = [
        (
            format!("{ONLY}{UPSTREAM_0_105}-on-failure"),
            json!("on-failure"),
        ),
        (
            format!("{ONLY}{UPSTREAM_0_105}-reject{ANSWERED_AS_0171}"),
            json!({"reject": flags}),
        ),
        (
            format!("{ONLY}{UPSTREAM_0_171}-granular"),
            json!({"granular": flags}),
        ),
        ("never".to_string(), json!("never")),
        ("on-request".to_string(), json!("on-request")),
    ];
    let mut rejected = Vec::new();
    for (id, policy) in requests {
        let request =
            json!({"id": id, "method": "thread/start", "params": {"approvalPolicy": policy}});
        server.send_json(&request).await?;
        let answer = server.read_response(id.as_str()).await?;
        if answer.get("error").is_some() {
            rejected.push(format!("{request} answered {answer}"));
        }
    }
    // A `config.toml` written for 0.105 still says `on-failure`; a thread started without a policy uses it.
    server
        .call(
            "config/value/write",
            json!({"keyPath": "approval_policy", "value": "on-failure", "mergeStrategy": "replace"}),
        )
        .await?;
    // A deprecated `personality` is accepted with a `deprecationNotice`.
    server
        .call("thread/start", json!({"personality": "friendly"}))
        .await?;
    Ok((finish(server).await?, rejected))
}

/// API-key sign-in, reading the account, logout, and a ChatGPT sign-in cancelled by the host.
async fn accounts_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    let issuer = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        env: vec![
            ("CODEX_AUTH_ISSUER".to_string(), issuer.uri()),
            ("CODEX_LOGIN_CALLBACK_PORT".to_string(), "0".to_string()),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    server
        .call("account/read", json!({"refreshToken": false}))
        .await?;
    server
        .call(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-schema"}),
        )
        .await?;
    server.read_notification("account/login/completed").await?;
    server.read_notification("account/updated").await?;
    server
        .call("account/read", json!({"refreshToken": false}))
        .await?;
    server.call("account/logout", Value::Null).await?;
    let started = server
        .call("account/login/start", json!({"type": "chatgpt"}))
        .await?;
    server
        .call(
            "account/login/cancel",
            json!({"loginId": started["loginId"]}),
        )
        .await?;
    server.read_notification("account/login/completed").await?;
    finish(server).await
}

/// The host's own ChatGPT tokens: sign-in, a 401 that makes the daemon ask the host for fresh tokens, the
/// retried turn.
async fn external_tokens_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::error(
            401,
            json!({"error": {"type": "invalid_request_error", "code": "token_expired", "message": "token expired"}}),
        ),
        MockResponse::assistant_message(&["Hello"], Some("final_answer")),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    let tokens = host_tokens("old");
    server.call("account/login/start", tokens).await?;
    server.read_notification("account/updated").await?;
    let thread_id = server.call("thread/start", json!({})).await?["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    start_turn(&mut server, &thread_id, "Say hello").await?;
    let refresh = server
        .read_server_request("account/chatgptAuthTokens/refresh")
        .await?;
    let mut fresh = host_tokens("new");
    if let Some(fresh) = fresh.as_object_mut() {
        fresh.remove("type");
    }
    server.answer(&refresh, fresh).await?;
    read_turn_completed(&mut server, &thread_id).await?;
    finish(server).await
}

/// `account/login/start` params with host tokens for the mock account; `marker` makes the token unique.
fn host_tokens(marker: &str) -> Value {
    let token = fake_jwt(&json!({
        "sub": "user_mock",
        "marker": marker,
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/profile": {"email": "schema@example.com", "email_verified": true},
        "https://api.openai.com/auth": {
            "chatgpt_account_id": "acct_mock_123",
            "chatgpt_plan_type": "pro",
            "chatgpt_user_id": "user_mock",
        },
    }));
    json!({
        "type": "chatgptAuthTokens",
        "accessToken": token,
        "chatgptAccountId": "acct_mock_123",
        "chatgptPlanType": "pro",
    })
}
