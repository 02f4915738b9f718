//! A connection as the server sees it: a stream of incoming raw frames and a queue of outgoing messages.
//! The transport knows nothing of the protocol; `Connection::memory` gives tests a client end without a process.
//!
//! Incoming frames are bounded twice, in number and in bytes: a transport whose reader gets ahead of the
//! processor waits for room, so input that arrives faster than it is handled stays in the pipe (backpressure
//! on the host) instead of growing the daemon's memory.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::sync::mpsc;

use crate::outgoing_queue::OutgoingQueue;

/// Frames read ahead of the processor at most.
pub const MAX_FRAMES_READ_AHEAD: usize = 64;

/// Bytes of lines read ahead of the processor at most (a line larger than this still passes, alone).
pub const MAX_BYTES_READ_AHEAD: usize = 16 * 1024 * 1024;

/// One unit read from the transport, before any JSON decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingFrame {
    /// The bytes of one line, without its terminator.
    Line(Vec<u8>),
    /// A line longer than the transport's `limit` in bytes; its bytes were dropped as they arrived.
    TooLarge { limit: usize },
    /// A binary WebSocket frame: messages travel as text frames.
    Binary,
}

impl IncomingFrame {
    /// What the frame counts against the read-ahead byte budget: its length, at least 1, at most the budget.
    fn cost(&self) -> u32 {
        let bytes = match self {
            IncomingFrame::Line(line) => line.len(),
            IncomingFrame::TooLarge { .. } | IncomingFrame::Binary => 0,
        };
        u32::try_from(bytes.clamp(1, MAX_BYTES_READ_AHEAD)).unwrap_or(u32::MAX)
    }
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameSendError {
    /// Only from `try_send`: the read-ahead is full.
    #[error("no room for the frame now")]
    Full,
    /// Nothing will read frames any more.
    #[error("the connection's processor is gone")]
    ProcessorGone,
}

/// The transport's end of the incoming side.
#[derive(Clone)]
pub struct FrameSender {
    frames: mpsc::Sender<IncomingFrame>,
    budget: Arc<Semaphore>,
}

/// The processor's end of the incoming side.
pub struct IncomingFrames {
    frames: mpsc::Receiver<IncomingFrame>,
    budget: Arc<Semaphore>,
}

/// A bounded frame queue: at most `MAX_FRAMES_READ_AHEAD` frames and `MAX_BYTES_READ_AHEAD` bytes waiting.
pub fn frame_channel() -> (FrameSender, IncomingFrames) {
    let (frames_tx, frames_rx) = mpsc::channel(MAX_FRAMES_READ_AHEAD);
    let budget = Arc::new(Semaphore::new(MAX_BYTES_READ_AHEAD));
    (
        FrameSender {
            frames: frames_tx,
            budget: Arc::clone(&budget),
        },
        IncomingFrames {
            frames: frames_rx,
            budget,
        },
    )
}

impl FrameSender {
    /// Queues `frame`, waiting while the processor has too many frames or bytes waiting.
    pub async fn send(&self, frame: IncomingFrame) -> Result<(), FrameSendError> {
        self.budget
            .acquire_many(frame.cost())
            .await
            .map_err(|_| FrameSendError::ProcessorGone)?
            .forget();
        self.frames
            .send(frame)
            .await
            .map_err(|_| FrameSendError::ProcessorGone)
    }

    /// Queues `frame` if there is room now (in-memory clients in tests).
    pub fn try_send(&self, frame: IncomingFrame) -> Result<(), FrameSendError> {
        let cost = frame.cost();
        self.budget
            .try_acquire_many(cost)
            .map_err(|error| match error {
                tokio::sync::TryAcquireError::Closed => FrameSendError::ProcessorGone,
                tokio::sync::TryAcquireError::NoPermits => FrameSendError::Full,
            })?
            .forget();
        self.frames.try_send(frame).map_err(|error| {
            self.budget.add_permits(cost as usize);
            match error {
                mpsc::error::TrySendError::Full(_) => FrameSendError::Full,
                mpsc::error::TrySendError::Closed(_) => FrameSendError::ProcessorGone,
            }
        })
    }
}

impl IncomingFrames {
    /// The next frame; its bytes leave the read-ahead budget as it is handed over. `None` once the
    /// transport is done.
    pub async fn recv(&mut self) -> Option<IncomingFrame> {
        let frame = self.frames.recv().await?;
        self.budget.add_permits(frame.cost() as usize);
        Some(frame)
    }
}

/// The server end: frames come in, messages go out through a single writer queue.
pub struct Connection {
    pub incoming: IncomingFrames,
    pub outgoing: OutgoingQueue,
}

/// The client end of an in-memory connection, for tests; it writes what it receives, so the queue's
/// budgets hold as with a real writer.
#[cfg(test)]
pub struct MemoryClient {
    pub to_server: FrameSender,
    pub from_server: crate::outgoing_queue::OutgoingMessages,
}

#[cfg(test)]
impl Connection {
    pub fn memory() -> (Connection, MemoryClient) {
        let (to_server, incoming) = frame_channel();
        let (outgoing, from_server) = crate::outgoing_queue::outgoing_queue();
        (
            Connection { incoming, outgoing },
            MemoryClient {
                to_server,
                from_server,
            },
        )
    }
}

#[cfg(test)]
impl MemoryClient {
    /// Sends one JSON value as a line, exactly as a client would write it.
    pub fn send_json(&self, message: &serde_json::Value) {
        self.send_line(message.to_string().as_bytes());
    }

    pub fn send_line(&self, line: &[u8]) {
        // A closed server end is what the test will observe on the receiving side.
        let _ = self.to_server.try_send(IncomingFrame::Line(line.to_vec()));
    }

    /// The next message the server wrote, as the JSON a client would read; `None` once the server is gone.
    pub async fn recv_json(&mut self) -> Option<serde_json::Value> {
        let message = self.from_server.recv().await?.into_message();
        Some(serde_json::to_value(message).expect("wire messages always serialize"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[tokio::test]
    async fn a_reader_waits_while_the_byte_budget_is_spent() {
        let (sender, mut incoming) = frame_channel();
        let big = IncomingFrame::Line(vec![b'x'; MAX_BYTES_READ_AHEAD - 10]);
        sender.send(big.clone()).await.expect("first fits");
        assert_eq!(
            sender.try_send(IncomingFrame::Line(vec![b'y'; 11])),
            Err(FrameSendError::Full)
        );
        let blocked = tokio::spawn({
            let sender = sender.clone();
            async move { sender.send(IncomingFrame::Line(vec![b'y'; 11])).await }
        });
        assert_eq!(incoming.recv().await, Some(big));
        assert_eq!(blocked.await.expect("joined"), Ok(()));
        assert_eq!(
            incoming.recv().await,
            Some(IncomingFrame::Line(vec![b'y'; 11]))
        );
    }
}
