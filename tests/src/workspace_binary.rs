//! Finding a binary of this workspace for tests, the demo and the benchmark (`codex-app-server`,
//! `mcp_test_server`): an environment override, else the file next to the running executable's profile
//! directory, else built once with cargo in that profile.

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;

use anyhow::Context;
use anyhow::anyhow;
use anyhow::bail;

/// One binary target of the workspace and how to find it.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceBinary {
    /// The cargo package that owns it (`-p`).
    pub package: &'static str,
    /// The binary target's name (`--bin`), also its file name without the platform's suffix.
    pub name: &'static str,
    /// The environment variable that, when set, names the binary to use instead.
    pub env_override: &'static str,
    /// How long a first build takes, for the message printed before it (e.g. "a minute or two").
    pub build_time: &'static str,
}

/// The binary's path: `$env_override`, else next to the running executable's profile directory (the
/// executable of a test sits in `deps/`, of an example in `examples/`), else built once with cargo.
pub fn workspace_binary(binary: &WorkspaceBinary) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(binary.env_override) {
        return Ok(PathBuf::from(path));
    }
    let file_name = format!("{}{}", binary.name, std::env::consts::EXE_SUFFIX);
    let executable = std::env::current_exe().context("locate the current executable")?;
    let mut profile_dir = executable
        .parent()
        .context("current executable has no directory")?
        .to_path_buf();
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "deps" || name == "examples")
    {
        profile_dir.pop();
    }
    let candidate = profile_dir.join(&file_name);
    if candidate.is_file() {
        return Ok(candidate);
    }
    build_once(binary, &profile_dir)?;
    if candidate.is_file() {
        Ok(candidate)
    } else {
        bail!(
            "built {} but it is not at {}",
            binary.name,
            candidate.display()
        )
    }
}

/// Builds `binary` with cargo, at most once per process (a failure is remembered too), in the profile
/// `profile_dir` is the output of: `debug` is cargo's default, any other directory names its profile.
fn build_once(binary: &WorkspaceBinary, profile_dir: &Path) -> anyhow::Result<()> {
    static BUILT: Mutex<Option<HashMap<&'static str, Result<(), String>>>> = Mutex::new(None);
    // Held across the build: two tests asking for the same binary wait for one build.
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    let outcome = built
        .entry(binary.name)
        .or_insert_with(|| run_cargo_build(binary, profile_dir));
    outcome.clone().map_err(|error| anyhow!(error))
}

fn run_cargo_build(binary: &WorkspaceBinary, profile_dir: &Path) -> Result<(), String> {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("tests crate has no parent directory")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut args = vec![
        "build",
        "--quiet",
        "-p",
        binary.package,
        "--bin",
        binary.name,
    ];
    let profile = profile_dir.file_name().and_then(|name| name.to_str());
    if let Some(profile) = profile.filter(|profile| *profile != "debug") {
        args.extend(["--profile", profile]);
    }
    // Only a first run gets here (the demo on a fresh clone); say why it takes a while. Cargo's own
    // progress stays quiet, its errors do not.
    eprintln!(
        "building {} (first run only, {})...",
        binary.name, binary.build_time
    );
    let started = std::time::Instant::now();
    let status = std::process::Command::new(cargo)
        .args(&args)
        .current_dir(workspace_root)
        .stdout(Stdio::null())
        .status()
        .map_err(|error| format!("run cargo build: {error}"))?;
    if status.success() {
        eprintln!("built {} in {} s", binary.name, started.elapsed().as_secs());
        Ok(())
    } else {
        Err(format!("cargo build of {} failed: {status}", binary.name))
    }
}
