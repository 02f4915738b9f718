//! `tools::exec::run` under a restricted policy: writes only in the writable roots, `.git` / `.codex` /
//! `CODEX_HOME` kept read-only inside them (contents and names), no socket without network access, the
//! command's processes contained (they end with it, see nothing outside, and are counted). On a machine
//! without bubblewrap every sandboxed command must be refused with the message naming what to install.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

use codex_core::sandbox::SandboxPolicy;
use codex_core::sandbox::SandboxSettings;
use codex_core::sandbox::configure_sandbox;
use codex_core::tools::exec::ExecCommand;
use codex_core::tools::exec::ExecOutcome;
use codex_core::tools::exec::ExecParams;
use codex_core::tools::exec::run;
use pretty_assertions::assert_eq;
use tokio_util::sync::CancellationToken;

/// Small, so the fork bomb below stays cheap; every other command here needs a handful of processes.
const MAX_PROCESSES: u64 = 48;

fn configure() {
    configure_sandbox(SandboxSettings {
        max_processes: MAX_PROCESSES,
    });
}

fn bwrap_installed() -> bool {
    ["/usr/bin/bwrap", "/bin/bwrap"]
        .iter()
        .any(|path| Path::new(path).exists())
}

/// Workspace-write whose only writable root is the sandbox cwd (no `/tmp`, no `$TMPDIR`).
fn workspace_only(network_access: bool) -> SandboxPolicy {
    SandboxPolicy::WorkspaceWrite {
        writable_roots: Vec::new(),
        network_access,
        exclude_tmpdir_env_var: true,
        exclude_slash_tmp: true,
    }
}

/// `script` run by bash with stderr sent to stdout, so the output's order is the order of the writes.
fn sh(script: &str, cwd: &Path, sandbox: SandboxPolicy) -> ExecParams {
    ExecParams {
        command: ExecCommand::Argv(vec![
            "bash".to_string(),
            "-c".to_string(),
            format!("exec 2>&1; {script}"),
        ]),
        cwd: cwd.to_path_buf(),
        timeout: Duration::from_secs(20),
        env: HashMap::from([("LC_ALL".to_string(), "C".to_string())]),
        sandbox,
        sandbox_cwd: cwd.to_path_buf(),
        codex_home: PathBuf::from("/nonexistent/codex-home"),
    }
}

/// Runs `params`; without bubblewrap, checks the refusal and returns `None`.
async fn run_sandboxed(params: ExecParams) -> Option<ExecOutcome> {
    configure();
    let mode = params.sandbox.mode_name();
    let result = run(params, |_| {}, CancellationToken::new()).await;
    if bwrap_installed() {
        return Some(result.expect("run"));
    }
    let error = result.expect_err("no bubblewrap: the command must not run");
    assert!(
        error.to_string().starts_with(&format!(
            "sandbox_mode \"{mode}\" needs bubblewrap (`bwrap`), which is not installed"
        )),
        "{error}"
    );
    None
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().canonicalize().expect("canonical");
    (dir, path)
}

#[tokio::test]
async fn workspace_write_writes_in_cwd_but_not_outside() {
    let (_workspace, root) = workspace();
    let (_outside, outside) = workspace();
    let script = format!(
        "mkdir sub && echo kept > sub/inside.txt && cat sub/inside.txt; touch '{}/escaped' || echo refused",
        outside.display()
    );
    let Some(outcome) = run_sandboxed(sh(&script, &root, workspace_only(false))).await else {
        return;
    };
    assert_eq!(
        (outcome.exit_code, outcome.aggregated_output),
        (
            0,
            format!(
                "kept\ntouch: cannot touch '{}/escaped': Read-only file system\nrefused\n",
                outside.display()
            )
        )
    );
    assert!(!outside.join("escaped").exists());
}

#[tokio::test]
async fn writable_roots_come_from_the_sandbox_cwd_not_the_command_cwd() {
    let (_workspace, root) = workspace();
    let (_elsewhere, elsewhere) = workspace();
    let params = ExecParams {
        sandbox_cwd: root,
        ..sh("touch escaped", &elsewhere, workspace_only(false))
    };
    if let Some(outcome) = run_sandboxed(params).await {
        assert_ne!(outcome.exit_code, 0, "{}", outcome.aggregated_output);
    }
    assert!(!elsewhere.join("escaped").exists());
}

#[tokio::test]
async fn read_only_reads_and_uses_dev_null_but_writes_nothing() {
    let (_workspace, root) = workspace();
    std::fs::write(root.join("readme"), "hello\n").expect("write readme");
    let script = "cat readme; echo discarded > /dev/null; echo no > new.txt || echo refused";
    let Some(outcome) = run_sandboxed(sh(script, &root, SandboxPolicy::ReadOnly)).await else {
        return;
    };
    assert_eq!(
        (outcome.exit_code, outcome.aggregated_output),
        (
            0,
            "hello\nbash: line 1: new.txt: Read-only file system\nrefused\n".to_string()
        )
    );
    assert!(!root.join("new.txt").exists());
}

#[tokio::test]
async fn git_codex_and_codex_home_keep_their_contents_and_their_names() {
    let (_workspace, root) = workspace();
    for dir in [".git/hooks", ".codex", "home/.codex"] {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
    }
    std::fs::write(root.join(".git/config"), "[core]\n").expect("config");
    std::fs::write(root.join("home/.codex/config.toml"), "model = \"o3\"\n").expect("config");
    let script = "\
        echo evil > .git/hooks/pre-commit || echo hook refused; \
        echo '[core] fsmonitor = evil' >> .git/config || echo config refused; \
        mv .git .git-moved || echo rename refused; \
        rm -rf .codex || echo remove refused; \
        echo 'sandbox_mode = \"danger-full-access\"' > home/.codex/config.toml || echo home refused; \
        echo ok > src.txt && echo workspace written";
    let params = ExecParams {
        codex_home: root.join("home/.codex"),
        ..sh(script, &root, workspace_only(false))
    };
    let Some(outcome) = run_sandboxed(params).await else {
        return;
    };
    let refusals: Vec<&str> = outcome
        .aggregated_output
        .lines()
        .filter(|line| {
            !line.starts_with("bash:") && !line.starts_with("mv:") && !line.starts_with("rm:")
        })
        .collect();
    assert_eq!(
        refusals,
        [
            "hook refused",
            "config refused",
            "rename refused",
            "remove refused",
            "home refused",
            "workspace written",
        ],
        "{}",
        outcome.aggregated_output
    );
    assert!(!root.join(".git/hooks/pre-commit").exists());
    assert_eq!(
        std::fs::read_to_string(root.join(".git/config")).expect("config"),
        "[core]\n"
    );
    assert!(root.join(".codex").is_dir());
    assert_eq!(
        std::fs::read_to_string(root.join("home/.codex/config.toml")).expect("config"),
        "model = \"o3\"\n"
    );
}

#[tokio::test]
async fn a_codex_home_not_made_yet_is_made_and_kept_read_only() {
    let (_workspace, root) = workspace();
    let params = ExecParams {
        codex_home: root.join("home/.codex"),
        ..sh(
            "mkdir -p home/.codex && echo 'sandbox_mode = \"danger-full-access\"' > home/.codex/config.toml \
             || echo refused",
            &root,
            workspace_only(false),
        )
    };
    let Some(outcome) = run_sandboxed(params).await else {
        return;
    };
    assert!(
        outcome.aggregated_output.ends_with("refused\n"),
        "{outcome:?}"
    );
    assert!(root.join("home/.codex").is_dir());
    assert!(!root.join("home/.codex/config.toml").exists());
}

#[tokio::test]
async fn without_network_access_no_socket_opens_and_with_it_they_do() {
    let (_workspace, root) = workspace();
    let listener = std::os::unix::net::UnixListener::bind(root.join("agent.sock")).expect("bind");
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    let script = format!(
        "python3 - <<'EOF'
import socket
for name, family, kind, address in [
    ('unix', socket.AF_UNIX, socket.SOCK_STREAM, 'agent.sock'),
    ('udp', socket.AF_INET, socket.SOCK_DGRAM, ('127.0.0.1', 53)),
    ('tcp', socket.AF_INET, socket.SOCK_STREAM, ('127.0.0.1', {port})),
]:
    try:
        s = socket.socket(family, kind)
        s.connect(address)
        print(name, 'connected')
    except OSError as error:
        print(name, error.strerror)
EOF"
    );
    let Some(closed) = run_sandboxed(sh(&script, &root, workspace_only(false))).await else {
        return;
    };
    let open = run_sandboxed(sh(&script, &root, workspace_only(true)))
        .await
        .expect("bubblewrap was there a moment ago");
    drop(listener);
    assert_eq!(
        (
            closed.aggregated_output.as_str(),
            open.aggregated_output.as_str()
        ),
        (
            "unix Operation not permitted\nudp Operation not permitted\ntcp Operation not permitted\n",
            "unix connected\nudp connected\ntcp connected\n"
        )
    );
}

#[tokio::test]
async fn background_processes_end_with_the_command() {
    let (_workspace, root) = workspace();
    let script = "\
        (sleep 1; touch after-bg) & \
        setsid sh -c 'sleep 1; touch after-setsid' & \
        nohup sh -c 'sleep 1; touch after-nohup' >/dev/null 2>&1 & \
        echo left";
    let started = Instant::now();
    let Some(outcome) = run_sandboxed(sh(script, &root, workspace_only(false))).await else {
        return;
    };
    assert_eq!(outcome.aggregated_output, "left\n");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let survivors: Vec<&str> = ["after-bg", "after-setsid", "after-nohup"]
        .into_iter()
        .filter(|marker| root.join(marker).exists())
        .collect();
    assert_eq!(survivors, Vec::<&str>::new());
}

#[tokio::test]
async fn the_command_sees_and_signals_nothing_outside_its_sandbox() {
    let (_workspace, root) = workspace();
    let own = std::process::id();
    let script = format!(
        "cat /proc/{own}/environ > /dev/null 2>&1 || echo environ hidden; \
         kill -0 {own} 2>/dev/null || echo kill refused; \
         ls /proc | grep -c '^[0-9]'"
    );
    let Some(outcome) = run_sandboxed(sh(&script, &root, workspace_only(false))).await else {
        return;
    };
    let lines: Vec<&str> = outcome.aggregated_output.lines().collect();
    assert_eq!(lines[..2], ["environ hidden", "kill refused"]);
    let visible: u32 = lines[2].parse().expect("count");
    assert!(visible <= 5, "{}", outcome.aggregated_output);
}

#[tokio::test]
async fn a_fork_bomb_hits_the_process_limit_and_ends_with_its_timeout() {
    let (_workspace, root) = workspace();
    let script = "bomb() { bomb | bomb & }; bomb; sleep 30";
    let params = ExecParams {
        timeout: Duration::from_secs(3),
        ..sh(script, &root, workspace_only(false))
    };
    let started = Instant::now();
    let Some(outcome) = run_sandboxed(params).await else {
        return;
    };
    assert!(outcome.timed_out, "{}", outcome.aggregated_output);
    assert!(
        outcome
            .aggregated_output
            .contains("Resource temporarily unavailable"),
        "{}",
        outcome.aggregated_output
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_timeout_ends_the_whole_sandboxed_tree() {
    let (_workspace, root) = workspace();
    let params = ExecParams {
        timeout: Duration::from_millis(500),
        ..sh(
            "setsid sh -c 'sleep 2; touch after-timeout' & sleep 30",
            &root,
            workspace_only(false),
        )
    };
    let Some(outcome) = run_sandboxed(params).await else {
        return;
    };
    assert!(outcome.timed_out);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!root.join("after-timeout").exists());
}

#[tokio::test]
async fn a_missing_program_fails_inside_the_sandbox() {
    let (_workspace, root) = workspace();
    let params = ExecParams {
        command: ExecCommand::Argv(vec!["/nonexistent/codex-test-program".to_string()]),
        ..sh("", &root, workspace_only(false))
    };
    let Some(outcome) = run_sandboxed(params).await else {
        return;
    };
    assert_eq!(
        (outcome.exit_code, outcome.aggregated_output),
        (
            1,
            "bwrap: execvp /nonexistent/codex-test-program: No such file or directory\n"
                .to_string()
        )
    );
}

#[tokio::test]
async fn an_unsandboxed_command_is_not_wrapped() {
    configure();
    let (_workspace, root) = workspace();
    let result = run(
        sh(
            "kill -0 $PPID && echo sees its parent",
            &root,
            SandboxPolicy::DangerFullAccess,
        ),
        |_| {},
        CancellationToken::new(),
    )
    .await;
    assert!(
        matches!(&result, Ok(outcome) if outcome.aggregated_output == "sees its parent\n"),
        "{result:?}"
    );
}
