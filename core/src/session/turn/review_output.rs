//! What the reviewer answers and how the user reads it: its JSON findings (read leniently: a JSON object
//! inside prose, or plain prose as the explanation) rendered as upstream renders them.

use serde::Deserialize;

/// The text shown when the reviewer said nothing usable.
const NO_REVIEW: &str = "Reviewer failed to output a response.";

/// The reviewer's answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct ReviewOutput {
    pub(crate) findings: Vec<ReviewFinding>,
    pub(crate) overall_correctness: String,
    pub(crate) overall_explanation: String,
    pub(crate) overall_confidence_score: f32,
}

/// One finding: what is wrong and where.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct ReviewFinding {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) confidence_score: f32,
    pub(crate) priority: Option<i32>,
    pub(crate) code_location: CodeLocation,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct CodeLocation {
    pub(crate) absolute_file_path: String,
    pub(crate) line_range: LineRange,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct LineRange {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl ReviewOutput {
    /// The reviewer's final message read as findings: the whole text as JSON, else the outermost `{...}`
    /// in it, else the text as the explanation.
    pub(crate) fn parse(text: &str) -> ReviewOutput {
        if let Ok(output) = serde_json::from_str(text) {
            return output;
        }
        if let (Some(start), Some(end)) = (text.find('{'), text.rfind('}'))
            && start < end
            && let Ok(output) = serde_json::from_str(&text[start..=end])
        {
            return output;
        }
        ReviewOutput {
            overall_explanation: text.to_string(),
            ..ReviewOutput::default()
        }
    }

    /// The review as the user reads it: the explanation, then the findings.
    pub(crate) fn render(&self) -> String {
        let sections: Vec<String> = [
            self.overall_explanation.trim().to_string(),
            self.findings_block(),
        ]
        .into_iter()
        .filter(|section| !section.is_empty())
        .collect();
        if sections.is_empty() {
            NO_REVIEW.to_string()
        } else {
            sections.join("\n\n")
        }
    }

    /// What the thread's history keeps of the review: the explanation, then the findings.
    pub(crate) fn results(&self) -> String {
        [self.overall_explanation.trim(), &self.findings_block()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The findings under their header (`Review comment:`, or `Full review comments:` for several), each
    /// as `- <title> — <path>:<start>-<end>` with its body indented below; empty without findings.
    fn findings_block(&self) -> String {
        if self.findings.is_empty() {
            return String::new();
        }
        let header = if self.findings.len() > 1 {
            "Full review comments:"
        } else {
            "Review comment:"
        };
        let mut lines = vec![header.to_string()];
        for finding in &self.findings {
            let location = &finding.code_location;
            lines.push(String::new());
            lines.push(format!(
                "- {} — {}:{}-{}",
                finding.title,
                location.absolute_file_path,
                location.line_range.start,
                location.line_range.end
            ));
            lines.extend(finding.body.lines().map(|line| format!("  {line}")));
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    const ANSWER: &str = r#"{"findings": [{"title": "[P1] add subtracts", "body": "`add` returns a - b.", "confidence_score": 0.9, "priority": 1, "code_location": {"absolute_file_path": "/repo/calc.py", "line_range": {"start": 2, "end": 2}}}], "overall_correctness": "patch is incorrect", "overall_explanation": "add is broken", "overall_confidence_score": 0.8}"#;

    #[test]
    fn one_finding_renders_as_upstreams() {
        assert_eq!(
            ReviewOutput::parse(ANSWER).render(),
            "add is broken\n\nReview comment:\n\n- [P1] add subtracts — /repo/calc.py:2-2\n  `add` returns a - b."
        );
    }

    #[test]
    fn json_inside_prose_is_found_and_prose_alone_is_the_explanation() {
        let wrapped = format!("Here is my review:\n```json\n{ANSWER}\n```");
        assert_eq!(ReviewOutput::parse(&wrapped), ReviewOutput::parse(ANSWER));
        assert_eq!(
            ReviewOutput::parse("Looks good to me.").render(),
            "Looks good to me."
        );
        assert_eq!(ReviewOutput::parse("  ").render(), NO_REVIEW);
    }

    #[test]
    fn several_findings_get_the_plural_header_and_indented_bodies() {
        let output = ReviewOutput {
            findings: vec![
                ReviewFinding {
                    title: "a".to_string(),
                    body: "line one\nline two".to_string(),
                    ..ReviewFinding::default()
                },
                ReviewFinding {
                    title: "b".to_string(),
                    ..ReviewFinding::default()
                },
            ],
            ..ReviewOutput::default()
        };
        assert_eq!(
            output.render(),
            "Full review comments:\n\n- a — :0-0\n  line one\n  line two\n\n- b — :0-0"
        );
    }
}
