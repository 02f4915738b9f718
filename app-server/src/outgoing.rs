//! Everything the server writes goes through here: responses, errors, notifications (filtered by the
//! connection's opt-outs) and server->client requests, whose answers are routed back to their waiters by id.
//!
//! Notifications are flow-controlled: when the transport installs an [`OutgoingCredit`] (see
//! [`with_outgoing_credit`]), at most its capacity of notifications wait for the writer, and a sender
//! finding the queue full blocks until the writer drains it. Engine events feed notifications, so a host that
//! reads slowly slows the turns instead of growing memory. Responses, errors and requests never wait: a
//! handler must never stall behind a stream of deltas. Answers (responses and errors) are counted instead:
//! the dispatcher reads no more requests while too many are unwritten.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Condvar;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::AtomicI64;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::time::Duration;

use codex_app_server_protocol::JSONRPCError;
use codex_app_server_protocol::JSONRPCErrorError;
use codex_app_server_protocol::JSONRPCMessage;
use codex_app_server_protocol::JSONRPCNotification;
use codex_app_server_protocol::JSONRPCRequest;
use codex_app_server_protocol::JSONRPCResponse;
use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::ServerNotification;
use codex_app_server_protocol::ServerRequestPayload;
use tokio::sync::mpsc;
use tokio::sync::oneshot;

/// How long a blocked notification sender sleeps before re-checking that the writer is still there.
const CREDIT_RECHECK_INTERVAL: Duration = Duration::from_millis(100);

tokio::task_local! {
    /// The flow control of the connection being served, installed by the transport that owns its writer.
    static OUTGOING_CREDIT: Arc<OutgoingCredit>;
}

/// Runs `future` (the serving of one connection) with `credit` as the flow control of every
/// [`OutgoingMessageSender`] created inside it.
pub async fn with_outgoing_credit<F: std::future::Future>(
    credit: Arc<OutgoingCredit>,
    future: F,
) -> F::Output {
    OUTGOING_CREDIT.scope(credit, future).await
}

/// Counts the notifications queued for the writer and blocks senders while `capacity` are waiting; counts
/// the answers queued too, so the dispatcher can wait for them to drain.
#[derive(Debug)]
pub struct OutgoingCredit {
    capacity: usize,
    state: Mutex<CreditState>,
    drained: Condvar,
    answers_unwritten: AtomicUsize,
    answer_written: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct CreditState {
    queued: usize,
    /// Set when the writer stops: nobody will drain the queue any more, so nobody may wait for it.
    closed: bool,
}

impl OutgoingCredit {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            state: Mutex::new(CreditState::default()),
            drained: Condvar::new(),
            answers_unwritten: AtomicUsize::new(0),
            answer_written: tokio::sync::Notify::new(),
        }
    }

    /// An answer was queued for the writer.
    fn answer_queued(&self) {
        self.answers_unwritten.fetch_add(1, Ordering::AcqRel);
    }

    /// The writer has written (or dropped) an answer.
    pub fn release_answer(&self) {
        // Saturating: an answer queued without this credit (before it was installed) is written with it.
        let _ =
            self.answers_unwritten
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |unwritten| {
                    unwritten.checked_sub(1)
                });
        self.answer_written.notify_one();
    }

    /// Takes one slot, waiting while the queue is full. Waiting blocks the thread, so it only happens on a
    /// multi-threaded runtime (through `block_in_place`, which moves this worker's other tasks elsewhere);
    /// elsewhere the slot is taken without waiting.
    fn acquire(&self) {
        if self.try_acquire() {
            return;
        }
        let can_block = tokio::runtime::Handle::try_current().is_ok_and(|runtime| {
            runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        });
        if !can_block {
            self.lock().queued += 1;
            return;
        }
        tokio::task::block_in_place(|| {
            let mut state = self.lock();
            while !state.closed && state.queued >= self.capacity {
                state = self
                    .drained
                    .wait_timeout(state, CREDIT_RECHECK_INTERVAL)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
            state.queued += 1;
        });
    }

    fn try_acquire(&self) -> bool {
        let mut state = self.lock();
        if state.closed || state.queued < self.capacity {
            state.queued += 1;
            true
        } else {
            false
        }
    }

    /// Gives back the slot of a notification the writer has written (or dropped).
    pub fn release(&self) {
        let mut state = self.lock();
        state.queued = state.queued.saturating_sub(1);
        self.drained.notify_one();
    }

    /// The writer is gone: wake every waiting sender and never block again.
    pub fn close(&self) {
        self.lock().closed = true;
        self.drained.notify_all();
    }

    /// Notifications written to the queue and not yet released by the writer.
    pub fn queued(&self) -> usize {
        self.lock().queued
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CreditState> {
        // The counters stay meaningful whatever a panicking holder was doing.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Server-issued request ids are integers from one process-wide counter starting at 0.
static NEXT_SERVER_REQUEST_ID: AtomicI64 = AtomicI64::new(0);

pub type ClientAnswer = Result<serde_json::Value, JSONRPCErrorError>;

/// Why a server->client request produced no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServerRequestError {
    #[error("client answered {method} with error {}: {}", error.code, error.message)]
    ClientError {
        method: &'static str,
        error: JSONRPCErrorError,
    },
    #[error("client did not answer {method} within {timeout:?}")]
    TimedOut {
        method: &'static str,
        timeout: Duration,
    },
    #[error("connection closed before the client answered {method}")]
    ConnectionClosed { method: &'static str },
}

/// A server request written to the client and not answered yet.
pub struct PendingServerRequest {
    outgoing: OutgoingMessageSender,
    method: &'static str,
    id: RequestId,
    answer: oneshot::Receiver<ClientAnswer>,
}

impl PendingServerRequest {
    /// The client's result; its error answer or a closed connection is an error.
    pub async fn answer(mut self) -> Result<serde_json::Value, ServerRequestError> {
        let method = self.method;
        match (&mut self.answer).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(ServerRequestError::ClientError { method, error }),
            Err(_) => Err(ServerRequestError::ConnectionClosed { method }),
        }
    }
}

impl Drop for PendingServerRequest {
    fn drop(&mut self) {
        // Answered requests are already gone from the map; this only forgets abandoned ones.
        self.outgoing.forget_request(&self.id);
    }
}

/// A cheap, cloneable handle on the connection's single writer queue.
#[derive(Clone)]
pub struct OutgoingMessageSender {
    sender: mpsc::UnboundedSender<JSONRPCMessage>,
    pending_requests: Arc<Mutex<HashMap<RequestId, oneshot::Sender<ClientAnswer>>>>,
    opted_out_notifications: Arc<OnceLock<HashSet<String>>>,
    /// The connection's flow control; `None` when the transport installed none (in-memory connections).
    outgoing_credit: Option<Arc<OutgoingCredit>>,
}

impl OutgoingMessageSender {
    pub fn new(sender: mpsc::UnboundedSender<JSONRPCMessage>) -> Self {
        Self {
            sender,
            pending_requests: Arc::new(Mutex::new(HashMap::new())),
            opted_out_notifications: Arc::new(OnceLock::new()),
            outgoing_credit: OUTGOING_CREDIT.try_with(Arc::clone).ok(),
        }
    }

    /// Fixes, once per connection, the notification methods never to write.
    pub fn set_opted_out_notifications(&self, methods: HashSet<String>) {
        if self.opted_out_notifications.set(methods).is_err() {
            tracing::warn!("notification opt-outs are fixed at initialize; ignoring a second set");
        }
    }

    pub fn send_response(&self, id: RequestId, result: serde_json::Value) {
        self.send_answer(JSONRPCMessage::Response(JSONRPCResponse { id, result }));
    }

    pub fn send_error(&self, id: Option<RequestId>, error: JSONRPCErrorError) {
        self.send_answer(JSONRPCMessage::Error(JSONRPCError { id, error }));
    }

    fn send_answer(&self, answer: JSONRPCMessage) {
        if let Some(credit) = &self.outgoing_credit {
            credit.answer_queued();
            if self.sender.send(answer).is_err() {
                credit.release_answer();
                tracing::debug!("connection writer is gone; dropping an answer");
            }
            return;
        }
        self.send(answer);
    }

    /// Answers queued and not yet written; 0 without flow control (in-memory connections).
    pub fn answers_unwritten(&self) -> usize {
        self.outgoing_credit
            .as_ref()
            .map_or(0, |credit| credit.answers_unwritten.load(Ordering::Acquire))
    }

    /// Resolves once the writer has written an answer (at once if one was written since the last call);
    /// never without flow control.
    pub async fn answer_written(&self) {
        match &self.outgoing_credit {
            Some(credit) => credit.answer_written.notified().await,
            None => std::future::pending().await,
        }
    }

    pub fn send_notification(&self, notification: ServerNotification) {
        let method = notification.method();
        if self
            .opted_out_notifications
            .get()
            .is_some_and(|opted_out| opted_out.contains(method))
        {
            tracing::trace!("dropping opted-out notification {method}");
            return;
        }
        let message = JSONRPCMessage::Notification(JSONRPCNotification::from(notification));
        match &self.outgoing_credit {
            Some(credit) => {
                credit.acquire();
                if self.sender.send(message).is_err() {
                    credit.release();
                    tracing::debug!("connection writer is gone; dropping a notification");
                }
            }
            None => self.send(message),
        }
    }

    /// Sends a request to the client and waits for its answer. The waiter is removed on timeout, so a late
    /// answer is logged as unknown.
    pub async fn send_request(
        &self,
        payload: ServerRequestPayload,
        timeout: Duration,
    ) -> Result<serde_json::Value, ServerRequestError> {
        let method = payload.method();
        tokio::time::timeout(timeout, self.request(payload).answer())
            .await
            .unwrap_or(Err(ServerRequestError::TimedOut { method, timeout }))
    }

    /// Writes a request to the client now; the caller awaits [`PendingServerRequest::answer`] under
    /// whatever deadline it keeps. Dropping it unanswered (a caller's timeout) forgets the request.
    pub fn request(&self, payload: ServerRequestPayload) -> PendingServerRequest {
        let method = payload.method();
        let (id, answer) = self.start_request(payload);
        PendingServerRequest {
            outgoing: self.clone(),
            method,
            id,
            answer,
        }
    }

    /// Writes a request to the client now (in order with everything queued before it) and returns its id
    /// and the receiver of the client's answer. Whoever stops waiting must call `forget_request`.
    pub fn start_request(
        &self,
        payload: ServerRequestPayload,
    ) -> (RequestId, oneshot::Receiver<ClientAnswer>) {
        let id = RequestId::Integer(NEXT_SERVER_REQUEST_ID.fetch_add(1, Ordering::Relaxed));
        let (answer_tx, answer_rx) = oneshot::channel();
        self.pending_requests().insert(id.clone(), answer_tx);
        self.send(JSONRPCMessage::Request(JSONRPCRequest::from(
            payload.with_id(id.clone()),
        )));
        (id, answer_rx)
    }

    /// Drops the waiter of a request nobody waits for any more; a late answer is then logged as unknown.
    pub fn forget_request(&self, id: &RequestId) {
        self.pending_requests().remove(id);
    }

    /// Routes a client's answer to the server request waiting for it.
    pub fn resolve(&self, id: RequestId, answer: ClientAnswer) {
        let waiter = self.pending_requests().remove(&id);
        match waiter {
            Some(waiter) => {
                if waiter.send(answer).is_err() {
                    tracing::debug!("waiter for server request {id} is gone");
                }
            }
            None => tracing::warn!("client answered unknown server request id {id}"),
        }
    }

    fn pending_requests(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<ClientAnswer>>> {
        // A panic while holding this lock cannot leave the map inconsistent, so poisoning is ignored.
        self.pending_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn send(&self, message: JSONRPCMessage) {
        if self.sender.send(message).is_err() {
            tracing::debug!("connection writer is gone; dropping an outgoing message");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_app_server_protocol::ChatgptAuthTokensRefreshParams;
    use codex_app_server_protocol::ChatgptAuthTokensRefreshReason;
    use codex_app_server_protocol::DeprecationNoticeNotification;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn refresh_request() -> ServerRequestPayload {
        ServerRequestPayload::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshParams {
            reason: ChatgptAuthTokensRefreshReason::Unauthorized,
            previous_account_id: None,
        })
    }

    fn written_json(message: JSONRPCMessage) -> serde_json::Value {
        serde_json::to_value(message).expect("wire messages serialize")
    }

    #[tokio::test]
    async fn server_request_gets_an_integer_id_and_its_answer_by_that_id() {
        let (sender, mut written) = mpsc::unbounded_channel();
        let outgoing = OutgoingMessageSender::new(sender);
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(refresh_request(), Duration::from_secs(5))
                    .await
            }
        });
        let request = written_json(written.recv().await.expect("request written"));
        let id = request["id"].as_i64().expect("integer id");
        assert_eq!(
            request,
            json!({"id": id, "method": "account/chatgptAuthTokens/refresh", "params": {
                "reason": "unauthorized",
                "previousAccountId": null,
            }})
        );
        outgoing.resolve(RequestId::Integer(id + 1_000_000), Ok(json!({})));
        outgoing.resolve(RequestId::Integer(id), Ok(json!({"accessToken": "t"})));
        assert_eq!(
            waiting.await.expect("joined"),
            Ok(json!({"accessToken": "t"}))
        );
    }

    #[tokio::test]
    async fn client_error_and_timeout_fail_the_server_request() {
        let (sender, mut written) = mpsc::unbounded_channel();
        let outgoing = OutgoingMessageSender::new(sender);
        let error = JSONRPCErrorError {
            code: -1,
            message: "declined".to_string(),
            data: None,
        };
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(refresh_request(), Duration::from_secs(5))
                    .await
            }
        });
        let id = written_json(written.recv().await.expect("request"))["id"]
            .as_i64()
            .expect("integer id");
        outgoing.resolve(RequestId::Integer(id), Err(error.clone()));
        assert_eq!(
            waiting.await.expect("joined"),
            Err(ServerRequestError::ClientError {
                method: "account/chatgptAuthTokens/refresh",
                error,
            })
        );

        let timed_out = outgoing
            .send_request(refresh_request(), Duration::from_millis(1))
            .await;
        assert_eq!(
            timed_out,
            Err(ServerRequestError::TimedOut {
                method: "account/chatgptAuthTokens/refresh",
                timeout: Duration::from_millis(1),
            })
        );
        assert_eq!(outgoing.pending_requests().len(), 0);
    }

    #[tokio::test]
    async fn opted_out_notifications_are_dropped_and_others_pass() {
        let (sender, mut written) = mpsc::unbounded_channel();
        let outgoing = OutgoingMessageSender::new(sender);
        outgoing.set_opted_out_notifications(HashSet::from(["configWarning".to_string()]));
        outgoing.send_notification(ServerNotification::ConfigWarning(
            codex_app_server_protocol::ConfigWarningNotification {
                summary: "hidden".to_string(),
                details: None,
                path: None,
                range: None,
            },
        ));
        outgoing.send_notification(ServerNotification::DeprecationNotice(
            DeprecationNoticeNotification {
                summary: "shown".to_string(),
                details: None,
            },
        ));
        outgoing.send_response(RequestId::Integer(1), json!({}));
        drop(outgoing);
        let mut messages = Vec::new();
        while let Some(message) = written.recv().await {
            messages.push(written_json(message));
        }
        assert_eq!(
            messages,
            vec![
                json!({"method": "deprecationNotice", "params": {"summary": "shown", "details": null}}),
                json!({"id": 1, "result": {}}),
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_notification_queue_blocks_the_sender_until_the_writer_drains_it() {
        let credit = Arc::new(OutgoingCredit::new(2));
        let (sender, mut written) = mpsc::unbounded_channel();
        let outgoing = with_outgoing_credit(Arc::clone(&credit), async move {
            OutgoingMessageSender::new(sender)
        })
        .await;
        let notice = |summary: &str| {
            ServerNotification::DeprecationNotice(DeprecationNoticeNotification {
                summary: summary.to_string(),
                details: None,
            })
        };
        outgoing.send_notification(notice("1"));
        outgoing.send_notification(notice("2"));
        let (third_sent_tx, mut third_sent) = oneshot::channel();
        let third = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing.send_notification(notice("3"));
                let _ = third_sent_tx.send(());
            }
        });
        // Responses never wait for credit, so this one overtakes the blocked third notification.
        outgoing.send_response(RequestId::Integer(7), json!({}));
        let mut first_three = Vec::new();
        for _ in 0..3 {
            first_three.push(written_json(written.recv().await.expect("message")));
        }
        assert_eq!(
            first_three,
            vec![
                json!({"method": "deprecationNotice", "params": {"summary": "1", "details": null}}),
                json!({"method": "deprecationNotice", "params": {"summary": "2", "details": null}}),
                json!({"id": 7, "result": {}}),
            ]
        );
        assert_eq!(
            third_sent.try_recv(),
            Err(oneshot::error::TryRecvError::Empty)
        );
        assert_eq!(credit.queued(), 2);
        credit.release();
        third.await.expect("third sender finished");
        assert_eq!(
            written_json(written.recv().await.expect("third")),
            json!({"method": "deprecationNotice", "params": {"summary": "3", "details": null}})
        );
        assert_eq!(credit.queued(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_credit_never_blocks() {
        let credit = Arc::new(OutgoingCredit::new(1));
        credit.close();
        let (sender, mut written) = mpsc::unbounded_channel();
        let outgoing = with_outgoing_credit(Arc::clone(&credit), async move {
            OutgoingMessageSender::new(sender)
        })
        .await;
        for summary in ["a", "b", "c"] {
            outgoing.send_notification(ServerNotification::DeprecationNotice(
                DeprecationNoticeNotification {
                    summary: summary.to_string(),
                    details: None,
                },
            ));
        }
        drop(outgoing);
        let mut count = 0;
        while written.recv().await.is_some() {
            count += 1;
        }
        assert_eq!(count, 3);
    }
}
