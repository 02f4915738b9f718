//! Ranks an index's entries for a query: the entries are scored in parallel chunks (each with its own
//! matcher and best-first list), the lists merged, and the match indices computed for the winners only.
//! Of the directories named exactly the query's word, one gets the exact-name bonus, as upstream gives it to
//! one (the first its walk happens to find): here the shallowest, then the first by path, so the answer does
//! not depend on thread timing. Stops when `stop` says so, checked every [`STOP_CHECK_INTERVAL`] entries.

use nucleo_matcher::Config;
use nucleo_matcher::Matcher;
use nucleo_matcher::Utf32Str;

use crate::file_search::error::SearchError;
use crate::file_search::file_match::FileMatch;
use crate::file_search::index::FileIndex;
use crate::file_search::query::EXACT_NAME_BONUS;
use crate::file_search::query::MatchedBy;
use crate::file_search::query::Query;
use crate::file_search::top_matches::Candidate;
use crate::file_search::top_matches::TopMatches;

/// How many matches a search answers (upstream's limit).
pub const MATCH_LIMIT: usize = 50;
/// Entries scored between two looks at `stop`.
const STOP_CHECK_INTERVAL: usize = 1024;
/// Entries one scoring thread takes at least (a smaller index is scored on fewer threads).
const ENTRIES_PER_THREAD: usize = 16 * 1024;
/// The most scoring threads.
const MAX_THREADS: usize = 8;

/// What one chunk found: its best candidates and its best directory named exactly the word.
struct ChunkResult {
    top: Vec<Candidate>,
    exact_directory: Option<usize>,
}

/// The best `limit` entries of `index` for `query`, best first, with their indices.
pub(crate) fn rank(
    index: &FileIndex,
    query: &Query,
    limit: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<FileMatch>, SearchError> {
    let threads = (index.len() / ENTRIES_PER_THREAD).clamp(1, scoring_threads());
    let chunk = index.len().div_ceil(threads).max(1);
    let chunks: Vec<Result<ChunkResult, SearchError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..index.len())
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(index.len());
                scope.spawn(move || rank_chunk(index, query, start..end, limit + 1, stop))
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or(Err(SearchError::Cancelled)))
            .collect()
    });
    let mut merged = TopMatches::new(index, limit + 1);
    let mut exact_directory: Option<usize> = None;
    for chunk in chunks {
        let chunk = chunk?;
        chunk
            .top
            .into_iter()
            .for_each(|candidate| merged.push(candidate));
        if let Some(directory) = chunk.exact_directory {
            exact_directory = Some(shallowest(index, exact_directory, directory));
        }
    }
    if let Some(directory) = exact_directory {
        promote(index, query, &mut merged, directory);
    }
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let mut buffer = Vec::new();
    Ok(merged
        .into_vec()
        .into_iter()
        .take(limit)
        .map(|candidate| {
            let entry = index.entry(candidate.entry);
            let haystack = Utf32Str::new(entry.path, &mut buffer);
            let indices = query.indices(&entry, haystack, candidate.by, &mut matcher);
            FileMatch::new(index, candidate, indices)
        })
        .collect())
}

fn scoring_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_THREADS)
}

fn rank_chunk(
    index: &FileIndex,
    query: &Query,
    entries: std::ops::Range<usize>,
    capacity: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<ChunkResult, SearchError> {
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let mut buffer = Vec::new();
    let mut top = TopMatches::new(index, capacity);
    let mut exact_directory = None;
    for (scored_so_far, position) in entries.enumerate() {
        if scored_so_far.is_multiple_of(STOP_CHECK_INTERVAL) && stop() {
            return Err(SearchError::Cancelled);
        }
        let entry = index.entry(position);
        let haystack = Utf32Str::new(entry.path, &mut buffer);
        let Some(scored) = query.score(&entry, haystack, &mut matcher, top.floor()) else {
            continue;
        };
        if scored.exact_directory {
            exact_directory = Some(shallowest(index, exact_directory, position));
        }
        top.push(Candidate {
            entry: position,
            score: scored.score,
            by: scored.by,
        });
    }
    Ok(ChunkResult {
        top: top.into_vec(),
        exact_directory,
    })
}

/// Of the current pick and `candidate`, the shallower directory, then the first by path and root.
fn shallowest(index: &FileIndex, current: Option<usize>, candidate: usize) -> usize {
    let Some(current) = current else {
        return candidate;
    };
    let (a, b) = (index.entry(current), index.entry(candidate));
    let a_first = (a.depth, a.path, a.root) <= (b.depth, b.path, b.root);
    if a_first { current } else { candidate }
}

/// Gives `directory` the exact-name bonus on top of its path score.
fn promote(index: &FileIndex, query: &Query, merged: &mut TopMatches<'_>, directory: usize) {
    let entry = index.entry(directory);
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let mut buffer = Vec::new();
    let haystack = Utf32Str::new(entry.path, &mut buffer);
    let Some(scored) = query.score(&entry, haystack, &mut matcher, 0) else {
        return;
    };
    merged.remove_entry(directory);
    merged.push(Candidate {
        entry: directory,
        score: scored.score + EXACT_NAME_BONUS,
        by: MatchedBy::Path,
    });
}

#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
