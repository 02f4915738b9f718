//! Unified exec through the real binary: the model drives long-lived commands with `exec_command` and
//! `write_stdin` (a Python REPL on a PTY across two turns, a server that keeps running while the model
//! does other work and is then ended by the host), each session a `commandExecution` item whose output
//! streams under its own turn and whose writes are `terminalInteraction`s; an interrupt and the daemon's
//! exit end every session; errors and the output the model reads are upstream's.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::scripted_model;
use codex_app_server_tests::scripted_model::Next;
use codex_app_server_tests::scripted_model::Step;
use codex_app_server_tests::scripted_model::answer;
use codex_app_server_tests::scripted_model::function_call;
use codex_app_server_tests::scripted_model::respond;
use codex_app_server_tests::scripted_model::session_id;
use codex_app_server_tests::scripted_model::tool_output;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

#[path = "unified_exec/session.rs"]
mod session;

use session::Session;

/// The session id the model learnt from `call_id`'s output, shared between script steps.
type LearntId = Arc<Mutex<Option<i64>>>;

/// A step that reads the session id out of `call_id`'s output, then calls `write_stdin` with `chars`.
fn write_to_learnt(
    learnt: &LearntId,
    from_call: &'static str,
    call_id: &'static str,
    chars: &'static str,
    yield_ms: u64,
) -> Step {
    let learnt = Arc::clone(learnt);
    Box::new(move |body: &Value| {
        let mut known = learnt.lock().unwrap();
        if known.is_none() {
            *known = session_id(&tool_output(body, from_call));
        }
        let id = known.expect("the session is running");
        Next::Respond(function_call(
            call_id,
            "write_stdin",
            &json!({"session_id": id, "chars": chars, "yield_time_ms": yield_ms}),
        ))
    })
}

/// A step that polls the session started by `from_call` (empty writes) until the model has read
/// `needle` (a slow machine may take a while to print it), then answers with `then(session id, body)`.
fn poll_until(
    learnt: &LearntId,
    from_call: &'static str,
    needle: &'static str,
    mut then: impl FnMut(i64, &Value) -> MockResponse + Send + 'static,
) -> Step {
    static POLLS: AtomicUsize = AtomicUsize::new(0);
    let learnt = Arc::clone(learnt);
    let mut polls = 0;
    Box::new(move |body: &Value| {
        let mut known = learnt.lock().unwrap();
        if known.is_none() {
            *known = session_id(&tool_output(body, from_call));
        }
        let id = known.expect("the session is running");
        if scripted_model::all_tool_output(body).contains(needle) {
            return Next::Respond(then(id, body));
        }
        polls += 1;
        assert!(polls < 10, "{needle:?} never came");
        let poll = POLLS.fetch_add(1, Ordering::Relaxed);
        Next::Stay(function_call(
            &format!("poll-{poll}"),
            "write_stdin",
            &json!({"session_id": id, "chars": ""}),
        ))
    })
}

/// A `write_stdin` of `chars` to session `id`.
fn write(call_id: &str, id: i64, chars: &str, yield_ms: u64) -> MockResponse {
    function_call(
        call_id,
        "write_stdin",
        &json!({"session_id": id, "chars": chars, "yield_time_ms": yield_ms}),
    )
}

fn exec(call_id: &str, arguments: Value) -> Step {
    respond(function_call(call_id, "exec_command", &arguments))
}

/// How the daemon launches a command the model gave it, as the item shows it.
fn launched(cmd: &str) -> String {
    shlex::try_join([session::USER_SHELL, "-lc", cmd]).unwrap()
}

/// The notifications about item `item_id`, by method.
fn about<'a>(events: &'a [Value], method: &str, item_id: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|event| {
            event["method"] == method
                && (event["params"]["itemId"] == item_id
                    || event["params"]["item"]["id"] == item_id)
        })
        .collect()
}

#[tokio::test]
async fn the_model_drives_a_python_repl_across_two_turns() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let learnt: LearntId = Arc::default();
    scripted_model::install(
        &model,
        vec![
            exec(
                "start",
                json!({"cmd": "python3 -i -q", "tty": true, "yield_time_ms": 500}),
            ),
            write_to_learnt(&learnt, "start", "assign", "x = 41\n", 250),
            respond(answer("python is running")),
            write_to_learnt(&learnt, "start", "print", "print(x + 1)\n", 1000),
            poll_until(&learnt, "start", "42", |id, _| {
                write("exit", id, "exit()\n", 10_000)
            }),
            write_to_learnt(&learnt, "start", "after-exit", "1\n", 250),
            respond(answer("done")),
        ],
    );
    let mut session =
        Session::start(&model, workspace.path(), "never", "danger-full-access").await?;

    let first = session.run_turn("start python and set x").await?;
    let id = learnt.lock().unwrap().expect("a session id").to_string();
    let started = about(&first.events, "item/started", "start");
    assert_eq!(
        started[0]["params"]["item"],
        json!({
            "type": "commandExecution",
            "id": "start",
            "command": launched("python3 -i -q"),
            "cwd": workspace.path().display().to_string(),
            "processId": id,
            "source": "unifiedExecStartup",
            "status": "inProgress",
            "commandActions": [{"type": "unknown", "command": "python3 -i -q"}],
            "aggregatedOutput": null,
            "exitCode": null,
            "durationMs": null,
        })
    );
    assert_eq!(
        about(
            &first.events,
            "item/commandExecution/terminalInteraction",
            "start"
        )
        .iter()
        .map(|event| event["params"].clone())
        .collect::<Vec<_>>(),
        vec![json!({
            "threadId": session.thread_id,
            "turnId": first.turn_id,
            "itemId": "start",
            "processId": id,
            "stdin": "x = 41\n",
        })]
    );
    // The session outlives its turn: no completed item yet.
    assert_eq!(
        about(&first.events, "item/completed", "start"),
        Vec::<&Value>::new()
    );
    assert_eq!(first.status(), "completed");

    let second = session.run_turn("print x + 1, then quit").await?;
    assert_eq!(second.status(), "completed");
    let interactions = about(
        &second.events,
        "item/commandExecution/terminalInteraction",
        "start",
    );
    let typed: Vec<&str> = interactions
        .iter()
        .map(|event| event["params"]["stdin"].as_str().unwrap_or_default())
        .filter(|stdin| !stdin.is_empty())
        .collect();
    assert_eq!(typed, vec!["print(x + 1)\n", "exit()\n"]);
    assert!(
        interactions
            .iter()
            .all(|event| event["params"]["turnId"] == second.turn_id.as_str())
    );
    // Output and the end of the session are reported under the turn that started it.
    let deltas = about(&second.events, "item/commandExecution/outputDelta", "start");
    assert!(!deltas.is_empty());
    assert!(
        deltas
            .iter()
            .all(|event| event["params"]["turnId"] == first.turn_id.as_str())
    );
    let completed = about(&second.events, "item/completed", "start");
    assert_eq!(completed.len(), 1);
    let item = &completed[0]["params"]["item"];
    assert_eq!(completed[0]["params"]["turnId"], first.turn_id.as_str());
    assert_eq!(
        (&item["status"], &item["exitCode"], &item["processId"]),
        (&json!("completed"), &json!(0), &json!(id))
    );
    assert!(
        item["aggregatedOutput"]
            .as_str()
            .unwrap_or_default()
            .contains("42")
    );

    let bodies = model.responses_request_bodies().await;
    let last = bodies.last().expect("requests");
    let exit_output = tool_output(last, "exit");
    assert!(
        exit_output.contains("\nProcess exited with code 0\n"),
        "{exit_output}"
    );
    assert_eq!(
        tool_output(last, "after-exit"),
        format!("write_stdin failed: Unknown process id {id}")
    );
    // What the model read of its first call: the header, then the prompt if Python was that quick.
    let start_output = tool_output(last, "start");
    let header: Vec<&str> = start_output.lines().take(5).collect();
    assert!(
        header[0].starts_with("Chunk ID: ") && header[0].len() == 16,
        "{start_output}"
    );
    assert!(header[1].starts_with("Wall time: ") && header[1].ends_with(" seconds"));
    assert_eq!(header[2], format!("Process running with session ID {id}"));
    assert!(header[3].starts_with("Original token count: "));
    assert_eq!(header[4], "Output:");

    // thread/read files the session's item with the turn that started it.
    let read = session
        .server
        .call(
            "thread/read",
            json!({"threadId": session.thread_id, "includeTurns": true}),
        )
        .await?;
    let first_turn_items = read["thread"]["turns"][0]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let filed = first_turn_items
        .iter()
        .find(|item| item["id"] == "start")
        .expect("the session's item in its turn");
    assert_eq!(filed["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn a_server_keeps_running_while_the_model_works_and_the_host_ends_it() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let server_cmd = "python3 -u -c \"import http.server as h; s = h.HTTPServer(('127.0.0.1', 0), h.SimpleHTTPRequestHandler); print('PORT', s.server_port); s.serve_forever()\"";
    let learnt: LearntId = Arc::default();
    let fetch = |_, body: &Value| {
        let output = scripted_model::all_tool_output(body);
        let port = output
            .lines()
            .find_map(|line| line.strip_prefix("PORT "))
            .expect("the server printed its port")
            .trim()
            .to_string();
        function_call(
            "fetch",
            "exec_command",
            &json!({"cmd": format!("python3 -c \"import urllib.request as u; print(u.urlopen('http://127.0.0.1:{port}/').status)\"")}),
        )
    };
    scripted_model::install(
        &model,
        vec![
            exec("serve", json!({"cmd": server_cmd, "yield_time_ms": 1000})),
            poll_until(&learnt, "serve", "PORT ", fetch),
            respond(answer("the server answers")),
        ],
    );
    let mut session = Session::start_experimental(&model, workspace.path()).await?;
    let turn = session.run_turn("serve the directory and check it").await?;
    assert_eq!(turn.status(), "completed");
    let id = learnt.lock().unwrap().expect("a session id").to_string();

    // The other work ran to its end while the server kept running.
    let fetched = about(&turn.events, "item/completed", "fetch");
    assert_eq!(fetched[0]["params"]["item"]["exitCode"], 0);
    assert_eq!(fetched[0]["params"]["item"]["aggregatedOutput"], "200\n");
    assert_eq!(
        about(&turn.events, "item/completed", "serve"),
        Vec::<&Value>::new()
    );
    let listed = session
        .server
        .call(
            "thread/backgroundTerminals/list",
            json!({"threadId": session.thread_id}),
        )
        .await?;
    assert_eq!(
        listed,
        json!({"data": [{
            "itemId": "serve",
            "processId": id,
            "command": server_cmd,
            "cwd": workspace.path().display().to_string(),
            "osPid": null,
            "cpuPercent": null,
            "rssKb": null,
        }], "nextCursor": null})
    );

    let ended = session
        .server
        .call(
            "thread/backgroundTerminals/terminate",
            json!({"threadId": session.thread_id, "processId": id}),
        )
        .await?;
    assert_eq!(ended, json!({"terminated": true}));
    let completed = session
        .server
        .read_until(|message| {
            message["method"] == "item/completed" && message["params"]["item"]["id"] == "serve"
        })
        .await?;
    assert_eq!(completed["params"]["turnId"], turn.turn_id.as_str());
    let item = &completed["params"]["item"];
    assert_eq!(
        (&item["status"], &item["exitCode"]),
        (&json!("failed"), &json!(137))
    );
    assert!(
        item["aggregatedOutput"]
            .as_str()
            .unwrap_or_default()
            .contains("GET / HTTP")
    );
    let again = session
        .server
        .call(
            "thread/backgroundTerminals/terminate",
            json!({"threadId": session.thread_id, "processId": id}),
        )
        .await?;
    assert_eq!(again, json!({"terminated": false}));
    let listed = session
        .server
        .call(
            "thread/backgroundTerminals/list",
            json!({"threadId": session.thread_id}),
        )
        .await?;
    assert_eq!(listed, json!({"data": [], "nextCursor": null}));
    Ok(())
}

#[tokio::test]
async fn an_interrupt_ends_every_session_of_the_thread() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    scripted_model::install(
        &model,
        vec![
            exec(
                "first",
                json!({"cmd": "echo pid=$$; exec sleep 100", "yield_time_ms": 250}),
            ),
            exec(
                "second",
                json!({"cmd": "echo pid=$$; exec sleep 200", "yield_time_ms": 30000}),
            ),
        ],
    );
    let mut session =
        Session::start(&model, workspace.path(), "never", "danger-full-access").await?;
    let turn_id = session.start_turn("start two sleepers").await?;
    let mut pids = Vec::new();
    for item_id in ["first", "second"] {
        let delta = session
            .server
            .read_until(|message| {
                message["method"] == "item/commandExecution/outputDelta"
                    && message["params"]["itemId"] == item_id
            })
            .await?;
        pids.push(session::pid_in(
            delta["params"]["delta"].as_str().unwrap_or_default(),
        ));
    }
    session
        .server
        .call(
            "turn/interrupt",
            json!({"threadId": session.thread_id, "turnId": turn_id}),
        )
        .await?;
    let events = session.read_turn_to_its_end(&turn_id).await?;
    let ends: Vec<(String, Value, Value)> = events
        .events
        .iter()
        .filter(|event| {
            event["method"] == "item/completed"
                && event["params"]["item"]["type"] == "commandExecution"
        })
        .map(|event| {
            let item = &event["params"]["item"];
            (
                item["id"].as_str().unwrap_or_default().to_string(),
                item["status"].clone(),
                item["exitCode"].clone(),
            )
        })
        .collect();
    let mut sorted = ends.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sorted,
        vec![
            ("first".to_string(), json!("failed"), json!(137)),
            ("second".to_string(), json!("failed"), json!(137)),
        ]
    );
    assert_eq!(events.status(), "interrupted");
    for pid in pids {
        session::wait_until_gone(pid).await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_daemons_exit_ends_every_session() -> anyhow::Result<()> {
    for kill in [false, true] {
        let workspace = tempfile::tempdir()?;
        let model = MockModelServer::start().await;
        scripted_model::install(
            &model,
            vec![
                exec(
                    "sleeper",
                    json!({"cmd": "echo pid=$$; exec sleep 300", "yield_time_ms": 250}),
                ),
                respond(answer("left it running")),
            ],
        );
        let mut session =
            Session::start(&model, workspace.path(), "never", "danger-full-access").await?;
        let turn = session.run_turn("leave a sleeper").await?;
        // The command may print after its turn ended (a slow login shell): its delta comes then.
        let delta =
            match about(&turn.events, "item/commandExecution/outputDelta", "sleeper").first() {
                Some(delta) => (*delta).clone(),
                None => {
                    session
                        .server
                        .read_until(|message| {
                            message["method"] == "item/commandExecution/outputDelta"
                                && message["params"]["itemId"] == "sleeper"
                        })
                        .await?
                }
            };
        let pid = session::pid_in(delta["params"]["delta"].as_str().unwrap_or_default());
        assert!(Path::new(&format!("/proc/{pid}")).exists());
        if kill {
            session.server.kill().await?;
        } else {
            session.server.close_stdin();
            session.server.wait_exit(Duration::from_secs(30)).await?;
        }
        session::wait_until_gone(pid).await?;
    }
    Ok(())
}

#[tokio::test]
async fn errors_and_long_output_read_as_upstreams() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let learnt: LearntId = Arc::default();
    scripted_model::install(
        &model,
        vec![
            exec("seq", json!({"cmd": "seq 1 3000", "max_output_tokens": 20})),
            respond(function_call(
                "unknown",
                "write_stdin",
                &json!({"session_id": 999_999, "chars": "x"}),
            )),
            respond(function_call(
                "null-id",
                "write_stdin",
                &json!({"session_id": null}),
            )),
            exec(
                "pipes",
                json!({"cmd": "sleep 100", "yield_time_ms": 250, "login": false}),
            ),
            write_to_learnt(&learnt, "pipes", "typed", "x\n", 250),
            exec(
                "missing-dir",
                json!({"cmd": "echo hi", "workdir": "/nonexistent/dir"}),
            ),
            exec("evil-shell", json!({"cmd": "echo hi", "shell": "./evil"})),
            exec("exit7", json!({"cmd": "exit 7"})),
            respond(answer("done")),
        ],
    );
    let mut session =
        Session::start(&model, workspace.path(), "never", "danger-full-access").await?;
    let turn = session.run_turn("misbehave").await?;
    assert_eq!(turn.status(), "completed");
    let bodies = model.responses_request_bodies().await;
    let last = bodies.last().expect("requests");
    let head: String = (1..=16).map(|n| format!("{n}\n")).collect();
    let tail: String = (2993..=3000).map(|n| format!("{n}\n")).collect();
    assert_eq!(
        session::without_chunk_and_time(&tool_output(last, "seq")),
        format!(
            "Process exited with code 0\nOriginal token count: 3474\nOutput:\nWarning: truncated output (original token count: 3474)\nTotal output lines: 3000\n\n{head}1…3454 tokens truncated…{tail}"
        )
    );
    assert_eq!(
        tool_output(last, "unknown"),
        "write_stdin failed: Unknown process id 999999"
    );
    assert_eq!(
        tool_output(last, "null-id"),
        "failed to parse function arguments: invalid type: null, expected i32 at line 1 column 18"
    );
    assert_eq!(
        tool_output(last, "typed"),
        "write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open"
    );
    assert!(
        tool_output(last, "missing-dir").starts_with("exec_command failed: failed to start"),
        "{}",
        tool_output(last, "missing-dir")
    );
    assert_eq!(
        tool_output(last, "evil-shell"),
        "exec_command failed: shell `./evil` is not one of the system's shells (/etc/shells)"
    );
    assert!(tool_output(last, "exit7").contains("\nProcess exited with code 7\n"));

    let missing = about(&turn.events, "item/completed", "missing-dir");
    let item = &missing[0]["params"]["item"];
    assert_eq!(
        (&item["status"], &item["exitCode"], &item["processId"]),
        (&json!("failed"), &json!(-1), &Value::Null)
    );
    let exit7 = about(&turn.events, "item/completed", "exit7");
    assert_eq!(
        (
            &exit7[0]["params"]["item"]["status"],
            &exit7[0]["params"]["item"]["exitCode"]
        ),
        (&json!("failed"), &json!(7))
    );
    // Neither a bad write nor a refused start is a session of its own.
    assert_eq!(
        about(&turn.events, "item/started", "unknown"),
        Vec::<&Value>::new()
    );
    assert_eq!(
        about(&turn.events, "item/started", "evil-shell"),
        Vec::<&Value>::new()
    );
    Ok(())
}

#[tokio::test]
async fn sessions_run_in_the_sandbox_and_ask_as_any_command() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    scripted_model::install(
        &model,
        vec![
            exec(
                "write",
                json!({"cmd": "touch created.txt", "yield_time_ms": 5000}),
            ),
            respond(answer("tried")),
        ],
    );
    let mut session = Session::start(&model, workspace.path(), "never", "read-only").await?;
    let turn = session.run_turn("write a file").await?;
    let completed = about(&turn.events, "item/completed", "write");
    assert_ne!(completed[0]["params"]["item"]["exitCode"], 0);
    assert!(!workspace.path().join("created.txt").exists());

    let model = MockModelServer::start().await;
    scripted_model::install(
        &model,
        vec![
            exec(
                "asked",
                json!({"cmd": "touch asked.txt", "yield_time_ms": 5000, "prefix_rule": ["touch"]}),
            ),
            respond(answer("declined")),
        ],
    );
    let mut session =
        Session::start(&model, workspace.path(), "untrusted", "workspace-write").await?;
    let turn_id = session.start_turn("write a file, asking").await?;
    let request = session
        .server
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    assert_eq!(request["params"]["itemId"], "asked");
    // The model's suggested prefix is what the host is offered to approve for later commands.
    assert_eq!(
        request["params"]["proposedExecpolicyAmendment"],
        json!(["touch"])
    );
    session
        .server
        .answer(&request, json!({"decision": "decline"}))
        .await?;
    let turn = session.read_turn_to_its_end(&turn_id).await?;
    let completed = about(&turn.events, "item/completed", "asked");
    assert_eq!(completed[0]["params"]["item"]["status"], "declined");
    assert!(!workspace.path().join("asked.txt").exists());
    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        tool_output(bodies.last().expect("requests"), "asked"),
        "exec command rejected by user"
    );
    Ok(())
}

#[tokio::test]
async fn unified_exec_is_offered_unless_configured_off() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    for (extra, expected) in [
        (Vec::new(), vec!["exec_command", "write_stdin"]),
        (
            vec!["-c", "features.unified_exec=false"],
            vec!["shell_command"],
        ),
    ] {
        let model = MockModelServer::start().await;
        scripted_model::install(&model, vec![respond(answer("hi"))]);
        let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &extra)).await?;
        server.initialize().await?;
        let thread_id = server.start_thread_in(workspace.path()).await?;
        server
            .call(
                "turn/start",
                json!({"threadId": thread_id, "input": [text_input("hi")]}),
            )
            .await?;
        server.read_notification("turn/completed").await?;
        let bodies = model.responses_request_bodies().await;
        let names: Vec<&str> = bodies[0]["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|tool| tool["name"].as_str())
            .collect();
        assert_eq!(names[..expected.len()], expected[..], "{extra:?}");
        if expected[0] == "exec_command" {
            assert_eq!(bodies[0]["tools"][0], session::upstream_exec_command_spec());
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_hostile_session_stays_in_its_sandbox_and_its_children_end_with_it() -> anyhow::Result<()>
{
    let workspace = tempfile::tempdir()?;
    let root = workspace.path();
    std::fs::create_dir(root.join(".git"))?;
    let model = MockModelServer::start().await;
    let learnt: LearntId = Arc::default();
    // Children that leave the session's process group, each touching its marker every 50 ms (5 s at
    // most); the session itself keeps running.
    let hostile = "keep() { for i in $(seq 100); do touch \"$1\"; sleep 0.05; done; }; export -f keep; \
                   setsid bash -c 'keep setsid' & \
                   nohup bash -c 'keep nohup' > /dev/null 2>&1 & \
                   until [ -e setsid ] && [ -e nohup ]; do sleep 0.02; done; \
                   touch .git/planted; echo started; exec sleep 100";
    scripted_model::install(
        &model,
        vec![
            exec(
                "hostile",
                json!({"cmd": hostile, "shell": "bash", "yield_time_ms": 1000}),
            ),
            poll_until(&learnt, "hostile", "started", |_, _| {
                answer("left them running")
            }),
        ],
    );
    let mut session = Session::start_experimental_in(&model, root, "workspace-write").await?;
    let turn = session.run_turn("misbehave in the background").await?;
    assert_eq!(turn.status(), "completed");
    let bodies = model.responses_request_bodies().await;
    let output = scripted_model::all_tool_output(bodies.last().expect("requests"));
    assert!(output.contains("Read-only file system"), "{output}");
    assert!(output.contains("started"), "{output}");
    assert!(!root.join(".git/planted").exists());

    let id = session_id(&output).expect("the session runs");
    let ended = session
        .server
        .call(
            "thread/backgroundTerminals/terminate",
            json!({"threadId": session.thread_id, "processId": id.to_string()}),
        )
        .await?;
    assert_eq!(ended, json!({"terminated": true}));
    let markers = ["setsid", "nohup"].map(|name| root.join(name));
    for marker in &markers {
        std::fs::remove_file(marker)?;
    }
    assert_eq!(
        session::appearing(&markers, Duration::from_secs(1)).await,
        Vec::<std::path::PathBuf>::new(),
        "a child outlived its session"
    );
    Ok(())
}
