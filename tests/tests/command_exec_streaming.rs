//! Streaming `command/exec` (0.171) through the real binary: output as base64 `command/exec/outputDelta`s
//! and an empty final stdout, stdin written and closed, a PTY resized, terminate (137), `outputBytesCap`
//! with `capReached`, processes killed when the connection closes, and upstream's exact errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use codex_app_server_tests::app_server::AppServer;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn server() -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;
    Ok(server)
}

fn result(exit_code: i32, stdout: &str, stderr: &str) -> Value {
    json!({"exitCode": exit_code, "stdout": stdout, "stderr": stderr})
}

fn error(code: i64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

fn b64(text: &str) -> String {
    BASE64.encode(text)
}

/// A `command/exec` of `command` unsandboxed in a temporary directory, with `extra` fields.
fn exec_params(command: &[&str], extra: Value) -> Value {
    let mut params = json!({
        "command": command,
        "cwd": std::env::temp_dir(),
        "sandboxPolicy": {"type": "dangerFullAccess"},
    });
    if let (Some(params), Value::Object(extra)) = (params.as_object_mut(), extra) {
        params.extend(extra);
    }
    params
}

/// The `params` of every output delta read until request `id` is answered, and the answer.
async fn deltas_until_answer(
    server: &mut AppServer,
    id: i64,
) -> anyhow::Result<(Vec<Value>, Value)> {
    let mut deltas = Vec::new();
    loop {
        let message = server
            .read_until(|message| {
                message["method"] == "command/exec/outputDelta" || message["id"] == id
            })
            .await?;
        if message["id"] == id {
            return Ok((deltas, message));
        }
        deltas.push(message["params"].clone());
    }
}

/// Reads output deltas until what `stream` decoded to so far ends with `suffix`; returns that text.
async fn read_output_until(
    server: &mut AppServer,
    stream: &str,
    suffix: &str,
) -> anyhow::Result<String> {
    let mut text = String::new();
    while !text.ends_with(suffix) {
        let delta = server.read_notification("command/exec/outputDelta").await?;
        if delta["params"]["stream"] == stream {
            text.push_str(&decode(&delta["params"]));
        }
    }
    Ok(text)
}

fn decode(delta: &Value) -> String {
    let bytes = BASE64
        .decode(delta["deltaBase64"].as_str().unwrap_or_default())
        .expect("base64 delta");
    String::from_utf8(bytes).expect("UTF-8 delta")
}

/// What the deltas of `stream` decode to, concatenated.
fn joined(deltas: &[Value], stream: &str) -> String {
    deltas
        .iter()
        .filter(|delta| delta["stream"] == stream)
        .map(decode)
        .collect()
}

#[tokio::test]
async fn streamed_output_arrives_as_deltas_and_the_answer_has_none() -> anyhow::Result<()> {
    let mut server = server().await?;
    let id = server
        .send_request(
            "command/exec",
            exec_params(
                &["sh", "-c", "printf 'one\\ntwo\\n'; printf 'oops\\n' >&2"],
                json!({"processId": "p1", "streamStdoutStderr": true}),
            ),
        )
        .await?;
    let (deltas, answer) = deltas_until_answer(&mut server, id).await?;
    assert_eq!(
        (
            joined(&deltas, "stdout"),
            joined(&deltas, "stderr"),
            deltas
                .iter()
                .all(|delta| delta["processId"] == "p1" && delta["capReached"] == false),
            answer,
        ),
        (
            "one\ntwo\n".to_string(),
            "oops\n".to_string(),
            true,
            json!({"id": id, "result": result(0, "", "")}),
        )
    );
    Ok(())
}

#[tokio::test]
async fn stdin_is_written_and_closed() -> anyhow::Result<()> {
    let mut server = server().await?;
    let id = server
        .send_request(
            "command/exec",
            exec_params(
                &["cat"],
                json!({"processId": "cat", "streamStdin": true, "streamStdoutStderr": true}),
            ),
        )
        .await?;
    let written = server
        .call(
            "command/exec/write",
            json!({"processId": "cat", "deltaBase64": b64("hello\n")}),
        )
        .await?;
    let echoed = read_output_until(&mut server, "stdout", "\n").await?;
    let closed = server
        .call(
            "command/exec/write",
            json!({"processId": "cat", "closeStdin": true}),
        )
        .await?;
    let (rest, answer) = deltas_until_answer(&mut server, id).await?;
    assert_eq!(
        (written, echoed, closed, rest, answer),
        (
            json!({}),
            "hello\n".to_string(),
            json!({}),
            Vec::new(),
            json!({"id": id, "result": result(0, "", "")}),
        )
    );
    Ok(())
}

#[tokio::test]
async fn a_pty_starts_at_24x80_and_is_resized() -> anyhow::Result<()> {
    let mut server = server().await?;
    let id = server
        .send_request(
            "command/exec",
            exec_params(
                &[
                    "sh",
                    "-c",
                    "stty size; read line; stty size; echo got:$line",
                ],
                json!({"processId": "tty", "tty": true}),
            ),
        )
        .await?;
    let first = read_output_until(&mut server, "stdout", "24 80\r\n").await?;
    let resized = server
        .call(
            "command/exec/resize",
            json!({"processId": "tty", "size": {"rows": 30, "cols": 100}}),
        )
        .await?;
    server
        .call(
            "command/exec/write",
            json!({"processId": "tty", "deltaBase64": b64("hi\n")}),
        )
        .await?;
    let (deltas, answer) = deltas_until_answer(&mut server, id).await?;
    assert_eq!(
        (
            first,
            resized,
            joined(&deltas, "stdout"),
            joined(&deltas, "stderr"),
            answer
        ),
        (
            "24 80\r\n".to_string(),
            json!({}),
            // The terminal echoes the typed line, as a terminal does.
            "hi\r\n30 100\r\ngot:hi\r\n".to_string(),
            String::new(),
            json!({"id": id, "result": result(0, "", "")}),
        )
    );
    Ok(())
}

#[tokio::test]
async fn terminate_kills_the_command_with_137() -> anyhow::Result<()> {
    let mut server = server().await?;
    let id = server
        .send_request(
            "command/exec",
            exec_params(&["sleep", "100"], json!({"processId": "s1"})),
        )
        .await?;
    // Registered before it answers anything: a write to it is refused for its stdin, not its id.
    let refused = server
        .send_request(
            "command/exec/write",
            json!({"processId": "s1", "deltaBase64": b64("x")}),
        )
        .await?;
    let refused = server.read_response(refused).await?;
    let terminated = server
        .call("command/exec/terminate", json!({"processId": "s1"}))
        .await?;
    let answer = server.read_response(id).await?;
    let again = server
        .send_request("command/exec/terminate", json!({"processId": "s1"}))
        .await?;
    let again = server.read_response(again).await?;
    assert_eq!(
        (
            refused["error"].clone(),
            terminated,
            answer,
            again["error"].clone()
        ),
        (
            error(
                -32600,
                "stdin streaming is not enabled for this command/exec"
            ),
            json!({}),
            json!({"id": id, "result": result(137, "", "")}),
            error(-32600, "no active command/exec for process id \"s1\""),
        )
    );
    Ok(())
}

#[tokio::test]
async fn output_bytes_cap_cuts_each_stream() -> anyhow::Result<()> {
    let mut server = server().await?;
    let script = ["sh", "-c", "seq 1 100; seq 1 50 >&2"];
    let first_20 = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10";
    let id = server
        .send_request(
            "command/exec",
            exec_params(
                &script,
                json!({"processId": "cap", "streamStdoutStderr": true, "outputBytesCap": 20}),
            ),
        )
        .await?;
    let (mut deltas, answer) = deltas_until_answer(&mut server, id).await?;
    deltas.sort_by_key(|delta| delta["stream"].to_string());
    let buffered = server
        .call(
            "command/exec",
            exec_params(&script, json!({"outputBytesCap": 20})),
        )
        .await?;
    let delta = |stream: &str| json!({"processId": "cap", "stream": stream, "deltaBase64": b64(first_20), "capReached": true});
    assert_eq!(
        (deltas, answer, buffered),
        (
            vec![delta("stderr"), delta("stdout")],
            json!({"id": id, "result": result(0, "", "")}),
            result(0, first_20, first_20),
        )
    );
    Ok(())
}

#[tokio::test]
async fn errors_are_upstreams() -> anyhow::Result<()> {
    let mut server = server().await?;
    let running = server
        .send_request(
            "command/exec",
            exec_params(
                &["sleep", "100"],
                json!({"processId": "dup", "streamStdin": true}),
            ),
        )
        .await?;
    // The write answers once the first command is registered, so the duplicate comes after it.
    let write_ok = server
        .call(
            "command/exec/write",
            json!({"processId": "dup", "deltaBase64": ""}),
        )
        .await?;
    let mut errors = Vec::new();
    for (method, params) in [
        (
            "command/exec",
            exec_params(&["true"], json!({"processId": "dup"})),
        ),
        (
            "command/exec/write",
            json!({"processId": "nope", "deltaBase64": b64("x")}),
        ),
        ("command/exec/terminate", json!({"processId": "nope"})),
        (
            "command/exec/resize",
            json!({"processId": "nope", "size": {"rows": 1, "cols": 1}}),
        ),
        (
            "command/exec/resize",
            json!({"processId": "dup", "size": {"rows": 1, "cols": 1}}),
        ),
        ("command/exec/write", json!({"processId": "dup"})),
        (
            "command/exec",
            exec_params(&["true"], json!({"streamStdoutStderr": true})),
        ),
        (
            "command/exec",
            exec_params(
                &["true"],
                json!({"processId": "s", "size": {"rows": 1, "cols": 1}}),
            ),
        ),
        (
            "command/exec",
            exec_params(&["true"], json!({"timeoutMs": 1, "disableTimeout": true})),
        ),
    ] {
        let id = server.send_request(method, params).await?;
        errors.push(server.read_response(id).await?["error"].clone());
    }
    server
        .call("command/exec/terminate", json!({"processId": "dup"}))
        .await?;
    let answer = server.read_response(running).await?;
    assert_eq!(
        (write_ok, errors, answer["result"].clone()),
        (
            json!({}),
            vec![
                error(-32600, "duplicate active command/exec process id: \"dup\""),
                error(-32600, "no active command/exec for process id \"nope\""),
                error(-32600, "no active command/exec for process id \"nope\""),
                error(-32600, "no active command/exec for process id \"nope\""),
                error(
                    -32600,
                    "failed to resize PTY: process is not attached to a PTY"
                ),
                error(
                    -32602,
                    "command/exec/write requires deltaBase64 or closeStdin"
                ),
                error(
                    -32600,
                    "command/exec tty or streaming requires a client-supplied processId"
                ),
                error(-32602, "command/exec size requires tty: true"),
                error(
                    -32602,
                    "command/exec cannot set both timeoutMs and disableTimeout"
                ),
            ],
            result(137, "", ""),
        )
    );
    Ok(())
}

#[tokio::test]
async fn closing_the_connection_kills_its_processes() -> anyhow::Result<()> {
    let mut server = server().await?;
    server
        .send_request(
            "command/exec",
            exec_params(
                &["sh", "-c", "echo $$; exec sleep 77"],
                json!({"processId": "bg", "streamStdoutStderr": true, "disableTimeout": true}),
            ),
        )
        .await?;
    let pid = read_output_until(&mut server, "stdout", "\n").await?;
    let proc_dir = format!("/proc/{}", pid.trim());
    assert!(std::path::Path::new(&proc_dir).exists(), "{proc_dir}");
    server.close_stdin();
    // The daemon reaps what it kills before it exits.
    server.wait_exit(Duration::from_secs(10)).await?;
    assert!(
        !std::path::Path::new(&proc_dir).exists(),
        "{proc_dir} survived"
    );
    Ok(())
}
