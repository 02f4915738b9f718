use pretty_assertions::assert_eq;

use super::*;
use crate::file_search::index::EntryKind;

fn index(entries: &[(&str, EntryKind)]) -> FileIndex {
    let mut index = FileIndex::new(vec!["/r".to_string()]);
    for (path, kind) in entries {
        index.push(0, path, *kind);
    }
    index
}

fn ranked(index: &FileIndex, query: &str, limit: usize) -> Vec<(String, u32)> {
    let query = Query::parse(query).expect("a query");
    rank(index, &query, limit, &|| false)
        .expect("ranked")
        .into_iter()
        .map(|found| (found.path, found.score))
        .collect()
}

#[test]
fn ranks_by_score_then_path_and_keeps_the_limit() {
    use EntryKind::File;
    let index = index(&[
        ("b/x.rs", File),
        ("a/x.rs", File),
        ("x/y.rs", File),
        ("zz", File),
    ]);
    assert_eq!(
        ranked(&index, "x", 2),
        vec![("a/x.rs".to_string(), 65570), ("b/x.rs".to_string(), 65570)]
    );
}

#[test]
fn one_directory_named_exactly_gets_the_bonus_the_shallowest_then_first_by_path() {
    use EntryKind::Directory;
    let index = index(&[
        ("z/sub", Directory),
        ("b/c/sub", Directory),
        ("a/sub", Directory),
        ("a/sub/k", Directory),
    ]);
    assert_eq!(
        ranked(&index, "sub", 10),
        vec![
            ("a/sub".to_string(), 84 + EXACT_NAME_BONUS),
            ("a/sub/k".to_string(), 84),
            ("b/c/sub".to_string(), 84),
            ("z/sub".to_string(), 84),
        ]
    );
}

#[test]
fn many_entries_rank_as_one_sorted_pass_would() {
    let mut big = FileIndex::new(vec!["/r".to_string()]);
    for number in (0..100_000).rev() {
        let path = format!("dir{}/file{number:06}.txt", number % 7);
        big.push(0, &path, EntryKind::File);
    }
    for query_text in ["file00001", "d3f9", "txt"] {
        let query = Query::parse(query_text).expect("a query");
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let mut buffer = Vec::new();
        let mut every: Vec<(u32, String)> = (0..big.len())
            .filter_map(|position| {
                let entry = big.entry(position);
                let haystack = Utf32Str::new(entry.path, &mut buffer);
                let scored = query.score(&entry, haystack, &mut matcher, 0)?;
                Some((scored.score, entry.path.to_string()))
            })
            .collect();
        every.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        every.truncate(MATCH_LIMIT);
        let expected: Vec<(String, u32)> = every
            .into_iter()
            .map(|(score, path)| (path, score))
            .collect();
        assert_eq!(
            ranked(&big, query_text, MATCH_LIMIT),
            expected,
            "{query_text}"
        );
    }
}

#[test]
fn a_stop_request_cancels_the_ranking() {
    let index = index(&[("a", EntryKind::File)]);
    let query = Query::parse("a").expect("a query");
    assert!(matches!(
        rank(&index, &query, 5, &|| true),
        Err(SearchError::Cancelled)
    ));
}
