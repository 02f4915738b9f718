//! A connection's outgoing queue: every message the server writes waits here, in order, for the connection's
//! single writer. Two plain semaphores bound it; a message's owned permit travels with it and is released
//! when the writer has written (or dropped) it:
//! - a notification takes a permit of the notification budget before it is queued, waiting while
//!   [`NOTIFICATION_QUEUE_CAPACITY`] are unwritten, so a host that reads slowly slows the engine's events down
//!   instead of growing memory;
//! - an answer carries the [`RequestSlot`] its request took when it was read, so the processor reads no more
//!   requests while [`MAX_REQUESTS_IN_FLIGHT`] are being handled or have their answer unwritten;
//! - a server request takes nothing (a turn waits on each, so there are few).
//!
//! Answers and server requests never wait for a notification permit. Dropping the writer's end closes both
//! budgets, so nobody ever waits for a writer that is gone.

use std::sync::Arc;

use codex_app_server_protocol::JSONRPCMessage;
use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::Semaphore;
use tokio::sync::mpsc;

/// Notifications that may wait for the writer at once; beyond this the engine's turns wait for the host.
pub const NOTIFICATION_QUEUE_CAPACITY: usize = 1024;

/// Requests being handled or waiting for their answer to be written, at most; beyond this no more input is
/// read until one is done (upstream's app-server queue holds 128 too).
pub const MAX_REQUESTS_IN_FLIGHT: usize = 128;

/// One message waiting for the writer, holding its permit until it is written or dropped.
#[derive(Debug)]
pub struct QueuedMessage {
    message: JSONRPCMessage,
    _permit: Option<OwnedSemaphorePermit>,
}

impl QueuedMessage {
    pub fn message(&self) -> &JSONRPCMessage {
        &self.message
    }

    /// The message, giving its permit back (it counts as written).
    pub fn into_message(self) -> JSONRPCMessage {
        self.message
    }
}

/// Room for one request's answer, taken before the request is read and given back once its answer is
/// written. Empty when the writer is gone: nothing is budgeted for a closed connection.
#[derive(Debug)]
pub struct RequestSlot(Option<OwnedSemaphorePermit>);

impl RequestSlot {
    /// A slot outside any budget (an answer for a connection without a writer, or a test).
    pub fn unbudgeted() -> Self {
        RequestSlot(None)
    }
}

/// The producers' end: cheap to clone, shared by everything that writes to the connection.
#[derive(Clone)]
pub struct OutgoingQueue {
    messages: mpsc::UnboundedSender<QueuedMessage>,
    budgets: Budgets,
}

/// The writer's end. Dropping it closes the budgets.
pub struct OutgoingMessages {
    messages: mpsc::UnboundedReceiver<QueuedMessage>,
    budgets: Budgets,
}

#[derive(Clone)]
struct Budgets {
    notifications: Arc<Semaphore>,
    notification_capacity: usize,
    requests: Arc<Semaphore>,
}

/// A queue with the daemon's budgets: [`NOTIFICATION_QUEUE_CAPACITY`] and [`MAX_REQUESTS_IN_FLIGHT`].
pub fn outgoing_queue() -> (OutgoingQueue, OutgoingMessages) {
    bounded_outgoing_queue(NOTIFICATION_QUEUE_CAPACITY, MAX_REQUESTS_IN_FLIGHT)
}

/// A queue holding at most `notifications` unwritten notifications and `requests` request slots.
pub fn bounded_outgoing_queue(
    notifications: usize,
    requests: usize,
) -> (OutgoingQueue, OutgoingMessages) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let budgets = Budgets {
        notifications: Arc::new(Semaphore::new(notifications)),
        notification_capacity: notifications,
        requests: Arc::new(Semaphore::new(requests)),
    };
    (
        OutgoingQueue {
            messages: sender,
            budgets: budgets.clone(),
        },
        OutgoingMessages {
            messages: receiver,
            budgets,
        },
    )
}

impl OutgoingQueue {
    /// Waits until there is room for one more request; at once when the writer is gone.
    pub async fn request_slot(&self) -> RequestSlot {
        let permit = Arc::clone(&self.budgets.requests).acquire_owned().await;
        RequestSlot(permit.ok())
    }

    /// Queues an answer (a response or an error) now, whatever else is queued.
    pub fn push_answer(&self, slot: RequestSlot, answer: JSONRPCMessage) {
        self.push(answer, slot.0);
    }

    /// Queues a server->client request now, whatever else is queued.
    pub fn push_request(&self, request: JSONRPCMessage) {
        self.push(request, None);
    }

    /// Queues a notification once there is room for it; drops it when the writer is gone.
    pub async fn push_notification(&self, notification: JSONRPCMessage) {
        match Arc::clone(&self.budgets.notifications)
            .acquire_owned()
            .await
        {
            Ok(permit) => self.push(notification, Some(permit)),
            Err(_closed) => tracing::debug!("connection writer is gone; dropping a notification"),
        }
    }

    /// Completes once the writer is gone (the connection closed).
    pub async fn closed(&self) {
        self.messages.closed().await;
    }

    /// Notifications queued and not yet written.
    pub fn notifications_unwritten(&self) -> usize {
        self.budgets.notifications_unwritten()
    }

    fn push(&self, message: JSONRPCMessage, permit: Option<OwnedSemaphorePermit>) {
        let queued = QueuedMessage {
            message,
            _permit: permit,
        };
        if self.messages.send(queued).is_err() {
            tracing::debug!("connection writer is gone; dropping an outgoing message");
        }
    }
}

impl OutgoingMessages {
    /// The next message to write; `None` once every producer is gone.
    pub async fn recv(&mut self) -> Option<QueuedMessage> {
        self.messages.recv().await
    }

    /// The next message if one is queued now.
    pub fn try_recv(&mut self) -> Option<QueuedMessage> {
        self.messages.try_recv().ok()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

impl Drop for OutgoingMessages {
    fn drop(&mut self) {
        self.budgets.notifications.close();
        self.budgets.requests.close();
    }
}

impl Budgets {
    fn notifications_unwritten(&self) -> usize {
        self.notification_capacity
            .saturating_sub(self.notifications.available_permits())
    }
}

#[cfg(test)]
#[path = "outgoing_queue_tests.rs"]
mod tests;
