//! `run_session`: one command driven while it runs (the host's streaming `command/exec`): its output is
//! handed over chunk by chunk, its stdin written on request, its PTY resized, its process group killed on
//! request, at its timeout, or when the session is dropped. It is launched exactly as [`super::run`]
//! launches a command, sandbox included; with a PTY, the (wrapped) command runs on the PTY's slave.

use std::os::fd::OwnedFd;
use std::process::Stdio;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::io::unix::AsyncFd;
use tokio::process::Child;
use tokio::process::ChildStdin;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::params::ExecParams;
use super::pty;
use super::pty::Pty;
use super::run::ExecError;
use super::run::ExecOutputChunk;
use super::run::ExecStream;
use super::run::OUTPUT_CHANNEL_CAPACITY;
use super::run::OUTPUT_DRAIN_TIMEOUT;
use super::run::ProcessGroupKiller;
use super::run::base_command;
use super::run::command_argv;
use super::run::exit_code_of;
use super::run::release_sandbox;
use super::run::sandboxed_command;
use super::run::spawn_command;
use super::run::spawn_reader;
use crate::protocol::exit_code::TIMEOUT_EXIT_CODE;
use crate::sandbox::SandboxedCommand;

/// How much of the output is kept to explain a sandbox that failed to start.
const SETUP_OUTPUT_BYTES: usize = 4096;
const READ_CHUNK_BYTES: usize = 8192;

/// How the session's command is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStdio {
    /// stdout and stderr are pipes; stdin a pipe when `stdin`, else closed.
    Pipes { stdin: bool },
    /// stdin, stdout and stderr are one PTY of this size; all output is `ExecStream::Stdout`.
    Pty { rows: u16, cols: u16 },
}

/// What the session's owner asks of the running command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionInput {
    /// Bytes for its stdin (ignored without a writable stdin).
    Write(Vec<u8>),
    /// Ends its input: closes the pipe, or types the terminal's end-of-file character.
    CloseStdin,
    /// Resizes its PTY (ignored without one).
    Resize { rows: u16, cols: u16 },
    /// Kills its process group (exit code 137).
    Terminate,
}

/// What the stdin writer is told.
enum StdinOp {
    Write(Vec<u8>),
    Close,
}

/// Runs `params` attached as `stdio`, sending each chunk of its output to `output` as it arrives and
/// applying `input` as it comes; returns its exit code (128 + N when signal N killed it, 124 at its
/// timeout) once it has exited and its output is delivered. Dropping the future kills its process group.
pub async fn run_session(
    params: ExecParams,
    stdio: SessionStdio,
    mut input: mpsc::UnboundedReceiver<SessionInput>,
    output: mpsc::Sender<ExecOutputChunk>,
) -> Result<i32, ExecError> {
    let argv = command_argv(&params.command)?;
    let mut sandboxed = sandboxed_command(&params, &argv)?;
    let (chunk_sender, mut chunks) = mpsc::channel(OUTPUT_CHANNEL_CAPACITY);
    let mut attached = attach(&argv, sandboxed.as_ref(), &params, stdio, &chunk_sender)?;
    drop(chunk_sender);
    let child = &mut attached.child;
    let mut killer = ProcessGroupKiller::for_child(child);
    release_sandbox(sandboxed.as_mut(), child, &mut killer, params.timeout).await?;

    let mut setup_output = Vec::new();
    let mut forward = |chunk: ExecOutputChunk| {
        let room = SETUP_OUTPUT_BYTES.saturating_sub(setup_output.len());
        setup_output.extend_from_slice(&chunk.bytes[..chunk.bytes.len().min(room)]);
        output.send(chunk)
    };
    let mut input_open = true;
    let mut output_open = true;
    let deadline = tokio::time::sleep(params.timeout);
    tokio::pin!(deadline);
    let exit_code = loop {
        tokio::select! {
            chunk = chunks.recv(), if output_open => match chunk {
                // A gone receiver only means nobody listens any more; the command still runs to its end.
                Some(chunk) => {
                    let _ = forward(chunk).await;
                }
                None => output_open = false,
            },
            request = input.recv(), if input_open => match request {
                Some(SessionInput::Write(bytes)) => attached.stdin(StdinOp::Write(bytes)),
                Some(SessionInput::CloseStdin) => attached.stdin(StdinOp::Close),
                Some(SessionInput::Resize { rows, cols }) => attached.resize(rows, cols),
                Some(SessionInput::Terminate) => killer.kill(),
                None => input_open = false,
            },
            status = attached.child.wait() => {
                break exit_code_of(status.map_err(ExecError::Wait)?);
            }
            () = &mut deadline => {
                killer.kill();
                attached.child.wait().await.map_err(ExecError::Wait)?;
                break TIMEOUT_EXIT_CODE;
            }
        }
    };
    // Unsandboxed, background processes the command left behind are its business, as with `run`.
    killer.disarm();
    attached.stdin = None;
    let drained = tokio::time::timeout(OUTPUT_DRAIN_TIMEOUT, async {
        while let Some(chunk) = chunks.recv().await {
            let _ = forward(chunk).await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::debug!("command output still open after it exited; not waiting for it");
    }
    for reader in attached.readers {
        reader.abort();
    }
    if let Some(sandboxed) = &sandboxed
        && exit_code != TIMEOUT_EXIT_CODE
        && !sandboxed.command_started()
    {
        let text = String::from_utf8_lossy(&setup_output);
        return Err(ExecError::Sandbox(sandboxed.setup_error(&text)));
    }
    Ok(exit_code)
}

/// The spawned command and what feeds and reads it.
struct Attached {
    child: Child,
    stdin: Option<mpsc::UnboundedSender<StdinOp>>,
    pty: Option<Pty>,
    readers: Vec<JoinHandle<()>>,
}

impl Attached {
    fn stdin(&self, op: StdinOp) {
        if let Some(stdin) = &self.stdin {
            let _ = stdin.send(op);
        }
    }

    fn resize(&self, rows: u16, cols: u16) {
        if let Some(pty) = &self.pty
            && let Err(error) = pty.resize(rows, cols)
        {
            tracing::debug!(%error, "resizing the PTY failed");
        }
    }
}

/// Spawns the command attached as `stdio`, its output readers sending to `chunks`.
fn attach(
    argv: &[String],
    sandboxed: Option<&SandboxedCommand>,
    params: &ExecParams,
    stdio: SessionStdio,
    chunks: &mpsc::Sender<ExecOutputChunk>,
) -> Result<Attached, ExecError> {
    let mut command = base_command(argv, sandboxed, params);
    command.kill_on_drop(true);
    if sandboxed.is_none() {
        // A sandboxed command dies with the daemon through its sandbox; an unsandboxed one is told to.
        // SAFETY: the closure makes one prctl call on integers, async-signal-safe between fork and exec.
        unsafe {
            command.pre_exec(die_with_daemon);
        }
    }
    match stdio {
        SessionStdio::Pipes { stdin } => {
            command
                .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .process_group(0);
            let mut child = spawn_command(&mut command, argv, params)?;
            let mut readers = Vec::new();
            if let Some(stdout) = child.stdout.take() {
                readers.push(spawn_reader(stdout, ExecStream::Stdout, chunks.clone()));
            }
            if let Some(stderr) = child.stderr.take() {
                readers.push(spawn_reader(stderr, ExecStream::Stderr, chunks.clone()));
            }
            let stdin = child.stdin.take().map(spawn_pipe_writer);
            Ok(Attached {
                child,
                stdin,
                pty: None,
                readers,
            })
        }
        SessionStdio::Pty { rows, cols } => {
            let spawn_error = |source| ExecError::Spawn {
                program: argv[0].clone(),
                cwd: params.cwd.clone(),
                source,
            };
            let (pty, slave) = Pty::open(rows, cols).map_err(spawn_error)?;
            let slave_out = slave.try_clone().map_err(spawn_error)?;
            let slave_err = slave.try_clone().map_err(spawn_error)?;
            command.stdin(slave).stdout(slave_out).stderr(slave_err);
            // SAFETY: `child_setup` makes two syscalls on integers, async-signal-safe between fork and exec.
            unsafe {
                command.pre_exec(pty::child_setup());
            }
            let child = spawn_command(&mut command, argv, params)?;
            // The daemon's copies of the slave go with the command, so the master reads EOF once the
            // command's side is closed.
            drop(command);
            let readers = vec![spawn_pty_reader(Arc::clone(&pty.io), chunks.clone())];
            let stdin = Some(spawn_pty_writer(Arc::clone(&pty.io)));
            Ok(Attached {
                child,
                stdin,
                pty: Some(pty),
                readers,
            })
        }
    }
}

/// Between `fork` and `exec`: the command is killed when the daemon's thread that started it dies.
fn die_with_daemon() -> std::io::Result<()> {
    // SAFETY: prctl with integer arguments only changes the calling process's flags.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Writes to the command's stdin pipe in order until it is closed or fails (the command stopped reading).
fn spawn_pipe_writer(mut stdin: ChildStdin) -> mpsc::UnboundedSender<StdinOp> {
    let (sender, mut ops) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(op) = ops.recv().await {
            match op {
                StdinOp::Write(bytes) => {
                    if let Err(error) = stdin.write_all(&bytes).await {
                        tracing::debug!(%error, "writing the command's stdin failed");
                        break;
                    }
                }
                StdinOp::Close => break,
            }
        }
    });
    sender
}

/// Types into the PTY in order; closing types its end-of-file character.
fn spawn_pty_writer(io: Arc<AsyncFd<OwnedFd>>) -> mpsc::UnboundedSender<StdinOp> {
    let (sender, mut ops) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(op) = ops.recv().await {
            let bytes = match op {
                StdinOp::Write(bytes) => bytes,
                StdinOp::Close => vec![pty::end_of_input(&io)],
            };
            if let Err(error) = pty::write_all(&io, &bytes).await {
                tracing::debug!(%error, "writing to the PTY failed");
                break;
            }
        }
    });
    sender
}

/// Forwards what the terminal shows, as stdout, until the command's side of the PTY is closed.
fn spawn_pty_reader(
    io: Arc<AsyncFd<OwnedFd>>,
    chunks: mpsc::Sender<ExecOutputChunk>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut buffer = vec![0; READ_CHUNK_BYTES];
        loop {
            match pty::read(&io, &mut buffer).await {
                Ok(0) => break,
                Ok(read) => {
                    let chunk = ExecOutputChunk {
                        stream: ExecStream::Stdout,
                        bytes: buffer[..read].to_vec(),
                    };
                    if chunks.send(chunk).await.is_err() {
                        break;
                    }
                }
                Err(error) => {
                    tracing::debug!(%error, "reading the PTY failed");
                    break;
                }
            }
        }
    })
}
