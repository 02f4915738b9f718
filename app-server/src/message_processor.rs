//! The message processor: turns each incoming line into a checked `ClientRequest` (envelope, handshake,
//! experimental gate) and runs it in its own task through the dispatcher; answers bad input itself and
//! routes the client's responses to the server requests waiting for them.

use std::collections::HashSet;
use std::sync::Arc;

use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::InitializeParams;
use codex_app_server_protocol::InitializeResponse;
use codex_app_server_protocol::JSONRPCErrorError;
use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::ServerNotification;
use serde_json::Map;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::command_processes::CommandProcesses;
use crate::connection::Connection;
use crate::connection::IncomingFrame;
use crate::connection::IncomingFrames;
use crate::connection_hub::ConnectionId;
use crate::connection_hub::Overflow;
use crate::dispatch;
use crate::engine::Engine;
use crate::error::RequestError;
use crate::file_searches::FileSearches;
use crate::handlers::Answer;
use crate::handlers::ConnectionCapabilities;
use crate::handlers::RequestContext;
use crate::handlers::StreamSink;
use crate::outgoing::OutgoingMessageSender;
use crate::outgoing_queue::RequestSlot;
use crate::server_state::ServerState;
use crate::user_agent;

/// How long requests still running when the client hangs up may take to answer before they are cancelled.
const EOF_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Serves `connection` as the daemon's only host (stdio), on an engine of its own, until its incoming side
/// closes; then ends every thread: running turns are interrupted and every rollout is flushed. The
/// connection never leaves: the engine's last events reach it before its writer stops.
pub async fn serve(connection: Connection, state: Arc<ServerState>) {
    let engine = Engine::start(&state);
    let session = Session {
        state,
        engine: Arc::clone(&engine),
        overflow: Overflow::Wait,
        closer: CancellationToken::new(),
    };
    serve_connection(connection, session).await;
    engine.threads.shutdown_all().await;
}

/// What one connection is served with: the daemon's state and engine, and how it is closed.
pub struct Session {
    pub state: Arc<ServerState>,
    pub engine: Arc<Engine>,
    /// What the connection's event queue does when the connection reads too slowly.
    pub overflow: Overflow,
    /// Cancelled by the engine to close the connection (it fell too far behind).
    pub closer: CancellationToken,
}

/// Serves one connection until its incoming side closes, then lets in-flight requests finish within
/// `EOF_GRACE` and cancels the rest. Returns the connection's id: it stays among the engine's connections
/// (hearing its threads' events, e.g. their interruption at shutdown) until the caller makes it leave.
pub async fn serve_connection(connection: Connection, session: Session) -> ConnectionId {
    let Connection {
        mut incoming,
        outgoing,
    } = connection;
    let outgoing = OutgoingMessageSender::new(outgoing);
    let Session {
        state,
        engine,
        overflow,
        closer,
    } = session;
    let connection_id = engine.connections.next_connection_id();
    let mut processor = MessageProcessor {
        state,
        outgoing: outgoing.clone(),
        capabilities: None,
        engine: Arc::clone(&engine),
        connection_id,
        overflow,
        closer,
        command_processes: Arc::default(),
        file_searches: Arc::new(FileSearches::new(Arc::clone(&engine.file_search))),
    };
    let mut requests_in_flight = JoinSet::new();
    loop {
        tokio::select! {
            next = next_frame(&outgoing, &mut incoming) => match next {
                Some((slot, frame)) => {
                    processor.process_frame(frame, slot, &mut requests_in_flight).await;
                }
                None => break,
            },
            Some(finished) = requests_in_flight.join_next(), if !requests_in_flight.is_empty() => {
                if let Err(error) = finished {
                    tracing::warn!("request task ended abnormally: {error}");
                }
            }
        }
    }
    // Upstream ends a connection's `command/exec` processes with it; their requests then answer at once.
    processor.command_processes.close();
    processor.file_searches.close();
    // Requests already read get a short grace to answer; anything slower is cancelled so EOF exits promptly.
    let drained = tokio::time::timeout(EOF_GRACE, async {
        while requests_in_flight.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!(
            "cancelling {} request(s) still running at EOF",
            requests_in_flight.len()
        );
    }
    requests_in_flight.shutdown().await;
    connection_id
}

/// The next frame with room for its answer: a request counts until its answer is written, so a host that
/// sends faster than it reads stops being read instead of growing the daemon's memory. `None` at EOF.
async fn next_frame(
    outgoing: &OutgoingMessageSender,
    incoming: &mut IncomingFrames,
) -> Option<(RequestSlot, IncomingFrame)> {
    let slot = outgoing.request_slot().await;
    let frame = incoming.recv().await?;
    Some((slot, frame))
}

/// What a readable frame is, once its envelope is checked.
enum Incoming {
    Request {
        id: RequestId,
        method: String,
        envelope: Map<String, Value>,
    },
    /// The client's answer to one of our server requests.
    Response(Map<String, Value>),
    Notification(String),
    Blank,
}

/// Reads a frame's envelope; an unreadable one is answered with the error, under the id when there is one.
fn classify(frame: IncomingFrame) -> Result<Incoming, (Option<RequestId>, RequestError)> {
    let line = match frame {
        IncomingFrame::Line(line) => line,
        IncomingFrame::TooLarge { limit } => {
            return Err((None, RequestError::MessageTooLarge { limit }));
        }
        IncomingFrame::Binary => return Err((None, RequestError::BinaryFrame)),
    };
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(Incoming::Blank);
    }
    let text = std::str::from_utf8(&line)
        .map_err(|error| (None, RequestError::Parse(format!("invalid UTF-8: {error}"))))?;
    let value = serde_json::from_str::<Value>(text)
        .map_err(|error| (None, RequestError::Parse(error.to_string())))?;
    let Value::Object(envelope) = value else {
        let error = RequestError::InvalidEnvelope("expected a JSON object".to_string());
        return Err((None, error));
    };
    if !envelope.contains_key("method")
        && (envelope.contains_key("result") || envelope.contains_key("error"))
    {
        return Ok(Incoming::Response(envelope));
    }
    let id = match envelope.get("id").cloned() {
        None => None,
        Some(raw_id) => Some(serde_json::from_value::<RequestId>(raw_id).map_err(|_| {
            let reason = "`id` must be a string or a 64-bit integer";
            (None, RequestError::InvalidEnvelope(reason.to_string()))
        })?),
    };
    match (envelope.get("method"), id) {
        (Some(Value::String(method)), Some(id)) => Ok(Incoming::Request {
            id,
            method: method.clone(),
            envelope,
        }),
        (Some(Value::String(method)), None) => Ok(Incoming::Notification(method.clone())),
        (Some(_), id) => {
            let error = RequestError::InvalidEnvelope("`method` must be a string".to_string());
            Err((id, error))
        }
        (None, id) => {
            let reason = "not a request, notification or response";
            Err((id, RequestError::InvalidEnvelope(reason.to_string())))
        }
    }
}

/// A request that passed every check the processor makes.
enum Checked {
    /// The handshake, answered inline so the next line already sees the connection's capabilities.
    Initialize(InitializeParams),
    Routed(Box<ClientRequest>, Arc<ConnectionCapabilities>),
}

struct MessageProcessor {
    state: Arc<ServerState>,
    outgoing: OutgoingMessageSender,
    /// Set by a successful `initialize`; `None` means the handshake has not happened.
    capabilities: Option<Arc<ConnectionCapabilities>>,
    engine: Arc<Engine>,
    connection_id: ConnectionId,
    overflow: Overflow,
    closer: CancellationToken,
    command_processes: Arc<CommandProcesses>,
    file_searches: Arc<FileSearches>,
}

impl MessageProcessor {
    /// Handles one frame read in `slot`; the slot goes with its answer, or is given back at once when the
    /// frame needs none.
    async fn process_frame(
        &mut self,
        frame: IncomingFrame,
        slot: RequestSlot,
        requests_in_flight: &mut JoinSet<()>,
    ) {
        match classify(frame) {
            Ok(Incoming::Request {
                id,
                method,
                envelope,
            }) => {
                self.process_request(slot, id, method, envelope, requests_in_flight)
                    .await;
            }
            Ok(Incoming::Response(envelope)) => self.process_response(envelope),
            Ok(Incoming::Notification(method)) => match method.as_str() {
                "initialized" => tracing::debug!("client sent initialized"),
                other => tracing::warn!("ignoring unknown client notification {other}"),
            },
            Ok(Incoming::Blank) => {}
            Err((id, error)) => self.outgoing.send_error(slot, id, error.into()),
        }
    }

    /// A response to one of our server requests. It is never answered, even when it is malformed or matches
    /// nothing: an answer under its id could be taken by the client for the answer to its own request. A
    /// malformed one still ends the server request it names, as a failed answer, so nothing waits for it.
    fn process_response(&self, mut envelope: Map<String, Value>) {
        let Some(Ok(id)) = envelope
            .remove("id")
            .map(serde_json::from_value::<RequestId>)
        else {
            tracing::warn!("ignoring a response without a usable id");
            return;
        };
        let answer = match (envelope.remove("result"), envelope.remove("error")) {
            (Some(result), None) => Ok(result),
            (None, Some(error)) => Err(serde_json::from_value::<JSONRPCErrorError>(error)
                .unwrap_or_else(|error| malformed_response(&id, &format!("bad `error`: {error}")))),
            (Some(_), Some(_)) | (None, None) => Err(malformed_response(
                &id,
                "it needs exactly one of `result` and `error`",
            )),
        };
        self.outgoing.resolve(id, answer);
    }

    async fn process_request(
        &mut self,
        slot: RequestSlot,
        id: RequestId,
        method: String,
        envelope: Map<String, Value>,
        requests_in_flight: &mut JoinSet<()>,
    ) {
        // Params are never logged: some carry secrets (API keys, tokens).
        tracing::debug!("request {id}: {method}");
        match self.check_request(method.clone(), envelope) {
            Err(error) => self.outgoing.send_error(slot, Some(id), error.into()),
            Ok(Checked::Initialize(params)) => {
                let answer = self.initialize(params).and_then(Answer::into_json);
                dispatch::write_answer(&self.outgoing, slot, id, answer).await;
            }
            Ok(Checked::Routed(request, capabilities)) => {
                let context = RequestContext {
                    state: Arc::clone(&self.state),
                    capabilities,
                    engine: Arc::clone(&self.engine),
                    connection_id: self.connection_id,
                    request_id: id.clone(),
                    command_processes: Arc::clone(&self.command_processes),
                    file_searches: Arc::clone(&self.file_searches),
                    stream: StreamSink::new(self.outgoing.clone()),
                };
                // Before the request runs, so the requests read after it find its process, its search
                // token or its session.
                let registration = match self.command_processes.register_request(&request) {
                    Ok(registration) => registration,
                    Err(error) => return self.outgoing.send_error(slot, Some(id), error.into()),
                };
                if let Err(error) = self.file_searches.register_request(&id, &request) {
                    return self.outgoing.send_error(slot, Some(id), error.into());
                }
                let answered = dispatch::answer_request(
                    self.outgoing.clone(),
                    slot,
                    id,
                    method,
                    dispatch::route(context, *request),
                );
                requests_in_flight.spawn(async move {
                    answered.await;
                    drop(registration);
                });
            }
        }
    }

    /// The method exists, the handshake is done (or this is it), the params decode and use nothing
    /// experimental the connection did not opt into.
    fn check_request(
        &self,
        method: String,
        envelope: Map<String, Value>,
    ) -> Result<Checked, RequestError> {
        if !ClientRequest::METHODS.contains(&method.as_str()) {
            return Err(RequestError::MethodNotFound { method });
        }
        let capabilities = match (&self.capabilities, method.as_str()) {
            (None, "initialize") => None,
            (None, _) => return Err(RequestError::NotInitialized),
            (Some(capabilities), _) => Some(Arc::clone(capabilities)),
        };
        let request = serde_json::from_value::<ClientRequest>(Value::Object(envelope))
            .map_err(|error| RequestError::InvalidParams(error.to_string()))?;
        let Some(capabilities) = capabilities else {
            return match request {
                ClientRequest::Initialize { params, .. } => Ok(Checked::Initialize(params)),
                other => Err(RequestError::Internal(format!(
                    "{} decoded where initialize was expected",
                    other.method()
                ))),
            };
        };
        if let Some(descriptor) = request.experimental_reason()
            && !capabilities.experimental_api
        {
            return Err(RequestError::ExperimentalApiRequired { descriptor });
        }
        Ok(Checked::Routed(Box::new(request), capabilities))
    }

    /// `initialize`: fixes the connection's capabilities and joins it to the engine; the startup config
    /// warnings follow the response.
    fn initialize(
        &mut self,
        params: InitializeParams,
    ) -> Result<Answer<InitializeResponse>, RequestError> {
        let client_info = params.client_info;
        if !user_agent::is_valid_header_value(&client_info.name) {
            return Err(RequestError::InvalidClientName {
                name: client_info.name,
            });
        }
        let requested = params.capabilities.unwrap_or_default();
        let opt_out_notification_methods: HashSet<String> = requested
            .opt_out_notification_methods
            .unwrap_or_default()
            .into_iter()
            .collect();
        self.outgoing
            .set_opted_out_notifications(opt_out_notification_methods.clone());
        let response = InitializeResponse {
            user_agent: user_agent::user_agent(&client_info),
            codex_home: self.engine.threads.codex_home().display().to_string(),
            platform_family: std::env::consts::FAMILY.to_string(),
            platform_os: std::env::consts::OS.to_string(),
        };
        // The host's name is the `originator` of every model request, as upstream.
        self.engine
            .threads
            .set_client_identity(codex_core::client::identity::ClientIdentity {
                originator: client_info.name.clone(),
                user_agent: response.user_agent.clone(),
            });
        self.engine.connections.join(
            self.connection_id,
            self.outgoing.clone(),
            self.overflow,
            self.closer.clone(),
        );
        self.capabilities = Some(Arc::new(ConnectionCapabilities {
            client_info,
            experimental_api: requested.experimental_api,
            opt_out_notification_methods,
        }));
        let warnings = self.state.startup_warnings.iter().cloned();
        Ok(Answer::new(response).then_notify(warnings.map(ServerNotification::ConfigWarning)))
    }
}

/// The failed answer a malformed response stands for, logged since the client is never told.
fn malformed_response(id: &RequestId, reason: &str) -> JSONRPCErrorError {
    tracing::warn!("malformed response to server request {id}: {reason}");
    RequestError::InvalidEnvelope(format!("malformed response: {reason}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// State whose `CODEX_HOME` is a fresh temporary directory, so tests never touch `~/.codex`. The
    /// directory is removed when the returned `TempDir` drops: keep it as long as the state is used.
    fn test_state() -> (tempfile::TempDir, Arc<ServerState>) {
        let codex_home = tempfile::tempdir().expect("temp CODEX_HOME");
        let state = Arc::new(ServerState {
            codex_home: Some(codex_home.path().to_path_buf()),
            ..ServerState::default()
        });
        (codex_home, state)
    }
    use crate::connection::MemoryClient;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    /// A connection served in the background, and its `CODEX_HOME` (see [`test_state`]).
    fn start() -> (tempfile::TempDir, MemoryClient) {
        let (codex_home, state) = test_state();
        let (connection, client) = Connection::memory();
        tokio::spawn(serve(connection, state));
        (codex_home, client)
    }

    async fn next(client: &mut MemoryClient) -> Value {
        tokio::time::timeout(std::time::Duration::from_secs(5), client.recv_json())
            .await
            .expect("server answered in time")
            .expect("server still running")
    }

    fn initialize(id: Value, capabilities: Value) -> Value {
        json!({"id": id, "method": "initialize", "params": {
            "clientInfo": {"name": "codex_test", "version": "9.9.9"},
            "capabilities": capabilities,
        }})
    }

    #[tokio::test]
    async fn handshake_order_is_enforced() {
        let (codex_home, mut client) = start();
        client.send_json(&json!({"id": 1, "method": "model/list", "params": {}}));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 1, "error": {"code": -32600, "message": "Not initialized"}})
        );
        client.send_json(&initialize(json!("a"), Value::Null));
        let response = next(&mut client).await;
        let user_agent = response["result"]["userAgent"].clone();
        assert_eq!(
            response,
            json!({"id": "a", "result": {"userAgent": user_agent,
                "codexHome": codex_home.path().display().to_string(),
                "platformFamily": std::env::consts::FAMILY, "platformOs": std::env::consts::OS}})
        );
        client.send_json(&json!({"method": "initialized"}));
        client.send_json(&initialize(json!(2), Value::Null));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 2, "error": {"code": -32600, "message": "Already initialized"}})
        );
    }

    #[tokio::test]
    async fn unreadable_frames_get_null_id_errors_and_serving_continues() {
        let (_codex_home, mut client) = start();
        client
            .to_server
            .try_send(IncomingFrame::TooLarge { limit: 16777216 })
            .expect("send");
        assert_eq!(
            next(&mut client).await,
            json!({"id": null, "error": {"code": -32600, "message": "message too large: a line may carry at most 16777216 bytes"}})
        );
        client.send_line(b"\xff");
        assert_eq!(next(&mut client).await["error"]["code"], json!(-32700));
        client.send_line(b"");
        client.send_line(b"42");
        assert_eq!(
            next(&mut client).await,
            json!({"id": null, "error": {"code": -32600, "message": "Invalid request: expected a JSON object"}})
        );
        client.send_json(&json!({"id": 3, "method": "nope/nope", "params": {}}));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 3, "error": {"code": -32601, "message": "Method not found: nope/nope"}})
        );
        client.send_json(&initialize(json!(4), Value::Null));
        assert_eq!(next(&mut client).await["id"], json!(4));
    }

    #[tokio::test]
    async fn experimental_fields_are_gated_per_connection() {
        let request = json!({"id": 5, "method": "thread/start", "params": {"dynamicTools": []}});
        let (_plain_home, mut plain) = start();
        plain.send_json(&initialize(json!(0), Value::Null));
        next(&mut plain).await;
        plain.send_json(&request);
        assert_eq!(
            next(&mut plain).await,
            json!({"id": 5, "error": {
                "code": -32600,
                "message": "thread/start.dynamicTools requires experimentalApi capability",
            }})
        );
        let (_opted_in_home, mut opted_in) = start();
        opted_in.send_json(&initialize(json!(0), json!({"experimentalApi": true})));
        next(&mut opted_in).await;
        opted_in.send_json(&request);
        // A started thread announces its status before the answer.
        let mut answer = next(&mut opted_in).await;
        while answer.get("id").is_none() {
            answer = next(&mut opted_in).await;
        }
        assert_eq!(answer["id"], json!(5));
        assert!(
            answer["error"]["message"]
                != json!("thread/start.dynamicTools requires experimentalApi capability"),
            "{answer}"
        );
    }

    /// An experimental method is refused whole without the capability (its descriptor is the method name);
    /// with it, the handler answers: here a process id that is not one, then a thread that is not loaded.
    #[tokio::test]
    async fn experimental_methods_are_gated_per_connection() {
        let list = json!({"id": 7, "method": "thread/backgroundTerminals/list",
            "params": {"threadId": "nope"}});
        let (_plain_home, mut plain) = start();
        plain.send_json(&initialize(json!(0), Value::Null));
        next(&mut plain).await;
        plain.send_json(&list);
        assert_eq!(
            next(&mut plain).await,
            json!({"id": 7, "error": {"code": -32600,
                "message": "thread/backgroundTerminals/list requires experimentalApi capability"}})
        );
        let (_opted_in_home, mut opted_in) = start();
        opted_in.send_json(&initialize(json!(0), json!({"experimentalApi": true})));
        next(&mut opted_in).await;
        opted_in.send_json(
            &json!({"id": 8, "method": "thread/backgroundTerminals/terminate",
            "params": {"threadId": "nope", "processId": "x1"}}),
        );
        assert_eq!(
            next(&mut opted_in).await,
            json!({"id": 8, "error": {"code": -32600,
                "message": "invalid background terminal process id: invalid digit found in string"}})
        );
        opted_in.send_json(&list);
        assert_eq!(
            next(&mut opted_in).await,
            json!({"id": 7, "error": {"code": -32600, "message": "thread not found: nope"}})
        );
    }

    #[tokio::test]
    async fn client_answers_reach_the_waiting_server_request() {
        let (queue, mut written) = crate::outgoing_queue::outgoing_queue();
        let outgoing = OutgoingMessageSender::new(queue);
        let (_codex_home, state) = test_state();
        let mut processor = MessageProcessor {
            state: Arc::clone(&state),
            outgoing: outgoing.clone(),
            capabilities: None,
            engine: Engine::start(&state),
            connection_id: 0,
            overflow: Overflow::Wait,
            closer: CancellationToken::new(),
            command_processes: Arc::default(),
            file_searches: Arc::new(FileSearches::new(Arc::default())),
        };
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(
                        codex_app_server_protocol::ServerRequestPayload::ChatgptAuthTokensRefresh(
                            codex_app_server_protocol::ChatgptAuthTokensRefreshParams {
                                reason: codex_app_server_protocol::ChatgptAuthTokensRefreshReason::Unauthorized,
                                previous_account_id: None,
                            },
                        ),
                        std::time::Duration::from_secs(5),
                    )
                    .await
            }
        });
        let request = written.recv().await.expect("request").into_message();
        let request = serde_json::to_value(request).expect("json");
        let line = json!({"id": request["id"], "result": {"ok": true}}).to_string();
        processor
            .process_frame(
                IncomingFrame::Line(line.into_bytes()),
                RequestSlot::unbudgeted(),
                &mut JoinSet::new(),
            )
            .await;
        assert_eq!(waiting.await.expect("joined"), Ok(json!({"ok": true})));
    }

    #[tokio::test]
    async fn requests_read_before_eof_are_still_answered() {
        let (
            _codex_home,
            MemoryClient {
                to_server,
                mut from_server,
            },
        ) = start();
        for line in [
            initialize(json!(0), Value::Null),
            initialize(json!(1), Value::Null),
        ] {
            to_server
                .try_send(IncomingFrame::Line(line.to_string().into_bytes()))
                .expect("send");
        }
        drop(to_server);
        let mut answered = Vec::new();
        while let Some(message) = from_server.recv().await {
            let message = serde_json::to_value(message.into_message()).expect("json");
            answered.push(message["id"].clone());
        }
        assert_eq!(answered, vec![json!(0), json!(1)]);
    }

    #[tokio::test]
    async fn closing_the_connection_ends_serve() {
        let (connection, client) = Connection::memory();
        let (_codex_home, state) = test_state();
        let served = tokio::spawn(serve(connection, state));
        drop(client);
        tokio::time::timeout(std::time::Duration::from_secs(1), served)
            .await
            .expect("serve returned")
            .expect("no panic");
    }
}
