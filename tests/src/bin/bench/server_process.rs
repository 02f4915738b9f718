//! `ServerProcess`: one spawned app-server driven over stdio with newline-delimited JSON-RPC — requests,
//! responses, a turn followed to `turn/completed` with the times its notifications arrived, shutdown.

use std::path::Path;
use std::process::ExitStatus;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::process::Child;
use tokio::process::ChildStdin;
use tokio::process::Command;
use tokio::sync::mpsc;

use crate::failure::BenchFailure;

/// The environment variable named by the mock provider's `env_key`; set to a dummy value because a
/// provider with an `env_key` refuses to start a turn when the variable is missing.
pub(crate) const MOCK_API_KEY_ENV: &str = "CODEX_BENCH_MOCK_API_KEY";

/// One line the server wrote, parsed, with the time it was read.
pub(crate) struct IncomingMessage {
    pub received_at: Instant,
    pub message: Value,
}

/// A spawned server and the JSON-RPC plumbing to it.
pub(crate) struct ServerProcess {
    child: Child,
    pub pid: Option<u32>,
    stdin: Option<ChildStdin>,
    incoming: mpsc::UnboundedReceiver<IncomingMessage>,
    next_request_id: i64,
    timeout: Duration,
}

impl ServerProcess {
    pub(crate) fn spawn(
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

    pub(crate) async fn send(&mut self, message: Value) -> Result<(), BenchFailure> {
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

    pub(crate) async fn send_request(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<i64, BenchFailure> {
        self.next_request_id += 1;
        let id = self.next_request_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        Ok(id)
    }

    /// The next message before `deadline`; server-to-client requests (approvals...) are declined on
    /// the way so the server never waits on the bench.
    pub(crate) async fn next_message(
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

    /// How long a scenario waits for any one answer.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Waits for the response to request `id`; an error response becomes a failure.
    pub(crate) async fn wait_for_response(
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

    /// Starts a turn saying "hi" and follows it to `turn/completed`, timing its agent-message deltas.
    pub(crate) async fn run_turn(&mut self, thread_id: &str) -> Result<TurnTimings, BenchFailure> {
        self.run_turn_saying(thread_id, "hi").await
    }

    /// Starts a turn whose user message is `text` and follows it to `turn/completed`, timing its
    /// agent-message deltas.
    pub(crate) async fn run_turn_saying(
        &mut self,
        thread_id: &str,
        text: &str,
    ) -> Result<TurnTimings, BenchFailure> {
        let params = json!({
            "threadId": thread_id,
            "input": [{"type": "text", "text": text, "text_elements": []}],
        });
        let started_at = Instant::now();
        let id = self.send_request("turn/start", params).await?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut first_delta_at = None;
        let mut last_delta_at = None;
        let mut delta_count = 0_usize;
        let mut commands_completed = 0_usize;
        let mut compactions_completed = 0_usize;
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
                Some("item/completed")
                    if message["params"]["item"]["type"] == "contextCompaction" =>
                {
                    compactions_completed += 1;
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
                        compactions_completed,
                    });
                }
                _ => {}
            }
        }
    }

    /// Closes stdin and waits for the server to exit, killing it if it lingers.
    pub(crate) async fn shut_down(mut self) {
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
pub(crate) struct TurnTimings {
    pub started_at: Instant,
    pub first_delta_at: Option<Instant>,
    pub last_delta_at: Option<Instant>,
    pub completed_at: Instant,
    pub delta_count: usize,
    /// `commandExecution` items that completed successfully.
    pub commands_completed: usize,
    /// `contextCompaction` items that completed (an automatic compaction before the turn's request).
    pub compactions_completed: usize,
}

fn describe_exit(status: ExitStatus) -> String {
    match status.code() {
        Some(127) => "exit code 127: command not found".to_string(),
        Some(code) => format!("exit code {code}"),
        None => format!("{status}"),
    }
}

/// Milliseconds from `from` to `to`.
pub(crate) fn millis(from: Instant, to: Instant) -> f64 {
    to.duration_since(from).as_secs_f64() * 1000.0
}
