//! The user's input as the turn takes it in: the history message the model reads, the thread's preview, and
//! the `userMessage` item the host sees.

use crate::protocol::event::EventMsg;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::rollout::RolloutItem;
use crate::session::turn::context_prefix::context_items;
use crate::session::turn_context::TurnContext;

/// Puts user input into history and the rollout and reports it as a completed `userMessage` item.
pub(super) async fn record_user_input(
    ctx: &TurnContext,
    input: Vec<UserInput>,
    client_id: Option<String>,
) -> TurnItem {
    let turn_id = ctx.turn_id();
    let user_item = TurnItem::UserMessage {
        id: uuid::Uuid::new_v4().to_string(),
        content: input.clone(),
        client_id,
    };
    let mut new_history = context_items(&ctx.shared, &ctx.settings).await;
    new_history.push(user_message(&input));
    ctx.conversation()
        .add_input(&new_history, || preview_text(&input));
    let mut records: Vec<RolloutItem> = new_history
        .into_iter()
        .map(RolloutItem::ResponseItem)
        .collect();
    records.push(RolloutItem::ItemCompleted {
        turn_id: turn_id.to_string(),
        item: user_item.clone(),
    });
    ctx.conversation().record(records);
    ctx.events()
        .emit(EventMsg::ItemStarted {
            turn_id: turn_id.to_string(),
            item: user_item.clone(),
        })
        .await;
    ctx.events()
        .emit(EventMsg::ItemCompleted {
            turn_id: turn_id.to_string(),
            item: user_item.clone(),
        })
        .await;
    user_item
}

/// The user's input as a history message.
pub(crate) fn user_message(input: &[UserInput]) -> ResponseItem {
    let content = input
        .iter()
        .map(|part| match part {
            UserInput::Text { text, .. } => ContentItem::InputText { text: text.clone() },
            UserInput::Image {
                url,
                file_id,
                detail,
            } => ContentItem::InputImage {
                image_url: url.clone(),
                file_id: file_id.clone(),
                detail: detail.clone(),
            },
            UserInput::LocalImage { path } => ContentItem::InputText {
                text: format!("<image path=\"{path}\" />"),
            },
        })
        .collect();
    ResponseItem::Message {
        id: None,
        role: "user".to_string(),
        content,
        end_turn: None,
        phase: None,
    }
}

fn preview_text(input: &[UserInput]) -> String {
    input
        .iter()
        .find_map(|part| match part {
            UserInput::Text { text, .. } => Some(text.clone()),
            UserInput::Image { .. } | UserInput::LocalImage { .. } => None,
        })
        .unwrap_or_default()
}
