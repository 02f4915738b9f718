//! Routing of every request the mock receives: websocket upgrades on `.../responses`, mounted JSON
//! routes, `POST .../responses`, the usage endpoint, and a 404 naming what was asked for. Every request
//! is recorded before it is answered.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::Request;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::header::UPGRADE;
use axum::response::Response;
use serde_json::Value;
use serde_json::json;

use super::ServerState;
use super::http_answer;
use super::recorded_request::RecordedRequest;
use super::recorded_request::Transport;
use super::websocket;
use super::websocket::WsConnection;

fn json_response(status: u16, body: &Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(crate) async fn handle_request(
    State(state): State<Arc<ServerState>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or_default().to_string();
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    let is_upgrade = parts
        .headers
        .get(UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    if is_upgrade && path.ends_with("/responses") {
        let connection = state.next_connection.fetch_add(1, Ordering::SeqCst);
        state.record(RecordedRequest {
            method,
            path: path.clone(),
            query,
            headers: headers.clone(),
            body_json: None,
            transport: Transport::WebSocket { connection },
        });
        state.handshake_count.send_modify(|count| *count += 1);
        let ws = WsConnection {
            connection,
            path,
            headers,
        };
        return websocket::answer_handshake(parts, state, ws).await;
    }

    let body_bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            return json_response(
                400,
                &json!({"error": {"message": format!("mock: unreadable body: {error}")}}),
            );
        }
    };
    let body_json: Option<Value> = serde_json::from_slice(&body_bytes).ok();
    state.record(RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query,
        headers,
        body_json: body_json.clone(),
        transport: Transport::Http,
    });

    let mounted = state
        .lock()
        .mounted
        .iter()
        .find(|mounted| mounted.method == method && mounted.path == path)
        .map(|mounted| (mounted.status, mounted.body.clone()));
    if let Some((status, body)) = mounted {
        return json_response(status, &body);
    }
    if method == "POST" && path.ends_with("/responses") {
        let response = state.next_response(body_json.as_ref());
        return http_answer::http_answer(response, state.shutdown.clone()).await;
    }
    if method == "GET" && (path.ends_with("/wham/usage") || path.ends_with("/api/codex/usage")) {
        let (status, body, delay) = {
            let shared = state.lock();
            (
                shared.usage_response.0,
                shared.usage_response.1.clone(),
                shared.usage_delay,
            )
        };
        tokio::time::sleep(delay).await;
        return json_response(status, &body);
    }
    json_response(
        404,
        &json!({"error": {"message": format!("mock: no route for {method} {path}")}}),
    )
}
