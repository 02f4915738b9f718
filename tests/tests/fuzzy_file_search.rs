//! Fuzzy file search through the real binary: `fuzzyFileSearch` ranks files and directories with upstream
//! 0.171's scores and indices (the expected objects below are what 0.171 answers for the same trees),
//! `.gitignore` applies inside a git repository, a search with the same cancellation token makes the running
//! one answer no files, a tree changed since the last search is searched afresh, the experimental sessions
//! report each query after its answer, and bad input is answered as upstream does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::fs;
use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn server() -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn().await?;
    server.initialize_experimental().await?;
    Ok(server)
}

fn touch(root: &Path, path: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, "").unwrap();
}

/// A small project: sources, docs, a hidden directory and an ignored build output.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        "Main.rs",
        "src/main.rs",
        "src/lib.rs",
        "src/nested/mod.rs",
        "docs/readme.md",
        ".hidden/secret.rs",
        "target/out.rs",
    ] {
        touch(dir.path(), path);
    }
    fs::write(dir.path().join(".gitignore"), "target/\n").unwrap();
    dir
}

fn root_of(dir: &tempfile::TempDir) -> String {
    dir.path().display().to_string()
}

fn found(root: &str, path: &str, match_type: &str, score: u32, indices: &[u32]) -> Value {
    let file_name = path.rsplit('/').next().unwrap();
    json!({
        "root": root, "path": path, "match_type": match_type, "file_name": file_name,
        "score": score, "indices": indices,
    })
}

async fn search(server: &mut AppServer, query: &str, roots: Value) -> anyhow::Result<Value> {
    server
        .call("fuzzyFileSearch", json!({"query": query, "roots": roots}))
        .await
}

#[tokio::test]
async fn ranks_files_and_directories_with_upstreams_scores_and_indices() -> anyhow::Result<()> {
    let dir = project();
    let root = root_of(&dir);
    let mut server = server().await?;
    assert_eq!(
        search(&mut server, "main", json!([root])).await?,
        json!({"files": [
            found(&root, "Main.rs", "file", 65645, &[0, 1, 2, 3]),
            found(&root, "src/main.rs", "file", 65645, &[4, 5, 6, 7]),
        ]})
    );
    // A directory named exactly the query ranks first; the hidden directory is searched too.
    assert_eq!(
        search(&mut server, "nested", json!([root])).await?,
        json!({"files": [
            found(&root, "src/nested", "directory", 131231, &[4, 5, 6, 7, 8, 9]),
            found(&root, "src/nested/mod.rs", "file", 159, &[4, 5, 6, 7, 8, 9]),
        ]})
    );
    assert_eq!(
        search(&mut server, "s/m", json!([root])).await?,
        json!({"files": [
            found(&root, "src/main.rs", "file", 71, &[0, 3, 4]),
            found(&root, "src/nested/mod.rs", "file", 64, &[0, 10, 11]),
            found(&root, "docs/readme.md", "file", 51, &[3, 4, 12]),
        ]})
    );
    // No git repository here, so `.gitignore` does not apply (as upstream).
    assert_eq!(
        search(&mut server, "secret", json!([root])).await?["files"][0]["path"],
        ".hidden/secret.rs"
    );
    assert_eq!(
        search(&mut server, "out.rs", json!([root])).await?,
        json!({"files": [found(&root, "target/out.rs", "file", 196767, &[7, 8, 9, 10, 11, 12])]})
    );
    Ok(())
}

#[tokio::test]
async fn gitignore_applies_inside_a_git_repository_and_changes_are_seen() -> anyhow::Result<()> {
    let dir = project();
    fs::create_dir(dir.path().join(".git")).unwrap();
    let root = root_of(&dir);
    let mut server = server().await?;
    assert_eq!(
        search(&mut server, "out.rs", json!([root])).await?,
        json!({"files": []})
    );
    // A file created after a search is found by the next one.
    assert_eq!(
        search(&mut server, "later", json!([root])).await?,
        json!({"files": []})
    );
    touch(dir.path(), "src/later.rs");
    assert_eq!(
        search(&mut server, "later", json!([root])).await?,
        json!({"files": [found(&root, "src/later.rs", "file", 65670, &[4, 5, 6, 7, 8])]})
    );
    // Overlapping roots list an entry once, under the deepest root.
    let src = format!("{root}/src");
    assert_eq!(
        search(&mut server, "main", json!([root, src])).await?,
        json!({"files": [
            found(&root, "Main.rs", "file", 65645, &[0, 1, 2, 3]),
            found(&src, "main.rs", "file", 65645, &[0, 1, 2, 3]),
        ]})
    );
    Ok(())
}

#[tokio::test]
async fn a_search_with_the_same_token_makes_the_running_one_answer_no_files() -> anyhow::Result<()>
{
    // Enough files that the first search is still walking when the second one is read.
    let dir = tempfile::tempdir()?;
    for number in 0..20_000 {
        touch(dir.path(), &format!("d{}/file{number:05}.txt", number % 40));
    }
    let root = root_of(&dir);
    let mut server = server().await?;
    let first = json!({"id": 1, "method": "fuzzyFileSearch",
                       "params": {"query": "file", "roots": [root], "cancellationToken": "typing"}});
    let second = json!({"id": 2, "method": "fuzzyFileSearch",
                        "params": {"query": "file00042", "roots": [root], "cancellationToken": "typing"}});
    // Both lines in one write: the second is read before the first search can finish.
    server
        .send_raw(format!("{first}\n{second}\n").as_bytes())
        .await?;
    assert_eq!(
        server.read_response(1).await?,
        json!({"id": 1, "result": {"files": []}})
    );
    let answer = server.read_response(2).await?;
    assert_eq!(
        answer["result"]["files"][0],
        found(
            &root,
            "d2/file00042.txt",
            "file",
            65770,
            &[3, 4, 5, 6, 7, 8, 9, 10, 11]
        )
    );
    // A token whose search ended can be used again.
    let again = server
        .call(
            "fuzzyFileSearch",
            json!({"query": "file00042", "roots": [root], "cancellationToken": "typing"}),
        )
        .await?;
    assert_eq!(again, answer["result"]);
    Ok(())
}

/// The next message that is the answer to `id` or a session notification.
async fn next_session_message(server: &mut AppServer, id: i64) -> anyhow::Result<Value> {
    server
        .read_until(|message| {
            message["id"] == id
                || message["method"]
                    .as_str()
                    .is_some_and(|method| method.starts_with("fuzzyFileSearch/"))
        })
        .await
}

fn updated(session_id: &str, query: &str, files: Value) -> Value {
    json!({"method": "fuzzyFileSearch/sessionUpdated",
           "params": {"sessionId": session_id, "query": query, "files": files}})
}

fn completed(session_id: &str) -> Value {
    json!({"method": "fuzzyFileSearch/sessionCompleted", "params": {"sessionId": session_id}})
}

#[tokio::test]
async fn a_session_reports_each_query_after_its_answer_until_stopped() -> anyhow::Result<()> {
    let dir = project();
    let root = root_of(&dir);
    let mut server = server().await?;
    let start = server
        .send_request(
            "fuzzyFileSearch/sessionStart",
            json!({"sessionId": "s1", "roots": [root]}),
        )
        .await?;
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(next_session_message(&mut server, start).await?);
    }
    assert_eq!(
        messages,
        vec![
            json!({"id": start, "result": {}}),
            updated("s1", "", json!([])),
            completed("s1"),
        ]
    );
    let update = server
        .send_request(
            "fuzzyFileSearch/sessionUpdate",
            json!({"sessionId": "s1", "query": "main"}),
        )
        .await?;
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(next_session_message(&mut server, update).await?);
    }
    assert_eq!(
        messages,
        vec![
            json!({"id": update, "result": {}}),
            updated(
                "s1",
                "main",
                json!([
                    found(&root, "Main.rs", "file", 65645, &[0, 1, 2, 3]),
                    found(&root, "src/main.rs", "file", 65645, &[4, 5, 6, 7]),
                ])
            ),
            completed("s1"),
        ]
    );
    assert_eq!(
        server
            .call("fuzzyFileSearch/sessionStop", json!({"sessionId": "s1"}))
            .await?,
        json!({})
    );
    let late = server
        .send_request(
            "fuzzyFileSearch/sessionUpdate",
            json!({"sessionId": "s1", "query": "lib"}),
        )
        .await?;
    assert_eq!(
        server.read_response(late).await?["error"],
        json!({"code": -32600, "message": "fuzzy file search session not found: s1"})
    );
    // Stopping a session that is not running is no error (as upstream).
    assert_eq!(
        server
            .call("fuzzyFileSearch/sessionStop", json!({"sessionId": "s1"}))
            .await?,
        json!({})
    );
    // Nothing was reported after the stop.
    assert!(
        server
            .take_buffered()
            .iter()
            .all(|message| message["params"]["query"] != "lib"),
    );
    Ok(())
}

#[tokio::test]
async fn bad_input_is_answered_as_upstream_does() -> anyhow::Result<()> {
    let dir = project();
    let missing = dir.path().join("no/such/dir").display().to_string();
    let mut server = server().await?;
    assert_eq!(
        search(&mut server, "main", json!([missing])).await?,
        json!({"files": []})
    );
    assert_eq!(
        search(&mut server, "main", json!([])).await?,
        json!({"files": []})
    );
    assert_eq!(
        search(&mut server, "", json!([root_of(&dir)])).await?,
        json!({"files": []})
    );
    let cases = [
        (
            json!({"sessionId": "s", "roots": []}),
            json!({"code": -32603,
                   "message": "failed to start fuzzy file search session: at least one search directory is required"}),
        ),
        (
            json!({"sessionId": "", "roots": [root_of(&dir)]}),
            json!({"code": -32600, "message": "sessionId must not be empty"}),
        ),
    ];
    for (params, error) in cases {
        let id = server
            .send_request("fuzzyFileSearch/sessionStart", params)
            .await?;
        assert_eq!(server.read_response(id).await?["error"], error);
    }
    let id = server
        .send_request("fuzzyFileSearch", json!({"query": "main"}))
        .await?;
    assert_eq!(server.read_response(id).await?["error"]["code"], -32602);

    // The session methods are experimental; `fuzzyFileSearch` is not.
    let mut plain = AppServer::spawn().await?;
    plain.initialize().await?;
    assert_eq!(
        search(&mut plain, "main", json!([root_of(&dir)])).await?["files"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let id = plain
        .send_request(
            "fuzzyFileSearch/sessionStart",
            json!({"sessionId": "s", "roots": [root_of(&dir)]}),
        )
        .await?;
    assert_eq!(
        plain.read_response(id).await?["error"],
        json!({"code": -32600,
               "message": "fuzzyFileSearch/sessionStart requires experimentalApi capability"})
    );
    Ok(())
}
