//! The dispatcher: typed responses become JSON in one place, and an answer is written in its one order
//! (notifications upstream sends first, the response, its notifications, then what it releases), even
//! while the notification queue is full.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use codex_app_server_protocol::ClientInfo;
use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::DeprecationNoticeNotification;
use codex_app_server_protocol::JSONRPCMessage;
use codex_app_server_protocol::JSONRPCNotification;
use codex_app_server_protocol::ServerNotification;
use codex_app_server_protocol::ThreadLoadedListParams;
use codex_app_server_protocol::ThreadSetNameParams;
use codex_app_server_protocol::ThreadSetNameResponse;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::engine::Engine;
use crate::handlers::ConnectionCapabilities;
use crate::outgoing_queue::OutgoingMessages;
use crate::outgoing_queue::OutgoingQueue;
use crate::outgoing_queue::bounded_outgoing_queue;
use crate::server_state::ServerState;

fn notice(summary: &str) -> ServerNotification {
    ServerNotification::DeprecationNotice(DeprecationNoticeNotification {
        summary: summary.to_string(),
        details: None,
    })
}

fn notice_json(summary: &str) -> serde_json::Value {
    json!({"method": "deprecationNotice", "params": {"summary": summary, "details": null}})
}

/// Everything queued now, as the client would read it.
fn drain(messages: &mut OutgoingMessages) -> Vec<serde_json::Value> {
    std::iter::from_fn(|| messages.try_recv())
        .map(|queued| serde_json::to_value(queued.into_message()).expect("serializes"))
        .collect()
}

/// Stands for a `PendingTurn`: releasing it lets the turn's first event out, here a marker queued on the
/// spot, so where the marker lands is where the release happened.
struct ReleasedTurn(OutgoingQueue);

impl Drop for ReleasedTurn {
    fn drop(&mut self) {
        self.0
            .push_request(JSONRPCMessage::Notification(JSONRPCNotification {
                method: "turn/started".to_string(),
                params: None,
            }));
    }
}

/// A context on an engine of its own, and its `CODEX_HOME` (removed when dropped).
fn context() -> (tempfile::TempDir, RequestContext) {
    let codex_home = tempfile::tempdir().expect("temp CODEX_HOME");
    let state = Arc::new(ServerState {
        codex_home: Some(codex_home.path().to_path_buf()),
        ..ServerState::default()
    });
    let context = RequestContext {
        engine: Engine::start(&state),
        state,
        capabilities: Arc::new(ConnectionCapabilities {
            client_info: ClientInfo {
                name: "codex_test".to_string(),
                title: None,
                version: "1".to_string(),
            },
            experimental_api: false,
            opt_out_notification_methods: HashSet::new(),
        }),
        connection_id: 0,
        request_id: codex_app_server_protocol::RequestId::Integer(0),
        command_processes: Arc::default(),
        file_searches: Arc::new(crate::file_searches::FileSearches::new(Arc::default())),
        stream: crate::handlers::StreamSink::new(crate::outgoing::OutgoingMessageSender::new(
            crate::outgoing_queue::outgoing_queue().0,
        )),
    };
    (codex_home, context)
}

#[tokio::test]
async fn a_typed_response_becomes_the_json_result() {
    let (_codex_home, context) = context();
    async fn set_name(
        _context: RequestContext,
        params: ThreadSetNameParams,
    ) -> Result<Answer<ThreadSetNameResponse>, RequestError> {
        assert_eq!(params.name, "renamed");
        Ok(Answer::new(ThreadSetNameResponse {}))
    }
    let params = ThreadSetNameParams {
        thread_id: "t".to_string(),
        name: "renamed".to_string(),
    };
    let answer = on::<m::ThreadSetName, _>(context.clone(), params, set_name)
        .await
        .expect("answered");
    assert_eq!(answer.response(), &json!({}));

    let listed = route(
        context,
        ClientRequest::ThreadLoadedList {
            request_id: RequestId::Integer(1),
            params: ThreadLoadedListParams::default(),
        },
    )
    .await
    .expect("answered");
    assert_eq!(listed.response(), &json!({"data": [], "nextCursor": null}));
}

#[tokio::test]
async fn an_answer_is_written_in_its_one_order() {
    let (queue, mut messages) = bounded_outgoing_queue(8, 8);
    let outgoing = OutgoingMessageSender::new(queue.clone());
    let answer = Answer::new(json!({"ok": true}))
        .preceded_by(notice("before"))
        .then_notify([notice("after 1"), notice("after 2")])
        .then_release(ReleasedTurn(queue))
        .then_spawn(|sink| async move { sink.notify(notice("follow-up")).await });
    write_answer(
        &outgoing,
        RequestSlot::unbudgeted(),
        RequestId::Integer(3),
        Ok(answer),
    )
    .await;
    let mut written = Vec::new();
    while written.len() < 6 {
        let queued = tokio::time::timeout(Duration::from_secs(5), messages.recv())
            .await
            .expect("everything is queued, the follow-up last")
            .expect("queued");
        written.push(serde_json::to_value(queued.into_message()).expect("json"));
    }
    assert_eq!(
        written,
        vec![
            notice_json("before"),
            json!({"id": 3, "result": {"ok": true}}),
            notice_json("after 1"),
            notice_json("after 2"),
            json!({"method": "turn/started"}),
            notice_json("follow-up"),
        ]
    );
}

#[tokio::test]
async fn a_full_notification_queue_never_holds_a_response_back_nor_lets_its_notifications_ahead() {
    let (queue, mut messages) = bounded_outgoing_queue(1, 8);
    let outgoing = OutgoingMessageSender::new(queue.clone());
    outgoing.send_notification(notice("fills the queue")).await;
    let answer = Answer::new(json!({})).then_notify([notice("after")]);
    let writing = tokio::spawn({
        let outgoing = outgoing.clone();
        async move {
            write_answer(
                &outgoing,
                RequestSlot::unbudgeted(),
                RequestId::Integer(4),
                Ok(answer),
            )
            .await;
        }
    });
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!writing.is_finished(), "a notification fit in a full queue");
    assert_eq!(
        drain(&mut messages),
        vec![
            notice_json("fills the queue"),
            json!({"id": 4, "result": {}})
        ]
    );
    tokio::time::timeout(Duration::from_secs(5), writing)
        .await
        .expect("writing the queue made room")
        .expect("joined");
    assert_eq!(drain(&mut messages), vec![notice_json("after")]);
}

#[tokio::test]
async fn a_panicking_handler_answers_internal_error() {
    let (queue, mut messages) = bounded_outgoing_queue(8, 8);
    let outgoing = OutgoingMessageSender::new(queue);
    answer_request(
        outgoing,
        RequestSlot::unbudgeted(),
        RequestId::Integer(8),
        "x/y".to_string(),
        async { panic!("boom") },
    )
    .await;
    assert_eq!(
        drain(&mut messages),
        vec![
            json!({"id": 8, "error": {"code": -32603, "message": "Internal error: handler for x/y panicked"}})
        ]
    );
}

/// Without any `[mcp_servers]`, each MCP method answers (nothing to list, nothing to call) rather than
/// -32601.
#[tokio::test]
async fn mcp_methods_answer_without_servers() {
    let (_codex_home, context) = context();
    let answers = [
        ("mcpServer/oauth/login", Some(json!({"name": "docs"}))),
        ("config/mcpServer/reload", None),
        ("mcpServerStatus/list", Some(json!({}))),
        (
            "mcpServer/resource/read",
            Some(json!({"server": "docs", "uri": "docs://readme"})),
        ),
        (
            "mcpServer/tool/call",
            Some(json!({"threadId": "t", "server": "docs", "tool": "search"})),
        ),
    ];
    let mut outcomes = Vec::new();
    for (method, params) in answers {
        let mut line = json!({"id": 1, "method": method});
        if let Some(params) = params {
            line["params"] = params;
        }
        let request: ClientRequest = serde_json::from_value(line).expect("decodes");
        outcomes.push(match route(context.clone(), request).await {
            Ok(answer) => Ok(answer.response().clone()),
            Err(error) => {
                let body = codex_app_server_protocol::JSONRPCErrorError::from(error);
                Err((body.code, body.message))
            }
        });
    }
    assert_eq!(
        outcomes,
        vec![
            Err((
                -32602,
                "Invalid params: unknown MCP server `docs`".to_string()
            )),
            Ok(json!({})),
            Ok(json!({"data": [], "nextCursor": null})),
            Err((
                -32602,
                "Invalid params: unknown MCP server `docs`".to_string()
            )),
            Err((-32600, "thread not found: t".to_string())),
        ]
    );
}
