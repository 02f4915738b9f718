//! The fuzzy file search figures, on the iteration's 100,000-file tree (`fuzzy_tree`) and a fresh server:
//! the first `fuzzyFileSearch` (the server walks the tree), then [`REPEATS`] more of a short and of a long
//! query each, alternating as a user typing would; each figure is the median of its repeats. The first
//! command's answers are the reference the others' top 20 are compared with (same tree, same queries): a
//! difference is noted under the table.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::fuzzy_tree::FuzzyTree;
use crate::options::BenchOptions;
use crate::scratch::spawn_in_scratch;
use crate::server_process::ServerProcess;
use crate::server_process::millis;
use crate::workload::FUZZY_LONG_QUERY as LONG_QUERY;
use crate::workload::FUZZY_SHORT_QUERY as SHORT_QUERY;

/// Searches of each query after the first search.
const REPEATS: usize = 5;
/// How many of the best matches are compared across commands.
const COMPARED: usize = 20;

/// The tree of one iteration, and the first command's answers to compare the others' with.
pub(crate) struct FuzzyFixture {
    pub(crate) tree: FuzzyTree,
    reference: Mutex<Vec<(&'static str, Vec<Value>)>>,
}

impl FuzzyFixture {
    pub(crate) fn create() -> Result<FuzzyFixture, BenchFailure> {
        Ok(FuzzyFixture {
            tree: FuzzyTree::create()?,
            reference: Mutex::new(Vec::new()),
        })
    }

    /// Records `files` as the reference for `query`, or compares them with it; a note if they differ.
    fn compare(&self, query: &'static str, files: &[Value]) -> Option<String> {
        let mut reference = self.reference.lock().unwrap_or_else(|e| e.into_inner());
        let Some((_, expected)) = reference.iter().find(|(known, _)| *known == query) else {
            reference.push((query, files.to_vec()));
            return None;
        };
        top_difference(expected, files).map(|difference| {
            format!("fuzzy search `{query}`: the top {COMPARED} differ from [1]'s: {difference}")
        })
    }
}

/// How `actual`'s best [`COMPARED`] differ from `expected`'s, if they do. Entries tied at the cut (with
/// the score of the last one compared) may be any of the tied ones; everything above must be the same.
fn top_difference(expected: &[Value], actual: &[Value]) -> Option<String> {
    let top = |files: &[Value]| files.iter().take(COMPARED).cloned().collect::<Vec<_>>();
    let (expected, actual) = (top(expected), top(actual));
    let scores = |files: &[Value]| {
        files
            .iter()
            .map(|file| file["score"].clone())
            .collect::<Vec<_>>()
    };
    if scores(&expected) != scores(&actual) {
        return Some(format!(
            "scores {:?} against {:?}",
            scores(&expected),
            scores(&actual)
        ));
    }
    let cut = expected.last().map(|file| file["score"].clone());
    let above_cut = |files: &[Value]| {
        files
            .iter()
            .filter(|file| Some(&file["score"]) != cut.as_ref())
            .map(|file| {
                json!([
                    file["root"],
                    file["path"],
                    file["match_type"],
                    file["indices"]
                ])
            })
            .collect::<Vec<_>>()
    };
    (above_cut(&expected) != above_cut(&actual)).then(|| {
        let first = expected
            .iter()
            .zip(&actual)
            .find(|(expected, actual)| expected["path"] != actual["path"]);
        format!("first different entry: {first:?}")
    })
}

/// One fresh server: the first search, then the repeats.
pub(crate) async fn fuzzy_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    fixture: &FuzzyFixture,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let (_scratch, _, mut server) = spawn_in_scratch(options, command_line, &[], stderr_log)?;
    let root = fixture.tree.root().display().to_string();
    let measured = async {
        let initialize = server
            .send_request(
                "initialize",
                json!({"clientInfo": {"name": "bench", "title": "Codex app-server bench", "version": "0.1.0"}}),
            )
            .await?;
        server.wait_for_response(initialize, "initialize").await?;
        server.send(json!({"jsonrpc": "2.0", "method": "initialized"})).await?;
        let (first_ms, _) = search(&mut server, SHORT_QUERY, &root).await?;
        samples.fuzzy_first_search_ms = Some(first_ms);
        let (mut short, mut long) = (Vec::new(), Vec::new());
        for repeat in 0..REPEATS {
            for (query, times) in [(SHORT_QUERY, &mut short), (LONG_QUERY, &mut long)] {
                let (ms, files) = search(&mut server, query, &root).await?;
                times.push(ms);
                if repeat == 0 {
                    notes.extend(fixture.compare(query, &files));
                }
            }
        }
        samples.fuzzy_short_query_ms = median(short);
        samples.fuzzy_long_query_ms = median(long);
        Ok(())
    }
    .await;
    server.shut_down().await;
    measured
}

/// One `fuzzyFileSearch` of `query` under `root`: its time and the files it answered.
async fn search(
    server: &mut ServerProcess,
    query: &str,
    root: &str,
) -> Result<(f64, Vec<Value>), BenchFailure> {
    let sent = Instant::now();
    let id = server
        .send_request("fuzzyFileSearch", json!({"query": query, "roots": [root]}))
        .await?;
    let answer = server.wait_for_response(id, "fuzzyFileSearch").await?;
    let files = answer.message["result"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok((millis(sent, answer.received_at), files))
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let count = values.len();
    match count {
        0 => None,
        _ if count % 2 == 1 => Some(values[count / 2]),
        _ => Some((values[count / 2 - 1] + values[count / 2]) / 2.0),
    }
}
