//! Tests of the MCP test server (`mcp_test_server`) itself, driven by the MCP SDK's client side over stdio
//! and streamable HTTP, and by hand where the point is the raw stream (garbage, a crash, exit statuses):
//! its catalog, its tools and resources, the HTTP checks, the misbehaviors, and the launch helpers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::process::Stdio;
use std::time::Duration;

use codex_app_server_tests::mcp_server::HttpMcpServer;
use codex_app_server_tests::mcp_server::mcp_test_server_bin;
use codex_app_server_tests::mcp_server::stdio_server_toml;
use codex_app_server_tests::mcp_test_server::GARBAGE_LINES;
use codex_app_server_tests::mcp_test_server::LONG_TOOL_NAME;
use codex_app_server_tests::mcp_test_server::PNG_BASE64;
use pretty_assertions::assert_eq;
use rmcp::ClientHandler;
use rmcp::ErrorData;
use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequest;
use rmcp::model::CallToolRequestParams;
use rmcp::model::ClientCapabilities;
use rmcp::model::ClientInfo;
use rmcp::model::ClientRequest;
use rmcp::model::CreateElicitationRequestParams;
use rmcp::model::CreateElicitationResult;
use rmcp::model::ElicitationAction;
use rmcp::model::ElicitationCapability;
use rmcp::model::FormElicitationCapability;
use rmcp::model::ProgressNotificationParam;
use rmcp::model::ProtocolVersion;
use rmcp::model::ReadResourceRequestParams;
use rmcp::model::ServerResult;
use rmcp::service::NotificationContext;
use rmcp::service::PeerRequestOptions;
use rmcp::service::RequestContext;
use rmcp::service::RunningService;
use rmcp::service::ServiceError;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::TokioChildProcess;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::sync::mpsc;

/// How long any one wait for the server may take before the test fails.
const WAIT: Duration = Duration::from_secs(10);

/// A client that records progress notifications and elicitation requests, and accepts every elicitation
/// with `{"name": "Ada"}` when it advertises the capability.
#[derive(Clone)]
struct TestClient {
    elicitation: bool,
    progress: mpsc::UnboundedSender<ProgressNotificationParam>,
    elicitations: mpsc::UnboundedSender<CreateElicitationRequestParams>,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientInfo {
        ClientInfo {
            protocol_version: ProtocolVersion::V_2025_06_18,
            capabilities: ClientCapabilities {
                elicitation: self.elicitation.then(|| ElicitationCapability {
                    form: Some(FormElicitationCapability::default()),
                    url: None,
                }),
                ..ClientCapabilities::default()
            },
            ..ClientInfo::default()
        }
    }

    async fn create_elicitation(
        &self,
        request: CreateElicitationRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateElicitationResult, ErrorData> {
        self.elicitations.send(request).unwrap();
        Ok(CreateElicitationResult {
            action: ElicitationAction::Accept,
            content: Some(json!({"name": "Ada"})),
        })
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.send(params).unwrap();
    }
}

/// A connected client and what the server has sent it besides answers.
struct Connected {
    client: RunningService<RoleClient, TestClient>,
    progress: mpsc::UnboundedReceiver<ProgressNotificationParam>,
    elicitations: mpsc::UnboundedReceiver<CreateElicitationRequestParams>,
}

impl Connected {
    /// Calls `name` and returns the whole result as JSON.
    async fn call(&self, name: &str, arguments: Value) -> Value {
        let result = tokio::time::timeout(WAIT, self.client.call_tool(params(name, arguments)))
            .await
            .expect("the call is answered in time")
            .unwrap();
        serde_json::to_value(result).unwrap()
    }
}

fn test_client(elicitation: bool) -> (TestClient, Receivers) {
    let (progress_tx, progress) = mpsc::unbounded_channel();
    let (elicitations_tx, elicitations) = mpsc::unbounded_channel();
    let client = TestClient {
        elicitation,
        progress: progress_tx,
        elicitations: elicitations_tx,
    };
    (
        client,
        Receivers {
            progress,
            elicitations,
        },
    )
}

/// The receiving halves of a [`TestClient`], before it connects.
struct Receivers {
    progress: mpsc::UnboundedReceiver<ProgressNotificationParam>,
    elicitations: mpsc::UnboundedReceiver<CreateElicitationRequestParams>,
}

fn server_command(args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(mcp_test_server_bin());
    command.args(args);
    command
}

async fn connect_stdio_with(command: tokio::process::Command, elicitation: bool) -> Connected {
    let (client, receivers) = test_client(elicitation);
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = tokio::time::timeout(WAIT, client.serve(transport))
        .await
        .expect("initialize completes in time")
        .unwrap();
    Connected {
        client,
        progress: receivers.progress,
        elicitations: receivers.elicitations,
    }
}

async fn connect_stdio(args: &[&str]) -> Connected {
    connect_stdio_with(server_command(args), true).await
}

async fn connect_http(
    http_client: reqwest::Client,
    config: StreamableHttpClientTransportConfig,
) -> Connected {
    let (client, receivers) = test_client(true);
    let transport = StreamableHttpClientTransport::with_client(http_client, config);
    let client = tokio::time::timeout(WAIT, client.serve(transport))
        .await
        .expect("initialize completes in time")
        .unwrap();
    Connected {
        client,
        progress: receivers.progress,
        elicitations: receivers.elicitations,
    }
}

fn params(name: &str, arguments: Value) -> CallToolRequestParams {
    CallToolRequestParams {
        meta: None,
        name: name.to_string().into(),
        arguments: arguments.as_object().cloned(),
        task: None,
    }
}

fn text_result(text: &str) -> Value {
    json!({"content": [{"type": "text", "text": text}], "isError": false})
}

fn empty_object() -> Value {
    json!({"type": "object", "properties": {}})
}

#[tokio::test]
async fn stdio_initialize_reports_the_name_version_and_capabilities() {
    let server = connect_stdio(&["--name", "named-server"]).await;
    let info = server.client.peer_info().unwrap();
    assert_eq!(
        json!({"name": "named-server", "version": "1.2.3"}),
        serde_json::to_value(&info.server_info).unwrap()
    );
    assert_eq!(
        json!({"resources": {}, "tools": {}}),
        serde_json::to_value(&info.capabilities).unwrap()
    );
    assert_eq!("2025-06-18", info.protocol_version.to_string());
}

#[tokio::test]
async fn stdio_lists_every_tool_with_its_schema_and_annotations() {
    let server = connect_stdio(&[]).await;
    let tools = server.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        vec![
            "echo",
            "add",
            "image",
            "progress",
            "slow",
            "crash",
            "huge",
            "fail",
            "env",
            "cwd",
            "elicit",
            "delete_everything",
            "read_only_lookup",
            "weird.name/with spaces",
            "very_long_tool_name_very_long_tool_name_very_long_tool_name_very_long_",
            "loose_schema",
        ],
        names
    );
    assert_eq!(70, LONG_TOOL_NAME.len());
    let by_name = |name: &str| {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        serde_json::to_value(tool).unwrap()
    };
    assert_eq!(
        json!({
            "name": "add",
            "description": "Adds two numbers; the sum comes as text and as structured content.",
            "inputSchema": {
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"],
            },
            "outputSchema": {
                "type": "object",
                "properties": {"sum": {"type": "number"}},
                "required": ["sum"],
            },
        }),
        by_name("add")
    );
    assert_eq!(
        json!({
            "name": "delete_everything",
            "description": "Pretends to delete everything (a destructive tool; deletes nothing).",
            "inputSchema": empty_object(),
            "annotations": {"readOnlyHint": false, "destructiveHint": true, "openWorldHint": false},
        }),
        by_name("delete_everything")
    );
    assert_eq!(
        json!({
            "name": "read_only_lookup",
            "description": "Looks up a key (a read-only tool).",
            "inputSchema": {
                "type": "object",
                "properties": {"key": {"type": "string"}},
                "required": ["key"],
            },
            "annotations": {"readOnlyHint": true},
        }),
        by_name("read_only_lookup")
    );
    assert_eq!(
        json!({
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "anything": {},
                "choice": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                "items": {"type": "array"},
            },
        }),
        by_name("loose_schema")["inputSchema"]
    );
}

#[tokio::test]
async fn stdio_tools_answer_with_text_structured_and_image_content() {
    let workspace = tempfile::tempdir().unwrap();
    let mut command = server_command(&[]);
    command
        .current_dir(workspace.path())
        .env("MCP_TEST_VARIABLE", "some value")
        .env_remove("MCP_TEST_UNSET_VARIABLE");
    let server = connect_stdio_with(command, true).await;

    assert_eq!(
        text_result("echo: hello there"),
        server.call("echo", json!({"text": "hello there"})).await
    );
    assert_eq!(
        json!({"content": [{"type": "text", "text": "5"}], "structuredContent": {"sum": 5}, "isError": false}),
        server.call("add", json!({"a": 2, "b": 3})).await
    );
    assert_eq!(
        json!({"content": [{"type": "text", "text": "4.0"}], "structuredContent": {"sum": 4.0}, "isError": false}),
        server.call("add", json!({"a": 1.5, "b": 2.5})).await
    );
    assert_eq!(
        json!({
            "content": [
                {"type": "image", "data": PNG_BASE64, "mimeType": "image/png"},
                {"type": "text", "text": "an image"},
            ],
            "isError": false,
        }),
        server.call("image", json!({})).await
    );
    assert_eq!(
        json!({"content": [{"type": "text", "text": "the tool failed on purpose"}], "isError": true}),
        server.call("fail", json!({})).await
    );
    assert_eq!(
        text_result("slept 1 ms"),
        server.call("slow", json!({"ms": 1})).await
    );
    assert_eq!(
        text_result(&"x".repeat(100_000)),
        server.call("huge", json!({"bytes": 100_000})).await
    );
    assert_eq!(
        text_result("some value"),
        server
            .call("env", json!({"name": "MCP_TEST_VARIABLE"}))
            .await
    );
    assert_eq!(
        text_result("<unset>"),
        server
            .call("env", json!({"name": "MCP_TEST_UNSET_VARIABLE"}))
            .await
    );
    let cwd = workspace.path().canonicalize().unwrap();
    assert_eq!(
        text_result(&cwd.display().to_string()),
        server.call("cwd", json!({})).await
    );
    assert_eq!(
        text_result("deleted nothing (test)"),
        server.call("delete_everything", json!({})).await
    );
    assert_eq!(
        text_result("value of color"),
        server
            .call("read_only_lookup", json!({"key": "color"}))
            .await
    );
    assert_eq!(
        text_result("weird"),
        server.call("weird.name/with spaces", json!({})).await
    );
    assert_eq!(
        text_result("long"),
        server.call(LONG_TOOL_NAME, json!({})).await
    );
    let loose = server
        .call(
            "loose_schema",
            json!({"count": 2, "anything": [null], "choice": "a"}),
        )
        .await;
    let echoed: Value =
        serde_json::from_str(loose["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(
        json!({"count": 2, "anything": [null], "choice": "a"}),
        echoed
    );
}

#[tokio::test]
async fn stdio_rejects_bad_arguments_and_unknown_tools() {
    let server = connect_stdio(&[]).await;
    for (name, arguments) in [("echo", json!({})), ("no_such_tool", json!({}))] {
        let error = server
            .client
            .call_tool(params(name, arguments))
            .await
            .unwrap_err();
        let ServiceError::McpError(error) = error else {
            panic!("{name}: expected an MCP error, got {error:?}");
        };
        assert_eq!(-32602, error.code.0, "{name}: {error:?}");
    }
}

#[tokio::test]
async fn progress_is_reported_to_the_calls_progress_token() {
    let mut server = connect_stdio(&[]).await;
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params(
        "progress",
        json!({"steps": 3}),
    )));
    let handle = server
        .client
        .send_request_with_option(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    let token = serde_json::to_value(&handle.progress_token).unwrap();
    let response = tokio::time::timeout(WAIT, handle.await_response())
        .await
        .unwrap()
        .unwrap();
    let ServerResult::CallToolResult(result) = response else {
        panic!("not a tool result: {response:?}");
    };
    assert_eq!(
        text_result("done after 3 steps"),
        serde_json::to_value(result).unwrap()
    );
    // Notifications are handled concurrently: they arrive in any order.
    let mut received = Vec::new();
    for _ in 0..3 {
        let notification = tokio::time::timeout(WAIT, server.progress.recv())
            .await
            .unwrap()
            .unwrap();
        received.push(serde_json::to_value(notification).unwrap());
    }
    received.sort_by(|a, b| {
        a["progress"]
            .as_f64()
            .partial_cmp(&b["progress"].as_f64())
            .unwrap()
    });
    let expected: Vec<Value> = (1..=3)
        .map(|step| {
            json!({
                "progressToken": token,
                "progress": f64::from(step),
                "total": 3.0,
                "message": format!("step {step} of 3"),
            })
        })
        .collect();
    assert_eq!(expected, received);
}

#[tokio::test]
async fn elicit_asks_the_client_and_reports_its_answer() {
    let mut server = connect_stdio(&[]).await;
    assert_eq!(
        text_result(r#"action=accept content={"name":"Ada"}"#),
        server
            .call("elicit", json!({"message": "Who are you?"}))
            .await
    );
    let request = server.elicitations.try_recv().unwrap();
    assert_eq!(
        json!({
            "mode": "form",
            "message": "Who are you?",
            "requestedSchema": {
                "type": "object",
                "properties": {"name": {"type": "string", "title": "Name"}},
                "required": ["name"],
            },
        }),
        serde_json::to_value(request).unwrap()
    );
}

#[tokio::test]
async fn elicit_fails_for_a_client_without_the_capability() {
    let server = connect_stdio_with(server_command(&[]), false).await;
    assert_eq!(
        json!({"content": [{"type": "text", "text": "client does not support elicitation"}], "isError": true}),
        server
            .call("elicit", json!({"message": "Who are you?"}))
            .await
    );
}

#[tokio::test]
async fn resources_are_listed_and_read() {
    let server = connect_stdio(&[]).await;
    let client = &server.client;
    assert_eq!(
        json!([
            {"uri": "test://readme", "name": "readme", "description": "A short text.", "mimeType": "text/plain"},
            {"uri": "test://logo", "name": "logo", "description": "A 1x1 PNG image.", "mimeType": "image/png"},
        ]),
        serde_json::to_value(client.list_all_resources().await.unwrap()).unwrap()
    );
    assert_eq!(
        json!([{
            "uriTemplate": "test://files/{name}",
            "name": "files",
            "description": "A text file by name.",
            "mimeType": "text/plain",
        }]),
        serde_json::to_value(client.list_all_resource_templates().await.unwrap()).unwrap()
    );
    let read = |uri: &str| {
        client.read_resource(ReadResourceRequestParams {
            meta: None,
            uri: uri.to_string(),
        })
    };
    let contents = |result| serde_json::to_value(result).unwrap();
    assert_eq!(
        json!({"contents": [{
            "uri": "test://readme",
            "mimeType": "text/plain",
            "text": "Read me: hello from the test server",
        }]}),
        contents(read("test://readme").await.unwrap())
    );
    assert_eq!(
        json!({"contents": [{"uri": "test://logo", "mimeType": "image/png", "blob": PNG_BASE64}]}),
        contents(read("test://logo").await.unwrap())
    );
    assert_eq!(
        json!({"contents": [{
            "uri": "test://files/notes.txt",
            "mimeType": "text/plain",
            "text": "contents of notes.txt",
        }]}),
        contents(read("test://files/notes.txt").await.unwrap())
    );
    let ServiceError::McpError(error) = read("test://nothing-here").await.unwrap_err() else {
        panic!("expected an MCP error");
    };
    assert_eq!(
        json!({"code": -32002, "message": "no resource test://nothing-here", "data": {"uri": "test://nothing-here"}}),
        serde_json::to_value(error).unwrap()
    );
}

#[tokio::test]
async fn tools_and_no_resources_narrow_what_the_server_offers() {
    let server = connect_stdio(&["--tools", "add,weird.name/with spaces", "--no-resources"]).await;
    let tools = server.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(vec!["add", "weird.name/with spaces"], names);
    let info = server.client.peer_info().unwrap();
    assert_eq!(
        json!({"tools": {}}),
        serde_json::to_value(&info.capabilities).unwrap()
    );
    let ServiceError::McpError(error) = server.client.list_resources(None).await.unwrap_err()
    else {
        panic!("expected an MCP error");
    };
    assert_eq!(-32601, error.code.0);
    let ServiceError::McpError(error) = server
        .client
        .call_tool(params("echo", json!({"text": "x"})))
        .await
        .unwrap_err()
    else {
        panic!("expected an MCP error");
    };
    assert_eq!(-32602, error.code.0);
}

#[tokio::test]
async fn an_unknown_tool_in_tools_is_a_startup_error() {
    let output = server_command(&["--tools", "echo,nope"])
        .output()
        .await
        .unwrap();
    assert_eq!(Some(1), output.status.code());
    assert_eq!(
        "mcp_test_server: --tools: no tool named \"nope\"\n",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// POSTs an initialize request by hand with `headers`, returning the status.
async fn raw_initialize(url: &str, headers: &[(&str, &str)]) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
        }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn http_requires_the_bearer_token() {
    let http = HttpMcpServer::spawn(&["--bearer-token", "sekret", "--name", "http-server"])
        .await
        .unwrap();
    assert!(http.url.starts_with("http://127.0.0.1:"), "{}", http.url);
    assert!(http.url.ends_with("/mcp"), "{}", http.url);
    assert_eq!(
        reqwest::StatusCode::UNAUTHORIZED,
        raw_initialize(&http.url, &[]).await
    );
    assert_eq!(
        reqwest::StatusCode::UNAUTHORIZED,
        raw_initialize(&http.url, &[("authorization", "Bearer wrong")]).await
    );
    assert_eq!(
        reqwest::StatusCode::OK,
        raw_initialize(&http.url, &[("authorization", "Bearer sekret")]).await
    );

    let config =
        StreamableHttpClientTransportConfig::with_uri(http.url.as_str()).auth_header("sekret");
    let mut server = connect_http(reqwest::Client::new(), config).await;
    let info = server.client.peer_info().unwrap();
    assert_eq!("http-server", info.server_info.name);
    assert_eq!(
        text_result("echo: over http"),
        server.call("echo", json!({"text": "over http"})).await
    );
    // Server-to-client requests and notifications travel over HTTP too.
    assert_eq!(
        text_result(r#"action=accept content={"name":"Ada"}"#),
        server.call("elicit", json!({"message": "Who?"})).await
    );
    assert!(server.elicitations.try_recv().is_ok());
    assert_eq!(
        text_result("done after 2 steps"),
        server.call("progress", json!({"steps": 2})).await
    );
    for _ in 0..2 {
        tokio::time::timeout(WAIT, server.progress.recv())
            .await
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn http_requires_the_configured_headers() {
    let http = HttpMcpServer::spawn(&[
        "--require-header",
        "X-Tenant=blue",
        "--require-header",
        "X-Other=1",
    ])
    .await
    .unwrap();
    assert_eq!(
        reqwest::StatusCode::BAD_REQUEST,
        raw_initialize(&http.url, &[]).await
    );
    assert_eq!(
        reqwest::StatusCode::BAD_REQUEST,
        raw_initialize(&http.url, &[("x-tenant", "blue")]).await
    );
    assert_eq!(
        reqwest::StatusCode::OK,
        raw_initialize(&http.url, &[("x-tenant", "blue"), ("x-other", "1")]).await
    );

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-tenant", "blue".parse().unwrap());
    headers.insert("x-other", "1".parse().unwrap());
    let http_client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let server = connect_http(
        http_client,
        StreamableHttpClientTransportConfig::with_uri(http.url.as_str()),
    )
    .await;
    assert_eq!(
        text_result("echo: tenant"),
        server.call("echo", json!({"text": "tenant"})).await
    );
}

#[tokio::test]
async fn hang_never_completes_initialize() {
    // The one place a timeout is the point: the server must stay silent, not fail.
    let (client, _receivers) = test_client(true);
    let (transport, _stderr) = TokioChildProcess::builder(server_command(&["--hang"]))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_millis(500), client.serve(transport)).await;
    assert!(
        outcome.is_err(),
        "initialize completed or failed: {:?}",
        outcome.map(|result| result.err())
    );

    let http = HttpMcpServer::spawn(&["--hang"]).await.unwrap();
    let (client, _receivers) = test_client(true);
    let transport = StreamableHttpClientTransport::with_client(
        reqwest::Client::new(),
        StreamableHttpClientTransportConfig::with_uri(http.url.as_str()),
    );
    let outcome = tokio::time::timeout(Duration::from_millis(500), client.serve(transport)).await;
    assert!(
        outcome.is_err(),
        "initialize completed or failed: {:?}",
        outcome.map(|result| result.err())
    );
}

#[tokio::test]
async fn start_log_counts_starts_and_exit_immediately_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("starts.log");
    let log_arg = log.to_str().unwrap();
    let mut pids = Vec::new();
    for _ in 0..2 {
        let mut child = server_command(&["--start-log", log_arg, "--exit-immediately"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        pids.push(child.id().unwrap());
        let status = tokio::time::timeout(WAIT, child.wait())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(Some(3), status.code());
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .await
            .unwrap();
        assert_eq!("", stdout);
    }
    let expected: String = pids.iter().map(|pid| format!("started {pid}\n")).collect();
    assert_eq!(expected, std::fs::read_to_string(&log).unwrap());
}

/// A server on stdio driven by hand, line by line.
struct RawServer {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl RawServer {
    fn spawn(args: &[&str]) -> RawServer {
        let mut child = server_command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        RawServer {
            child,
            stdin,
            stdout,
        }
    }

    async fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    async fn line(&mut self) -> Option<String> {
        tokio::time::timeout(WAIT, self.stdout.next_line())
            .await
            .unwrap()
            .unwrap()
    }

    async fn initialize(&mut self) -> Value {
        self.send(json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
        }))
        .await;
        let response: Value = serde_json::from_str(&self.line().await.unwrap()).unwrap();
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        response
    }

    async fn stderr(&mut self) -> String {
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .await
            .unwrap();
        stderr
    }
}

#[tokio::test]
async fn garbage_precedes_the_messages_on_stdout_and_logs_go_to_stderr() {
    let mut server = RawServer::spawn(&["--garbage", "--log-stderr"]);
    for garbage in GARBAGE_LINES {
        assert_eq!(Some(garbage.to_string()), server.line().await);
    }
    let response = server.initialize().await;
    assert_eq!(json!(1), response["id"]);
    assert_eq!(
        json!("test-server"),
        response["result"]["serverInfo"]["name"]
    );
    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi"}}})).await;
    assert_eq!(
        json!({"jsonrpc": "2.0", "id": 2, "result": text_result("echo: hi")}),
        serde_json::from_str::<Value>(&server.line().await.unwrap()).unwrap()
    );
    // Closing stdin ends the session: the server exits cleanly, having said nothing more on stdout.
    server.stdin = None;
    assert_eq!(None, server.line().await);
    let status = tokio::time::timeout(WAIT, server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(0), status.code());
    let stderr = server.stderr().await;
    assert!(
        stderr.starts_with("mcp_test_server: starting (pid "),
        "{stderr}"
    );
}

#[tokio::test]
async fn crash_exits_with_status_3_without_answering() {
    let mut server = RawServer::spawn(&[]);
    server.initialize().await;
    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "crash", "arguments": {}}})).await;
    assert_eq!(None, server.line().await);
    let status = tokio::time::timeout(WAIT, server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(3), status.code());
    assert_eq!(
        "mcp_test_server: crashing on purpose (tool `crash`)\n",
        server.stderr().await
    );
}

#[test]
fn stdio_server_toml_quotes_the_command_and_args() {
    let args = [
        "--name",
        "it's \"quoted\"",
        "--start-log",
        "C:\\logs\\starts.log",
    ];
    let snippet = stdio_server_toml("my server", &args);
    assert!(
        snippet.starts_with("[mcp_servers.\"my server\"]\n"),
        "{snippet}"
    );
    let parsed: toml::Value = toml::from_str(&snippet).unwrap();
    let expected = toml::Value::try_from(json!({
        "mcp_servers": {
            "my server": {
                "command": mcp_test_server_bin().display().to_string(),
                "args": args,
            },
        },
    }))
    .unwrap();
    assert_eq!(expected, parsed);
}

#[test]
fn the_png_is_a_valid_one_pixel_image() {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(PNG_BASE64)
        .unwrap();
    let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap();
    assert_eq!((1, 1), (image.width(), image.height()));
}
