//! Asking the user (`request_user_input`): the questions a turn puts to the host, the answers that come
//! back by question id, and the one-shot reply channel that carries them to the waiting turn. The turn drops
//! its end when it is interrupted; a host side that drops the reply unanswered cancels the question.

use crate::protocol::host_reply::HostReply;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde::Serialize;

/// One question for the user, as the model asks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInputQuestion {
    pub id: String,
    pub header: String,
    pub question: String,
    /// Whether the host offers a free-form answer besides the options.
    #[serde(default)]
    pub is_other: bool,
    #[serde(default)]
    pub is_secret: bool,
    #[serde(default)]
    pub options: Option<Vec<UserInputOption>>,
}

/// One choice of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInputOption {
    pub label: String,
    pub description: String,
}

/// The user's answers, by question id; serialized as the model reads them:
/// `{"answers": {"<id>": {"answers": ["<label or text>", ...]}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInputAnswers {
    pub answers: BTreeMap<String, UserInputAnswer>,
}

/// The answer to one question: the chosen labels and any text the user wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInputAnswer {
    pub answers: Vec<String>,
}

/// The sending half of a question's answers.
pub type UserInputReply = HostReply<UserInputAnswers>;

/// Questions the model put to the user; the turn waits for the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInputRequest {
    pub turn_id: String,
    /// The model's call id.
    pub item_id: String,
    pub questions: Vec<UserInputQuestion>,
    pub reply: UserInputReply,
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn answers_serialize_as_the_model_reads_them() {
        let answers = UserInputAnswers {
            answers: BTreeMap::from([(
                "scope".to_string(),
                UserInputAnswer {
                    answers: vec!["All".to_string()],
                },
            )]),
        };
        assert_eq!(
            serde_json::to_string(&answers).expect("serializes"),
            r#"{"answers":{"scope":{"answers":["All"]}}}"#
        );
        assert_eq!(
            serde_json::to_string(&UserInputAnswers::default()).expect("serializes"),
            r#"{"answers":{}}"#
        );
    }
}
