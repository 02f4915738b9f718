//! Why a WebSocket upgrade was refused: the 401 reasons shared by the bearer-token and JWT checks.

/// Why an upgrade was refused (HTTP 401); the message is upstream's and names no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WsAuthRejection {
    #[error("missing websocket bearer token")]
    MissingToken,
    #[error("invalid authorization header")]
    InvalidHeader,
    #[error("invalid websocket bearer token")]
    WrongToken,
    #[error("invalid websocket jwt")]
    InvalidJwt,
    #[error("expired websocket jwt")]
    Expired,
    #[error("websocket jwt is not valid yet")]
    NotYetValid,
    #[error("websocket jwt issuer mismatch")]
    WrongIssuer,
    #[error("websocket jwt audience mismatch")]
    WrongAudience,
}
