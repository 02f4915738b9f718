//! `WebSocketConnection`: one Responses websocket, opened by the handshake of CORE 6.1 (URL derived from
//! the provider base URL, `OpenAI-Beta` plus the HTTP request headers), with what its 101 answer told us
//! (turn state, server model, models etag, reasoning-included, rate limits).

use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::net::TcpStream;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::client::api_error::ApiError;
use crate::client::client_setup::ClientSetup;
use crate::client::response_event::ResponseEvent;
use crate::client::response_headers::response_header_events;
use crate::transport_error::error_chain;
use crate::transport_error::host_and_port;

use crate::client::headers::TURN_STATE_HEADER;

pub(crate) type WebSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open websocket and the handshake facts replayed on every response it carries.
pub(crate) struct WebSocketConnection {
    pub(crate) socket: WebSocket,
    /// `ServerModel`, `ModelsEtag` and `ServerReasoningIncluded` from the 101 headers; websockets have no
    /// per-request headers, so each response on this socket starts with them.
    pub(crate) replayed_events: Vec<ResponseEvent>,
    /// `x-codex-turn-state` from the 101 headers.
    pub(crate) turn_state: Option<String>,
    /// A request was sent and its `response.completed` not read yet; such a socket is out of step.
    pub(crate) awaiting_response: bool,
}

impl std::fmt::Debug for WebSocketConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketConnection")
            .field("awaiting_response", &self.awaiting_response)
            .finish_non_exhaustive()
    }
}

/// Why a handshake did not produce a socket.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    /// The server answered the upgrade with a non-101 status (426 means "use HTTP"); its headers and
    /// body explain why.
    #[error("websocket handshake refused with status {status}")]
    Refused {
        status: u16,
        headers: HeaderMap,
        body: String,
    },
    /// The handshake never got an answer; `message` holds the whole cause chain.
    #[error("websocket handshake with {target} failed: {message}")]
    Failed { target: String, message: String },
    #[error("websocket handshake did not finish within {} ms", timeout.as_millis())]
    Timeout { timeout: Duration },
}

/// `{base_url}/responses` with `http`->`ws`, `https`->`wss` and the provider's query parameters.
pub(crate) fn websocket_url(setup: &ClientSetup) -> Result<reqwest::Url, ApiError> {
    let mut url = reqwest::Url::parse(&setup.url("responses"))
        .map_err(|err| ApiError::InvalidRequest(format!("invalid provider base URL: {err}")))?;
    let scheme = match url.scheme() {
        "http" | "ws" => "ws",
        "https" | "wss" => "wss",
        other => {
            return Err(ApiError::InvalidRequest(format!(
                "unsupported base URL scheme `{other}` for websockets"
            )));
        }
    };
    url.set_scheme(scheme)
        .map_err(|()| ApiError::InvalidRequest(format!("cannot use scheme `{scheme}`")))?;
    if !setup.query_params.is_empty() {
        url.query_pairs_mut().extend_pairs(&setup.query_params);
    }
    Ok(url)
}

/// Opens a socket to `url` with `headers` (the HTTP request headers plus the protocol's `OpenAI-Beta`); the handshake
/// (TCP, TLS and upgrade) gets `timeout` (the provider's `websocket_connect_timeout_ms`).
pub(crate) async fn connect_websocket(
    url: &reqwest::Url,
    headers: HeaderMap,
    timeout: Duration,
) -> Result<WebSocketConnection, ConnectError> {
    let failed = |err: tungstenite::Error| ConnectError::Failed {
        target: host_and_port(url).unwrap_or_else(|| "the provider".to_string()),
        message: error_chain(&err),
    };
    let mut request = url.as_str().into_client_request().map_err(failed)?;
    request.headers_mut().extend(headers);
    let connected = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(request)).await;
    let (socket, response) = match connected {
        Err(_) => return Err(ConnectError::Timeout { timeout }),
        Ok(Err(tungstenite::Error::Http(response))) => {
            return Err(ConnectError::Refused {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                body: String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                    .into_owned(),
            });
        }
        Ok(Err(err)) => return Err(failed(err)),
        Ok(Ok(connected)) => connected,
    };
    let headers = response.headers();
    let turn_state = headers
        .get(TURN_STATE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_string);
    // Rate-limit headers on the 101 are not updates: over a socket, limits come from the
    // `codex.rate_limits` event (as upstream), and a handshake's values go stale while the socket lives.
    let header_events = response_header_events(headers);
    Ok(WebSocketConnection {
        socket,
        replayed_events: header_events.metadata,
        turn_state,
        awaiting_response: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn setup(base_url: &str, query: &[(&str, &str)]) -> ClientSetup {
        ClientSetup {
            base_url: base_url.to_string(),
            auth: None,
            headers: HeaderMap::new(),
            query_params: query
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect(),
        }
    }

    #[test]
    fn url_swaps_the_scheme_and_keeps_path_and_query() {
        assert_eq!(
            websocket_url(&setup("https://chatgpt.com/backend-api/codex", &[]))
                .unwrap()
                .as_str(),
            "wss://chatgpt.com/backend-api/codex/responses"
        );
        assert_eq!(
            websocket_url(&setup(
                "http://127.0.0.1:8080/v1",
                &[("api-version", "2025-04-01")]
            ))
            .unwrap()
            .as_str(),
            "ws://127.0.0.1:8080/v1/responses?api-version=2025-04-01"
        );
    }
}
