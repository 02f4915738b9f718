//! Reading a whole rollout back, ours or upstream Codex's: `load_rollout` returns its `SessionMeta`
//! and every item after it, skipping damaged lines (a torn last line from a crash, garbage mid-file)
//! with warnings and lines of kinds this build does not know (upstream's `world_state`, an
//! `event_msg` like `token_count`) with a debug log.

use std::fs::File;
use std::io;
use std::io::BufRead;
use std::io::BufReader;
use std::path::Path;
use std::path::PathBuf;

use super::event_msg::EventMsg;
use super::item::RolloutItem;
use super::item::RolloutLine;
use super::item::RolloutLineKind;
use super::session_meta::SessionMeta;

/// A rollout read back from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRollout {
    pub meta: SessionMeta,
    /// Every readable item after the first `session_meta` line, in file order.
    pub items: Vec<RolloutItem>,
    /// One readable sentence per skipped damaged line.
    pub warnings: Vec<String>,
}

/// Why a rollout could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error("reading rollout {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("rollout {} does not start with a session_meta line", path.display())]
    MissingSessionMeta { path: PathBuf },
    /// The first line is a `session_meta` this build cannot read (a field missing or mistyped).
    #[error("rollout {} starts with an unreadable session_meta: {source}", path.display())]
    InvalidSessionMeta {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

fn is_session_meta_line(line: &[u8]) -> bool {
    serde_json::from_slice::<RolloutLineKind>(line).is_ok_and(|line| line.kind == "session_meta")
}

/// How one line of a rollout parsed.
pub(crate) enum ParsedLine {
    Item(RolloutItem),
    /// A well-formed line of a kind a newer build wrote.
    UnknownKind(String),
    Invalid(serde_json::Error),
}

impl ParsedLine {
    pub(crate) fn parse(line: &[u8]) -> Self {
        match serde_json::from_slice::<RolloutLine>(line) {
            Ok(line) => ParsedLine::Item(line.item),
            Err(err) => match serde_json::from_slice::<RolloutLineKind>(line) {
                Ok(RolloutLineKind { kind, .. })
                    if !RolloutItem::KINDS.contains(&kind.as_str()) =>
                {
                    ParsedLine::UnknownKind(kind)
                }
                Ok(RolloutLineKind {
                    kind,
                    payload: Some(payload),
                }) if kind == "event_msg"
                    && payload
                        .kind
                        .as_deref()
                        .is_some_and(|event| !EventMsg::KINDS.contains(&event)) =>
                {
                    ParsedLine::UnknownKind(format!(
                        "event_msg {}",
                        payload.kind.unwrap_or_default()
                    ))
                }
                Ok(_) | Err(_) => ParsedLine::Invalid(err),
            },
        }
    }
}

/// The model of the first upstream `turn_context` naming one: an upstream meta names none.
pub(crate) fn first_turn_model(items: &[RolloutItem]) -> Option<String> {
    items.iter().find_map(|item| {
        if let RolloutItem::TurnContext(context) = item {
            context.model.clone()
        } else {
            None
        }
    })
}

/// Reads a rollout file. Blocking work runs on the blocking pool; big files are streamed line by line.
pub async fn load_rollout(path: &Path) -> Result<LoadedRollout, RolloutError> {
    let path = path.to_path_buf();
    let task_path = path.clone();
    tokio::task::spawn_blocking(move || {
        let path = task_path;
        let io_error = |source| RolloutError::Io {
            path: path.clone(),
            source,
        };
        let mut reader = BufReader::new(File::open(&path).map_err(io_error)?);
        let mut line = Vec::new();
        let mut line_number = 0usize;
        let mut meta = None;
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        // A bad line is only known to be the last one once the next read hits end of file.
        let mut unreported_bad_line: Option<(usize, serde_json::Error)> = None;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(io_error)? == 0 {
                break;
            }
            line_number += 1;
            if let Some((bad_line, err)) = unreported_bad_line.take() {
                let warning = format!(
                    "rollout {}: skipped invalid line {bad_line}: {err}",
                    path.display()
                );
                tracing::warn!("{warning}");
                warnings.push(warning);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = ParsedLine::parse(&line);
            if meta.is_none() {
                match parsed {
                    ParsedLine::Item(RolloutItem::SessionMeta(first)) => {
                        meta = Some(*first);
                        continue;
                    }
                    ParsedLine::Invalid(source) if is_session_meta_line(&line) => {
                        return Err(RolloutError::InvalidSessionMeta { path, source });
                    }
                    ParsedLine::Item(_) | ParsedLine::UnknownKind(_) | ParsedLine::Invalid(_) => {
                        return Err(RolloutError::MissingSessionMeta { path });
                    }
                }
            }
            match parsed {
                ParsedLine::Item(item) => items.push(item),
                ParsedLine::UnknownKind(kind) => tracing::debug!(
                    "rollout {}: skipped line {line_number} of unknown kind {kind}",
                    path.display()
                ),
                ParsedLine::Invalid(err) => unreported_bad_line = Some((line_number, err)),
            }
        }
        if let Some((bad_line, err)) = unreported_bad_line {
            let warning = format!(
                "rollout {}: skipped invalid last line {bad_line}, probably torn by an interrupted write: {err}",
                path.display()
            );
            tracing::warn!("{warning}");
            warnings.push(warning);
        }
        let mut meta =
            meta.ok_or_else(|| RolloutError::MissingSessionMeta { path: path.clone() })?;
        if meta.model.is_empty() {
            meta.model = first_turn_model(&items).unwrap_or_default();
        }
        Ok(LoadedRollout {
            meta,
            items,
            warnings,
        })
    })
    .await
    .map_err(|join_error| RolloutError::Io {
        path,
        source: io::Error::other(join_error),
    })?
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::ResponseItem;
    use crate::rollout::event_msg::UpstreamTurnItem;
    use crate::rollout::layout::line_timestamp;
    use crate::rollout::test_support::session_meta;
    use crate::rollout::test_support::user_message;

    fn line_of(item: RolloutItem) -> String {
        let line = RolloutLine {
            timestamp: line_timestamp(chrono::Utc::now()),
            item,
        };
        format!("{}\n", serde_json::to_string(&line).unwrap())
    }

    fn write_rollout(dir: &Path, content: &str) -> PathBuf {
        let path = dir.join("rollout-2026-02-05T10-11-12-thread-1.jsonl");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(content.as_bytes())
            .unwrap();
        path
    }

    #[tokio::test]
    async fn torn_last_line_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let meta = session_meta("thread-1", 1_770_286_272);
        let content = format!(
            "{}{}{}",
            line_of(RolloutItem::SessionMeta(Box::new(meta.clone()))),
            line_of(user_message("turn-1", "hello")),
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"respo"#,
        );
        let path = write_rollout(dir.path(), &content);

        let loaded = load_rollout(&path).await.unwrap();
        assert_eq!(
            (loaded.meta, loaded.items, loaded.warnings.len()),
            (meta, vec![user_message("turn-1", "hello")], 1)
        );
        assert!(
            loaded.warnings[0].contains("invalid last line 3"),
            "{}",
            loaded.warnings[0]
        );
    }

    #[tokio::test]
    async fn mid_file_garbage_is_skipped_with_a_warning_and_unknown_kinds_quietly() {
        let dir = tempfile::tempdir().unwrap();
        let meta = session_meta("thread-1", 1_770_286_272);
        // Kinds a newer build writes: a line type, an event, a history item, a turn item.
        let unknown_kinds = [
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"world_state","payload":{"full":true}}"#,
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","ordinal":9,"type":"event_msg","payload":{"type":"token_count","info":null}}"#,
        ];
        let content = format!(
            "{}{}not json at all\n{}\n{}\n{}\n{}{}\n{}\n",
            line_of(RolloutItem::SessionMeta(Box::new(meta.clone()))),
            line_of(user_message("turn-1", "one")),
            unknown_kinds[0],
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"thread_name","payload":{"name":7}}"#,
            unknown_kinds[1],
            line_of(user_message("turn-2", "two")),
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"response_item","payload":{"type":"ghost_snapshot","commit":"abc"}}"#,
            r#"{"timestamp":"2026-02-05T10:11:13.000Z","type":"event_msg","payload":{"type":"item_completed","turn_id":"t","item":{"type":"HookPrompt","id":"h"}}}"#,
        );
        let path = write_rollout(dir.path(), &content);

        let loaded = load_rollout(&path).await.unwrap();
        assert_eq!(
            (loaded.meta, loaded.items, loaded.warnings.len()),
            (
                meta,
                vec![
                    user_message("turn-1", "one"),
                    user_message("turn-2", "two"),
                    RolloutItem::ResponseItem(ResponseItem::Other),
                    RolloutItem::EventMsg(EventMsg::ItemCompleted {
                        turn_id: "t".to_string(),
                        item: UpstreamTurnItem::Other,
                    }),
                ],
                2
            )
        );
        assert!(
            loaded.warnings[0].contains("invalid line 3"),
            "{:?}",
            loaded.warnings
        );
        assert!(
            loaded.warnings[1].contains("invalid line 5"),
            "{:?}",
            loaded.warnings
        );
    }

    #[tokio::test]
    async fn a_rollout_without_leading_session_meta_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for content in [
            String::new(),
            "garbage\n".to_string(),
            line_of(user_message("turn-1", "no meta")),
        ] {
            let path = write_rollout(dir.path(), &content);
            let err = load_rollout(&path).await.unwrap_err();
            assert!(
                matches!(err, RolloutError::MissingSessionMeta { .. }),
                "{content:?}: {err}"
            );
        }
        let undated = r#"{"timestamp":"t","type":"session_meta","payload":{"id":"t-1","timestamp":"yesterday","cwd":"/repo"}}"#;
        let path = write_rollout(dir.path(), &format!("{undated}\n"));
        let err = load_rollout(&path).await.unwrap_err();
        assert!(
            matches!(err, RolloutError::InvalidSessionMeta { .. })
                && err.to_string().contains("\"yesterday\" is not RFC 3339"),
            "{err}"
        );
        let missing = load_rollout(&dir.path().join("missing.jsonl"))
            .await
            .unwrap_err();
        assert!(matches!(missing, RolloutError::Io { .. }), "{missing}");
    }
}
