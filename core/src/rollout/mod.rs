//! Thread persistence: every non-ephemeral thread is an append-only JSONL rollout under
//! `CODEX_HOME/sessions/YYYY/MM/DD/`. This module writes them (`RolloutRecorder`), reads them back
//! (`load_rollout`, `ThreadHistory`), lists them (`list_threads`) and moves them in and out of
//! `CODEX_HOME/archived_sessions/`. Upstream Codex's rollouts (0.105, 0.171) are read the same way,
//! and ours carry the `event_msg` lines upstream rebuilds turns from.

mod archive;
mod delete;
mod event_msg;
mod event_turns;
mod git_info_update;
mod history;
mod item;
mod layout;
mod list;
mod list_cursor;
mod mcp_call_end;
mod reader;
mod recorder;
pub mod rollback;
mod session_index;
mod session_meta;
mod stored_turn;
mod thread_name_index;
mod upstream_duration;
mod upstream_mirror;

pub use archive::archive_thread;
pub use archive::find_thread_path;
pub use archive::unarchive_thread;
pub use delete::delete_rollout;
pub use event_msg::EventMsg;
pub use git_info_update::latest_git_info;
pub use history::ThreadHistory;
pub use item::Compacted;
pub use item::RolloutItem;
pub use item::RolloutLine;
pub use item::TurnContext;
pub use layout::ARCHIVED_SESSIONS_DIR;
pub use layout::RolloutFileName;
pub use layout::SESSIONS_DIR;
pub use list::DEFAULT_THREAD_LIST_LIMIT;
pub use list::MAX_THREAD_LIST_LIMIT;
pub use list::ThreadListPage;
pub use list::ThreadListQuery;
pub use list::ThreadSortKey;
pub use list::ThreadSummary;
pub use list::list_threads;
pub use reader::LoadedRollout;
pub use reader::RolloutError;
pub use reader::load_rollout;
pub use recorder::RolloutRecorder;
pub use session_index::SESSION_INDEX_FILE;
pub use session_index::append_indexed_thread_name;
pub use session_index::indexed_thread_name;
pub use session_meta::GitInfo;
pub use session_meta::SessionMeta;
pub use stored_turn::StoredTurn;

#[cfg(test)]
mod test_support;
