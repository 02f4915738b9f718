//! `CodexAuth`: the credentials one request carries, with a Debug that never shows them.

/// Credentials for the model API.
#[derive(Clone, PartialEq, Eq)]
pub enum CodexAuth {
    ApiKey {
        key: String,
    },
    ChatGpt {
        access_token: String,
        account_id: Option<String>,
        plan_type: Option<String>,
    },
}

impl CodexAuth {
    pub fn is_chatgpt(&self) -> bool {
        match self {
            CodexAuth::ApiKey { .. } => false,
            CodexAuth::ChatGpt { .. } => true,
        }
    }

    /// The bearer token for the `Authorization` header.
    pub fn bearer_token(&self) -> &str {
        match self {
            CodexAuth::ApiKey { key } => key,
            CodexAuth::ChatGpt { access_token, .. } => access_token,
        }
    }

    /// The ChatGPT workspace id, sent as `chatgpt-account-id`.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            CodexAuth::ApiKey { .. } => None,
            CodexAuth::ChatGpt { account_id, .. } => account_id.as_deref(),
        }
    }

    pub fn plan_type(&self) -> Option<&str> {
        match self {
            CodexAuth::ApiKey { .. } => None,
            CodexAuth::ChatGpt { plan_type, .. } => plan_type.as_deref(),
        }
    }
}

impl std::fmt::Debug for CodexAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodexAuth::ApiKey { .. } => f
                .debug_struct("ApiKey")
                .field("key", &"<redacted>")
                .finish(),
            CodexAuth::ChatGpt {
                account_id,
                plan_type,
                ..
            } => f
                .debug_struct("ChatGpt")
                .field("access_token", &"<redacted>")
                .field("account_id", account_id)
                .field("plan_type", plan_type)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn debug_never_shows_secrets() {
        let api = CodexAuth::ApiKey {
            key: "sk-secret-123".to_string(),
        };
        let chatgpt = CodexAuth::ChatGpt {
            access_token: "eyJ-secret".to_string(),
            account_id: Some("acc_1".to_string()),
            plan_type: Some("plus".to_string()),
        };
        assert_eq!(format!("{api:?}"), r#"ApiKey { key: "<redacted>" }"#);
        assert_eq!(
            format!("{chatgpt:?}"),
            r#"ChatGpt { access_token: "<redacted>", account_id: Some("acc_1"), plan_type: Some("plus") }"#
        );
    }
}
