//! One WebSocket as a connection: each text frame carries one JSON-RPC message in, each message out is one
//! text frame. Binary frames are answered with an error; pings are answered by the WebSocket layer. The
//! connection has its own read-ahead budget, writer and outgoing queue, like stdio.

use std::sync::Arc;

use axum::extract::ws::CloseFrame;
use axum::extract::ws::Message;
use axum::extract::ws::WebSocket;
use futures::SinkExt;
use futures::StreamExt;
use futures::stream::SplitSink;
use futures::stream::SplitStream;
use tokio_util::sync::CancellationToken;

use crate::connection::Connection;
use crate::connection::FrameSender;
use crate::connection::IncomingFrame;
use crate::connection::frame_channel;
use crate::message_processor::Session;
use crate::message_processor::serve_connection;
use crate::outgoing_queue::OutgoingMessages;
use crate::outgoing_queue::outgoing_queue;

/// The close code of a connection the daemon ends itself (shutdown, or too far behind): "going away".
const CLOSE_GOING_AWAY: u16 = 1001;

/// How long what is still queued may take to reach a client that stopped reading before the socket is dropped.
const WRITER_DRAIN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves `socket` until the client closes it or `session.closer` is cancelled; the connection then
/// leaves the engine. Returns the threads nobody follows any more because it left.
pub async fn serve_websocket(socket: WebSocket, session: Session) -> Vec<String> {
    let connections = Arc::clone(&session.engine.connections);
    let (sink, stream) = socket.split();
    let (frames, incoming) = frame_channel();
    let (outgoing, messages) = outgoing_queue();
    let reader = tokio::spawn(read_frames(stream, frames, session.closer.clone()));
    let writing_done = CancellationToken::new();
    let mut writer = tokio::spawn(write_frames(sink, messages, writing_done.clone()));
    let connection_id = serve_connection(Connection { incoming, outgoing }, session).await;
    reader.abort();
    let orphaned = connections.leave(connection_id);
    // Approvals still waiting may hold a sender: write what is queued, then close; a client that does not
    // read gets a bounded wait, then its socket is dropped.
    writing_done.cancel();
    match tokio::time::timeout(WRITER_DRAIN_GRACE, &mut writer).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!("websocket writer task failed: {error}"),
        Err(_) => {
            tracing::info!("dropping a websocket connection that does not read");
            // Dropping the writer's end of the queue releases whoever waits for room in it.
            writer.abort();
        }
    }
    orphaned
}

/// Queues every text frame as one message until the client closes, the socket fails or `closer` fires.
async fn read_frames(
    mut stream: SplitStream<WebSocket>,
    frames: FrameSender,
    closer: CancellationToken,
) {
    loop {
        let message = tokio::select! {
            () = closer.cancelled() => return,
            message = stream.next() => message,
        };
        let frame = match message {
            None | Some(Ok(Message::Close(_))) => return,
            Some(Err(error)) => {
                // Includes a message over the size limit, which the WebSocket layer cannot skip.
                tracing::info!("websocket connection closed: {error}");
                return;
            }
            Some(Ok(Message::Text(text))) => IncomingFrame::Line(text.as_bytes().to_vec()),
            Some(Ok(Message::Binary(_))) => IncomingFrame::Binary,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
        };
        if frames.send(frame).await.is_err() {
            return;
        }
    }
}

/// Writes every message as one text frame, releasing its permit, until every producer is gone or `done`
/// fires (then what is already queued is still written), and closes the socket. Whatever ends the writing,
/// the queue's budgets close with it.
async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut messages: OutgoingMessages,
    done: CancellationToken,
) {
    loop {
        let queued = tokio::select! {
            biased;
            queued = messages.recv() => queued,
            () = done.cancelled() => messages.try_recv(),
        };
        let Some(queued) = queued else { break };
        let sent = match serde_json::to_string(queued.message()) {
            Ok(text) => sink.send(Message::Text(text.into())).await,
            Err(error) => {
                tracing::error!("dropping a message that does not serialize: {error}");
                Ok(())
            }
        };
        drop(queued);
        if let Err(error) = sent {
            tracing::debug!("websocket write failed: {error}");
            return;
        }
    }
    drop(messages);
    let close = Message::Close(Some(CloseFrame {
        code: CLOSE_GOING_AWAY,
        reason: "".into(),
    }));
    // The client may be gone already; nothing is left to tell it.
    let _ = sink.send(close).await;
}
