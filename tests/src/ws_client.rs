//! A test client of the daemon's listeners: WebSocket over TCP (`--listen ws://`) or over a unix socket
//! (`--listen unix://`), one JSON-RPC message per text frame. Reading, timeouts and buffering are the
//! stdio harness's ([`Inbox`]); frames other than text (pongs, close) are kept apart for the tests that
//! look at them.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use anyhow::bail;
use futures::SinkExt;
use futures::StreamExt;
use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncRead;
use tokio::io::AsyncWrite;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::app_server::DEFAULT_READ_TIMEOUT;
use crate::app_server::text_input;
use crate::inbox::Inbox;

/// One connection to a running daemon.
pub struct WsClient {
    frames: mpsc::UnboundedSender<Message>,
    inbox: Inbox,
    /// Every frame the server sent that is not text, in order.
    control: mpsc::UnboundedReceiver<Message>,
    next_request_id: i64,
}

/// A refused upgrade: the HTTP status and body the daemon answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub body: String,
}

impl WsClient {
    /// Connects to `url` (`ws://IP:PORT`), with `Authorization: Bearer <bearer>` when given.
    pub async fn connect(url: &str, bearer: Option<&str>) -> anyhow::Result<WsClient> {
        match Self::try_connect(url, bearer).await? {
            Ok(client) => Ok(client),
            Err(refused) => bail!("upgrade refused: {refused:?}"),
        }
    }

    /// Like [`WsClient::connect`], but a refused upgrade is a value.
    pub async fn try_connect(
        url: &str,
        bearer: Option<&str>,
    ) -> anyhow::Result<Result<WsClient, Refused>> {
        let mut request = url.into_client_request()?;
        if let Some(bearer) = bearer {
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {bearer}"))?,
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _response)) => Ok(Ok(Self::over(stream))),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Ok(Err(Refused {
                status: response.status().as_u16(),
                body: String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                    .into_owned(),
            })),
            Err(error) => Err(error).context("websocket connect"),
        }
    }

    /// Connects to the unix socket at `path` and upgrades to WebSocket over it.
    pub async fn connect_unix(path: &Path) -> anyhow::Result<WsClient> {
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .with_context(|| format!("connect to {}", path.display()))?;
        let (stream, _response) = tokio_tungstenite::client_async("ws://localhost/", stream)
            .await
            .context("websocket upgrade over the unix socket")?;
        Ok(Self::over(stream))
    }

    fn over<S>(stream: WebSocketStream<S>) -> WsClient
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sink, mut source) = stream.split();
        let (frames, mut to_send) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(frame) = to_send.recv().await {
                if sink.send(frame).await.is_err() {
                    break;
                }
            }
        });
        let (texts, inbox_texts) = mpsc::unbounded_channel();
        let (control_tx, control) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = source.next().await {
                let delivered = match frame {
                    Message::Text(text) => texts.send(text.as_str().to_string()).is_ok(),
                    other => control_tx.send(other).is_ok(),
                };
                if !delivered {
                    break;
                }
            }
        });
        WsClient {
            frames,
            inbox: Inbox::new(
                inbox_texts,
                DEFAULT_READ_TIMEOUT,
                Arc::new(|| "websocket client".to_string()),
            ),
            control,
            next_request_id: 0,
        }
    }

    /// Sends one frame as given.
    pub fn send_frame(&self, frame: Message) -> anyhow::Result<()> {
        self.frames
            .send(frame)
            .map_err(|_| anyhow::anyhow!("the connection's writer is gone"))
    }

    pub fn send_json(&mut self, message: &Value) -> anyhow::Result<()> {
        self.inbox.record_sent(message);
        self.send_frame(Message::Text(message.to_string().into()))
    }

    /// Sends a request with the next integer id and returns that id.
    pub fn send_request(&mut self, method: &str, params: Value) -> anyhow::Result<i64> {
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.send_json(&json!({"id": id, "method": method, "params": params}))?;
        Ok(id)
    }

    /// The standard handshake as `name`; returns the response.
    pub async fn initialize(&mut self, name: &str) -> anyhow::Result<Value> {
        let id = self.send_request(
            "initialize",
            json!({"clientInfo": {"name": name, "version": "0.0.1"}}),
        )?;
        let response = self.read_response(id).await?;
        if response.get("result").is_none() {
            bail!("initialize failed: {response}");
        }
        self.send_json(&json!({"method": "initialized"}))?;
        Ok(response)
    }

    /// Starts a thread in `cwd`; returns its id once `thread/started` arrived (earlier messages stay buffered).
    pub async fn start_thread_in(&mut self, cwd: &Path) -> anyhow::Result<String> {
        let id = self.send_request("thread/start", json!({"cwd": cwd}))?;
        let response = self.read_response(id).await?;
        let Some(thread_id) = response["result"]["thread"]["id"].as_str() else {
            bail!("thread/start failed: {response}");
        };
        let thread_id = thread_id.to_string();
        self.read_notification("thread/started").await?;
        Ok(thread_id)
    }

    /// Sends `turn/start` with one text input; returns the request's id.
    pub fn send_turn_start(&mut self, thread_id: &str, text: &str) -> anyhow::Result<i64> {
        self.send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input(text)]}),
        )
    }

    pub async fn read_message(&mut self) -> anyhow::Result<Value> {
        self.inbox.read_message().await
    }

    pub async fn read_until(
        &mut self,
        predicate: impl FnMut(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        self.inbox.read_until(predicate).await
    }

    pub async fn read_response(&mut self, id: impl Into<Value>) -> anyhow::Result<Value> {
        self.inbox.read_response(id).await
    }

    pub async fn read_notification(&mut self, method: &str) -> anyhow::Result<Value> {
        self.inbox.read_notification(method).await
    }

    pub fn take_buffered(&mut self) -> Vec<Value> {
        self.inbox.take_buffered()
    }

    /// Fails unless the server ends the connection without sending another text message.
    pub async fn expect_closed(&mut self) -> anyhow::Result<()> {
        self.inbox.expect_closed().await
    }

    /// The next frame that is not text (a pong, a close).
    pub async fn next_control_frame(&mut self) -> anyhow::Result<Message> {
        tokio::time::timeout(DEFAULT_READ_TIMEOUT, self.control.recv())
            .await
            .context("no control frame in time")?
            .context("connection closed")
    }

    /// Sends a close frame; the server then ends the connection.
    pub fn close(&self) -> anyhow::Result<()> {
        self.send_frame(Message::Close(None))
    }
}

/// The `IP:PORT` a daemon started with `--listen ws://...` listens on, once its banner is on stderr.
pub async fn listening_address(server: &crate::app_server::AppServer) -> anyhow::Result<String> {
    const PREFIX: &str = "listening on: ws://";
    let stderr = server.wait_for_stderr(PREFIX).await?;
    stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix(PREFIX))
        .map(str::to_string)
        .context("no address in the banner")
}

/// How long to wait for one HTTP answer in [`http_get`].
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// `GET http://{address}{path}` with an optional extra header: the status and body.
pub async fn http_get(
    address: &str,
    path: &str,
    header: Option<(&str, &str)>,
) -> anyhow::Result<(u16, String)> {
    use tokio::io::AsyncReadExt;
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    let extra = header.map_or_else(String::new, |(name, value)| format!("{name}: {value}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(HTTP_TIMEOUT, stream.read_to_end(&mut answer))
        .await
        .context("no HTTP answer in time")??;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .with_context(|| format!("not an HTTP answer: {answer:?}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or_else(String::new, |(_, body)| body.to_string());
    Ok((status, body))
}
