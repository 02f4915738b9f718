//! The receiving side of a test client, whatever the transport: JSON messages arrive as text (one line of
//! stdout, one WebSocket text frame), every read has a timeout so a test never hangs, messages read past
//! while looking for another stay buffered in order, and the session's transcript is kept.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use anyhow::anyhow;
use serde_json::Value;
use serde_json::json;
use tokio::sync::mpsc;

/// Describes the far end when a read fails (e.g. the server's stderr so far).
pub type Diagnostics = Arc<dyn Fn() -> String + Send + Sync>;

/// One message of a session, in the order the test wrote or read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Transcribed {
    /// Written to the server (`send_json` or a helper built on it).
    Sent(Value),
    /// Read from the server.
    Received(Value),
}

pub struct Inbox {
    texts: mpsc::UnboundedReceiver<String>,
    /// Messages read while looking for another one, oldest first.
    buffered: VecDeque<Value>,
    read_timeout: Duration,
    diagnostics: Diagnostics,
    /// Every JSON message written and read so far (raw bytes are not messages).
    transcript: Vec<Transcribed>,
}

impl Inbox {
    pub fn new(
        texts: mpsc::UnboundedReceiver<String>,
        read_timeout: Duration,
        diagnostics: Diagnostics,
    ) -> Self {
        Self {
            texts,
            buffered: VecDeque::new(),
            read_timeout,
            diagnostics,
            transcript: Vec::new(),
        }
    }

    /// Keeps a message the test wrote in the transcript.
    pub fn record_sent(&mut self, message: &Value) {
        self.transcript.push(Transcribed::Sent(message.clone()));
    }

    /// Every message written and read so far, in order.
    pub fn transcript(&self) -> &[Transcribed] {
        &self.transcript
    }

    /// The next message, from the buffer first.
    pub async fn read_message(&mut self) -> anyhow::Result<Value> {
        match self.buffered.pop_front() {
            Some(message) => Ok(message),
            None => self.read_new().await,
        }
    }

    /// The first message (buffered or new) matching `predicate`; messages read past stay buffered in order.
    pub async fn read_until(
        &mut self,
        mut predicate: impl FnMut(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        if let Some(position) = self.buffered.iter().position(&mut predicate) {
            return self
                .buffered
                .remove(position)
                .context("buffered message vanished");
        }
        loop {
            let message = self.read_new().await?;
            if predicate(&message) {
                return Ok(message);
            }
            self.buffered.push_back(message);
        }
    }

    /// The response or error answering request `id` (an integer or a string).
    pub async fn read_response(&mut self, id: impl Into<Value>) -> anyhow::Result<Value> {
        let id = id.into();
        self.read_until(|message| {
            message.get("id") == Some(&id)
                && message.get("method").is_none()
                && (message.get("result").is_some() || message.get("error").is_some())
        })
        .await
    }

    /// The next notification named `method`.
    pub async fn read_notification(&mut self, method: &str) -> anyhow::Result<Value> {
        self.read_until(|message| {
            message.get("id").is_none() && message.get("method") == Some(&json!(method))
        })
        .await
    }

    /// The next request from the server named `method` (it carries an id to answer).
    pub async fn read_server_request(&mut self, method: &str) -> anyhow::Result<Value> {
        self.read_until(|message| {
            message.get("id").is_some() && message.get("method") == Some(&json!(method))
        })
        .await
    }

    /// Removes and returns every buffered message.
    pub fn take_buffered(&mut self) -> Vec<Value> {
        self.buffered.drain(..).collect()
    }

    /// The buffered messages and every one still arriving until the sender is gone (or the read timeout).
    pub async fn read_remaining(&mut self) -> anyhow::Result<Vec<Value>> {
        let mut messages: Vec<Value> = self.buffered.drain(..).collect();
        while let Ok(Some(text)) = tokio::time::timeout(self.read_timeout, self.texts.recv()).await
        {
            messages.push(self.parse(&text)?);
        }
        Ok(messages)
    }

    /// Whether the sender is gone with nothing left (`Ok(())`), failing if a message arrives instead.
    pub async fn expect_closed(&mut self) -> anyhow::Result<()> {
        match tokio::time::timeout(self.read_timeout, self.texts.recv()).await {
            Ok(None) => Ok(()),
            Ok(Some(text)) => Err(anyhow!("expected the end, got {text}")),
            Err(_) => Err(anyhow!(
                "not closed within {:?}; {}",
                self.read_timeout,
                (self.diagnostics)()
            )),
        }
    }

    async fn read_new(&mut self) -> anyhow::Result<Value> {
        let timeout = self.read_timeout;
        let text = tokio::time::timeout(timeout, self.texts.recv())
            .await
            .map_err(|_| {
                anyhow!(
                    "no message from the server within {timeout:?}; {}",
                    (self.diagnostics)()
                )
            })?
            .with_context(|| format!("the server closed the stream; {}", (self.diagnostics)()))?;
        self.parse(&text)
    }

    /// Parses a received text and keeps it in the transcript.
    fn parse(&mut self, text: &str) -> anyhow::Result<Value> {
        let message: Value = serde_json::from_str(text)
            .with_context(|| format!("the server sent non-JSON: {text:?}"))?;
        self.transcript.push(Transcribed::Received(message.clone()));
        Ok(message)
    }
}
