//! Signing in through the real binary: an API key (stored in `auth.json`, 0600, sent as the bearer token),
//! the ChatGPT browser sign-in against a mock OAuth issuer (callback on localhost, tokens stored 0600, sent
//! with `chatgpt-account-id`, refreshed at the issuer after a 401), cancelling a sign-in, and logging out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::expected_turn_completed;
use codex_app_server_tests::app_server::final_answer;
use codex_app_server_tests::chatgpt_token::fake_jwt;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::RecordedRequest;
use codex_app_server_tests::mock_provider::mock_openai_auth_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const ACCOUNT_ID: &str = "acct_login_456";
const EMAIL: &str = "signed-in@example.com";

/// A server whose provider requires OpenAI auth and points at `model`, handshaken; `issuer` overrides the
/// OAuth issuer of the ChatGPT sign-in.
async fn spawn_server(
    model: &MockModelServer,
    issuer: Option<&MockModelServer>,
) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        // Any free callback port, so sign-ins of parallel tests (and other programs) never collide.
        env: issuer
            .map(|issuer| {
                vec![
                    ("CODEX_AUTH_ISSUER".to_string(), issuer.uri()),
                    ("CODEX_LOGIN_CALLBACK_PORT".to_string(), "0".to_string()),
                ]
            })
            .unwrap_or_default(),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

async fn read_account(server: &mut AppServer) -> anyhow::Result<Value> {
    let id = server
        .send_request("account/read", json!({"refreshToken": false}))
        .await?;
    let response = server.read_response(id).await?;
    Ok(response["result"].clone())
}

/// Starts a thread and one turn, checks the turn succeeded, and returns the last model request it made.
async fn run_turn(
    server: &mut AppServer,
    model: &MockModelServer,
) -> anyhow::Result<RecordedRequest> {
    model.push_response(MockResponse::assistant_message(
        &["Hello"],
        Some("final_answer"),
    ));
    let id = server.send_request("thread/start", json!({})).await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Say hello.", "text_elements": []}],
            }),
        )
        .await?;
    let turn_id = server.read_response(id).await?["result"]["turn"]["id"].clone();
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(
        completed,
        expected_turn_completed(
            &completed,
            &thread_id,
            &turn_id,
            "completed",
            Value::Null,
            vec![final_answer("msg_1", "Hello")],
        )
    );
    let requests = model.responses_requests().await;
    requests
        .last()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the turn sent no model request"))
}

/// `auth.json` under `codex_home`: its permission bits and its JSON.
fn read_auth_file(codex_home: &Path) -> anyhow::Result<(u32, Value)> {
    let path = codex_home.join("auth.json");
    let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
    let contents = serde_json::from_slice(&std::fs::read(&path)?)?;
    Ok((mode, contents))
}

/// A client that talks to the callback server directly, whatever proxy the environment names.
fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()?)
}

/// `account/login/start {type:"chatgpt"}`; returns `(loginId, authUrl)` after checking the answer whole.
async fn start_chatgpt_login(server: &mut AppServer) -> anyhow::Result<(String, reqwest::Url)> {
    let id = server
        .send_request("account/login/start", json!({"type": "chatgpt"}))
        .await?;
    let response = server.read_response(id).await?;
    let login_id = response["result"]["loginId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let auth_url = response["result"]["authUrl"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        response,
        json!({"id": id, "result": {"type": "chatgpt", "loginId": login_id, "authUrl": auth_url}})
    );
    Ok((login_id, reqwest::Url::parse(&auth_url)?))
}

fn query_param(url: &reqwest::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[tokio::test]
async fn api_key_login_stores_auth_json_and_turns_carry_the_key() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_server(&model, None).await?;
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );

    let api_key = "sk-test-login-1234";
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": api_key}),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"type": "apiKey"}})
    );
    assert_eq!(
        server.read_notification("account/login/completed").await?,
        json!({
            "method": "account/login/completed",
            "params": {"loginId": null, "success": true, "error": null},
        })
    );
    assert_eq!(
        server.read_notification("account/updated").await?,
        json!({"method": "account/updated", "params": {"authMode": "apikey"}})
    );
    assert_eq!(
        read_auth_file(server.codex_home())?,
        (
            0o600,
            json!({"auth_mode": "apikey", "OPENAI_API_KEY": api_key, "tokens": null, "last_refresh": null})
        )
    );
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": {"type": "apiKey"}, "requiresOpenaiAuth": true})
    );

    let request = run_turn(&mut server, &model).await?;
    assert_eq!(
        (
            request.header("authorization"),
            request.header("chatgpt-account-id")
        ),
        (Some(format!("Bearer {api_key}").as_str()), None)
    );
    Ok(())
}

#[tokio::test]
async fn logout_removes_the_api_key() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_server(&model, None).await?;
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-logout"}),
        )
        .await?;
    server.read_response(id).await?;
    server.read_notification("account/updated").await?;

    let id = server.send_request("account/logout", json!({})).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {}})
    );
    assert_eq!(
        server.read_notification("account/updated").await?,
        json!({"method": "account/updated", "params": {"authMode": null}})
    );
    assert!(!server.codex_home().join("auth.json").exists());
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );
    Ok(())
}

/// README's way to use a real key: no config, the built-in `openai` provider, the key from `OPENAI_API_KEY`
/// and the requests sent to `OPENAI_BASE_URL` (here the mock).
#[tokio::test]
async fn the_builtin_provider_takes_openai_api_key_and_openai_base_url() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        env: vec![
            ("OPENAI_BASE_URL".to_string(), format!("{}/v1", model.uri())),
            ("OPENAI_API_KEY".to_string(), "sk-from-the-env".to_string()),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let request = run_turn(&mut server, &model).await?;
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk-from-the-env")
    );
    Ok(())
}

#[tokio::test]
async fn chatgpt_sign_in_against_a_mock_issuer_stores_the_tokens() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let issuer = MockModelServer::start().await;
    let id_token = fake_jwt(&json!({
        "email": EMAIL,
        "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"},
    }));
    let access_token = fake_jwt(&json!({
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"},
    }));
    issuer.mount_json(
        "POST",
        "/oauth/token",
        200,
        json!({"id_token": id_token, "access_token": access_token, "refresh_token": "rt_mock_refresh"}),
    );
    let mut server = spawn_server(&model, Some(&issuer)).await?;

    let (login_id, auth_url) = start_chatgpt_login(&mut server).await?;
    let redirect_uri = query_param(&auth_url, "redirect_uri").unwrap_or_default();
    let callback_port = reqwest::Url::parse(&redirect_uri)?
        .port()
        .unwrap_or_default();
    assert_ne!(callback_port, 0, "{redirect_uri}");
    assert_eq!(
        (
            auth_url.origin().ascii_serialization(),
            auth_url.path().to_string(),
            query_param(&auth_url, "redirect_uri"),
            query_param(&auth_url, "response_type"),
            query_param(&auth_url, "code_challenge_method"),
        ),
        (
            issuer.uri(),
            "/oauth/authorize".to_string(),
            Some(redirect_uri.clone()),
            Some("code".to_string()),
            Some("S256".to_string()),
        )
    );
    let state = query_param(&auth_url, "state").unwrap_or_default();
    assert!(!state.is_empty(), "{auth_url}");

    let browser = browser()?;
    // A redirect with someone else's state is turned away and the sign-in keeps waiting.
    let forged = browser
        .get(format!("{redirect_uri}?code=x&state=forged"))
        .send()
        .await?;
    assert_eq!(forged.status().as_u16(), 400);
    let callback = browser
        .get(format!("{redirect_uri}?code=x&state={state}"))
        .send()
        .await?;
    assert_eq!(callback.status().as_u16(), 200);

    assert_eq!(
        server.read_notification("account/login/completed").await?,
        json!({
            "method": "account/login/completed",
            "params": {"loginId": login_id, "success": true, "error": null},
        })
    );
    assert_eq!(
        server.read_notification("account/updated").await?,
        json!({"method": "account/updated", "params": {"authMode": "chatgpt", "planType": "plus"}})
    );
    let token_exchanges: Vec<(String, String, Option<String>)> = issuer
        .requests()
        .await
        .iter()
        .map(|request| {
            (
                request.method.clone(),
                request.path.clone(),
                request.header("content-type").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        token_exchanges,
        vec![(
            "POST".to_string(),
            "/oauth/token".to_string(),
            Some("application/x-www-form-urlencoded".to_string()),
        )]
    );

    let (mode, auth_file) = read_auth_file(server.codex_home())?;
    assert_eq!(
        (mode, auth_file.clone()),
        (
            0o600,
            json!({
                "auth_mode": "chatgpt",
                "OPENAI_API_KEY": null,
                "tokens": {
                    "id_token": id_token,
                    "access_token": access_token,
                    "refresh_token": "rt_mock_refresh",
                    "account_id": ACCOUNT_ID,
                },
                "last_refresh": auth_file["last_refresh"],
            })
        )
    );
    assert_eq!(
        read_account(&mut server).await?,
        json!({
            "account": {"type": "chatgpt", "email": EMAIL, "planType": "plus"},
            "requiresOpenaiAuth": true,
        })
    );

    let request = run_turn(&mut server, &model).await?;
    assert_eq!(
        (
            request.header("authorization"),
            request.header("chatgpt-account-id")
        ),
        (
            Some(format!("Bearer {access_token}").as_str()),
            Some(ACCOUNT_ID)
        )
    );

    // A 401 on a stored sign-in is recovered with the refresh token at the issuer, then retried once.
    let refreshed_access_token = fake_jwt(&json!({
        "exp": 4_102_444_800_i64,
        "refreshed": true,
        "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"},
    }));
    issuer.mount_json(
        "POST",
        "/oauth/token",
        200,
        json!({"access_token": refreshed_access_token, "refresh_token": "rt_mock_rotated"}),
    );
    model.push_response(MockResponse::error(
        401,
        json!({"error": {"type": "invalid_request_error", "code": "token_expired", "message": "token expired"}}),
    ));
    let request = run_turn(&mut server, &model).await?;
    assert_eq!(
        (
            request.header("authorization"),
            request.header("chatgpt-account-id")
        ),
        (
            Some(format!("Bearer {refreshed_access_token}").as_str()),
            Some(ACCOUNT_ID)
        )
    );
    let issuer_requests = issuer.requests().await;
    assert_eq!(
        issuer_requests
            .iter()
            .map(|request| request.body_json.clone())
            .collect::<Vec<_>>(),
        vec![
            None,
            Some(json!({
                "client_id": query_param(&auth_url, "client_id"),
                "grant_type": "refresh_token",
                "refresh_token": "rt_mock_refresh",
                "scope": "openid profile email",
            })),
        ]
    );
    let (mode, auth_file) = read_auth_file(server.codex_home())?;
    assert_eq!(
        (mode, auth_file.clone()),
        (
            0o600,
            json!({
                "auth_mode": "chatgpt",
                "OPENAI_API_KEY": null,
                "tokens": {
                    "id_token": id_token,
                    "access_token": refreshed_access_token,
                    "refresh_token": "rt_mock_rotated",
                    "account_id": ACCOUNT_ID,
                },
                "last_refresh": auth_file["last_refresh"],
            })
        )
    );
    Ok(())
}

#[tokio::test]
async fn a_cancelled_chatgpt_sign_in_reports_failure_and_frees_the_port() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let issuer = MockModelServer::start().await;
    let mut server = spawn_server(&model, Some(&issuer)).await?;

    let (login_id, auth_url) = start_chatgpt_login(&mut server).await?;
    let redirect_uri = query_param(&auth_url, "redirect_uri").unwrap_or_default();
    let id = server
        .send_request("account/login/cancel", json!({"loginId": login_id}))
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"status": "canceled"}})
    );
    assert_eq!(
        server.read_notification("account/login/completed").await?,
        json!({
            "method": "account/login/completed",
            "params": {"loginId": login_id, "success": false, "error": "ChatGPT sign-in was cancelled"},
        })
    );
    let id = server
        .send_request("account/login/cancel", json!({"loginId": login_id}))
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"status": "notFound"}})
    );

    let callback = browser()?
        .get(format!("{redirect_uri}?code=x&state=late"))
        .send()
        .await;
    assert!(
        callback.as_ref().is_err_and(reqwest::Error::is_connect),
        "the callback server should be gone: {callback:?}"
    );
    assert_eq!(issuer.requests().await.len(), 0);
    assert!(!server.codex_home().join("auth.json").exists());
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );
    Ok(())
}

#[tokio::test]
async fn an_access_token_about_to_expire_is_refreshed_before_it_fails() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let issuer = MockModelServer::start().await;
    let claims = |exp: i64, generation: &str| {
        json!({
            "exp": exp,
            "email": EMAIL,
            "generation": generation,
            "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"},
        })
    };
    // Stored tokens whose access token expired an hour ago.
    let expired = fake_jwt(&claims(1_700_000_000, "old"));
    let fresh = fake_jwt(&claims(4_102_444_800, "new"));
    issuer.mount_json(
        "POST",
        "/oauth/token",
        200,
        json!({"access_token": fresh, "refresh_token": "rt_rotated", "id_token": fresh}),
    );
    let codex_home = tempfile::tempdir()?;
    std::fs::write(
        codex_home.path().join("auth.json"),
        serde_json::to_vec(&json!({
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": null,
            "tokens": {"id_token": expired, "access_token": expired, "refresh_token": "rt_old", "account_id": ACCOUNT_ID},
            "last_refresh": "2023-11-14T22:13:20Z",
        }))?,
    )?;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        env: vec![
            ("CODEX_AUTH_ISSUER".to_string(), issuer.uri()),
            (
                "CODEX_HOME".to_string(),
                codex_home.path().display().to_string(),
            ),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;

    // The first use of the stale tokens starts the refresh; it reaches the issuer once, with the stored
    // refresh token, and without the model ever answering 401.
    run_turn(&mut server, &model).await?;
    let refreshes = issuer
        .wait_for_requests(1, std::time::Duration::from_secs(10))
        .await?;
    let refresh = &refreshes[0];
    assert_eq!(refresh.path, "/oauth/token");
    assert_eq!(
        refresh
            .body_json
            .as_ref()
            .map(|body| body["refresh_token"].clone()),
        Some(json!("rt_old"))
    );
    // Later requests carry the refreshed token, and auth.json holds it.
    let request = run_turn(&mut server, &model).await?;
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {fresh}").as_str())
    );
    let (_, stored) = read_auth_file(codex_home.path())?;
    assert_eq!(stored["tokens"]["access_token"], json!(fresh));
    assert_eq!(stored["tokens"]["refresh_token"], json!("rt_rotated"));
    assert_eq!(issuer.requests().await.len(), 1);
    Ok(())
}

/// A provider that does not need an OpenAI account, with nobody signed in, has no account, even when
/// `OPENAI_API_KEY` happens to be set (it is the built-in `openai` provider's key, not a sign-in).
#[tokio::test]
async fn without_a_sign_in_a_provider_that_needs_no_account_reports_none() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: codex_app_server_tests::mock_provider::mock_provider_args(
            &model.uri(),
            &codex_app_server_tests::mock_provider::MockProviderOptions::default(),
        ),
        env: vec![(
            "OPENAI_API_KEY".to_string(),
            "sk-from-the-environment".to_string(),
        )],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": false})
    );
    Ok(())
}
