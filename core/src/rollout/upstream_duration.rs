//! A duration as upstream's rollout events carry it (Rust's `Duration` as serde writes it), and its
//! conversion to and from milliseconds.

use serde::Deserialize;
use serde::Serialize;

/// Rust's `Duration` as serde writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamDuration {
    pub secs: u64,
    #[serde(default)]
    pub nanos: u32,
}

impl UpstreamDuration {
    pub(crate) fn from_millis(ms: i64) -> Self {
        let ms = u64::try_from(ms).unwrap_or_default();
        Self {
            secs: ms / 1000,
            nanos: u32::try_from((ms % 1000) * 1_000_000).unwrap_or_default(),
        }
    }

    pub(crate) fn millis(self) -> i64 {
        let millis = self.secs.saturating_mul(1000) + u64::from(self.nanos / 1_000_000);
        i64::try_from(millis).unwrap_or(i64::MAX)
    }
}
