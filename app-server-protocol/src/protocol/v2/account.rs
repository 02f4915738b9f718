//! The account resource: auth modes, plan types, and the params/responses of `account/*` methods and the
//! external-auth token refresh request.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// How the server is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub enum AuthMode {
    #[serde(rename = "apikey")]
    ApiKey,
    #[serde(rename = "chatgpt")]
    Chatgpt,
    /// Tokens supplied and refreshed by the host ("external auth").
    #[serde(rename = "chatgptAuthTokens")]
    ChatgptAuthTokens,
}

/// A ChatGPT plan. Lowercase; any unknown string decodes to `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum PlanType {
    Free,
    Go,
    Plus,
    Pro,
    Team,
    Business,
    Enterprise,
    Edu,
    #[serde(other)]
    Unknown,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum Account {
    ApiKey,
    #[serde(rename_all = "camelCase")]
    Chatgpt {
        email: Option<String>,
        plan_type: PlanType,
    },
}

/// Params of `account/read`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountParams {
    /// Refresh the ChatGPT token first; ignored in external-auth mode.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_token: bool,
}

impl ExperimentalApi for GetAccountParams {}

/// Result of `account/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountResponse {
    pub account: Option<Account>,
    pub requires_openai_auth: bool,
}

/// Params of `account/login/start`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum LoginAccountParams {
    #[serde(rename_all = "camelCase")]
    ApiKey { api_key: String },
    /// Browser login through a localhost callback.
    Chatgpt,
    /// Experimental: tokens held in memory only; the host owns refresh.
    #[serde(rename_all = "camelCase")]
    ChatgptAuthTokens {
        access_token: String,
        chatgpt_account_id: String,
        #[serde(default)]
        chatgpt_plan_type: Option<String>,
    },
}

impl ExperimentalApi for LoginAccountParams {
    fn experimental_field(&self) -> Option<&'static str> {
        match self {
            LoginAccountParams::ApiKey { .. } | LoginAccountParams::Chatgpt => None,
            LoginAccountParams::ChatgptAuthTokens { .. } => Some("chatgptAuthTokens"),
        }
    }
}

/// Result of `account/login/start`, tagged like the params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum LoginAccountResponse {
    ApiKey,
    #[serde(rename_all = "camelCase")]
    Chatgpt {
        login_id: String,
        auth_url: String,
    },
    ChatgptAuthTokens,
}

/// Params of `account/login/cancel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CancelLoginAccountParams {
    pub login_id: String,
}

impl ExperimentalApi for CancelLoginAccountParams {}

/// Whether a login flow was found and canceled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CancelLoginAccountStatus {
    Canceled,
    NotFound,
}

/// Result of `account/login/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CancelLoginAccountResponse {
    pub status: CancelLoginAccountStatus,
}

/// Result of `account/logout`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct LogoutAccountResponse {}

/// Why the server asks the host for fresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ChatgptAuthTokensRefreshReason {
    /// A backend call answered 401.
    Unauthorized,
}

/// Params of the server->client `account/chatgptAuthTokens/refresh` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ChatgptAuthTokensRefreshParams {
    pub reason: ChatgptAuthTokensRefreshReason,
    /// The workspace id in use before, if known.
    pub previous_account_id: Option<String>,
}

/// The host's answer to `account/chatgptAuthTokens/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ChatgptAuthTokensRefreshResponse {
    pub access_token: String,
    pub chatgpt_account_id: String,
    #[serde(default)]
    pub chatgpt_plan_type: Option<String>,
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_plan_types_decode_to_unknown() {
        let plans: Vec<PlanType> =
            serde_json::from_value(json!(["pro", "prolite", "business"])).expect("decodes");
        assert_eq!(
            plans,
            vec![PlanType::Pro, PlanType::Unknown, PlanType::Business]
        );
        assert_eq!(
            serde_json::to_value(PlanType::Unknown).expect("encodes"),
            json!("unknown")
        );
    }

    #[test]
    fn auth_modes_and_accounts_use_the_spec_spelling() {
        assert_eq!(
            serde_json::to_value([
                AuthMode::ApiKey,
                AuthMode::Chatgpt,
                AuthMode::ChatgptAuthTokens
            ])
            .expect("encodes"),
            json!(["apikey", "chatgpt", "chatgptAuthTokens"])
        );
        let response = GetAccountResponse {
            account: Some(Account::Chatgpt {
                email: Some("user@example.com".to_string()),
                plan_type: PlanType::Pro,
            }),
            requires_openai_auth: true,
        };
        assert_eq!(
            serde_json::to_value(response).expect("encodes"),
            json!({"account": {"type": "chatgpt", "email": "user@example.com", "planType": "pro"},
                   "requiresOpenaiAuth": true})
        );
        assert_eq!(
            serde_json::to_value(LoginAccountResponse::Chatgpt {
                login_id: "l".to_string(),
                auth_url: "https://auth".to_string()
            })
            .expect("encodes"),
            json!({"type": "chatgpt", "loginId": "l", "authUrl": "https://auth"})
        );
    }
}
