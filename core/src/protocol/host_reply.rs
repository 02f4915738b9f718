//! `HostReply<T>`: the one-shot channel an engine request (an approval, a host tool call, questions for the
//! user) carries for the host's answer. Cloning shares it: the first `take` gets the sender, and a
//! dropped sender tells the waiting turn that no answer will come.

use std::sync::Arc;
use std::sync::Mutex;

use tokio::sync::oneshot;

/// The sending half of a request's answer.
pub struct HostReply<T>(Arc<Mutex<Option<oneshot::Sender<T>>>>);

impl<T> HostReply<T> {
    /// A reply channel and the receiver the turn waits on.
    pub fn channel() -> (Self, oneshot::Receiver<T>) {
        let (sender, receiver) = oneshot::channel();
        (Self(Arc::new(Mutex::new(Some(sender)))), receiver)
    }

    /// The sender, once. Await `closed()` on it to learn that the turn stopped waiting.
    pub fn take(&self) -> Option<oneshot::Sender<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl<T> Clone for HostReply<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> std::fmt::Debug for HostReply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostReply")
    }
}

impl<T> PartialEq for HostReply<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
