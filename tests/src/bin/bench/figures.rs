//! The figures the bench reports (the table's rows), the samples one iteration measured, and each
//! command's results over all iterations, summarised as median / p90 cells.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use crate::failure::BenchFailure;
use crate::fuzzy_tree::TREE_FILES;
use crate::workload::FUZZY_LONG_QUERY;
use crate::workload::FUZZY_SHORT_QUERY;
use crate::workload::HISTORY_TURNS;
use crate::workload::LOAD_DELTAS;
use crate::workload::LOAD_THREADS;
use crate::workload::PARALLEL_SLEEP_SECONDS;
use crate::workload::SLOW_HANDSHAKE;

/// The rows of the table, in print order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Figure {
    InitializeLatency,
    FirstDeltaLatency,
    TurnLatency,
    ToolTurnLatency,
    ParallelToolTurnLatency,
    CompactionLatency,
    TurnAfterCompactionLatency,
    AutoCompactionTurnLatency,
    McpReadyLatency,
    McpCallLatency,
    UnifiedExecEchoLatency,
    UnifiedExecKeystrokeLatency,
    ReviewLatency,
    FuzzyFirstSearchLatency,
    FuzzyShortQueryLatency,
    FuzzyLongQueryLatency,
    DeltaThroughput,
    PeakRss,
    WebSocketFirstDelta,
    WebSocketFirstDeltaSlowHandshakePreconnected,
    WebSocketFirstDeltaSlowHandshakeImmediate,
    LoadThroughput,
    LoadPeakRss,
}

pub(crate) const FIGURES: [Figure; 23] = [
    Figure::InitializeLatency,
    Figure::FirstDeltaLatency,
    Figure::TurnLatency,
    Figure::ToolTurnLatency,
    Figure::ParallelToolTurnLatency,
    Figure::CompactionLatency,
    Figure::TurnAfterCompactionLatency,
    Figure::AutoCompactionTurnLatency,
    Figure::McpReadyLatency,
    Figure::McpCallLatency,
    Figure::UnifiedExecEchoLatency,
    Figure::UnifiedExecKeystrokeLatency,
    Figure::ReviewLatency,
    Figure::FuzzyFirstSearchLatency,
    Figure::FuzzyShortQueryLatency,
    Figure::FuzzyLongQueryLatency,
    Figure::DeltaThroughput,
    Figure::PeakRss,
    Figure::WebSocketFirstDelta,
    Figure::WebSocketFirstDeltaSlowHandshakePreconnected,
    Figure::WebSocketFirstDeltaSlowHandshakeImmediate,
    Figure::LoadThroughput,
    Figure::LoadPeakRss,
];

impl Figure {
    pub(crate) fn label(self, delta_count: usize) -> String {
        match self {
            Figure::InitializeLatency => "spawn -> initialize response".to_string(),
            Figure::FirstDeltaLatency => "turn/start -> first agentMessage delta".to_string(),
            Figure::TurnLatency => "turn/start -> turn/completed".to_string(),
            Figure::ToolTurnLatency => {
                "tool turn (shell_command `echo hi`, no login shell): turn/start -> turn/completed"
                    .to_string()
            }
            Figure::ParallelToolTurnLatency => format!(
                "parallel tool turn (two `sleep {PARALLEL_SLEEP_SECONDS}` calls in one response): \
                 turn/start -> turn/completed"
            ),
            Figure::CompactionLatency => format!(
                "compaction after {HISTORY_TURNS} turns: thread/compact/start -> turn/completed"
            ),
            Figure::TurnAfterCompactionLatency => {
                "turn after the compaction: turn/start -> turn/completed".to_string()
            }
            Figure::AutoCompactionTurnLatency => {
                "turn compacting automatically first: turn/start -> turn/completed".to_string()
            }
            Figure::McpReadyLatency => {
                "MCP: thread/start -> stdio server ready (startup status)".to_string()
            }
            Figure::McpCallLatency => {
                "MCP tool call: mcpToolCall item/started -> item/completed".to_string()
            }
            Figure::UnifiedExecEchoLatency => {
                "exec_command `echo` (no login shell, unsandboxed): call handed out -> item/completed"
                    .to_string()
            }
            Figure::UnifiedExecKeystrokeLatency => {
                "PTY session keystroke: write_stdin handed out -> its echo's outputDelta"
                    .to_string()
            }
            Figure::ReviewLatency => {
                "review/start against a base branch (reviewer answers at once, unsandboxed): \
                 request -> turn/completed"
                    .to_string()
            }
            Figure::FuzzyFirstSearchLatency => format!(
                "fuzzyFileSearch, {TREE_FILES}-file tree, first search (walks it): `{FUZZY_SHORT_QUERY}`"
            ),
            Figure::FuzzyShortQueryLatency => {
                format!("fuzzyFileSearch, same tree, later searches: `{FUZZY_SHORT_QUERY}`")
            }
            Figure::FuzzyLongQueryLatency => {
                format!("fuzzyFileSearch, same tree, later searches: `{FUZZY_LONG_QUERY}`")
            }
            Figure::DeltaThroughput => format!("{delta_count}-delta stream, first -> last delta"),
            Figure::PeakRss => "peak RSS after the stream (VmHWM, process tree)".to_string(),
            Figure::WebSocketFirstDelta => {
                "ws first turn, instant handshake: turn/start -> first delta".to_string()
            }
            Figure::WebSocketFirstDeltaSlowHandshakePreconnected => format!(
                "ws first turn, {} ms handshake, preconnect done: turn/start -> first delta",
                SLOW_HANDSHAKE.as_millis()
            ),
            Figure::WebSocketFirstDeltaSlowHandshakeImmediate => format!(
                "ws first turn, {} ms handshake, turn/start at once: turn/start -> first delta",
                SLOW_HANDSHAKE.as_millis()
            ),
            Figure::LoadThroughput => {
                format!("load: {LOAD_THREADS} threads x {LOAD_DELTAS} deltas at once, all deltas")
            }
            Figure::LoadPeakRss => "load: peak RSS (VmHWM, process tree)".to_string(),
        }
    }

    pub(crate) fn unit(self) -> &'static str {
        match self {
            Figure::InitializeLatency
            | Figure::FirstDeltaLatency
            | Figure::TurnLatency
            | Figure::ToolTurnLatency
            | Figure::ParallelToolTurnLatency
            | Figure::CompactionLatency
            | Figure::TurnAfterCompactionLatency
            | Figure::AutoCompactionTurnLatency
            | Figure::McpReadyLatency
            | Figure::McpCallLatency
            | Figure::UnifiedExecEchoLatency
            | Figure::UnifiedExecKeystrokeLatency
            | Figure::ReviewLatency
            | Figure::FuzzyFirstSearchLatency
            | Figure::FuzzyShortQueryLatency
            | Figure::FuzzyLongQueryLatency
            | Figure::WebSocketFirstDelta
            | Figure::WebSocketFirstDeltaSlowHandshakePreconnected
            | Figure::WebSocketFirstDeltaSlowHandshakeImmediate => "ms",
            Figure::DeltaThroughput | Figure::LoadThroughput => "deltas/s",
            Figure::PeakRss | Figure::LoadPeakRss => "MB",
        }
    }

    pub(crate) fn format_value(self, value: f64) -> String {
        match self {
            Figure::InitializeLatency
            | Figure::FirstDeltaLatency
            | Figure::TurnLatency
            | Figure::ToolTurnLatency
            | Figure::ParallelToolTurnLatency
            | Figure::CompactionLatency
            | Figure::TurnAfterCompactionLatency
            | Figure::AutoCompactionTurnLatency
            | Figure::McpReadyLatency
            | Figure::McpCallLatency
            | Figure::UnifiedExecEchoLatency
            | Figure::UnifiedExecKeystrokeLatency
            | Figure::ReviewLatency
            | Figure::FuzzyFirstSearchLatency
            | Figure::FuzzyShortQueryLatency
            | Figure::FuzzyLongQueryLatency
            | Figure::PeakRss
            | Figure::LoadPeakRss
            | Figure::WebSocketFirstDelta
            | Figure::WebSocketFirstDeltaSlowHandshakePreconnected
            | Figure::WebSocketFirstDeltaSlowHandshakeImmediate => format!("{value:.1}"),
            Figure::DeltaThroughput | Figure::LoadThroughput => format!("{value:.0}"),
        }
    }
}

/// The figures one iteration measured; `None` where the iteration stopped before them.
#[derive(Debug, Default)]
pub(crate) struct IterationSamples {
    pub initialize_ms: Option<f64>,
    pub first_delta_ms: Option<f64>,
    pub turn_ms: Option<f64>,
    pub tool_turn_ms: Option<f64>,
    pub parallel_tool_turn_ms: Option<f64>,
    pub compaction_ms: Option<f64>,
    pub turn_after_compaction_ms: Option<f64>,
    pub auto_compaction_turn_ms: Option<f64>,
    pub mcp_ready_ms: Option<f64>,
    pub mcp_call_ms: Option<f64>,
    pub unified_exec_echo_ms: Option<f64>,
    pub unified_exec_keystroke_ms: Option<f64>,
    pub review_ms: Option<f64>,
    pub fuzzy_first_search_ms: Option<f64>,
    pub fuzzy_short_query_ms: Option<f64>,
    pub fuzzy_long_query_ms: Option<f64>,
    pub deltas_per_second: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    pub websocket_first_delta_ms: Option<f64>,
    pub websocket_slow_preconnected_first_delta_ms: Option<f64>,
    pub websocket_slow_immediate_first_delta_ms: Option<f64>,
    pub load_deltas_per_second: Option<f64>,
    pub load_peak_rss_mb: Option<f64>,
}

impl IterationSamples {
    fn get(&self, figure: Figure) -> Option<f64> {
        match figure {
            Figure::InitializeLatency => self.initialize_ms,
            Figure::FirstDeltaLatency => self.first_delta_ms,
            Figure::TurnLatency => self.turn_ms,
            Figure::ToolTurnLatency => self.tool_turn_ms,
            Figure::ParallelToolTurnLatency => self.parallel_tool_turn_ms,
            Figure::CompactionLatency => self.compaction_ms,
            Figure::TurnAfterCompactionLatency => self.turn_after_compaction_ms,
            Figure::AutoCompactionTurnLatency => self.auto_compaction_turn_ms,
            Figure::McpReadyLatency => self.mcp_ready_ms,
            Figure::McpCallLatency => self.mcp_call_ms,
            Figure::UnifiedExecEchoLatency => self.unified_exec_echo_ms,
            Figure::UnifiedExecKeystrokeLatency => self.unified_exec_keystroke_ms,
            Figure::ReviewLatency => self.review_ms,
            Figure::FuzzyFirstSearchLatency => self.fuzzy_first_search_ms,
            Figure::FuzzyShortQueryLatency => self.fuzzy_short_query_ms,
            Figure::FuzzyLongQueryLatency => self.fuzzy_long_query_ms,
            Figure::DeltaThroughput => self.deltas_per_second,
            Figure::PeakRss => self.peak_rss_mb,
            Figure::WebSocketFirstDelta => self.websocket_first_delta_ms,
            Figure::WebSocketFirstDeltaSlowHandshakePreconnected => {
                self.websocket_slow_preconnected_first_delta_ms
            }
            Figure::WebSocketFirstDeltaSlowHandshakeImmediate => {
                self.websocket_slow_immediate_first_delta_ms
            }
            Figure::LoadThroughput => self.load_deltas_per_second,
            Figure::LoadPeakRss => self.load_peak_rss_mb,
        }
    }
}

/// Everything measured for one command over all iterations.
#[derive(Debug, Default)]
pub(crate) struct CommandResults {
    samples: BTreeMap<Figure, Vec<f64>>,
    /// Figures that lacked a sample in some iteration because of a timeout.
    timed_out_figures: BTreeSet<Figure>,
    /// Distinct failures and remarks, in first-seen order.
    pub notes: Vec<String>,
    pub gave_up: bool,
}

impl CommandResults {
    pub(crate) fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub(crate) fn record(&mut self, samples: &IterationSamples, failure: Option<&BenchFailure>) {
        for figure in FIGURES {
            match samples.get(figure) {
                Some(value) => self.samples.entry(figure).or_default().push(value),
                None => {
                    if let Some(BenchFailure::Timeout(_)) = failure {
                        self.timed_out_figures.insert(figure);
                    }
                }
            }
        }
        if let Some(failure) = failure {
            self.note(failure.to_string());
        }
    }

    pub(crate) fn cell(&self, figure: Figure, iterations: usize) -> String {
        let mut values = self.samples.get(&figure).cloned().unwrap_or_default();
        if values.is_empty() {
            return if self.timed_out_figures.contains(&figure) {
                "timeout".to_string()
            } else {
                "error".to_string()
            };
        }
        values.sort_by(f64::total_cmp);
        let count = values.len();
        let median = if count % 2 == 1 {
            values[count / 2]
        } else {
            (values[count / 2 - 1] + values[count / 2]) / 2.0
        };
        // Nearest-rank p90.
        let p90 = values[(count * 9).div_ceil(10) - 1];
        let median = figure.format_value(median);
        let p90 = figure.format_value(p90);
        if count == iterations {
            format!("{median} / {p90}")
        } else {
            format!("{median} / {p90} ({count}/{iterations})")
        }
    }
}
