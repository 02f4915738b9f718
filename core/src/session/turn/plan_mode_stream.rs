//! What a plan-mode response shows while it streams, as upstream shows it: the `<proposed_plan>` block of
//! an answer becomes a `plan` item of its own (`item/plan/delta` as it comes, completed with the last
//! block's text), and the agent message shows the rest. A message is announced only once it has visible
//! text, so an answer that is all plan shows no message. History keeps the answer whole.

use crate::protocol::event::EventMsg;
use crate::protocol::turn_item::TurnItem;
use crate::session::turn::proposed_plan::PlanSegment;
use crate::session::turn::proposed_plan::ProposedPlanParser;
use crate::session::turn::proposed_plan::extract_proposed_plan;
use crate::session::turn::proposed_plan::strip_proposed_plan;

/// The plan-mode state of one response.
pub(super) struct PlanModeStream {
    turn_id: String,
    /// The message streaming now; the model streams one at a time.
    message: Option<MessageInProgress>,
    /// The response's one `plan` item.
    plan_id: String,
    plan_started: bool,
    plan_completed: bool,
}

/// An agent message as it streams in plan mode.
struct MessageInProgress {
    /// The item as opened, announced with the first visible text.
    opened: TurnItem,
    announced: bool,
    /// Leading whitespace, held until visible text follows.
    held_whitespace: String,
    parser: ProposedPlanParser,
}

/// What finishing a message produced: the events to report, then the items it completed.
pub(super) struct FinishedMessage {
    pub(super) events: Vec<EventMsg>,
    pub(super) items: Vec<TurnItem>,
}

impl PlanModeStream {
    pub(super) fn new(turn_id: &str) -> Self {
        Self {
            turn_id: turn_id.to_string(),
            message: None,
            plan_id: uuid::Uuid::new_v4().to_string(),
            plan_started: false,
            plan_completed: false,
        }
    }

    /// An agent message opens (`opened` is its empty item); it is announced later, if ever.
    pub(super) fn open_message(&mut self, opened: TurnItem) {
        self.message = Some(MessageInProgress {
            opened,
            announced: false,
            held_whitespace: String::new(),
            parser: ProposedPlanParser::default(),
        });
    }

    /// The events for a text delta of the message streaming now.
    pub(super) fn text_delta(&mut self, delta: &str) -> Vec<EventMsg> {
        let segments = match self.message.as_mut() {
            Some(message) => message.parser.push(delta),
            None => return Vec::new(),
        };
        self.segment_events(segments)
    }

    /// The message is done: the rest of its stream, its plan item completed from `completed`'s text (the
    /// authoritative answer), and the message without its plan, unless nothing visible is left of it.
    pub(super) fn finish_message(&mut self, completed: TurnItem) -> FinishedMessage {
        let rest = match self.message.as_mut() {
            Some(message) => message.parser.finish(),
            None => Vec::new(),
        };
        let mut events = self.segment_events(rest);
        let mut items = Vec::new();
        let TurnItem::AgentMessage { id, text, phase } = completed else {
            return FinishedMessage { events, items };
        };
        if let Some(plan) = extract_proposed_plan(&text)
            && !self.plan_completed
        {
            events.extend(self.start_plan());
            self.plan_completed = true;
            let item = TurnItem::Plan {
                id: self.plan_id.clone(),
                text: plan,
            };
            events.push(self.completed(item.clone()));
            items.push(item);
        }
        let message = self.message.take();
        let visible = strip_proposed_plan(&text);
        if visible.trim().is_empty() {
            return FinishedMessage { events, items };
        }
        if !message.as_ref().is_some_and(|message| message.announced) {
            let opened = message.map_or_else(
                || TurnItem::AgentMessage {
                    id: id.clone(),
                    text: String::new(),
                    phase,
                },
                |message| message.opened,
            );
            events.push(self.started(opened));
        }
        let item = TurnItem::AgentMessage {
            id,
            text: visible,
            phase,
        };
        events.push(self.completed(item.clone()));
        items.push(item);
        FinishedMessage { events, items }
    }

    fn segment_events(&mut self, segments: Vec<PlanSegment>) -> Vec<EventMsg> {
        let mut events = Vec::new();
        for segment in segments {
            match segment {
                PlanSegment::Text(text) => events.extend(self.message_text(text)),
                PlanSegment::PlanStart => events.extend(self.start_plan()),
                PlanSegment::PlanText(delta) if !self.plan_completed => {
                    events.extend(self.start_plan());
                    events.push(EventMsg::PlanDelta {
                        turn_id: self.turn_id.clone(),
                        item_id: self.plan_id.clone(),
                        delta,
                    });
                }
                PlanSegment::PlanText(_) | PlanSegment::PlanEnd => {}
            }
        }
        events
    }

    /// Message text: held while it is only leading whitespace, then the message is announced.
    fn message_text(&mut self, text: String) -> Vec<EventMsg> {
        let Some(message) = self.message.as_mut() else {
            return Vec::new();
        };
        let mut events = Vec::new();
        let delta = if message.announced {
            text
        } else if text.trim().is_empty() {
            message.held_whitespace.push_str(&text);
            return events;
        } else {
            message.announced = true;
            let opened = message.opened.clone();
            let delta = std::mem::take(&mut message.held_whitespace) + &text;
            events.push(self.started(opened));
            delta
        };
        let item_id = self
            .message
            .as_ref()
            .map(|message| message.opened.id().to_string())
            .unwrap_or_default();
        events.push(EventMsg::AgentMessageDelta {
            turn_id: self.turn_id.clone(),
            item_id,
            delta,
        });
        events
    }

    /// The plan item's start, the first time (never after it completed).
    fn start_plan(&mut self) -> Option<EventMsg> {
        if self.plan_started || self.plan_completed {
            return None;
        }
        self.plan_started = true;
        Some(self.started(TurnItem::Plan {
            id: self.plan_id.clone(),
            text: String::new(),
        }))
    }

    fn started(&self, item: TurnItem) -> EventMsg {
        EventMsg::ItemStarted {
            turn_id: self.turn_id.clone(),
            item,
        }
    }

    fn completed(&self, item: TurnItem) -> EventMsg {
        EventMsg::ItemCompleted {
            turn_id: self.turn_id.clone(),
            item,
        }
    }
}
