//! A git command that never runs repository-controlled programs. The daemon runs `git` itself (git info at
//! thread start and for a turn's environment context and `x-codex-turn-metadata` header) in workspaces the
//! model writes, `.git` included, so a repository's config, attributes and hooks are the model's. Every such
//! command goes through `HardenedGit`, which
//!
//! 1. switches off what a repository can make git run: the `-c` settings of `HARDENING_CONFIG` (read after
//!    every config file, so they win), the environment of `HARDENING_ENV` (no transport, so no lazy fetch
//!    from a promisor remote), flags per subcommand (no external diff or textconv; no `git status` inside
//!    submodules, which would run under the submodule's own config), and, for commands that may read
//!    working-tree files, every filter driver the config defines (a clean filter runs whenever `git status`
//!    re-reads a file whose stat data changed), listed with `git config --get-regexp` and cleared by name;
//! 2. where the kernel has Landlock, confines git so that it executes nothing but itself (and its loader),
//!    writes nothing and opens no TCP connection: a program a repository names that slipped past (1), such as
//!    a filter driver added between the listing of drivers and the command, fails to start.
//!
//! Neither depends on the sandbox of the model's own commands, which today may write `.git`.

use std::collections::BTreeSet;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::process::Output;
use std::process::Stdio;
use std::sync::Arc;

use tokio::process::Command;
use tokio::time::Instant;

use crate::sandbox::LandlockRuleset;
use crate::sandbox::executed_files;

/// `-c` settings of every command, each switching off a program a repository's config could name.
const HARDENING_CONFIG: [(&str, &str); 9] = [
    // `git status` runs the fsmonitor hook (or starts the fsmonitor daemon). Empty is "off" in every git
    // version; older ones would take `false` for the name of a hook.
    ("core.fsmonitor", ""),
    // No hook runs, whatever its name or directory (`post-index-change` follows every index write).
    ("core.hooksPath", "/dev/null"),
    // A pager runs only on a terminal, which git's stdout never is here; `--no-pager` is passed too.
    ("core.pager", "cat"),
    // An empty value empties the list of helpers read so far, which is all of them.
    ("credential.helper", ""),
    ("core.askPass", ""),
    ("core.sshCommand", "false"),
    // Protocols without a `protocol.<name>.allow` of their own; `GIT_ALLOW_PROTOCOL` refuses the rest.
    ("protocol.allow", "never"),
    // Verifying a signature runs `gpg.program` (or `gpg.ssh.program`).
    ("log.showSignature", "false"),
    // The summary of `git status` runs `git log` inside each submodule.
    ("status.submoduleSummary", "false"),
];

/// The environment of every command.
const HARDENING_ENV: [(&str, &str); 5] = [
    // Read-only inspection takes no lock and writes no index, so no index hook can follow either.
    ("GIT_OPTIONAL_LOCKS", "0"),
    ("GIT_TERMINAL_PROMPT", "0"),
    // Set and empty: git neither runs it nor falls back to `core.askPass` or `SSH_ASKPASS`.
    ("GIT_ASKPASS", ""),
    // In a partial clone a missing object is fetched from the promisor remote, which the repository names
    // (an `ext::` URL is a command line; an ssh one runs `core.sshCommand`).
    ("GIT_NO_LAZY_FETCH", "1"),
    // An empty allow-list refuses every transport, overriding any `protocol.<name>.allow` (git 2.12+, where
    // `GIT_NO_LAZY_FETCH` needs 2.44).
    ("GIT_ALLOW_PROTOCOL", ""),
];

/// Subcommands that never read the content of a working-tree file, so never run a filter driver.
const READS_NO_WORKTREE_FILES: [&str; 3] = ["config", "rev-parse", "remote"];

/// Why a git command gave no answer.
#[derive(Debug, thiserror::Error)]
pub(super) enum GitCommandError {
    #[error("git is not on PATH")]
    NotFound,
    #[error("cannot run {program}: {source}", program = program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git {command} exited with {status}")]
    Failed { command: String, status: ExitStatus },
    #[error("git {command} did not finish in time")]
    TimedOut { command: String },
    #[error("git {command} failed: {source}")]
    Wait {
        command: String,
        #[source]
        source: std::io::Error,
    },
    /// A driver whose name `-c` cannot spell (it holds `=`, or is not UTF-8): commands that would run it are
    /// not run at all.
    #[error("the repository's filter driver {driver:?} cannot be switched off")]
    UnnamableFilterDriver { driver: String },
}

/// The `git` the daemon runs: the one on `PATH`, confined where the kernel allows. Tests use stand-ins.
#[derive(Debug, Clone)]
pub(super) struct GitProgram {
    /// The program (looked up on `PATH` when it has no `/`) and any leading arguments.
    argv: Vec<String>,
    confine: bool,
}

impl GitProgram {
    pub(super) fn installed() -> Self {
        Self {
            argv: vec!["git".to_string()],
            confine: true,
        }
    }

    /// A command line standing for `git` (e.g. `sh -c <script> git`), run unconfined.
    #[cfg(test)]
    pub(crate) fn stand_in(argv: &[&str]) -> Self {
        Self {
            argv: argv.iter().map(|arg| arg.to_string()).collect(),
            confine: false,
        }
    }

    /// The installed git without the Landlock confinement, so tests see what the settings alone do.
    #[cfg(test)]
    pub(crate) fn installed_unconfined() -> Self {
        Self {
            confine: false,
            ..Self::installed()
        }
    }
}

/// Git in one directory, every command hardened the same way (see the module's documentation).
#[derive(Debug)]
pub(super) struct HardenedGit {
    program: PathBuf,
    leading_args: Vec<String>,
    cwd: PathBuf,
    /// Shared by the commands; `None` without Landlock or for a git that is not an ELF executable.
    confinement: Option<Arc<LandlockRuleset>>,
    /// `GIT_CEILING_DIRECTORIES` for every command (`None`: unset), so git finds the same repository as the
    /// daemon's own search.
    ceilings: Option<std::ffi::OsString>,
}

impl HardenedGit {
    pub(super) fn new(git: &GitProgram, cwd: &Path) -> Result<Self, GitCommandError> {
        let (program, leading_args) = git.argv.split_first().ok_or(GitCommandError::NotFound)?;
        let program = if program.contains('/') {
            PathBuf::from(program)
        } else {
            find_on_path(program).ok_or(GitCommandError::NotFound)?
        };
        let confinement = if git.confine {
            confinement(&program)
        } else {
            None
        };
        Ok(Self {
            program,
            leading_args: leading_args.to_vec(),
            cwd: cwd.to_path_buf(),
            confinement,
            ceilings: None,
        })
    }

    /// Runs every command with `GIT_CEILING_DIRECTORIES` set to `ceilings` (`None`: unset).
    pub(super) fn with_ceilings(self, ceilings: Option<std::ffi::OsString>) -> Self {
        Self { ceilings, ..self }
    }

    /// Runs `git <args>` (`args` starts with the subcommand) and returns its stdout; any failure, or the
    /// `deadline` passing (the child is killed then), is an error.
    pub(super) async fn output(
        &self,
        args: &[&str],
        deadline: Instant,
    ) -> Result<String, GitCommandError> {
        let subcommand = args.first().copied().unwrap_or_default();
        let filter_drivers = if READS_NO_WORKTREE_FILES.contains(&subcommand) {
            Vec::new()
        } else {
            self.filter_drivers(deadline).await?
        };
        let output = self.run(args, &filter_drivers, deadline).await?;
        if !output.status.success() {
            return Err(GitCommandError::Failed {
                command: args.join(" "),
                status: output.status,
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The filter drivers the config defines (every scope and include), for `filter_overrides`.
    async fn filter_drivers(&self, deadline: Instant) -> Result<Vec<String>, GitCommandError> {
        let args = ["config", "-z", "--name-only", "--get-regexp", r"^filter\."];
        let output = self.run(&args, &[], deadline).await?;
        match output.status.code() {
            Some(0) => parse_filter_drivers(&output.stdout),
            // Nothing matched.
            Some(1) => Ok(Vec::new()),
            _ => Err(GitCommandError::Failed {
                command: args.join(" "),
                status: output.status,
            }),
        }
    }

    async fn run(
        &self,
        args: &[&str],
        filter_drivers: &[String],
        deadline: Instant,
    ) -> Result<Output, GitCommandError> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.leading_args)
            .args(hardened_args(args, filter_drivers))
            .current_dir(&self.cwd)
            .envs(HARDENING_ENV)
            .env_remove("GIT_EXTERNAL_DIFF")
            .env_remove(crate::context::git_ceilings::GIT_CEILING_DIRECTORIES_ENV_VAR)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(ceilings) = &self.ceilings {
            command.env(
                crate::context::git_ceilings::GIT_CEILING_DIRECTORIES_ENV_VAR,
                ceilings,
            );
        }
        if let Some(ruleset) = &self.confinement {
            confine(&mut command, Arc::clone(ruleset));
        }
        let child = command.spawn().map_err(|source| GitCommandError::Spawn {
            program: self.program.clone(),
            source,
        })?;
        match tokio::time::timeout_at(deadline, child.wait_with_output()).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(source)) => Err(GitCommandError::Wait {
                command: args.join(" "),
                source,
            }),
            Err(_elapsed) => Err(GitCommandError::TimedOut {
                command: args.join(" "),
            }),
        }
    }
}

/// Git's arguments after the program: the global hardening, the overrides of `filter_drivers`, then `args`
/// with the subcommand's own hardening flags right after its name.
fn hardened_args(args: &[&str], filter_drivers: &[String]) -> Vec<String> {
    let mut hardened = vec!["--no-pager".to_string()];
    for (key, value) in HARDENING_CONFIG {
        hardened.push("-c".to_string());
        hardened.push(format!("{key}={value}"));
    }
    for driver in filter_drivers {
        for setting in ["clean=", "smudge=", "process=", "required=false"] {
            hardened.push("-c".to_string());
            hardened.push(format!("filter.{driver}.{setting}"));
        }
    }
    if let Some((subcommand, rest)) = args.split_first() {
        hardened.push(subcommand.to_string());
        hardened.extend(
            subcommand_flags(subcommand)
                .iter()
                .map(|flag| flag.to_string()),
        );
        hardened.extend(rest.iter().map(|arg| arg.to_string()));
    }
    hardened
}

/// Flags a subcommand gets right after its name.
fn subcommand_flags(subcommand: &str) -> &'static [&'static str] {
    match subcommand {
        // A submodule is found dirty by running `git status` inside it, under the submodule's own config
        // (whose filter drivers nobody listed); `dirty` still reports a submodule whose commit moved.
        "status" => &["--ignore-submodules=dirty"],
        // `diff.external`, `diff.<driver>.command` and `diff.<driver>.textconv` are programs.
        "diff" => &[
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules=dirty",
        ],
        "log" | "show" => &["--no-ext-diff", "--no-textconv"],
        _ => &[],
    }
}

/// The driver names in `git config -z --name-only --get-regexp '^filter\.'` (`filter.<driver>.<key>` names,
/// each ending in NUL). A name `-c` cannot spell is an error rather than a driver left running.
fn parse_filter_drivers(listing: &[u8]) -> Result<Vec<String>, GitCommandError> {
    let mut drivers = BTreeSet::new();
    for name in listing.split(|byte| *byte == 0) {
        let Some(rest) = name.strip_prefix(b"filter.") else {
            continue;
        };
        let Some(dot) = rest.iter().rposition(|byte| *byte == b'.') else {
            // `filter.<key>` without a driver.
            continue;
        };
        let driver = &rest[..dot];
        match std::str::from_utf8(driver) {
            Ok(driver) if !driver.contains('=') => {
                drivers.insert(driver.to_string());
            }
            Ok(_) | Err(_) => {
                return Err(GitCommandError::UnnamableFilterDriver {
                    driver: String::from_utf8_lossy(driver).into_owned(),
                });
            }
        }
    }
    Ok(drivers.into_iter().collect())
}

/// The first executable `name` in the absolute directories of `PATH` (a relative entry, such as an empty
/// one, would mean whatever directory git is started in: the workspace).
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

/// The Landlock ruleset that lets `program` execute only itself and its loader, when the kernel can enforce
/// one and `program` is an ELF executable (a script would need a shell, which would defeat the point).
fn confinement(program: &Path) -> Option<Arc<LandlockRuleset>> {
    let executables = match executed_files(program) {
        Ok(Some(executables)) => executables,
        Ok(None) => {
            tracing::debug!(
                "{} is not an ELF executable; git runs unconfined",
                program.display()
            );
            return None;
        }
        Err(err) => {
            tracing::debug!(
                "cannot read {}: {err}; git runs unconfined",
                program.display()
            );
            return None;
        }
    };
    match LandlockRuleset::confining_execution_to(&executables) {
        Ok(ruleset) => ruleset.map(Arc::new),
        Err(err) => {
            tracing::debug!("cannot confine git: {err}; git runs unconfined");
            None
        }
    }
}

fn confine(command: &mut Command, ruleset: Arc<LandlockRuleset>) {
    // SAFETY: `restrict_self` makes two raw syscalls and allocates nothing, so it is async-signal-safe between
    // fork and exec; the closure owns its reference to the ruleset.
    unsafe {
        command.pre_exec(move || ruleset.restrict_self());
    }
}

#[cfg(test)]
mod tests;
