//! `RolloutRecorder`: appends a thread's `RolloutItem`s to its JSONL file. A background task owns the
//! file, so recording never blocks the caller; each item becomes one complete line written with a
//! single write, so a crash leaves at most one torn last line (which `resume` cuts off).

use std::fs::File;
use std::fs::OpenOptions;
use std::io;
use std::io::Read;
use std::io::Seek;
use std::io::SeekFrom;
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::DateTime;
use chrono::Utc;
use tokio::sync::mpsc;
use tokio::sync::oneshot;

use super::item::RolloutItem;
use super::item::RolloutLine;
use super::layout::RolloutFileName;
use super::layout::line_timestamp;
use super::reader::ParsedLine;
use super::session_meta::SessionMeta;
use super::upstream_mirror::mirror_events;

/// Appends to one rollout file. Cheap to clone; all clones feed the same writer task.
#[derive(Debug, Clone)]
pub struct RolloutRecorder {
    path: Arc<PathBuf>,
    commands: mpsc::UnboundedSender<WriterCommand>,
}

#[derive(Debug)]
enum WriterCommand {
    Record {
        recorded_at: DateTime<Utc>,
        items: Vec<RolloutItem>,
    },
    Flush(oneshot::Sender<io::Result<()>>),
    Shutdown(oneshot::Sender<io::Result<()>>),
}

impl RolloutRecorder {
    /// Creates `CODEX_HOME/sessions/YYYY/MM/DD/rollout-...-<id>.jsonl` with `meta` as its first line.
    /// The meta line is on disk when this returns, so the thread is listable at once.
    pub async fn create(codex_home: &Path, meta: SessionMeta) -> io::Result<Self> {
        let file_name = RolloutFileName {
            created_at: meta.created_at,
            thread_id: meta.id.clone(),
        };
        let dir = file_name.sessions_dir(codex_home);
        let path = dir.join(file_name.file_name());
        let meta_line = encode_line(Utc::now(), RolloutItem::SessionMeta(Box::new(meta)))?;
        let path = tokio::task::spawn_blocking(move || -> io::Result<PathBuf> {
            std::fs::create_dir_all(&dir)?;
            let mut file = OpenOptions::new()
                .append(true)
                .create_new(true)
                .open(&path)?;
            file.write_all(&meta_line)?;
            file.sync_data()?;
            Ok(path)
        })
        .await
        .map_err(io::Error::other)??;
        Ok(Self::spawn_writer(path))
    }

    /// Reopens an existing rollout for appending. A torn last line (no trailing newline, left by a
    /// crash mid-write) is truncated off first so that what follows stays valid JSONL; a last line
    /// that is complete but for its newline gets the newline instead.
    pub async fn resume(path: &Path) -> io::Result<Self> {
        let path = path.to_path_buf();
        let path = tokio::task::spawn_blocking(move || -> io::Result<PathBuf> {
            let mut file = OpenOptions::new().read(true).write(true).open(&path)?;
            let complete_len = complete_lines_len(&mut file)?;
            if complete_len < file.metadata()?.len() {
                let mut last_line = Vec::new();
                file.seek(SeekFrom::Start(complete_len))?;
                file.read_to_end(&mut last_line)?;
                match ParsedLine::parse(&last_line) {
                    // The write stopped just short of the newline; `load_rollout` reads this line,
                    // so keep it.
                    ParsedLine::Item(_) | ParsedLine::UnknownKind(_) => {
                        file.seek(SeekFrom::End(0))?;
                        file.write_all(b"\n")?;
                    }
                    ParsedLine::Invalid(_) => {
                        tracing::warn!(
                            "truncating torn last line of rollout {} at byte {complete_len}",
                            path.display()
                        );
                        file.set_len(complete_len)?;
                    }
                }
                file.sync_data()?;
            }
            Ok(path)
        })
        .await
        .map_err(io::Error::other)??;
        Ok(Self::spawn_writer(path))
    }

    /// Starts the writer task; the file is opened by the first write.
    fn spawn_writer(path: PathBuf) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let path = Arc::new(path);
        tokio::spawn(run_writer(Arc::clone(&path), receiver));
        Self { path, commands }
    }

    /// Queues `items` to be appended in order, each followed by the upstream `event_msg` lines that
    /// mirror it (`upstream_mirror.rs`). Never blocks; write errors surface on the next `flush`.
    pub fn record(&self, items: Vec<RolloutItem>) {
        let with_mirrors = items
            .into_iter()
            .flat_map(|item| {
                let mirrors = mirror_events(&item);
                std::iter::once(item).chain(mirrors.into_iter().map(RolloutItem::EventMsg))
            })
            .collect();
        self.record_copied(with_mirrors);
    }

    /// Queues `items` read from another rollout (a fork's source) to be appended exactly as they
    /// are: their mirror lines are among them already.
    pub fn record_copied(&self, items: Vec<RolloutItem>) {
        if items.is_empty() {
            return;
        }
        let command = WriterCommand::Record {
            recorded_at: Utc::now(),
            items,
        };
        if self.commands.send(command).is_err() {
            tracing::warn!(
                "rollout {} is shut down; dropping recorded items",
                self.path.display()
            );
        }
    }

    /// Resolves once everything recorded before this call is written and synced to disk, with the
    /// first write error since the previous flush, if any.
    pub async fn flush(&self) -> io::Result<()> {
        let (reply, done) = oneshot::channel();
        self.send_and_wait(WriterCommand::Flush(reply), done).await
    }

    /// Writes and syncs everything recorded so far, then stops the writer for every clone.
    pub async fn shutdown(&self) -> io::Result<()> {
        let (reply, done) = oneshot::channel();
        self.send_and_wait(WriterCommand::Shutdown(reply), done)
            .await
    }

    async fn send_and_wait(
        &self,
        command: WriterCommand,
        done: oneshot::Receiver<io::Result<()>>,
    ) -> io::Result<()> {
        let stopped = || {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("rollout writer for {} has stopped", self.path.display()),
            )
        };
        self.commands.send(command).map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The length of the file up to and including its last newline.
fn complete_lines_len(file: &mut File) -> io::Result<u64> {
    const CHUNK: u64 = 64 * 1024;
    let mut end = file.metadata()?.len();
    let mut buf = vec![0u8; CHUNK as usize];
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(newline) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + newline as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

fn encode_line(recorded_at: DateTime<Utc>, item: RolloutItem) -> io::Result<Vec<u8>> {
    let line = RolloutLine {
        timestamp: line_timestamp(recorded_at),
        item,
    };
    let mut bytes = serde_json::to_vec(&line)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Owns the file. Blocking writes and syncs run on the blocking pool, one batch at a time, so lines
/// land in the order they were recorded. The file is closed after every flush (a turn's end) and reopened
/// by the next write, so an idle thread holds no file descriptor.
async fn run_writer(path: Arc<PathBuf>, mut commands: mpsc::UnboundedReceiver<WriterCommand>) {
    let mut file: Option<File> = None;
    let mut pending_error: Option<io::Error> = None;
    while let Some(command) = commands.recv().await {
        let (items, reply, stop) = match command {
            WriterCommand::Record { recorded_at, items } => {
                let lines = items
                    .into_iter()
                    .map(|item| encode_line(recorded_at, item))
                    .collect::<Vec<_>>();
                (lines, None, false)
            }
            WriterCommand::Flush(reply) => (Vec::new(), Some(reply), false),
            WriterCommand::Shutdown(reply) => (Vec::new(), Some(reply), true),
        };
        let open = file.take();
        let sync = reply.is_some();
        let reopen_path = Arc::clone(&path);
        let joined = tokio::task::spawn_blocking(move || {
            let mut errors = Vec::new();
            let mut owned = match open {
                Some(owned) => Some(owned),
                None if items.is_empty() => None,
                None => match OpenOptions::new().append(true).open(reopen_path.as_path()) {
                    Ok(owned) => Some(owned),
                    Err(err) => {
                        errors.push(err);
                        None
                    }
                },
            };
            if let Some(owned) = owned.as_mut() {
                for line in items {
                    if let Err(err) = line.and_then(|bytes| owned.write_all(&bytes)) {
                        errors.push(err);
                    }
                }
                if sync && let Err(err) = owned.sync_data() {
                    errors.push(err);
                }
            }
            // Synced and idle: close it until the next write.
            (owned.filter(|_| !sync), errors)
        })
        .await;
        let (owned, errors) = match joined {
            Ok(done) => done,
            Err(join_error) => {
                tracing::error!("rollout writer for {} died: {join_error}", path.display());
                if let Some(reply) = reply {
                    let _ = reply.send(Err(io::Error::other(join_error)));
                }
                return;
            }
        };
        file = owned;
        for err in errors {
            tracing::error!("writing rollout {}: {err}", path.display());
            pending_error.get_or_insert(err);
        }
        if let Some(reply) = reply {
            let result = match pending_error.take() {
                Some(err) => Err(err),
                None => Ok(()),
            };
            if reply.send(result).is_err() {
                tracing::debug!("rollout flush waiter for {} went away", path.display());
            }
        }
        if stop {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::ContentItem;
    use crate::protocol::response_item::MessagePhase;
    use crate::protocol::response_item::ResponseItem;
    use crate::protocol::token_usage::TokenUsage;
    use crate::protocol::token_usage::TokenUsageInfo;
    use crate::protocol::turn_item::TurnItem;
    use crate::protocol::turn_outcome::CodexErrorInfo;
    use crate::protocol::turn_outcome::TurnError;
    use crate::protocol::turn_outcome::TurnStatus;
    use crate::rollout::reader::LoadedRollout;
    use crate::rollout::reader::load_rollout;
    use crate::rollout::test_support::session_meta;
    use crate::rollout::test_support::user_message;

    fn assistant_message(text: &str, phase: MessagePhase) -> RolloutItem {
        RolloutItem::ResponseItem(ResponseItem::Message {
            id: None,
            role: "assistant".to_string(),
            content: vec![ContentItem::OutputText {
                text: text.to_string(),
            }],
            end_turn: None,
            phase: Some(phase),
        })
    }

    fn every_kind() -> Vec<RolloutItem> {
        vec![
            RolloutItem::TurnStarted {
                turn_id: "turn-1".to_string(),
                started_at: 1_770_286_300,
            },
            user_message("turn-1", "Fix the tests"),
            RolloutItem::ResponseItem(ResponseItem::Message {
                id: None,
                role: "user".to_string(),
                content: vec![ContentItem::InputText {
                    text: "Fix the tests".to_string(),
                }],
                end_turn: None,
                phase: None,
            }),
            assistant_message("Looking at the failures.", MessagePhase::Commentary),
            assistant_message("Fixed.", MessagePhase::FinalAnswer),
            RolloutItem::ItemCompleted {
                turn_id: "turn-1".to_string(),
                item: TurnItem::AgentMessage {
                    id: "msg-1".to_string(),
                    text: "Fixed.".to_string(),
                    phase: Some(MessagePhase::FinalAnswer),
                },
            },
            RolloutItem::TokenUsage {
                turn_id: "turn-1".to_string(),
                info: TokenUsageInfo {
                    total: TokenUsage {
                        input_tokens: 100,
                        cached_input_tokens: 20,
                        output_tokens: 30,
                        reasoning_output_tokens: 5,
                        total_tokens: 130,
                    },
                    last: TokenUsage::default(),
                    model_context_window: Some(272_000),
                },
            },
            RolloutItem::TurnCompleted {
                turn_id: "turn-1".to_string(),
                status: TurnStatus::Failed,
                error: Some(TurnError {
                    message: "stream disconnected".to_string(),
                    codex_error_info: Some(CodexErrorInfo::ResponseStreamDisconnected {
                        http_status_code: Some(502),
                    }),
                    additional_details: None,
                }),
                completed_at: 1_770_286_310,
                duration_ms: 10_000,
            },
            RolloutItem::ThreadName {
                name: Some("Test fixes".to_string()),
            },
            RolloutItem::ThreadName { name: None },
        ]
    }

    #[tokio::test]
    async fn every_kind_round_trips_including_phase() {
        let home = tempfile::tempdir().unwrap();
        let meta = session_meta("0194f0c2-0000-7000-8000-000000000001", 1_770_286_272);
        let recorder = RolloutRecorder::create(home.path(), meta.clone())
            .await
            .unwrap();
        assert_eq!(
            recorder.path(),
            home.path().join(
                "sessions/2026/02/05/rollout-2026-02-05T10-11-12-0194f0c2-0000-7000-8000-000000000001.jsonl"
            )
        );
        recorder.record_copied(every_kind());
        recorder.flush().await.unwrap();

        let loaded = load_rollout(recorder.path()).await.unwrap();
        assert_eq!(
            loaded,
            LoadedRollout {
                meta,
                items: every_kind(),
                warnings: Vec::new(),
            }
        );
    }

    #[tokio::test]
    async fn each_line_is_timestamp_type_payload() {
        let home = tempfile::tempdir().unwrap();
        let recorder =
            RolloutRecorder::create(home.path(), session_meta("thread-1", 1_770_286_272))
                .await
                .unwrap();
        recorder.record(vec![RolloutItem::ThreadName {
            name: Some("n".to_string()),
        }]);
        recorder.shutdown().await.unwrap();

        let text = std::fs::read_to_string(recorder.path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["type"], "session_meta");
        assert_eq!(lines[0]["payload"]["id"], "thread-1");
        let timestamp = lines[1]["timestamp"].as_str().unwrap();
        assert!(
            DateTime::parse_from_rfc3339(timestamp).is_ok() && timestamp.len() == 24,
            "{timestamp}"
        );
        assert_eq!(
            lines[1],
            serde_json::json!({
                "timestamp": timestamp,
                "type": "thread_name",
                "payload": {"name": "n"},
            })
        );
    }

    #[tokio::test]
    async fn flush_resolves_after_every_recorded_line_is_on_disk() {
        let home = tempfile::tempdir().unwrap();
        let recorder =
            RolloutRecorder::create(home.path(), session_meta("thread-1", 1_770_286_272))
                .await
                .unwrap();
        let clone = recorder.clone();
        for index in 0..300 {
            clone.record_copied(vec![user_message(&format!("turn-{index}"), "hi")]);
        }
        recorder.flush().await.unwrap();

        let text = std::fs::read_to_string(recorder.path()).unwrap();
        assert_eq!(text.lines().count(), 301);
        assert!(text.ends_with('\n'));
    }

    #[tokio::test]
    async fn resume_cuts_a_torn_last_line_and_appends_valid_lines() {
        let home = tempfile::tempdir().unwrap();
        let meta = session_meta("thread-1", 1_770_286_272);
        let recorder = RolloutRecorder::create(home.path(), meta.clone())
            .await
            .unwrap();
        recorder.record_copied(vec![user_message("turn-1", "first")]);
        recorder.shutdown().await.unwrap();
        let path = recorder.path().to_path_buf();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"item_com"#)
            .unwrap();
        drop(file);

        let resumed = RolloutRecorder::resume(&path).await.unwrap();
        resumed.record_copied(vec![user_message("turn-2", "second")]);
        resumed.flush().await.unwrap();

        let loaded = load_rollout(&path).await.unwrap();
        assert_eq!(
            loaded,
            LoadedRollout {
                meta,
                items: vec![
                    user_message("turn-1", "first"),
                    user_message("turn-2", "second")
                ],
                warnings: Vec::new(),
            }
        );
    }

    #[tokio::test]
    async fn resume_keeps_a_complete_last_line_that_only_lacks_its_newline() {
        let home = tempfile::tempdir().unwrap();
        let meta = session_meta("thread-1", 1_770_286_272);
        let recorder = RolloutRecorder::create(home.path(), meta.clone())
            .await
            .unwrap();
        recorder.record_copied(vec![user_message("turn-1", "first")]);
        recorder.shutdown().await.unwrap();
        let path = recorder.path().to_path_buf();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.trim_end()).unwrap();

        let resumed = RolloutRecorder::resume(&path).await.unwrap();
        resumed.record_copied(vec![user_message("turn-2", "second")]);
        resumed.flush().await.unwrap();

        let loaded = load_rollout(&path).await.unwrap();
        assert_eq!(
            loaded,
            LoadedRollout {
                meta,
                items: vec![
                    user_message("turn-1", "first"),
                    user_message("turn-2", "second")
                ],
                warnings: Vec::new(),
            }
        );
    }

    #[tokio::test]
    async fn flush_after_shutdown_is_an_error_not_a_panic() {
        let home = tempfile::tempdir().unwrap();
        let recorder =
            RolloutRecorder::create(home.path(), session_meta("thread-1", 1_770_286_272))
                .await
                .unwrap();
        recorder.shutdown().await.unwrap();
        recorder.record_copied(vec![user_message("turn-1", "late")]);
        assert_eq!(
            recorder.flush().await.unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
    }

    #[tokio::test]
    async fn create_refuses_to_overwrite_an_existing_rollout() {
        let home = tempfile::tempdir().unwrap();
        let meta = session_meta("thread-1", 1_770_286_272);
        RolloutRecorder::create(home.path(), meta.clone())
            .await
            .unwrap();
        assert_eq!(
            RolloutRecorder::create(home.path(), meta)
                .await
                .unwrap_err()
                .kind(),
            io::ErrorKind::AlreadyExists
        );
    }
}
