//! One iteration of one command: every scenario once, each with fresh servers.

use std::path::Path;

use crate::compaction::compaction_figures;
use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::fuzzy_search::FuzzyFixture;
use crate::fuzzy_search::fuzzy_figures;
use crate::http_turns::http_figures;
use crate::load::load_figures;
use crate::mcp::mcp_figures;
use crate::options::BenchOptions;
use crate::review::review_figures;
use crate::unified_exec::unified_exec_figures;
use crate::websocket_turn::websocket_figures;

/// One fresh server process for the HTTP figures, one per websocket first-turn figure, one per
/// compaction scenario (on demand, automatic), one for the MCP figures, one for the unified exec figures,
/// one for the review figure, one for the fuzzy search figures (on the iteration's tree), then one for the load figures:
/// every figure once.
pub(crate) async fn run_iteration(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    fuzzy: &FuzzyFixture,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    http_figures(options, command_line, stderr_log, samples, notes).await?;
    websocket_figures(options, command_line, stderr_log, samples, notes).await?;
    compaction_figures(options, command_line, stderr_log, samples, notes).await?;
    mcp_figures(
        options,
        command_line,
        &stderr_log.with_extension("mcp.log"),
        samples,
        notes,
    )
    .await?;
    unified_exec_figures(
        options,
        command_line,
        &stderr_log.with_extension("unified_exec.log"),
        samples,
        notes,
    )
    .await?;
    review_figures(
        options,
        command_line,
        &stderr_log.with_extension("review.log"),
        samples,
        notes,
    )
    .await?;
    fuzzy_figures(
        options,
        command_line,
        &stderr_log.with_extension("fuzzy.log"),
        fuzzy,
        samples,
        notes,
    )
    .await?;
    let (load_rate, load_rss) = load_figures(
        options,
        command_line,
        &stderr_log.with_extension("load.log"),
    )
    .await?;
    samples.load_deltas_per_second = load_rate;
    samples.load_peak_rss_mb = load_rss;
    Ok(())
}
