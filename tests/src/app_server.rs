//! A harness that spawns the real `codex-app-server` binary with a temporary `CODEX_HOME` and talks JSON-RPC
//! to it over stdio, with a timeout on every read so a test never hangs. Usable from tests and from binaries.

use std::path::Path;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use anyhow::anyhow;
use anyhow::bail;
use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::process::Child;
use tokio::process::ChildStdin;
use tokio::sync::mpsc;

use crate::inbox::Inbox;
use crate::workspace_binary::WorkspaceBinary;
use crate::workspace_binary::workspace_binary;

/// How long one read waits for the server before failing.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start the server: extra arguments and environment on top of a fresh `CODEX_HOME` and a
/// `GIT_CEILING_DIRECTORIES` at the temporary directory (see [`AppServer::spawn_in`]).
#[derive(Debug, Clone)]
pub struct AppServerOptions {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Variables of the test's own environment the server must not see (e.g. `OPENAI_API_KEY`).
    pub env_remove: Vec<String>,
    pub read_timeout: Duration,
    /// The child's open-file limit (`RLIMIT_NOFILE`, soft and hard), when set.
    pub open_files_limit: Option<u64>,
}

impl Default for AppServerOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            read_timeout: DEFAULT_READ_TIMEOUT,
            open_files_limit: None,
        }
    }
}

pub use crate::inbox::Transcribed;

/// A running `codex-app-server` child process and the messages it has written so far.
pub struct AppServer {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The messages of stdout, one per line, and the session's transcript.
    inbox: Inbox,
    stderr: Arc<Mutex<String>>,
    /// Signalled whenever stderr grows.
    stderr_grew: Arc<tokio::sync::Notify>,
    /// Ends when the child closes stderr; awaited by `wait_exit` so `stderr()` is then complete.
    stderr_reader: Option<tokio::task::JoinHandle<()>>,
    next_request_id: i64,
    read_timeout: Duration,
    codex_home: tempfile::TempDir,
}

impl AppServer {
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(AppServerOptions::default()).await
    }

    pub async fn spawn_with(options: AppServerOptions) -> anyhow::Result<Self> {
        let codex_home = tempfile::tempdir().context("create temporary CODEX_HOME")?;
        Self::spawn_in(codex_home, options).await
    }

    /// Starts the server on an existing `CODEX_HOME` (e.g. one taken from a killed server with
    /// [`AppServer::into_codex_home`]), which the new server then owns.
    ///
    /// Tests build their workspaces under the temporary directory; the server looks for their repositories
    /// (git and the `AGENTS.md` search alike) without climbing into it, so a stray `/tmp/.git` or
    /// `/tmp/AGENTS.md` on the machine is not part of any test.
    pub async fn spawn_in(
        codex_home: tempfile::TempDir,
        options: AppServerOptions,
    ) -> anyhow::Result<Self> {
        Self::spawn_program_in(&app_server_binary()?, &[], codex_home, options).await
    }

    /// Starts another app-server program the same way, e.g. an upstream `codex` with
    /// `program_args` `["app-server"]`, for interop tests on a shared `CODEX_HOME`.
    pub async fn spawn_program_in(
        binary: &Path,
        program_args: &[&str],
        codex_home: tempfile::TempDir,
        options: AppServerOptions,
    ) -> anyhow::Result<Self> {
        let temp_dir = std::env::temp_dir();
        let git_ceiling = std::fs::canonicalize(&temp_dir).unwrap_or(temp_dir);
        let mut command = tokio::process::Command::new(binary);
        for name in &options.env_remove {
            command.env_remove(name);
        }
        command
            .args(program_args)
            .args(&options.args)
            .env("CODEX_HOME", codex_home.path())
            .env("GIT_CEILING_DIRECTORIES", git_ceiling)
            .envs(options.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(limit) = options.open_files_limit {
            limit_open_files(&mut command, limit);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("spawn {}", binary.display()))?;
        let stdin = child.stdin.take().context("child stdin")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut stderr_pipe = child.stderr.take().context("child stderr")?;

        let (lines_tx, stdout_lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_sink = Arc::clone(&stderr);
        let stderr_grew = Arc::new(tokio::sync::Notify::new());
        let stderr_grown = Arc::clone(&stderr_grew);
        let stderr_reader = tokio::spawn(async move {
            let mut chunk = vec![0u8; 8192];
            while let Ok(read) = stderr_pipe.read(&mut chunk).await {
                if read == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&chunk[..read]).into_owned();
                stderr_sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push_str(&text);
                stderr_grown.notify_waiters();
            }
            stderr_grown.notify_waiters();
        });
        let stderr_of_inbox = Arc::clone(&stderr);
        let inbox = Inbox::new(
            stdout_lines,
            options.read_timeout,
            Arc::new(move || {
                let stderr = stderr_of_inbox
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone();
                format!("server stderr:\n{stderr}")
            }),
        );

        Ok(Self {
            child,
            stdin: Some(stdin),
            inbox,
            stderr,
            stderr_grew,
            stderr_reader: Some(stderr_reader),
            next_request_id: 0,
            read_timeout: options.read_timeout,
            codex_home,
        })
    }

    pub fn codex_home(&self) -> &Path {
        self.codex_home.path()
    }

    /// The child's process id, while it has not been reaped.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops the server cleanly (stdin closed, its exit awaited within `timeout`, so everything is flushed)
    /// and hands over its `CODEX_HOME`, to start another server on it.
    pub async fn stop_for_codex_home(
        mut self,
        timeout: Duration,
    ) -> anyhow::Result<tempfile::TempDir> {
        self.close_stdin();
        self.wait_exit(timeout).await?;
        self.into_codex_home().await
    }

    /// Kills the server if still running and hands over its `CODEX_HOME`, to start another server on it.
    pub async fn into_codex_home(mut self) -> anyhow::Result<tempfile::TempDir> {
        self.child.kill().await.ok();
        Ok(self.codex_home)
    }

    /// Every record of every rollout file under `CODEX_HOME/sessions`, file by file in path order.
    pub fn rollout_records(&self) -> anyhow::Result<Vec<Value>> {
        let mut files = Vec::new();
        let mut directories = vec![self.codex_home.path().join("sessions")];
        while let Some(directory) = directories.pop() {
            let Ok(entries) = std::fs::read_dir(&directory) else {
                continue;
            };
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() {
                    directories.push(path);
                } else if path
                    .extension()
                    .is_some_and(|extension| extension == "jsonl")
                {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut records = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("read rollout {}", file.display()))?;
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                records.push(serde_json::from_str(line).with_context(|| {
                    format!("rollout {} holds a non-JSON line: {line:?}", file.display())
                })?);
            }
        }
        Ok(records)
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Writes bytes to stdin exactly as given (no newline added).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let stdin = self.stdin.as_mut().context("stdin already closed")?;
        stdin
            .write_all(bytes)
            .await
            .context("write to server stdin")?;
        stdin.flush().await.context("flush server stdin")
    }

    /// Writes one JSON value as a line.
    pub async fn send_json(&mut self, message: &Value) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(message)?;
        line.push(b'\n');
        self.inbox.record_sent(message);
        self.send_raw(&line).await
    }

    /// Every message written with [`AppServer::send_json`] and read from stdout so far, in order (e.g. to
    /// validate a whole session against upstream's schema).
    pub fn transcript(&self) -> &[Transcribed] {
        self.inbox.transcript()
    }

    /// Sends a request with the next integer id and returns that id.
    pub async fn send_request(&mut self, method: &str, params: Value) -> anyhow::Result<i64> {
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.send_json(&json!({"id": id, "method": method, "params": params}))
            .await?;
        Ok(id)
    }

    pub async fn send_notification(&mut self, method: &str) -> anyhow::Result<()> {
        self.send_json(&json!({"method": method})).await
    }

    /// Starts a thread in `cwd` and reads its response and its `thread/started` (earlier messages stay
    /// buffered); returns the thread's id.
    pub async fn start_thread_in(&mut self, cwd: &Path) -> anyhow::Result<String> {
        let id = self
            .send_request("thread/start", json!({"cwd": cwd}))
            .await?;
        let response = self.read_response(id).await?;
        let Some(thread_id) = response["result"]["thread"]["id"].as_str() else {
            bail!("thread/start failed: {response}");
        };
        let thread_id = thread_id.to_string();
        self.read_notification("thread/started").await?;
        Ok(thread_id)
    }

    /// Sends `turn/start` with one text input item; returns the request's id.
    pub async fn send_turn_start(&mut self, thread_id: &str, text: &str) -> anyhow::Result<i64> {
        self.send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input(text)]}),
        )
        .await
    }

    /// The standard handshake: `initialize` as a test client, then `initialized`. Returns the response message.
    pub async fn initialize(&mut self) -> anyhow::Result<Value> {
        self.initialize_with(json!({
            "clientInfo": {"name": "codex_test", "title": "Codex Test", "version": "0.0.1"},
        }))
        .await
    }

    /// The handshake of a client that opts into the experimental API (`capabilities.experimentalApi`).
    pub async fn initialize_experimental(&mut self) -> anyhow::Result<Value> {
        self.initialize_with(json!({
            "clientInfo": {"name": "codex_test", "title": "Codex Test", "version": "0.0.1"},
            "capabilities": {"experimentalApi": true},
        }))
        .await
    }

    /// Handshake with the given `initialize` params; fails unless the server answers with a result.
    pub async fn initialize_with(&mut self, params: Value) -> anyhow::Result<Value> {
        let id = self.send_request("initialize", params).await?;
        let response = self.read_response(id).await?;
        if response.get("result").is_none() {
            bail!("initialize failed: {response}");
        }
        self.send_notification("initialized").await?;
        Ok(response)
    }

    /// The next message, from the buffer first.
    pub async fn read_message(&mut self) -> anyhow::Result<Value> {
        self.inbox.read_message().await
    }

    /// The first message (buffered or new) matching `predicate`; messages read past stay buffered in order.
    pub async fn read_until(
        &mut self,
        predicate: impl FnMut(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        self.inbox.read_until(predicate).await
    }

    /// The response or error answering request `id` (an integer or a string).
    pub async fn read_response(&mut self, id: impl Into<Value>) -> anyhow::Result<Value> {
        self.inbox.read_response(id).await
    }

    /// The next notification named `method`.
    pub async fn read_notification(&mut self, method: &str) -> anyhow::Result<Value> {
        self.inbox.read_notification(method).await
    }

    /// The next notification named `method` about turn `turn_id` (its `turnId`, or the `turn` it carries):
    /// notifications of earlier turns that are still buffered are left alone.
    pub async fn read_turn_notification(
        &mut self,
        method: &str,
        turn_id: &str,
    ) -> anyhow::Result<Value> {
        self.read_until(|message| {
            let params = &message["params"];
            message["method"] == method
                && message.get("id").is_none()
                && (params["turnId"] == turn_id || params["turn"]["id"] == turn_id)
        })
        .await
    }

    /// Sends a request and returns its `result`, failing on an error answer.
    pub async fn call(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = self.send_request(method, params).await?;
        let response = self.read_response(id).await?;
        match response.get("result") {
            Some(result) => Ok(result.clone()),
            None => bail!("{method} answered {response}"),
        }
    }

    /// The next request from the server named `method` (it carries an id to answer).
    pub async fn read_server_request(&mut self, method: &str) -> anyhow::Result<Value> {
        self.inbox.read_server_request(method).await
    }

    /// Answers the server's `request` with `result`.
    pub async fn answer(&mut self, request: &Value, result: Value) -> anyhow::Result<()> {
        self.send_json(&json!({"id": request["id"], "result": result}))
            .await
    }

    /// Removes and returns every buffered message.
    pub fn take_buffered(&mut self) -> Vec<Value> {
        self.inbox.take_buffered()
    }

    /// Waits until stderr holds `needle` (a listener's banner, a log line); fails after the read timeout.
    pub async fn wait_for_stderr(&self, needle: &str) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + self.read_timeout;
        loop {
            let grew = self.stderr_grew.notified();
            let stderr = self.stderr();
            if stderr.contains(needle) {
                return Ok(stderr);
            }
            if tokio::time::timeout_at(deadline, grew).await.is_err() {
                bail!("stderr never showed {needle:?}; stderr:\n{stderr}");
            }
        }
    }

    /// Closes stdin (EOF for the server).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Sends SIGTERM (a clean shutdown request).
    pub fn terminate(&self) -> anyhow::Result<()> {
        let pid = self.child.id().context("the server was already reaped")?;
        let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
        // SAFETY: `kill` only sends a signal to our own child's process id; it touches no memory of ours.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            return Err(std::io::Error::last_os_error()).context("send SIGTERM");
        }
        Ok(())
    }

    /// Kills the process with SIGKILL (no chance to flush or clean up) and waits for it to be gone.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("kill the server")
    }

    /// Waits for the process to exit (and its stderr to be fully captured); kills it and fails if that takes
    /// longer than `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> anyhow::Result<ExitStatus> {
        let status = match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status.context("wait for server exit")?,
            Err(_) => {
                self.child.start_kill().ok();
                bail!("server did not exit within {timeout:?}")
            }
        };
        if let Some(stderr_reader) = self.stderr_reader.take() {
            tokio::time::timeout(self.read_timeout, stderr_reader)
                .await
                .context("stderr did not close after exit")?
                .context("stderr reader failed")?;
        }
        Ok(status)
    }

    /// The messages still on stdout after the server exited, each checked to be JSON.
    pub async fn read_remaining(&mut self) -> anyhow::Result<Vec<Value>> {
        self.inbox.read_remaining().await
    }
}

/// Makes the child start with at most `limit` open files.
fn limit_open_files(command: &mut tokio::process::Command, limit: u64) {
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: between fork and exec the closure only calls `setrlimit`, which is async-signal-safe, on a
    // value it owns; it allocates nothing and takes no lock.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// One `text` user input item, as `turn/start` and `turn/steer` take it.
pub fn text_input(text: &str) -> Value {
    json!({"type": "text", "text": text, "text_elements": []})
}

/// The `codex-app-server` binary: `$CODEX_APP_SERVER_BIN`, else next to the running executable's profile
/// directory, else built once with cargo.
pub fn app_server_binary() -> anyhow::Result<PathBuf> {
    workspace_binary(&APP_SERVER)
}

const APP_SERVER: WorkspaceBinary = WorkspaceBinary {
    package: "codex-app-server",
    name: "codex-app-server",
    env_override: "CODEX_APP_SERVER_BIN",
    build_time: "a minute or two",
};

/// The `turn/completed` notification expected for `actual`, whose timing fields (`startedAt`, `completedAt`,
/// `durationMs`) are volatile and copied over. `items` is the turn's summary as 0.171 fills it: its final
/// agent message, when it has one.
pub fn expected_turn_completed(
    actual: &Value,
    thread_id: &Value,
    turn_id: &Value,
    status: &str,
    error: Value,
    items: Vec<Value>,
) -> Value {
    let turn = &actual["params"]["turn"];
    json!({
        "method": "turn/completed",
        "params": {
            "threadId": thread_id,
            "turn": {
                "id": turn_id,
                "items": items,
                "itemsView": "summary",
                "status": status,
                "error": error,
                "startedAt": turn["startedAt"],
                "completedAt": turn["completedAt"],
                "durationMs": turn["durationMs"],
            },
        },
    })
}

/// An `agentMessage` item as it completes with `phase: "final_answer"`.
pub fn final_answer(id: &str, text: &str) -> Value {
    json!({"type": "agentMessage", "id": id, "text": text, "phase": "final_answer"})
}

/// Checks that every `item/started` / `item/completed` (and approval request) in `messages` carries its
/// Unix-milliseconds stamp (`startedAtMs` / `completedAtMs`), no earlier than `since_ms` and never going
/// backwards, then removes the stamps so the messages compare whole against expected ones.
pub fn strip_item_stamps(messages: &mut [Value], since_ms: i64) -> anyhow::Result<()> {
    let mut last = since_ms;
    for message in messages.iter_mut() {
        let key = match message["method"].as_str() {
            Some("item/started")
            | Some("item/commandExecution/requestApproval")
            | Some("item/fileChange/requestApproval") => "startedAtMs",
            Some("item/completed") => "completedAtMs",
            _ => continue,
        };
        let stamp = message["params"]
            .as_object_mut()
            .and_then(|params| params.remove(key))
            .and_then(|stamp| stamp.as_i64())
            .ok_or_else(|| anyhow!("{key} missing from {message}"))?;
        if stamp < last {
            bail!("{key} {stamp} is earlier than {last} in {message}");
        }
        last = stamp;
    }
    Ok(())
}

/// The current time in Unix milliseconds (for [`strip_item_stamps`]).
pub fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
