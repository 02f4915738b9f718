//! A query as upstream's file search reads it, and what it makes of one entry. The query is fzf's syntax
//! (nucleo's `Pattern`: space-separated atoms, `'exact`, `^prefix`, `suffix$`, `!not`), matched against the
//! entry's relative path, case-insensitively, with paths' bonuses. A query of one word (no whitespace once
//! trimmed) also counts in a file's name, in tiers above any path-only match: a file whose name matches it
//! scores [`NAME_MATCH_BONUS`] plus its name's score (the indices are the name's), and [`EXACT_NAME_BONUS`]
//! more when the name is the word itself; a directory named exactly the word gets [`EXACT_NAME_BONUS`] too,
//! but only one of them (see `rank`).

use nucleo_matcher::Matcher;
use nucleo_matcher::Utf32Str;
use nucleo_matcher::pattern::Atom;
use nucleo_matcher::pattern::AtomKind;
use nucleo_matcher::pattern::CaseMatching;
use nucleo_matcher::pattern::Normalization;
use nucleo_matcher::pattern::Pattern;

use crate::file_search::index::EntryKind;
use crate::file_search::index::EntryView;

/// The tier of a file whose name matches the word.
pub(crate) const NAME_MATCH_BONUS: u32 = 1 << 16;
/// The tier added for a name that is the word itself.
pub(crate) const EXACT_NAME_BONUS: u32 = 2 << 16;

/// What the entry matched with: its path, or its file name (then the indices are the name's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchedBy {
    Path,
    FileName,
}

/// An entry's score, and whether it is a directory named exactly the word (a candidate for the bonus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scored {
    pub(crate) score: u32,
    pub(crate) by: MatchedBy,
    pub(crate) exact_directory: bool,
}

/// The word of a one-word query, as a fuzzy atom and as an exact one (for file names).
struct NameAtoms {
    fuzzy: Atom,
    exact: Atom,
    /// The word has none of the pattern syntax (`'`, `^`, `!`, `$`, `\`): the pattern is the word.
    plain: bool,
}

/// A parsed query.
pub(crate) struct Query {
    pattern: Pattern,
    name: Option<NameAtoms>,
}

impl Query {
    /// `None` for the empty query, which matches nothing (a query of spaces matches everything, score 0).
    pub(crate) fn parse(text: &str) -> Option<Query> {
        if text.is_empty() {
            return None;
        }
        let pattern = Pattern::parse(text, CaseMatching::Ignore, Normalization::Smart);
        let word = text.trim();
        let name = (!word.is_empty() && !word.contains(char::is_whitespace)).then(|| {
            let atom = |kind| {
                Atom::new(
                    word,
                    CaseMatching::Ignore,
                    Normalization::Smart,
                    kind,
                    false,
                )
            };
            NameAtoms {
                fuzzy: atom(AtomKind::Fuzzy),
                exact: atom(AtomKind::Exact),
                plain: !word.starts_with(['\'', '^', '!'])
                    && !word.ends_with('$')
                    && !word.contains('\\'),
            }
        });
        Some(Query { pattern, name })
    }

    /// The entry's score, or `None` when it does not match. `haystack` is the entry's path. `floor` is the
    /// score below which the caller keeps nothing: a path-only match (always under [`NAME_MATCH_BONUS`])
    /// is not scored once the floor is above it, which spares most paths of a one-word query.
    pub(crate) fn score(
        &self,
        entry: &EntryView<'_>,
        haystack: Utf32Str<'_>,
        matcher: &mut Matcher,
        floor: u32,
    ) -> Option<Scored> {
        let Some(name) = &self.name else {
            return self.path_score(haystack, matcher, false);
        };
        let name_haystack = haystack.slice(name_offset(entry, haystack)..);
        let path_only_kept = floor < NAME_MATCH_BONUS;
        match entry.kind {
            EntryKind::File => {
                // A plain word matching the name matches the path too; a word with pattern syntax is
                // checked against the path as upstream checks it.
                if (name.plain || self.pattern.score(haystack, matcher).is_some())
                    && let Some(name_score) = name.fuzzy.score(name_haystack, matcher)
                {
                    let exact = name.exact.score(name_haystack, matcher).is_some();
                    return Some(Scored {
                        score: NAME_MATCH_BONUS
                            + u32::from(name_score)
                            + if exact { EXACT_NAME_BONUS } else { 0 },
                        by: MatchedBy::FileName,
                        exact_directory: false,
                    });
                }
                path_only_kept.then(|| self.path_score(haystack, matcher, false))?
            }
            EntryKind::Directory => {
                let exact = name.exact.score(name_haystack, matcher).is_some();
                (path_only_kept || exact).then(|| self.path_score(haystack, matcher, exact))?
            }
        }
    }

    fn path_score(
        &self,
        haystack: Utf32Str<'_>,
        matcher: &mut Matcher,
        exact_directory: bool,
    ) -> Option<Scored> {
        Some(Scored {
            score: self.pattern.score(haystack, matcher)?,
            by: MatchedBy::Path,
            exact_directory,
        })
    }

    /// The sorted, distinct indices (characters of the path) the entry matched at.
    pub(crate) fn indices(
        &self,
        entry: &EntryView<'_>,
        haystack: Utf32Str<'_>,
        by: MatchedBy,
        matcher: &mut Matcher,
    ) -> Vec<u32> {
        let mut indices = Vec::new();
        match (by, &self.name) {
            (MatchedBy::FileName, Some(name)) => {
                let offset = name_offset(entry, haystack);
                name.fuzzy
                    .indices(haystack.slice(offset..), matcher, &mut indices);
                // A path is far shorter than 4 GiB characters.
                let offset = offset as u32;
                indices.iter_mut().for_each(|index| *index += offset);
            }
            (MatchedBy::Path, _) | (MatchedBy::FileName, None) => {
                self.pattern.indices(haystack, matcher, &mut indices);
            }
        }
        indices.sort_unstable();
        indices.dedup();
        indices
    }
}

/// Where the file name starts in `haystack`, counted in the matcher's characters.
fn name_offset(entry: &EntryView<'_>, haystack: Utf32Str<'_>) -> usize {
    match haystack {
        Utf32Str::Ascii(_) => entry.name_start,
        Utf32Str::Unicode(chars) => chars
            .iter()
            .rposition(|c| *c == '/')
            .map_or(0, |slash| slash + 1),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
