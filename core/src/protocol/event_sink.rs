//! Where one thread's events go: the engine's event channel, tagged with the thread's id, silent while
//! nobody follows the thread, and the thread's status, changed only together with its event.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadEvent;
use crate::protocol::event::ThreadStatus;

/// A thread's way out to its host; cheap to clone, every clone reports for the same thread.
#[derive(Debug, Clone)]
pub struct EventSink {
    thread_id: Arc<str>,
    sender: mpsc::Sender<ThreadEvent>,
    /// Whether the host follows the thread; an unfollowed thread's events are not reported (its approval
    /// requests are then declined) and it is unloaded once idle.
    subscribed: Arc<AtomicBool>,
    status: Arc<Mutex<ThreadStatus>>,
    /// Set on a review's sink: the reviewer's own messages are its raw answer, which the review reports in
    /// its own items instead.
    mute_agent_messages: bool,
}

impl EventSink {
    pub fn new(thread_id: &str, sender: mpsc::Sender<ThreadEvent>, status: ThreadStatus) -> Self {
        Self {
            thread_id: Arc::from(thread_id),
            sender,
            subscribed: Arc::new(AtomicBool::new(true)),
            status: Arc::new(Mutex::new(status)),
            mute_agent_messages: false,
        }
    }

    /// The same thread's sink, without the model's messages (their items and deltas).
    pub(crate) fn muting_agent_messages(&self) -> Self {
        Self {
            mute_agent_messages: true,
            ..self.clone()
        }
    }

    fn is_muted(&self, msg: &EventMsg) -> bool {
        self.mute_agent_messages
            && matches!(
                msg,
                EventMsg::AgentMessageDelta { .. }
                    | EventMsg::ItemStarted {
                        item: crate::protocol::turn_item::TurnItem::AgentMessage { .. },
                        ..
                    }
                    | EventMsg::ItemCompleted {
                        item: crate::protocol::turn_item::TurnItem::AgentMessage { .. },
                        ..
                    }
            )
    }

    pub fn thread_id(&self) -> &str {
        &self.thread_id
    }

    /// Reports `msg` if the host follows the thread.
    pub async fn emit(&self, msg: EventMsg) {
        if !self.is_subscribed() {
            tracing::trace!(
                "thread {} is not followed; dropping an event",
                self.thread_id
            );
            return;
        }
        self.emit_always(msg).await;
    }

    /// Reports `msg` even when nobody follows the thread (its unloading is reported to every host).
    pub async fn emit_always(&self, msg: EventMsg) {
        if self.is_muted(&msg) {
            return;
        }
        let event = ThreadEvent {
            thread_id: self.thread_id.to_string(),
            msg,
        };
        if self.sender.send(event).await.is_err() {
            tracing::debug!("event receiver gone; dropping event");
        }
    }

    pub fn status(&self) -> ThreadStatus {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the thread to `status` and reports the change (nothing when it is already there).
    pub async fn set_status(&self, status: ThreadStatus) {
        if self.replace_status(status) == status {
            return;
        }
        self.emit(EventMsg::StatusChanged(status)).await;
    }

    /// Moves the thread to `status` without reporting it; returns the status it had.
    pub fn replace_status(&self, status: ThreadStatus) -> ThreadStatus {
        std::mem::replace(
            &mut *self.status.lock().unwrap_or_else(|e| e.into_inner()),
            status,
        )
    }

    pub fn is_subscribed(&self) -> bool {
        self.subscribed.load(Ordering::Acquire)
    }

    /// Sets whether the host follows the thread; returns whether it did.
    pub fn set_subscribed(&self, subscribed: bool) -> bool {
        self.subscribed.swap(subscribed, Ordering::AcqRel)
    }
}
