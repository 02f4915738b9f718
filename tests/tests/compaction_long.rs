//! Compaction under load, through the real binary against the mock model: a 30-turn thread of large
//! messages stays inside an enforced context window by compacting several times; a compaction between a
//! tool call and its follow-up request; a context-window error compacts once and retries once (and fails
//! readably when even that does not fit); a failed summary fails the turn and leaves the history alone;
//! and rollouts upstream Codex 0.171 compacted (its own summary, and a remote `compaction` item) resume
//! compacted. The upstream tests drive the cached upstream binary (`upstream_codex`) against the same
//! mock. Tests marked `ignore` show what the daemon does not do yet; each says why.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::request_tokens;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::model_input::conversation;
use codex_app_server_tests::turns::TurnRun;
use codex_app_server_tests::turns::read_turn_items;
use codex_app_server_tests::turns::run_turn;
use codex_app_server_tests::upstream::UPSTREAM_0_171;
use codex_app_server_tests::upstream::upstream_codex;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A server on the mock model whose threads compact past `limit` tokens (when given).
fn options(model: &MockModelServer, limit: Option<i64>) -> AppServerOptions {
    let limit = limit.map(|limit| format!("model_auto_compact_token_limit={limit}"));
    let extra: Vec<&str> = limit.iter().flat_map(|arg| ["-c", arg.as_str()]).collect();
    mock_provider_options(&model.uri(), &extra)
}

/// A running server with one thread, in a workspace where commands run without approval.
struct Session {
    server: AppServer,
    thread_id: String,
    _workspace: tempfile::TempDir,
}

impl Session {
    async fn start(options: AppServerOptions) -> anyhow::Result<Self> {
        let mut server = AppServer::spawn_with(options).await?;
        server.initialize().await?;
        let workspace = tempfile::tempdir()?;
        let thread_id = start_thread(&mut server, workspace.path()).await?;
        Ok(Self {
            server,
            thread_id,
            _workspace: workspace,
        })
    }

    async fn turn(&mut self, text: &str) -> anyhow::Result<TurnRun> {
        run_turn(&mut self.server, &self.thread_id, text).await
    }

    async fn turn_items(&mut self) -> anyhow::Result<Vec<Vec<String>>> {
        read_turn_items(&mut self.server, &self.thread_id).await
    }
}

async fn start_thread(server: &mut AppServer, cwd: &Path) -> anyhow::Result<String> {
    let params = json!({"cwd": cwd, "approvalPolicy": "never", "sandbox": "danger-full-access"});
    let started = server.call("thread/start", params).await?;
    Ok(started["thread"]["id"].as_str().unwrap().to_string())
}

fn answer(text: &str) -> MockResponse {
    MockResponse::assistant_message(&[text], Some("final_answer"))
}

/// The refusal of an input too large for the model, as the API sends it.
fn context_length_exceeded() -> MockResponse {
    let error = json!({"type": "invalid_request_error", "code": "context_length_exceeded", "message": "Your input exceeds the context window of this model."});
    MockResponse::error(400, json!({ "error": error }))
}

/// A summarization request: the only model request that offers no tools.
fn is_compaction(body: &Value) -> bool {
    body["tools"].as_array().is_none_or(Vec::is_empty)
}

/// Which requests were summarization requests, in order.
fn kinds(bodies: &[Value]) -> Vec<bool> {
    bodies.iter().map(is_compaction).collect()
}

/// A user message of `bytes` bytes that starts with `message NN`.
fn large_message(index: usize, bytes: usize) -> String {
    let mut text = format!("message {index:02} ");
    while text.len() < bytes {
        text.push_str("lorem ipsum dolor sit amet ");
    }
    text.truncate(bytes);
    text
}

/// Answers every model request the queue has nothing for from what it asks: `SUMMARY n` for the n-th
/// summarization request, `answer n` for the n-th other one.
fn answer_by_kind(model: &MockModelServer) {
    let (summaries, answers) = (AtomicUsize::new(1), AtomicUsize::new(1));
    model.set_responder(move |body| {
        let (kind, count) = if is_compaction(body) {
            ("SUMMARY", &summaries)
        } else {
            ("answer", &answers)
        };
        answer(&format!("{kind} {}", count.fetch_add(1, Ordering::SeqCst)))
    });
}

/// The enforced window, the thread's limit and the size of each user message (~2,000 tokens): the
/// thread passes the limit after a dozen turns and, once compacted to ~21,000 tokens (the user's newest
/// 20,000 tokens of messages and the summary), every few turns after that.
const WINDOW: i64 = 32_000;
const LIMIT: i64 = 26_000;
const MESSAGE_BYTES: usize = 8_000;
const TURNS: usize = 30;

#[tokio::test]
async fn thirty_turns_of_large_messages_compact_and_stay_within_the_window() -> anyhow::Result<()> {
    thirty_turns_stay_within(WINDOW, LIMIT, MESSAGE_BYTES).await
}

#[tokio::test]
async fn a_thread_with_a_small_window_compacts_below_its_limit() -> anyhow::Result<()> {
    thirty_turns_stay_within(9_000, 6_000, 2_000).await
}

/// 30 turns of `message_bytes` each in a thread that compacts past `limit`, on a model of `window`
/// tokens: every turn completes, the thread compacts at least twice (exactly when its context reached
/// the limit), every request fits, and each compacted history is back under the limit with the user's
/// newest messages and the latest summary only.
async fn thirty_turns_stay_within(window: i64, limit: i64, bytes: usize) -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.enforce_context_window(window);
    answer_by_kind(&model);
    let mut session = Session::start(options(&model, Some(limit))).await?;
    let mut outcomes = Vec::new();
    let mut compaction_items = 0;
    for index in 1..=TURNS {
        let run = session.turn(&large_message(index, bytes)).await?;
        outcomes.push(run.outcome());
        let items = run.count("item/completed contextCompaction");
        let announced = (
            run.count("item/started contextCompaction"),
            run.count("thread/compacted"),
        );
        assert_eq!(
            announced,
            (items, items),
            "turn {index}: {:?}",
            run.labels()
        );
        compaction_items += items;
    }
    assert_eq!(outcomes, vec!["completed"; TURNS]);

    let bodies = model.responses_request_bodies().await;
    let sizes: Vec<i64> = bodies.iter().map(request_tokens).collect();
    assert!(
        sizes.iter().all(|&size| size <= window),
        "a request did not fit: {sizes:?}"
    );
    let compactions: Vec<usize> = (0..bodies.len())
        .filter(|&i| is_compaction(&bodies[i]))
        .collect();
    assert!(compactions.len() >= 2, "{compactions:?} of {sizes:?}");
    assert_eq!(compaction_items, compactions.len());
    assert_eq!(
        bodies.len(),
        TURNS + compactions.len(),
        "a request a turn, plus the summaries"
    );
    for (i, body) in bodies.iter().enumerate().take(bodies.len() - 1) {
        // The mock reports a request's size plus 10 output tokens as the context.
        if !is_compaction(body) && sizes[i] + 10 >= limit {
            assert!(
                is_compaction(&bodies[i + 1]),
                "request {i} reached the limit: {sizes:?}"
            );
        }
    }
    let message_line = |index: usize| format!("user: {}", &large_message(index, bytes)[..40]);
    for (n, &at) in compactions.iter().enumerate() {
        assert!(
            sizes[at + 1] < limit,
            "request {} after a compaction: {sizes:?}",
            at + 1
        );
        // Each earlier request is one turn's, or a summary: this is turn `at + 1 - n`'s request.
        let turn = at + 1 - n;
        let (mut users, rest): (Vec<String>, Vec<String>) = conversation(&bodies[at + 1])
            .into_iter()
            .partition(|line| line.starts_with("user: "));
        // The oldest message kept may be cut to what fit the budget (its end kept, marked `[...]`).
        if users
            .first()
            .is_some_and(|line| line.starts_with("user: [...]"))
        {
            users.remove(0);
        }
        let newest: Vec<String> = (turn + 1 - users.len()..=turn).map(message_line).collect();
        assert_eq!(
            users, newest,
            "the user's newest messages, this turn's included"
        );
        assert_eq!(
            rest,
            [format!("summary: SUMMARY {}", n + 1)],
            "no answer, no older summary"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_tool_call_turn_compacts_before_its_follow_up_request() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let arguments = json!({"command": ["bash", "-c", "echo hi"]}).to_string();
    let call = MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::function_call("call_1", "shell", &arguments),
        sse::completed("resp_1"),
    ]);
    let summary = answer("SUMMARY: echo printed hi");
    model.push_responses([
        call.with_total_tokens(5_000),
        summary,
        answer("echo said hi"),
    ]);
    let mut session = Session::start(options(&model, Some(1_000))).await?;
    let run = session.turn("run echo hi").await?;
    assert_eq!(run.outcome(), "completed");
    let labels = run.labels();
    let without_deltas: Vec<&str> = labels
        .iter()
        .map(String::as_str)
        .filter(|label| !label.ends_with("elta"))
        .collect();
    assert_eq!(
        without_deltas,
        [
            "turn/started",
            "item/started userMessage",
            "item/completed userMessage",
            "thread/tokenUsage/updated",
            "item/started commandExecution",
            "item/completed commandExecution",
            "item/started contextCompaction",
            "item/completed contextCompaction",
            "thread/compacted",
            "thread/tokenUsage/updated",
            "item/started agentMessage",
            "item/completed agentMessage",
            "thread/tokenUsage/updated",
        ]
    );
    // The host is told the compacted context's size: the estimate of the new history, under the limit.
    let compacted = labels
        .iter()
        .position(|label| label == "thread/compacted")
        .unwrap();
    let usage = &run.events[compacted + 1]["params"]["tokenUsage"];
    let last = usage["last"]["totalTokens"].as_i64().unwrap_or_default();
    assert!((1..1_000).contains(&last), "{usage}");

    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        kinds(&bodies),
        [false, true, false],
        "the call, the summary, the follow-up"
    );
    // The summary is asked for with the call and its output, so it can tell what the command did...
    let summarized = conversation(&bodies[1]);
    assert_eq!(summarized[..2], ["user: run echo hi", "call call_1"]);
    let output = &summarized[2];
    assert!(
        output.starts_with("output call_1: Exit code: 0") && output.ends_with("\nhi"),
        "{output}"
    );
    // ...and the follow-up goes on from the compacted history: the user's message and the summary.
    let follow_up = conversation(&bodies[2]);
    assert_eq!(
        follow_up,
        ["user: run echo hi", "summary: SUMMARY: echo printed hi"]
    );
    let items = [
        "user: run echo hi",
        "commandExecution",
        "contextCompaction",
        "agent: echo said hi",
    ];
    assert_eq!(session.turn_items().await?, [items]);
    Ok(())
}

#[tokio::test]
async fn a_context_window_error_compacts_once_and_retries() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        answer("first answer"),
        context_length_exceeded(),
        answer("SUMMARY of the first exchange"),
        answer("second answer"),
    ]);
    let mut session = Session::start(options(&model, None)).await?;
    assert_eq!(session.turn("first question").await?.outcome(), "completed");
    let run = session.turn("second question").await?;
    assert_eq!(run.outcome(), "completed");
    let counts = [
        "item/completed contextCompaction",
        "thread/compacted",
        "error",
    ]
    .map(|label| run.count(label));
    assert_eq!(
        counts,
        [1, 1, 0],
        "one compaction, no error: {:?}",
        run.labels()
    );

    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        kinds(&bodies),
        [false, false, true, false],
        "turn 1, refused, summary, retry"
    );
    let refused = [
        "user: first question",
        "assistant: first answer",
        "user: second question",
    ];
    assert_eq!(conversation(&bodies[1]), refused);
    assert_eq!(
        conversation(&bodies[2])[..3],
        refused,
        "the summary is of the whole history"
    );
    assert_eq!(
        conversation(&bodies[3]),
        [
            "user: first question",
            "user: second question",
            "summary: SUMMARY of the first exchange"
        ]
    );
    let items = [
        "user: second question",
        "contextCompaction",
        "agent: second answer",
    ];
    assert_eq!(session.turn_items().await?[1], items);
    Ok(())
}

#[tokio::test]
async fn a_request_too_large_even_compacted_fails_after_one_compaction() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        answer("first answer"),
        context_length_exceeded(),
        answer("SUMMARY of the first exchange"),
        context_length_exceeded(),
        answer("third answer"),
    ]);
    let mut session = Session::start(options(&model, None)).await?;
    assert_eq!(session.turn("first question").await?.outcome(), "completed");
    let run = session.turn("second question").await?;
    let message = "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.";
    let error = json!({"message": message, "codexErrorInfo": "contextWindowExceeded", "additionalDetails": null});
    assert_eq!(
        (&run.turn["status"], &run.turn["error"]),
        (&json!("failed"), &error)
    );
    assert_eq!(
        run.count("item/completed contextCompaction"),
        1,
        "{:?}",
        run.labels()
    );
    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        kinds(&bodies),
        [false, false, true, false],
        "one compaction, one retry, no loop"
    );

    // The thread goes on from the compacted history.
    assert_eq!(session.turn("third question").await?.outcome(), "completed");
    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        conversation(&bodies[4]),
        [
            "user: first question",
            "user: second question",
            "summary: SUMMARY of the first exchange",
            "user: third question",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_failed_summary_fails_the_turn_and_keeps_the_history() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let refusal =
        json!({"error": {"type": "invalid_request_error", "message": "mock: no summaries today"}});
    model.push_responses([
        answer("first answer").with_total_tokens(5_000),
        MockResponse::error(400, refusal),
        answer("SUMMARY of both questions"),
        answer("third answer"),
    ]);
    let mut session = Session::start(options(&model, Some(1_000))).await?;
    assert_eq!(session.turn("first question").await?.outcome(), "completed");
    let run = session.turn("second question").await?;
    let message = "compacting the conversation failed: unexpected status 400 Bad Request: mock: no summaries today";
    let error =
        json!({"message": message, "codexErrorInfo": "badRequest", "additionalDetails": null});
    assert_eq!(
        (&run.turn["status"], &run.turn["error"]),
        (&json!("failed"), &error)
    );
    let labels = run.labels();
    assert_eq!(
        labels.last().map(String::as_str),
        Some("error"),
        "{labels:?}"
    );
    // The compaction started (the host could show it running) but never completed.
    assert!(
        labels.contains(&"item/started contextCompaction".to_string())
            && !labels
                .iter()
                .any(|label| label == "item/completed contextCompaction"
                    || label.starts_with("thread/compacted")),
        "{labels:?}"
    );

    // The daemon keeps serving, and the history is as it was (the failed turn's message included): the
    // next turn's summary request (the thread is still past its limit) carries every earlier message,
    // and the new question comes after the summary.
    assert_eq!(session.turn("third question").await?.outcome(), "completed");
    let bodies = model.responses_request_bodies().await;
    assert_eq!(kinds(&bodies), [false, true, true, false]);
    assert_eq!(
        conversation(&bodies[2])[..3],
        [
            "user: first question",
            "assistant: first answer",
            "user: second question",
        ]
    );
    assert_eq!(
        conversation(&bodies[3]),
        [
            "user: first question",
            "user: second question",
            "summary: SUMMARY of both questions",
            "user: third question",
        ]
    );
    let expected = [
        vec!["user: first question", "agent: first answer"],
        vec!["user: second question"],
        vec![
            "contextCompaction",
            "user: third question",
            "agent: third answer",
        ],
    ];
    assert_eq!(session.turn_items().await?, expected);
    let records = session.server.rollout_records()?;
    let compacted = records
        .iter()
        .filter(|record| record["type"] == "compacted")
        .count();
    assert_eq!(
        compacted, 1,
        "the failed compaction left no trace in the rollout"
    );
    Ok(())
}

#[tokio::test]
async fn an_overflow_compacts_even_when_the_summary_request_overflows_too() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.enforce_context_window(WINDOW);
    answer_by_kind(&model);
    // No limit of its own: the thread compacts only when the model refuses a request.
    let mut session = Session::start(options(&model, None)).await?;
    let mut outcomes = Vec::new();
    for index in 1..=20 {
        outcomes.push(
            session
                .turn(&large_message(index, MESSAGE_BYTES))
                .await?
                .outcome(),
        );
    }
    assert_eq!(outcomes, vec!["completed"; 20]);
    let bodies = model.responses_request_bodies().await;
    let sizes: Vec<i64> = bodies.iter().map(request_tokens).collect();
    let answered = |i: usize| sizes[i] <= WINDOW;
    let summaries = (0..bodies.len()).filter(|&i| is_compaction(&bodies[i]) && answered(i));
    assert!(summaries.count() >= 1, "{sizes:?}");
    for i in (0..bodies.len()).filter(|&i| !is_compaction(&bodies[i]) && !answered(i)) {
        assert!(
            is_compaction(&bodies[i + 1]),
            "refused request {i} was not followed by a compaction"
        );
    }
    assert!(answered(bodies.len() - 1), "{sizes:?}");
    Ok(())
}

#[tokio::test]
async fn a_message_larger_than_the_window_fails_its_turn_without_a_loop() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.enforce_context_window(WINDOW);
    answer_by_kind(&model);
    let mut session = Session::start(options(&model, None)).await?;
    let run = session
        .turn(&large_message(1, usize::try_from(WINDOW)? * 5))
        .await?;
    assert_eq!(run.turn["status"], "failed");
    assert_eq!(run.turn["error"]["codexErrorInfo"], "contextWindowExceeded");
    let message = run.turn["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("context window"), "{message}");
    assert_eq!(run.count("item/completed contextCompaction"), 0);
    let bodies = model.responses_request_bodies().await;
    let sizes: Vec<i64> = bodies.iter().map(request_tokens).collect();
    assert!(
        sizes.iter().all(|&size| size > WINDOW),
        "nothing could fit: {sizes:?}"
    );
    let turn_requests = bodies.iter().filter(|body| !is_compaction(body)).count();
    assert_eq!(turn_requests, 1, "no retry without a compaction");
    assert!(bodies.len() <= 4, "a bounded attempt to compact: {sizes:?}");

    // The daemon keeps serving.
    let workspace = tempfile::tempdir()?;
    let other = start_thread(&mut session.server, workspace.path()).await?;
    let small = run_turn(&mut session.server, &other, "a small question").await?;
    assert_eq!(small.outcome(), "completed");
    Ok(())
}

/// Upstream 0.171's `codex app-server` on a new `CODEX_HOME`, with `args` and `env` (and no key of ours).
async fn spawn_upstream(
    args: Vec<String>,
    env: Vec<(String, String)>,
) -> anyhow::Result<AppServer> {
    let upstream = upstream_codex(UPSTREAM_0_171)?;
    let options = AppServerOptions {
        args,
        env: [vec![("LC_ALL".to_string(), "C".to_string())], env].concat(),
        env_remove: vec!["OPENAI_API_KEY".to_string(), "CODEX_API_KEY".to_string()],
        ..AppServerOptions::default()
    };
    let home = tempfile::tempdir()?;
    let mut server = AppServer::spawn_program_in(&upstream, &["app-server"], home, options).await?;
    server.initialize().await?;
    Ok(server)
}

/// A thread upstream compacted, in a fresh `CODEX_HOME` that holds nothing but its rollout.
struct UpstreamThread {
    codex_home: tempfile::TempDir,
    thread_id: String,
    /// Its turns as upstream's `thread/read` shows them.
    upstream_view: Vec<Vec<String>>,
}

/// Has upstream run two turns in a new thread, the second compacting first (the first answer reports a
/// context past the limit), then stops it and moves the rollout to a fresh `CODEX_HOME`.
async fn upstream_compacted_thread(mut server: AppServer) -> anyhow::Result<UpstreamThread> {
    let workspace = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, workspace.path()).await?;
    let first = run_turn(&mut server, &thread_id, "first question").await?;
    assert_eq!(first.outcome(), "completed");
    let second = run_turn(&mut server, &thread_id, "second question").await?;
    assert_eq!(second.outcome(), "completed");
    assert_eq!(
        second.count("item/completed contextCompaction"),
        1,
        "{:?}",
        second.labels()
    );
    let upstream_view = read_turn_items(&mut server, &thread_id).await?;
    server.close_stdin();
    server.wait_exit(Duration::from_secs(20)).await?;
    let records = server.rollout_records()?;
    let compacted = records
        .iter()
        .filter(|record| record["type"] == "compacted");
    assert_eq!(compacted.count(), 1, "upstream wrote its compaction");
    let upstream_home = server.into_codex_home().await?;
    let codex_home = tempfile::tempdir()?;
    copy_dir(
        &upstream_home.path().join("sessions"),
        &codex_home.path().join("sessions"),
    )?;
    Ok(UpstreamThread {
        codex_home,
        thread_id,
        upstream_view,
    })
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Resumes the thread in our daemon, reads its turns and runs a third turn; returns the turns and what
/// that turn's request asked the model to read.
async fn resume_and_continue(
    thread: UpstreamThread,
    options: AppServerOptions,
    model: &MockModelServer,
) -> anyhow::Result<(Vec<Vec<String>>, Vec<String>)> {
    let mut ours = AppServer::spawn_in(thread.codex_home, options).await?;
    ours.initialize().await?;
    let thread_id = thread.thread_id.as_str();
    ours.call("thread/resume", json!({ "threadId": thread_id }))
        .await?;
    let turns = read_turn_items(&mut ours, thread_id).await?;
    model.push_response(answer("third answer"));
    let third = run_turn(&mut ours, thread_id, "third question").await?;
    assert_eq!(third.outcome(), "completed");
    let bodies = model.responses_request_bodies().await;
    Ok((turns, conversation(bodies.last().unwrap())))
}

/// The turns without their `contextCompaction` items.
fn without_compaction(turns: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut turns = turns.to_vec();
    for turn in &mut turns {
        turn.retain(|item| item != "contextCompaction");
    }
    turns
}

/// Upstream on the mock provider compacts locally: it asks for a summary and writes a `compacted` line
/// whose replacement history carries it.
async fn upstream_locally_compacted(model: &MockModelServer) -> anyhow::Result<UpstreamThread> {
    model.push_responses([
        answer("first answer").with_total_tokens(50_000),
        answer("UPSTREAM SUMMARY"),
        answer("second answer"),
    ]);
    let upstream = spawn_upstream(options(model, Some(1_000)).args, Vec::new()).await?;
    upstream_compacted_thread(upstream).await
}

#[tokio::test]
async fn a_rollout_upstream_compacted_resumes_compacted() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let thread = upstream_locally_compacted(&model).await?;
    let upstream_view = thread.upstream_view.clone();
    let (turns, sent) = resume_and_continue(thread, options(&model, None), &model).await?;
    assert_eq!(
        without_compaction(&turns),
        without_compaction(&upstream_view)
    );
    assert_eq!(
        sent,
        [
            "user: first question",
            "summary: UPSTREAM SUMMARY",
            "user: second question",
            "assistant: second answer",
            "user: third question",
        ],
        "the compacted history, not the first answer"
    );
    Ok(())
}

#[tokio::test]
async fn an_upstream_compaction_shows_in_the_resumed_turns() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let thread = upstream_locally_compacted(&model).await?;
    let upstream_view = thread.upstream_view.clone();
    let (turns, _) = resume_and_continue(thread, options(&model, None), &model).await?;
    assert_eq!(turns, upstream_view);
    Ok(())
}

#[tokio::test]
async fn a_rollout_upstream_compacted_remotely_resumes_with_its_compaction_item()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    // Upstream's OpenAI provider prefers a websocket: refused, it falls back to HTTP.
    model.refuse_ws_handshake(426);
    // With the OpenAI provider, upstream 0.171 compacts remotely: a `/responses` request ending with a
    // `compaction_trigger` item, answered with one opaque `compaction` item.
    let item = json!({"type": "compaction", "id": "cmp_1", "encrypted_content": "ENCRYPTED"});
    let compaction = json!({"type": "response.output_item.done", "item": item});
    model.push_responses([
        answer("first answer").with_total_tokens(50_000),
        MockResponse::sse(vec![
            sse::response_created("r2"),
            compaction,
            sse::completed("r2"),
        ]),
        answer("second answer"),
    ]);
    let base_url = format!("{}/v1", model.uri());
    let base_url_config = format!("openai_base_url=\"{base_url}\"");
    let args = [
        "-c",
        &base_url_config,
        "-c",
        "model_auto_compact_token_limit=1000",
    ];
    let key = ("OPENAI_API_KEY".to_string(), "sk-test".to_string());
    let upstream = spawn_upstream(args.map(str::to_string).to_vec(), vec![key.clone()]).await?;
    let thread = upstream_compacted_thread(upstream).await?;
    let trigger = model.responses_request_bodies().await[1]["input"]
        .as_array()
        .and_then(|input| input.last())
        .cloned();
    assert_eq!(trigger, Some(json!({"type": "compaction_trigger"})));
    let upstream_view = thread.upstream_view.clone();

    // Ours, on the same OpenAI provider.
    let ours = AppServerOptions {
        env: vec![key, ("OPENAI_BASE_URL".to_string(), base_url)],
        env_remove: vec!["CODEX_API_KEY".to_string()],
        ..AppServerOptions::default()
    };
    let (turns, sent) = resume_and_continue(thread, ours, &model).await?;
    assert_eq!(
        without_compaction(&turns),
        without_compaction(&upstream_view)
    );
    assert_eq!(
        sent,
        [
            "user: first question",
            "compaction ENCRYPTED",
            "user: second question",
            "assistant: second answer",
            "user: third question",
        ]
    );
    Ok(())
}
