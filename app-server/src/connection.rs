//! A connection as the server sees it: a stream of incoming raw frames and a queue of outgoing messages.
//! The transport knows nothing of the protocol; `Connection::memory` gives tests a client end without a process.

use codex_app_server_protocol::JSONRPCMessage;
use tokio::sync::mpsc;

/// One unit read from the transport, before any JSON decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingFrame {
    /// The bytes of one line, without its terminator.
    Line(Vec<u8>),
    /// A line longer than the limit; its bytes were dropped as they arrived.
    TooLarge,
}

/// The server end: frames come in, messages go out through a single writer queue.
pub struct Connection {
    pub incoming: mpsc::UnboundedReceiver<IncomingFrame>,
    pub outgoing: mpsc::UnboundedSender<JSONRPCMessage>,
}

/// The client end of an in-memory connection, for tests.
pub struct MemoryClient {
    pub to_server: mpsc::UnboundedSender<IncomingFrame>,
    pub from_server: mpsc::UnboundedReceiver<JSONRPCMessage>,
}

impl Connection {
    pub fn memory() -> (Connection, MemoryClient) {
        let (to_server, incoming) = mpsc::unbounded_channel();
        let (outgoing, from_server) = mpsc::unbounded_channel();
        (
            Connection { incoming, outgoing },
            MemoryClient {
                to_server,
                from_server,
            },
        )
    }
}

impl MemoryClient {
    /// Sends one JSON value as a line, exactly as a client would write it.
    pub fn send_json(&self, message: &serde_json::Value) {
        self.send_line(message.to_string().as_bytes());
    }

    pub fn send_line(&self, line: &[u8]) {
        // A closed server end is what the test will observe on the receiving side.
        let _ = self.to_server.send(IncomingFrame::Line(line.to_vec()));
    }

    /// The next message the server wrote, as the JSON a client would read; `None` once the server is gone.
    pub async fn recv_json(&mut self) -> Option<serde_json::Value> {
        let message = self.from_server.recv().await?;
        Some(serde_json::to_value(message).expect("wire messages always serialize"))
    }
}
