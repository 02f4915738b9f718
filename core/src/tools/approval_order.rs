//! The order in which the tool calls of one response may ask the host: a call asks only once every
//! earlier call of the response has settled its approvals (approved, declined, or past the point where
//! it could ask), so calls that run at once still ask in the model's order.

use std::sync::Arc;
use std::sync::Mutex;

use tokio::sync::watch;

/// The approval order of one response's calls.
#[derive(Debug)]
pub(crate) struct ApprovalOrder {
    settled: Mutex<Vec<bool>>,
    /// How many calls from the first on have all settled.
    settled_prefix: watch::Sender<usize>,
}

/// One call's place in its response's approval order.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalTurn {
    order: Arc<ApprovalOrder>,
    index: usize,
}

impl ApprovalOrder {
    /// The places of `calls` calls, in the model's order.
    pub(crate) fn turns(calls: usize) -> Vec<ApprovalTurn> {
        let order = Arc::new(ApprovalOrder {
            settled: Mutex::new(vec![false; calls]),
            settled_prefix: watch::Sender::new(0),
        });
        (0..calls)
            .map(|index| ApprovalTurn {
                order: Arc::clone(&order),
                index,
            })
            .collect()
    }
}

impl ApprovalTurn {
    /// Waits until every earlier call has settled its approvals.
    pub(crate) async fn wait(&self) {
        let mut prefix = self.order.settled_prefix.subscribe();
        // The sender lives in `self.order`, so the channel cannot close while this waits.
        let _ = prefix.wait_for(|settled| *settled >= self.index).await;
    }

    /// This call will ask nothing more (before any retry), so later calls may ask. Idempotent.
    pub(crate) fn settle(&self) {
        let mut settled = self
            .order
            .settled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(flag) = settled.get_mut(self.index) {
            *flag = true;
        }
        let prefix = settled.iter().take_while(|flag| **flag).count();
        self.order.settled_prefix.send_if_modified(|current| {
            let grew = prefix > *current;
            *current = prefix.max(*current);
            grew
        });
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    #[test]
    fn a_call_may_ask_once_every_earlier_one_settled() {
        let turns = ApprovalOrder::turns(3);
        assert!(
            turns[0].wait().now_or_never().is_some(),
            "the first asks at once"
        );
        turns[1].settle();
        assert!(
            turns[2].wait().now_or_never().is_none(),
            "the first call has not settled yet"
        );
        turns[0].settle();
        assert!(turns[2].wait().now_or_never().is_some());
        turns[0].settle();
        assert!(
            turns[2].wait().now_or_never().is_some(),
            "settling twice is harmless"
        );
    }
}
