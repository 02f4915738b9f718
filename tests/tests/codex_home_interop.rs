//! A Codex user's existing `CODEX_HOME` works both ways, checked against the real upstream binaries
//! (`upstream_codex`): threads upstream 0.105 and 0.171 wrote are listed, read with their turns,
//! resumed and continued by us (the next model request carries their history); threads we wrote are
//! listed and read with their turns by upstream (and what it archives we list as archived); names
//! travel through `session_index.jsonl`; `auth.json` written by either is read by the other.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::chatgpt_token::fake_jwt;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use codex_app_server_tests::upstream::UPSTREAM_0_105;
use codex_app_server_tests::upstream::UPSTREAM_0_171;
use codex_app_server_tests::upstream::UPSTREAM_VERSIONS;
use codex_app_server_tests::upstream::upstream_codex;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const EXIT_TIMEOUT: Duration = Duration::from_secs(20);

/// Two turns: reasoning, a command and an answer; then a plain answer. `tool` and `arguments` are
/// the command tool as the producing build offers it.
fn two_turns(tool: &str, arguments: Value) -> Vec<MockResponse> {
    vec![
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::reasoning_item_added("rs_1"),
            sse::reasoning_summary_text_delta("Thinking hard.", 0),
            sse::reasoning_item_done("rs_1", &["Thinking hard."], None),
            sse::function_call("call_1", tool, &arguments.to_string()),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["All done."], Some("final_answer")),
        MockResponse::assistant_message(&["Second answer."], Some("final_answer")),
    ]
}

/// A 1x1 PNG.
fn tiny_png() -> Vec<u8> {
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(1, 1, image::Rgb([9, 9, 9]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    png.into_inner()
}

/// The command tool each upstream generation offers the mock's model.
fn upstream_command_tool(version: &str) -> (&'static str, Value) {
    if version == UPSTREAM_0_171 {
        ("exec_command", json!({"cmd": "echo hello"}))
    } else {
        ("shell_command", json!({"command": "echo hello"}))
    }
}

/// Starts `program` (ours, or upstream's with `["app-server"]`) on `codex_home`, against `model`
/// when given (else with the default OpenAI provider, which makes upstream report the account).
async fn spawn_on(
    program: Option<&Path>,
    codex_home: tempfile::TempDir,
    model: Option<&MockModelServer>,
) -> anyhow::Result<AppServer> {
    let options = AppServerOptions {
        args: model
            .map(|model| mock_provider_args(&model.uri(), &MockProviderOptions::default()))
            .unwrap_or_default(),
        env: vec![("LC_ALL".to_string(), "C".to_string())],
        env_remove: vec!["OPENAI_API_KEY".to_string(), "CODEX_API_KEY".to_string()],
        ..AppServerOptions::default()
    };
    let mut server = match program {
        Some(program) => {
            AppServer::spawn_program_in(program, &["app-server"], codex_home, options).await?
        }
        None => AppServer::spawn_in(codex_home, options).await?,
    };
    server.initialize().await?;
    Ok(server)
}

/// Runs the two turns of `two_turns` in a new thread in `workspace`; returns the thread id.
async fn run_two_turns(server: &mut AppServer, workspace: &Path) -> anyhow::Result<String> {
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": workspace, "approvalPolicy": "never", "sandbox": "danger-full-access"}),
        )
        .await?;
    let response = server.read_response(id).await?;
    let thread_id = response["result"]["thread"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("thread/start failed: {response}"))?
        .to_string();
    for text in ["Run echo.", "Again."] {
        let id = server.send_turn_start(&thread_id, text).await?;
        server.read_response(id).await?;
        let completed = server.read_notification("turn/completed").await?;
        assert_eq!(
            completed["params"]["turn"]["status"], "completed",
            "{completed}"
        );
    }
    Ok(thread_id)
}

/// A thread's turns as both sides show them, without ids and timings.
fn turn_summaries(thread: &Value) -> Value {
    let turns = thread["turns"].as_array().cloned().unwrap_or_default();
    Value::Array(
        turns
            .iter()
            .map(|turn| {
                let items = turn["items"].as_array().cloned().unwrap_or_default();
                json!({
                    "status": turn["status"],
                    "items": items.iter().map(item_summary).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn item_summary(item: &Value) -> Value {
    match item["type"].as_str().unwrap_or_default() {
        "userMessage" => json!({"user": item["content"][0]["text"]}),
        "agentMessage" => json!({"agent": item["text"], "phase": item["phase"]}),
        "reasoning" => json!({"reasoning": item["summary"]}),
        "commandExecution" => json!({
            "command": item["command"],
            "exitCode": item["exitCode"],
            "output": item["aggregatedOutput"],
        }),
        "imageView" => json!({"imageView": item["path"]}),
        other => json!({"other": other}),
    }
}

/// The user and assistant texts of a model request's `input`, leaving out the context messages
/// (instructions, environment) each build words its own way, and the tool calls by their call ids.
fn conversation(input: &Value) -> Vec<String> {
    let items = input.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|item| match item["type"].as_str() {
            Some("message") if item["role"] != "developer" => {
                let text = item["content"][0]["text"].as_str().unwrap_or_default();
                let context = text.starts_with('<') || text.starts_with("# AGENTS.md");
                (!context).then(|| format!("{}: {text}", item["role"].as_str().unwrap_or_default()))
            }
            Some("function_call") => Some(format!(
                "call {}",
                item["call_id"].as_str().unwrap_or_default()
            )),
            Some("function_call_output") => Some(format!(
                "output {}",
                item["call_id"].as_str().unwrap_or_default()
            )),
            _ => None,
        })
        .collect()
}

/// `thread/list` with `params`, each thread cut down to `fields`.
async fn list_threads(
    server: &mut AppServer,
    params: Value,
    fields: &[&str],
) -> anyhow::Result<Vec<Value>> {
    let page = server.call("thread/list", params).await?;
    let threads = page["data"].as_array().cloned().unwrap_or_default();
    Ok(threads
        .iter()
        .map(|thread| {
            let fields = fields
                .iter()
                .map(|field| (field.to_string(), thread[*field].clone()));
            Value::Object(fields.collect())
        })
        .collect())
}

/// `thread/read` with its turns.
async fn read_thread(server: &mut AppServer, thread_id: &str) -> anyhow::Result<Value> {
    let params = json!({"threadId": thread_id, "includeTurns": true});
    Ok(server.call("thread/read", params).await?["thread"].clone())
}

/// `thread/resume`, then a turn saying "Continue."; returns the body of the model request it made.
async fn continue_thread(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<Value> {
    server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    model.push_response(MockResponse::assistant_message(
        &["Continued."],
        Some("final_answer"),
    ));
    let id = server.send_turn_start(thread_id, "Continue.").await?;
    server.read_response(id).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(
        completed["params"]["turn"]["status"], "completed",
        "{completed}"
    );
    let requests = model.responses_requests().await;
    Ok(requests
        .last()
        .and_then(|request| request.body_json.clone())
        .unwrap_or_default())
}

async fn upstream_rollouts_are_listed_read_and_continued(version: &str) -> anyhow::Result<()> {
    let upstream = upstream_codex(version)?;
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let (tool, arguments) = upstream_command_tool(version);
    model.push_responses(two_turns(tool, arguments));
    let mut theirs = spawn_on(Some(&upstream), tempfile::tempdir()?, Some(&model)).await?;
    let thread_id = run_two_turns(&mut theirs, workspace.path()).await?;
    let name_params = json!({"threadId": thread_id, "name": "Named upstream"});
    theirs.call("thread/name/set", name_params).await?;
    let upstream_view = read_thread(&mut theirs, &thread_id).await?;
    let codex_home = theirs.stop_for_codex_home(EXIT_TIMEOUT).await?;

    let mut ours = spawn_on(None, codex_home, Some(&model)).await?;
    let fields = [
        "id",
        "preview",
        "cwd",
        "modelProvider",
        "cliVersion",
        "source",
        "name",
    ];
    assert_eq!(
        list_threads(&mut ours, json!({"modelProviders": ["mock"]}), &fields).await?,
        vec![json!({
            "id": thread_id, "preview": "Run echo.", "cwd": workspace.path(),
            "modelProvider": "mock", "cliVersion": version, "source": "vscode",
            "name": "Named upstream",
        })]
    );
    for filtered_out in [
        json!({"modelProviders": ["openai"]}),
        json!({"cwd": "/elsewhere"}),
        json!({"sourceKinds": ["exec", "subAgent"]}),
    ] {
        let page = ours.call("thread/list", filtered_out.clone()).await?;
        assert_eq!(page["data"], json!([]), "{filtered_out}");
    }

    let read = read_thread(&mut ours, &thread_id).await?;
    assert_eq!(
        (&read["name"], turn_summaries(&read)),
        (&json!("Named upstream"), turn_summaries(&upstream_view))
    );

    let last = continue_thread(&mut ours, &model, &thread_id).await?;
    assert_eq!(
        conversation(&last["input"]),
        vec![
            "user: Run echo.",
            "call call_1",
            "output call_1",
            "assistant: All done.",
            "user: Again.",
            "assistant: Second answer.",
            "user: Continue.",
        ]
    );

    // Back in upstream, the continued thread shows the turn we added, except in 0.171: its threads
    // keep their turns in its own SQLite history store, which only upstream writes.
    let continued = turn_summaries(&read_thread(&mut ours, &thread_id).await?);
    let mut theirs = spawn_on(
        Some(&upstream),
        ours.stop_for_codex_home(EXIT_TIMEOUT).await?,
        Some(&model),
    )
    .await?;
    let upstream_turns = if version == UPSTREAM_0_171 { 2 } else { 3 };
    assert_eq!(
        turn_summaries(&read_thread(&mut theirs, &thread_id).await?),
        Value::Array(
            continued
                .as_array()
                .into_iter()
                .flatten()
                .take(upstream_turns)
                .cloned()
                .collect()
        )
    );
    Ok(())
}

#[tokio::test]
async fn rollouts_of_upstream_0_171_are_listed_read_and_continued() -> anyhow::Result<()> {
    upstream_rollouts_are_listed_read_and_continued(UPSTREAM_0_171).await
}

#[tokio::test]
async fn rollouts_of_upstream_0_105_are_listed_read_and_continued() -> anyhow::Result<()> {
    upstream_rollouts_are_listed_read_and_continued(UPSTREAM_0_105).await
}

async fn our_rollouts_are_listed_and_read_with_their_turns_by(version: &str) -> anyhow::Result<()> {
    let upstream = upstream_codex(version)?;
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let mut responses = two_turns("shell", json!({"command": ["bash", "-c", "echo hello"]}));
    // Our second turn also searches the web and looks at an image.
    std::fs::write(workspace.path().join("pixel.png"), tiny_png())?;
    responses[2] = MockResponse::sse(vec![
        sse::response_created("resp_3"),
        sse::web_search_call("ws_1", "rust editions"),
        sse::function_call(
            "call_img",
            "view_image",
            &json!({"path": "pixel.png"}).to_string(),
        ),
        sse::completed("resp_3"),
    ]);
    responses.push(MockResponse::assistant_message(
        &["Second answer."],
        Some("final_answer"),
    ));
    model.push_responses(responses);
    let mut ours = spawn_on(None, tempfile::tempdir()?, Some(&model)).await?;
    let thread_id = run_two_turns(&mut ours, workspace.path()).await?;
    let name_params = json!({"threadId": thread_id, "name": "Named by us"});
    ours.call("thread/name/set", name_params).await?;
    let our_view = read_thread(&mut ours, &thread_id).await?;
    let codex_home = ours.stop_for_codex_home(EXIT_TIMEOUT).await?;

    let mut theirs = spawn_on(Some(&upstream), codex_home, Some(&model)).await?;
    let fields = ["id", "preview", "cwd", "name"];
    assert_eq!(
        list_threads(&mut theirs, json!({"modelProviders": ["mock"]}), &fields).await?,
        vec![json!({
            "id": thread_id, "preview": "Run echo.", "cwd": workspace.path(), "name": "Named by us",
        })]
    );
    let read = read_thread(&mut theirs, &thread_id).await?;
    let mut expected = turn_summaries(&our_view);
    if version == UPSTREAM_0_171 {
        // 0.171 rebuilds no command (nor image view) from a rollout without its own paginated history
        // store, not even from the `exec_command_begin` / `exec_command_end` it once wrote itself;
        // 0.105 does.
        for turn in expected.as_array_mut().into_iter().flatten() {
            if let Some(items) = turn["items"].as_array_mut() {
                items.retain(|item| {
                    item.get("command").is_none() && item.get("imageView").is_none()
                });
            }
        }
    }
    assert_eq!(turn_summaries(&read), expected);

    // Upstream archives it where we look for archived threads.
    theirs
        .call("thread/archive", json!({"threadId": thread_id}))
        .await?;
    let codex_home = theirs.stop_for_codex_home(EXIT_TIMEOUT).await?;
    let mut ours = spawn_on(None, codex_home, Some(&model)).await?;
    assert_eq!(
        list_threads(&mut ours, json!({"archived": true}), &["id"]).await?,
        vec![json!({"id": thread_id})]
    );
    Ok(())
}

#[tokio::test]
async fn our_rollouts_are_listed_and_read_with_their_turns_by_upstream_0_171() -> anyhow::Result<()>
{
    our_rollouts_are_listed_and_read_with_their_turns_by(UPSTREAM_0_171).await
}

#[tokio::test]
async fn our_rollouts_are_listed_and_read_with_their_turns_by_upstream_0_105() -> anyhow::Result<()>
{
    our_rollouts_are_listed_and_read_with_their_turns_by(UPSTREAM_0_105).await
}

/// `codex login --with-api-key` of `upstream` on `codex_home`, the key on stdin.
fn upstream_api_key_login(upstream: &Path, codex_home: &Path, key: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut login = std::process::Command::new(upstream)
        .args(["login", "--with-api-key"])
        .env("CODEX_HOME", codex_home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    login
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin"))?
        .write_all(key.as_bytes())?;
    let status = login.wait()?;
    anyhow::ensure!(status.success(), "upstream login failed: {status}");
    Ok(())
}

fn file_mode(path: &Path) -> anyhow::Result<u32> {
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

#[tokio::test]
async fn an_api_key_auth_json_written_by_either_side_is_read_by_the_other() -> anyhow::Result<()> {
    let mut ours = spawn_on(None, tempfile::tempdir()?, None).await?;
    let login = json!({"type": "apiKey", "apiKey": "sk-ours-written"});
    ours.call("account/login/start", login).await?;
    let our_home = ours.stop_for_codex_home(EXIT_TIMEOUT).await?;
    assert_eq!(file_mode(&our_home.path().join("auth.json"))?, 0o600);
    let our_auth_json = std::fs::read(our_home.path().join("auth.json"))?;

    for version in UPSTREAM_VERSIONS {
        let upstream = upstream_codex(version)?;
        let upstream_home = tempfile::tempdir()?;
        upstream_api_key_login(&upstream, upstream_home.path(), "sk-upstream-written")?;
        let mut ours = spawn_on(None, upstream_home, None).await?;
        let account = ours
            .call("account/read", json!({"refreshToken": false}))
            .await?;
        assert_eq!(account["account"], json!({"type": "apiKey"}), "{version}");
        ours.stop_for_codex_home(EXIT_TIMEOUT).await?;

        let home = tempfile::tempdir()?;
        std::fs::write(home.path().join("auth.json"), &our_auth_json)?;
        let mut theirs = spawn_on(Some(&upstream), home, None).await?;
        let account = theirs
            .call("account/read", json!({"refreshToken": false}))
            .await?;
        assert_eq!(account["account"], json!({"type": "apiKey"}), "{version}");
        theirs.stop_for_codex_home(EXIT_TIMEOUT).await?;
    }
    Ok(())
}

const EMAIL: &str = "interop@example.com";
const ACCOUNT_ID: &str = "acct_interop";

/// The id and access tokens of a Plus account.
fn chatgpt_tokens() -> (String, String) {
    let auth_claims = json!({"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"});
    (
        fake_jwt(&json!({"email": EMAIL, "https://api.openai.com/auth": auth_claims})),
        fake_jwt(&json!({"exp": 4_102_444_800_i64, "https://api.openai.com/auth": auth_claims})),
    )
}

/// The account as `account/read` shows it, without fields only one side has.
async fn read_chatgpt_account(server: &mut AppServer) -> anyhow::Result<Value> {
    let account = server
        .call("account/read", json!({"refreshToken": false}))
        .await?;
    let account = &account["account"];
    Ok(json!({"type": account["type"], "email": account["email"], "planType": account["planType"]}))
}

/// Signs `server` in to ChatGPT through the mock OAuth issuer it was started with.
async fn sign_in_with_chatgpt(server: &mut AppServer) -> anyhow::Result<()> {
    let login = server
        .call("account/login/start", json!({"type": "chatgpt"}))
        .await?;
    let auth_url = reqwest::Url::parse(login["authUrl"].as_str().unwrap_or_default())?;
    let param = |name: &str| {
        auth_url
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    let browser = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()?;
    let callback = format!("{}?code=x&state={}", param("redirect_uri"), param("state"));
    let answer = browser.get(callback).send().await?;
    anyhow::ensure!(
        answer.status().is_success(),
        "callback: {}",
        answer.status()
    );
    let completed = server.read_notification("account/login/completed").await?;
    anyhow::ensure!(completed["params"]["success"] == true, "{completed}");
    Ok(())
}

/// With 0.105: 0.171's `account/read` of a ChatGPT account first asks the ChatGPT backend which
/// workspace to route to, over HTTPS only, so it cannot be pointed at a loopback mock.
#[tokio::test]
async fn a_chatgpt_auth_json_written_by_either_side_is_read_by_the_other() -> anyhow::Result<()> {
    let upstream = upstream_codex(UPSTREAM_0_105)?;
    let (id_token, access_token) = chatgpt_tokens();
    let account = json!({"type": "chatgpt", "email": EMAIL, "planType": "plus"});

    // Ours, written by our sign-in, read by upstream.
    let issuer = MockModelServer::start().await;
    issuer.mount_json(
        "POST",
        "/oauth/token",
        200,
        json!({"id_token": id_token, "access_token": access_token, "refresh_token": "rt_interop"}),
    );
    let mut ours = AppServer::spawn_with(AppServerOptions {
        env: vec![
            ("CODEX_AUTH_ISSUER".to_string(), issuer.uri()),
            ("CODEX_LOGIN_CALLBACK_PORT".to_string(), "0".to_string()),
        ],
        env_remove: vec!["OPENAI_API_KEY".to_string(), "CODEX_API_KEY".to_string()],
        ..AppServerOptions::default()
    })
    .await?;
    ours.initialize().await?;
    sign_in_with_chatgpt(&mut ours).await?;
    let our_home = ours.stop_for_codex_home(EXIT_TIMEOUT).await?;
    assert_eq!(file_mode(&our_home.path().join("auth.json"))?, 0o600);
    let mut theirs = spawn_on(Some(&upstream), our_home, None).await?;
    assert_eq!(read_chatgpt_account(&mut theirs).await?, account);
    theirs.stop_for_codex_home(EXIT_TIMEOUT).await?;

    // Upstream's layout (`AuthDotJson`: mode, key, tokens, last refresh), read by both.
    let upstream_layout = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": id_token,
            "access_token": access_token,
            "refresh_token": "rt_interop",
            "account_id": ACCOUNT_ID,
        },
        // Now, so neither side thinks the tokens are due for a refresh.
        "last_refresh": chrono::Utc::now().to_rfc3339(),
    });
    for program in [Some(upstream.as_path()), None] {
        let home = tempfile::tempdir()?;
        std::fs::write(home.path().join("auth.json"), upstream_layout.to_string())?;
        let mut server = spawn_on(program, home, None).await?;
        assert_eq!(
            read_chatgpt_account(&mut server).await?,
            account,
            "{program:?}"
        );
        server.stop_for_codex_home(EXIT_TIMEOUT).await?;
    }
    Ok(())
}
