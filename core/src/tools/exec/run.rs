//! `run`: executes one `ExecParams` in its own process group and sandbox, streaming stdout/stderr chunks as
//! they arrive and killing the whole group (grandchildren included) on timeout, cancellation or drop.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

use tokio::io::AsyncRead;
use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::capped_output::CappedOutput;
use super::params::ExecCommand;
use super::params::ExecParams;
use crate::sandbox::LandlockRuleset;
use crate::sandbox::SandboxError;

/// Reported as the exit code of a command killed by its timeout, like upstream (and coreutils `timeout`).
pub const TIMEOUT_EXIT_CODE: i32 = 124;
/// A command killed by signal N reports 128 + N, as shells do.
const SIGNAL_EXIT_CODE_BASE: i32 = 128;
/// After the direct child exits, background processes it started may still hold the pipes open; output is
/// collected for at most this long before `run` returns without them.
const OUTPUT_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
const READ_CHUNK_BYTES: usize = 8192;
const OUTPUT_CHANNEL_CAPACITY: usize = 64;
/// Used when `$SHELL` is unset for `ExecCommand::ShellScript`.
const FALLBACK_SHELL: &str = "/bin/sh";
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
    /// The policy cannot be enforced here (no Landlock) or its ruleset could not be built; the command was
    /// not started.
    #[error("{0}")]
    Sandbox(#[from] SandboxError),
}

/// Kills the process group it names when dropped, so that a `run` future dropped mid-flight (an aborted
/// turn) does not leave the command and its children running.
struct ProcessGroupKiller {
    pgid: Option<libc::pid_t>,
}

impl ProcessGroupKiller {
    fn kill(&mut self) {
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

    fn disarm(&mut self) {
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
/// `cancel` the group is killed and `ExecError::Cancelled` is returned. A restricted policy that cannot be
/// enforced is `ExecError::Sandbox`: the command never runs unsandboxed.
pub async fn run(
    params: ExecParams,
    mut output: impl FnMut(ExecOutputChunk),
    cancel: CancellationToken,
) -> Result<ExecOutcome, ExecError> {
    let (program, args) = match params.command {
        ExecCommand::Argv(mut argv) => {
            if argv.is_empty() {
                return Err(ExecError::EmptyCommand);
            }
            let program = argv.remove(0);
            (program, argv)
        }
        ExecCommand::ShellScript { script, login } => {
            let shell = std::env::var("SHELL")
                .ok()
                .filter(|shell| !shell.is_empty())
                .unwrap_or_else(|| FALLBACK_SHELL.to_string());
            let flag = if login { "-lc" } else { "-c" };
            (shell, vec![flag.to_string(), script])
        }
    };
    let mut command = Command::new(&program);
    command
        .args(&args)
        .current_dir(&params.cwd)
        .env_clear()
        .envs(std::env::vars_os().filter(|(name, _)| {
            let name = name.to_string_lossy().to_ascii_uppercase();
            !SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
        }))
        .envs(&params.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    // Built here, where allocating is fine; the child only applies it. The closure owns the ruleset's fd,
    // which `command` keeps open until after the spawn.
    if let Some(ruleset) = LandlockRuleset::build(&params.sandbox, &params.sandbox_cwd)? {
        // SAFETY: `restrict_self` makes two raw syscalls and allocates nothing, so it is async-signal-safe
        // between fork and exec.
        unsafe {
            command.pre_exec(move || ruleset.restrict_self());
        }
    }

    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| ExecError::Spawn {
        program,
        cwd: params.cwd.clone(),
        source,
    })?;
    let mut killer = ProcessGroupKiller {
        pgid: child.id().and_then(|pid| libc::pid_t::try_from(pid).ok()),
    };

    let (chunk_sender, mut chunk_receiver) = mpsc::channel(OUTPUT_CHANNEL_CAPACITY);
    let mut readers: Vec<JoinHandle<()>> = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        readers.push(spawn_reader(
            stdout,
            ExecStream::Stdout,
            chunk_sender.clone(),
        ));
    }
    if let Some(stderr) = child.stderr.take() {
        readers.push(spawn_reader(
            stderr,
            ExecStream::Stderr,
            chunk_sender.clone(),
        ));
    }
    drop(chunk_sender);

    let mut aggregated_output = CappedOutput::default();
    let mut output_open = true;
    let deadline = tokio::time::sleep(params.timeout);
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
            // Background processes the command left behind are its business; only a timeout, a cancel or
            // dropping this future kills the group.
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

    let exit_code = match status {
        Some(status) => status
            .code()
            .unwrap_or_else(|| SIGNAL_EXIT_CODE_BASE + status.signal().unwrap_or_default()),
        None => TIMEOUT_EXIT_CODE,
    };
    Ok(ExecOutcome {
        exit_code,
        duration: started.elapsed(),
        aggregated_output: aggregated_output.into_text(),
        timed_out: status.is_none(),
    })
}

/// Forwards everything read from one pipe to the shared channel, so chunks from both pipes are seen in
/// arrival order.
fn spawn_reader(
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::sandbox::SandboxPolicy;
    use crate::sandbox::landlock_available;

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

    /// A workspace-write policy whose only writable root is the sandbox cwd (no `/tmp`, no `$TMPDIR`), so a
    /// second tempdir is outside it.
    fn workspace_only() -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: true,
        }
    }

    fn sandboxed(script: &str, cwd: &Path, sandbox: SandboxPolicy) -> ExecParams {
        ExecParams {
            sandbox,
            ..sh(script, cwd, Duration::from_secs(10))
        }
    }

    /// Runs `params`; on a kernel without Landlock, asserts the "needs Landlock" error for `mode` and returns
    /// `None`, so the sandbox tests check the refusal there instead of passing silently.
    async fn run_sandboxed(params: ExecParams, mode: &str) -> Option<ExecOutcome> {
        let result = run(params, |_| {}, CancellationToken::new()).await;
        if landlock_available() {
            return Some(result.expect("run"));
        }
        let error = result.expect_err("no Landlock: the command must not run");
        assert_eq!(
            error.to_string(),
            format!(
                "sandbox_mode \"{mode}\" needs Landlock, which this kernel does not provide (Linux 5.13+ \
                 with Landlock enabled); set sandbox_mode = \"danger-full-access\" to run commands without \
                 a sandbox"
            )
        );
        None
    }

    #[tokio::test]
    async fn workspace_write_writes_in_cwd_but_not_outside() {
        let workspace = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let inside_file = workspace.path().join("sub/inside.txt");
        let outside_file = outside.path().join("outside.txt");

        let inside = run_sandboxed(
            sandboxed(
                "mkdir sub && echo kept > sub/inside.txt && cat sub/inside.txt",
                workspace.path(),
                workspace_only(),
            ),
            "workspace-write",
        )
        .await;
        let Some(inside) = inside else {
            assert!(!inside_file.exists());
            return;
        };
        assert_eq!(
            (inside.exit_code, inside.aggregated_output.as_str()),
            (0, "kept\n")
        );

        let script = format!("touch '{}'", outside_file.display());
        let outside_outcome = run_sandboxed(
            sandboxed(&script, workspace.path(), workspace_only()),
            "workspace-write",
        )
        .await
        .expect("Landlock was available a moment ago");
        assert_ne!(outside_outcome.exit_code, 0);
        assert!(
            outside_outcome
                .aggregated_output
                .contains("Permission denied"),
            "{}",
            outside_outcome.aggregated_output
        );
        assert!(!outside_file.exists());
        assert!(crate::sandbox::is_likely_sandbox_denial(
            &workspace_only(),
            outside_outcome.exit_code,
            &outside_outcome.aggregated_output
        ));
    }

    #[tokio::test]
    async fn writable_roots_come_from_the_sandbox_cwd_not_the_command_cwd() {
        let workspace = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let params = ExecParams {
            sandbox_cwd: workspace.path().to_path_buf(),
            ..sandboxed("touch escaped", elsewhere.path(), workspace_only())
        };
        if let Some(outcome) = run_sandboxed(params, "workspace-write").await {
            assert_ne!(outcome.exit_code, 0, "{}", outcome.aggregated_output);
        }
        assert!(!elsewhere.path().join("escaped").exists());
    }

    #[tokio::test]
    async fn read_only_cannot_write_in_cwd_but_can_read_and_use_dev_null() {
        let cwd = tempfile::tempdir().expect("tempdir");
        std::fs::write(cwd.path().join("readme"), "hello\n").expect("write readme");
        let readable = run_sandboxed(
            sandboxed(
                "cat readme; echo discarded > /dev/null",
                cwd.path(),
                SandboxPolicy::ReadOnly,
            ),
            "read-only",
        )
        .await;
        if let Some(readable) = readable {
            assert_eq!(
                (readable.exit_code, readable.aggregated_output.as_str()),
                (0, "hello\n")
            );
            let denied = run_sandboxed(
                sandboxed("echo no > new.txt", cwd.path(), SandboxPolicy::ReadOnly),
                "read-only",
            )
            .await
            .expect("Landlock was available a moment ago");
            assert_ne!(denied.exit_code, 0);
            assert!(
                denied.aggregated_output.contains("Permission denied"),
                "{}",
                denied.aggregated_output
            );
        }
        assert!(!cwd.path().join("new.txt").exists());
    }

    #[tokio::test]
    async fn danger_full_access_writes_anywhere() {
        let workspace = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let outside_file = outside.path().join("outside.txt");
        let script = format!("touch '{}'", outside_file.display());
        let outcome = run(
            sandboxed(&script, workspace.path(), SandboxPolicy::DangerFullAccess),
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("run");
        assert_eq!(outcome.exit_code, 0, "{}", outcome.aggregated_output);
        assert!(outside_file.exists());
    }

    #[tokio::test]
    async fn no_network_access_refuses_tcp_connect_where_the_kernel_can() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let cwd = tempfile::tempdir().expect("tempdir");
        // bash's /dev/tcp does a plain connect(2); the ruleset denies it with EACCES on Landlock ABI 4+.
        let params = ExecParams {
            command: ExecCommand::Argv(vec![
                "bash".to_string(),
                "-c".to_string(),
                format!("echo hi > /dev/tcp/127.0.0.1/{port}"),
            ]),
            ..sandboxed("", cwd.path(), workspace_only())
        };
        if let Some(outcome) = run_sandboxed(params, "workspace-write").await {
            assert_ne!(outcome.exit_code, 0, "{}", outcome.aggregated_output);
            assert!(
                outcome.aggregated_output.contains("Permission denied"),
                "{}",
                outcome.aggregated_output
            );
        }
    }
}
