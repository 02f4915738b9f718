//! The external ChatGPT auth mode (`chatgptAuthTokens`) through the real binary: the host's tokens sign
//! turns in, a 401 makes the server ask the host for new tokens (`account/chatgptAuthTokens/refresh`) and
//! retry once, a declined refresh fails the turn, concurrent 401s share one refresh, API-key login is
//! refused meanwhile, logout forgets the tokens, and the tokens never reach the disk or the logs. Both
//! transports: a 401 on the HTTP request and a 401 refusing the websocket handshake.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::app_server;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::final_answer;
use codex_app_server_tests::chatgpt_token::fake_jwt;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::mock_openai_auth_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const ACCOUNT_ID: &str = "acct_mock_123";
const REFRESH_METHOD: &str = "account/chatgptAuthTokens/refresh";

/// An access token for `email` on the mock workspace with the `pro` plan; `marker` makes each one unique.
fn access_token(email: &str, marker: &str) -> String {
    fake_jwt(&json!({
        "sub": "user_mock",
        "marker": marker,
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/profile": {"email": email, "email_verified": true},
        "https://api.openai.com/auth": {
            "chatgpt_account_id": ACCOUNT_ID,
            "chatgpt_plan_type": "pro",
            "chatgpt_user_id": "user_mock",
        },
    }))
}

/// A server whose provider requires OpenAI auth and points at `model`, handshaken with `experimentalApi`.
async fn spawn_server(
    model: &MockModelServer,
    env: Vec<(String, String)>,
) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        env,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    Ok(server)
}

/// `account/login/start` with host tokens; checks the answer and both notifications whole.
async fn login_with_external_tokens(server: &mut AppServer, token: &str) -> anyhow::Result<()> {
    let id = server
        .send_request(
            "account/login/start",
            json!({
                "type": "chatgptAuthTokens",
                "accessToken": token,
                "chatgptAccountId": ACCOUNT_ID,
                "chatgptPlanType": "pro",
            }),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"type": "chatgptAuthTokens"}})
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
        json!({
            "method": "account/updated",
            "params": {"authMode": "chatgptAuthTokens", "planType": "pro"},
        })
    );
    Ok(())
}

async fn read_account(server: &mut AppServer) -> anyhow::Result<Value> {
    let id = server
        .send_request("account/read", json!({"refreshToken": false}))
        .await?;
    let response = server.read_response(id).await?;
    Ok(response["result"].clone())
}

async fn start_thread(server: &mut AppServer) -> anyhow::Result<String> {
    let id = server.send_request("thread/start", json!({})).await?;
    let response = server.read_response(id).await?;
    response["result"]["thread"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("thread/start answered without a thread id: {response}"))
}

/// Sends `turn/start` and returns the turn id from its answer.
async fn start_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<String> {
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Say hello.", "text_elements": []}],
            }),
        )
        .await?;
    let response = server.read_response(id).await?;
    response["result"]["turn"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("turn/start answered without a turn id: {response}"))
}

async fn read_turn_completed(server: &mut AppServer, thread_id: &str) -> anyhow::Result<Value> {
    server
        .read_until(|message| {
            message["method"] == "turn/completed" && message["params"]["threadId"] == thread_id
        })
        .await
}

/// The `turn/completed` expected for `actual`: the scripted "Hello" answer when it succeeded, no items when
/// it failed with `error`.
fn expected_turn_completed(actual: &Value, thread_id: &str, turn_id: &str, error: &Value) -> Value {
    let (status, items) = if error.is_null() {
        ("completed", vec![final_answer("msg_1", "Hello")])
    } else {
        ("failed", Vec::new())
    };
    app_server::expected_turn_completed(
        actual,
        &json!(thread_id),
        &json!(turn_id),
        status,
        error.clone(),
        items,
    )
}

/// Reads the thread's `turn/completed` and checks it whole: the turn succeeded.
async fn expect_turn_succeeded(
    server: &mut AppServer,
    thread_id: &str,
    turn_id: &str,
) -> anyhow::Result<()> {
    let completed = read_turn_completed(server, thread_id).await?;
    assert_eq!(
        completed,
        expected_turn_completed(&completed, thread_id, turn_id, &Value::Null)
    );
    Ok(())
}

async fn read_refresh_request(server: &mut AppServer) -> anyhow::Result<Value> {
    server
        .read_until(|message| message["method"] == REFRESH_METHOD && message.get("id").is_some())
        .await
}

fn unauthorized() -> MockResponse {
    MockResponse::error(
        401,
        json!({"error": {"type": "invalid_request_error", "code": "token_expired", "message": "token expired"}}),
    )
}

fn hello() -> MockResponse {
    MockResponse::assistant_message(&["Hello"], Some("final_answer"))
}

/// The auth headers of a recorded model request: (`authorization`, `chatgpt-account-id`).
fn auth_headers(
    request: &codex_app_server_tests::mock_model_server::RecordedRequest,
) -> (Option<String>, Option<String>) {
    (
        request.header("authorization").map(str::to_string),
        request.header("chatgpt-account-id").map(str::to_string),
    )
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

#[tokio::test]
async fn external_tokens_sign_in_and_turns_carry_them() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(hello());
    let mut server = spawn_server(&model, Vec::new()).await?;

    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );
    let token = access_token("anchor@example.com", "first");
    login_with_external_tokens(&mut server, &token).await?;
    assert_eq!(
        read_account(&mut server).await?,
        json!({
            "account": {"type": "chatgpt", "email": "anchor@example.com", "planType": "pro"},
            "requiresOpenaiAuth": true,
        })
    );

    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    expect_turn_succeeded(&mut server, &thread_id, &turn_id).await?;
    let requests = model.responses_requests().await;
    assert_eq!(
        requests.iter().map(auth_headers).collect::<Vec<_>>(),
        vec![(
            Some(format!("Bearer {token}")),
            Some(ACCOUNT_ID.to_string())
        )]
    );
    Ok(())
}

#[tokio::test]
async fn external_login_needs_the_experimental_capability() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_openai_auth_provider_args(&model.uri()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server
        .send_request(
            "account/login/start",
            json!({
                "type": "chatgptAuthTokens",
                "accessToken": access_token("anchor@example.com", "gated"),
                "chatgptAccountId": ACCOUNT_ID,
            }),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({
            "id": id,
            "error": {
                "code": -32600,
                "message": "account/login/start.chatgptAuthTokens requires experimentalApi capability",
            },
        })
    );
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );
    Ok(())
}

#[tokio::test]
async fn unauthorized_turn_asks_the_host_once_and_retries_with_the_new_token() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), hello()]);
    let mut server = spawn_server(&model, Vec::new()).await?;
    let old_token = access_token("anchor@example.com", "old");
    login_with_external_tokens(&mut server, &old_token).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;

    let refresh = read_refresh_request(&mut server).await?;
    assert_eq!(
        refresh,
        json!({
            "id": refresh["id"],
            "method": REFRESH_METHOD,
            "params": {"reason": "unauthorized", "previousAccountId": ACCOUNT_ID},
        })
    );
    let new_token = access_token("anchor@example.com", "new");
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {"accessToken": new_token, "chatgptAccountId": ACCOUNT_ID, "chatgptPlanType": "pro"},
        }))
        .await?;

    expect_turn_succeeded(&mut server, &thread_id, &turn_id).await?;
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    let requests = model.responses_requests().await;
    assert_eq!(
        requests.iter().map(auth_headers).collect::<Vec<_>>(),
        vec![
            (
                Some(format!("Bearer {old_token}")),
                Some(ACCOUNT_ID.to_string())
            ),
            (
                Some(format!("Bearer {new_token}")),
                Some(ACCOUNT_ID.to_string())
            ),
        ]
    );

    // The next turn keeps using the refreshed token without asking again.
    model.push_response(hello());
    let second_turn_id = start_turn(&mut server, &thread_id).await?;
    expect_turn_succeeded(&mut server, &thread_id, &second_turn_id).await?;
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    let requests = model.responses_requests().await;
    assert_eq!(
        requests.last().map(auth_headers),
        Some((
            Some(format!("Bearer {new_token}")),
            Some(ACCOUNT_ID.to_string())
        ))
    );
    Ok(())
}

#[tokio::test]
async fn a_declined_refresh_fails_the_turn_with_a_readable_error() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), hello()]);
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "old")).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;

    let refresh = read_refresh_request(&mut server).await?;
    server
        .send_json(&json!({
            "id": refresh["id"],
            "error": {"code": -32000, "message": "the user signed out of the host"},
        }))
        .await?;

    let completed = read_turn_completed(&mut server, &thread_id).await?;
    let error = completed["params"]["turn"]["error"].clone();
    let message = error["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.contains("declined to refresh the ChatGPT tokens"),
        "{completed}"
    );
    assert_eq!(
        completed,
        expected_turn_completed(&completed, &thread_id, &turn_id, &error)
    );
    let error_notification = server
        .read_until(|message| {
            message["method"] == "error" && message["params"]["turnId"] == turn_id.as_str()
        })
        .await?;
    assert_eq!(
        error_notification,
        json!({
            "method": "error",
            "params": {"threadId": thread_id, "turnId": turn_id, "willRetry": false, "error": error},
        })
    );
    // The failed refresh is not retried: the scripted success was never asked for.
    assert_eq!(model.responses_requests().await.len(), 1);
    assert_eq!(model.pending_responses(), 1);
    Ok(())
}

#[tokio::test]
async fn two_threads_hitting_401_at_once_share_one_refresh() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), unauthorized(), hello(), hello()]);
    let mut server = spawn_server(&model, Vec::new()).await?;
    let old_token = access_token("anchor@example.com", "old");
    login_with_external_tokens(&mut server, &old_token).await?;
    let first_thread = start_thread(&mut server).await?;
    let second_thread = start_thread(&mut server).await?;
    let first_turn = start_turn(&mut server, &first_thread).await?;
    let second_turn = start_turn(&mut server, &second_thread).await?;

    let refresh = read_refresh_request(&mut server).await?;
    model
        .wait_for_responses_requests(2, Duration::from_secs(10))
        .await?;
    // Both 401s are answered by now; the pause lets the second turn reach the refresh that is already in
    // flight (nothing on the wire shows that it has).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let new_token = access_token("anchor@example.com", "new");
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {"accessToken": new_token, "chatgptAccountId": ACCOUNT_ID, "chatgptPlanType": "pro"},
        }))
        .await?;

    expect_turn_succeeded(&mut server, &first_thread, &first_turn).await?;
    expect_turn_succeeded(&mut server, &second_thread, &second_turn).await?;
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    let mut headers: Vec<_> = model
        .responses_requests()
        .await
        .iter()
        .map(auth_headers)
        .collect();
    headers.sort();
    let mut expected = vec![
        (
            Some(format!("Bearer {old_token}")),
            Some(ACCOUNT_ID.to_string()),
        ),
        (
            Some(format!("Bearer {old_token}")),
            Some(ACCOUNT_ID.to_string()),
        ),
        (
            Some(format!("Bearer {new_token}")),
            Some(ACCOUNT_ID.to_string()),
        ),
        (
            Some(format!("Bearer {new_token}")),
            Some(ACCOUNT_ID.to_string()),
        ),
    ];
    expected.sort();
    assert_eq!(headers, expected);
    Ok(())
}

#[tokio::test]
async fn api_key_login_is_refused_while_external_auth_is_active() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "only")).await?;

    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-refused"}),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({
            "id": id,
            "error": {
                "code": -32600,
                "message": "the host application manages the ChatGPT tokens (external auth is active); log out before signing in another way",
            },
        })
    );
    assert!(!server.codex_home().join("auth.json").exists());
    assert_eq!(
        read_account(&mut server).await?,
        json!({
            "account": {"type": "chatgpt", "email": "anchor@example.com", "planType": "pro"},
            "requiresOpenaiAuth": true,
        })
    );
    Ok(())
}

#[tokio::test]
async fn logout_forgets_the_external_tokens() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "gone")).await?;

    let id = server.send_request("account/logout", json!({})).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {}})
    );
    assert_eq!(
        server.read_notification("account/updated").await?,
        json!({"method": "account/updated", "params": {"authMode": null}})
    );
    assert_eq!(
        read_account(&mut server).await?,
        json!({"account": null, "requiresOpenaiAuth": true})
    );

    // Signed out, an API key is accepted again.
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-after-logout"}),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"type": "apiKey"}})
    );
    Ok(())
}

#[tokio::test]
async fn external_tokens_never_reach_the_disk_or_the_logs() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), hello()]);
    let mut server =
        spawn_server(&model, vec![("RUST_LOG".to_string(), "trace".to_string())]).await?;
    let old_token = access_token("anchor@example.com", "secret-old");
    let new_token = access_token("anchor@example.com", "secret-new");
    login_with_external_tokens(&mut server, &old_token).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    let refresh = read_refresh_request(&mut server).await?;
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {"accessToken": new_token, "chatgptAccountId": ACCOUNT_ID, "chatgptPlanType": "pro"},
        }))
        .await?;
    expect_turn_succeeded(&mut server, &thread_id, &turn_id).await?;
    server.close_stdin();
    server.wait_exit(Duration::from_secs(10)).await?;

    let files = files_under(server.codex_home())?;
    assert!(
        files
            .iter()
            .any(|path| path.extension().is_some_and(|ext| ext == "jsonl")),
        "the turn should have left a session file: {files:?}"
    );
    let mut leaks = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path)?).into_owned();
        for token in [&old_token, &new_token] {
            if text.contains(token.as_str()) {
                leaks.push(path.display().to_string());
            }
        }
    }
    let stderr = server.stderr();
    assert!(
        stderr.contains("TRACE"),
        "trace logs should have been captured"
    );
    for token in [&old_token, &new_token] {
        if stderr.contains(token.as_str()) {
            leaks.push("stderr".to_string());
        }
    }
    assert_eq!(leaks, Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn a_second_401_after_the_refresh_fails_the_turn_without_asking_again() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), unauthorized(), hello()]);
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "old")).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    let refresh = read_refresh_request(&mut server).await?;
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {
                "accessToken": access_token("anchor@example.com", "also-rejected"),
                "chatgptAccountId": ACCOUNT_ID,
                "chatgptPlanType": "pro",
            },
        }))
        .await?;

    let completed = read_turn_completed(&mut server, &thread_id).await?;
    let error = completed["params"]["turn"]["error"].clone();
    assert_eq!(
        error["codexErrorInfo"],
        json!("unauthorized"),
        "{completed}"
    );
    assert_eq!(
        completed,
        expected_turn_completed(&completed, &thread_id, &turn_id, &error)
    );
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    assert_eq!(model.responses_requests().await.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_refresh_for_another_account_fails_the_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), hello()]);
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "old")).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    let refresh = read_refresh_request(&mut server).await?;
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {
                "accessToken": access_token("other@example.com", "other"),
                "chatgptAccountId": "acct_someone_else",
                "chatgptPlanType": "pro",
            },
        }))
        .await?;

    let completed = read_turn_completed(&mut server, &thread_id).await?;
    let error = completed["params"]["turn"]["error"].clone();
    assert_eq!(
        error["message"],
        json!(format!(
            "the host application returned tokens for account acct_someone_else but this session uses account {ACCOUNT_ID}"
        )),
        "{completed}"
    );
    assert_eq!(
        completed,
        expected_turn_completed(&completed, &thread_id, &turn_id, &error)
    );
    assert_eq!(model.responses_requests().await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn tokens_pushed_by_the_host_replace_the_old_ones() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(hello());
    let mut server = spawn_server(&model, Vec::new()).await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "first")).await?;
    let pushed = access_token("anchor@example.com", "pushed");
    login_with_external_tokens(&mut server, &pushed).await?;

    // `refreshToken: true` is ignored in this mode: nothing is asked of the host.
    let id = server
        .send_request("account/read", json!({"refreshToken": true}))
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({
            "id": id,
            "result": {
                "account": {"type": "chatgpt", "email": "anchor@example.com", "planType": "pro"},
                "requiresOpenaiAuth": true,
            },
        })
    );
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    expect_turn_succeeded(&mut server, &thread_id, &turn_id).await?;
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    let requests = model.responses_requests().await;
    assert_eq!(
        requests.iter().map(auth_headers).collect::<Vec<_>>(),
        vec![(
            Some(format!("Bearer {pushed}")),
            Some(ACCOUNT_ID.to_string())
        )]
    );
    Ok(())
}

#[tokio::test]
async fn an_unanswered_refresh_times_out_after_the_configured_timeout() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([unauthorized(), hello()]);
    let mut args = mock_openai_auth_provider_args(&model.uri());
    args.extend([
        "-c".to_string(),
        "chatgpt_auth_tokens_refresh_timeout_ms=300".to_string(),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    login_with_external_tokens(&mut server, &access_token("anchor@example.com", "old")).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;
    read_refresh_request(&mut server).await?;
    let asked_at = std::time::Instant::now();

    let completed = read_turn_completed(&mut server, &thread_id).await?;
    let waited = asked_at.elapsed();
    let error = completed["params"]["turn"]["error"].clone();
    assert_eq!(
        error["message"],
        json!("the host application did not refresh the ChatGPT tokens within 300 ms"),
        "{completed}"
    );
    assert_eq!(
        completed,
        expected_turn_completed(&completed, &thread_id, &turn_id, &error)
    );
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(model.responses_requests().await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_refused_websocket_handshake_asks_the_host_and_reconnects_with_the_new_token()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.refuse_ws_handshake(401);
    model.push_response(hello());
    let mut args = mock_openai_auth_provider_args(&model.uri());
    args.extend([
        "-c".to_string(),
        "model_providers.mockauth.supports_websockets=true".to_string(),
        "-c".to_string(),
        "features.responses_websockets=true".to_string(),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    let old_token = access_token("anchor@example.com", "ws-old");
    login_with_external_tokens(&mut server, &old_token).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn_id = start_turn(&mut server, &thread_id).await?;

    let refresh = read_refresh_request(&mut server).await?;
    model.accept_ws_handshakes();
    let new_token = access_token("anchor@example.com", "ws-new");
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {"accessToken": new_token, "chatgptAccountId": ACCOUNT_ID, "chatgptPlanType": "pro"},
        }))
        .await?;
    expect_turn_succeeded(&mut server, &thread_id, &turn_id).await?;
    let refreshes: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == REFRESH_METHOD)
        .collect();
    assert_eq!(refreshes, Vec::<Value>::new());
    // The thread's preconnect is refused too (it only warms up, it does not recover auth); the turn's own
    // handshake then recovers once and reconnects with the host's new token.
    let old = (
        Some(format!("Bearer {old_token}")),
        Some(ACCOUNT_ID.to_string()),
    );
    let new = (
        Some(format!("Bearer {new_token}")),
        Some(ACCOUNT_ID.to_string()),
    );
    assert_eq!(
        model
            .websocket_handshakes()
            .await
            .iter()
            .map(auth_headers)
            .collect::<Vec<_>>(),
        vec![old.clone(), old, new.clone()]
    );
    assert_eq!(
        model
            .responses_requests()
            .await
            .iter()
            .map(auth_headers)
            .collect::<Vec<_>>(),
        vec![new]
    );
    Ok(())
}

#[tokio::test]
async fn a_401_from_the_usage_endpoint_asks_the_host_and_retries() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_usage_response(
        401,
        json!({"error": {"code": "token_expired", "message": "token expired"}}),
    );
    let mut args = mock_openai_auth_provider_args(&model.uri());
    args.extend([
        "-c".to_string(),
        format!("chatgpt_base_url=\"{}/backend-api\"", model.uri()),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    let old_token = access_token("anchor@example.com", "usage-old");
    login_with_external_tokens(&mut server, &old_token).await?;

    let id = server
        .send_request("account/rateLimits/read", json!(null))
        .await?;
    let refresh = read_refresh_request(&mut server).await?;
    assert_eq!(
        refresh["params"],
        json!({"reason": "unauthorized", "previousAccountId": ACCOUNT_ID})
    );
    model.set_usage_response(
        200,
        json!({
            "plan_type": "pro",
            "rate_limit": {
                "allowed": true,
                "limit_reached": false,
                "primary_window": {"used_percent": 42, "limit_window_seconds": 18000, "reset_after_seconds": 3600, "reset_at": 1739000000},
                "secondary_window": null,
            },
            "credits": null,
        }),
    );
    let new_token = access_token("anchor@example.com", "usage-new");
    server
        .send_json(&json!({
            "id": refresh["id"],
            "result": {"accessToken": new_token, "chatgptAccountId": ACCOUNT_ID, "chatgptPlanType": "pro"},
        }))
        .await?;
    let response = server.read_response(id).await?;
    assert_eq!(
        response["result"]["rateLimits"],
        json!({
            "limitId": "codex",
            "limitName": null,
            "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1739000000},
            "secondary": null,
            "credits": null,
            "planType": "pro",
        }),
        "{response}"
    );
    let usage_requests: Vec<_> = model
        .requests()
        .await
        .iter()
        .filter(|request| request.path == "/backend-api/wham/usage")
        .map(auth_headers)
        .collect();
    assert_eq!(
        usage_requests,
        vec![
            (
                Some(format!("Bearer {old_token}")),
                Some(ACCOUNT_ID.to_string())
            ),
            (
                Some(format!("Bearer {new_token}")),
                Some(ACCOUNT_ID.to_string())
            ),
        ]
    );
    Ok(())
}
