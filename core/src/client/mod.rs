//! The Responses API client: `ModelClient` (one per thread) and `ModelClientSession` (one per turn), the
//! request body, SSE decoding, retries, error classification and rate-limit header parsing.

mod api_error;
mod model_client;
mod prompt;
pub mod rate_limit_headers;
mod response_event;
mod response_sse;
mod response_stream;
mod responses_request;
mod usage_limit;

pub use api_error::ApiError;
pub use model_client::ClientSetup;
pub use model_client::ModelClient;
pub use model_client::ModelClientParams;
pub use model_client::ModelClientSession;
pub use model_client::backoff;
pub use prompt::Prompt;
pub use rate_limit_headers::parse_promo_message;
pub use rate_limit_headers::parse_rate_limit_event;
pub use rate_limit_headers::parse_rate_limit_updates;
pub use response_event::ResponseEvent;
pub use response_sse::map_sse_event;
pub use response_stream::ResponseStream;
pub use responses_request::ResponsesApiRequest;
pub use usage_limit::UsageLimitReachedError;
