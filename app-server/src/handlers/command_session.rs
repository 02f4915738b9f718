//! A `command/exec` run as a session (0.171): registered under its `processId` on the connection, its
//! output streamed as `command/exec/outputDelta` (base64, cut at `outputBytesCap`) or buffered, its stdin
//! written by `command/exec/write`, its PTY resized by `command/exec/resize`, its process group killed by
//! `command/exec/terminate`; the request answers once the command has exited.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use codex_app_server_protocol::CommandExecOutputDeltaNotification;
use codex_app_server_protocol::CommandExecOutputStream;
use codex_app_server_protocol::CommandExecParams;
use codex_app_server_protocol::CommandExecResizeParams;
use codex_app_server_protocol::CommandExecResizeResponse;
use codex_app_server_protocol::CommandExecResponse;
use codex_app_server_protocol::CommandExecTerminateParams;
use codex_app_server_protocol::CommandExecTerminateResponse;
use codex_app_server_protocol::CommandExecWriteParams;
use codex_app_server_protocol::CommandExecWriteResponse;
use codex_app_server_protocol::ServerNotification;
use codex_core::tools::exec;
use codex_core::tools::exec::CappedOutput;
use codex_core::tools::exec::ExecOutputChunk;
use codex_core::tools::exec::ExecStream;
use codex_core::tools::exec::SessionInput;
use codex_core::tools::exec::SessionStdio;
use tokio::sync::mpsc;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::StreamSink;
use crate::handlers::command_params::exec_error;
use crate::handlers::command_params::exec_params;

/// A PTY's size when `size` is not given, as upstream.
const DEFAULT_PTY_ROWS: u16 = 24;
const DEFAULT_PTY_COLS: u16 = 80;
const OUTPUT_CHANNEL_CAPACITY: usize = 64;

/// One output stream of the session: streamed or kept, and how much more of it may go out.
struct StreamOutput {
    stream: CommandExecOutputStream,
    streamed: bool,
    /// Bytes still allowed under `outputBytesCap`; `None` without a cap.
    remaining: Option<u64>,
    /// Kept output: within the cap when there is one, else its first and last 512 KiB.
    kept: CappedOutput,
}

impl StreamOutput {
    fn new(stream: CommandExecOutputStream, streamed: bool, cap: Option<u64>) -> Self {
        StreamOutput {
            stream,
            streamed,
            remaining: cap,
            kept: CappedOutput::default(),
        }
    }

    /// Takes one chunk: what stays under the cap is streamed (with whether the cap is now reached) or kept.
    async fn take(&mut self, bytes: &[u8], process_id: &str, sink: &StreamSink) {
        let (bytes, cap_reached) = match self.remaining {
            Some(0) => return,
            Some(remaining) => {
                let taken = usize::try_from(remaining).map_or(bytes.len(), |r| r.min(bytes.len()));
                let left = remaining - taken as u64;
                self.remaining = Some(left);
                (&bytes[..taken], left == 0)
            }
            None => (bytes, false),
        };
        if !self.streamed {
            self.kept.push(bytes);
            return;
        }
        let delta = CommandExecOutputDeltaNotification {
            process_id: process_id.to_string(),
            stream: self.stream,
            delta_base64: BASE64.encode(bytes),
            cap_reached,
        };
        sink.notify(ServerNotification::CommandExecOutputDelta(delta))
            .await;
    }

    /// What the response carries: nothing for a streamed stream.
    fn into_text(self) -> String {
        if self.streamed {
            String::new()
        } else {
            self.kept.into_text()
        }
    }
}

/// `command/exec` with a `processId` or an `outputBytesCap`: runs the command as a session and answers
/// once it has exited and its output is delivered.
pub async fn exec(
    context: RequestContext,
    params: CommandExecParams,
) -> Result<Answer<CommandExecResponse>, RequestError> {
    let exec_params = exec_params(&context, &params)?;
    let streamed = params.tty || params.stream_stdout_stderr;
    let stdin = params.tty || params.stream_stdin;
    let stdio = if params.tty {
        let size = params.size;
        SessionStdio::Pty {
            rows: size.map_or(DEFAULT_PTY_ROWS, |size| size.rows),
            cols: size.map_or(DEFAULT_PTY_COLS, |size| size.cols),
        }
    } else {
        SessionStdio::Pipes { stdin }
    };
    // Registered under its id by the message processor until this request ends; without an id, nothing
    // reaches it.
    let (input, _registration) = match &params.process_id {
        Some(process_id) => context
            .command_processes
            .claim(process_id)
            .map(|(input, registration)| (input, Some(registration)))
            .ok_or_else(|| {
                RequestError::Internal(format!("process id {process_id:?} was not registered"))
            })?,
        None => (mpsc::unbounded_channel().1, None),
    };
    let process_id = params.process_id.unwrap_or_default();
    let (output_sender, mut output) = mpsc::channel::<ExecOutputChunk>(OUTPUT_CHANNEL_CAPACITY);
    let running = exec::run_session(exec_params, stdio, input, output_sender);
    let cap = params.output_bytes_cap;
    let mut stdout = StreamOutput::new(CommandExecOutputStream::Stdout, streamed, cap);
    let mut stderr = StreamOutput::new(CommandExecOutputStream::Stderr, streamed, cap);
    let sink = &context.stream;
    let delivering = async {
        while let Some(chunk) = output.recv().await {
            let target = match chunk.stream {
                ExecStream::Stdout => &mut stdout,
                ExecStream::Stderr => &mut stderr,
            };
            target.take(&chunk.bytes, &process_id, sink).await;
        }
    };
    let (exit_code, ()) = tokio::join!(running, delivering);
    Ok(Answer::new(CommandExecResponse {
        exit_code: exit_code.map_err(exec_error)?,
        stdout: stdout.into_text(),
        stderr: stderr.into_text(),
    }))
}

/// `command/exec/write`: writes base64 bytes to a session's stdin and/or closes it; answers at once.
pub async fn write(
    context: RequestContext,
    params: CommandExecWriteParams,
) -> Result<Answer<CommandExecWriteResponse>, RequestError> {
    if params.delta_base64.is_none() && !params.close_stdin {
        return Err(RequestError::InvalidParamsVerbatim(
            "command/exec/write requires deltaBase64 or closeStdin".to_string(),
        ));
    }
    let bytes = match &params.delta_base64 {
        Some(delta) => Some(BASE64.decode(delta).map_err(|error| {
            RequestError::InvalidParamsVerbatim(format!("invalid deltaBase64: {error}"))
        })?),
        None => None,
    };
    let input = bytes
        .map(SessionInput::Write)
        .into_iter()
        .chain(params.close_stdin.then_some(SessionInput::CloseStdin));
    context.command_processes.send(
        &params.process_id,
        |accepts| match accepts.stdin {
            true => Ok(()),
            false => Err(RequestError::Rejected(
                "stdin streaming is not enabled for this command/exec".to_string(),
            )),
        },
        input,
    )?;
    Ok(Answer::new(CommandExecWriteResponse {}))
}

/// `command/exec/resize`: resizes a session's PTY; answers at once.
pub async fn resize(
    context: RequestContext,
    params: CommandExecResizeParams,
) -> Result<Answer<CommandExecResizeResponse>, RequestError> {
    let input = SessionInput::Resize {
        rows: params.size.rows,
        cols: params.size.cols,
    };
    context.command_processes.send(
        &params.process_id,
        |accepts| match accepts.tty {
            true => Ok(()),
            false => Err(RequestError::Rejected(
                "failed to resize PTY: process is not attached to a PTY".to_string(),
            )),
        },
        [input],
    )?;
    Ok(Answer::new(CommandExecResizeResponse {}))
}

/// `command/exec/terminate`: kills a session's process group; its `command/exec` answers with 137.
pub async fn terminate(
    context: RequestContext,
    params: CommandExecTerminateParams,
) -> Result<Answer<CommandExecTerminateResponse>, RequestError> {
    context.command_processes.terminate(&params.process_id)?;
    Ok(Answer::new(CommandExecTerminateResponse {}))
}
