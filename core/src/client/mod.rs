//! The Responses API client: `ModelClient` (one per thread) and `ModelClientSession` (one per turn), the
//! request body, the HTTP SSE and websocket transports (with preconnect and HTTP fallback), retries,
//! error classification, rate-limit header parsing, client telemetry and the `MetricsSink` it reports to.

mod api_error;
mod client_setup;
mod error_response;
mod headers;
pub mod identity;
mod metrics;
mod model_client;
mod preconnect;
mod prompt;
pub mod rate_limit_headers;
mod response_event;
mod response_headers;
mod response_sse;
mod response_stream;
mod responses_request;
mod telemetry;
mod usage_limit;
mod websocket_connection;
mod websocket_stream;

pub use api_error::ApiError;
pub use client_setup::ClientSetup;
pub use metrics::MetricEvent;
pub use metrics::Metrics;
pub use metrics::MetricsSink;
pub use metrics::TransportKind;
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
pub use telemetry::ClientTelemetry;
pub use telemetry::TelemetrySnapshot;
pub use usage_limit::UsageLimitReachedError;
pub use websocket_stream::WebSocketProtocol;
pub use websocket_stream::map_websocket_frame;
