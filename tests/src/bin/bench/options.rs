//! The bench's command line: `--server-cmd`, `--iterations`, `--deltas`, `--timeout-secs`, `--log-dir`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use anyhow::bail;

const USAGE: &str = "\
usage: bench [--server-cmd \"<command line>\"]... [--iterations N] [--deltas N] [--timeout-secs S] [--log-dir DIR]

  --server-cmd    a command that starts an app-server speaking JSON-RPC on stdio; repeat it to compare
                  several commands side by side (default: codex-app-server next to this executable)
  --iterations    fresh server processes per command (default 10)
  --deltas        deltas in the throughput stream (default 20000)
  --timeout-secs  limit of every single wait (default 60)
  --log-dir       where the servers' stderr goes (default <tmp>/codex-app-server-bench)";

/// What the command line asked for.
pub(crate) struct BenchOptions {
    pub server_commands: Vec<String>,
    pub iterations: usize,
    pub delta_count: usize,
    pub timeout: Duration,
    pub log_dir: PathBuf,
}

/// Reads the command line; `--help` prints the usage and exits.
pub(crate) fn parse_options() -> anyhow::Result<BenchOptions> {
    let mut server_commands = Vec::new();
    let mut iterations = 10;
    let mut delta_count = 20_000;
    let mut timeout_secs = 60;
    let mut log_dir = std::env::temp_dir().join("codex-app-server-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let Some(value) = args.next() else {
            bail!("{arg} needs a value\n{USAGE}");
        };
        match arg.as_str() {
            // Servers run in a temporary working directory, so a relative program path is made absolute.
            "--server-cmd" => server_commands.push(match value.split_once(' ') {
                Some((program, rest)) if program.contains('/') && !program.starts_with('/') => {
                    format!("{} {rest}", std::path::absolute(program)?.display())
                }
                Some(_) => value,
                None if value.contains('/') && !value.starts_with('/') => {
                    std::path::absolute(&value)?.display().to_string()
                }
                None => value,
            }),
            "--iterations" => iterations = value.parse().context("--iterations")?,
            "--deltas" => delta_count = value.parse().context("--deltas")?,
            "--timeout-secs" => timeout_secs = value.parse().context("--timeout-secs")?,
            "--log-dir" => log_dir = PathBuf::from(value),
            _ => bail!("unknown argument {arg}\n{USAGE}"),
        }
    }
    if iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    if server_commands.is_empty() {
        let exe = std::env::current_exe().context("locating the bench executable")?;
        let default_server = exe.with_file_name("codex-app-server");
        if !default_server.is_file() {
            bail!(
                "{} does not exist; build it first with `cargo build --release -p codex-app-server` \
                 or pass --server-cmd",
                default_server.display()
            );
        }
        let quoted = default_server.display().to_string().replace('\'', r"'\''");
        server_commands.push(format!("'{quoted}'"));
    }
    Ok(BenchOptions {
        server_commands,
        iterations,
        delta_count,
        timeout: Duration::from_secs(timeout_secs),
        log_dir,
    })
}
