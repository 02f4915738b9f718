//! The external ChatGPT token mode (`chatgptAuthTokens`) through the real model client: a 401 asks the
//! host's refresher once, the request is retried with the new tokens, and nothing ever reaches disk.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::sync::Arc;
use std::sync::Mutex;

use async_trait::async_trait;
use codex_core::auth::AuthError;
use codex_core::auth::AuthManager;
use codex_core::auth::AuthMode;
use codex_core::auth::CodexAuth;
use codex_core::auth::ExternalAuthRefresher;
use codex_core::client::ApiError;
use codex_core::client::ModelClient;
use codex_core::client::ModelClientParams;
use codex_core::client::Prompt;
use codex_core::model::info::ModelInfo;
use codex_core::model::info::ReasoningSummaryMode;
use codex_core::model::provider::ModelProviderInfo;
use codex_core::protocol::response_item::ContentItem;
use codex_core::protocol::response_item::ResponseItem;
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::json;
use wiremock::Mock;
use wiremock::MockServer;
use wiremock::ResponseTemplate;
use wiremock::matchers::header;
use wiremock::matchers::method;

const COMPLETED: &str = r#"{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}}"#;

/// Records what the host was asked and answers with the scripted tokens.
struct HostRefresher {
    asked_for: Mutex<Vec<Option<String>>>,
    answer: Option<CodexAuth>,
}

#[async_trait]
impl ExternalAuthRefresher for HostRefresher {
    async fn refresh(&self, previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError> {
        self.asked_for
            .lock()
            .unwrap()
            .push(previous.and_then(CodexAuth::account_id).map(str::to_string));
        Ok(self.answer.clone())
    }
}

fn model_client(server: &MockServer, manager: Arc<AuthManager>) -> ModelClient {
    ModelClient::new(ModelClientParams {
        conversation_id: "conv-1".to_string(),
        provider: ModelProviderInfo {
            base_url: Some(format!("{}/v1", server.uri())),
            request_max_retries: Some(0),
            stream_idle_timeout_ms: Some(5_000),
            ..ModelProviderInfo::openai()
        },
        auth_manager: Some(manager),
        originator: "codex_vscode".to_string(),
        user_agent: "codex_vscode/0.105.0".to_string(),
        session_source_header: None,
        model_verbosity: None,
        beta_features_header: None,
        http: None,
        enable_responses_websockets: false,
        websocket_protocol: codex_core::client::WebSocketProtocol::V1,
    })
}

async fn stream_once(client: &ModelClient) -> Result<usize, ApiError> {
    let model_info: ModelInfo = serde_json::from_value(json!({
        "slug": "gpt-5.2-codex",
        "display_name": "gpt-5.2-codex",
        "description": "",
        "default_reasoning_level": "medium",
    }))
    .unwrap();
    let prompt = Prompt {
        input: vec![ResponseItem::Message {
            id: None,
            role: "user".to_string(),
            content: vec![ContentItem::InputText {
                text: "hi".to_string(),
            }],
            end_turn: None,
            phase: None,
        }],
        tools: Vec::new(),
        parallel_tool_calls: false,
        base_instructions: "You are Codex.".to_string(),
        output_schema: None,
        service_tier: None,
    };
    let stream = client
        .new_session()
        .stream(&prompt, &model_info, None, ReasoningSummaryMode::Auto, None)
        .await?;
    Ok(stream.collect::<Vec<_>>().await.len())
}

/// Every file under `dir`, read as text.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut contents = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            contents.extend(files_under(&path));
        } else {
            contents.push(String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
        }
    }
    contents
}

#[tokio::test]
async fn unauthorized_request_is_retried_with_host_refreshed_tokens_never_stored() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer host-token-2"))
        .and(header("chatgpt-account-id", "acc_host"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(format!("event: response.completed\ndata: {COMPLETED}\n\n")),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = Arc::new(AuthManager::new(home.path().to_path_buf()));
    manager
        .login_with_external_tokens(
            "host-token-1".to_string(),
            "acc_host".to_string(),
            Some("business".to_string()),
        )
        .unwrap();
    let refresher = Arc::new(HostRefresher {
        asked_for: Mutex::new(Vec::new()),
        answer: Some(CodexAuth::ChatGpt {
            access_token: "host-token-2".to_string(),
            account_id: Some("acc_host".to_string()),
            plan_type: Some("business".to_string()),
        }),
    });
    manager.set_external_refresher(refresher.clone());

    let client = model_client(&server, manager.clone());
    assert_eq!(stream_once(&client).await.unwrap(), 1);
    assert_eq!(
        *refresher.asked_for.lock().unwrap(),
        vec![Some("acc_host".to_string())]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(manager.auth_mode(), Some(AuthMode::ChatGptAuthTokens));
    assert_eq!(manager.auth().unwrap().bearer_token(), "host-token-2");

    for contents in files_under(home.path()) {
        assert!(
            !contents.contains("host-token"),
            "token on disk: {contents}"
        );
    }
    assert!(!home.path().join("auth.json").exists());
}

#[tokio::test]
async fn declined_host_refresh_surfaces_as_a_clear_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = Arc::new(AuthManager::new(home.path().to_path_buf()));
    manager
        .login_with_external_tokens("host-token-1".to_string(), "acc_host".to_string(), None)
        .unwrap();
    manager.set_external_refresher(Arc::new(HostRefresher {
        asked_for: Mutex::new(Vec::new()),
        answer: None,
    }));

    let err = stream_once(&model_client(&server, manager))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Auth(AuthError::ExternalRefreshDeclined)),
        "{err:?}"
    );
    assert!(!err.to_string().contains("host-token"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
