//! In-process tests of plan mode inside a turn: `request_user_input` waits for the host (answered, or left
//! unanswered when the host side drops the question), and a proposed plan streams as a `plan` item of its
//! own beside what remains of the message.

use super::*;
use crate::context::collaboration_mode::ModeKind;
use crate::protocol::user_input::UserInputAnswer;
use crate::protocol::user_input::UserInputAnswers;
use pretty_assertions::assert_eq;

fn plan_mode_harness() -> Harness {
    let mut harness = harness(AskForApproval::Never);
    harness.ctx.tools.settings.collaboration_mode = ModeKind::Plan;
    harness
}

fn question_call() -> ResponseEvent {
    let arguments = serde_json::json!({"questions": [{"id": "scope", "header": "Scope",
        "question": "Which part?", "options": [{"label": "All", "description": "Everything."}]}]});
    ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
        namespace: None,
        id: None,
        name: "request_user_input".to_string(),
        arguments: arguments.to_string(),
        call_id: "call-q".to_string(),
    })
}

/// Runs a turn whose model asks a question and then answers; the host answers with `answers`, or drops
/// the question when `None`. Returns the event labels and what the model read back for the call.
async fn asked_turn(answers: Option<UserInputAnswers>) -> (Vec<String>, String) {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = plan_mode_harness();
    let mut model = ScriptedModel::new(vec![
        vec![Ok(question_call()), Ok(completed())],
        vec![Ok(assistant("thanks")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    let turn_task = run_turn(&ctx, &mut model, turn(), input("plan it"));
    let host = async {
        let mut seen = Vec::new();
        while let Some(event) = events.recv().await {
            if let EventMsg::UserInputRequested(request) = &event.msg
                && let Some(reply) = request.reply.take()
                && let Some(answers) = answers.clone()
            {
                let _ = reply.send(answers);
            }
            let done = matches!(event.msg, EventMsg::TurnCompleted { .. });
            seen.push(event.msg);
            if done {
                break;
            }
        }
        seen
    };
    let ((), seen) = tokio::join!(turn_task, host);
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let output = call_output(&requests[1], "call-q").unwrap_or_default();
    (labels(&seen), output)
}

#[tokio::test]
async fn the_answers_reach_the_model_while_the_thread_shows_it_waits() {
    let answers = UserInputAnswers {
        answers: [(
            "scope".to_string(),
            UserInputAnswer {
                answers: vec!["All".to_string()],
            },
        )]
        .into(),
    };
    let (seen, output) = asked_turn(Some(answers)).await;
    let asked = seen
        .iter()
        .position(|label| label == "UserInputRequested")
        .unwrap_or_else(|| panic!("no question: {seen:?}"));
    assert_eq!(
        seen[asked - 1],
        "status Active { waiting_on_approval: false, waiting_on_user_input: true }"
    );
    assert_eq!(seen[asked + 1], "status active waiting=false");
    assert_eq!(output, r#"{"answers":{"scope":{"answers":["All"]}}}"#);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
}

#[tokio::test]
async fn a_question_the_host_side_drops_is_unanswered_for_the_model() {
    let (seen, output) = asked_turn(None).await;
    assert_eq!(
        output,
        "request_user_input was cancelled before receiving a response"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
}

#[tokio::test]
async fn a_proposed_plan_streams_as_its_own_item_and_the_message_keeps_the_rest() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = plan_mode_harness();
    let whole = "Here.\n<proposed_plan>\n# Plan\n</proposed_plan>\n";
    let opened = ResponseItem::Message {
        id: Some("msg-1".to_string()),
        role: "assistant".to_string(),
        content: Vec::new(),
        end_turn: None,
        phase: None,
    };
    let mut model = ScriptedModel::new(vec![vec![
        Ok(ResponseEvent::OutputItemAdded(opened)),
        Ok(ResponseEvent::OutputTextDelta(
            "Here.\n<proposed_plan>\n".to_string(),
        )),
        Ok(ResponseEvent::OutputTextDelta(
            "# Plan\n</proposed_plan>\n".to_string(),
        )),
        Ok(assistant(whole)),
        Ok(completed()),
    ]]);
    run_turn(&ctx, &mut model, turn(), input("plan it")).await;

    let seen = events_until_completed(&mut events).await;
    let shown: Vec<String> = seen
        .iter()
        .filter_map(|event| match event {
            EventMsg::ItemStarted { item, .. } => Some(format!("started {}", item_kind(item))),
            EventMsg::ItemCompleted {
                item: TurnItem::Plan { text, .. } | TurnItem::AgentMessage { text, .. },
                ..
            } => Some(format!("completed {text:?}")),
            EventMsg::AgentMessageDelta { delta, .. } => Some(format!("message {delta:?}")),
            EventMsg::PlanDelta { delta, .. } => Some(format!("plan {delta:?}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "started UserMessage",
            "started AgentMessage",
            "message \"Here.\\n\"",
            "started Plan",
            "plan \"# Plan\\n\"",
            "completed \"# Plan\\n\"",
            "completed \"Here.\\n\"",
        ]
    );
    let history = ctx.conversation().history();
    assert_eq!(
        history
            .last()
            .and_then(ResponseItem::assistant_text)
            .as_deref(),
        Some(whole),
        "history keeps the whole answer"
    );
}
