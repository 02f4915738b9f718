//! `bench`: measures one or more app-server commands against the mock Responses server and prints one
//! table with a column per command.
//!
//! ```text
//! cargo build --release -p codex-app-server
//! cargo run --release -p codex-app-server-tests --bin bench -- \
//!     [--server-cmd "<command line>"]... [--iterations N] [--deltas N] [--timeout-secs S] [--log-dir DIR]
//! ```
//!
//! Every iteration spawns a fresh server process (through `sh -c 'exec <command line> "$@"'`, so the
//! command line may use shell quoting) with a fresh `CODEX_HOME`, points it at a fresh mock server with
//! `-c` overrides appended after the command line, and drives it over stdio with newline-delimited
//! JSON-RPC: `initialize`, `initialized`, `thread/start {}`, one short turn, then one turn streaming
//! `--deltas` deltas. Three more fresh servers per iteration measure the first turn over a websocket
//! (provider `supports_websockets = true`, `-c features.responses_websockets=true`): with an instant
//! handshake, and with every handshake delayed by 200 ms once after the preconnect had time to finish
//! (`turn/start` 300 ms after the `thread/start` response) and once with `turn/start` sent right after
//! it, so the turn has to wait for the preconnect still in flight. A tool turn has the model call
//! `shell_command` with `echo hi` and `login: false` (a login shell would add the machine's profile
//! scripts to both columns; the host accepts any approval request) and measures turn/start ->
//! turn/completed across both model requests and the command. Figures are the median and p90 over
//! the iterations; a wait that exceeds the timeout shows `timeout` in its cell and the bench moves on.
//! The server's stderr goes to a log file per iteration under the log directory.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;
use std::time::SystemTime;

use anyhow::Context;
use anyhow::bail;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::process::Child;
use tokio::process::ChildStdin;
use tokio::process::Command;
use tokio::sync::mpsc;

const USAGE: &str = "\
usage: bench [--server-cmd \"<command line>\"]... [--iterations N] [--deltas N] [--timeout-secs S] [--log-dir DIR]

  --server-cmd    a command that starts an app-server speaking JSON-RPC on stdio; repeat it to compare
                  several commands side by side (default: codex-app-server next to this executable)
  --iterations    fresh server processes per command (default 10)
  --deltas        deltas in the throughput stream (default 20000)
  --timeout-secs  limit of every single wait (default 60)
  --log-dir       where the servers' stderr goes (default <tmp>/codex-app-server-bench)";

/// The environment variable named by the mock provider's `env_key`; set to a dummy value because a
/// provider with an `env_key` refuses to start a turn when the variable is missing.
const MOCK_API_KEY_ENV: &str = "CODEX_BENCH_MOCK_API_KEY";
const MODEL: &str = "gpt-5.2-codex";
const SHORT_ANSWER_CHUNKS: [&str; 3] = ["Hello", " from the", " bench."];
/// How long the mock delays each websocket handshake in the slow-handshake figures.
const SLOW_HANDSHAKE: Duration = Duration::from_millis(200);
/// How long the preconnect figures wait after `thread/start` so the warmed socket is ready.
/// The load case: this many threads stream at once...
const LOAD_THREADS: usize = 50;
/// ...each this many deltas.
const LOAD_DELTAS: usize = 2_000;
const PRECONNECT_SETTLE: Duration = Duration::from_millis(300);

/// What the command line asked for.
struct BenchOptions {
    server_commands: Vec<String>,
    iterations: usize,
    delta_count: usize,
    timeout: Duration,
    log_dir: PathBuf,
}

/// The rows of the table, in print order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Figure {
    InitializeLatency,
    FirstDeltaLatency,
    TurnLatency,
    ToolTurnLatency,
    DeltaThroughput,
    PeakRss,
    WebSocketFirstDelta,
    WebSocketFirstDeltaSlowHandshakePreconnected,
    WebSocketFirstDeltaSlowHandshakeImmediate,
    LoadThroughput,
    LoadPeakRss,
}

const FIGURES: [Figure; 11] = [
    Figure::InitializeLatency,
    Figure::FirstDeltaLatency,
    Figure::TurnLatency,
    Figure::ToolTurnLatency,
    Figure::DeltaThroughput,
    Figure::PeakRss,
    Figure::WebSocketFirstDelta,
    Figure::WebSocketFirstDeltaSlowHandshakePreconnected,
    Figure::WebSocketFirstDeltaSlowHandshakeImmediate,
    Figure::LoadThroughput,
    Figure::LoadPeakRss,
];

impl Figure {
    fn label(self, delta_count: usize) -> String {
        match self {
            Figure::InitializeLatency => "spawn -> initialize response".to_string(),
            Figure::FirstDeltaLatency => "turn/start -> first agentMessage delta".to_string(),
            Figure::TurnLatency => "turn/start -> turn/completed".to_string(),
            Figure::ToolTurnLatency => {
                "tool turn (shell_command `echo hi`, no login shell): turn/start -> turn/completed"
                    .to_string()
            }
            Figure::DeltaThroughput => format!("{delta_count}-delta stream, first -> last delta"),
            Figure::PeakRss => "peak RSS after the stream (VmHWM, process tree)".to_string(),
            Figure::WebSocketFirstDelta => {
                "ws first turn, instant handshake: turn/start -> first delta".to_string()
            }
            Figure::WebSocketFirstDeltaSlowHandshakePreconnected => format!(
                "ws first turn, {} ms handshake, preconnect done: turn/start -> first delta",
                SLOW_HANDSHAKE.as_millis()
            ),
            Figure::WebSocketFirstDeltaSlowHandshakeImmediate => format!(
                "ws first turn, {} ms handshake, turn/start at once: turn/start -> first delta",
                SLOW_HANDSHAKE.as_millis()
            ),
            Figure::LoadThroughput => {
                format!("load: {LOAD_THREADS} threads x {LOAD_DELTAS} deltas at once, all deltas")
            }
            Figure::LoadPeakRss => "load: peak RSS (VmHWM, process tree)".to_string(),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Figure::InitializeLatency
            | Figure::FirstDeltaLatency
            | Figure::TurnLatency
            | Figure::ToolTurnLatency
            | Figure::WebSocketFirstDelta
            | Figure::WebSocketFirstDeltaSlowHandshakePreconnected
            | Figure::WebSocketFirstDeltaSlowHandshakeImmediate => "ms",
            Figure::DeltaThroughput | Figure::LoadThroughput => "deltas/s",
            Figure::PeakRss | Figure::LoadPeakRss => "MB",
        }
    }

    fn format_value(self, value: f64) -> String {
        match self {
            Figure::InitializeLatency
            | Figure::FirstDeltaLatency
            | Figure::TurnLatency
            | Figure::ToolTurnLatency
            | Figure::PeakRss
            | Figure::LoadPeakRss
            | Figure::WebSocketFirstDelta
            | Figure::WebSocketFirstDeltaSlowHandshakePreconnected
            | Figure::WebSocketFirstDeltaSlowHandshakeImmediate => format!("{value:.1}"),
            Figure::DeltaThroughput | Figure::LoadThroughput => format!("{value:.0}"),
        }
    }
}

/// Why an iteration stopped before measuring everything.
#[derive(Debug, Clone, thiserror::Error)]
enum BenchFailure {
    #[error("could not spawn the server: {0}")]
    Spawn(String),
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    #[error("server exited or closed stdout ({status}) while waiting for {waiting_for}")]
    Exited {
        waiting_for: &'static str,
        status: String,
    },
    #[error("could not write to the server's stdin: {0}")]
    Write(String),
    #[error("{method} answered an error: {error}")]
    ErrorResponse { method: &'static str, error: String },
    #[error("the turn ended with status {status}: {error}")]
    TurnNotCompleted { status: String, error: String },
    #[error("the websocket turn ran without the server opening a websocket")]
    NoWebSocket,
}

/// The figures one iteration measured; `None` where the iteration stopped before them.
#[derive(Debug, Default)]
struct IterationSamples {
    initialize_ms: Option<f64>,
    first_delta_ms: Option<f64>,
    turn_ms: Option<f64>,
    tool_turn_ms: Option<f64>,
    deltas_per_second: Option<f64>,
    peak_rss_mb: Option<f64>,
    websocket_first_delta_ms: Option<f64>,
    websocket_slow_preconnected_first_delta_ms: Option<f64>,
    websocket_slow_immediate_first_delta_ms: Option<f64>,
    load_deltas_per_second: Option<f64>,
    load_peak_rss_mb: Option<f64>,
}

impl IterationSamples {
    fn get(&self, figure: Figure) -> Option<f64> {
        match figure {
            Figure::InitializeLatency => self.initialize_ms,
            Figure::FirstDeltaLatency => self.first_delta_ms,
            Figure::TurnLatency => self.turn_ms,
            Figure::ToolTurnLatency => self.tool_turn_ms,
            Figure::DeltaThroughput => self.deltas_per_second,
            Figure::PeakRss => self.peak_rss_mb,
            Figure::WebSocketFirstDelta => self.websocket_first_delta_ms,
            Figure::WebSocketFirstDeltaSlowHandshakePreconnected => {
                self.websocket_slow_preconnected_first_delta_ms
            }
            Figure::WebSocketFirstDeltaSlowHandshakeImmediate => {
                self.websocket_slow_immediate_first_delta_ms
            }
            Figure::LoadThroughput => self.load_deltas_per_second,
            Figure::LoadPeakRss => self.load_peak_rss_mb,
        }
    }
}

/// Everything measured for one command over all iterations.
#[derive(Debug, Default)]
struct CommandResults {
    samples: BTreeMap<Figure, Vec<f64>>,
    /// Figures that lacked a sample in some iteration because of a timeout.
    timed_out_figures: BTreeSet<Figure>,
    /// Distinct failures and remarks, in first-seen order.
    notes: Vec<String>,
    gave_up: bool,
}

impl CommandResults {
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn record(&mut self, samples: &IterationSamples, failure: Option<&BenchFailure>) {
        for figure in FIGURES {
            match samples.get(figure) {
                Some(value) => self.samples.entry(figure).or_default().push(value),
                None => {
                    if let Some(BenchFailure::Timeout(_)) = failure {
                        self.timed_out_figures.insert(figure);
                    }
                }
            }
        }
        if let Some(failure) = failure {
            self.note(failure.to_string());
        }
    }

    fn cell(&self, figure: Figure, iterations: usize) -> String {
        let mut values = self.samples.get(&figure).cloned().unwrap_or_default();
        if values.is_empty() {
            return if self.timed_out_figures.contains(&figure) {
                "timeout".to_string()
            } else {
                "error".to_string()
            };
        }
        values.sort_by(f64::total_cmp);
        let count = values.len();
        let median = if count % 2 == 1 {
            values[count / 2]
        } else {
            (values[count / 2 - 1] + values[count / 2]) / 2.0
        };
        // Nearest-rank p90.
        let p90 = values[(count * 9).div_ceil(10) - 1];
        let median = figure.format_value(median);
        let p90 = figure.format_value(p90);
        if count == iterations {
            format!("{median} / {p90}")
        } else {
            format!("{median} / {p90} ({count}/{iterations})")
        }
    }
}

/// One line the server wrote, parsed, with the time it was read.
struct IncomingMessage {
    received_at: Instant,
    message: Value,
}

/// A spawned server and the JSON-RPC plumbing to it.
struct ServerProcess {
    child: Child,
    pid: Option<u32>,
    stdin: Option<ChildStdin>,
    incoming: mpsc::UnboundedReceiver<IncomingMessage>,
    next_request_id: i64,
    timeout: Duration,
}

impl ServerProcess {
    fn spawn(
        command_line: &str,
        extra_args: &[String],
        codex_home: &Path,
        working_dir: &Path,
        stderr_log: &Path,
        timeout: Duration,
    ) -> Result<Self, BenchFailure> {
        let stderr_file = std::fs::File::create(stderr_log).map_err(|error| {
            BenchFailure::Spawn(format!("log file {}: {error}", stderr_log.display()))
        })?;
        // `exec` makes the server itself the child, so its pid is the one whose memory is read.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {command_line} \"$@\""))
            .arg("sh")
            .args(extra_args)
            .env("CODEX_HOME", codex_home)
            .env(MOCK_API_KEY_ENV, "bench-dummy-key")
            .current_dir(working_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr_file))
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| BenchFailure::Spawn(error.to_string()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchFailure::Spawn("no stdout pipe".to_string()))?;
        let (sender, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let received_at = Instant::now();
                match serde_json::from_str::<Value>(&line) {
                    Ok(message) => {
                        if sender
                            .send(IncomingMessage {
                                received_at,
                                message,
                            })
                            .is_err()
                        {
                            break;
                        }
                    }
                    Err(error) => tracing::warn!("bench: non-JSON line from the server: {error}"),
                }
            }
        });
        Ok(Self {
            pid: child.id(),
            stdin: child.stdin.take(),
            child,
            incoming,
            next_request_id: 0,
            timeout,
        })
    }

    async fn send(&mut self, message: Value) -> Result<(), BenchFailure> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| BenchFailure::Write("stdin already closed".to_string()))?;
        let mut line = message.to_string();
        line.push('\n');
        let written = async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await
        };
        let Err(error) = written.await else {
            return Ok(());
        };
        // A write usually fails because the server died; its exit status says more than EPIPE.
        match self.exit_status().await {
            Some(status) => Err(BenchFailure::Exited {
                waiting_for: "its stdin to accept a message",
                status,
            }),
            None => Err(BenchFailure::Write(error.to_string())),
        }
    }

    /// How the server exited, if it does within two seconds.
    async fn exit_status(&mut self) -> Option<String> {
        match tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await {
            Ok(Ok(status)) => Some(describe_exit(status)),
            Ok(Err(_)) | Err(_) => None,
        }
    }

    async fn send_request(&mut self, method: &str, params: Value) -> Result<i64, BenchFailure> {
        self.next_request_id += 1;
        let id = self.next_request_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        Ok(id)
    }

    /// The next message before `deadline`; server-to-client requests (approvals...) are declined on
    /// the way so the server never waits on the bench.
    async fn next_message(
        &mut self,
        deadline: tokio::time::Instant,
        waiting_for: &'static str,
    ) -> Result<IncomingMessage, BenchFailure> {
        loop {
            let incoming = tokio::time::timeout_at(deadline, self.incoming.recv())
                .await
                .map_err(|_| BenchFailure::Timeout(waiting_for))?;
            let Some(incoming) = incoming else {
                let status = self
                    .exit_status()
                    .await
                    .unwrap_or_else(|| "still running".to_string());
                return Err(BenchFailure::Exited {
                    waiting_for,
                    status,
                });
            };
            let is_server_request =
                incoming.message.get("method").is_some() && incoming.message.get("id").is_some();
            if !is_server_request {
                return Ok(incoming);
            }
            let id = incoming.message["id"].clone();
            let is_approval = incoming.message["method"]
                .as_str()
                .is_some_and(|method| method.ends_with("/requestApproval"));
            let answer = if is_approval {
                json!({"jsonrpc": "2.0", "id": id, "result": {"decision": "accept"}})
            } else {
                json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": {"code": -32601, "message": "bench: server requests are not supported"},
                })
            };
            self.send(answer).await?;
        }
    }

    /// Waits for the response to request `id`; an error response becomes a failure.
    async fn wait_for_response(
        &mut self,
        id: i64,
        method: &'static str,
    ) -> Result<IncomingMessage, BenchFailure> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let incoming = self.next_message(deadline, method).await?;
            if incoming.message.get("id").and_then(Value::as_i64) != Some(id) {
                continue;
            }
            if let Some(error) = incoming.message.get("error") {
                return Err(BenchFailure::ErrorResponse {
                    method,
                    error: error.to_string(),
                });
            }
            return Ok(incoming);
        }
    }

    /// Starts a turn and follows it to `turn/completed`, timing its agent-message deltas.
    async fn run_turn(&mut self, thread_id: &str) -> Result<TurnTimings, BenchFailure> {
        let params = json!({
            "threadId": thread_id,
            "input": [{"type": "text", "text": "hi", "text_elements": []}],
        });
        let started_at = Instant::now();
        let id = self.send_request("turn/start", params).await?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut first_delta_at = None;
        let mut last_delta_at = None;
        let mut delta_count = 0_usize;
        let mut commands_completed = 0_usize;
        loop {
            let incoming = self.next_message(deadline, "turn/completed").await?;
            let message = &incoming.message;
            if message.get("id").and_then(Value::as_i64) == Some(id) {
                if let Some(error) = message.get("error") {
                    return Err(BenchFailure::ErrorResponse {
                        method: "turn/start",
                        error: error.to_string(),
                    });
                }
                continue;
            }
            match message.get("method").and_then(Value::as_str) {
                Some("item/agentMessage/delta") => {
                    delta_count += 1;
                    first_delta_at.get_or_insert(incoming.received_at);
                    last_delta_at = Some(incoming.received_at);
                }
                Some("item/completed")
                    if message["params"]["item"]["type"] == "commandExecution"
                        && message["params"]["item"]["status"] == "completed" =>
                {
                    commands_completed += 1;
                }
                Some("turn/completed") => {
                    let turn = &message["params"]["turn"];
                    let status = turn["status"].as_str().unwrap_or("missing").to_string();
                    if status != "completed" {
                        return Err(BenchFailure::TurnNotCompleted {
                            status,
                            error: turn["error"].to_string(),
                        });
                    }
                    return Ok(TurnTimings {
                        started_at,
                        first_delta_at,
                        last_delta_at,
                        completed_at: incoming.received_at,
                        delta_count,
                        commands_completed,
                    });
                }
                _ => {}
            }
        }
    }

    /// Closes stdin and waits for the server to exit, killing it if it lingers.
    async fn shut_down(mut self) {
        drop(self.stdin.take());
        let exited = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        if exited.is_err() {
            tracing::warn!("bench: server did not exit after stdin closed; killing it");
            if let Err(error) = self.child.kill().await {
                tracing::warn!("bench: could not kill the server: {error}");
            }
        }
    }
}

/// When the notifications of one turn arrived.
struct TurnTimings {
    started_at: Instant,
    first_delta_at: Option<Instant>,
    last_delta_at: Option<Instant>,
    completed_at: Instant,
    delta_count: usize,
    /// `commandExecution` items that completed successfully.
    commands_completed: usize,
}

fn describe_exit(status: ExitStatus) -> String {
    match status.code() {
        Some(127) => "exit code 127: command not found".to_string(),
        Some(code) => format!("exit code {code}"),
        None => format!("{status}"),
    }
}

fn millis(from: Instant, to: Instant) -> f64 {
    to.duration_since(from).as_secs_f64() * 1000.0
}

/// Sum of the peak resident set (VmHWM) of `pid` and its descendants, in MB; a launcher such as the npm
/// `codex` script runs the real server as a child process.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let mut children_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(candidate) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in parentheses may contain spaces; the parent pid is the second field
        // after it.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|parent| parent.parse::<u32>().ok());
        if let Some(parent) = parent {
            children_of.entry(parent).or_default().push(candidate);
        }
    }
    let mut pending = vec![pid];
    let mut total_kb = 0_u64;
    let mut found = false;
    while let Some(current) = pending.pop() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{current}/status")) {
            let kb = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.split_whitespace().next())
                .and_then(|value| value.parse::<u64>().ok());
            if let Some(kb) = kb {
                total_kb += kb;
                found = true;
            }
        }
        pending.extend(children_of.get(&current).into_iter().flatten());
    }
    found.then(|| total_kb as f64 / 1024.0)
}

/// One fresh server process for the HTTP figures, then one per websocket first-turn figure: every
/// figure once.
async fn run_iteration(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    let (_scratch, spawned_at, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), false),
        stderr_log,
    )?;
    let measured = async {
        let (initialized_at, thread_id) = initialize_and_start_thread(&mut server).await?;
        samples.initialize_ms = Some(millis(spawned_at, initialized_at));

        let short_turn = server.run_turn(&thread_id).await?;
        samples.turn_ms = Some(millis(short_turn.started_at, short_turn.completed_at));
        match short_turn.first_delta_at {
            Some(first_delta_at) => {
                samples.first_delta_ms = Some(millis(short_turn.started_at, first_delta_at));
            }
            None => notes.push("the short turn completed without any agentMessage delta".into()),
        }

        mock.push_response(MockResponse::sse(vec![
            sse::response_created("resp_tool"),
            sse::function_call(
                "call_bench",
                "shell_command",
                &json!({"command": "echo hi", "login": false}).to_string(),
            ),
            sse::completed("resp_tool"),
        ]));
        let tool_turn = server.run_turn(&thread_id).await?;
        samples.tool_turn_ms = Some(millis(tool_turn.started_at, tool_turn.completed_at));
        if tool_turn.commands_completed != 1 {
            notes.push(format!(
                "the tool turn completed {} commands instead of 1",
                tool_turn.commands_completed
            ));
        }

        mock.set_default_response(MockResponse::many_deltas(options.delta_count));
        let stream_turn = server.run_turn(&thread_id).await?;
        if stream_turn.delta_count != options.delta_count {
            notes.push(format!(
                "the stream turn produced {} agentMessage deltas for {} model deltas",
                stream_turn.delta_count, options.delta_count
            ));
        }
        if let (Some(first), Some(last)) = (stream_turn.first_delta_at, stream_turn.last_delta_at)
            && stream_turn.delta_count > 1
        {
            let seconds = last.duration_since(first).as_secs_f64();
            samples.deltas_per_second = Some((stream_turn.delta_count - 1) as f64 / seconds);
        }
        samples.peak_rss_mb = server.pid.and_then(peak_rss_mb);
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured?;

    let websocket_cases = [
        (None, Some(PRECONNECT_SETTLE), "ws-instant"),
        (
            Some(SLOW_HANDSHAKE),
            Some(PRECONNECT_SETTLE),
            "ws-slow-preconnected",
        ),
        (Some(SLOW_HANDSHAKE), None, "ws-slow-immediate"),
    ];
    for (handshake_delay, settle_before_turn, log_suffix) in websocket_cases {
        let first_delta_ms = websocket_first_delta_ms(
            options,
            command_line,
            &stderr_log.with_extension(format!("{log_suffix}.log")),
            handshake_delay,
            settle_before_turn,
        )
        .await?;
        if first_delta_ms.is_none() {
            notes.push(format!(
                "the {log_suffix} turn completed without any agentMessage delta"
            ));
        }
        match (handshake_delay, settle_before_turn) {
            (None, _) => samples.websocket_first_delta_ms = first_delta_ms,
            (Some(_), Some(_)) => {
                samples.websocket_slow_preconnected_first_delta_ms = first_delta_ms;
            }
            (Some(_), None) => samples.websocket_slow_immediate_first_delta_ms = first_delta_ms,
        }
    }
    let (load_rate, load_rss) = load_figures(
        options,
        command_line,
        &stderr_log.with_extension("load.log"),
    )
    .await?;
    samples.load_deltas_per_second = load_rate;
    samples.load_peak_rss_mb = load_rss;
    Ok(())
}

/// A fresh mock and server; `LOAD_THREADS` threads each run one `LOAD_DELTAS`-delta turn, all started at
/// once. Returns the deltas per second over all of them (first delta to last) and the peak RSS.
async fn load_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
) -> Result<(Option<f64>, Option<f64>), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::many_deltas(LOAD_DELTAS));
    let (_scratch, _, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), false),
        stderr_log,
    )?;
    let measured = async {
        let (_, first_thread) = initialize_and_start_thread(&mut server).await?;
        let mut threads = vec![first_thread];
        while threads.len() < LOAD_THREADS {
            let id = server.send_request("thread/start", json!({})).await?;
            let started = server.wait_for_response(id, "thread/start").await?;
            threads.push(
                started.message["result"]["thread"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        for thread_id in &threads {
            server
                .send_request(
                    "turn/start",
                    json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi", "text_elements": []}]}),
                )
                .await?;
        }
        let deadline = tokio::time::Instant::now() + options.timeout;
        let (mut first, mut last, mut deltas, mut completed) = (None, None, 0_usize, 0_usize);
        while completed < LOAD_THREADS {
            let incoming = server.next_message(deadline, "turn/completed").await?;
            match incoming.message.get("method").and_then(Value::as_str) {
                Some("item/agentMessage/delta") => {
                    deltas += 1;
                    first.get_or_insert(incoming.received_at);
                    last = Some(incoming.received_at);
                }
                Some("turn/completed") => completed += 1,
                _ => {}
            }
        }
        let rate = match (first, last) {
            (Some(first), Some(last)) if deltas > 1 => {
                Some((deltas - 1) as f64 / last.duration_since(first).as_secs_f64())
            }
            _ => None,
        };
        Ok((rate, server.pid.and_then(peak_rss_mb)))
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// Spawns `command_line` with a fresh `CODEX_HOME` and working directory (kept alive by the returned
/// guard), returning the instant just before the spawn.
fn spawn_in_scratch(
    options: &BenchOptions,
    command_line: &str,
    extra_args: &[String],
    stderr_log: &Path,
) -> Result<(tempfile::TempDir, Instant, ServerProcess), BenchFailure> {
    let scratch = tempfile::tempdir().map_err(|error| BenchFailure::Spawn(error.to_string()))?;
    let codex_home = scratch.path().join("codex-home");
    let project = scratch.path().join("project");
    for dir in [&codex_home, &project] {
        std::fs::create_dir_all(dir).map_err(|error| BenchFailure::Spawn(error.to_string()))?;
    }
    let spawned_at = Instant::now();
    let server = ServerProcess::spawn(
        command_line,
        extra_args,
        &codex_home,
        &project,
        stderr_log,
        options.timeout,
    )?;
    Ok((scratch, spawned_at, server))
}

/// `-c` overrides selecting the mock provider (a dummy `env_key`, no OpenAI auth); with websockets also
/// the provider flag and the feature gate.
fn mock_provider_args(mock_uri: &str, websockets: bool) -> Vec<String> {
    let mut args = vec![
        "-c".to_string(),
        "model_provider=\"mock\"".to_string(),
        "-c".to_string(),
        format!(
            "model_providers.mock={{name=\"mock\",base_url=\"{mock_uri}/v1\",wire_api=\"responses\",\
             env_key=\"{MOCK_API_KEY_ENV}\",requires_openai_auth=false,supports_websockets={websockets}}}"
        ),
        "-c".to_string(),
        format!("model=\"{MODEL}\""),
    ];
    if websockets {
        args.extend([
            "-c".to_string(),
            "features.responses_websockets=true".to_string(),
        ]);
    }
    args
}

/// `initialize`, `initialized` and `thread/start {}`; returns when the initialize response arrived and
/// the new thread's id.
async fn initialize_and_start_thread(
    server: &mut ServerProcess,
) -> Result<(Instant, String), BenchFailure> {
    let initialize = server
        .send_request(
            "initialize",
            json!({"clientInfo": {"name": "bench", "title": "Codex app-server bench", "version": "0.1.0"}}),
        )
        .await?;
    let initialized = server.wait_for_response(initialize, "initialize").await?;
    server
        .send(json!({"jsonrpc": "2.0", "method": "initialized"}))
        .await?;

    let thread_start = server.send_request("thread/start", json!({})).await?;
    let thread = server
        .wait_for_response(thread_start, "thread/start")
        .await?;
    let thread_id = thread.message["result"]["thread"]["id"]
        .as_str()
        .ok_or_else(|| BenchFailure::ErrorResponse {
            method: "thread/start",
            error: format!("no result.thread.id in {}", thread.message),
        })?
        .to_string();
    Ok((initialized.received_at, thread_id))
}

/// A fresh mock and server whose turns go over a websocket, each handshake delayed by `handshake_delay`;
/// `turn/start` follows the `thread/start` response after `settle_before_turn` (or at once). Returns
/// `turn/start` -> first agentMessage delta of that first turn.
async fn websocket_first_delta_ms(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    handshake_delay: Option<Duration>,
    settle_before_turn: Option<Duration>,
) -> Result<Option<f64>, BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    if let Some(delay) = handshake_delay {
        mock.set_ws_handshake_delay(delay);
    }
    let (_scratch, _, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), true),
        stderr_log,
    )?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        if let Some(settle) = settle_before_turn {
            tokio::time::sleep(settle).await;
        }
        let turn = server.run_turn(&thread_id).await?;
        if mock.handshake_count() == 0 {
            return Err(BenchFailure::NoWebSocket);
        }
        Ok(turn
            .first_delta_at
            .map(|first_delta_at| millis(turn.started_at, first_delta_at)))
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

fn parse_options() -> anyhow::Result<BenchOptions> {
    let mut server_commands = Vec::new();
    let mut iterations = 10;
    let mut delta_count = 20_000;
    let mut timeout_secs = 60;
    let mut log_dir = std::env::temp_dir().join("codex-app-server-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let Some(value) = args.next() else {
            bail!("{arg} needs a value\n{USAGE}");
        };
        match arg.as_str() {
            // Servers run in a temporary working directory, so a relative program path is made absolute.
            "--server-cmd" => server_commands.push(match value.split_once(' ') {
                Some((program, rest)) if program.contains('/') && !program.starts_with('/') => {
                    format!("{} {rest}", std::path::absolute(program)?.display())
                }
                Some(_) => value,
                None if value.contains('/') && !value.starts_with('/') => {
                    std::path::absolute(&value)?.display().to_string()
                }
                None => value,
            }),
            "--iterations" => iterations = value.parse().context("--iterations")?,
            "--deltas" => delta_count = value.parse().context("--deltas")?,
            "--timeout-secs" => timeout_secs = value.parse().context("--timeout-secs")?,
            "--log-dir" => log_dir = PathBuf::from(value),
            _ => bail!("unknown argument {arg}\n{USAGE}"),
        }
    }
    if iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    if server_commands.is_empty() {
        let exe = std::env::current_exe().context("locating the bench executable")?;
        let default_server = exe.with_file_name("codex-app-server");
        if !default_server.is_file() {
            bail!(
                "{} does not exist; build it first with `cargo build --release -p codex-app-server` \
                 or pass --server-cmd",
                default_server.display()
            );
        }
        let quoted = default_server.display().to_string().replace('\'', r"'\''");
        server_commands.push(format!("'{quoted}'"));
    }
    Ok(BenchOptions {
        server_commands,
        iterations,
        delta_count,
        timeout: Duration::from_secs(timeout_secs),
        log_dir,
    })
}

/// `YYYY-MM-DD HH:MM UTC` from the system clock (days-to-civil conversion, proleptic Gregorian).
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let days = (seconds / 86_400) as i64;
    let minute_of_day = (seconds % 86_400) / 60;
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

fn machine_description() -> String {
    let cores = std::thread::available_parallelism()
        .map(|cores| cores.get().to_string())
        .unwrap_or_else(|_| "?".to_string());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|cpuinfo| {
            cpuinfo
                .lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!(
        "{cores} cores available ({cpu}), {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// A short column title: the program's file name plus its arguments.
fn column_title(command_line: &str) -> String {
    let mut words = command_line.split_whitespace();
    let program = words.next().unwrap_or("").trim_matches(['\'', '"']);
    let program = Path::new(program)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.to_string());
    std::iter::once(program)
        .chain(words.map(str::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_table(options: &BenchOptions, results: &[CommandResults]) {
    let mut rows = vec![{
        let mut header = vec!["figure".to_string(), "unit".to_string()];
        header.extend(
            options
                .server_commands
                .iter()
                .enumerate()
                .map(|(index, command)| format!("[{}] {}", index + 1, column_title(command))),
        );
        header
    }];
    for figure in FIGURES {
        let mut row = vec![figure.label(options.delta_count), figure.unit().to_string()];
        row.extend(
            results
                .iter()
                .map(|result| result.cell(figure, options.iterations)),
        );
        rows.push(row);
    }
    let column_count = rows[0].len();
    let widths: Vec<usize> = (0..column_count)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();

    println!();
    println!("machine: {}", machine_description());
    println!("date:    {}", utc_now());
    println!(
        "cells:   median / p90 over {} iterations (a fresh server process each); \"(k/N)\" = only k samples",
        options.iterations
    );
    println!();
    for (index, row) in rows.iter().enumerate() {
        let line = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join(" | ");
        println!("{}", line.trim_end());
        if index == 0 {
            let rule = widths
                .iter()
                .map(|width| "-".repeat(*width))
                .collect::<Vec<_>>()
                .join("-|-");
            println!("{rule}");
        }
    }
    println!();
    for (index, (command, result)) in options.server_commands.iter().zip(results).enumerate() {
        println!("[{}] {command}", index + 1);
        if result.gave_up {
            println!("    stopped after the first timeout");
        }
        for note in &result.notes {
            println!("    {note}");
        }
    }
    println!("server stderr logs: {}", options.log_dir.display());
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    std::fs::create_dir_all(&options.log_dir)
        .with_context(|| format!("creating {}", options.log_dir.display()))?;
    let mut results: Vec<CommandResults> = options
        .server_commands
        .iter()
        .map(|_| CommandResults::default())
        .collect();
    // Iterations of the commands interleave so that a noisy moment of the machine hits all of them.
    for iteration in 0..options.iterations {
        for (index, command_line) in options.server_commands.iter().enumerate() {
            let result = &mut results[index];
            if result.gave_up {
                continue;
            }
            eprintln!(
                "bench: [{}] iteration {}/{}",
                index + 1,
                iteration + 1,
                options.iterations
            );
            let stderr_log = options.log_dir.join(format!(
                "server{}-iteration{}.stderr.log",
                index + 1,
                iteration + 1
            ));
            let mut samples = IterationSamples::default();
            let mut notes = Vec::new();
            let outcome = run_iteration(
                &options,
                command_line,
                &stderr_log,
                &mut samples,
                &mut notes,
            )
            .await;
            let failure = outcome.err();
            if let Some(failure) = &failure {
                eprintln!("bench: [{}] {failure}", index + 1);
            }
            result.record(&samples, failure.as_ref());
            for note in notes {
                result.note(note);
            }
            // A server that times out once would make every later iteration wait just as long.
            if let Some(BenchFailure::Timeout(_)) = failure {
                result.gave_up = true;
            }
        }
    }
    print_table(&options, &results);
    Ok(())
}
