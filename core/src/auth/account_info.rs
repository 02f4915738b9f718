//! What the app-server reports about the signed-in account: `AuthMode`, `AccountInfo` (for `account/read`)
//! and `AuthEvent` (broadcast on every mode change, for `account/updated`).

/// How the account is signed in. `ChatGptAuthTokens` is the external mode: the host owns the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    ApiKey,
    ChatGpt,
    ChatGptAuthTokens,
}

/// The signed-in account as `account/read` shows it: `{type:"apiKey"}` or
/// `{type:"chatgpt", email, planType}` (both ChatGPT modes show as `chatgpt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub auth_mode: AuthMode,
    pub email: Option<String>,
    pub plan_type: Option<String>,
    pub account_id: Option<String>,
}

/// Sent by [`super::AuthManager::subscribe`] whenever the auth mode changes: API-key login, ChatGPT login
/// completion, external-token login, logout. The app-server turns it into
/// `account/updated {authMode, planType}`; `auth_mode: None` means logged out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEvent {
    pub auth_mode: Option<AuthMode>,
    pub plan_type: Option<String>,
}
