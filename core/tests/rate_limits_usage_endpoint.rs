//! The usage endpoint client against a real HTTP server: path and headers sent, payload parsed into
//! whole snapshots, 401 recovery through the `AuthManager`, readable errors, and the
//! `account/rateLimits/read` rule on top of the rate-limit store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use std::time::SystemTime;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_core::auth::AuthManager;
use codex_core::auth::CodexAuth;
use codex_core::backend::BackendClient;
use codex_core::backend::BackendError;
use codex_core::backend::RateLimitsReadError;
use codex_core::backend::RateLimitsReadOutcome;
use codex_core::backend::rate_limit_store::RateLimitStore;
use codex_core::protocol::rate_limit::CreditsSnapshot;
use codex_core::protocol::rate_limit::RateLimitSnapshot;
use codex_core::protocol::rate_limit::RateLimitWindow;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const USER_AGENT: &str = "codex-test/1.0";

fn usage_payload() -> Value {
    json!({
      "plan_type": "pro",
      "rate_limit": {
        "allowed": true, "limit_reached": false,
        "primary_window":   {"used_percent": 42, "limit_window_seconds": 18000,  "reset_after_seconds": 3600,  "reset_at": 1739000000},
        "secondary_window": {"used_percent": 84, "limit_window_seconds": 604800, "reset_after_seconds": 90000, "reset_at": 1739500000}
      },
      "credits": {"has_credits": true, "unlimited": false, "balance": "9.99"},
      "additional_rate_limits": [
        {"limit_name": "GPT-5.2-Codex-Sonic", "metered_feature": "codex_other",
         "rate_limit": {"allowed": true, "limit_reached": false,
                        "primary_window": {"used_percent": 70, "limit_window_seconds": 900, "reset_after_seconds": 0, "reset_at": 789},
                        "secondary_window": null}}
      ]
    })
}

fn expected_codex() -> RateLimitSnapshot {
    RateLimitSnapshot {
        limit_id: Some("codex".to_string()),
        limit_name: None,
        primary: Some(RateLimitWindow {
            used_percent: 42.0,
            window_minutes: Some(300),
            resets_at: Some(1739000000),
        }),
        secondary: Some(RateLimitWindow {
            used_percent: 84.0,
            window_minutes: Some(10080),
            resets_at: Some(1739500000),
        }),
        credits: Some(CreditsSnapshot {
            has_credits: true,
            unlimited: false,
            balance: Some("9.99".to_string()),
        }),
        plan_type: Some("pro".to_string()),
    }
}

fn expected_codex_other() -> RateLimitSnapshot {
    RateLimitSnapshot {
        limit_id: Some("codex_other".to_string()),
        limit_name: Some("GPT-5.2-Codex-Sonic".to_string()),
        primary: Some(RateLimitWindow {
            used_percent: 70.0,
            window_minutes: Some(15),
            resets_at: Some(789),
        }),
        secondary: None,
        credits: None,
        plan_type: Some("pro".to_string()),
    }
}

fn chatgpt_auth(access_token: &str) -> CodexAuth {
    CodexAuth::ChatGpt {
        access_token: access_token.to_string(),
        account_id: Some("acc_1".to_string()),
        plan_type: None,
    }
}

fn backend(base_url: String) -> BackendClient {
    BackendClient::new(base_url, reqwest::Client::new(), USER_AGENT.to_string())
}

/// Writes a ChatGPT `auth.json` with a modification time distinct from any earlier write, since some
/// filesystems keep mtimes at second resolution and the manager notices changes by mtime.
fn write_chatgpt_auth_json(codex_home: &Path, access_token: &str, mtime_offset_secs: u64) {
    let path = codex_home.join("auth.json");
    let text = json!({"tokens": {"access_token": access_token, "account_id": "acc_1"}}).to_string();
    std::fs::write(&path, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(mtime_offset_secs))
        .unwrap();
}

#[tokio::test]
async fn fetch_sends_path_and_headers_and_parses_every_limit() {
    let server = MockModelServer::start().await;
    server.set_usage_response(200, usage_payload());

    let snapshots = backend(format!("{}/backend-api/", server.uri()))
        .fetch_rate_limits(&chatgpt_auth("at-1"))
        .await
        .unwrap();
    assert_eq!(snapshots, vec![expected_codex(), expected_codex_other()]);

    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.header("authorization"),
            request.header("chatgpt-account-id"),
            request.header("user-agent"),
            request.header("accept"),
            request.header("originator"),
        ),
        (
            "GET",
            "/backend-api/wham/usage",
            Some("Bearer at-1"),
            Some("acc_1"),
            Some(USER_AGENT),
            Some("*/*"),
            None,
        )
    );
}

#[tokio::test]
async fn base_without_backend_api_uses_codex_usage_path() {
    let server = MockModelServer::start().await;
    server.set_usage_response(200, usage_payload());

    let snapshots = backend(server.uri())
        .fetch_rate_limits(&CodexAuth::ChatGpt {
            access_token: "at-1".to_string(),
            account_id: None,
            plan_type: None,
        })
        .await
        .unwrap();
    assert_eq!(snapshots, vec![expected_codex(), expected_codex_other()]);

    let requests = server.requests().await;
    assert_eq!(
        requests
            .iter()
            .map(|request| (request.path.as_str(), request.header("chatgpt-account-id")))
            .collect::<Vec<_>>(),
        vec![("/api/codex/usage", None)]
    );
}

#[tokio::test]
async fn unauthorized_with_unchanged_auth_is_not_retried() {
    let server = MockModelServer::start().await;
    server.set_usage_response(401, json!({"error": {"message": "token expired"}}));
    let codex_home = tempfile::tempdir().unwrap();
    write_chatgpt_auth_json(codex_home.path(), "at-old", 0);
    let auth_manager = AuthManager::new(codex_home.path().to_path_buf());

    let err = backend(format!("{}/backend-api", server.uri()))
        .fetch_rate_limits_with_recovery(&auth_manager)
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Unauthorized), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the usage endpoint rejected the credentials (401 Unauthorized); sign in again"
    );
    assert_eq!(server.requests().await.len(), 1);
}

/// Answers 401 to the old token and, while doing so, stands in for another process refreshing the
/// tokens: it rewrites `auth.json`, so the manager's recovery finds new credentials.
struct RefreshAuthFileOnUnauthorized {
    codex_home: std::path::PathBuf,
}

impl wiremock::Respond for RefreshAuthFileOnUnauthorized {
    fn respond(&self, _request: &wiremock::Request) -> wiremock::ResponseTemplate {
        write_chatgpt_auth_json(&self.codex_home, "at-new", 5);
        wiremock::ResponseTemplate::new(401).set_body_json(json!({"detail": "expired"}))
    }
}

#[tokio::test]
async fn unauthorized_recovers_with_changed_auth_file_and_retries_once() {
    let server = wiremock::MockServer::start().await;
    let codex_home = tempfile::tempdir().unwrap();
    write_chatgpt_auth_json(codex_home.path(), "at-old", 0);
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/backend-api/wham/usage"))
        .and(wiremock::matchers::header("authorization", "Bearer at-new"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(usage_payload()))
        .expect(1)
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/backend-api/wham/usage"))
        .and(wiremock::matchers::header("authorization", "Bearer at-old"))
        .respond_with(RefreshAuthFileOnUnauthorized {
            codex_home: codex_home.path().to_path_buf(),
        })
        .expect(1)
        .mount(&server)
        .await;
    let auth_manager = AuthManager::new(codex_home.path().to_path_buf());

    let snapshots = backend(format!("{}/backend-api", server.uri()))
        .fetch_rate_limits_with_recovery(&auth_manager)
        .await
        .unwrap();
    assert_eq!(snapshots, vec![expected_codex(), expected_codex_other()]);
    assert_eq!(auth_manager.auth(), Some(chatgpt_auth("at-new")));
    server.verify().await;
}

#[tokio::test]
async fn error_statuses_give_readable_messages_without_secrets() {
    let server = MockModelServer::start().await;
    let client = backend(format!("{}/backend-api", server.uri()));
    let auth = chatgpt_auth("secret-token-123");

    server.set_usage_response(500, json!({"error": {"message": "backend exploded"}}));
    let err = client.fetch_rate_limits(&auth).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the usage endpoint answered 500: backend exploded"
    );

    server.set_usage_response(403, json!({"echo": "Bearer secret-token-123"}));
    let err = client.fetch_rate_limits(&auth).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"the usage endpoint answered 403: {"echo":"Bearer <redacted>"}"#
    );

    server.set_usage_response(
        200,
        json!({"rate_limit": {"primary_window": {"used_percent": "lots"}}}),
    );
    let err = client.fetch_rate_limits(&auth).await.unwrap_err();
    assert!(matches!(err, BackendError::InvalidPayload(_)), "{err:?}");
    assert!(
        err.to_string().starts_with(
            "the usage endpoint sent an unreadable answer: invalid type: string \"lots\""
        ),
        "{err}"
    );
}

#[tokio::test]
async fn unreachable_endpoint_is_a_request_error() {
    let server = MockModelServer::start().await;
    let base_url = format!("{}/backend-api", server.uri());
    server.shutdown().await;

    let err = backend(base_url)
        .fetch_rate_limits(&chatgpt_auth("secret-token-123"))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Request(_)), "{err:?}");
    assert!(!err.to_string().contains("secret-token-123"), "{err}");
}

#[tokio::test]
async fn read_with_chatgpt_fetches_and_merges_into_the_store() {
    let server = MockModelServer::start().await;
    server.set_usage_response(200, usage_payload());
    let codex_home = tempfile::tempdir().unwrap();
    write_chatgpt_auth_json(codex_home.path(), "at-1", 0);
    let auth_manager = AuthManager::new(codex_home.path().to_path_buf());
    let store = RateLimitStore::new();
    let header_only = RateLimitSnapshot {
        limit_id: Some("codex_bengalfox".to_string()),
        primary: Some(RateLimitWindow {
            used_percent: 5.0,
            window_minutes: Some(1440),
            resets_at: Some(1704074400),
        }),
        ..RateLimitSnapshot::default()
    };
    store.update(header_only.clone());

    let outcome = RateLimitsReadOutcome::read(
        &store,
        &backend(format!("{}/backend-api", server.uri())),
        &auth_manager,
    )
    .await
    .unwrap();
    let all = BTreeMap::from([
        ("codex".to_string(), expected_codex()),
        ("codex_bengalfox".to_string(), header_only),
        ("codex_other".to_string(), expected_codex_other()),
    ]);
    assert_eq!(
        outcome,
        RateLimitsReadOutcome {
            rate_limits: expected_codex(),
            by_name: all.clone(),
            by_limit_id: all.clone(),
        }
    );
    assert_eq!(store.by_limit_id(), all);
}

#[tokio::test]
async fn read_with_api_key_uses_headers_only_and_fails_when_none_seen() {
    let server = MockModelServer::start().await;
    server.set_usage_response(200, usage_payload());
    let codex_home = tempfile::tempdir().unwrap();
    std::fs::write(
        codex_home.path().join("auth.json"),
        json!({"OPENAI_API_KEY": "sk-test"}).to_string(),
    )
    .unwrap();
    let auth_manager = AuthManager::new(codex_home.path().to_path_buf());
    let client = backend(format!("{}/backend-api", server.uri()));
    let store = RateLimitStore::new();

    let err = RateLimitsReadOutcome::read(&store, &client, &auth_manager)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RateLimitsReadError::Unavailable(_)),
        "{err:?}"
    );

    let from_headers = RateLimitSnapshot {
        limit_id: Some("codex".to_string()),
        primary: Some(RateLimitWindow {
            used_percent: 12.5,
            window_minutes: Some(300),
            resets_at: Some(100),
        }),
        ..RateLimitSnapshot::default()
    };
    store.update(from_headers.clone());
    let outcome = RateLimitsReadOutcome::read(&store, &client, &auth_manager)
        .await
        .unwrap();
    assert_eq!(outcome.rate_limits, from_headers);
    assert_eq!(server.requests().await.len(), 0);
}

#[tokio::test]
async fn recovery_fetch_never_sends_an_api_key() {
    let server = MockModelServer::start().await;
    server.set_usage_response(200, usage_payload());
    let codex_home = tempfile::tempdir().unwrap();
    std::fs::write(
        codex_home.path().join("auth.json"),
        json!({"OPENAI_API_KEY": "sk-test"}).to_string(),
    )
    .unwrap();
    let auth_manager = AuthManager::new(codex_home.path().to_path_buf());

    let err = backend(format!("{}/backend-api", server.uri()))
        .fetch_rate_limits_with_recovery(&auth_manager)
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NotSignedIn), "{err:?}");
    assert_eq!(
        err.to_string(),
        "not signed in with ChatGPT: the usage endpoint needs ChatGPT credentials"
    );
    assert_eq!(server.requests().await.len(), 0);
}
