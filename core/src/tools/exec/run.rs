//! `run`: executes one `ExecParams` in its own process group and sandbox, streaming stdout/stderr chunks as
//! they arrive and killing the whole group (grandchildren included) on timeout, cancellation or drop.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

use tokio::io::AsyncRead;
use tokio::io::AsyncReadExt;
use tokio::process::Child;
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::capped_output::CappedOutput;
use super::params::ExecCommand;
use super::params::ExecParams;
use crate::protocol::exit_code::SIGNAL_EXIT_CODE_BASE;
use crate::protocol::exit_code::TIMEOUT_EXIT_CODE;
use crate::sandbox::SandboxError;
use crate::sandbox::SandboxedCommand;

/// After the direct child exits, background processes it started may still hold the pipes open; output is
/// collected for at most this long before `run` returns without them.
pub(super) const OUTPUT_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
const READ_CHUNK_BYTES: usize = 8192;
pub(super) const OUTPUT_CHANNEL_CAPACITY: usize = 64;
/// Used when `$SHELL` is unset for `ExecCommand::ShellScript`.
/// Inherited variables whose names contain one of these (in any case) are not passed on, so commands cannot
/// read the daemon's credentials (`OPENAI_API_KEY`, `GITHUB_TOKEN`, ...); the default of upstream's
/// `shell_environment_policy`. Variables set in `ExecParams::env` are passed whatever their name.
const SECRET_NAME_PARTS: [&str; 3] = ["KEY", "SECRET", "TOKEN"];

/// Which pipe a chunk of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecStream {
    Stdout,
    Stderr,
}

/// One read from the command's stdout or stderr, delivered as soon as it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutputChunk {
    pub stream: ExecStream,
    pub bytes: Vec<u8>,
}

/// How a command that ran to completion (or to its timeout) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    /// The process's exit code; 128 + N when killed by signal N; `TIMEOUT_EXIT_CODE` when timed out.
    pub exit_code: i32,
    pub duration: Duration,
    /// stdout and stderr interleaved in arrival order, decoded lossily as UTF-8; past 1 MiB only the first
    /// and last 512 KiB are kept.
    pub aggregated_output: String,
    pub timed_out: bool,
}

/// Why a command produced no outcome.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("command is empty")]
    EmptyCommand,
    #[error("failed to start `{program}` in {}: {source}", cwd.display())]
    Spawn {
        program: String,
        cwd: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to wait for the command: {0}")]
    Wait(std::io::Error),
    #[error("command was cancelled")]
    Cancelled,
    /// The policy cannot be enforced here (no bubblewrap, no process limit, ...) or the sandbox failed to
    /// start; the command did not run.
    #[error("{0}")]
    Sandbox(#[from] SandboxError),
}

/// Kills the process group it names when dropped, so that a `run` future dropped mid-flight (an aborted
/// turn) does not leave the command and its children running.
pub(super) struct ProcessGroupKiller {
    pgid: Option<libc::pid_t>,
}

impl ProcessGroupKiller {
    /// Kills the group led by `child` (its pid is the group's id) when asked or dropped.
    pub(super) fn for_child(child: &Child) -> Self {
        ProcessGroupKiller {
            pgid: child.id().and_then(|pid| libc::pid_t::try_from(pid).ok()),
        }
    }

    pub(super) fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            // SAFETY: killpg only sends a signal; the group was created by our spawn (process_group(0)),
            // so its id is the child's pid, which we have not reaped yet.
            let result = unsafe { libc::killpg(pgid, libc::SIGKILL) };
            if result != 0 {
                tracing::debug!(
                    pgid,
                    error = %std::io::Error::last_os_error(),
                    "killpg failed (group probably already gone)"
                );
            }
        }
    }

    pub(super) fn disarm(&mut self) {
        self.pgid = None;
    }
}

impl Drop for ProcessGroupKiller {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How the wait for the direct child ended.
enum ChildEnding {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

/// Runs the command under `params.sandbox`, calling `output` with each chunk of stdout/stderr as it arrives.
/// On timeout the whole process group is killed and the outcome has `timed_out` and exit code 124; on
/// `cancel` the group is killed and `ExecError::Cancelled` is returned. A restricted policy runs the command
/// in its sandbox (a PID namespace: everything it started ends with it); one that cannot be enforced is
/// `ExecError::Sandbox`: the command never runs unsandboxed.
pub async fn run(
    params: ExecParams,
    output: impl FnMut(ExecOutputChunk),
    cancel: CancellationToken,
) -> Result<ExecOutcome, ExecError> {
    let argv = command_argv(&params.command)?;
    let mut sandboxed = sandboxed_command(&params, &argv)?;
    let started = Instant::now();
    let mut child = spawn(&argv, sandboxed.as_ref(), &params)?;
    // Killing bubblewrap (the group's leader) kills its PID namespace, and so the whole sandboxed tree.
    let mut killer = ProcessGroupKiller::for_child(&child);
    release_sandbox(sandboxed.as_mut(), &mut child, &mut killer, params.timeout).await?;

    let (status, aggregated_output) =
        supervise(&mut child, &mut killer, params.timeout, output, cancel).await?;
    if let Some(sandboxed) = &sandboxed
        && status.is_some()
        && !sandboxed.command_started()
    {
        return Err(ExecError::Sandbox(
            sandboxed.setup_error(&aggregated_output),
        ));
    }
    let exit_code = status.map_or(TIMEOUT_EXIT_CODE, exit_code_of);
    Ok(ExecOutcome {
        exit_code,
        duration: started.elapsed(),
        aggregated_output,
        timed_out: status.is_none(),
    })
}

/// The exit code a status reports: the process's own, or 128 + N when signal N killed it.
pub(super) fn exit_code_of(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| SIGNAL_EXIT_CODE_BASE + status.signal().unwrap_or_default())
}

/// Lets a prepared sandbox start the command (see [`SandboxedCommand::release`]); when it cannot, the
/// sandbox is killed and reaped before the error is returned.
pub(super) async fn release_sandbox(
    sandboxed: Option<&mut SandboxedCommand>,
    child: &mut Child,
    killer: &mut ProcessGroupKiller,
    timeout: Duration,
) -> Result<(), ExecError> {
    let Some(sandboxed) = sandboxed else {
        return Ok(());
    };
    let released = tokio::time::timeout(timeout, sandboxed.release()).await;
    let failure = match released {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error),
        Err(_) => Some(sandboxed.setup_error("bubblewrap did not start the sandbox in time")),
    };
    if let Some(error) = failure {
        // Killed and reaped before `sandboxed` is dropped: dropping it would let the command start.
        killer.kill();
        child.wait().await.map_err(ExecError::Wait)?;
        return Err(error.into());
    }
    Ok(())
}

/// Starts the command (or bubblewrap around it) in its own process group, with the daemon's environment
/// minus its secrets, no stdin, and piped stdout/stderr.
fn spawn(
    argv: &[String],
    sandboxed: Option<&SandboxedCommand>,
    params: &ExecParams,
) -> Result<Child, ExecError> {
    let mut command = base_command(argv, sandboxed, params);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    spawn_command(&mut command, argv, params)
}

/// Spawns `command`; a failure names the program and the directory.
pub(super) fn spawn_command(
    command: &mut Command,
    argv: &[String],
    params: &ExecParams,
) -> Result<Child, ExecError> {
    command.spawn().map_err(|source| ExecError::Spawn {
        program: argv[0].clone(),
        cwd: params.cwd.clone(),
        source,
    })
}

/// The command (or bubblewrap around it, with the sandbox's child setup) in `params.cwd`, with the daemon's
/// environment minus its secrets plus `params.env`; stdio and process group are the caller's.
pub(super) fn base_command(
    argv: &[String],
    sandboxed: Option<&SandboxedCommand>,
    params: &ExecParams,
) -> Command {
    let mut command = match sandboxed {
        Some(sandboxed) => {
            let mut command = Command::new(&sandboxed.program);
            command.args(&sandboxed.args);
            // SAFETY: `child_setup` makes a few syscalls on integers and allocates nothing, so it is
            // async-signal-safe between fork and exec.
            unsafe {
                command.pre_exec(sandboxed.child_setup());
            }
            command
        }
        None => {
            let mut command = Command::new(&argv[0]);
            command.args(&argv[1..]);
            command
        }
    };
    command
        .current_dir(&params.cwd)
        .env_clear()
        .envs(std::env::vars_os().filter(|(name, _)| {
            let name = name.to_string_lossy().to_ascii_uppercase();
            !SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
        }))
        .envs(&params.env);
    command
}

/// Streams the child's output until it exits (its status), times out (`None`: the group is killed) or is
/// cancelled (`ExecError::Cancelled`: the group is killed); returns the status and the aggregated output.
async fn supervise(
    child: &mut Child,
    killer: &mut ProcessGroupKiller,
    timeout: Duration,
    mut output: impl FnMut(ExecOutputChunk),
    cancel: CancellationToken,
) -> Result<(Option<ExitStatus>, String), ExecError> {
    let (chunk_sender, mut chunk_receiver) = mpsc::channel(OUTPUT_CHANNEL_CAPACITY);
    let readers: Vec<JoinHandle<()>> = [
        child
            .stdout
            .take()
            .map(|stdout| spawn_reader(stdout, ExecStream::Stdout, chunk_sender.clone())),
        child
            .stderr
            .take()
            .map(|stderr| spawn_reader(stderr, ExecStream::Stderr, chunk_sender.clone())),
    ]
    .into_iter()
    .flatten()
    .collect();
    drop(chunk_sender);

    let mut aggregated_output = CappedOutput::default();
    let mut output_open = true;
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let ending = loop {
        tokio::select! {
            chunk = chunk_receiver.recv(), if output_open => match chunk {
                Some(chunk) => {
                    aggregated_output.push(&chunk.bytes);
                    output(chunk);
                }
                None => output_open = false,
            },
            status = child.wait() => break ChildEnding::Exited(status.map_err(ExecError::Wait)?),
            () = &mut deadline => break ChildEnding::TimedOut,
            () = cancel.cancelled() => break ChildEnding::Cancelled,
        }
    };

    let status = match ending {
        ChildEnding::Exited(status) => {
            // Unsandboxed, background processes the command left behind are its business; only a timeout,
            // a cancel or dropping the `run` future kills the group. Sandboxed, they ended with its namespace.
            killer.disarm();
            Some(status)
        }
        ChildEnding::TimedOut => {
            killer.kill();
            child.wait().await.map_err(ExecError::Wait)?;
            None
        }
        ChildEnding::Cancelled => {
            killer.kill();
            child.wait().await.map_err(ExecError::Wait)?;
            for reader in readers {
                reader.abort();
            }
            return Err(ExecError::Cancelled);
        }
    };
    let drained = tokio::time::timeout(OUTPUT_DRAIN_TIMEOUT, async {
        while let Some(chunk) = chunk_receiver.recv().await {
            aggregated_output.push(&chunk.bytes);
            output(chunk);
        }
    })
    .await;
    if drained.is_err() {
        tracing::debug!("output pipes still open after the command exited; not waiting for them");
    }
    for reader in readers {
        reader.abort();
    }
    Ok((status, aggregated_output.into_text()))
}

/// The program and its arguments: the argv as given, or the user's shell running the script.
pub(super) fn command_argv(command: &ExecCommand) -> Result<Vec<String>, ExecError> {
    match command {
        ExecCommand::Argv(argv) if argv.is_empty() => Err(ExecError::EmptyCommand),
        ExecCommand::Argv(argv) => Ok(argv.clone()),
        ExecCommand::ShellScript { script, login } => {
            let shell = crate::user_shell::user_shell_path();
            let flag = if *login { "-lc" } else { "-c" };
            Ok(vec![shell, flag.to_string(), script.clone()])
        }
    }
}

/// Forwards everything read from one pipe to the shared channel, so chunks from both pipes are seen in
/// arrival order.
pub(super) fn spawn_reader(
    mut pipe: impl AsyncRead + Unpin + Send + 'static,
    stream: ExecStream,
    chunks: mpsc::Sender<ExecOutputChunk>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut buffer = vec![0; READ_CHUNK_BYTES];
        loop {
            match pipe.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => {
                    let chunk = ExecOutputChunk {
                        stream,
                        bytes: buffer[..read].to_vec(),
                    };
                    if chunks.send(chunk).await.is_err() {
                        break;
                    }
                }
                Err(err) => {
                    tracing::debug!(?stream, error = %err, "reading command output failed");
                    break;
                }
            }
        }
    })
}

/// The command wrapped in its sandbox, or `None` when the policy does not restrict it.
pub(super) fn sandboxed_command(
    params: &ExecParams,
    argv: &[String],
) -> Result<Option<SandboxedCommand>, ExecError> {
    if params.sandbox.is_unrestricted() {
        return Ok(None);
    }
    Ok(Some(SandboxedCommand::prepare(
        &params.sandbox,
        &params.sandbox_cwd,
        &params.codex_home,
        argv.iter().map(OsString::from).collect(),
    )?))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::sandbox::SandboxPolicy;

    fn sh(script: &str, cwd: &Path, timeout: Duration) -> ExecParams {
        ExecParams {
            command: ExecCommand::Argv(vec![
                "sh".to_string(),
                "-c".to_string(),
                script.to_string(),
            ]),
            cwd: cwd.to_path_buf(),
            timeout,
            env: HashMap::new(),
            sandbox: SandboxPolicy::DangerFullAccess,
            sandbox_cwd: cwd.to_path_buf(),
            codex_home: cwd.join(".codex"),
        }
    }

    /// True once `pid` no longer names a live process (gone, or a zombie nobody has reaped yet).
    fn process_is_dead(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    #[tokio::test]
    async fn streams_stdout_and_stderr_in_arrival_order() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let mut chunks = Vec::new();
        let outcome = run(
            sh(
                "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 3",
                cwd.path(),
                Duration::from_secs(10),
            ),
            |chunk| chunks.push(chunk),
            CancellationToken::new(),
        )
        .await
        .expect("run");
        assert_eq!(
            chunks,
            vec![
                ExecOutputChunk {
                    stream: ExecStream::Stdout,
                    bytes: b"one\n".to_vec(),
                },
                ExecOutputChunk {
                    stream: ExecStream::Stderr,
                    bytes: b"two\n".to_vec(),
                },
                ExecOutputChunk {
                    stream: ExecStream::Stdout,
                    bytes: b"three\n".to_vec(),
                },
            ]
        );
        assert_eq!(
            outcome,
            ExecOutcome {
                exit_code: 3,
                duration: outcome.duration,
                aggregated_output: "one\ntwo\nthree\n".to_string(),
                timed_out: false,
            }
        );
        assert!(outcome.duration >= Duration::from_millis(400));
    }

    #[tokio::test]
    async fn reports_exit_codes_and_signals() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let mut exit_codes = Vec::new();
        for script in ["true", "exit 42", "kill -TERM $$"] {
            let outcome = run(
                sh(script, cwd.path(), Duration::from_secs(10)),
                |_| {},
                CancellationToken::new(),
            )
            .await
            .expect("run");
            exit_codes.push(outcome.exit_code);
        }
        assert_eq!(exit_codes, vec![0, 42, 128 + libc::SIGTERM]);
    }

    #[tokio::test]
    async fn runs_in_cwd_with_extra_env() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let cwd_path = cwd.path().canonicalize().expect("canonicalize");
        let mut params = sh(
            "pwd -P; echo \"$EXEC_TEST_VAR\"",
            &cwd_path,
            Duration::from_secs(10),
        );
        params
            .env
            .insert("EXEC_TEST_VAR".to_string(), "from-params".to_string());
        let outcome = run(params, |_| {}, CancellationToken::new())
            .await
            .expect("run");
        assert_eq!(
            outcome.aggregated_output,
            format!("{}\nfrom-params\n", cwd_path.display())
        );
    }

    #[tokio::test]
    async fn shell_script_runs_through_a_shell() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let params = ExecParams {
            command: ExecCommand::ShellScript {
                script: "echo a | tr a b".to_string(),
                login: false,
            },
            cwd: cwd.path().to_path_buf(),
            timeout: Duration::from_secs(10),
            env: HashMap::new(),
            sandbox: SandboxPolicy::DangerFullAccess,
            sandbox_cwd: cwd.path().to_path_buf(),
            codex_home: cwd.path().join(".codex"),
        };
        let outcome = run(params, |_| {}, CancellationToken::new())
            .await
            .expect("run");
        assert_eq!(
            (outcome.exit_code, outcome.aggregated_output),
            (0, "b\n".to_string())
        );
    }

    #[tokio::test]
    async fn spawn_failure_names_the_program() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let params = ExecParams {
            command: ExecCommand::Argv(vec!["/nonexistent/program".to_string()]),
            cwd: cwd.path().to_path_buf(),
            timeout: Duration::from_secs(10),
            env: HashMap::new(),
            sandbox: SandboxPolicy::DangerFullAccess,
            sandbox_cwd: cwd.path().to_path_buf(),
            codex_home: cwd.path().join(".codex"),
        };
        let error = run(params, |_| {}, CancellationToken::new())
            .await
            .expect_err("spawn should fail");
        assert!(
            error
                .to_string()
                .starts_with("failed to start `/nonexistent/program` in "),
            "{error}"
        );
    }

    #[tokio::test]
    async fn timeout_kills_the_whole_process_group() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let timeout = Duration::from_millis(500);
        let started = Instant::now();
        let outcome = run(
            sh("sleep 30 & echo $!; sleep 30", cwd.path(), timeout),
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("run");
        let elapsed = started.elapsed();
        assert!(
            elapsed < timeout + Duration::from_secs(1),
            "took {elapsed:?}"
        );
        let grandchild: u32 = outcome
            .aggregated_output
            .trim()
            .parse()
            .expect("grandchild pid");
        assert_eq!(
            ExecOutcome {
                duration: Duration::ZERO,
                ..outcome
            },
            ExecOutcome {
                exit_code: TIMEOUT_EXIT_CODE,
                duration: Duration::ZERO,
                aggregated_output: format!("{grandchild}\n"),
                timed_out: true,
            }
        );
        // SIGKILL is delivered before `run` returns, but the kernel may need a moment to tear the process down.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !process_is_dead(grandchild) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            process_is_dead(grandchild),
            "grandchild {grandchild} survived"
        );
    }

    #[tokio::test]
    async fn cancel_kills_the_command_after_streamed_output() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let cancel = CancellationToken::new();
        let mut streamed = Vec::new();
        let started = Instant::now();
        let result = run(
            sh("echo ready; sleep 30", cwd.path(), Duration::from_secs(60)),
            |chunk| {
                streamed.push(chunk);
                cancel.cancel();
            },
            cancel.clone(),
        )
        .await;
        assert!(matches!(result, Err(ExecError::Cancelled)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            streamed,
            vec![ExecOutputChunk {
                stream: ExecStream::Stdout,
                bytes: b"ready\n".to_vec(),
            }]
        );
    }

    #[tokio::test]
    async fn dropping_the_run_future_kills_the_process_group() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let (pid_sender, mut pid_receiver) = mpsc::unbounded_channel();
        let running = run(
            sh(
                "sleep 30 & echo $!; sleep 30",
                cwd.path(),
                Duration::from_secs(60),
            ),
            move |chunk| {
                let pid: u32 = String::from_utf8_lossy(&chunk.bytes)
                    .trim()
                    .parse()
                    .expect("grandchild pid");
                pid_sender.send(pid).expect("send pid");
            },
            CancellationToken::new(),
        );
        let grandchild = tokio::select! {
            result = running => panic!("command finished before it was dropped: {result:?}"),
            pid = pid_receiver.recv() => pid.expect("pid"),
        };
        let deadline = Instant::now() + Duration::from_secs(2);
        while !process_is_dead(grandchild) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            process_is_dead(grandchild),
            "grandchild {grandchild} survived"
        );
    }

    #[tokio::test]
    async fn returns_after_exit_even_if_a_background_child_holds_the_pipes() {
        let cwd = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let outcome = run(
            sh("sleep 30 & echo $!", cwd.path(), Duration::from_secs(60)),
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("run");
        assert!(started.elapsed() < OUTPUT_DRAIN_TIMEOUT + Duration::from_secs(2));
        let background: libc::pid_t = outcome
            .aggregated_output
            .trim()
            .parse()
            .expect("background pid");
        assert_eq!(outcome.exit_code, 0);
        // SAFETY: only sends a signal to the test's own leftover `sleep`.
        unsafe { libc::kill(background, libc::SIGKILL) };
    }

    #[tokio::test]
    async fn danger_full_access_writes_anywhere() {
        let workspace = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let outside_file = outside.path().join("outside.txt");
        let script = format!("touch '{}'", outside_file.display());
        let outcome = run(
            sh(&script, workspace.path(), Duration::from_secs(10)),
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("run");
        assert_eq!(outcome.exit_code, 0, "{}", outcome.aggregated_output);
        assert!(outside_file.exists());
    }
}
