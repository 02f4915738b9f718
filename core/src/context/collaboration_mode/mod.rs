//! Collaboration modes: whether the agent plans with the user (`plan`) or does the work (`default`), the
//! developer message that tells the model which mode it is in, and whether a turn has to tell it again.
//! The built-in instructions are `plan.md` and `default.md`; the `<collaboration_mode>` wrapper and the
//! `<proposed_plan>` rules inside them are upstream's, which models are trained on.

use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;

const OPEN_TAG: &str = "<collaboration_mode>";
const CLOSE_TAG: &str = "</collaboration_mode>";
const PLAN_INSTRUCTIONS: &str = include_str!("plan.md");
const DEFAULT_INSTRUCTIONS: &str = include_str!("default.md");

/// How the agent works with the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModeKind {
    /// Explore without changing anything, ask the user (`request_user_input`), end with a proposed plan.
    Plan,
    /// Do the work.
    #[default]
    Default,
}

impl ModeKind {
    /// The mode's name as the model reads it in refusals.
    pub fn display_name(self) -> &'static str {
        match self {
            ModeKind::Plan => "Plan",
            ModeKind::Default => "Default",
        }
    }

    fn built_in_instructions(self) -> &'static str {
        match self {
            ModeKind::Plan => PLAN_INSTRUCTIONS,
            ModeKind::Default => DEFAULT_INSTRUCTIONS,
        }
    }
}

/// A mode a turn selected and the instructions that come with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollaborationMode {
    pub kind: ModeKind,
    /// The host's instructions for the mode; `None`: the built-in ones.
    pub developer_instructions: Option<String>,
}

impl CollaborationMode {
    /// What the model is told about the mode.
    pub fn instructions(&self) -> &str {
        self.developer_instructions
            .as_deref()
            .unwrap_or_else(|| self.kind.built_in_instructions())
    }
}

/// The mode of a thread that may never have chosen one (then it is `default`).
pub fn mode_kind(mode: Option<&CollaborationMode>) -> ModeKind {
    mode.map_or(ModeKind::Default, |mode| mode.kind)
}

/// The developer message putting the model in the mode `instructions` describe.
pub(crate) fn mode_message(instructions: &str) -> ResponseItem {
    ResponseItem::Message {
        id: None,
        role: "developer".to_string(),
        content: vec![ContentItem::InputText {
            text: format!("{OPEN_TAG}{instructions}{CLOSE_TAG}"),
        }],
        end_turn: None,
        phase: None,
    }
}

/// The mode instructions the model read last in `history`, if it read any.
pub(crate) fn last_sent(history: &[ResponseItem]) -> Option<String> {
    history.iter().rev().find_map(|item| {
        item.input_texts("developer").find_map(|text| {
            text.strip_prefix(OPEN_TAG)
                .and_then(|rest| rest.strip_suffix(CLOSE_TAG))
                .map(str::to_string)
        })
    })
}

/// The instructions the model must read before the thread's next input, given what it read last: none
/// when they would repeat it. A thread that never chose a mode is in `default`, which needs saying only
/// to a model that was told of another mode.
pub(crate) fn instructions_to_send(
    mode: Option<&CollaborationMode>,
    sent: Option<&str>,
) -> Option<String> {
    let wanted = match mode {
        Some(mode) => mode.instructions(),
        None => {
            sent?;
            DEFAULT_INSTRUCTIONS
        }
    };
    (sent != Some(wanted)).then(|| wanted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn plan() -> CollaborationMode {
        CollaborationMode {
            kind: ModeKind::Plan,
            developer_instructions: None,
        }
    }

    #[test]
    fn a_mode_is_said_once_and_again_when_it_changes() {
        assert_eq!(instructions_to_send(None, None), None);
        let plan_text = instructions_to_send(Some(&plan()), None).expect("plan is said");
        assert!(plan_text.starts_with("# Plan Mode\n"));
        assert_eq!(instructions_to_send(Some(&plan()), Some(&plan_text)), None);
        let default = instructions_to_send(None, Some(&plan_text)).expect("default is said");
        assert!(default.starts_with("# Collaboration Mode: Default\n"));
        assert_eq!(instructions_to_send(None, Some(&default)), None);
        let custom = CollaborationMode {
            kind: ModeKind::Plan,
            developer_instructions: Some("Plan briefly.".to_string()),
        };
        assert_eq!(
            instructions_to_send(Some(&custom), Some(&plan_text)),
            Some("Plan briefly.".to_string())
        );
    }

    #[test]
    fn the_message_round_trips_through_history() {
        let message = mode_message("Plan briefly.");
        let ResponseItem::Message { role, content, .. } = &message else {
            panic!("not a message");
        };
        assert_eq!(role, "developer");
        assert_eq!(
            content,
            &vec![ContentItem::InputText {
                text: "<collaboration_mode>Plan briefly.</collaboration_mode>".to_string()
            }]
        );
        let history = vec![
            mode_message("old"),
            ResponseItem::user_text("hi"),
            message,
            ResponseItem::user_text("<collaboration_mode>not from us</collaboration_mode>"),
        ];
        assert_eq!(last_sent(&history), Some("Plan briefly.".to_string()));
        assert_eq!(last_sent(&[]), None);
    }

    #[test]
    fn the_built_in_plan_keeps_the_proposed_plan_rules() {
        let text = plan().instructions().to_string();
        assert!(text.contains("<proposed_plan>\nplan content\n</proposed_plan>\n"));
        assert!(text.contains("`request_user_input`"));
        assert!(text.ends_with('\n'));
    }
}
