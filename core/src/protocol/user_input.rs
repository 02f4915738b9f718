//! Asking the user (`request_user_input`): the questions a turn puts to the host, the answers that come
//! back by question id, and the one-shot reply channel that carries them to the waiting turn. The turn drops
//! its end when it is interrupted; a host side that drops the reply unanswered cancels the question.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;

use serde::Deserialize;
use serde::Serialize;
use tokio::sync::oneshot;

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

/// The sending half of a question's answers. Cloning shares it: the first `take` gets the sender.
#[derive(Clone)]
pub struct UserInputReply(Arc<Mutex<Option<oneshot::Sender<UserInputAnswers>>>>);

impl UserInputReply {
    /// A reply channel and the receiver the turn waits on.
    pub fn channel() -> (Self, oneshot::Receiver<UserInputAnswers>) {
        let (sender, receiver) = oneshot::channel();
        (Self(Arc::new(Mutex::new(Some(sender)))), receiver)
    }

    /// The sender, once. Await `closed()` on it to learn that the turn stopped waiting.
    pub fn take(&self) -> Option<oneshot::Sender<UserInputAnswers>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for UserInputReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserInputReply")
    }
}

impl PartialEq for UserInputReply {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

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
