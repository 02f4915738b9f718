//! The ChatGPT backend (`chatgpt_base_url`, not the model provider): the usage endpoint that reports
//! every rate limit of a ChatGPT account, the `account/rateLimits/read` rule built on it, and the store of
//! rate-limit snapshots (from headers, stream frames and this endpoint) that reports only what changed.

mod backend_client;
pub mod rate_limit_store;
mod rate_limits_read;
mod usage_payload;

pub use backend_client::BackendClient;
pub use backend_client::BackendError;
pub use rate_limits_read::RateLimitsReadError;
pub use rate_limits_read::RateLimitsReadOutcome;
pub use rate_limits_read::RateLimitsUnavailable;
pub use usage_payload::UsagePayload;
