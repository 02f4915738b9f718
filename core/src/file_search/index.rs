//! What a walk found under the search roots, packed for matching: every relative path in one string, and a
//! small record per entry (where its path and file name start, its root, its depth, file or directory).
//! Bounded: at most [`MAX_ENTRIES`] entries and [`MAX_TEXT_BYTES`] bytes of paths; a walk that finds more
//! keeps what it found first and says so.

/// The most entries one index holds (a tree with more is searched in part).
pub(crate) const MAX_ENTRIES: usize = 1_000_000;
/// The most bytes of relative paths one index holds.
pub(crate) const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

/// A file or a directory (a symlink counts as what it points to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
}

/// One entry's place in the index's text and what it is.
#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    start: u32,
    len: u32,
    /// Byte offset of the file name within the path.
    name_start: u32,
    root: u32,
    /// Components of the relative path (the root itself is 0).
    depth: u32,
    kind: EntryKind,
}

/// One entry as the matcher sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryView<'a> {
    pub(crate) path: &'a str,
    /// Byte offset of the file name within `path`.
    pub(crate) name_start: usize,
    pub(crate) root: usize,
    pub(crate) depth: u32,
    pub(crate) kind: EntryKind,
}

impl<'a> EntryView<'a> {
    pub(crate) fn file_name(&self) -> &'a str {
        &self.path[self.name_start..]
    }
}

/// The entries under a list of roots, by index.
#[derive(Debug, Default)]
pub(crate) struct FileIndex {
    roots: Vec<String>,
    text: String,
    entries: Vec<IndexEntry>,
    truncated: bool,
}

impl FileIndex {
    pub(crate) fn new(roots: Vec<String>) -> FileIndex {
        FileIndex {
            roots,
            ..FileIndex::default()
        }
    }

    /// The roots as the caller wrote them; an entry's `root` indexes this list.
    pub(crate) fn roots(&self) -> &[String] {
        &self.roots
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the walk found more than the index could hold.
    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }

    /// Adds the entry at `relative_path` (`/`-separated, `""` for the root itself) under root `root`; false
    /// (and the index marked truncated) once the index is full.
    pub(crate) fn push(&mut self, root: usize, relative_path: &str, kind: EntryKind) -> bool {
        if self.entries.len() >= MAX_ENTRIES
            || self.text.len() + relative_path.len() > MAX_TEXT_BYTES
        {
            self.truncated = true;
            return false;
        }
        let name_start = relative_path.rfind('/').map_or(0, |slash| slash + 1);
        let depth = if relative_path.is_empty() {
            0
        } else {
            relative_path.bytes().filter(|byte| *byte == b'/').count() + 1
        };
        // Both fit in u32: the text is capped far below 4 GiB, and a path's depth below its length.
        self.entries.push(IndexEntry {
            start: self.text.len() as u32,
            len: relative_path.len() as u32,
            name_start: name_start as u32,
            root: root as u32,
            depth: depth as u32,
            kind,
        });
        self.text.push_str(relative_path);
        true
    }

    pub(crate) fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    pub(crate) fn entry(&self, index: usize) -> EntryView<'_> {
        let entry = self.entries[index];
        let start = entry.start as usize;
        EntryView {
            path: &self.text[start..start + entry.len as usize],
            name_start: entry.name_start as usize,
            root: entry.root as usize,
            depth: entry.depth,
            kind: entry.kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn entries_keep_their_path_file_name_root_and_depth() {
        let mut index = FileIndex::new(vec!["/a".to_string(), "/b".to_string()]);
        assert!(index.push(0, "", EntryKind::Directory));
        assert!(index.push(1, "src/main.rs", EntryKind::File));
        let root = index.entry(0);
        assert_eq!((root.path, root.file_name(), root.depth), ("", "", 0));
        let file = index.entry(1);
        assert_eq!(
            (
                file.path,
                file.file_name(),
                file.root,
                file.depth,
                file.kind
            ),
            ("src/main.rs", "main.rs", 1, 2, EntryKind::File)
        );
        assert_eq!((index.len(), index.truncated()), (2, false));
    }
}
