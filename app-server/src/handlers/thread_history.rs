//! `thread/inject_items`, `thread/turns/list` and `thread/items/list`: writing raw model-visible items into
//! a loaded thread, and paging through a thread's recorded turns and items (loaded or stored).

use codex_app_server_protocol as wire;
use codex_core::protocol::turn_item::TurnItem;
use codex_core::rollout::StoredTurn;
use codex_core::session::thread_injection::parse_items;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::loaded_thread;
use crate::handlers::thread::thread_error;
use crate::history_page::CursorScope;
use crate::history_page::PageCursor;
use crate::history_page::page_cursors;
use crate::history_page::window;
use crate::wire_conversion;

/// Page size when the request names none.
const DEFAULT_PAGE_LIMIT: usize = 50;

/// `thread/inject_items`: appends raw model-visible items to a loaded thread's history.
pub async fn inject_items(
    context: RequestContext,
    params: wire::ThreadInjectItemsParams,
) -> Result<Answer<wire::ThreadInjectItemsResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    let items =
        parse_items(params.items).map_err(|error| RequestError::Rejected(error.to_string()))?;
    thread.inject_items(items).await;
    Ok(Answer::new(wire::ThreadInjectItemsResponse {}))
}

/// The recorded turns of a loaded or stored thread.
async fn recorded_turns(
    context: &RequestContext,
    thread_id: &str,
) -> Result<Vec<StoredTurn>, RequestError> {
    let snapshot = context
        .engine
        .threads
        .read_thread(thread_id)
        .await
        .map_err(thread_error)?;
    Ok(snapshot.turns)
}

fn decode_cursor(
    cursor: Option<&str>,
    thread_id: &str,
    scope: CursorScope,
) -> Result<Option<(usize, bool)>, RequestError> {
    cursor
        .map(|text| {
            PageCursor::decode(text, thread_id, scope)
                .map(|cursor| (cursor.position, cursor.include_anchor))
                .map_err(|error| RequestError::Rejected(error.to_string()))
        })
        .transpose()
}

/// `thread/turns/list`: one page of a thread's recorded turns, each with the items its view asks for.
pub async fn turns_list(
    context: RequestContext,
    params: wire::ThreadTurnsListParams,
) -> Result<Answer<wire::ThreadTurnsListResponse>, RequestError> {
    let turns = recorded_turns(&context, &params.thread_id).await?;
    let anchor = decode_cursor(
        params.cursor.as_deref(),
        &params.thread_id,
        CursorScope::Turns,
    )?;
    let page = window(
        0..turns.len(),
        anchor,
        params.sort_direction.unwrap_or(wire::SortDirection::Desc),
        params
            .limit
            .map_or(DEFAULT_PAGE_LIMIT, |limit| limit as usize),
    );
    let view = params.items_view.unwrap_or(wire::TurnItemsView::Summary);
    let data = page
        .positions
        .iter()
        .map(|&position| listed_turn(&turns[position], view))
        .collect();
    let (next_cursor, backwards_cursor) =
        page_cursors(&page, &params.thread_id, CursorScope::Turns);
    Ok(Answer::new(wire::ThreadTurnsListResponse {
        data,
        next_cursor,
        backwards_cursor,
    }))
}

/// A turn with the items its view asks for: none, the display summary (the user's message and the
/// agent's last message), or all of them.
fn listed_turn(turn: &StoredTurn, view: wire::TurnItemsView) -> wire::Turn {
    let mut wire_turn = wire_conversion::stored_turn(turn);
    wire_turn.items = match view {
        wire::TurnItemsView::NotLoaded => Vec::new(),
        wire::TurnItemsView::Full => wire_turn.items,
        wire::TurnItemsView::Summary => summary_items(&turn.items),
    };
    wire_turn.items_view = Some(view);
    wire_turn
}

fn summary_items(items: &[TurnItem]) -> Vec<wire::ThreadItem> {
    let user = items
        .iter()
        .find(|item| matches!(item, TurnItem::UserMessage { .. }));
    let agent = items
        .iter()
        .rev()
        .find(|item| matches!(item, TurnItem::AgentMessage { .. }));
    user.into_iter()
        .chain(agent)
        .map(wire_conversion::thread_item)
        .collect()
}

/// `thread/items/list`: one page of a thread's recorded items, all of them or one turn's.
pub async fn items_list(
    context: RequestContext,
    params: wire::ThreadItemsListParams,
) -> Result<Answer<wire::ThreadItemsListResponse>, RequestError> {
    refuse_output_deferral(params.defer_output.as_ref())?;
    let turns = recorded_turns(&context, &params.thread_id).await?;
    // Every item in order, each with the index of its turn.
    let items: Vec<(usize, &TurnItem)> = turns
        .iter()
        .enumerate()
        .flat_map(|(turn_index, turn)| turn.items.iter().map(move |item| (turn_index, item)))
        .collect();
    let range = match &params.turn_id {
        Some(turn_id) => turn_range(&items, &turns, turn_id),
        None => 0..items.len(),
    };
    let anchor = items_anchor(&params, &items, &range)?;
    let page = window(
        range,
        anchor,
        params.sort_direction.unwrap_or(wire::SortDirection::Asc),
        params
            .limit
            .map_or(DEFAULT_PAGE_LIMIT, |limit| limit as usize),
    );
    let data = page
        .positions
        .iter()
        .map(|&position| {
            let (turn_index, item) = items[position];
            wire::ThreadItemEntry {
                turn_id: turns[turn_index].id.clone(),
                item: wire_conversion::thread_item(item),
                started_at_ms: None,
                completed_at_ms: None,
            }
        })
        .collect();
    let (next_cursor, backwards_cursor) =
        page_cursors(&page, &params.thread_id, CursorScope::Items);
    Ok(Answer::new(wire::ThreadItemsListResponse {
        data,
        next_cursor,
        backwards_cursor,
    }))
}

/// Leaving outputs out of a page (to fetch them separately) is not implemented: asking for it is refused
/// rather than answered with the outputs in.
fn refuse_output_deferral(
    deferral: Option<&wire::ThreadItemOutputDeferral>,
) -> Result<(), RequestError> {
    let Some(deferral) = deferral else {
        return Ok(());
    };
    for (field, requested) in [
        ("commandExecution", deferral.command_execution),
        ("mcpToolCall", deferral.mcp_tool_call),
    ] {
        if requested == Some(true) {
            return Err(RequestError::InvalidParams(format!(
                "`deferOutput.{field}` is not supported by this server"
            )));
        }
    }
    Ok(())
}

/// The positions of `turn_id`'s items among all items; empty when no such turn was recorded.
fn turn_range(
    items: &[(usize, &TurnItem)],
    turns: &[StoredTurn],
    turn_id: &str,
) -> std::ops::Range<usize> {
    let Some(turn_index) = turns.iter().position(|turn| turn.id == turn_id) else {
        return 0..0;
    };
    let start = items.partition_point(|(index, _)| *index < turn_index);
    let end = items.partition_point(|(index, _)| *index <= turn_index);
    start..end
}

/// Where the page starts: an opaque cursor, or an item of the requested turn (exclusive).
fn items_anchor(
    params: &wire::ThreadItemsListParams,
    items: &[(usize, &TurnItem)],
    range: &std::ops::Range<usize>,
) -> Result<Option<(usize, bool)>, RequestError> {
    match &params.cursor {
        None => Ok(None),
        Some(wire::ThreadItemsListCursor::Cursor(text)) => {
            decode_cursor(Some(text), &params.thread_id, CursorScope::Items)
        }
        Some(wire::ThreadItemsListCursor::Anchor(wire::ThreadItemsListAnchor::Item {
            item_id,
        })) => {
            let Some(turn_id) = params.turn_id.as_deref().filter(|id| !id.is_empty()) else {
                return Err(RequestError::InvalidParams(
                    "turnId is required when cursor is an item anchor".to_string(),
                ));
            };
            range
                .clone()
                .find(|&position| items[position].1.id() == item_id)
                .map(|position| Some((position, false)))
                .ok_or_else(|| {
                    RequestError::Rejected(format!("item {item_id} not found in turn {turn_id}"))
                })
        }
    }
}
