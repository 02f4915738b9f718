//! `RateLimitStore`: the latest known snapshot of every metered limit (`codex`, `codex_other`, ...), one
//! store per process/account, fed by response headers, the `codex.rate_limits` WebSocket event and the
//! usage endpoint.
//!
//! Merge rules (CORE 8.5, and this project's choices where CORE is silent):
//! - a snapshot without `limit_id` is the default `codex` limit;
//! - `limit_name`, `plan_type` and `credits` absent from the new snapshot keep the previously known values
//!   (header snapshots carry no name for `codex` and never a plan type; CORE 8.5 keeps credits);
//! - `primary` and `secondary` are replaced, so a window that disappeared is reported as gone;
//! - a snapshot carrying nothing at all (no window, credits, name or plan) is ignored: header parsing always
//!   yields a `codex` snapshot, and one without any `x-codex-*` header says nothing about that limit;
//! - an update for one limit never touches another limit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;

use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;
use crate::protocol::rate_limit::RateLimitSnapshot;

/// The latest snapshot per `limit_id`. Cheap to clone; clones share the same state.
#[derive(Debug, Clone, Default)]
pub struct RateLimitStore {
    snapshots: Arc<Mutex<BTreeMap<String, RateLimitSnapshot>>>,
}

impl RateLimitStore {
    pub fn new() -> Self {
        RateLimitStore::default()
    }

    /// Merges `snapshot` into the store and returns the merged snapshot (with `limit_id` always set) when
    /// it differs from what was known, so the caller notifies once per changed limit; `None` when
    /// nothing changed.
    pub fn update(&self, snapshot: RateLimitSnapshot) -> Option<RateLimitSnapshot> {
        let RateLimitSnapshot {
            limit_id,
            limit_name,
            primary,
            secondary,
            credits,
            plan_type,
        } = snapshot;
        let carries_nothing = primary.is_none()
            && secondary.is_none()
            && credits.is_none()
            && limit_name.is_none()
            && plan_type.is_none();
        if carries_nothing {
            return None;
        }
        let limit_id = limit_id.unwrap_or_else(|| DEFAULT_LIMIT_ID.to_string());
        let mut snapshots = self.lock();
        let previous = snapshots.get(&limit_id);
        let merged = RateLimitSnapshot {
            limit_id: Some(limit_id.clone()),
            limit_name: limit_name.or_else(|| previous.and_then(|p| p.limit_name.clone())),
            primary,
            secondary,
            credits: credits.or_else(|| previous.and_then(|p| p.credits.clone())),
            plan_type: plan_type.or_else(|| previous.and_then(|p| p.plan_type.clone())),
        };
        if previous == Some(&merged) {
            return None;
        }
        snapshots.insert(limit_id, merged.clone());
        Some(merged)
    }

    /// [`RateLimitStore::update`] for each snapshot in order; returns the merged snapshots that changed.
    pub fn update_many(
        &self,
        snapshots: impl IntoIterator<Item = RateLimitSnapshot>,
    ) -> Vec<RateLimitSnapshot> {
        snapshots
            .into_iter()
            .filter_map(|snapshot| self.update(snapshot))
            .collect()
    }

    /// The default `codex` limit, if known.
    pub fn default_snapshot(&self) -> Option<RateLimitSnapshot> {
        self.lock().get(DEFAULT_LIMIT_ID).cloned()
    }

    /// Every known limit keyed by its `limit_id` (`"codex"`, `"codex_other"`, ...).
    pub fn by_limit_id(&self) -> BTreeMap<String, RateLimitSnapshot> {
        self.lock().clone()
    }

    /// Every known limit for the wire's `rateLimitsByName`. PROTOCOL section 0 keys this map by the
    /// limit's identifier exactly like `rateLimitsByLimitId` (`"codex"`, `"codex_other"`, ...); the human
    /// label (e.g. `"GPT-5.2-Codex-Sonic"`) stays in each snapshot's `limit_name`, which is optional and
    /// not unique, so it cannot serve as a key.
    pub fn by_name(&self) -> BTreeMap<String, RateLimitSnapshot> {
        self.lock().clone()
    }

    /// Forgets every limit: they belonged to the account that just signed out or was replaced.
    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, RateLimitSnapshot>> {
        self.snapshots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::rate_limit::CreditsSnapshot;
    use crate::protocol::rate_limit::RateLimitWindow;
    use pretty_assertions::assert_eq;

    fn window(used_percent: f64, window_minutes: i64, resets_at: i64) -> Option<RateLimitWindow> {
        Some(RateLimitWindow {
            used_percent,
            window_minutes: Some(window_minutes),
            resets_at: Some(resets_at),
        })
    }

    fn credits(balance: &str) -> Option<CreditsSnapshot> {
        Some(CreditsSnapshot {
            has_credits: true,
            unlimited: false,
            balance: Some(balance.to_string()),
        })
    }

    #[test]
    fn missing_limit_id_is_the_default_codex_limit() {
        let store = RateLimitStore::new();
        assert_eq!(store.is_empty(), true);
        let changed = store.update(RateLimitSnapshot {
            primary: window(12.5, 300, 100),
            ..RateLimitSnapshot::default()
        });
        let expected = RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            primary: window(12.5, 300, 100),
            ..RateLimitSnapshot::default()
        };
        assert_eq!(changed, Some(expected.clone()));
        assert_eq!(store.default_snapshot(), Some(expected));
        assert_eq!(store.is_empty(), false);
    }

    #[test]
    fn two_limits_coexist_and_name_is_inherited() {
        let store = RateLimitStore::new();
        let changed = store.update_many(vec![
            RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                primary: window(10.0, 300, 100),
                credits: credits("9.99"),
                plan_type: Some("pro".to_string()),
                ..RateLimitSnapshot::default()
            },
            RateLimitSnapshot {
                limit_id: Some("codex_other".to_string()),
                limit_name: Some("GPT-5.2-Codex-Sonic".to_string()),
                primary: window(70.0, 15, 789),
                ..RateLimitSnapshot::default()
            },
        ]);
        assert_eq!(changed.len(), 2);

        // A later header snapshot for codex_other carries neither name nor plan nor credits.
        let changed = store.update_many(vec![RateLimitSnapshot {
            limit_id: Some("codex_other".to_string()),
            primary: window(80.0, 15, 900),
            ..RateLimitSnapshot::default()
        }]);
        let codex_other = RateLimitSnapshot {
            limit_id: Some("codex_other".to_string()),
            limit_name: Some("GPT-5.2-Codex-Sonic".to_string()),
            primary: window(80.0, 15, 900),
            ..RateLimitSnapshot::default()
        };
        assert_eq!(changed, vec![codex_other.clone()]);

        let codex = RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            primary: window(10.0, 300, 100),
            credits: credits("9.99"),
            plan_type: Some("pro".to_string()),
            ..RateLimitSnapshot::default()
        };
        let expected = BTreeMap::from([
            ("codex".to_string(), codex.clone()),
            ("codex_other".to_string(), codex_other),
        ]);
        assert_eq!(store.by_limit_id(), expected);
        assert_eq!(store.by_name(), expected);
        assert_eq!(store.default_snapshot(), Some(codex));
    }

    #[test]
    fn unchanged_snapshot_reports_no_change() {
        let store = RateLimitStore::new();
        let snapshot = RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            primary: window(10.0, 300, 100),
            secondary: window(3.0, 10080, 200),
            credits: credits("1.00"),
            ..RateLimitSnapshot::default()
        };
        assert_eq!(store.update(snapshot.clone()), Some(snapshot.clone()));
        assert_eq!(store.update(snapshot.clone()), None);
        // Absent credits keep the known ones, so this is no change either.
        assert_eq!(
            store.update(RateLimitSnapshot {
                credits: None,
                ..snapshot.clone()
            }),
            None
        );
        assert_eq!(store.update(RateLimitSnapshot::default()), None);
        assert_eq!(store.by_limit_id().len(), 1);
    }

    #[test]
    fn windows_are_replaced_while_credits_and_plan_are_kept() {
        let store = RateLimitStore::new();
        store.update(RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            primary: window(10.0, 300, 100),
            secondary: window(3.0, 10080, 200),
            credits: credits("1.00"),
            plan_type: Some("plus".to_string()),
            ..RateLimitSnapshot::default()
        });
        let changed = store.update(RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            primary: window(20.0, 300, 100),
            ..RateLimitSnapshot::default()
        });
        assert_eq!(
            changed,
            Some(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                limit_name: None,
                primary: window(20.0, 300, 100),
                secondary: None,
                credits: credits("1.00"),
                plan_type: Some("plus".to_string()),
            })
        );
    }

    #[test]
    fn clones_share_state() {
        let store = RateLimitStore::new();
        let clone = store.clone();
        clone.update(RateLimitSnapshot {
            limit_id: Some("codex_other".to_string()),
            primary: window(1.0, 15, 5),
            ..RateLimitSnapshot::default()
        });
        assert_eq!(store.by_limit_id(), clone.by_limit_id());
        assert_eq!(store.default_snapshot(), None);
    }
}
