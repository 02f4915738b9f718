use nucleo_matcher::Config;
use pretty_assertions::assert_eq;

use super::*;
use crate::file_search::index::FileIndex;

/// `(score, by, exact_directory, indices)` of `path` for `query`.
fn scored(query: &str, path: &str, kind: EntryKind) -> Option<(u32, MatchedBy, bool, Vec<u32>)> {
    let mut index = FileIndex::new(vec!["/r".to_string()]);
    index.push(0, path, kind);
    let entry = index.entry(0);
    let query = Query::parse(query).expect("a query");
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let mut buffer = Vec::new();
    let haystack = Utf32Str::new(entry.path, &mut buffer);
    let scored = query.score(&entry, haystack, &mut matcher, 0)?;
    let mut buffer = Vec::new();
    let haystack = Utf32Str::new(entry.path, &mut buffer);
    let indices = query.indices(&entry, haystack, scored.by, &mut matcher);
    Some((scored.score, scored.by, scored.exact_directory, indices))
}

// The expected scores are upstream 0.171's answers for the same paths and queries.

#[test]
fn a_file_name_match_ranks_in_the_name_tier_with_the_names_indices() {
    assert_eq!(
        scored("main", "src/main.rs", EntryKind::File),
        Some((65645, MatchedBy::FileName, false, vec![4, 5, 6, 7]))
    );
    assert_eq!(
        scored("nes", "node_modules/pkg/index.js", EntryKind::File),
        Some((65576, MatchedBy::FileName, false, vec![18, 20, 24]))
    );
}

#[test]
fn an_exact_file_name_adds_the_exact_tier() {
    assert_eq!(
        scored("MAIN.RS", "main/main.rs", EntryKind::File),
        Some((
            196792,
            MatchedBy::FileName,
            false,
            vec![5, 6, 7, 8, 9, 10, 11]
        ))
    );
}

#[test]
fn a_path_only_match_scores_the_path() {
    assert_eq!(
        scored("s/m", "src/main.rs", EntryKind::File),
        Some((71, MatchedBy::Path, false, vec![0, 3, 4]))
    );
    assert_eq!(
        scored("my fi", "d/my file.txt", EntryKind::File),
        Some((115, MatchedBy::Path, false, vec![2, 3, 5, 6]))
    );
    assert_eq!(
        scored("'main", "main/main.rs", EntryKind::File).map(|s| s.0),
        Some(109)
    );
}

#[test]
fn directories_score_their_path_and_tell_an_exact_name() {
    assert_eq!(
        scored("hid", ".hidden", EntryKind::Directory),
        Some((80, MatchedBy::Path, false, vec![1, 2, 3]))
    );
    assert_eq!(
        scored("sub", "Docs/sub", EntryKind::Directory),
        Some((84, MatchedBy::Path, true, vec![5, 6, 7]))
    );
}

#[test]
fn unicode_names_are_matched_by_their_characters() {
    assert_eq!(
        scored("ete", "d/ÉTÉ.md", EntryKind::File),
        Some((65620, MatchedBy::FileName, false, vec![2, 3, 4]))
    );
}

#[test]
fn spaces_match_everything_and_the_empty_query_nothing() {
    assert_eq!(
        scored("   ", "a/b", EntryKind::File),
        Some((0, MatchedBy::Path, false, Vec::new()))
    );
    assert!(Query::parse("").is_none());
    assert_eq!(scored("zzz", "a/b", EntryKind::File), None);
}

#[test]
fn a_floor_above_path_only_scores_skips_them_but_not_name_matches() {
    let mut index = FileIndex::new(vec!["/r".to_string()]);
    index.push(0, "main/lib.rs", EntryKind::File);
    index.push(0, "src/main.rs", EntryKind::File);
    index.push(0, "x/main", EntryKind::Directory);
    let query = Query::parse("main").expect("a query");
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let mut buffer = Vec::new();
    let mut score_at = |position: usize, floor: u32| {
        let entry = index.entry(position);
        let haystack = Utf32Str::new(entry.path, &mut buffer);
        query.score(&entry, haystack, &mut matcher, floor)
    };
    assert_eq!(score_at(0, 0).map(|s| s.score), Some(109));
    assert_eq!(score_at(0, NAME_MATCH_BONUS), None);
    assert_eq!(score_at(1, NAME_MATCH_BONUS).map(|s| s.score), Some(65645));
    // A directory named exactly the word is still told, whatever the floor.
    assert_eq!(
        score_at(2, NAME_MATCH_BONUS).map(|s| s.exact_directory),
        Some(true)
    );
}
