//! The report: every module cycle with one example reference per edge, every file over 800 lines and every
//! function over 120, in a form a developer reads to see what to move or split.

use std::fmt;

use super::cycles::Cycle;
use super::length_rules::LongFile;
use super::length_rules::LongFunction;
use super::length_rules::MAX_FILE_LINES;
use super::length_rules::MAX_FUNCTION_LINES;

#[derive(Default)]
pub struct Report {
    pub cycles: Vec<Cycle>,
    pub long_files: Vec<LongFile>,
    pub long_functions: Vec<LongFunction>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.cycles.is_empty() && self.long_files.is_empty() && self.long_functions.is_empty()
    }

    /// Sorts each list; a file shared by two crate targets (a library and its binary) is listed once.
    pub fn normalize(&mut self) {
        self.cycles
            .sort_by(|a, b| (&a.root_file, &a.parent).cmp(&(&b.root_file, &b.parent)));
        self.long_files.sort();
        self.long_files.dedup();
        self.long_functions.sort();
        self.long_functions.dedup();
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "source structure: {} module cycle(s), {} file(s) over {MAX_FILE_LINES} lines, {} function(s) over {MAX_FUNCTION_LINES} lines",
            self.cycles.len(),
            self.long_files.len(),
            self.long_functions.len()
        )?;
        if !self.cycles.is_empty() {
            writeln!(
                f,
                "\nmodule cycles (siblings that depend on each other; move what they share so dependencies point one way):"
            )?;
            for cycle in &self.cycles {
                write_cycle(f, cycle)?;
            }
        }
        if !self.long_files.is_empty() {
            writeln!(
                f,
                "\nfiles over {MAX_FILE_LINES} lines (test-only items not counted):"
            )?;
            for file in &self.long_files {
                writeln!(f, "  {}: {} lines", file.path.display(), file.lines)?;
            }
        }
        if !self.long_functions.is_empty() {
            writeln!(f, "\nfunctions over {MAX_FUNCTION_LINES} lines:")?;
            for function in &self.long_functions {
                writeln!(
                    f,
                    "  {} {}: {} lines",
                    function.location, function.name, function.lines
                )?;
            }
        }
        Ok(())
    }
}

fn write_cycle(f: &mut fmt::Formatter<'_>, cycle: &Cycle) -> fmt::Result {
    writeln!(
        f,
        "  {} in {}: {}",
        cycle.parent,
        cycle.root_file.display(),
        cycle.members.join(", ")
    )?;
    for edge in &cycle.edges {
        let plural = if edge.references == 1 { "" } else { "s" };
        write!(
            f,
            "    {} -> {} ({} reference{plural}), e.g. {} `{}`",
            edge.from, edge.to, edge.references, edge.example.location, edge.example.path
        )?;
        match &edge.example.via {
            Some(import) => writeln!(f, " through the import at {import}")?,
            None => writeln!(f)?,
        }
    }
    Ok(())
}
