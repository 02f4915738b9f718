//! Images through the real binary: a `localImage` input reaches the model as an `input_image` `data:` URL
//! between upstream's `<image>` tags (shrunk when it is over the model's budget) while the host's
//! `userMessage` keeps the path; a file that cannot be read or is no image becomes text and the turn goes
//! on; `view_image` shows an `imageView` item and hands the model the image as its call's output; a resumed
//! thread and a compacted one send the images again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use base64::Engine;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

fn options(model: &MockModelServer, extra: &[&str]) -> AppServerOptions {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(extra.iter().map(|arg| arg.to_string()));
    AppServerOptions {
        args,
        env: vec![("LC_ALL".to_string(), "C".to_string())],
        ..AppServerOptions::default()
    }
}

/// A `width` x `height` image encoded as `format`.
fn image_bytes(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 128])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut bytes, format)
        .expect("encode test image");
    bytes.into_inner()
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The mime type and pixel size of a `data:` URL's image.
fn decoded(url: &str) -> (String, (u32, u32)) {
    let (head, payload) = url.split_once(',').expect("a data URL");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("base64");
    let image = image::load_from_memory(&bytes).expect("an image");
    let mime = head
        .strip_prefix("data:")
        .and_then(|head| head.strip_suffix(";base64"))
        .expect("data:<mime>;base64");
    (mime.to_string(), (image.width(), image.height()))
}

fn text(text: &str) -> Value {
    json!({"type": "input_text", "text": text})
}

fn input_image(url: &str) -> Value {
    json!({"type": "input_image", "image_url": url, "detail": "high"})
}

/// Starts a thread in `cwd` and runs one turn with `input`; returns the thread id and the turn's
/// notifications.
async fn start_and_run(
    server: &mut AppServer,
    cwd: &Path,
    input: Value,
) -> anyhow::Result<(Value, Vec<Value>)> {
    let started = server
        .call(
            "thread/start",
            json!({"cwd": cwd, "approvalPolicy": "never"}),
        )
        .await?;
    let thread_id = started["thread"]["id"].clone();
    let notifications = run_turn(server, &thread_id, input).await?;
    Ok((thread_id, notifications))
}

/// Runs one turn; returns its notifications up to `turn/completed`, checking that it completed.
async fn run_turn(
    server: &mut AppServer,
    thread_id: &Value,
    input: Value,
) -> anyhow::Result<Vec<Value>> {
    server
        .call("turn/start", json!({"threadId": thread_id, "input": input}))
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(
        completed["params"]["turn"]["status"], "completed",
        "{completed}"
    );
    Ok(server.take_buffered())
}

/// The last user message of a request body.
fn last_user_content(body: &Value) -> Value {
    body["input"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .rev()
                .find(|item| item["type"] == "message" && item["role"] == "user")
        })
        .map(|item| item["content"].clone())
        .unwrap_or(Value::Null)
}

/// The `(method, item)` of every item notification of `kind`.
fn items_of(notifications: &[Value], kind: &str) -> Vec<(String, Value)> {
    notifications
        .iter()
        .filter(|message| message["params"]["item"]["type"] == kind)
        .map(|message| {
            (
                message["method"].as_str().unwrap_or_default().to_string(),
                message["params"]["item"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_local_image_reaches_the_model_as_a_data_url_and_the_host_sees_its_path()
-> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let png = image_bytes(64, 32, image::ImageFormat::Png);
    let path = workspace.path().join("shot.png");
    std::fs::write(&path, &png)?;
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["I see it."], None));
    let mut server = AppServer::spawn_with(options(&model, &[])).await?;
    server.initialize().await?;

    let input = json!([
        {"type": "text", "text": "What is this?", "text_elements": []},
        {"type": "localImage", "path": path},
    ]);
    let (thread_id, notifications) =
        start_and_run(&mut server, workspace.path(), input.clone()).await?;

    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        last_user_content(&bodies[0]),
        json!([
            text("What is this?"),
            text(&format!(
                "<image name=[Image #1] path=\"{}\">",
                path.display()
            )),
            input_image(&data_url("image/png", &png)),
            text("</image>"),
        ]),
        "the file's own bytes: it fits the model's budget"
    );
    let user_messages = items_of(&notifications, "userMessage");
    assert_eq!(user_messages.len(), 2, "started and completed");
    for (_, item) in &user_messages {
        assert_eq!(
            item["content"], input,
            "the host sees the input as it gave it"
        );
    }
    let read = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    assert_eq!(read["thread"]["turns"][0]["items"][0]["content"], input);
    Ok(())
}

#[tokio::test]
async fn a_large_image_is_shrunk_to_the_models_budget() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::write(
        workspace.path().join("square.png"),
        image_bytes(3000, 3000, image::ImageFormat::Png),
    )?;
    std::fs::write(
        workspace.path().join("wide.jpg"),
        image_bytes(2304, 864, image::ImageFormat::Jpeg),
    )?;
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Two images."], None));
    let mut server = AppServer::spawn_with(options(&model, &[])).await?;
    server.initialize().await?;

    // Relative paths are the thread's working directory's.
    let input = json!([
        {"type": "localImage", "path": "square.png"},
        {"type": "localImage", "path": "wide.jpg"},
    ]);
    start_and_run(&mut server, workspace.path(), input).await?;

    let content = last_user_content(&model.responses_request_bodies().await[0]);
    let sizes: Vec<(String, (u32, u32))> = content
        .as_array()
        .unwrap()
        .iter()
        .filter(|part| part["type"] == "input_image")
        .map(|part| decoded(part["image_url"].as_str().unwrap()))
        .collect();
    // At most 2,048 px a side and 2,500 patches of 32 px, in the source's format.
    assert_eq!(
        sizes,
        vec![
            ("image/png".to_string(), (1600, 1600)),
            ("image/jpeg".to_string(), (2048, 768)),
        ]
    );
    assert_eq!(
        content[0],
        text("<image name=[Image #1] path=\"square.png\">")
    );
    assert_eq!(
        content[3],
        text("<image name=[Image #2] path=\"wide.jpg\">")
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_file_or_one_that_is_no_image_becomes_text_and_the_turn_goes_on()
-> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::write(workspace.path().join("notes.txt"), "not an image")?;
    let missing = workspace.path().join("missing.png");
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Nothing to see."], None));
    let mut server = AppServer::spawn_with(options(&model, &[])).await?;
    server.initialize().await?;

    let input = json!([
        {"type": "text", "text": "Look.", "text_elements": []},
        {"type": "localImage", "path": missing},
        {"type": "localImage", "path": "notes.txt"},
    ]);
    start_and_run(&mut server, workspace.path(), input).await?;

    // Upstream 0.171's words; the failed image still takes its number.
    assert_eq!(
        last_user_content(&model.responses_request_bodies().await[0]),
        json!([
            text("Look."),
            text(&format!(
                "Codex could not read the local image at `{}`: No such file or directory (os error 2)",
                missing.display()
            )),
            text("<image name=[Image #2] path=\"notes.txt\">"),
            text("image content omitted because it could not be processed"),
            text("</image>"),
        ])
    );
    assert!(
        server.stderr().contains("could not be read"),
        "logged on stderr: {}",
        server.stderr()
    );
    Ok(())
}

/// The model calls `view_image` on `assets/view.png` and on a missing file, then answers.
fn view_image_turn() -> Vec<MockResponse> {
    vec![
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call(
                "call_1",
                "view_image",
                &json!({"path": "assets/view.png"}).to_string(),
            ),
            sse::function_call(
                "call_2",
                "view_image",
                &json!({"path": "missing.png"}).to_string(),
            ),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["It is a gradient."], None),
    ]
}

/// The `output` of the `function_call_output` answering `call_id` in a request body.
fn call_output(body: &Value, call_id: &str) -> Value {
    body["input"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|item| item["type"] == "function_call_output" && item["call_id"] == call_id)
        })
        .map(|item| item["output"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn view_image_shows_an_image_view_and_the_next_request_carries_the_image()
-> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::create_dir(workspace.path().join("assets"))?;
    let png = image_bytes(2304, 864, image::ImageFormat::Png);
    std::fs::write(workspace.path().join("assets/view.png"), &png)?;
    let model = MockModelServer::start().await;
    model.push_responses(view_image_turn());
    let mut server = AppServer::spawn_with(options(&model, &[])).await?;
    server.initialize().await?;

    let input = json!([{"type": "text", "text": "Look at assets/view.png.", "text_elements": []}]);
    let (_, notifications) = start_and_run(&mut server, workspace.path(), input).await?;

    let bodies = model.responses_request_bodies().await;
    let view_image_tool = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == "view_image")
        .cloned();
    assert_eq!(
        view_image_tool,
        Some(json!({
            "type": "function",
            "name": "view_image",
            "description": "View a local image file from the filesystem when visual inspection is needed. Use this for images already available on disk.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Local filesystem path to an image file."}
                },
                "required": ["path"],
                "additionalProperties": false
            }
        }))
    );
    let path = workspace.path().join("assets/view.png");
    let item = json!({"type": "imageView", "id": "call_1", "path": path});
    assert_eq!(
        items_of(&notifications, "imageView"),
        vec![
            ("item/started".to_string(), item.clone()),
            ("item/completed".to_string(), item)
        ],
        "one item, for the image that was shown"
    );
    let output = call_output(&bodies[1], "call_1");
    assert_eq!(output[0]["detail"], "high");
    assert_eq!(output.as_array().map(Vec::len), Some(1));
    assert_eq!(
        decoded(output[0]["image_url"].as_str().unwrap()),
        ("image/png".to_string(), (2048, 768))
    );
    assert_eq!(
        call_output(&bodies[1], "call_2"),
        json!(format!(
            "unable to locate image at `{}`: No such file or directory (os error 2)",
            workspace.path().join("missing.png").display()
        ))
    );
    Ok(())
}

#[tokio::test]
async fn a_resumed_thread_sends_its_images_again() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::create_dir(workspace.path().join("assets"))?;
    std::fs::write(
        workspace.path().join("assets/view.png"),
        image_bytes(40, 30, image::ImageFormat::Png),
    )?;
    let shot = image_bytes(20, 10, image::ImageFormat::Jpeg);
    std::fs::write(workspace.path().join("shot.jpg"), &shot)?;
    let model = MockModelServer::start().await;
    model.push_responses(view_image_turn());
    model.push_response(MockResponse::assistant_message(&["Still here."], None));
    let mut server = AppServer::spawn_with(options(&model, &[])).await?;
    server.initialize().await?;
    let input = json!([
        {"type": "text", "text": "Compare.", "text_elements": []},
        {"type": "localImage", "path": "shot.jpg"},
    ]);
    let (thread_id, _) = start_and_run(&mut server, workspace.path(), input).await?;
    let before = model.responses_request_bodies().await;
    let user_content = last_user_content(&before[1]);
    let viewed = call_output(&before[1], "call_1");
    assert_eq!(user_content[2], input_image(&data_url("image/jpeg", &shot)));

    // The images live in the rollout: a new daemon resends them, and the file is not read again.
    std::fs::remove_file(workspace.path().join("shot.jpg"))?;
    let codex_home = server.into_codex_home().await?;
    let mut server = AppServer::spawn_in(codex_home, options(&model, &[])).await?;
    server.initialize().await?;
    let resumed = server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let items: Vec<Value> = resumed["thread"]["turns"][0]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        items.contains(&json!({
            "type": "imageView", "id": "call_1", "path": workspace.path().join("assets/view.png"),
        })),
        "{items:?}"
    );
    run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "Again?", "text_elements": []}]),
    )
    .await?;
    let after = model.responses_request_bodies().await;
    let resent = &after[2]["input"];
    let first_user = resent
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["role"] == "user" && item["content"][0] == text("Compare."))
        .map(|item| item["content"].clone());
    assert_eq!(first_user, Some(user_content));
    assert_eq!(call_output(&after[2], "call_1"), viewed);
    Ok(())
}

#[tokio::test]
async fn a_compacted_thread_keeps_the_images_of_its_recent_messages() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let png = image_bytes(16, 16, image::ImageFormat::Png);
    std::fs::write(workspace.path().join("a.png"), &png)?;
    let model = MockModelServer::start().await;
    let first = MockResponse::assistant_message(&["first answer"], None);
    let last = first.events().len() - 1;
    model.push_responses([
        first.with_event_at(
            last,
            sse::completed_with_usage("resp_1", 24_990, 0, 10, 0, 25_000),
        ),
        MockResponse::assistant_message(&["SUMMARY: an image was shown."], None),
        MockResponse::assistant_message(&["second answer"], None),
    ]);
    let mut server = AppServer::spawn_with(options(
        &model,
        // Big enough a limit that the recent messages a compaction keeps (a quarter of it) hold the image.
        &["-c", "model_auto_compact_token_limit=20000"],
    ))
    .await?;
    server.initialize().await?;
    let input = json!([
        {"type": "text", "text": "Remember this.", "text_elements": []},
        {"type": "localImage", "path": "a.png"},
    ]);
    let (thread_id, _) = start_and_run(&mut server, workspace.path(), input).await?;
    run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "And now?", "text_elements": []}]),
    )
    .await?;

    let bodies = model.responses_request_bodies().await;
    assert_eq!(bodies.len(), 3, "turn 1, the compaction, turn 2");
    let kept = bodies[2]["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["role"] == "user" && item["content"][0] == text("Remember this."))
        .map(|item| item["content"].clone());
    assert_eq!(
        kept,
        Some(json!([
            text("Remember this."),
            text("<image name=[Image #1] path=\"a.png\">"),
            input_image(&data_url("image/png", &png)),
            text("</image>"),
        ]))
    );
    Ok(())
}
