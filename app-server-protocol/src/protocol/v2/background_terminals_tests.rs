//! Round trips of the background terminal methods and of `item/commandExecution/terminalInteraction`
//! against JSON in the shapes of upstream 0.171's (experimental) schema.

use pretty_assertions::assert_eq;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::json;

use super::*;
use crate::ClientMethod;
use crate::ClientRequest;
use crate::JSONRPCNotification;
use crate::RequestId;
use crate::ServerNotification;
use crate::ThreadItem;
use crate::methods;
use crate::protocol::v2::CommandExecutionSource;
use crate::protocol::v2::TerminalInteractionNotification;

/// Decodes `value` as `T`, re-encodes it, and checks the JSON is unchanged.
fn assert_round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), value);
    decoded
}

#[test]
fn list_params_take_an_optional_cursor_and_limit() {
    let sparse: ThreadBackgroundTerminalsListParams =
        serde_json::from_value(json!({"threadId": "thr_1"})).expect("decodes");
    assert_eq!(
        sparse,
        ThreadBackgroundTerminalsListParams {
            thread_id: "thr_1".to_string(),
            cursor: None,
            limit: None,
        }
    );
    let full = assert_round_trip::<ThreadBackgroundTerminalsListParams>(
        json!({"threadId": "thr_1", "cursor": "1042", "limit": 2}),
    );
    assert_eq!(
        (full.cursor.as_deref(), full.limit),
        (Some("1042"), Some(2))
    );
    let missing = serde_json::from_value::<ThreadBackgroundTerminalsListParams>(json!({}))
        .expect_err("threadId is required");
    assert_eq!(missing.to_string(), "missing field `threadId`");
}

#[test]
fn a_listed_terminal_sends_its_statistics_as_null() {
    let response = ThreadBackgroundTerminalsListResponse {
        data: vec![ThreadBackgroundTerminal {
            item_id: "call_1".to_string(),
            process_id: "1042".to_string(),
            command: "npm run dev".to_string(),
            cwd: "/repo".to_string(),
            os_pid: None,
            cpu_percent: None,
            rss_kb: None,
        }],
        next_cursor: None,
    };
    let encoded = json!({"data": [{
        "itemId": "call_1", "processId": "1042", "command": "npm run dev", "cwd": "/repo",
        "osPid": null, "cpuPercent": null, "rssKb": null
    }], "nextCursor": null});
    assert_eq!(serde_json::to_value(&response).expect("encodes"), encoded);
    assert_eq!(
        assert_round_trip::<ThreadBackgroundTerminalsListResponse>(encoded),
        response
    );
    let measured = assert_round_trip::<ThreadBackgroundTerminal>(json!({
        "itemId": "call_2", "processId": "1043", "command": "top", "cwd": "/",
        "osPid": 4242, "cpuPercent": 12.5, "rssKb": 2048
    }));
    assert_eq!(
        (measured.os_pid, measured.cpu_percent, measured.rss_kb),
        (Some(4242), Some(12.5), Some(2048))
    );
    let sparse: ThreadBackgroundTerminal = serde_json::from_value(
        json!({"itemId": "call_3", "processId": "1044", "command": "sleep 9", "cwd": "/"}),
    )
    .expect("the statistics may be absent");
    assert_eq!(sparse.os_pid, None);
}

#[test]
fn terminate_and_clean_round_trip() {
    let terminate = assert_round_trip::<ThreadBackgroundTerminalsTerminateParams>(
        json!({"threadId": "thr_1", "processId": "1042"}),
    );
    assert_eq!(terminate.process_id, "1042");
    assert_round_trip::<ThreadBackgroundTerminalsTerminateResponse>(json!({"terminated": true}));
    assert_round_trip::<ThreadBackgroundTerminalsCleanParams>(json!({"threadId": "thr_1"}));
    assert_round_trip::<ThreadBackgroundTerminalsCleanResponse>(json!({}));
}

#[test]
fn the_three_methods_are_experimental_by_name() {
    let calls = [
        json!({"id": 1, "method": "thread/backgroundTerminals/list", "params": {"threadId": "t"}}),
        json!({"id": 2, "method": "thread/backgroundTerminals/terminate",
               "params": {"threadId": "t", "processId": "1"}}),
        json!({"id": 3, "method": "thread/backgroundTerminals/clean", "params": {"threadId": "t"}}),
    ];
    for call in calls {
        let request: ClientRequest = serde_json::from_value(call.clone()).expect("decodes");
        assert!(request.is_experimental_method(), "{call}");
        assert_eq!(
            request.experimental_reason().as_deref(),
            call["method"].as_str()
        );
    }
    assert_eq!(
        [
            methods::ThreadBackgroundTerminalsList::EXPERIMENTAL,
            methods::ThreadBackgroundTerminalsTerminate::EXPERIMENTAL,
            methods::ThreadBackgroundTerminalsClean::EXPERIMENTAL,
            methods::ThreadCompactStart::EXPERIMENTAL,
        ],
        [true, true, true, false]
    );
    let compact: ClientRequest = serde_json::from_value(
        json!({"id": 4, "method": "thread/compact/start", "params": {"threadId": "t"}}),
    )
    .expect("decodes");
    assert!(!compact.is_experimental_method());
    assert_eq!(compact.id(), &RequestId::Integer(4));
}

#[test]
fn terminal_interaction_matches_upstream() {
    let line = json!({"method": "item/commandExecution/terminalInteraction", "params": {
        "threadId": "thr_1", "turnId": "turn_2", "itemId": "call_1", "processId": "1042",
        "stdin": "q\n"
    }});
    let notification: ServerNotification = assert_round_trip(line.clone());
    assert_eq!(
        notification,
        ServerNotification::TerminalInteraction(TerminalInteractionNotification {
            thread_id: "thr_1".to_string(),
            turn_id: "turn_2".to_string(),
            item_id: "call_1".to_string(),
            process_id: "1042".to_string(),
            stdin: "q\n".to_string(),
        })
    );
    let envelope = JSONRPCNotification::from(notification);
    assert_eq!(serde_json::to_value(envelope).expect("encodes"), line);
}

#[test]
fn a_unified_exec_command_names_its_session_and_source() {
    let item = assert_round_trip::<ThreadItem>(json!({
        "type": "commandExecution", "id": "call_1", "command": "npm run dev", "cwd": "/repo",
        "processId": "1042", "status": "inProgress", "commandActions": [],
        "aggregatedOutput": null, "exitCode": null, "durationMs": null,
        "source": "unifiedExecStartup"
    }));
    let ThreadItem::CommandExecution { source, .. } = item else {
        panic!("not a command execution");
    };
    assert_eq!(source, CommandExecutionSource::UnifiedExecStartup);
}
