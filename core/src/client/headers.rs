//! The names of the request headers the model client sends, shared by its HTTP and WebSocket transports.

pub(crate) const TURN_STATE_HEADER: &str = "x-codex-turn-state";
pub(crate) const TURN_METADATA_HEADER: &str = "x-codex-turn-metadata";
/// Announces the Responses WebSocket protocol version in the handshake.
pub(crate) const OPENAI_BETA_HEADER: &str = "OpenAI-Beta";
pub(crate) const SUBAGENT_HEADER: &str = "x-openai-subagent";
pub(crate) const BETA_FEATURES_HEADER: &str = "x-codex-beta-features";
pub(crate) const ACCOUNT_ID_HEADER: &str = "chatgpt-account-id";
