//! The byte transport: a reader that splits input into bounded lines and a writer that owns the output,
//! one JSON message per line, flushed per message; each message's budget permit is given back as it is written.
//! Generic over the streams so tests can use pipes. SIGTERM is handled like stdin EOF.

use std::io;

use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncRead;
use tokio::io::AsyncWrite;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::io::BufWriter;

use crate::connection::Connection;
use crate::connection::FrameSender;
use crate::connection::IncomingFrame;
use crate::outgoing_queue::OutgoingMessages;
use crate::outgoing_queue::outgoing_queue;

/// Lines longer than this are answered with "message too large" and dropped. Upstream caps a turn's text at
/// 1 MiB characters; this leaves room for inline images while keeping one message's cost bounded.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Reads `reader` until EOF, sending one frame per `\n`-terminated line (a trailing `\r` is dropped).
/// An oversized line is discarded chunk by chunk, so memory stays bounded by `max_line_bytes`. Reading
/// pauses while the processor is behind (see [`FrameSender::send`]).
pub async fn read_frames<R: AsyncRead + Unpin>(
    reader: R,
    max_line_bytes: usize,
    frames: FrameSender,
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::new();
    let mut oversized = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            let last = if oversized {
                Some(IncomingFrame::TooLarge {
                    limit: max_line_bytes,
                })
            } else if line.is_empty() {
                None
            } else {
                Some(IncomingFrame::Line(line))
            };
            if let Some(frame) = last {
                let _ = frames.send(frame).await;
            }
            return Ok(());
        }
        let newline = chunk.iter().position(|byte| *byte == b'\n');
        let segment = &chunk[..newline.unwrap_or(chunk.len())];
        let consumed = segment.len() + usize::from(newline.is_some());
        if !oversized {
            if line.len() + segment.len() > max_line_bytes {
                oversized = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(segment);
            }
        }
        reader.consume(consumed);
        if newline.is_some() {
            let frame = if oversized {
                IncomingFrame::TooLarge {
                    limit: max_line_bytes,
                }
            } else {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                IncomingFrame::Line(std::mem::take(&mut line))
            };
            oversized = false;
            if frames.send(frame).await.is_err() {
                return Ok(());
            }
        }
    }
}

/// Writes every queued message as one line, until every producer is gone, releasing each message's permit
/// once it is written. Flushes whenever the queue is momentarily empty, so a burst costs one write while a
/// lone message is never held back. The queue's budgets close when writing stops, whatever the cause.
pub async fn write_messages<W: AsyncWrite + Unpin>(
    writer: W,
    mut messages: OutgoingMessages,
) -> io::Result<()> {
    let mut writer = BufWriter::new(writer);
    while let Some(queued) = messages.recv().await {
        let mut line = serde_json::to_vec(queued.message())?;
        line.push(b'\n');
        writer.write_all(&line).await?;
        if messages.is_empty() {
            writer.flush().await?;
        }
        drop(queued);
    }
    writer.flush().await
}

/// Serves one connection over the process's stdin/stdout until stdin closes or SIGTERM arrives, then
/// flushes stdout. SIGTERM stops the reading, so it takes the same path as EOF: in-flight requests get
/// their grace, running turns end and every rollout is flushed.
pub async fn run_stdio_server(state: std::sync::Arc<crate::server_state::ServerState>) {
    let (frames_tx, incoming) = crate::connection::frame_channel();
    let (outgoing, messages) = outgoing_queue();
    let reader = tokio::spawn(async move {
        if let Err(error) = read_frames(tokio::io::stdin(), MAX_LINE_BYTES, frames_tx).await {
            tracing::warn!("stdin read failed: {error}");
        }
    });
    let terminate_watcher =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                let reader = reader.abort_handle();
                Some(tokio::spawn(async move {
                    if terminate.recv().await.is_some() {
                        tracing::info!("SIGTERM: shutting down as on stdin EOF");
                        reader.abort();
                    }
                }))
            }
            Err(error) => {
                tracing::warn!("cannot watch SIGTERM: {error}");
                None
            }
        };
    let writer = tokio::spawn(async move {
        if let Err(error) = write_messages(tokio::io::stdout(), messages).await {
            tracing::warn!("stdout write failed: {error}");
        }
    });
    crate::message_processor::serve(Connection { incoming, outgoing }, state).await;
    reader.abort();
    if let Some(terminate_watcher) = terminate_watcher {
        terminate_watcher.abort();
    }
    if let Err(error) = writer.await {
        tracing::warn!("stdout writer task failed: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    async fn frames_of(input: &[u8], max_line_bytes: usize) -> Vec<IncomingFrame> {
        let (tx, mut rx) = crate::connection::frame_channel();
        read_frames(input, max_line_bytes, tx).await.expect("read");
        let mut frames = Vec::new();
        while let Some(frame) = rx.recv().await {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_an_unterminated_last_line() {
        let frames = frames_of(b"{\"a\":1}\r\n\n{\"b\":2}", 100).await;
        assert_eq!(
            frames,
            vec![
                IncomingFrame::Line(b"{\"a\":1}".to_vec()),
                IncomingFrame::Line(Vec::new()),
                IncomingFrame::Line(b"{\"b\":2}".to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn oversized_line_is_reported_once_and_the_next_line_survives() {
        let mut input = vec![b'x'; 200_000];
        input.extend_from_slice(b"\nok\n");
        let frames = frames_of(&input, 1000).await;
        assert_eq!(
            frames,
            vec![
                IncomingFrame::TooLarge { limit: 1000 },
                IncomingFrame::Line(b"ok".to_vec())
            ]
        );
    }

    #[tokio::test]
    async fn writer_emits_one_line_per_message_without_jsonrpc_member() {
        let (queue, messages) = outgoing_queue();
        queue.push_request(codex_app_server_protocol::JSONRPCMessage::Notification(
            codex_app_server_protocol::JSONRPCNotification {
                method: "initialized".to_string(),
                params: None,
            },
        ));
        drop(queue);
        let mut output = Vec::new();
        write_messages(&mut output, messages).await.expect("write");
        assert_eq!(
            String::from_utf8(output).expect("utf8"),
            "{\"method\":\"initialized\"}\n"
        );
    }

    #[tokio::test]
    async fn writer_gives_back_the_permit_of_every_written_notification() {
        let (queue, messages) = crate::outgoing_queue::bounded_outgoing_queue(8, 8);
        let outgoing = crate::outgoing::OutgoingMessageSender::new(queue.clone());
        for summary in ["a", "b", "c"] {
            outgoing
                .send_notification(
                    codex_app_server_protocol::ServerNotification::DeprecationNotice(
                        codex_app_server_protocol::DeprecationNoticeNotification {
                            summary: summary.to_string(),
                            details: None,
                        },
                    ),
                )
                .await;
        }
        outgoing.send_response(
            crate::outgoing_queue::RequestSlot::unbudgeted(),
            codex_app_server_protocol::RequestId::Integer(1),
            serde_json::json!({}),
        );
        assert_eq!(queue.notifications_unwritten(), 3);
        let (pipe, mut output) = tokio::io::duplex(1 << 16);
        let writer = tokio::spawn(write_messages(pipe, messages));
        let mut lines = tokio::io::BufReader::new(&mut output).lines();
        for _ in 0..4 {
            lines.next_line().await.expect("read").expect("a line");
        }
        assert_eq!(queue.notifications_unwritten(), 0);
        drop((outgoing, queue));
        writer.await.expect("joined").expect("written");
    }
}
