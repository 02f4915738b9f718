//! The session store against real processes: ids, the cap, listing, ending, and the completed items.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use tokio::sync::mpsc;

use super::*;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadEvent;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event_sink::EventSink;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::sandbox::SandboxPolicy;
use crate::tools::exec::ExecCommand;

struct Store {
    sessions: UnifiedExecSessions,
    events: mpsc::Receiver<ThreadEvent>,
    filed: Arc<std::sync::Mutex<Vec<(String, TurnItem)>>>,
}

fn store() -> Store {
    let (sender, events) = mpsc::channel(4096);
    let filed = Arc::new(std::sync::Mutex::new(Vec::new()));
    let filed_by_store = Arc::clone(&filed);
    let sessions = UnifiedExecSessions::new(ProcessReporter {
        events: EventSink::new("thread-1", sender, ThreadStatus::Idle),
        file_item: Arc::new(move |turn_id: &str, item| {
            filed_by_store
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((turn_id.to_string(), item));
        }),
    });
    Store {
        sessions,
        events,
        filed,
    }
}

fn script(script: &str) -> ExecParams {
    let cwd = std::env::temp_dir();
    ExecParams {
        command: ExecCommand::Argv(vec!["/bin/sh".into(), "-c".into(), script.into()]),
        cwd: cwd.clone(),
        timeout: Duration::from_secs(3600),
        env: HashMap::new(),
        sandbox: SandboxPolicy::DangerFullAccess,
        sandbox_cwd: cwd,
        codex_home: std::env::temp_dir().join("no-codex-home"),
    }
}

fn origin(call_id: &str, command: &str, id: i32) -> ProcessOrigin {
    ProcessOrigin {
        turn_id: "turn-1".to_string(),
        item: TurnItem::CommandExecution {
            id: call_id.to_string(),
            command: command.to_string(),
            cwd: "/tmp".to_string(),
            status: ToolItemStatus::InProgress,
            command_actions: Vec::new(),
            aggregated_output: None,
            exit_code: None,
            duration_ms: None,
            source: CommandSource::UnifiedExecStartup,
            process_id: Some(id.to_string()),
        },
        model_command: command.to_string(),
        cwd: "/tmp".to_string(),
    }
}

fn start(store: &Store, call_id: &str, command: &str) -> Arc<UnifiedExecProcess> {
    let id = store.sessions.reserve_id();
    assert!(ID_RANGE.contains(&id), "{id}");
    store.sessions.start(
        id,
        script(command),
        SessionStdio::Pipes { stdin: false },
        origin(call_id, command, id),
    )
}

/// The completed items reported so far, by call id.
fn completed(
    events: &mut mpsc::Receiver<ThreadEvent>,
) -> Vec<(String, Option<i32>, ToolItemStatus)> {
    let mut completed = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EventMsg::ItemCompleted {
            item:
                TurnItem::CommandExecution {
                    id,
                    exit_code,
                    status,
                    ..
                },
            ..
        } = event.msg
        {
            completed.push((id, exit_code, status));
        }
    }
    completed.sort_by(|a, b| a.0.cmp(&b.0));
    completed
}

#[tokio::test]
async fn a_session_reports_its_output_and_its_end_then_files_its_item() {
    let mut store = store();
    let process = start(&store, "call-1", "echo one; exit 3");
    assert_eq!(process.wait_end().await, ProcessEnd::Exited(3));
    assert_eq!(process.take_unread().text, "one\n");
    let mut deltas = Vec::new();
    let mut items = Vec::new();
    while let Ok(event) = store.events.try_recv() {
        match event.msg {
            EventMsg::CommandOutputDelta {
                turn_id,
                item_id,
                delta,
            } => deltas.push((turn_id, item_id, delta)),
            EventMsg::ItemCompleted { item, .. } => items.push(item),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(
        deltas,
        vec![(
            "turn-1".to_string(),
            "call-1".to_string(),
            "one\n".to_string()
        )]
    );
    let TurnItem::CommandExecution {
        status,
        exit_code,
        aggregated_output,
        process_id,
        ..
    } = &items[0]
    else {
        panic!("not a command: {items:?}");
    };
    assert_eq!(
        (status, exit_code, aggregated_output.as_deref(), process_id),
        (
            &ToolItemStatus::Failed,
            &Some(3),
            Some("one\n"),
            &Some(process.id.to_string())
        )
    );
    let filed = store
        .filed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert_eq!(filed, vec![("turn-1".to_string(), items[0].clone())]);
}

#[tokio::test]
async fn running_sessions_are_listed_by_id_and_ended_on_request() {
    let mut store = store();
    let first = start(&store, "call-a", "sleep 100");
    let second = start(&store, "call-b", "sleep 101");
    let mut expected = vec![
        BackgroundTerminal {
            item_id: "call-a".to_string(),
            process_id: first.id.to_string(),
            command: "sleep 100".to_string(),
            cwd: "/tmp".to_string(),
        },
        BackgroundTerminal {
            item_id: "call-b".to_string(),
            process_id: second.id.to_string(),
            command: "sleep 101".to_string(),
            cwd: "/tmp".to_string(),
        },
    ];
    expected.sort_by_key(|terminal| terminal.process_id.parse::<i32>().unwrap_or_default());
    assert_eq!(store.sessions.list(), expected);

    assert!(store.sessions.terminate(first.id).await);
    assert!(!store.sessions.terminate(first.id).await);
    assert_eq!(first.end(), Some(ProcessEnd::Exited(137)));
    assert_eq!(store.sessions.list().len(), 1);

    store.sessions.terminate_all().await;
    assert_eq!(second.end(), Some(ProcessEnd::Exited(137)));
    assert!(store.sessions.is_empty());
    assert_eq!(
        completed(&mut store.events),
        vec![
            ("call-a".to_string(), Some(137), ToolItemStatus::Failed),
            ("call-b".to_string(), Some(137), ToolItemStatus::Failed),
        ]
    );
}

#[tokio::test]
async fn past_the_cap_the_least_recently_used_session_is_ended() {
    let mut store = store();
    let oldest = start(&store, "call-oldest", "sleep 100");
    let used = start(&store, "call-used", "sleep 100");
    let mut others = Vec::new();
    for n in 0..MAX_SESSIONS - 2 {
        others.push(start(&store, &format!("call-{n:02}"), "sleep 100"));
    }
    assert_eq!(store.sessions.len(), MAX_SESSIONS);
    // Reading `used` makes it recent: `oldest` is the one ended to make room.
    used.take_unread();
    let newest = start(&store, "call-newest", "sleep 100");
    assert_eq!(oldest.wait_end().await, ProcessEnd::Exited(137));
    assert_eq!(store.sessions.len(), MAX_SESSIONS);
    assert!(store.sessions.get(oldest.id).is_none());
    assert!(store.sessions.get(used.id).is_some());
    assert!(store.sessions.get(newest.id).is_some());
    assert_eq!(
        completed(&mut store.events),
        vec![("call-oldest".to_string(), Some(137), ToolItemStatus::Failed)]
    );
    store.sessions.terminate_all().await;
}

#[tokio::test]
async fn a_session_that_cannot_start_says_why() {
    let store = store();
    let id = store.sessions.reserve_id();
    let mut params = script("true");
    params.cwd = "/nonexistent/dir".into();
    let process = store.sessions.start(
        id,
        params,
        SessionStdio::Pipes { stdin: false },
        origin("call-1", "true", id),
    );
    let ProcessEnd::Failed(reason) = process.wait_end().await else {
        panic!("started in a missing directory");
    };
    assert!(reason.contains("/nonexistent/dir"), "{reason}");
}
