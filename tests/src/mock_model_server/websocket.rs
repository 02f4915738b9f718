//! The websocket side of `.../responses`: the scripted handshake (delay, extra headers, refusal, hang)
//! and the per-connection loop that answers each `response.create` frame with the next `MockResponse`,
//! sent as text frames.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::extract::ws::Message;
use axum::extract::ws::WebSocket;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::response::Response;
use futures::SinkExt;
use serde_json::Value;
use serde_json::json;

use super::ServerState;
use super::mock_response::MockResponse;
use super::mock_response::MockResponseBody;
use super::mock_response::StreamFault;
use super::recorded_request::ReceivedFrame;
use super::recorded_request::RecordedRequest;
use super::recorded_request::Transport;
use super::recorded_request::WEBSOCKET_FRAME_METHOD;

/// What the server scripts for websocket handshakes; applies to every handshake until changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct WsHandshakeScript {
    pub(crate) delay: Option<std::time::Duration>,
    pub(crate) response_headers: Vec<(String, String)>,
    pub(crate) refusal: Option<(u16, Value)>,
    pub(crate) hang: bool,
}

/// The websocket connection being handshaken, as recorded.
pub(crate) struct WsConnection {
    pub(crate) connection: usize,
    pub(crate) path: String,
    pub(crate) headers: BTreeMap<String, String>,
}

/// Answers an upgrade request as scripted: 101 (with the scripted headers) and a connection loop, a
/// refusal status, or nothing at all.
pub(crate) async fn answer_handshake(
    mut parts: Parts,
    state: Arc<ServerState>,
    ws: WsConnection,
) -> Response {
    let script = state.lock().ws_handshake.clone();
    if script.hang {
        state.shutdown.cancelled().await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if let Some(delay) = script.delay {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = state.shutdown.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
    if let Some((status, body)) = script.refusal {
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() =
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return response;
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let mut response = upgrade.on_upgrade(move |socket| serve_connection(socket, state, ws));
    for (name, value) in script.response_headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            (Err(_), _) | (_, Err(_)) => {
                tracing::warn!("mock: skipping invalid handshake header {name:?}");
            }
        }
    }
    response
}

/// How playing one response left the socket.
enum AfterResponse {
    Open,
    Closed,
}

async fn serve_connection(socket: WebSocket, state: Arc<ServerState>, ws: WsConnection) {
    state.open_websockets.send_modify(|open| *open += 1);
    serve_open_connection(socket, &state, ws).await;
    state.open_websockets.send_modify(|open| *open -= 1);
}

async fn serve_open_connection(mut socket: WebSocket, state: &Arc<ServerState>, ws: WsConnection) {
    let mut close_idle = state.close_idle_websockets.subscribe();
    loop {
        let message = tokio::select! {
            message = socket.recv() => message,
            () = state.shutdown.cancelled() => return,
            _ = close_idle.recv() => {
                // An idle socket closed by the server: the client finds out on its next request.
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text.to_string(),
            Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return,
        };
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let asks_for_response = matches!(
            json.as_ref()
                .and_then(|frame| frame.get("type"))
                .and_then(Value::as_str),
            Some("response.create" | "response.append")
        );
        state.record_frame(
            ReceivedFrame {
                connection: ws.connection,
                text,
                json: json.clone(),
            },
            RecordedRequest {
                method: WEBSOCKET_FRAME_METHOD.to_string(),
                path: ws.path.clone(),
                query: String::new(),
                headers: ws.headers.clone(),
                body_json: json.clone(),
                transport: Transport::WebSocket {
                    connection: ws.connection,
                },
            },
        );
        if !asks_for_response {
            continue;
        }
        let response = state.next_response(json.as_ref());
        match play_response(&mut socket, response, state).await {
            AfterResponse::Open => {}
            AfterResponse::Closed => return,
        }
    }
}

/// Sends one scripted response as frames. A cut drops the socket without a Close frame (the caller
/// returns and the TCP stream is closed under the client).
async fn play_response(
    socket: &mut WebSocket,
    response: MockResponse,
    state: &ServerState,
) -> AfterResponse {
    if response.hang {
        return idle_until_closed(socket, state).await;
    }
    if let Some(delay) = response.delay_before_headers {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = state.shutdown.cancelled() => return AfterResponse::Closed,
        }
    }
    let events = match response.body {
        MockResponseBody::Json(body) => {
            let error = body.get("error").cloned().unwrap_or(body);
            let headers: serde_json::Map<String, Value> = response
                .headers
                .into_iter()
                .map(|(name, value)| (name, Value::String(value)))
                .collect();
            let frame = json!({
                "type": "error",
                "status": response.status,
                "error": error,
                "headers": headers,
            });
            return send_or_closed(socket, Message::Text(frame.to_string().into())).await;
        }
        MockResponseBody::RawSse(text) => {
            return send_or_closed(socket, Message::Text(text.into())).await;
        }
        MockResponseBody::Events(events) => events,
    };
    for index in 0..=events.len() {
        match response.fault {
            Some(StreamFault::CutAfter(limit)) if index == limit => {
                // The events before the cut must reach the client; the socket is dropped right after.
                let _ = socket.flush().await;
                return AfterResponse::Closed;
            }
            Some(StreamFault::CloseAfter(limit)) if index == limit => {
                // A failed Close send means the client is already gone; closed either way.
                let _ = socket.send(Message::Close(None)).await;
                return AfterResponse::Closed;
            }
            Some(StreamFault::StallAfter(limit)) if index == limit => {
                if socket.flush().await.is_err() {
                    return AfterResponse::Closed;
                }
                return idle_until_closed(socket, state).await;
            }
            Some(
                StreamFault::CutAfter(_) | StreamFault::CloseAfter(_) | StreamFault::StallAfter(_),
            )
            | None => {}
        }
        let Some(event) = events.get(index) else {
            break;
        };
        let message = Message::Text(event.json.clone().into());
        let sent = match response.delay_between_events {
            Some(delay) => {
                if index > 0 {
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = state.shutdown.cancelled() => return AfterResponse::Closed,
                    }
                }
                socket.send(message).await
            }
            // Feeding without a flush per frame keeps 20,000-delta streams fast.
            None => socket.feed(message).await,
        };
        if sent.is_err() {
            return AfterResponse::Closed;
        }
    }
    match socket.flush().await {
        Ok(()) => AfterResponse::Open,
        Err(_) => AfterResponse::Closed,
    }
}

async fn send_or_closed(socket: &mut WebSocket, message: Message) -> AfterResponse {
    match socket.send(message).await {
        Ok(()) => AfterResponse::Open,
        Err(_) => AfterResponse::Closed,
    }
}

/// Sends nothing more; returns once the client goes away or the server stops.
async fn idle_until_closed(socket: &mut WebSocket, state: &ServerState) -> AfterResponse {
    loop {
        tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return AfterResponse::Closed,
                Some(Ok(Message::Text(_) | Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
            },
            () = state.shutdown.cancelled() => return AfterResponse::Closed,
        }
    }
}
