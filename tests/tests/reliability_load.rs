//! Load through the real binary: 50 threads streaming 2,000 deltas each at once arrive complete and in
//! order per thread; and a host that reads stdout slowly slows the stream down instead of growing the
//! daemon's memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::app_server_binary;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;

const THREADS: usize = 50;
const DELTAS_PER_THREAD: usize = 2000;

/// The text `MockResponse::many_deltas(count)` streams: `"d0 d1 ... "`.
fn many_deltas_text(count: usize) -> String {
    (0..count).map(|index| format!("d{index} ")).collect()
}

fn text_input(text: &str) -> Value {
    json!([{"type": "text", "text": text, "text_elements": []}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_streams_arrive_complete_and_in_order() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses((0..THREADS).map(|_| MockResponse::many_deltas(DELTAS_PER_THREAD)));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        read_timeout: Duration::from_secs(30),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let mut thread_ids = Vec::new();
    for _ in 0..THREADS {
        let id = server.send_request("thread/start", json!({})).await?;
        let started = server.read_response(id).await?;
        thread_ids.push(
            started["result"]["thread"]["id"]
                .as_str()
                .with_context(|| format!("thread/start answer: {started}"))?
                .to_string(),
        );
    }
    server.take_buffered();
    for thread_id in &thread_ids {
        server
            .send_request(
                "turn/start",
                json!({"threadId": thread_id, "input": text_input("stream")}),
            )
            .await?;
    }

    let mut streamed: BTreeMap<String, String> = BTreeMap::new();
    let mut delta_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut final_texts: BTreeMap<String, String> = BTreeMap::new();
    let mut turns_completed: BTreeMap<String, Value> = BTreeMap::new();
    while turns_completed.len() < THREADS {
        let message = server.read_message().await?;
        let params = &message["params"];
        let thread_id = params["threadId"].as_str().unwrap_or_default().to_string();
        match message["method"].as_str().unwrap_or_default() {
            "item/agentMessage/delta" => {
                streamed
                    .entry(thread_id.clone())
                    .or_default()
                    .push_str(params["delta"].as_str().unwrap_or_default());
                *delta_counts.entry(thread_id).or_default() += 1;
            }
            "item/completed" if params["item"]["type"] == "agentMessage" => {
                final_texts.insert(
                    thread_id,
                    params["item"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            "turn/completed" => {
                let previous = turns_completed.insert(thread_id, params["turn"]["status"].clone());
                assert_eq!(previous, None, "a second turn/completed: {message}");
            }
            _ => {}
        }
    }

    let expected_text = many_deltas_text(DELTAS_PER_THREAD);
    let per_thread = |value: &dyn Fn() -> Value| -> BTreeMap<String, Value> {
        thread_ids.iter().map(|id| (id.clone(), value())).collect()
    };
    assert_eq!(turns_completed, per_thread(&|| json!("completed")));
    assert_eq!(
        delta_counts
            .into_iter()
            .map(|(id, count)| (id, json!(count)))
            .collect::<BTreeMap<_, _>>(),
        per_thread(&|| json!(DELTAS_PER_THREAD))
    );
    // Concatenated in arrival order, the numbered deltas spell the stream only if none is lost, doubled
    // or out of order.
    assert_eq!(
        streamed
            .into_iter()
            .map(|(id, text)| (id, json!(text)))
            .collect::<BTreeMap<_, _>>(),
        per_thread(&|| json!(expected_text))
    );
    assert_eq!(
        final_texts
            .into_iter()
            .map(|(id, text)| (id, json!(text)))
            .collect::<BTreeMap<_, _>>(),
        per_thread(&|| json!(expected_text))
    );
    Ok(())
}

/// `VmHWM` (peak resident set) or `VmRSS` of a process, in bytes.
fn memory_of(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kilobytes = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|value| value.trim().parse::<u64>().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))?;
    Ok(kilobytes * 1024)
}

const SLOW_READER_DELTAS: usize = 100_000;
/// What the daemon may grow by while the host is not reading; without backpressure the whole stream
/// (about 45 MB of queued notifications on this stream) would pile up.
const GROWTH_BOUND: u64 = 30 * 1024 * 1024;
const PEAK_BOUND: u64 = 150 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_slows_the_stream_instead_of_growing_memory() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::many_deltas(SLOW_READER_DELTAS));
    let codex_home = tempfile::tempdir()?;
    // Spawned by hand: the harness reads stdout eagerly, and this host must not.
    let mut child = tokio::process::Command::new(app_server_binary()?)
        .args(mock_provider_args(
            &model.uri(),
            &MockProviderOptions::default(),
        ))
        .env("CODEX_HOME", codex_home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("pid")?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let mut read_until_answer = async |id: i64| -> anyhow::Result<Value> {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
                .await??
                .context("stdout closed")?;
            let message: Value = serde_json::from_str(&line)?;
            if message["id"] == json!(id) && message.get("method").is_none() {
                return Ok(message);
            }
        }
    };
    for line in [
        json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "slow", "version": "1"}}}),
        json!({"method": "initialized"}),
        json!({"id": 1, "method": "thread/start", "params": {}}),
    ] {
        stdin.write_all(format!("{line}\n").as_bytes()).await?;
    }
    read_until_answer(0).await?;
    let started = read_until_answer(1).await?;
    let thread_id = started["result"]["thread"]["id"].clone();
    let baseline = memory_of(pid, "VmRSS")?;
    let turn = json!({"id": 2, "method": "turn/start", "params": {"threadId": thread_id, "input": text_input("flood")}});
    stdin.write_all(format!("{turn}\n").as_bytes()).await?;

    // The host stops reading while the model streams as fast as it can.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let mut deltas = 0usize;
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
            .await??
            .context("stdout closed mid-stream")?;
        let message: Value = serde_json::from_str(&line)?;
        match message["method"].as_str() {
            Some("item/agentMessage/delta") => {
                deltas += 1;
                if deltas.is_multiple_of(20_000) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Some("turn/completed") => {
                assert_eq!(
                    message["params"]["turn"]["status"],
                    json!("completed"),
                    "{message}"
                );
                break;
            }
            _ => {}
        }
    }
    let peak = memory_of(pid, "VmHWM")?;
    assert_eq!(deltas, SLOW_READER_DELTAS);
    assert!(peak < PEAK_BOUND, "peak RSS {} MB", peak >> 20);
    assert!(
        peak.saturating_sub(baseline) < GROWTH_BOUND,
        "grew {} MB over a {} MB baseline while the host was not reading",
        peak.saturating_sub(baseline) >> 20,
        baseline >> 20
    );
    drop(stdin);
    tokio::time::timeout(Duration::from_secs(5), child.wait()).await??;
    Ok(())
}
