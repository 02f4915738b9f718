//! The review turn (`review/start`): `enteredReviewMode`, then the reviewer's own sampling loop (its
//! request as the turn's user message, its tool calls as the turn's items, its messages kept off the wire),
//! then `exitedReviewMode` and an agent message with the rendered review, which also join the thread's
//! history for the turns after it.

use std::time::Instant;

use crate::protocol::event::EventMsg;
use crate::protocol::event::TurnSummary;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::rollout::RolloutItem;
use crate::session::turn::begin_turn;
use crate::session::turn::end_turn;
use crate::session::turn::finish::TurnEnd;
use crate::session::turn::model_stream::ModelStream;
use crate::session::turn::record_user_input;
use crate::session::turn::review_output::ReviewOutput;
use crate::session::turn::sample_until_done;
use crate::session::turn_context::TurnContext;

/// What the thread's history says after an interrupted review.
const INTERRUPTED_REVIEW: &str =
    "Review was interrupted. Start it again and let it finish to get its findings.";

/// A review about to run: its label (what the user sees) and the request the reviewer reads.
pub(crate) struct ReviewRequest {
    pub(crate) label: String,
    pub(crate) text: String,
}

/// Runs the review turn `turn` of the thread of `ctx`, the reviewer working in `reviewer` (same turn id,
/// cancellation and tools, a history of its own); `turn/completed` is the last event it reports.
pub(crate) async fn run_review_turn(
    ctx: &TurnContext,
    reviewer: &TurnContext,
    model: &mut dyn ModelStream,
    turn: TurnSummary,
    request: ReviewRequest,
) {
    let started = Instant::now();
    begin_turn(ctx, &turn).await;
    let entered = TurnItem::EnteredReviewMode {
        id: new_item_id(),
        review: request.label.clone(),
    };
    let mut items = vec![report(ctx, entered).await];
    let mut reviewed = Vec::new();
    let text = UserInput::Text {
        text: request.text,
        text_elements: Vec::new(),
    };
    reviewed.push(record_user_input(reviewer, vec![text], None).await);
    let outcome = sample_until_done(reviewer, model, &mut reviewed).await;
    // The reviewer's history is its own; its other items were recorded in the thread's rollout as they
    // completed (`Conversation::beside`).
    let answer = take_final_answer(&mut reviewed);
    items.extend(reviewed);
    let outcome = match outcome {
        Ok(()) => {
            let output = ReviewOutput::parse(answer.as_deref().unwrap_or_default());
            let review = output.render();
            items.extend(exit_review(ctx, &request.label, Some(&output.results()), review).await);
            Ok(())
        }
        Err(TurnEnd::Interrupted) => {
            let review = INTERRUPTED_REVIEW.to_string();
            items.extend(exit_review(ctx, &request.label, None, review).await);
            Err(TurnEnd::Interrupted)
        }
        Err(TurnEnd::Failed(error)) => {
            let exited = TurnItem::ExitedReviewMode {
                id: new_item_id(),
                review: format!("The review failed: {}", error.message),
            };
            items.push(report(ctx, exited).await);
            Err(TurnEnd::Failed(error))
        }
    };
    end_turn(ctx, turn, outcome, items, started).await;
}

/// The reviewer's last message (its answer), taken out of the items: its messages are reported only as
/// the review.
fn take_final_answer(items: &mut Vec<TurnItem>) -> Option<String> {
    let answer = items.iter().rev().find_map(|item| match item {
        TurnItem::AgentMessage { text, .. } => Some(text.clone()),
        _ => None,
    });
    items.retain(|item| !matches!(item, TurnItem::AgentMessage { .. }));
    answer
}

/// Ends review mode: the thread's history learns what the review found (`results`; `None` when it was
/// interrupted), and the user gets `exitedReviewMode` and the review as an agent message.
async fn exit_review(
    ctx: &TurnContext,
    label: &str,
    results: Option<&str>,
    review: String,
) -> Vec<TurnItem> {
    let history = [
        ResponseItem::user_text(review_outcome_message(label, results)),
        ResponseItem::Message {
            id: None,
            role: "assistant".to_string(),
            content: vec![ContentItem::OutputText {
                text: review.clone(),
            }],
            end_turn: None,
            phase: None,
        },
    ];
    ctx.conversation().add_input(&history, || label.to_string());
    ctx.conversation()
        .record(history.into_iter().map(RolloutItem::ResponseItem).collect());
    let exited = TurnItem::ExitedReviewMode {
        id: new_item_id(),
        review: review.clone(),
    };
    let message = TurnItem::AgentMessage {
        id: new_item_id(),
        text: review,
        phase: None,
    };
    vec![report(ctx, exited).await, report(ctx, message).await]
}

/// The message that tells the model, in the thread's history, that the user ran a review and what it said.
fn review_outcome_message(label: &str, results: Option<&str>) -> String {
    match results {
        Some(results) => format!(
            "<user_action>\n  <context>The user ran a code review ({label}). The reviewer's full output \
             follows; the user may ask for some of its findings to be addressed.</context>\n  \
             <action>review</action>\n  <results>\n  {results}\n  </results>\n</user_action>"
        ),
        None => format!(
            "<user_action>\n  <context>The user started a code review ({label}), but it was \
             interrupted before it finished: there are no findings.</context>\n  \
             <action>review</action>\n</user_action>"
        ),
    }
}

/// Reports `item` as started and completed in the turn and records it.
async fn report(ctx: &TurnContext, item: TurnItem) -> TurnItem {
    let turn_id = ctx.turn_id().to_string();
    ctx.conversation().record(vec![RolloutItem::ItemCompleted {
        turn_id: turn_id.clone(),
        item: item.clone(),
    }]);
    ctx.events()
        .emit(EventMsg::ItemStarted {
            turn_id: turn_id.clone(),
            item: item.clone(),
        })
        .await;
    ctx.events()
        .emit(EventMsg::ItemCompleted {
            turn_id,
            item: item.clone(),
        })
        .await;
    item
}

fn new_item_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
