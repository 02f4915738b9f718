//! `--listen ws://IP:PORT` through the real binary: several connections over one engine, each its own
//! JSON-RPC session seeing only the threads it follows; `/readyz` and `/healthz`; frames; and `--ws-auth`
//! (capability token, HS256 signed bearer token), with a non-loopback listener refused without auth.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use codex_app_server_tests::ws_client::Refused;
use codex_app_server_tests::ws_client::WsClient;
use codex_app_server_tests::ws_client::http_get;
use codex_app_server_tests::ws_client::listening_address;
use hmac::Mac;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Starts the daemon with `args` (and the mock model provider when given); returns it and its address.
async fn listening(
    model: Option<&MockModelServer>,
    args: &[&str],
) -> anyhow::Result<(AppServer, String)> {
    let mut all: Vec<String> = model.map_or_else(Vec::new, |model| {
        mock_provider_args(&model.uri(), &MockProviderOptions::default())
    });
    all.extend(args.iter().map(|arg| arg.to_string()));
    let server = AppServer::spawn_with(AppServerOptions {
        args: all,
        ..AppServerOptions::default()
    })
    .await?;
    let address = listening_address(&server).await?;
    Ok((server, address))
}

/// Runs one turn on `thread_id` and returns every message the client got up to `turn/completed`.
async fn run_turn(
    client: &mut WsClient,
    thread_id: &str,
    text: &str,
) -> anyhow::Result<Vec<Value>> {
    let id = client.send_turn_start(thread_id, text)?;
    client.read_response(id).await?;
    client.read_notification("turn/completed").await?;
    Ok(client.take_buffered())
}

/// The thread ids named by `messages`' params.
fn thread_ids(messages: &[Value]) -> BTreeSet<String> {
    messages
        .iter()
        .filter_map(|message| message["params"]["threadId"].as_str())
        .map(str::to_string)
        .collect()
}

/// The text of the completed agent messages among `messages`.
fn agent_texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|message| message["method"] == "item/completed")
        .filter(|message| message["params"]["item"]["type"] == "agentMessage")
        .filter_map(|message| message["params"]["item"]["text"].as_str())
        .map(str::to_string)
        .collect()
}

async fn connected(address: &str, name: &str, cwd: &Path) -> anyhow::Result<(WsClient, String)> {
    let mut client = WsClient::connect(&format!("ws://{address}"), None).await?;
    client.initialize(name).await?;
    let thread_id = client.start_thread_in(cwd).await?;
    client.take_buffered();
    Ok((client, thread_id))
}

#[tokio::test]
async fn two_connections_each_see_only_their_own_threads() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(&["For A."], None),
        MockResponse::assistant_message(&["For B."], None),
    ]);
    let (mut server, address) = listening(Some(&model), &["--listen", "ws://127.0.0.1:0"]).await?;
    let cwd = tempfile::tempdir()?;
    let (mut first, first_thread) = connected(&address, "client_a", cwd.path()).await?;
    let (mut second, second_thread) = connected(&address, "client_b", cwd.path()).await?;

    let first_messages = run_turn(&mut first, &first_thread, "Hi from A").await?;
    let second_messages = run_turn(&mut second, &second_thread, "Hi from B").await?;
    assert_eq!(
        (
            thread_ids(&first_messages),
            agent_texts(&first_messages),
            thread_ids(&second_messages),
            agent_texts(&second_messages),
        ),
        (
            BTreeSet::from([first_thread.clone()]),
            vec!["For A.".to_string()],
            BTreeSet::from([second_thread.clone()]),
            vec!["For B.".to_string()],
        )
    );
    // Request ids are per connection: both used the same ones without cross-talk.
    let id = first.send_request("thread/loaded/list", json!({}))?;
    let loaded = first.read_response(id).await?;
    let mut expected = vec![first_thread, second_thread];
    expected.sort();
    assert_eq!(
        loaded,
        json!({"id": id, "result": {"data": expected, "nextCursor": null}})
    );
    server.terminate()?;
    assert_eq!(
        server.wait_exit(Duration::from_secs(10)).await?.code(),
        Some(0)
    );
    Ok(())
}

#[tokio::test]
async fn a_connection_resuming_another_ones_thread_follows_it_until_the_last_leaves()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Shared."], None));
    let (_server, address) = listening(Some(&model), &["--listen", "ws://127.0.0.1:0"]).await?;
    let cwd = tempfile::tempdir()?;
    let (mut owner, thread_id) = connected(&address, "owner", cwd.path()).await?;
    let mut follower = WsClient::connect(&format!("ws://{address}"), None).await?;
    follower.initialize("follower").await?;
    let id = follower.send_request("thread/resume", json!({"threadId": thread_id}))?;
    let resumed = follower.read_response(id).await?;
    assert_eq!(resumed["result"]["thread"]["id"], json!(thread_id));

    let owner_messages = run_turn(&mut owner, &thread_id, "Hello").await?;
    follower.read_notification("turn/completed").await?;
    let follower_messages = follower.take_buffered();
    let notifications = |messages: &[Value]| -> Vec<Value> {
        messages
            .iter()
            .filter(|message| message.get("id").is_none())
            .cloned()
            .collect()
    };
    assert_eq!(
        (
            notifications(&follower_messages),
            agent_texts(&follower_messages)
        ),
        (notifications(&owner_messages), vec!["Shared.".to_string()])
    );

    // The owner leaves: the follower keeps the thread loaded, and hears it close when it leaves too.
    owner.close()?;
    owner.expect_closed().await?;
    let id = follower.send_request("thread/loaded/list", json!({}))?;
    assert_eq!(
        follower.read_response(id).await?["result"]["data"],
        json!([thread_id])
    );
    let id = follower.send_request("thread/unsubscribe", json!({"threadId": thread_id}))?;
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(follower.read_message().await?);
    }
    assert_eq!(
        messages,
        vec![
            json!({"id": id, "result": {"status": "unsubscribed"}}),
            json!({"method": "thread/status/changed", "params": {"threadId": thread_id, "status": {"type": "notLoaded"}}}),
            json!({"method": "thread/closed", "params": {"threadId": thread_id}}),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn health_endpoints_frames_and_browser_origins() -> anyhow::Result<()> {
    let (_server, address) = listening(None, &["--listen", "ws://127.0.0.1:0"]).await?;
    let answers = vec![
        http_get(&address, "/readyz", None).await?,
        http_get(&address, "/healthz", None).await?,
        http_get(&address, "/readyz", Some(("Origin", "https://example.com"))).await?,
        http_get(&address, "/", None).await?,
    ];
    assert_eq!(
        answers,
        vec![
            (200, String::new()),
            (200, String::new()),
            (403, String::new()),
            (
                400,
                "Connection header did not include 'upgrade'".to_string()
            ),
        ]
    );

    let mut client = WsClient::connect(&format!("ws://{address}"), None).await?;
    client.send_frame(Message::Ping(b"check".to_vec().into()))?;
    assert_eq!(
        client.next_control_frame().await?,
        Message::Pong(b"check".to_vec().into())
    );
    client.send_frame(Message::Binary(b"{}".to_vec().into()))?;
    assert_eq!(
        client.read_message().await?,
        json!({"id": null, "error": {"code": -32600, "message": "Invalid request: binary WebSocket frames are not supported; send each JSON-RPC message as one text frame"}})
    );
    let id = client.send_request("model/list", json!({}))?;
    assert_eq!(
        client.read_message().await?,
        json!({"id": id, "error": {"code": -32600, "message": "Not initialized"}})
    );
    Ok(())
}

#[tokio::test]
async fn a_non_loopback_listener_without_auth_does_not_start() -> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: vec!["--listen".to_string(), "ws://0.0.0.0:0".to_string()],
        ..AppServerOptions::default()
    })
    .await?;
    let status = server.wait_exit(Duration::from_secs(10)).await?;
    let stderr = server.stderr();
    assert_eq!(
        (
            status.success(),
            stderr.contains(
                "refusing to start non-loopback websocket listener 0.0.0.0:0 without auth; configure `--ws-auth capability-token` or `--ws-auth signed-bearer-token`"
            )
        ),
        (false, true),
        "{stderr}"
    );
    Ok(())
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn capability_tokens_from_a_file_or_a_digest() -> anyhow::Result<()> {
    let secrets = tempfile::tempdir()?;
    let token_file = secrets.path().join("token");
    std::fs::write(&token_file, "  the-capability-token\n")?;
    let token_file = token_file.display().to_string();
    let digest = sha256_hex("the-capability-token");
    for auth in [
        ["--ws-token-file", token_file.as_str()],
        ["--ws-token-sha256", digest.as_str()],
    ] {
        let mut args = vec![
            "--listen",
            "ws://0.0.0.0:0",
            "--ws-auth",
            "capability-token",
        ];
        args.extend(auth);
        let (_server, address) = listening(None, &args).await?;
        let port = address.rsplit(':').next().unwrap_or_default();
        let url = format!("ws://127.0.0.1:{port}");
        let refused = |body: &str| {
            Err::<(), Refused>(Refused {
                status: 401,
                body: body.to_string(),
            })
        };
        let outcomes = vec![
            WsClient::try_connect(&url, None).await?.map(drop),
            WsClient::try_connect(&url, Some("wrong")).await?.map(drop),
        ];
        assert_eq!(
            outcomes,
            vec![
                refused("missing websocket bearer token"),
                refused("invalid websocket bearer token"),
            ],
            "{auth:?}"
        );
        let mut client = WsClient::connect(&url, Some("the-capability-token")).await?;
        client.initialize("authorized").await?;
    }
    Ok(())
}

const SHARED_SECRET: &str = "a shared secret of at least 32 bytes";

fn signed(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(SHARED_SECRET.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[tokio::test]
async fn signed_bearer_tokens_are_checked_for_signature_expiry_and_audience() -> anyhow::Result<()>
{
    let secrets = tempfile::tempdir()?;
    let secret_file = secrets.path().join("secret");
    std::fs::write(&secret_file, SHARED_SECRET)?;
    let secret_file = secret_file.display().to_string();
    let (_server, address) = listening(
        None,
        &[
            "--listen",
            "ws://127.0.0.1:0",
            "--ws-auth",
            "signed-bearer-token",
            "--ws-shared-secret-file",
            &secret_file,
            "--ws-issuer",
            "host",
            "--ws-audience",
            "codex-app-server",
        ],
    )
    .await?;
    let url = format!("ws://{address}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let later = now + 300;
    let refusals = vec![
        signed(&json!({"exp": now - 120, "iss": "host", "aud": "codex-app-server"})),
        signed(&json!({"exp": later, "iss": "host", "aud": "somebody-else"})),
        signed(&json!({"exp": later, "iss": "intruder", "aud": "codex-app-server"})),
        format!(
            "{}x",
            signed(&json!({"exp": later, "iss": "host", "aud": "codex-app-server"}))
        ),
    ];
    let mut outcomes = Vec::new();
    for token in &refusals {
        outcomes.push(WsClient::try_connect(&url, Some(token)).await?.map(drop));
    }
    let refused = |body: &str| {
        Err::<(), Refused>(Refused {
            status: 401,
            body: body.to_string(),
        })
    };
    assert_eq!(
        outcomes,
        vec![
            refused("expired websocket jwt"),
            refused("websocket jwt audience mismatch"),
            refused("websocket jwt issuer mismatch"),
            refused("invalid websocket jwt"),
        ]
    );
    let token = signed(&json!({"exp": later, "iss": "host", "aud": ["other", "codex-app-server"]}));
    let mut client = WsClient::connect(&url, Some(&token)).await?;
    client.initialize("signed").await?;
    Ok(())
}

/// Reads `stream` until the answer to request `id` (a client that reads, until it stops).
async fn answer_of<S>(stream: &mut S, id: i64) -> anyhow::Result<Value>
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    use futures::StreamExt;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("closed before answer {id}"))??;
        if let Message::Text(text) = frame {
            let message: Value = serde_json::from_str(text.as_str())?;
            if message["id"] == json!(id) && message.get("method").is_none() {
                return Ok(message);
            }
        }
    }
}

#[tokio::test]
async fn a_connection_that_stops_reading_is_closed_and_never_holds_up_the_others()
-> anyhow::Result<()> {
    use futures::SinkExt;
    use futures::StreamExt;
    let model = MockModelServer::start().await;
    // Far more than the socket buffers, the connection's notification credit and its event queue hold.
    model.push_responses([
        MockResponse::many_deltas(60_000),
        MockResponse::assistant_message(&["Unaffected."], None),
    ]);
    let (server, address) = listening(Some(&model), &["--listen", "ws://127.0.0.1:0"]).await?;
    let cwd = tempfile::tempdir()?;

    let (stalled, _response) = tokio_tungstenite::connect_async(format!("ws://{address}")).await?;
    let (mut sink, mut stream) = stalled.split();
    let mut answers = Vec::new();
    for request in [
        json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "stalled", "version": "1"}}}),
        json!({"id": 1, "method": "thread/start", "params": {"cwd": cwd.path()}}),
    ] {
        let id = request["id"].as_i64().unwrap_or_default();
        sink.send(Message::Text(request.to_string().into())).await?;
        answers.push(answer_of(&mut stream, id).await?);
    }
    let stalled_thread = answers[1]["result"]["thread"]["id"].clone();
    let turn = json!({"id": 2, "method": "turn/start", "params": {"threadId": stalled_thread, "input": [{"type": "text", "text": "flood", "text_elements": []}]}});
    sink.send(Message::Text(turn.to_string().into())).await?;
    // From here on the stalled client reads nothing.
    server
        .wait_for_stderr("is not reading its messages")
        .await?;

    let (mut other, other_thread) = connected(&address, "other", cwd.path()).await?;
    let messages = run_turn(&mut other, &other_thread, "Still there?").await?;
    assert_eq!(agent_texts(&messages), vec!["Unaffected.".to_string()]);

    // The stalled connection was closed: reading on finds its end.
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(Ok(frame)) = stream.next().await {
            if let Message::Close(_) = frame {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stalled connection was not closed");
    Ok(())
}

#[tokio::test]
async fn an_approval_is_asked_of_the_threads_follower_only() -> anyhow::Result<()> {
    use codex_app_server_tests::mock_model_server::sse;
    let model = MockModelServer::start().await;
    let arguments = json!({"command": ["touch", "approved.txt"]}).to_string();
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", "shell", &arguments),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
    let (_server, address) = listening(Some(&model), &["--listen", "ws://127.0.0.1:0"]).await?;
    let workspace = tempfile::tempdir()?;
    let mut owner = WsClient::connect(&format!("ws://{address}"), None).await?;
    owner.initialize("owner").await?;
    let mut bystander = WsClient::connect(&format!("ws://{address}"), None).await?;
    bystander.initialize("bystander").await?;
    let id = owner.send_request(
        "thread/start",
        json!({"cwd": workspace.path(), "approvalPolicy": "untrusted", "sandbox": "danger-full-access"}),
    )?;
    let thread_id = owner.read_response(id).await?["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    owner.send_turn_start(&thread_id, "touch a file")?;
    let request = owner
        .read_until(|message| message["method"] == "item/commandExecution/requestApproval")
        .await?;
    owner.send_json(&json!({"id": request["id"], "result": {"decision": "accept"}}))?;
    owner.read_notification("turn/completed").await?;
    assert!(workspace.path().join("approved.txt").exists());

    // The bystander heard nothing of it: its next message is the answer to its own request.
    let id = bystander.send_request("thread/loaded/list", json!({}))?;
    assert_eq!(
        bystander.read_message().await?,
        json!({"id": id, "result": {"data": [thread_id], "nextCursor": null}})
    );
    Ok(())
}

#[tokio::test]
async fn deleting_a_shared_thread_tells_every_connection_following_it() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Kept."], None));
    let (_server, address) = listening(Some(&model), &["--listen", "ws://127.0.0.1:0"]).await?;
    let cwd = tempfile::tempdir()?;
    let (mut owner, thread_id) = connected(&address, "owner", cwd.path()).await?;
    // A recorded turn gives the thread its rollout.
    run_turn(&mut owner, &thread_id, "Hello").await?;
    let mut follower = WsClient::connect(&format!("ws://{address}"), None).await?;
    follower.initialize("follower").await?;
    let id = follower.send_request("thread/resume", json!({"threadId": thread_id}))?;
    follower.read_response(id).await?;
    follower.take_buffered();

    let id = owner.send_request("thread/delete", json!({"threadId": thread_id}))?;
    let mut owner_messages = Vec::new();
    for _ in 0..3 {
        owner_messages.push(owner.read_message().await?);
    }
    let follower_messages = vec![
        follower.read_message().await?,
        follower.read_message().await?,
    ];
    let not_loaded = json!({"method": "thread/status/changed",
                            "params": {"threadId": thread_id, "status": {"type": "notLoaded"}}});
    let deleted = json!({"method": "thread/deleted", "params": {"threadId": thread_id}});
    assert_eq!(
        (owner_messages, follower_messages),
        (
            vec![
                not_loaded.clone(),
                json!({"id": id, "result": {}}),
                deleted.clone()
            ],
            vec![not_loaded, deleted]
        )
    );
    Ok(())
}
