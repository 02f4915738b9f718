//! The model catalog follows the provider's `x-models-etag` through the real binary: a turn whose response
//! carries a new etag makes the server fetch `GET /v1/models` once, with the turn's auth and identity
//! headers, and `model/list` then serves the fetched list; the same etag again fetches nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::RecordedRequest;
use codex_app_server_tests::mock_provider::mock_openai_auth_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const ACCESS_TOKEN: &str = "at-test-models-refresh";
/// How long `model/list` may take to show a refreshed catalog.
const REFRESH_DEADLINE: Duration = Duration::from_secs(2);

fn served_model(slug: &str) -> Value {
    json!({
        "slug": slug,
        "display_name": slug,
        "description": "Served by the provider.",
        "default_reasoning_level": "high",
        "supported_reasoning_levels": [{"effort": "high", "description": "Deep"}],
        "context_window": 400000,
        "visibility": "list",
        "supported_in_api": true,
        "priority": 1,
    })
}

/// A server whose provider requires an OpenAI account, signed in with ChatGPT (host-supplied tokens): the
/// models list is fetched only then, as upstream.
async fn spawn_signed_in_server(model: &MockModelServer) -> anyhow::Result<AppServer> {
    let mut server = spawn_server(model).await?;
    sign_in_with_chatgpt(&mut server).await?;
    Ok(server)
}

/// Signs in with host-supplied ChatGPT tokens (`ACCESS_TOKEN`).
async fn sign_in_with_chatgpt(server: &mut AppServer) -> anyhow::Result<()> {
    let id = server
        .send_request(
            "account/login/start",
            json!({
                "type": "chatgptAuthTokens",
                "accessToken": ACCESS_TOKEN,
                "chatgptAccountId": "acct_models_refresh",
                "chatgptPlanType": "pro",
            }),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"type": "chatgptAuthTokens"}})
    );
    Ok(())
}

async fn spawn_server(model: &MockModelServer) -> anyhow::Result<AppServer> {
    spawn_server_with(model, Vec::new()).await
}

/// Like [`spawn_server`], with `-c` flags after the provider's.
async fn spawn_server_with(
    model: &MockModelServer,
    extra_args: Vec<String>,
) -> anyhow::Result<AppServer> {
    let mut args = mock_openai_auth_provider_args(&model.uri());
    args.extend(extra_args);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
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

async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<()> {
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "hi", "text_elements": []}],
            }),
        )
        .await?;
    server.read_response(id).await?;
    server.read_notification("turn/completed").await?;
    Ok(())
}

async fn listed_slugs(server: &mut AppServer) -> anyhow::Result<Vec<String>> {
    let id = server.send_request("model/list", json!({})).await?;
    let response = server.read_response(id).await?;
    Ok(response["result"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("model/list failed: {response}"))
        .iter()
        .filter_map(|model| model["id"].as_str().map(str::to_string))
        .collect())
}

/// Polls `model/list` until it lists `slug`; the refresh runs beside the turn, so there is no event for it.
async fn await_listed(server: &mut AppServer, slug: &str) -> anyhow::Result<Vec<String>> {
    let deadline = tokio::time::Instant::now() + REFRESH_DEADLINE;
    loop {
        let slugs = listed_slugs(server).await?;
        if slugs.iter().any(|listed| listed == slug) {
            return Ok(slugs);
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!("model/list never listed {slug}; last answer {slugs:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn models_requests(model: &MockModelServer) -> Vec<RecordedRequest> {
    model
        .requests()
        .await
        .into_iter()
        .filter(|request| request.path == "/v1/models")
        .collect()
}

/// The identity and auth headers of a request, to compare the fetch with the turn.
fn identity_headers(request: &RecordedRequest) -> Vec<(&'static str, Option<String>)> {
    ["authorization", "originator", "user-agent"]
        .into_iter()
        .map(|name| (name, request.header(name).map(str::to_string)))
        .collect()
}

#[tokio::test]
async fn a_new_models_etag_refreshes_model_list_once() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.mount_json(
        "GET",
        "/v1/models",
        200,
        json!({"models": [served_model("gpt-test-new"), served_model("gpt-5.2-codex")]}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["first"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["second"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["third"], None).with_header("x-models-etag", "v3"),
    ]);
    let mut server = spawn_signed_in_server(&model).await?;
    assert!(
        !listed_slugs(&mut server)
            .await?
            .contains(&"gpt-test-new".to_string())
    );
    let thread_id = start_thread(&mut server).await?;

    run_turn(&mut server, &thread_id).await?;
    // The provider's models come first; built-in models it does not list stay after them.
    let listed = await_listed(&mut server, "gpt-test-new").await?;
    assert_eq!(
        listed[..2].to_vec(),
        vec!["gpt-test-new".to_string(), "gpt-5.2-codex".to_string()]
    );
    assert!(
        listed.contains(&"gpt-5.1-codex-mini".to_string()),
        "{listed:?}"
    );
    let fetches = models_requests(&model).await;
    let turn_request = model
        .responses_requests()
        .await
        .into_iter()
        .next()
        .expect("the turn's request");
    assert_eq!(
        fetches
            .iter()
            .map(|fetch| (fetch.method.clone(), identity_headers(fetch)))
            .collect::<Vec<_>>(),
        vec![("GET".to_string(), identity_headers(&turn_request))]
    );
    assert_eq!(
        identity_headers(&turn_request)[0],
        ("authorization", Some(format!("Bearer {ACCESS_TOKEN}")))
    );

    // The same etag fetches nothing; a third etag's fetch then proves the second turn's would have shown.
    run_turn(&mut server, &thread_id).await?;
    model.mount_json(
        "GET",
        "/v1/models",
        200,
        json!({"models": [served_model("gpt-test-newer")]}),
    );
    run_turn(&mut server, &thread_id).await?;
    let listed = await_listed(&mut server, "gpt-test-newer").await?;
    assert_eq!(listed.first(), Some(&"gpt-test-newer".to_string()));
    // A model only the previous fetch listed is gone; the built-in ones stay.
    assert!(!listed.contains(&"gpt-test-new".to_string()), "{listed:?}");
    assert!(listed.contains(&"gpt-5.2-codex".to_string()), "{listed:?}");
    assert_eq!(models_requests(&model).await.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_failed_models_fetch_keeps_the_catalog_and_the_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.mount_json(
        "GET",
        "/v1/models",
        500,
        json!({"error": {"message": "down"}}),
    );
    model.push_response(
        MockResponse::assistant_message(&["fine"], None).with_header("x-models-etag", "v2"),
    );
    let mut server = spawn_signed_in_server(&model).await?;
    let before = listed_slugs(&mut server).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id).await?;
    let deadline = tokio::time::Instant::now() + REFRESH_DEADLINE;
    while models_requests(&model).await.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        (
            models_requests(&model).await.len(),
            listed_slugs(&mut server).await?
        ),
        (1, before)
    );
    Ok(())
}

/// Signed in with an API key, the OpenAI provider's models list is not fetched (as upstream: that list is the
/// API's, another shape); once signed in with ChatGPT it is, with the upstream client version this daemon's
/// protocol matches, so the backend does not hide the models such a client may use.
#[tokio::test]
async fn only_a_chatgpt_sign_in_fetches_the_models_list_with_the_upstream_client_version()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.mount_json(
        "GET",
        "/v1/models",
        200,
        json!({"models": [served_model("gpt-test-new")]}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["key"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["chatgpt"], None).with_header("x-models-etag", "v3"),
    ]);
    let mut server = spawn_server(&model).await?;
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-models-refresh"}),
        )
        .await?;
    server.read_response(id).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id).await?;

    sign_in_with_chatgpt(&mut server).await?;
    run_turn(&mut server, &thread_id).await?;
    // Refreshes run one at a time: once the ChatGPT one has shown, an API-key one would have run before it.
    await_listed(&mut server, "gpt-test-new").await?;
    let fetches: Vec<(Option<String>, String)> = models_requests(&model)
        .await
        .iter()
        .map(|fetch| {
            (
                fetch.header("authorization").map(str::to_string),
                fetch.query.clone(),
            )
        })
        .collect();
    assert_eq!(
        fetches,
        vec![(
            Some(format!("Bearer {ACCESS_TOKEN}")),
            "client_version=0.171.0".to_string()
        )]
    );
    Ok(())
}

/// A failed fetch is not repeated for every response that carries the same etag; a new etag is tried.
#[tokio::test]
async fn a_failed_fetch_is_not_repeated_for_the_same_etag() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.mount_json(
        "GET",
        "/v1/models",
        500,
        json!({"error": {"message": "down"}}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["one"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["two"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["three"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["four"], None).with_header("x-models-etag", "v3"),
    ]);
    let mut server = spawn_signed_in_server(&model).await?;
    let thread_id = start_thread(&mut server).await?;
    for _ in 0..3 {
        run_turn(&mut server, &thread_id).await?;
    }
    model.mount_json(
        "GET",
        "/v1/models",
        200,
        json!({"models": [served_model("gpt-test-new")]}),
    );
    run_turn(&mut server, &thread_id).await?;
    await_listed(&mut server, "gpt-test-new").await?;
    assert_eq!(models_requests(&model).await.len(), 2);
    Ok(())
}

/// A model the refreshed catalog marks `prefer_websockets` is used over the provider's WebSocket by the
/// threads started after the refresh (their preconnect included), with the `responses_websockets` gate off.
#[tokio::test]
async fn prefer_websockets_from_the_refreshed_catalog_moves_new_threads_to_the_socket()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut preferring = served_model("gpt-5.2-codex");
    preferring["prefer_websockets"] = json!(true);
    model.mount_json(
        "GET",
        "/v1/models",
        200,
        json!({"models": [preferring, served_model("gpt-test-marker")]}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["over http"], None).with_header("x-models-etag", "v2"),
        MockResponse::assistant_message(&["over the socket"], None),
    ]);
    let mut server = spawn_server_with(
        &model,
        vec![
            "-c".to_string(),
            "model_providers.mockauth.supports_websockets=true".to_string(),
        ],
    )
    .await?;
    sign_in_with_chatgpt(&mut server).await?;
    let first_thread = start_thread(&mut server).await?;
    run_turn(&mut server, &first_thread).await?;
    // The refreshed catalog is in place once it lists the marker model.
    await_listed(&mut server, "gpt-test-marker").await?;

    let second_thread = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, REFRESH_DEADLINE).await?;
    run_turn(&mut server, &second_thread).await?;
    let transports: Vec<_> = model
        .responses_requests()
        .await
        .iter()
        .map(|request| request.transport)
        .collect();
    assert_eq!(
        transports,
        vec![
            codex_app_server_tests::mock_model_server::Transport::Http,
            codex_app_server_tests::mock_model_server::Transport::WebSocket { connection: 0 },
        ]
    );
    Ok(())
}
