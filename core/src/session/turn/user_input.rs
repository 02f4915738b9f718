//! The user's input as the turn takes it in: the history message the model reads (local image files as their
//! content, `local_image`), the thread's preview, and the `userMessage` item the host sees (the input as the
//! user gave it: a local image by its path).

use std::path::Path;

use crate::protocol::event::EventMsg;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::rollout::RolloutItem;
use crate::session::turn::context_prefix::context_items;
use crate::session::turn::local_image::local_image_content;
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
    new_history.push(user_message(&input, &ctx.settings.cwd).await);
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

/// The user's input as a history message. Images are numbered in their order, URL or file alike, as
/// upstream numbers them; local files are read relative to `cwd`.
pub(crate) async fn user_message(input: &[UserInput], cwd: &Path) -> ResponseItem {
    let mut content = Vec::new();
    let mut image_number = 0;
    for part in input {
        match part {
            UserInput::Text { text, .. } => {
                content.push(ContentItem::InputText { text: text.clone() })
            }
            UserInput::Image {
                url,
                file_id,
                detail,
            } => {
                image_number += 1;
                content.push(ContentItem::InputImage {
                    image_url: url.clone(),
                    file_id: file_id.clone(),
                    detail: detail.clone(),
                });
            }
            UserInput::LocalImage { path, detail } => {
                image_number += 1;
                content
                    .extend(local_image_content(path, detail.as_deref(), cwd, image_number).await);
            }
        }
    }
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
