//! The best few matches seen so far, best first: higher score first, then the relative path in byte order,
//! then the root's position (upstream's order, with the tie among equal paths settled). Holds at most its
//! capacity; a worse match than the last is not kept once full.

use std::cmp::Ordering;

use crate::file_search::index::FileIndex;
use crate::file_search::query::MatchedBy;

/// One match: the entry, its score and what it matched with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) entry: usize,
    pub(crate) score: u32,
    pub(crate) by: MatchedBy,
}

/// A bounded, best-first list of candidates of one index.
pub(crate) struct TopMatches<'a> {
    index: &'a FileIndex,
    capacity: usize,
    best: Vec<Candidate>,
}

impl<'a> TopMatches<'a> {
    pub(crate) fn new(index: &'a FileIndex, capacity: usize) -> TopMatches<'a> {
        TopMatches {
            index,
            capacity,
            best: Vec::with_capacity(capacity.min(1024) + 1),
        }
    }

    /// Whether `a` ranks before `b`.
    pub(crate) fn order(&self, a: &Candidate, b: &Candidate) -> Ordering {
        b.score.cmp(&a.score).then_with(|| {
            let (a, b) = (self.index.entry(a.entry), self.index.entry(b.entry));
            a.path.cmp(b.path).then(a.root.cmp(&b.root))
        })
    }

    /// The lowest score a candidate may have and still be kept: 0 until the list is full.
    pub(crate) fn floor(&self) -> u32 {
        match self.best.last() {
            Some(last) if self.best.len() >= self.capacity => last.score,
            Some(_) | None => 0,
        }
    }

    /// Whether a candidate with `score` could still be kept (cheap, before looking at paths).
    pub(crate) fn admits(&self, score: u32) -> bool {
        self.best.len() < self.capacity || self.best.last().is_some_and(|last| score >= last.score)
    }

    pub(crate) fn push(&mut self, candidate: Candidate) {
        if self.capacity == 0 || !self.admits(candidate.score) {
            return;
        }
        let position = self
            .best
            .partition_point(|kept| self.order(kept, &candidate) == Ordering::Less);
        if position >= self.capacity {
            return;
        }
        self.best.insert(position, candidate);
        self.best.truncate(self.capacity);
    }

    /// Takes the candidate of `entry` out, if kept.
    pub(crate) fn remove_entry(&mut self, entry: usize) {
        self.best.retain(|kept| kept.entry != entry);
    }

    pub(crate) fn into_vec(self) -> Vec<Candidate> {
        self.best
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::file_search::index::EntryKind;

    #[test]
    fn keeps_the_best_by_score_then_path_then_root() {
        let mut index = FileIndex::new(vec!["/r0".to_string(), "/r1".to_string()]);
        for (root, path) in [(0, "b"), (0, "a-b/x"), (0, "a/x"), (1, "a/x"), (0, "c")] {
            index.push(root, path, EntryKind::File);
        }
        let mut top = TopMatches::new(&index, 4);
        for (entry, score) in [(0, 5), (1, 7), (2, 7), (3, 7), (4, 9)] {
            top.push(Candidate {
                entry,
                score,
                by: MatchedBy::Path,
            });
        }
        let kept: Vec<usize> = top.into_vec().iter().map(|c| c.entry).collect();
        // "a-b/x" sorts before "a/x" byte-wise; the same path in the first root comes first.
        assert_eq!(kept, vec![4, 1, 2, 3]);
    }
}
