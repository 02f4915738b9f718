//! The `<proposed_plan>` block of a plan-mode answer, found as the text streams: a tag counts only on a
//! line of its own (surrounding whitespace aside), so a line is held back only while it could still
//! become one, and everything else flows as it comes. Upstream's rules: a close tag outside a block and
//! an open tag inside one are text, code fences are not special, and an unterminated block ends with the
//! message.

const OPEN_TAG: &str = "<proposed_plan>";
const CLOSE_TAG: &str = "</proposed_plan>";

/// A piece of streamed text: message text, or the plan block's start, text or end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PlanSegment {
    Text(String),
    PlanStart,
    PlanText(String),
    PlanEnd,
}

/// Splits one message's text into [`PlanSegment`]s as it streams.
#[derive(Debug, Default)]
pub(super) struct ProposedPlanParser {
    in_plan: bool,
    /// The start of the current line, held while it may still be a tag line.
    held_line: String,
    /// The current line is known not to be a tag line: its text flows until its end.
    line_is_text: bool,
}

impl ProposedPlanParser {
    /// The segments `chunk` completes; adjacent text of one kind comes as one segment.
    pub(super) fn push(&mut self, chunk: &str) -> Vec<PlanSegment> {
        let mut segments = Segments::default();
        for ch in chunk.chars() {
            if self.line_is_text {
                segments.text(self.in_plan, &ch.to_string());
                self.line_is_text = ch != '\n';
                continue;
            }
            self.held_line.push(ch);
            if ch == '\n' {
                self.end_line(&mut segments);
                continue;
            }
            let head = self.held_line.trim_start();
            if head.is_empty() || could_become_tag(head) {
                continue;
            }
            let held = std::mem::take(&mut self.held_line);
            segments.text(self.in_plan, &held);
            self.line_is_text = true;
        }
        segments.0
    }

    /// The segments of what is still held at the end of the message, and the end of an open block.
    pub(super) fn finish(&mut self) -> Vec<PlanSegment> {
        let mut segments = Segments::default();
        if !self.held_line.is_empty() {
            self.end_line(&mut segments);
        }
        if std::mem::take(&mut self.in_plan) {
            segments.0.push(PlanSegment::PlanEnd);
        }
        self.line_is_text = false;
        segments.0
    }

    fn end_line(&mut self, segments: &mut Segments) {
        let line = std::mem::take(&mut self.held_line);
        match (line.trim(), self.in_plan) {
            (OPEN_TAG, false) => {
                self.in_plan = true;
                segments.0.push(PlanSegment::PlanStart);
            }
            (CLOSE_TAG, true) => {
                self.in_plan = false;
                segments.0.push(PlanSegment::PlanEnd);
            }
            _ => segments.text(self.in_plan, &line),
        }
    }
}

/// Whether a line starting with `head` (no leading whitespace) may still turn out to be a tag line.
fn could_become_tag(head: &str) -> bool {
    let head = head.trim_end();
    OPEN_TAG.starts_with(head) || CLOSE_TAG.starts_with(head)
}

/// Segments being collected; text joins the text segment of its kind before it.
#[derive(Default)]
struct Segments(Vec<PlanSegment>);

impl Segments {
    fn text(&mut self, in_plan: bool, text: &str) {
        if text.is_empty() {
            return;
        }
        match (self.0.last_mut(), in_plan) {
            (Some(PlanSegment::Text(last)), false) | (Some(PlanSegment::PlanText(last)), true) => {
                last.push_str(text);
            }
            (_, false) => self.0.push(PlanSegment::Text(text.to_string())),
            (_, true) => self.0.push(PlanSegment::PlanText(text.to_string())),
        }
    }
}

fn segments_of(text: &str) -> Vec<PlanSegment> {
    let mut parser = ProposedPlanParser::default();
    let mut segments = parser.push(text);
    segments.extend(parser.finish());
    segments
}

/// The message without its plan blocks: what the agent message shows.
pub(super) fn strip_proposed_plan(text: &str) -> String {
    segments_of(text)
        .into_iter()
        .filter_map(|segment| match segment {
            PlanSegment::Text(text) => Some(text),
            PlanSegment::PlanStart | PlanSegment::PlanText(_) | PlanSegment::PlanEnd => None,
        })
        .collect()
}

/// The text of the message's last plan block, if it has one (possibly empty).
pub(super) fn extract_proposed_plan(text: &str) -> Option<String> {
    let mut plan = None;
    for segment in segments_of(text) {
        match segment {
            PlanSegment::PlanStart => plan = Some(String::new()),
            PlanSegment::PlanText(text) => plan.get_or_insert_with(String::new).push_str(&text),
            PlanSegment::Text(_) | PlanSegment::PlanEnd => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    use PlanSegment::PlanEnd;
    use PlanSegment::PlanStart;

    fn text(text: &str) -> PlanSegment {
        PlanSegment::Text(text.to_string())
    }

    fn plan(text: &str) -> PlanSegment {
        PlanSegment::PlanText(text.to_string())
    }

    fn streamed(chunks: &[&str]) -> Vec<Vec<PlanSegment>> {
        let mut parser = ProposedPlanParser::default();
        let mut out: Vec<Vec<PlanSegment>> = chunks.iter().map(|c| parser.push(c)).collect();
        out.push(parser.finish());
        out
    }

    #[test]
    fn a_line_is_held_only_while_it_may_become_a_tag() {
        assert_eq!(
            streamed(&[
                "Here is ",
                "my plan.\n<propo",
                "sed_plan>\n# Fix",
                " the parser\n- step one\n",
                "</proposed_plan>\n",
                "Tell me."
            ]),
            vec![
                vec![text("Here is ")],
                vec![text("my plan.\n")],
                vec![PlanStart, plan("# Fix")],
                vec![plan(" the parser\n- step one\n")],
                vec![PlanEnd],
                vec![text("Tell me.")],
                vec![],
            ]
        );
    }

    /// Adjacent text of one kind joined, whatever chunks it came in.
    fn merged(segments: Vec<Vec<PlanSegment>>) -> Vec<PlanSegment> {
        let mut out = Segments::default();
        for segment in segments.into_iter().flatten() {
            match segment {
                PlanSegment::Text(t) => out.text(false, &t),
                PlanSegment::PlanText(t) => out.text(true, &t),
                other => out.0.push(other),
            }
        }
        out.0
    }

    #[test]
    fn chunks_split_anywhere_give_the_same_segments() {
        let input = "a\n  <proposed_plan>  \nstep α\n\t</proposed_plan>\nb";
        let whole = merged(streamed(&[input]));
        assert_eq!(
            whole,
            vec![text("a\n"), PlanStart, plan("step α\n"), PlanEnd, text("b")]
        );
        for boundary in input.char_indices().map(|(i, _)| i) {
            assert_eq!(
                merged(streamed(&[&input[..boundary], &input[boundary..]])),
                whole,
                "split at {boundary}"
            );
        }
        assert_eq!(strip_proposed_plan(input), "a\nb");
        assert_eq!(extract_proposed_plan(input), Some("step α\n".to_string()));
    }

    #[test]
    fn tags_count_only_alone_on_their_line_and_in_order() {
        for input in [
            "before <proposed_plan>\nx\n</proposed_plan>",
            "<proposed_plan> extra\nx\n",
            "Use `<proposed_plan>` here.\n",
            "a\n</proposed_plan>\nb",
        ] {
            assert_eq!(strip_proposed_plan(input), input);
            assert_eq!(extract_proposed_plan(input), None);
        }
        let nested = "<proposed_plan>\n```md\n</proposed_plan>\n```\n</proposed_plan>\nz";
        assert_eq!(extract_proposed_plan(nested), Some("```md\n".to_string()));
        assert_eq!(strip_proposed_plan(nested), "```\n</proposed_plan>\nz");
    }

    #[test]
    fn the_last_block_is_the_plan_and_an_open_one_ends_with_the_message() {
        let two = "a\n<proposed_plan>\nfirst\n</proposed_plan>\nb\n<proposed_plan>\nsecond\n</proposed_plan>\nc";
        assert_eq!(extract_proposed_plan(two), Some("second\n".to_string()));
        assert_eq!(strip_proposed_plan(two), "a\nb\nc");
        assert_eq!(
            extract_proposed_plan("<proposed_plan>\nunterminated"),
            Some("unterminated".to_string())
        );
        assert_eq!(
            extract_proposed_plan("<proposed_plan>\n</proposed_plan>\n"),
            Some(String::new())
        );
        assert_eq!(
            extract_proposed_plan("x\r\n<proposed_plan>\r\ny\r\n</proposed_plan>\r\nw"),
            Some("y\r\n".to_string())
        );
        assert_eq!(
            streamed(&["\n\n<proposed_plan>\np\n</proposed_plan>\n\n"]),
            vec![
                vec![text("\n\n"), PlanStart, plan("p\n"), PlanEnd, text("\n")],
                vec![],
            ]
        );
    }
}
