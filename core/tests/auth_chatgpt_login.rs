//! End-to-end ChatGPT browser sign-in against a mock issuer on loopback: PKCE and state in the authorize
//! URL, the callback server, the code exchange, the stored tokens, and cancellation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::HashMap;

use base64::Engine;
use codex_core::auth::AccountInfo;
use codex_core::auth::AuthError;
use codex_core::auth::AuthEvent;
use codex_core::auth::AuthManager;
use codex_core::auth::AuthManagerOptions;
use codex_core::auth::AuthMode;
use codex_core::auth::OAuthIssuer;
use pretty_assertions::assert_eq;
use serde_json::json;
use sha2::Digest;
use wiremock::Mock;
use wiremock::MockServer;
use wiremock::ResponseTemplate;
use wiremock::matchers::method;
use wiremock::matchers::path;

fn fake_jwt(claims: &serde_json::Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        engine.encode(r#"{"alg":"none"}"#),
        engine.encode(claims.to_string())
    )
}

fn query_map(url: &reqwest::Url) -> HashMap<String, String> {
    url.query_pairs()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn manager_for(issuer: &MockServer, home: &std::path::Path) -> AuthManager {
    AuthManager::with_options(
        home.to_path_buf(),
        AuthManagerOptions {
            issuer: OAuthIssuer {
                issuer: issuer.uri(),
                client_id: "app_test".to_string(),
            },
            ..AuthManagerOptions::default()
        },
    )
}

#[tokio::test]
async fn browser_sign_in_stores_tokens_and_switches_the_account() {
    let issuer = MockServer::start().await;
    let id_token = fake_jwt(&json!({
        "email": "user@example.com",
        "https://api.openai.com/auth": {"chatgpt_plan_type": "pro", "chatgpt_account_id": "acc_42"}
    }));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id_token": id_token,
            "access_token": "access-1",
            "refresh_token": "refresh-1"
        })))
        .expect(1)
        .mount(&issuer)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = manager_for(&issuer, home.path());
    let mut events = manager.subscribe();

    let handle = manager
        .start_chatgpt_login(codex_core::auth::LoginOptions {
            port: 0,
            ..manager.login_options()
        })
        .await
        .unwrap();
    let auth_url = reqwest::Url::parse(&handle.auth_url).unwrap();
    assert_eq!(
        auth_url.as_str().split('?').next().unwrap(),
        format!("{}/oauth/authorize", issuer.uri())
    );
    let params = query_map(&auth_url);
    let redirect_uri = reqwest::Url::parse(&params["redirect_uri"]).unwrap();
    assert_eq!(redirect_uri.host_str(), Some("localhost"));
    assert_eq!(redirect_uri.path(), "/auth/callback");
    assert_eq!(params["client_id"], "app_test");
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], "openid profile email offline_access");
    let state = params["state"].clone();
    assert!(state.len() >= 32, "state too short: {state}");
    let callback = format!(
        "http://127.0.0.1:{}/auth/callback",
        redirect_uri.port().unwrap()
    );
    let http = reqwest::Client::new();

    let forged = http
        .get(&callback)
        .query(&[("code", "stolen"), ("state", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert_eq!(forged.text().await.unwrap(), "State mismatch");

    let answer = http
        .get(&callback)
        .query(&[("code", "the-code"), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("Signed in"));
    handle.completion.await.unwrap();

    let exchange = &issuer.received_requests().await.unwrap()[0];
    let form = query_map(
        &reqwest::Url::parse(&format!(
            "http://form/?{}",
            String::from_utf8_lossy(&exchange.body)
        ))
        .unwrap(),
    );
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "the-code");
    assert_eq!(form["client_id"], "app_test");
    assert_eq!(form["redirect_uri"], params["redirect_uri"]);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(form["code_verifier"].as_bytes()));
    assert_eq!(challenge, params["code_challenge"]);

    let auth_file = home.path().join("auth.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&auth_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&auth_file).unwrap()).unwrap();
    assert_eq!(
        stored["tokens"],
        json!({"id_token": id_token, "access_token": "access-1", "refresh_token": "refresh-1", "account_id": "acc_42"})
    );
    assert_eq!(stored["auth_mode"], "chatgpt");
    assert!(stored["last_refresh"].is_string());

    assert_eq!(
        events.recv().await.unwrap(),
        AuthEvent {
            auth_mode: Some(AuthMode::ChatGpt),
            plan_type: Some("pro".to_string())
        }
    );
    assert_eq!(
        manager.account_info(),
        Some(AccountInfo {
            auth_mode: AuthMode::ChatGpt,
            email: Some("user@example.com".to_string()),
            plan_type: Some("pro".to_string()),
            account_id: Some("acc_42".to_string()),
        })
    );
    assert_eq!(manager.auth().unwrap().bearer_token(), "access-1");
}

#[tokio::test]
async fn cancelled_sign_in_completes_with_an_error_and_closes_the_server() {
    let issuer = MockServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let manager = manager_for(&issuer, home.path());
    let handle = manager
        .start_chatgpt_login(codex_core::auth::LoginOptions {
            port: 0,
            ..manager.login_options()
        })
        .await
        .unwrap();
    let params = query_map(&reqwest::Url::parse(&handle.auth_url).unwrap());
    let port = reqwest::Url::parse(&params["redirect_uri"])
        .unwrap()
        .port()
        .unwrap();

    handle.cancel();
    assert_eq!(handle.completion.await, Err(AuthError::LoginCancelled));
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/auth/callback"))
            .await
            .is_err()
    );
    assert!(!home.path().join("auth.json").exists());
    assert_eq!(manager.auth(), None);
}

#[tokio::test]
async fn issuer_error_on_callback_fails_the_sign_in() {
    let issuer = MockServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let manager = manager_for(&issuer, home.path());
    let handle = manager
        .start_chatgpt_login(codex_core::auth::LoginOptions {
            port: 0,
            ..manager.login_options()
        })
        .await
        .unwrap();
    let params = query_map(&reqwest::Url::parse(&handle.auth_url).unwrap());
    let response = reqwest::Client::new()
        .get(params["redirect_uri"].replace("localhost", "127.0.0.1"))
        .query(&[
            ("error", "access_denied"),
            ("state", params["state"].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        handle.completion.await,
        Err(AuthError::LoginFailed(
            "the issuer refused the sign-in: access_denied".to_string()
        ))
    );
}

#[tokio::test]
async fn a_silent_client_does_not_block_the_real_callback_and_is_dropped() {
    use std::time::Duration;
    use tokio::io::AsyncReadExt;

    let issuer = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "access-1",
            "refresh_token": "refresh-1"
        })))
        .expect(1)
        .mount(&issuer)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = manager_for(&issuer, home.path());
    let handle = manager
        .start_chatgpt_login(codex_core::auth::LoginOptions {
            port: 0,
            callback_timeouts: codex_core::auth::CallbackTimeouts {
                header_read: Duration::from_millis(300),
                connection: Duration::from_secs(60),
            },
            ..manager.login_options()
        })
        .await
        .unwrap();
    let params = query_map(&reqwest::Url::parse(&handle.auth_url).unwrap());
    let callback = params["redirect_uri"].replace("localhost", "127.0.0.1");
    let port = reqwest::Url::parse(&callback).unwrap().port().unwrap();
    // Connects first and never sends a byte: the old one-connection-at-a-time server waited on it forever.
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();

    let answer = reqwest::Client::new()
        .get(&callback)
        .query(&[("code", "the-code"), ("state", params["state"].as_str())])
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    handle.completion.await.unwrap();
    assert!(home.path().join("auth.json").exists());

    let mut received = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(20), silent.read_to_end(&mut received)).await;
    assert!(closed.is_ok(), "the silent client should have been dropped");
    assert_eq!(received, b"");
}
