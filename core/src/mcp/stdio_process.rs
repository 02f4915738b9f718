//! A stdio MCP server's child process: started with a small, explicit environment (the daemon's secrets are
//! not passed on), in its own process group, killed with the daemon (parent-death signal), on drop and at
//! shutdown; its stdout read as MCP messages one line each (lines that are not JSON, such as a banner, are
//! logged and skipped; a line past the size limit ends the connection), its stderr logged.

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::OnceLock;

use futures::Sink;
use futures::Stream;
use rmcp::model::JsonRpcMessage;
use rmcp::model::JsonRpcNotification;
use rmcp::model::ProgressNotificationParam;
use rmcp::model::ServerNotification;
use rmcp::service::RoleClient;
use rmcp::service::RxJsonRpcMessage;
use rmcp::service::TxJsonRpcMessage;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncRead;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::process::Child;
use tokio::process::ChildStdin;

/// The largest message a server may send (one line): past it the connection is treated as broken.
pub(crate) const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Passed through from the daemon's environment to every stdio server (upstream's default list).
const DEFAULT_ENV_VARS: &[&str] = &[
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ",
];

/// The process groups of every running server, killed at shutdown.
fn live_groups() -> &'static Mutex<HashSet<i32>> {
    static GROUPS: OnceLock<Mutex<HashSet<i32>>> = OnceLock::new();
    GROUPS.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Kills every stdio server this process started (the daemon is exiting).
pub(crate) fn kill_all_servers() {
    let groups: Vec<i32> = live_groups()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain()
        .collect();
    for group in groups {
        kill_group(group);
    }
}

fn kill_group(group: i32) {
    // SAFETY: killpg only sends a signal to the group our spawn created (process_group(0)).
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// The running child; dropping it kills its whole process group.
pub(crate) struct ServerProcess {
    child: Child,
    group: Option<i32>,
}

impl ServerProcess {
    /// How the process ended, if it has.
    pub(crate) fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            live_groups()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&group);
            kill_group(group);
        }
    }
}

/// What a started server is talked to through.
pub(crate) struct StdioChannels {
    pub(crate) process: ServerProcess,
    pub(crate) sink:
        std::pin::Pin<Box<dyn Sink<TxJsonRpcMessage<RoleClient>, Error = std::io::Error> + Send>>,
    pub(crate) stream: std::pin::Pin<Box<dyn Stream<Item = RxJsonRpcMessage<RoleClient>> + Send>>,
}

/// The child's environment: the default pass-through variables and `env_vars` that are set, then `env`.
pub(crate) fn server_env(
    env_vars: &[String],
    env: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let names = DEFAULT_ENV_VARS
        .iter()
        .map(|name| name.to_string())
        .chain(env_vars.iter().cloned());
    for name in names {
        if let Ok(value) = std::env::var(&name) {
            vars.insert(name, value);
        }
    }
    vars.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
    vars
}

/// Called with each progress notification as it is read, in order with the responses after it.
pub(crate) type ProgressTap = Box<dyn Fn(ProgressNotificationParam) + Send + Sync>;

/// Starts `command` and wires its stdio as an MCP transport; `server` names it in logs. Progress
/// notifications go to `progress` as they are read (not through the SDK, which handles notifications
/// concurrently with responses, so a call's last progress could arrive after its result).
pub(crate) fn spawn_server(
    server: &str,
    command: &str,
    args: &[String],
    env: BTreeMap<String, String>,
    cwd: Option<&Path>,
    progress: ProgressTap,
) -> std::io::Result<StdioChannels> {
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    let group = child.id().and_then(|pid| i32::try_from(pid).ok());
    if let Some(group) = group {
        live_groups()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(group);
    }
    let (Some(stdin), Some(stdout), stderr) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(std::io::Error::other("the server's stdio was not captured"));
    };
    if let Some(stderr) = stderr {
        tokio::spawn(log_stderr(server.to_string(), stderr));
    }
    Ok(StdioChannels {
        process: ServerProcess { child, group },
        sink: Box::pin(message_sink(stdin)),
        stream: Box::pin(message_stream(server.to_string(), stdout, progress)),
    })
}

async fn log_stderr(server: String, stderr: impl AsyncRead + Unpin) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::info!(mcp_server = %server, "stderr: {line}");
    }
}

/// Writes each message as one JSON line.
fn message_sink(
    stdin: ChildStdin,
) -> impl Sink<TxJsonRpcMessage<RoleClient>, Error = std::io::Error> + Send {
    futures::sink::unfold(
        stdin,
        |mut stdin, message: TxJsonRpcMessage<RoleClient>| async move {
            let mut line = serde_json::to_vec(&message).map_err(std::io::Error::other)?;
            line.push(b'\n');
            stdin.write_all(&line).await?;
            stdin.flush().await?;
            Ok(stdin)
        },
    )
}

/// Reads one message a line; skips lines that are not MCP messages; hands progress notifications to
/// `progress` instead of passing them on; ends at EOF or an oversized line.
fn message_stream(
    server: String,
    stdout: impl AsyncRead + Unpin + Send + 'static,
    progress: ProgressTap,
) -> impl Stream<Item = RxJsonRpcMessage<RoleClient>> + Send {
    let reader = BufReader::new(stdout);
    futures::stream::unfold(
        (reader, server, Vec::new(), progress),
        |(mut reader, server, mut line, progress)| async move {
            loop {
                line.clear();
                let limit = u64::try_from(MAX_MESSAGE_BYTES + 1).unwrap_or(u64::MAX);
                let read = (&mut reader).take(limit).read_until(b'\n', &mut line).await;
                match read {
                    Ok(0) | Err(_) => return None,
                    Ok(_) if line.len() > MAX_MESSAGE_BYTES => {
                        tracing::warn!(
                            mcp_server = %server,
                            "the server sent a message over {} MiB; closing the connection",
                            MAX_MESSAGE_BYTES / (1024 * 1024)
                        );
                        return None;
                    }
                    Ok(_) => {}
                }
                let text = String::from_utf8_lossy(&line);
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                match serde_json::from_str::<RxJsonRpcMessage<RoleClient>>(text) {
                    Ok(JsonRpcMessage::Notification(JsonRpcNotification {
                        notification: ServerNotification::ProgressNotification(notification),
                        ..
                    })) => progress(notification.params),
                    Ok(message) => return Some((message, (reader, server, line, progress))),
                    Err(err) => {
                        let shown: String = text.chars().take(200).collect();
                        tracing::warn!(
                            mcp_server = %server,
                            "skipping a line that is not an MCP message ({err}): {shown}"
                        );
                    }
                }
            }
        },
    )
}
