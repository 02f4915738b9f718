//! `RateLimitsReadOutcome`: the answer to `account/rateLimits/read` built from the rate-limit store and,
//! when signed in with ChatGPT, a fresh fetch of the usage endpoint.
//!
//! The rule: with ChatGPT credentials the usage endpoint is fetched on every read (like upstream 0.105)
//! and merged into the store; without them the latest snapshots from response headers are returned; when
//! there are neither ChatGPT credentials nor any snapshot, no account can have limits and the read fails
//! with [`RateLimitsUnavailable`]. A failed fetch fails the read (the store is left as it was).

use std::collections::BTreeMap;

use crate::auth::AuthManager;
use crate::backend::BackendClient;
use crate::backend::BackendError;
use crate::backend::rate_limit_store::RateLimitStore;
use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;
use crate::protocol::rate_limit::RateLimitSnapshot;

/// Nothing to report: not signed in with ChatGPT and no rate-limit headers seen. The message is upstream's
/// (0.105 answers it as JSON-RPC -32600).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("codex account authentication required to read rate limits")]
pub struct RateLimitsUnavailable;

/// Why `account/rateLimits/read` has no answer.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitsReadError {
    #[error(transparent)]
    Unavailable(#[from] RateLimitsUnavailable),
    #[error("failed to fetch codex rate limits: {0}")]
    Fetch(#[from] BackendError),
}

/// `{rateLimits, rateLimitsByName, rateLimitsByLimitId}` before wire conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitsReadOutcome {
    /// The default `codex` limit; when it is unknown, the first known limit, or an empty `codex`
    /// snapshot when a fetch reported nothing at all.
    pub rate_limits: RateLimitSnapshot,
    /// [`RateLimitStore::by_name`].
    pub by_name: BTreeMap<String, RateLimitSnapshot>,
    /// [`RateLimitStore::by_limit_id`].
    pub by_limit_id: BTreeMap<String, RateLimitSnapshot>,
}

impl RateLimitsReadOutcome {
    /// `usage` is `None` when no fetch was made (not signed in with ChatGPT), else the fetch's result,
    /// which is merged into `store` on success.
    pub fn from_store(
        store: &RateLimitStore,
        usage: Option<Result<Vec<RateLimitSnapshot>, BackendError>>,
    ) -> Result<Self, RateLimitsReadError> {
        match usage {
            Some(fetched) => {
                store.update_many(fetched?);
            }
            None if store.is_empty() => return Err(RateLimitsUnavailable.into()),
            None => {}
        }
        let by_limit_id = store.by_limit_id();
        let rate_limits = by_limit_id
            .get(DEFAULT_LIMIT_ID)
            .or_else(|| by_limit_id.values().next())
            .cloned()
            .unwrap_or_else(|| RateLimitSnapshot {
                limit_id: Some(DEFAULT_LIMIT_ID.to_string()),
                ..RateLimitSnapshot::default()
            });
        Ok(RateLimitsReadOutcome {
            rate_limits,
            by_name: store.by_name(),
            by_limit_id,
        })
    }

    /// The whole read: fetches the usage endpoint (with one 401 recovery) when `auth_manager` holds
    /// ChatGPT credentials, then applies [`RateLimitsReadOutcome::from_store`].
    pub async fn read(
        store: &RateLimitStore,
        backend: &BackendClient,
        auth_manager: &AuthManager,
    ) -> Result<Self, RateLimitsReadError> {
        let signed_in_with_chatgpt = auth_manager.auth().is_some_and(|auth| auth.is_chatgpt());
        let usage = if signed_in_with_chatgpt {
            Some(backend.fetch_rate_limits_with_recovery(auth_manager).await)
        } else {
            None
        };
        RateLimitsReadOutcome::from_store(store, usage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::rate_limit::RateLimitWindow;
    use pretty_assertions::assert_eq;

    fn snapshot(limit_id: &str, used_percent: f64) -> RateLimitSnapshot {
        RateLimitSnapshot {
            limit_id: Some(limit_id.to_string()),
            primary: Some(RateLimitWindow {
                used_percent,
                window_minutes: Some(300),
                resets_at: Some(100),
            }),
            ..RateLimitSnapshot::default()
        }
    }

    #[test]
    fn no_chatgpt_and_empty_store_is_unavailable() {
        let err = RateLimitsReadOutcome::from_store(&RateLimitStore::new(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "codex account authentication required to read rate limits"
        );
        assert!(matches!(err, RateLimitsReadError::Unavailable(_)));
    }

    #[test]
    fn no_chatgpt_falls_back_to_header_snapshots() {
        let store = RateLimitStore::new();
        store.update_many(vec![snapshot("codex_other", 5.0), snapshot("codex", 1.0)]);
        let outcome = RateLimitsReadOutcome::from_store(&store, None).unwrap();
        let all = BTreeMap::from([
            ("codex".to_string(), snapshot("codex", 1.0)),
            ("codex_other".to_string(), snapshot("codex_other", 5.0)),
        ]);
        assert_eq!(
            outcome,
            RateLimitsReadOutcome {
                rate_limits: snapshot("codex", 1.0),
                by_name: all.clone(),
                by_limit_id: all,
            }
        );
    }

    #[test]
    fn fetched_snapshots_are_merged_and_win() {
        let store = RateLimitStore::new();
        store.update_many(vec![
            snapshot("codex", 1.0),
            snapshot("codex_header_only", 2.0),
        ]);
        let outcome = RateLimitsReadOutcome::from_store(
            &store,
            Some(Ok(vec![
                snapshot("codex", 40.0),
                snapshot("codex_other", 70.0),
            ])),
        )
        .unwrap();
        let all = BTreeMap::from([
            ("codex".to_string(), snapshot("codex", 40.0)),
            (
                "codex_header_only".to_string(),
                snapshot("codex_header_only", 2.0),
            ),
            ("codex_other".to_string(), snapshot("codex_other", 70.0)),
        ]);
        assert_eq!(
            outcome,
            RateLimitsReadOutcome {
                rate_limits: snapshot("codex", 40.0),
                by_name: all.clone(),
                by_limit_id: all.clone(),
            }
        );
        assert_eq!(store.by_limit_id(), all);
    }

    #[test]
    fn failed_fetch_fails_the_read_and_keeps_the_store() {
        let store = RateLimitStore::new();
        store.update(snapshot("codex", 1.0));
        let err = RateLimitsReadOutcome::from_store(&store, Some(Err(BackendError::Unauthorized)))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to fetch codex rate limits: the usage endpoint rejected the credentials (401 Unauthorized); sign in again"
        );
        assert_eq!(store.default_snapshot(), Some(snapshot("codex", 1.0)));
    }

    #[test]
    fn without_codex_limit_the_first_known_one_is_the_default() {
        let store = RateLimitStore::new();
        store.update(snapshot("codex_other", 5.0));
        let outcome = RateLimitsReadOutcome::from_store(&store, None).unwrap();
        assert_eq!(outcome.rate_limits, snapshot("codex_other", 5.0));
    }
}
