//! Rate limits through the real binary (issue 4): header families and the `codex.rate_limits` websocket
//! event feed the per-limit store, `account/rateLimits/updated` is sent once per changed limit,
//! `account/rateLimits/read` answers from the store or the usage endpoint, and a usage-limit 429 fails the
//! turn with the bucket's message.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;
use std::time::SystemTime;
use std::time::UNIX_EPOCH;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockRateLimitWindow;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::codex_rate_limit_headers;
use codex_app_server_tests::mock_model_server::named_rate_limit_headers;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const RATE_LIMITS_UPDATED: &str = "account/rateLimits/updated";

/// The codex family (`12.5%` of 5 h, `40%` of a week) and the `codex_other` family of the recording.
fn two_family_headers() -> Vec<(String, String)> {
    let mut headers = codex_rate_limit_headers(
        MockRateLimitWindow::new(12.5, 300, 1_730_947_200),
        Some(MockRateLimitWindow::new(40.0, 10080, 1_731_400_000)),
    );
    headers.extend(named_rate_limit_headers(
        "codex-other",
        "gpt-5.2-codex-sonic",
        MockRateLimitWindow::new(80.0, 1440, 1_704_074_400),
        None,
    ));
    headers
}

fn codex_snapshot_json() -> Value {
    json!({
        "limitId": "codex",
        "limitName": null,
        "primary": {"usedPercent": 13, "windowDurationMins": 300, "resetsAt": 1_730_947_200},
        "secondary": {"usedPercent": 40, "windowDurationMins": 10080, "resetsAt": 1_731_400_000},
        "credits": null,
        "planType": null,
    })
}

fn codex_other_snapshot_json() -> Value {
    json!({
        "limitId": "codex_other",
        "limitName": "gpt-5.2-codex-sonic",
        "primary": {"usedPercent": 80, "windowDurationMins": 1440, "resetsAt": 1_704_074_400},
        "secondary": null,
        "credits": null,
        "planType": null,
    })
}

/// The headers of the `codex_other` bucket (`gpt-5.2-codex-sonic`) at 100% of its daily window.
fn exhausted_sonic_headers() -> Vec<(String, String)> {
    named_rate_limit_headers(
        "codex-other",
        "gpt-5.2-codex-sonic",
        MockRateLimitWindow::new(100.0, 1440, 1_704_074_400),
        None,
    )
}

/// A 429 `usage_limit_reached` for a `pro` account carrying `headers`.
fn usage_limit_429(headers: Vec<(String, String)>) -> MockResponse {
    MockResponse::error(
        429,
        json!({"error": {"type": "usage_limit_reached", "message": "limit", "plan_type": "pro"}}),
    )
    .with_headers(headers)
}

async fn spawn_server(model: &MockModelServer, extra_args: &[&str]) -> anyhow::Result<AppServer> {
    spawn_server_with(model, &MockProviderOptions::default(), extra_args).await
}

async fn spawn_server_with(
    model: &MockModelServer,
    provider: &MockProviderOptions,
    extra_args: &[&str],
) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(&model.uri(), provider);
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

async fn start_thread(server: &mut AppServer) -> anyhow::Result<String> {
    let id = server.send_request("thread/start", json!({})).await?;
    let response = server.read_response(id).await?;
    Ok(response["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("thread/start failed: {response}"))
        .to_string())
}

/// Starts a turn and returns its id and every message up to and including `turn/completed`.
async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<(String, Vec<Value>)> {
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "hi", "text_elements": []}],
            }),
        )
        .await?;
    let response = server.read_response(id).await?;
    let turn_id = response["result"]["turn"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("turn/start failed: {response}"))
        .to_string();
    let mut messages = server.take_buffered();
    loop {
        let message = server.read_message().await?;
        let done = message["method"] == "turn/completed";
        messages.push(message);
        if done {
            return Ok((turn_id, messages));
        }
    }
}

fn notifications_named(messages: &[Value], method: &str) -> Vec<Value> {
    messages
        .iter()
        .filter(|message| message["method"] == method && message.get("id").is_none())
        .map(|message| message["params"].clone())
        .collect()
}

async fn read_rate_limits(server: &mut AppServer) -> anyhow::Result<Value> {
    let id = server
        .send_request("account/rateLimits/read", Value::Null)
        .await?;
    server.read_response(id).await
}

#[tokio::test]
async fn two_header_families_give_two_updates_and_a_read_holding_both() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(
        MockResponse::assistant_message(&["Hello"], None).with_headers(two_family_headers()),
    );
    let mut server = spawn_server(&model, &[]).await?;
    let thread_id = start_thread(&mut server).await?;

    let (_, messages) = run_turn(&mut server, &thread_id).await?;

    assert_eq!(
        notifications_named(&messages, RATE_LIMITS_UPDATED),
        vec![
            json!({"rateLimits": codex_snapshot_json()}),
            json!({"rateLimits": codex_other_snapshot_json()}),
        ]
    );
    let read = read_rate_limits(&mut server).await?;
    let both = json!({
        "codex": codex_snapshot_json(),
        "codex_other": codex_other_snapshot_json(),
    });
    assert_eq!(
        read["result"],
        json!({
            "rateLimits": codex_snapshot_json(),
            "rateLimitsByName": both,
            "rateLimitsByLimitId": both,
        })
    );
    Ok(())
}

#[tokio::test]
async fn a_repeated_identical_snapshot_sends_no_new_notification() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    for _ in 0..2 {
        model.push_response(
            MockResponse::assistant_message(&["Hello"], None).with_headers(two_family_headers()),
        );
    }
    // The third answer changes only the codex bucket.
    model.push_response(
        MockResponse::assistant_message(&["Hello"], None).with_headers({
            let mut headers = codex_rate_limit_headers(
                MockRateLimitWindow::new(50.0, 300, 1_730_947_200),
                Some(MockRateLimitWindow::new(40.0, 10080, 1_731_400_000)),
            );
            headers.extend(named_rate_limit_headers(
                "codex-other",
                "gpt-5.2-codex-sonic",
                MockRateLimitWindow::new(80.0, 1440, 1_704_074_400),
                None,
            ));
            headers
        }),
    );
    let mut server = spawn_server(&model, &[]).await?;
    let thread_id = start_thread(&mut server).await?;

    let (_, first) = run_turn(&mut server, &thread_id).await?;
    let (_, second) = run_turn(&mut server, &thread_id).await?;
    let (_, third) = run_turn(&mut server, &thread_id).await?;

    assert_eq!(notifications_named(&first, RATE_LIMITS_UPDATED).len(), 2);
    assert_eq!(
        notifications_named(&second, RATE_LIMITS_UPDATED),
        Vec::<Value>::new()
    );
    let mut changed_codex = codex_snapshot_json();
    changed_codex["primary"]["usedPercent"] = json!(50);
    assert_eq!(
        notifications_named(&third, RATE_LIMITS_UPDATED),
        vec![json!({"rateLimits": changed_codex})]
    );
    Ok(())
}

#[tokio::test]
async fn a_websocket_rate_limits_event_updates_the_store_mid_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let window = MockRateLimitWindow::new(42.0, 300, 1_738_888_888);
    model.push_response(
        MockResponse::assistant_message(&["Hello", " world"], None)
            .with_event_at(
                1,
                sse::rate_limits_event(
                    Some("plus"),
                    Some("codex_bengalfox"),
                    Some(window),
                    None,
                    None,
                ),
            )
            .with_delay_between_events(Duration::from_millis(20)),
    );
    let mut server = spawn_server_with(
        &model,
        &MockProviderOptions {
            supports_websockets: true,
            ..MockProviderOptions::default()
        },
        &["--enable", "responses_websockets"],
    )
    .await?;
    let thread_id = start_thread(&mut server).await?;

    let (_, messages) = run_turn(&mut server, &thread_id).await?;

    let bengalfox = json!({
        "limitId": "codex_bengalfox",
        "limitName": null,
        "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1_738_888_888},
        "secondary": null,
        "credits": null,
        "planType": "plus",
    });
    let update_position = messages
        .iter()
        .position(|message| message["method"] == RATE_LIMITS_UPDATED)
        .expect("a rate-limit update during the turn");
    let first_delta_position = messages
        .iter()
        .position(|message| message["method"] == "item/agentMessage/delta")
        .expect("a delta");
    assert!(
        update_position < first_delta_position,
        "the update arrives mid-turn, before the deltas that follow the event: {messages:#?}"
    );
    assert_eq!(
        notifications_named(&messages, RATE_LIMITS_UPDATED),
        vec![json!({"rateLimits": bengalfox.clone()})]
    );
    assert_eq!(model.handshake_count(), 1);
    let read = read_rate_limits(&mut server).await?;
    assert_eq!(
        read["result"]["rateLimitsByLimitId"],
        json!({"codex_bengalfox": bengalfox})
    );
    Ok(())
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let block = chunk.iter().enumerate().fold(0u32, |acc, (index, byte)| {
            acc | (u32::from(*byte) << (16 - 8 * index))
        });
        for sextet in 0..=chunk.len() {
            out.push(char::from(
                ALPHABET[((block >> (18 - 6 * sextet)) & 63) as usize],
            ));
        }
    }
    out
}

#[tokio::test]
async fn a_chatgpt_read_merges_the_usage_endpoint_limits_with_header_snapshots()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(
        MockResponse::assistant_message(&["Hello"], None).with_headers(named_rate_limit_headers(
            "codex-bengalfox",
            "gpt-5.2-codex-bengalfox",
            MockRateLimitWindow::new(5.0, 60, 1_700_000_000),
            None,
        )),
    );
    model.set_usage_response(
        200,
        json!({
            "plan_type": "pro",
            "rate_limit": {
                "allowed": true, "limit_reached": false,
                "primary_window": {"used_percent": 42, "limit_window_seconds": 18000, "reset_after_seconds": 3600, "reset_at": 1_739_000_000},
                "secondary_window": {"used_percent": 84, "limit_window_seconds": 604800, "reset_after_seconds": 90000, "reset_at": 1_739_500_000},
            },
            "credits": {"has_credits": true, "unlimited": false, "balance": "9.99"},
            "additional_rate_limits": [
                {"limit_name": "GPT-5.2-Codex-Sonic", "metered_feature": "codex_other",
                 "rate_limit": {"allowed": true, "limit_reached": false,
                                "primary_window": {"used_percent": 70, "limit_window_seconds": 900, "reset_after_seconds": 0, "reset_at": 789},
                                "secondary_window": null}},
            ],
        }),
    );
    let chatgpt_base_url = format!("chatgpt_base_url=\"{}/backend-api/\"", model.uri());
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(["-c".to_string(), chatgpt_base_url]);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    // An unsigned JWT for a ChatGPT Pro account `acc-1` that expires in about a year.
    let jwt = format!(
        "{}.{}.sig",
        base64url(br#"{"alg":"none","typ":"JWT"}"#),
        base64url(
            json!({
                "email": "user@example.com",
                "exp": now + 365 * 24 * 3600,
                "https://api.openai.com/auth": {
                    "chatgpt_plan_type": "pro",
                    "chatgpt_account_id": "acc-1",
                },
            })
            .to_string()
            .as_bytes()
        )
    );
    // `last_refresh` is now (RFC 3339) so the server sees no reason to refresh the tokens at startup;
    // civil date from days since 1970-01-01 by Howard Hinnant's algorithm.
    let shifted = (now / 86_400) as i64 + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let time_of_day = now % 86_400;
    let last_refresh = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time_of_day / 3600,
        time_of_day % 3600 / 60,
        time_of_day % 60
    );
    let codex_home = tempfile::tempdir()?;
    std::fs::write(
        codex_home.path().join("auth.json"),
        json!({
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": null,
            "tokens": {"id_token": jwt, "access_token": jwt, "refresh_token": "r", "account_id": "acc-1"},
            "last_refresh": last_refresh,
        })
        .to_string(),
    )?;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        env: vec![(
            "CODEX_HOME".to_string(),
            codex_home.path().display().to_string(),
        )],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id).await?;

    let read = read_rate_limits(&mut server).await?;

    let codex = json!({
        "limitId": "codex",
        "limitName": null,
        "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1_739_000_000},
        "secondary": {"usedPercent": 84, "windowDurationMins": 10080, "resetsAt": 1_739_500_000},
        "credits": {"hasCredits": true, "unlimited": false, "balance": "9.99"},
        "planType": "pro",
    });
    let by_id = json!({
        "codex": codex.clone(),
        "codex_bengalfox": {
            "limitId": "codex_bengalfox",
            "limitName": "gpt-5.2-codex-bengalfox",
            "primary": {"usedPercent": 5, "windowDurationMins": 60, "resetsAt": 1_700_000_000},
            "secondary": null,
            "credits": null,
            "planType": null,
        },
        "codex_other": {
            "limitId": "codex_other",
            "limitName": "GPT-5.2-Codex-Sonic",
            "primary": {"usedPercent": 70, "windowDurationMins": 15, "resetsAt": 789},
            "secondary": null,
            "credits": null,
            "planType": "pro",
        },
    });
    assert_eq!(
        read["result"],
        json!({"rateLimits": codex, "rateLimitsByName": by_id.clone(), "rateLimitsByLimitId": by_id})
    );
    let usage_requests: Vec<_> = model
        .requests()
        .await
        .into_iter()
        .filter(|request| request.path == "/backend-api/wham/usage")
        .collect();
    assert_eq!(usage_requests.len(), 1);
    assert_eq!(
        usage_requests[0].header("chatgpt-account-id"),
        Some("acc-1")
    );
    assert_eq!(
        usage_requests[0].header("authorization"),
        Some(format!("Bearer {jwt}").as_str())
    );
    Ok(())
}

#[tokio::test]
async fn a_usage_limit_429_on_a_named_bucket_fails_the_turn_with_that_bucket() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let mut headers = exhausted_sonic_headers();
    headers.push((
        "x-codex-active-limit".to_string(),
        "codex-other".to_string(),
    ));
    model.push_response(usage_limit_429(headers));
    let mut server = spawn_server(&model, &[]).await?;
    let thread_id = start_thread(&mut server).await?;

    let (turn_id, messages) = run_turn(&mut server, &thread_id).await?;

    let turn_error = json!({
        "message": "You've hit your usage limit for gpt-5.2-codex-sonic. Switch to another model now, or try again later.",
        "codexErrorInfo": "usageLimitExceeded",
        "additionalDetails": null,
    });
    assert_eq!(
        notifications_named(&messages, "error"),
        vec![json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "willRetry": false,
            "error": turn_error.clone(),
        })]
    );
    let completed = messages.last().expect("turn/completed");
    assert_eq!(completed["params"]["turn"]["status"], "failed");
    assert_eq!(completed["params"]["turn"]["error"], turn_error);
    // The limit that was hit is reported, at its values, before the failed turn completes.
    assert_eq!(
        notifications_named(&messages, RATE_LIMITS_UPDATED),
        vec![json!({"rateLimits": {
            "limitId": "codex_other",
            "limitName": "gpt-5.2-codex-sonic",
            "primary": {"usedPercent": 100, "windowDurationMins": 1440, "resetsAt": 1_704_074_400},
            "secondary": null,
            "credits": null,
            "planType": null,
        }})]
    );
    // A usage limit is not retried.
    assert_eq!(model.responses_requests().await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn without_an_account_or_snapshots_a_read_is_a_clear_invalid_request() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;

    let id = server
        .send_request("account/rateLimits/read", Value::Null)
        .await?;
    let response = server.read_response(id).await?;

    assert_eq!(
        response,
        json!({
            "id": id,
            "error": {
                "code": -32600,
                "message": "codex account authentication required to read rate limits",
            },
        })
    );
    Ok(())
}

#[tokio::test]
async fn a_wrapped_websocket_usage_limit_error_fails_the_turn_like_http() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let headers_json: serde_json::Map<String, Value> = exhausted_sonic_headers()
        .into_iter()
        .chain([(
            "x-codex-active-limit".to_string(),
            "codex-other".to_string(),
        )])
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    model.push_response(MockResponse::ws_error_frame_with_error(
        429,
        json!({"type": "usage_limit_reached", "message": "limit", "plan_type": "pro"}),
        Value::Object(headers_json),
    ));
    let mut server = spawn_server_with(
        &model,
        &MockProviderOptions {
            supports_websockets: true,
            ..MockProviderOptions::default()
        },
        &["--enable", "responses_websockets"],
    )
    .await?;
    let thread_id = start_thread(&mut server).await?;

    let (_, messages) = run_turn(&mut server, &thread_id).await?;

    let completed = messages.last().expect("turn/completed");
    assert_eq!(
        (
            completed["params"]["turn"]["status"].clone(),
            completed["params"]["turn"]["error"].clone()
        ),
        (
            json!("failed"),
            json!({
                "message": "You've hit your usage limit for gpt-5.2-codex-sonic. Switch to another model now, or try again later.",
                "codexErrorInfo": "usageLimitExceeded",
                "additionalDetails": null,
            })
        )
    );
    assert_eq!(
        notifications_named(&messages, RATE_LIMITS_UPDATED)
            .iter()
            .map(|update| update["rateLimits"]["primary"]["usedPercent"].clone())
            .collect::<Vec<_>>(),
        vec![json!(100)]
    );
    assert_eq!(model.responses_requests().await.len(), 1);
    assert_eq!(model.handshake_count(), 1);
    Ok(())
}

/// The limits belong to the account that was signed in: after `account/logout` (or any change of account)
/// `account/rateLimits/read` never answers with the previous account's limits.
#[tokio::test]
async fn logging_out_forgets_the_previous_accounts_limits() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(
        MockResponse::assistant_message(&["Hello"], None).with_headers(two_family_headers()),
    );
    let mut server = spawn_server(&model, &[]).await?;
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-first-account"}),
        )
        .await?;
    server.read_response(id).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id).await?;
    let before = read_rate_limits(&mut server).await?;
    assert_eq!(before["result"]["rateLimits"], codex_snapshot_json());

    let id = server.send_request("account/logout", Value::Null).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {}})
    );
    server.read_notification("account/updated").await?;
    let after = read_rate_limits(&mut server).await?;
    assert_eq!(
        after["error"]["message"],
        json!("codex account authentication required to read rate limits"),
        "{after}"
    );
    Ok(())
}

/// Without `x-codex-active-limit` the limit that was hit is the default `codex` bucket (upstream's rule), even
/// when the headers describe only a named bucket.
#[tokio::test]
async fn a_usage_limit_429_without_an_active_limit_names_the_default_bucket() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let headers = exhausted_sonic_headers();
    model.push_response(usage_limit_429(headers));
    let mut server = spawn_server(&model, &[]).await?;
    let thread_id = start_thread(&mut server).await?;
    let (_, messages) = run_turn(&mut server, &thread_id).await?;
    let completed = messages.last().cloned().unwrap_or_default();
    assert_eq!(
        completed["params"]["turn"]["error"],
        json!({
            "message": "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again later.",
            "codexErrorInfo": "usageLimitExceeded",
            "additionalDetails": null,
        })
    );
    Ok(())
}

/// Rate-limit headers on a WebSocket's 101 are not updates (as upstream): over a socket the limits come from
/// the `codex.rate_limits` event, so a handshake's stale values never flip a limit back between turns.
#[tokio::test]
async fn websocket_handshake_rate_limit_headers_are_not_updates() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_ws_handshake_response_headers(codex_rate_limit_headers(
        MockRateLimitWindow::new(90.0, 300, 1_730_947_200),
        None,
    ));
    for used_percent in [42.0, 43.0] {
        model.push_response(
            MockResponse::assistant_message(&["Hello"], None).with_event_at(
                1,
                sse::rate_limits_event(
                    Some("plus"),
                    None,
                    Some(MockRateLimitWindow::new(used_percent, 300, 1_738_888_888)),
                    None,
                    None,
                ),
            ),
        );
    }
    let mut server = spawn_server_with(
        &model,
        &MockProviderOptions {
            supports_websockets: true,
            ..MockProviderOptions::default()
        },
        &["--enable", "responses_websockets"],
    )
    .await?;
    let thread_id = start_thread(&mut server).await?;
    let mut updates = Vec::new();
    for _ in 0..2 {
        let (_, messages) = run_turn(&mut server, &thread_id).await?;
        updates.extend(notifications_named(&messages, RATE_LIMITS_UPDATED));
    }
    let codex = |used_percent: i64| {
        json!({"rateLimits": {
            "limitId": "codex",
            "limitName": null,
            "primary": {"usedPercent": used_percent, "windowDurationMins": 300, "resetsAt": 1_738_888_888},
            "secondary": null,
            "credits": null,
            "planType": "plus",
        }})
    };
    assert_eq!(updates, vec![codex(42), codex(43)]);
    let read = read_rate_limits(&mut server).await?;
    assert_eq!(read["result"]["rateLimits"], codex(43)["rateLimits"]);
    Ok(())
}
