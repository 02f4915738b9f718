//! The unified exec suite's harness: a daemon on the mock model with one thread, turns read with every
//! notification they caused (also those about items of earlier turns), and the checks on processes.

use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_provider::mock_provider_options;
use serde_json::Value;
use serde_json::json;

/// Sessions wait for their commands: reads may take longer than the harness's default.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct Session {
    pub(crate) server: AppServer,
    pub(crate) thread_id: String,
}

/// One turn: its id, its `turn` (from `turn/completed`), and every notification read until then.
pub(crate) struct TurnEvents {
    pub(crate) turn_id: String,
    pub(crate) turn: Value,
    pub(crate) events: Vec<Value>,
}

impl TurnEvents {
    pub(crate) fn status(&self) -> &str {
        self.turn["status"].as_str().unwrap_or_default()
    }
}

/// The daemon's options: the mock provider, a patient read timeout, and bash as the user's shell (the
/// scripts and the launched command lines of these tests are bash's, whatever the runner's `$SHELL`).
fn daemon_options(model: &MockModelServer) -> AppServerOptions {
    let mut options = mock_provider_options(&model.uri(), &[]);
    options.read_timeout = READ_TIMEOUT;
    options
        .env
        .push(("SHELL".to_string(), USER_SHELL.to_string()));
    options
}

/// The user's shell of these tests' daemons.
pub(crate) const USER_SHELL: &str = "/bin/bash";

impl Session {
    /// A daemon on `model` with a thread in `workspace` under `approval_policy` and `sandbox`.
    pub(crate) async fn start(
        model: &MockModelServer,
        workspace: &Path,
        approval_policy: &str,
        sandbox: &str,
    ) -> anyhow::Result<Session> {
        let options = daemon_options(model);
        let mut server = AppServer::spawn_with(options).await?;
        server.initialize().await?;
        Self::with_thread(server, workspace, approval_policy, sandbox).await
    }

    /// As [`Self::start`] with no sandbox, for a client that opted into the experimental API.
    pub(crate) async fn start_experimental(
        model: &MockModelServer,
        workspace: &Path,
    ) -> anyhow::Result<Session> {
        Self::start_experimental_in(model, workspace, "danger-full-access").await
    }

    /// As [`Self::start_experimental`] under `sandbox`.
    pub(crate) async fn start_experimental_in(
        model: &MockModelServer,
        workspace: &Path,
        sandbox: &str,
    ) -> anyhow::Result<Session> {
        let options = daemon_options(model);
        let mut server = AppServer::spawn_with(options).await?;
        server.initialize_experimental().await?;
        Self::with_thread(server, workspace, "never", sandbox).await
    }

    async fn with_thread(
        mut server: AppServer,
        workspace: &Path,
        approval_policy: &str,
        sandbox: &str,
    ) -> anyhow::Result<Session> {
        let started = server
            .call(
                "thread/start",
                json!({
                    "cwd": workspace.display().to_string(),
                    "approvalPolicy": approval_policy,
                    "sandbox": sandbox,
                }),
            )
            .await?;
        let thread_id = started["thread"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        server.take_buffered();
        Ok(Session { server, thread_id })
    }

    /// Starts a turn; returns its id.
    pub(crate) async fn start_turn(&mut self, text: &str) -> anyhow::Result<String> {
        let started = self
            .server
            .call(
                "turn/start",
                json!({"threadId": self.thread_id, "input": [text_input(text)]}),
            )
            .await?;
        Ok(started["turn"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Runs a turn to its end.
    pub(crate) async fn run_turn(&mut self, text: &str) -> anyhow::Result<TurnEvents> {
        let turn_id = self.start_turn(text).await?;
        self.read_turn_to_its_end(&turn_id).await
    }

    /// Reads until `turn_id`'s `turn/completed`; every notification read on the way is kept.
    pub(crate) async fn read_turn_to_its_end(
        &mut self,
        turn_id: &str,
    ) -> anyhow::Result<TurnEvents> {
        let completed = self
            .server
            .read_turn_notification("turn/completed", turn_id)
            .await?;
        let mut events: Vec<Value> = self
            .server
            .take_buffered()
            .into_iter()
            .filter(|message| message.get("id").is_none())
            .collect();
        events.push(completed.clone());
        Ok(TurnEvents {
            turn_id: turn_id.to_string(),
            turn: completed["params"]["turn"].clone(),
            events,
        })
    }
}

/// The pid a command printed as `pid=N`.
pub(crate) fn pid_in(output: &str) -> u32 {
    output
        .lines()
        .find_map(|line| line.trim().strip_prefix("pid="))
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {output:?}"))
}

/// Waits (up to 20 s) until process `pid` is gone or a zombie nobody reaped yet: it no longer runs.
pub(crate) async fn wait_until_gone(pid: u32) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or_default().trim_start();
        if stat.is_empty() || state.starts_with('Z') || state.starts_with('X') {
            return Ok(());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "process {pid} still runs: {stat}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Which of `paths` appear within `within` (a process that escaped would touch its marker again).
pub(crate) async fn appearing(
    paths: &[std::path::PathBuf],
    within: Duration,
) -> Vec<std::path::PathBuf> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let present: Vec<_> = paths.iter().filter(|path| path.exists()).cloned().collect();
        if !present.is_empty() || tokio::time::Instant::now() >= deadline {
            return present;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A unified exec answer without its first two lines (chunk id and wall time, which vary).
pub(crate) fn without_chunk_and_time(output: &str) -> String {
    let mut lines = output.splitn(3, '\n');
    let chunk = lines.next().unwrap_or_default();
    let time = lines.next().unwrap_or_default();
    assert!(chunk.starts_with("Chunk ID: "), "{output}");
    assert!(time.starts_with("Wall time: "), "{output}");
    lines.next().unwrap_or_default().to_string()
}

/// Upstream 0.171's `exec_command` spec, as its first request carried it.
pub(crate) fn upstream_exec_command_spec() -> Value {
    json!({
        "type": "function",
        "name": "exec_command",
        "description": "Runs a command in a PTY, returning output or a session ID for ongoing interaction.",
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "cmd": {"type": "string", "description": "Shell command to execute."},
                "justification": {"type": "string", "description": "User-facing approval question for `require_escalated`; omit otherwise."},
                "login": {"type": "boolean", "description": "Request login-shell startup. Omit to inherit."},
                "max_output_tokens": {"type": "number", "description": "Output token budget. Defaults to 10000 tokens; larger requests may be capped by policy."},
                "prefix_rule": {"type": "array", "description": "Reusable approval prefix for `cmd`, only with `sandbox_permissions: \"require_escalated\"`; for example [\"git\", \"pull\"].", "items": {"type": "string"}},
                "sandbox_permissions": {"type": "string", "description": "Per-command sandbox override. Defaults to `use_default`; use `require_escalated` for unsandboxed execution.", "enum": ["use_default", "require_escalated"]},
                "shell": {"type": "string", "description": "Shell binary to launch. Defaults to the user's default shell."},
                "tty": {"type": "boolean", "description": "True allocates a PTY for the command; false or omitted uses plain pipes."},
                "workdir": {"type": "string", "description": "Working directory for the command. Defaults to the turn cwd."},
                "yield_time_ms": {"type": "number", "description": "Wait before yielding output. Defaults to 10000 ms; effective range is 250-30000 ms."}
            },
            "required": ["cmd"],
            "additionalProperties": false
        }
    })
}
