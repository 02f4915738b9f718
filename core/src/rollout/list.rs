//! `list_threads`: one page of stored threads, newest first, for `thread/list`. A summary reads only
//! the head of a rollout (meta and first user message), the file's mtime (`updated_at`) and the
//! incrementally cached `thread_name` scan, so big rollouts are never read whole. In `created_at`
//! order the day directories are walked newest first and the walk stops as soon as the page is full.

use std::cmp::Ordering;
use std::fs::File;
use std::io;
use std::io::BufRead;
use std::io::BufReader;
use std::io::Read;
use std::path::Path;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use super::archive::sorted_subdirs;
use super::event_msg::EventMsg;
use super::history::user_message_text;
use super::item::RolloutItem;
use super::layout::ARCHIVED_SESSIONS_DIR;
use super::layout::RolloutFileName;
use super::layout::SESSIONS_DIR;
use super::list_cursor::ListCursor;
use super::reader::ParsedLine;
use super::session_index::index_names;
use super::session_meta::SessionMeta;
use super::thread_name_index::thread_name;

pub const DEFAULT_THREAD_LIST_LIMIT: usize = 25;
pub const MAX_THREAD_LIST_LIMIT: usize = 100;

/// The first user message is recorded at the start of the first turn, so it sits near the top; a
/// summary never reads further than this.
const HEAD_MAX_LINES: usize = 64;
const HEAD_MAX_BYTES: u64 = 1024 * 1024;
/// Only lines carrying one of these are parsed while looking for the preview and, in an upstream
/// rollout, the model (every writer emits compact JSON): our `item_completed` and upstream 0.171's
/// (inside an `event_msg`), upstream 0.105's `user_message` event, upstream's `turn_context`.
const HEAD_MARKERS: [&[u8]; 3] = [
    br#""type":"item_completed""#,
    br#""type":"user_message""#,
    br#""type":"turn_context""#,
];

/// Which timestamp orders the listing (newest first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThreadSortKey {
    #[default]
    CreatedAt,
    /// The rollout file's modification time. A thread updated between two page requests moves to
    /// the front, so later pages skip it rather than repeat it.
    UpdatedAt,
}

/// What `list_threads` should return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadListQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Clamped to `1..=MAX_THREAD_LIST_LIMIT`.
    pub limit: usize,
    pub sort_key: ThreadSortKey,
    /// List `CODEX_HOME/archived_sessions/` instead of `CODEX_HOME/sessions/`.
    pub archived: bool,
    /// Only threads of these providers; `None` or empty means all.
    pub model_providers: Option<Vec<String>>,
    /// Only threads started in exactly one of these directories; empty means any.
    pub cwds: Vec<PathBuf>,
    /// Only these threads, when set.
    pub thread_ids: Option<Vec<String>>,
    /// Never these threads.
    pub excluded_thread_ids: Vec<String>,
    /// Only threads recorded by one of these originators, when set.
    pub originators: Option<Vec<String>>,
    /// Only threads whose preview or name contains this, ignoring case.
    pub search_term: Option<String>,
    /// Only threads started from one of these sources, as `SessionMeta::source` names them (`cli`,
    /// `vscode`, `exec`, `mcp`, `subagent_review`, ...); `None` means every source.
    pub sources: Option<Vec<String>>,
}

impl Default for ThreadListQuery {
    fn default() -> Self {
        Self {
            cursor: None,
            limit: DEFAULT_THREAD_LIST_LIMIT,
            sort_key: ThreadSortKey::default(),
            archived: false,
            model_providers: None,
            cwds: Vec::new(),
            thread_ids: None,
            excluded_thread_ids: Vec::new(),
            originators: None,
            search_term: None,
            sources: None,
        }
    }
}

/// A stored thread as a listing shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSummary {
    pub id: String,
    pub path: PathBuf,
    pub meta: SessionMeta,
    /// The first user message's text, `""` if none within the head of the file.
    pub preview: String,
    pub name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the rollout file's last modification.
    pub updated_at: i64,
}

/// One page of a listing; `next_cursor` is `None` on the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadListPage {
    pub items: Vec<ThreadSummary>,
    pub next_cursor: Option<String>,
}

/// A rollout file known by its name (and, for `updated_at`, its mtime) before it is opened.
struct Candidate {
    path: PathBuf,
    position: ListCursor,
}

/// Lists stored threads newest first, one page at a time.
pub async fn list_threads(codex_home: &Path, query: ThreadListQuery) -> io::Result<ThreadListPage> {
    let codex_home = codex_home.to_path_buf();
    tokio::task::spawn_blocking(move || list_threads_blocking(&codex_home, &query))
        .await
        .map_err(io::Error::other)?
}

fn list_threads_blocking(codex_home: &Path, query: &ThreadListQuery) -> io::Result<ThreadListPage> {
    let limit = query.limit.clamp(1, MAX_THREAD_LIST_LIMIT);
    let after = query
        .cursor
        .as_deref()
        .map(ListCursor::decode)
        .transpose()?;
    let dirs = if query.archived {
        vec![codex_home.join(ARCHIVED_SESSIONS_DIR)]
    } else {
        let mut day_dirs = Vec::new();
        for year in sorted_subdirs(&codex_home.join(SESSIONS_DIR))? {
            for month in sorted_subdirs(&year)? {
                day_dirs.extend(sorted_subdirs(&month)?);
            }
        }
        day_dirs
    };
    // Upstream names its threads in the session index rather than in their rollouts.
    let indexed_names = index_names(codex_home)?;
    // One more than the page, to know whether there is a next page.
    let mut found: Vec<(ListCursor, ThreadSummary)> = Vec::with_capacity(limit + 1);
    let mut take_from = |mut candidates: Vec<Candidate>| -> io::Result<bool> {
        candidates.sort_by(|a, b| a.position.listing_order(&b.position));
        for candidate in candidates {
            if let Some(after) = &after
                && after.listing_order(&candidate.position) != Ordering::Less
            {
                continue;
            }
            let Some(mut summary) = read_summary(&candidate.path)? else {
                continue;
            };
            if summary.name.is_none() {
                summary.name = indexed_names.get(&summary.id).cloned();
            }
            if matches_filters(&summary, query) {
                found.push((candidate.position, summary));
                if found.len() > limit {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    };
    match query.sort_key {
        // Every rollout of a day directory is older than those of the directories walked before it.
        ThreadSortKey::CreatedAt => {
            // Day directories newer than the cursor's day hold only threads of earlier pages.
            let cursor_day_dir = after.as_ref().filter(|_| !query.archived).map(|after| {
                RolloutFileName {
                    created_at: after.timestamp,
                    thread_id: after.thread_id.clone(),
                }
                .sessions_dir(codex_home)
            });
            for dir in dirs {
                if cursor_day_dir.as_ref().is_some_and(|newest| dir > *newest) {
                    continue;
                }
                if take_from(candidates_in(&dir, query.sort_key)?)? {
                    break;
                }
            }
        }
        ThreadSortKey::UpdatedAt => {
            let mut all = Vec::new();
            for dir in dirs {
                all.extend(candidates_in(&dir, query.sort_key)?);
            }
            take_from(all)?;
        }
    }
    let next_cursor = if found.len() > limit {
        found.truncate(limit);
        found.last().map(|(position, _)| position.encode())
    } else {
        None
    };
    Ok(ThreadListPage {
        items: found.into_iter().map(|(_, summary)| summary).collect(),
        next_cursor,
    })
}

fn candidates_in(dir: &Path, sort_key: ThreadSortKey) -> io::Result<Vec<Candidate>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut candidates = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().and_then(RolloutFileName::parse) else {
            continue;
        };
        let timestamp = match sort_key {
            ThreadSortKey::CreatedAt => name.created_at,
            ThreadSortKey::UpdatedAt => {
                let modified = entry.metadata()?.modified()?;
                let since_epoch = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
                i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
            }
        };
        candidates.push(Candidate {
            path: entry.path(),
            position: ListCursor {
                timestamp,
                thread_id: name.thread_id,
            },
        });
    }
    Ok(candidates)
}

/// `None` for a file that vanished (archived meanwhile) or does not start with a `session_meta`.
fn read_summary(path: &Path) -> io::Result<Option<ThreadSummary>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let modified = file.metadata()?.modified()?;
    let updated_at = modified
        .duration_since(UNIX_EPOCH)
        .map(|since_epoch| since_epoch.as_secs())
        .unwrap_or_default();
    let mut head = BufReader::new(file.take(HEAD_MAX_BYTES));
    let mut line = Vec::new();
    let mut meta = None;
    let mut preview = String::new();
    for _ in 0..HEAD_MAX_LINES {
        line.clear();
        if head.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if meta.is_none() {
            match ParsedLine::parse(&line) {
                ParsedLine::Item(RolloutItem::SessionMeta(first)) => meta = Some(*first),
                ParsedLine::Item(_) | ParsedLine::UnknownKind(_) | ParsedLine::Invalid(_) => {
                    tracing::debug!(
                        "{} does not start with session_meta; not listed",
                        path.display()
                    );
                    return Ok(None);
                }
            }
            continue;
        }
        if !HEAD_MARKERS
            .iter()
            .any(|marker| line.windows(marker.len()).any(|window| window == *marker))
        {
            continue;
        }
        let ParsedLine::Item(item) = ParsedLine::parse(&line) else {
            continue;
        };
        if let (RolloutItem::TurnContext(context), Some(meta)) = (&item, meta.as_mut())
            && meta.model.is_empty()
        {
            meta.model = context.model.clone().unwrap_or_default();
        }
        if preview.is_empty()
            && let Some(text) = head_user_message(&item)
        {
            preview = text;
        }
        if !preview.is_empty() && meta.as_ref().is_some_and(|meta| !meta.model.is_empty()) {
            break;
        }
    }
    let Some(meta) = meta else {
        return Ok(None);
    };
    Ok(Some(ThreadSummary {
        id: meta.id.clone(),
        path: path.to_path_buf(),
        preview,
        name: thread_name(path)?,
        created_at: meta.created_at,
        updated_at: i64::try_from(updated_at).unwrap_or(i64::MAX),
        meta,
    }))
}

/// The text of a user message line, ours or upstream's.
fn head_user_message(item: &RolloutItem) -> Option<String> {
    if let RolloutItem::ItemCompleted { item, .. } = item {
        return user_message_text(item);
    }
    let RolloutItem::EventMsg(event) = item else {
        return None;
    };
    match event {
        EventMsg::ItemCompleted { item, .. } => user_message_text(&item.to_turn_item()?),
        EventMsg::UserMessage { message, .. } => Some(message.clone()),
        EventMsg::TaskStarted { .. }
        | EventMsg::TaskComplete { .. }
        | EventMsg::TurnAborted { .. }
        | EventMsg::AgentMessage { .. }
        | EventMsg::AgentReasoning { .. }
        | EventMsg::ExecCommandEnd(_)
        | EventMsg::WebSearchEnd { .. }
        | EventMsg::ViewImageToolCall { .. }
        | EventMsg::McpToolCallEnd(_)
        | EventMsg::ThreadRolledBack { .. } => None,
    }
}

fn matches_filters(summary: &ThreadSummary, query: &ThreadListQuery) -> bool {
    if let Some(providers) = &query.model_providers
        && !providers.is_empty()
        && !providers.contains(&summary.meta.model_provider)
    {
        return false;
    }
    if !query.cwds.is_empty() && !query.cwds.contains(&summary.meta.cwd) {
        return false;
    }
    if query
        .thread_ids
        .as_ref()
        .is_some_and(|ids| !ids.contains(&summary.id))
        || query.excluded_thread_ids.contains(&summary.id)
    {
        return false;
    }
    if query
        .originators
        .as_ref()
        .is_some_and(|originators| !originators.contains(&summary.meta.originator))
    {
        return false;
    }
    if let Some(sources) = &query.sources
        && !sources.contains(&summary.meta.source)
    {
        return false;
    }
    if let Some(term) = &query.search_term
        && !term.is_empty()
    {
        let term = term.to_lowercase();
        let in_preview = summary.preview.to_lowercase().contains(&term);
        let in_name = summary
            .name
            .as_ref()
            .is_some_and(|name| name.to_lowercase().contains(&term));
        return in_preview || in_name;
    }
    true
}

#[cfg(test)]
mod tests {
    use std::time::Duration;
    use std::time::SystemTime;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::rollout::recorder::RolloutRecorder;
    use crate::rollout::test_support::session_meta;
    use crate::rollout::test_support::user_message;

    const DAY: i64 = 86_400;
    /// 2026-02-05T10:11:12Z
    const BASE: i64 = 1_770_286_272;

    async fn create_thread(home: &Path, id: &str, created_at: i64, first_message: &str) -> PathBuf {
        let recorder = RolloutRecorder::create(home, session_meta(id, created_at))
            .await
            .unwrap();
        recorder.record(vec![
            RolloutItem::TurnStarted {
                turn_id: "turn-1".to_string(),
                started_at: created_at,
            },
            user_message("turn-1", first_message),
        ]);
        recorder.shutdown().await.unwrap();
        recorder.path().to_path_buf()
    }

    fn ids(page: &ThreadListPage) -> Vec<&str> {
        page.items
            .iter()
            .map(|summary| summary.id.as_str())
            .collect()
    }

    #[tokio::test]
    async fn pages_newest_first_without_gaps_or_duplicates_while_threads_are_created() {
        let home = tempfile::tempdir().unwrap();
        create_thread(home.path(), "t0", BASE, "zero").await;
        create_thread(home.path(), "t1", BASE + DAY, "one").await;
        // Same second and day as t1: the id breaks the tie.
        create_thread(home.path(), "t2", BASE + DAY, "two").await;
        create_thread(home.path(), "t3", BASE + 40 * DAY, "three").await;
        create_thread(home.path(), "t4", BASE + 400 * DAY, "four").await;
        let query = ThreadListQuery {
            limit: 2,
            ..ThreadListQuery::default()
        };

        let first = list_threads(home.path(), query.clone()).await.unwrap();
        assert_eq!(ids(&first), vec!["t4", "t3"]);
        create_thread(home.path(), "t-new", BASE + 500 * DAY, "new").await;
        let second = list_threads(
            home.path(),
            ThreadListQuery {
                cursor: first.next_cursor.clone(),
                ..query.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(ids(&second), vec!["t2", "t1"]);
        let third = list_threads(
            home.path(),
            ThreadListQuery {
                cursor: second.next_cursor.clone(),
                ..query.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (ids(&third), third.next_cursor.as_deref()),
            (vec!["t0"], None)
        );

        let everything = list_threads(home.path(), ThreadListQuery::default())
            .await
            .unwrap();
        assert_eq!(
            (ids(&everything), everything.next_cursor.as_deref()),
            (vec!["t-new", "t4", "t3", "t2", "t1", "t0"], None)
        );
    }

    #[tokio::test]
    async fn summary_holds_meta_preview_name_and_mtime() {
        let home = tempfile::tempdir().unwrap();
        let recorder = RolloutRecorder::create(home.path(), session_meta("t0", BASE))
            .await
            .unwrap();
        recorder.record(vec![
            RolloutItem::TurnStarted {
                turn_id: "turn-1".to_string(),
                started_at: BASE,
            },
            user_message("turn-1", "Fix the tests"),
            RolloutItem::ThreadName {
                name: Some("first name".to_string()),
            },
            user_message("turn-1", "a later message"),
            RolloutItem::ThreadName {
                name: Some("Test fixes".to_string()),
            },
        ]);
        recorder.shutdown().await.unwrap();
        let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        File::options()
            .write(true)
            .open(recorder.path())
            .unwrap()
            .set_modified(mtime)
            .unwrap();

        let page = list_threads(home.path(), ThreadListQuery::default())
            .await
            .unwrap();
        assert_eq!(
            page,
            ThreadListPage {
                items: vec![ThreadSummary {
                    id: "t0".to_string(),
                    path: recorder.path().to_path_buf(),
                    meta: session_meta("t0", BASE),
                    preview: "Fix the tests".to_string(),
                    name: Some("Test fixes".to_string()),
                    created_at: BASE,
                    updated_at: 1_800_000_000,
                }],
                next_cursor: None,
            }
        );
    }

    #[tokio::test]
    async fn sorts_by_updated_at_with_a_cursor() {
        let home = tempfile::tempdir().unwrap();
        for (id, created_at, modified) in [
            ("old-but-recent", BASE, 3_000),
            ("newest-created", BASE + DAY, 1_000),
            ("middle", BASE + 2 * DAY, 2_000),
        ] {
            let path = create_thread(home.path(), id, created_at, id).await;
            File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(
                    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + modified),
                )
                .unwrap();
        }
        let query = ThreadListQuery {
            limit: 2,
            sort_key: ThreadSortKey::UpdatedAt,
            ..ThreadListQuery::default()
        };
        let first = list_threads(home.path(), query.clone()).await.unwrap();
        let second = list_threads(
            home.path(),
            ThreadListQuery {
                cursor: first.next_cursor.clone(),
                ..query
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (ids(&first), ids(&second), second.next_cursor.as_deref()),
            (
                vec!["old-but-recent", "middle"],
                vec!["newest-created"],
                None
            )
        );
    }

    #[tokio::test]
    async fn filters_by_provider_cwd_and_search_term() {
        let home = tempfile::tempdir().unwrap();
        let mut other_meta = session_meta("elsewhere", BASE + DAY);
        other_meta.model_provider = "azure".to_string();
        other_meta.cwd = PathBuf::from("/other");
        let recorder = RolloutRecorder::create(home.path(), other_meta)
            .await
            .unwrap();
        recorder.record(vec![
            user_message("turn-1", "Deploy the service"),
            RolloutItem::ThreadName {
                name: Some("Release NOTES".to_string()),
            },
        ]);
        recorder.shutdown().await.unwrap();
        create_thread(home.path(), "here", BASE, "Fix the tests").await;

        let listed = async |query: ThreadListQuery| {
            let page = list_threads(home.path(), query).await.unwrap();
            page.items
                .into_iter()
                .map(|summary| summary.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            listed(ThreadListQuery {
                model_providers: Some(vec!["openai".to_string()]),
                ..ThreadListQuery::default()
            })
            .await,
            vec!["here"]
        );
        assert_eq!(
            listed(ThreadListQuery {
                model_providers: Some(Vec::new()),
                ..ThreadListQuery::default()
            })
            .await,
            vec!["elsewhere", "here"]
        );
        assert_eq!(
            listed(ThreadListQuery {
                cwds: vec![PathBuf::from("/other")],
                ..ThreadListQuery::default()
            })
            .await,
            vec!["elsewhere"]
        );
        assert_eq!(
            listed(ThreadListQuery {
                search_term: Some("release notes".to_string()),
                ..ThreadListQuery::default()
            })
            .await,
            vec!["elsewhere"]
        );
        assert_eq!(
            listed(ThreadListQuery {
                search_term: Some("THE TESTS".to_string()),
                ..ThreadListQuery::default()
            })
            .await,
            vec!["here"]
        );
        for (sources, expected) in [
            (["exec", "cli"], Vec::<&str>::new()),
            (["cli", "vscode"], vec!["elsewhere", "here"]),
        ] {
            let sources = Some(sources.map(str::to_string).to_vec());
            assert_eq!(
                listed(ThreadListQuery {
                    sources,
                    ..ThreadListQuery::default()
                })
                .await,
                expected
            );
        }
    }

    #[tokio::test]
    async fn skips_files_that_are_not_readable_rollouts_and_rejects_bad_cursors() {
        let home = tempfile::tempdir().unwrap();
        create_thread(home.path(), "good", BASE, "hi").await;
        let day_dir = home.path().join("sessions/2026/02/05");
        std::fs::write(
            day_dir.join("rollout-2026-02-05T10-11-13-broken.jsonl"),
            "garbage\n",
        )
        .unwrap();
        std::fs::write(day_dir.join("notes.txt"), "not a rollout").unwrap();

        let page = list_threads(home.path(), ThreadListQuery::default())
            .await
            .unwrap();
        assert_eq!(ids(&page), vec!["good"]);

        let bad_cursor = list_threads(
            home.path(),
            ThreadListQuery {
                cursor: Some("%%%".to_string()),
                ..ThreadListQuery::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(bad_cursor.kind(), io::ErrorKind::InvalidInput);
    }

    #[tokio::test]
    async fn an_empty_codex_home_lists_nothing() {
        let home = tempfile::tempdir().unwrap();
        for archived in [false, true] {
            let page = list_threads(
                home.path(),
                ThreadListQuery {
                    archived,
                    ..ThreadListQuery::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(
                page,
                ThreadListPage {
                    items: Vec::new(),
                    next_cursor: None,
                }
            );
        }
    }
}
