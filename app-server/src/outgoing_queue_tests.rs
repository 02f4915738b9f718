//! The outgoing queue's budgets, on the current-thread runtime `#[tokio::test]` gives (the old credit did
//! nothing there) and on a multi-threaded one.

use std::time::Duration;

use codex_app_server_protocol::JSONRPCNotification;
use codex_app_server_protocol::JSONRPCResponse;
use codex_app_server_protocol::RequestId;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn notification(summary: &str) -> JSONRPCMessage {
    JSONRPCMessage::Notification(JSONRPCNotification {
        method: "deprecationNotice".to_string(),
        params: Some(json!({"summary": summary})),
    })
}

fn response(id: i64) -> JSONRPCMessage {
    JSONRPCMessage::Response(JSONRPCResponse {
        id: RequestId::Integer(id),
        result: json!({}),
    })
}

fn written(message: QueuedMessage) -> serde_json::Value {
    serde_json::to_value(message.into_message()).expect("wire messages serialize")
}

/// Lets every other task on the runtime run until it blocks.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

async fn full_queue_blocks_until_the_writer_drains_it() {
    let (queue, mut messages) = bounded_outgoing_queue(2, 8);
    queue.push_notification(notification("1")).await;
    queue.push_notification(notification("2")).await;
    let third = tokio::spawn({
        let queue = queue.clone();
        async move { queue.push_notification(notification("3")).await }
    });
    settle().await;
    assert!(
        !third.is_finished(),
        "a third notification fit in a queue of two"
    );
    // Answers never wait for notification room, so this one is queued before the blocked third.
    queue.push_answer(RequestSlot::unbudgeted(), response(7));
    assert_eq!(queue.notifications_unwritten(), 2);
    let first = messages.recv().await.expect("first");
    assert!(
        !third.is_finished(),
        "room was made before anything was written"
    );
    drop(first);
    tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("writing one made room")
        .expect("joined");
    let rest: Vec<_> = std::iter::from_fn(|| messages.try_recv())
        .map(written)
        .collect();
    assert_eq!(
        rest,
        vec![
            json!({"method": "deprecationNotice", "params": {"summary": "2"}}),
            json!({"id": 7, "result": {}}),
            json!({"method": "deprecationNotice", "params": {"summary": "3"}}),
        ]
    );
    assert_eq!(queue.notifications_unwritten(), 0);
}

#[tokio::test]
async fn a_full_notification_queue_blocks_until_drained_on_a_current_thread_runtime() {
    full_queue_blocks_until_the_writer_drains_it().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_notification_queue_blocks_until_drained_on_a_multi_thread_runtime() {
    full_queue_blocks_until_the_writer_drains_it().await;
}

#[tokio::test]
async fn no_request_slot_is_free_until_an_answer_is_written() {
    let (queue, mut messages) = bounded_outgoing_queue(8, 2);
    let first = queue.request_slot().await;
    let _second = queue.request_slot().await;
    let third = tokio::spawn({
        let queue = queue.clone();
        async move { queue.request_slot().await }
    });
    settle().await;
    assert!(
        !third.is_finished(),
        "a third request was read with two in flight"
    );
    queue.push_answer(first, response(1));
    settle().await;
    assert!(
        !third.is_finished(),
        "a queued but unwritten answer freed its slot"
    );
    drop(messages.recv().await.expect("the answer"));
    tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("writing the answer freed its slot")
        .expect("joined");
}

#[tokio::test]
async fn a_closed_connection_never_blocks_anyone() {
    let (queue, messages) = bounded_outgoing_queue(1, 1);
    let _held = queue.request_slot().await;
    queue
        .push_notification(notification("fills the queue"))
        .await;
    let blocked = tokio::spawn({
        let queue = queue.clone();
        async move { queue.push_notification(notification("waits")).await }
    });
    settle().await;
    assert!(!blocked.is_finished());
    drop(messages);
    let unblocked = async {
        blocked.await.expect("joined");
        for summary in ["a", "b", "c"] {
            queue.push_notification(notification(summary)).await;
        }
        queue.request_slot().await
    };
    tokio::time::timeout(Duration::from_secs(5), unblocked)
        .await
        .expect("nothing waits for a writer that is gone");
}
