//! Questions asked of the user: a core `request_user_input` becomes an `item/tool/requestUserInput` server
//! request; the host's answers go back to the waiting turn after `serverRequest/resolved`. An error answer
//! or one that does not decode gives the model no answers, as upstream; a connection that closes first
//! (its writer gone) leaves the question unanswered. When the turn stops waiting (interrupt), the request is dropped and
//! `serverRequest/resolved` tells the host it no longer needs answering.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::protocol::user_input::UserInputAnswer;
use codex_core::protocol::user_input::UserInputAnswers;
use codex_core::protocol::user_input::UserInputQuestion;
use codex_core::protocol::user_input::UserInputRequest;

use crate::outgoing::OutgoingMessageSender;

/// Sends the questions now and answers the turn from a task.
pub fn ask_user_input(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    request: UserInputRequest,
) {
    let Some(mut reply) = request.reply.take() else {
        tracing::warn!("user input request without a reply channel; not asking the host");
        return;
    };
    let payload = ServerRequestPayload::ToolRequestUserInput(wire::ToolRequestUserInputParams {
        thread_id: thread_id.clone(),
        turn_id: request.turn_id,
        item_id: request.item_id,
        questions: request.questions.into_iter().map(question).collect(),
        is_blocking: true,
        auto_resolution_ms: None,
    });
    let (request_id, answer) = outgoing.start_request(payload);
    let outgoing = outgoing.clone();
    tokio::spawn(async move {
        let answer = outgoing
            .answer_unless_withdrawn(&request_id, answer, reply.closed())
            .await;
        let answers = match answer {
            None | Some(Err(_)) => None,
            Some(Ok(Ok(result))) => Some(
                serde_json::from_value::<wire::ToolRequestUserInputResponse>(result)
                    .map(answers)
                    .unwrap_or_else(|err| {
                        tracing::warn!("the host's answers do not decode ({err}); giving none");
                        UserInputAnswers::default()
                    }),
            ),
            Some(Ok(Err(error))) => {
                tracing::warn!(
                    "the host answered item/tool/requestUserInput with error {}: {}; giving no answers",
                    error.code,
                    error.message
                );
                Some(UserInputAnswers::default())
            }
        };
        outgoing.send_resolved(thread_id, request_id).await;
        // Without answers the reply is dropped: the turn tells the model the question went unanswered.
        if let Some(answers) = answers
            && reply.send(answers).is_err()
        {
            tracing::debug!("the turn stopped waiting before the user's answers arrived");
        }
    });
}

fn question(question: UserInputQuestion) -> wire::ToolRequestUserInputQuestion {
    wire::ToolRequestUserInputQuestion {
        id: question.id,
        header: question.header,
        question: question.question,
        is_other: question.is_other,
        is_secret: question.is_secret,
        options: question.options.map(|options| {
            options
                .into_iter()
                .map(|option| wire::ToolRequestUserInputOption {
                    label: option.label,
                    description: option.description,
                })
                .collect()
        }),
    }
}

fn answers(response: wire::ToolRequestUserInputResponse) -> UserInputAnswers {
    UserInputAnswers {
        answers: response
            .answers
            .into_iter()
            .map(|(id, answer)| {
                (
                    id,
                    UserInputAnswer {
                        answers: answer.answers,
                    },
                )
            })
            .collect(),
    }
}
