//! One unified exec session: its command runs on its own task (launched as every command is, sandbox
//! included), which streams the output as the item's `outputDelta`s (under the turn that started it, even
//! after that turn), keeps what the model has not read, and once the command ended reports the completed
//! item and files it with its turn. Callers wait on its end; dropping the session kills its command.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::output_buffer::TakenOutput;
use super::output_buffer::UnreadOutput;
use crate::protocol::event::EventMsg;
use crate::protocol::event_sink::EventSink;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::exec;
use crate::tools::exec::CappedOutput;
use crate::tools::exec::ExecOutputChunk;
use crate::tools::exec::ExecParams;
use crate::tools::exec::SessionInput;
use crate::tools::exec::SessionStdio;

/// A session streams at most this much output as deltas; the rest is only in its completed item and in
/// what the model reads, so a chatty server cannot flood the host.
const MAX_STREAMED_BYTES: usize = 16 * 1024 * 1024;
/// Files a completed item with its turn (in the thread's stored turns and its rollout).
pub(crate) type FileItem = Arc<dyn Fn(&str, TurnItem) + Send + Sync>;

/// How a session tells the host and the thread about itself.
#[derive(Clone)]
pub(crate) struct ProcessReporter {
    pub(crate) events: EventSink,
    pub(crate) file_item: FileItem,
}

/// How a session's command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProcessEnd {
    /// Its exit code (128 + N when signal N killed it).
    Exited(i32),
    /// It could not be started (or its sandbox could not): why.
    Failed(String),
}

/// What a session was started as: its item (in progress) and the turn that started it.
#[derive(Debug, Clone)]
pub(crate) struct ProcessOrigin {
    pub(crate) turn_id: String,
    pub(crate) item: TurnItem,
    /// The command as the model wrote it.
    pub(crate) model_command: String,
    pub(crate) cwd: String,
}

impl ProcessOrigin {
    pub(crate) fn item_id(&self) -> &str {
        self.item.id()
    }
}

/// Output state shared between the session and its task.
#[derive(Default)]
struct SessionOutput {
    unread: Mutex<UnreadOutput>,
}

/// One running (or just ended) session.
pub(crate) struct UnifiedExecProcess {
    pub(crate) id: i32,
    pub(crate) origin: ProcessOrigin,
    pub(crate) tty: bool,
    input: mpsc::UnboundedSender<SessionInput>,
    output: Arc<SessionOutput>,
    ended: watch::Receiver<Option<ProcessEnd>>,
    last_used: Mutex<Instant>,
    task: JoinHandle<()>,
}

impl UnifiedExecProcess {
    /// Starts `params` attached as `stdio`; the returned session reports through `reporter`.
    pub(crate) fn start(
        id: i32,
        params: ExecParams,
        stdio: SessionStdio,
        origin: ProcessOrigin,
        reporter: ProcessReporter,
    ) -> Self {
        let (input, input_receiver) = mpsc::unbounded_channel();
        let output = Arc::new(SessionOutput::default());
        let (end_sender, ended) = watch::channel(None);
        let task = tokio::spawn(supervise(
            SessionRun {
                id,
                params,
                stdio,
                origin: origin.clone(),
                reporter,
                output: Arc::clone(&output),
            },
            input_receiver,
            end_sender,
        ));
        UnifiedExecProcess {
            id,
            origin,
            tty: matches!(stdio, SessionStdio::Pty { .. }),
            input,
            output,
            ended,
            last_used: Mutex::new(Instant::now()),
            task,
        }
    }

    /// Types `chars` (a PTY session's only).
    pub(crate) fn write(&self, chars: &str) {
        self.touch();
        let _ = self
            .input
            .send(SessionInput::Write(chars.as_bytes().to_vec()));
    }

    /// Kills the command's process group; the session then ends as any other.
    pub(crate) fn terminate(&self) {
        let _ = self.input.send(SessionInput::Terminate);
    }

    /// How it ended, once it has (and its completed item was reported).
    pub(crate) fn end(&self) -> Option<ProcessEnd> {
        self.ended.borrow().clone()
    }

    /// Waits until it has ended and its completed item was reported.
    pub(crate) async fn wait_end(&self) -> ProcessEnd {
        let mut ended = self.ended.clone();
        match ended.wait_for(Option::is_some).await {
            Ok(end) => end.clone().unwrap_or(ProcessEnd::Exited(-1)),
            // The task is gone without a word: it was aborted.
            Err(_) => ProcessEnd::Exited(-1),
        }
    }

    /// Waits `wait` for the session to end (or `cancel`); what it printed meanwhile is left unread.
    pub(crate) async fn wait_end_for(&self, wait: Duration, cancel: &CancellationToken) {
        tokio::select! {
            biased;
            () = cancel.cancelled() => {}
            _ = self.wait_end() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }

    /// What the model has not read yet.
    pub(crate) fn take_unread(&self) -> TakenOutput {
        self.touch();
        self.output
            .unread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    pub(crate) fn last_used(&self) -> Instant {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
}

impl Drop for UnifiedExecProcess {
    /// A session nobody holds any more takes its command with it.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the session's task runs with.
struct SessionRun {
    id: i32,
    params: ExecParams,
    stdio: SessionStdio,
    origin: ProcessOrigin,
    reporter: ProcessReporter,
    output: Arc<SessionOutput>,
}

/// Runs the command to its end, streaming and keeping its output, then reports the completed item and
/// only then says it ended (so a caller that saw the end also saw the item).
async fn supervise(
    run: SessionRun,
    input: mpsc::UnboundedReceiver<SessionInput>,
    ended: watch::Sender<Option<ProcessEnd>>,
) {
    let started = Instant::now();
    let (chunk_sender, mut chunks) = mpsc::channel::<ExecOutputChunk>(64);
    let session = exec::run_session(run.params.clone(), run.stdio, input, chunk_sender);
    tokio::pin!(session);
    let mut aggregated = CappedOutput::default();
    let mut streamed = 0usize;
    let result = loop {
        tokio::select! {
            Some(chunk) = chunks.recv() => {
                run.take_chunk(&chunk, &mut aggregated, &mut streamed).await;
            }
            result = &mut session => break result,
        }
    };
    while let Ok(chunk) = chunks.try_recv() {
        run.take_chunk(&chunk, &mut aggregated, &mut streamed).await;
    }
    let end = match result {
        Ok(code) => ProcessEnd::Exited(code),
        Err(error) => ProcessEnd::Failed(error.to_string()),
    };
    let item = run.completed_item(&end, aggregated.into_text(), started.elapsed());
    run.reporter
        .events
        .emit(EventMsg::ItemCompleted {
            turn_id: run.origin.turn_id.clone(),
            item: item.clone(),
        })
        .await;
    (run.reporter.file_item)(&run.origin.turn_id, item);
    let _ = ended.send(Some(end));
}

impl SessionRun {
    async fn take_chunk(
        &self,
        chunk: &ExecOutputChunk,
        aggregated: &mut CappedOutput,
        streamed: &mut usize,
    ) {
        self.output
            .unread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(&chunk.bytes);
        aggregated.push(&chunk.bytes);
        if *streamed < MAX_STREAMED_BYTES {
            *streamed += chunk.bytes.len();
            self.reporter
                .events
                .emit(EventMsg::CommandOutputDelta {
                    turn_id: self.origin.turn_id.clone(),
                    item_id: self.origin.item_id().to_string(),
                    delta: String::from_utf8_lossy(&chunk.bytes).into_owned(),
                })
                .await;
        }
    }

    /// The session's item as it ended: completed on exit code 0, failed otherwise; a session that never
    /// started has no process id and its reason as output.
    fn completed_item(&self, end: &ProcessEnd, output: String, duration: Duration) -> TurnItem {
        let mut item = self.origin.item.clone();
        if let TurnItem::CommandExecution {
            status,
            aggregated_output,
            exit_code,
            duration_ms,
            process_id,
            ..
        } = &mut item
        {
            let (new_status, code, text) = match end {
                ProcessEnd::Exited(0) => (ToolItemStatus::Completed, 0, output),
                ProcessEnd::Exited(code) => (ToolItemStatus::Failed, *code, output),
                ProcessEnd::Failed(reason) => {
                    *process_id = None;
                    (ToolItemStatus::Failed, -1, reason.clone())
                }
            };
            *status = new_status;
            *exit_code = Some(code);
            *aggregated_output = (!text.is_empty()).then_some(text);
            *duration_ms = Some(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX));
        }
        tracing::debug!(session = self.id, ?end, "unified exec session ended");
        item
    }
}
