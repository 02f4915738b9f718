//! The byte transport: a reader that splits input into bounded lines and a writer that owns the output,
//! one JSON message per line, flushed per message. Generic over the streams so tests can use pipes.

use std::io;

use codex_app_server_protocol::JSONRPCMessage;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncRead;
use tokio::io::AsyncWrite;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::io::BufWriter;
use tokio::sync::mpsc;

use crate::connection::Connection;
use crate::connection::IncomingFrame;

/// Lines longer than this are answered with "message too large" and dropped.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Reads `reader` until EOF, sending one frame per `\n`-terminated line (a trailing `\r` is dropped).
/// An oversized line is discarded chunk by chunk, so memory stays bounded by `max_line_bytes`.
pub async fn read_frames<R: AsyncRead + Unpin>(
    reader: R,
    max_line_bytes: usize,
    frames: mpsc::UnboundedSender<IncomingFrame>,
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::new();
    let mut oversized = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            let last = if oversized {
                Some(IncomingFrame::TooLarge)
            } else if line.is_empty() {
                None
            } else {
                Some(IncomingFrame::Line(line))
            };
            if let Some(frame) = last {
                let _ = frames.send(frame);
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
                IncomingFrame::TooLarge
            } else {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                IncomingFrame::Line(std::mem::take(&mut line))
            };
            oversized = false;
            if frames.send(frame).is_err() {
                return Ok(());
            }
        }
    }
}

/// Writes every queued message as one line and flushes it, until every sender is gone.
pub async fn write_messages<W: AsyncWrite + Unpin>(
    writer: W,
    mut messages: mpsc::UnboundedReceiver<JSONRPCMessage>,
) -> io::Result<()> {
    let mut writer = BufWriter::new(writer);
    while let Some(message) = messages.recv().await {
        let mut line = serde_json::to_vec(&message)?;
        line.push(b'\n');
        writer.write_all(&line).await?;
        writer.flush().await?;
    }
    writer.flush().await
}

/// Serves one connection over the process's stdin/stdout until stdin closes, then flushes stdout.
pub async fn run_stdio_server(state: std::sync::Arc<crate::server_state::ServerState>) {
    let (frames_tx, incoming) = mpsc::unbounded_channel();
    let (outgoing, messages) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        if let Err(error) = read_frames(tokio::io::stdin(), MAX_LINE_BYTES, frames_tx).await {
            tracing::warn!("stdin read failed: {error}");
        }
    });
    let writer = tokio::spawn(async move {
        if let Err(error) = write_messages(tokio::io::stdout(), messages).await {
            tracing::warn!("stdout write failed: {error}");
        }
    });
    crate::message_processor::serve(Connection { incoming, outgoing }, state).await;
    reader.abort();
    if let Err(error) = writer.await {
        tracing::warn!("stdout writer task failed: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    async fn frames_of(input: &[u8], max_line_bytes: usize) -> Vec<IncomingFrame> {
        let (tx, mut rx) = mpsc::unbounded_channel();
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
            vec![IncomingFrame::TooLarge, IncomingFrame::Line(b"ok".to_vec())]
        );
    }

    #[tokio::test]
    async fn writer_emits_one_line_per_message_without_jsonrpc_member() {
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(JSONRPCMessage::Notification(
            codex_app_server_protocol::JSONRPCNotification {
                method: "initialized".to_string(),
                params: None,
            },
        ))
        .expect("send");
        drop(tx);
        let mut output = Vec::new();
        write_messages(&mut output, rx).await.expect("write");
        assert_eq!(
            String::from_utf8(output).expect("utf8"),
            "{\"method\":\"initialized\"}\n"
        );
    }
}
