//! `request_user_input`: the model asks the user one to three multiple-choice questions and waits for the
//! answers, which it reads back as JSON. Only plan mode allows it, as upstream: elsewhere the model is told
//! the tool is unavailable. The host may always answer in its own words (`isOther`).

use serde::Deserialize;

use crate::context::collaboration_mode::ModeKind;
use crate::protocol::event::EventMsg;
use crate::protocol::user_input::UserInputOption;
use crate::protocol::user_input::UserInputQuestion;
use crate::protocol::user_input::UserInputReply;
use crate::protocol::user_input::UserInputRequest;
use crate::tools::tool_call::TOOL_ABORTED;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::HostWait;
use crate::tools::tool_run::ToolRun;

/// The tool's name.
pub(crate) const REQUEST_USER_INPUT_TOOL_NAME: &str = "request_user_input";

/// What the model reads when the host side let the question go unanswered (no host follows the thread,
/// or its connection closed), as upstream says it.
const CANCELLED: &str = "request_user_input was cancelled before receiving a response";

/// The arguments the model sends.
#[derive(Debug, Deserialize)]
struct RequestUserInputArguments {
    questions: Vec<QuestionArguments>,
}

#[derive(Debug, Deserialize)]
struct QuestionArguments {
    id: String,
    header: String,
    question: String,
    #[serde(default)]
    options: Option<Vec<UserInputOption>>,
}

/// The refusal for a mode that does not allow the tool, as upstream words it.
fn unavailable_in(mode: ModeKind) -> Option<String> {
    match mode {
        ModeKind::Plan => None,
        ModeKind::Default => Some(format!(
            "request_user_input is unavailable in {} mode",
            mode.display_name()
        )),
    }
}

/// The questions to put to the user, or what the model must fix first.
fn questions(arguments: &str) -> Result<Vec<UserInputQuestion>, String> {
    let arguments: RequestUserInputArguments = serde_json::from_str(arguments)
        .map_err(|err| format!("failed to parse function arguments: {err}"))?;
    if arguments
        .questions
        .iter()
        .any(|question| question.options.as_ref().is_none_or(Vec::is_empty))
    {
        return Err("request_user_input requires non-empty options for every question".to_string());
    }
    Ok(arguments
        .questions
        .into_iter()
        .map(|question| UserInputQuestion {
            id: question.id,
            header: question.header,
            question: question.question,
            is_other: true,
            is_secret: false,
            options: question.options,
        })
        .collect())
}

impl ToolRun<'_> {
    /// Asks the host the model's questions and waits; the answers (by question id) are the output. An
    /// interrupt ends the turn.
    pub(super) async fn request_user_input(&self, call_id: &str, arguments: &str) -> Handled {
        if let Some(refusal) = unavailable_in(self.ctx.settings.collaboration_mode) {
            return Handled::text_only(refusal);
        }
        let questions = match questions(arguments) {
            Ok(questions) => questions,
            Err(message) => return Handled::text_only(message),
        };
        let (reply, answer) = UserInputReply::channel();
        let request = EventMsg::UserInputRequested(UserInputRequest {
            turn_id: self.ctx.turn_id.clone(),
            item_id: call_id.to_string(),
            questions,
            reply,
        });
        match self
            .wait_for_host(HostWait::UserInput, request, answer)
            .await
        {
            None => Handled {
                text: TOOL_ABORTED.to_string(),
                item: None,
                abort_turn: true,
            },
            Some(Err(_unanswered)) => Handled::text_only(CANCELLED.to_string()),
            Some(Ok(answers)) => {
                Handled::text_only(serde_json::to_string(&answers).unwrap_or_else(|err| {
                    format!("failed to serialize request_user_input response: {err}")
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn only_plan_mode_allows_the_tool() {
        assert_eq!(unavailable_in(ModeKind::Plan), None);
        assert_eq!(
            unavailable_in(ModeKind::Default),
            Some("request_user_input is unavailable in Default mode".to_string())
        );
    }

    #[test]
    fn every_question_needs_options_and_offers_other() {
        let asked = questions(
            r#"{"questions":[{"id":"a","header":"A","question":"Which?","options":[{"label":"x","description":"y"}]}]}"#,
        )
        .expect("valid");
        assert_eq!(
            asked,
            vec![UserInputQuestion {
                id: "a".to_string(),
                header: "A".to_string(),
                question: "Which?".to_string(),
                is_other: true,
                is_secret: false,
                options: Some(vec![UserInputOption {
                    label: "x".to_string(),
                    description: "y".to_string()
                }]),
            }]
        );
        for arguments in [
            r#"{"questions":[{"id":"a","header":"A","question":"Which?"}]}"#,
            r#"{"questions":[{"id":"a","header":"A","question":"Which?","options":[]}]}"#,
        ] {
            assert_eq!(
                questions(arguments),
                Err("request_user_input requires non-empty options for every question".to_string())
            );
        }
        let error = questions("{}").expect_err("no questions");
        assert!(
            error.starts_with("failed to parse function arguments: missing field `questions`"),
            "{error}"
        );
    }
}
