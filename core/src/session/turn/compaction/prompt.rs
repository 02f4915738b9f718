//! The texts of a summarizing compaction: what the model is asked to write, and the preamble that
//! introduces its summary to the model that carries on.

/// The built-in instructions of a compaction request (`compact_prompt` in config replaces them).
pub(crate) const DEFAULT_COMPACT_PROMPT: &str = "\
You are writing a handoff: the conversation above is about to be replaced by your summary, and another \
model will continue the work from it alone, with the same tools and the same workspace.

Write a concise summary that lets it carry on without asking again. Include:
- what the user wants, with the constraints and preferences they stated;
- what has been done so far and what it found, including the files, commands and decisions that matter;
- what is left to do, in order, and anything that failed or must be avoided;
- exact names, paths, identifiers and values the next step needs.

Leave out pleasantries and anything the next model can read again from the workspace.";

/// Put in front of the summary in the new history, so the model reads it as a handoff, not as a user's words.
pub(crate) const SUMMARY_PREFIX: &str = "\
An earlier part of this conversation was condensed to stay within the context window. The summary below \
was written by the model that did that work; the workspace and the tools are as it left them. Build on it \
and do not repeat finished work.

Summary:";

/// How upstream Codex's summaries begin, so its compacted rollouts are recognised too.
pub(crate) const UPSTREAM_SUMMARY_START: &str =
    "Another language model started to solve this problem";
