use std::time::Duration;

use codex_app_server_tests::hostile_repo::Vector;
use codex_app_server_tests::hostile_repo::git;
use codex_app_server_tests::hostile_repo::git_available;
use codex_app_server_tests::hostile_repo::git_ok;
use codex_app_server_tests::hostile_repo::init_with_commit;
use codex_app_server_tests::hostile_repo::markers_present;
use codex_app_server_tests::hostile_repo::plant;
use codex_app_server_tests::hostile_repo::unhardened_status;
use pretty_assertions::assert_eq;

use super::*;

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

/// The commands `git_info` runs.
const DAEMON_COMMANDS: [&[&str]; 5] = [
    &["rev-parse", "--show-toplevel"],
    &["rev-parse", "--verify", "HEAD"],
    &["rev-parse", "--abbrev-ref", "HEAD"],
    &["remote", "-v"],
    &["status", "--porcelain"],
];

#[test]
fn the_hardening_comes_before_the_subcommand_and_its_flags_right_after_it() {
    let drivers = vec!["lfs".to_string(), "A.b".to_string()];
    let mut expected: Vec<String> = vec!["--no-pager".to_string()];
    for setting in [
        "core.fsmonitor=",
        "core.hooksPath=/dev/null",
        "core.pager=cat",
        "credential.helper=",
        "core.askPass=",
        "core.sshCommand=false",
        "protocol.allow=never",
        "log.showSignature=false",
        "status.submoduleSummary=false",
        "filter.lfs.clean=",
        "filter.lfs.smudge=",
        "filter.lfs.process=",
        "filter.lfs.required=false",
        "filter.A.b.clean=",
        "filter.A.b.smudge=",
        "filter.A.b.process=",
        "filter.A.b.required=false",
    ] {
        expected.push("-c".to_string());
        expected.push(setting.to_string());
    }
    let tail = |extra: &[&str]| -> Vec<String> {
        expected
            .iter()
            .cloned()
            .chain(extra.iter().map(|arg| arg.to_string()))
            .collect()
    };
    assert_eq!(
        hardened_args(&["status", "--porcelain"], &drivers),
        tail(&["status", "--ignore-submodules=dirty", "--porcelain"])
    );
    assert_eq!(
        hardened_args(&["diff", "main"], &drivers),
        tail(&[
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules=dirty",
            "main"
        ])
    );
    assert_eq!(
        hardened_args(&["log", "-p"], &drivers),
        tail(&["log", "--no-ext-diff", "--no-textconv", "-p"])
    );
    assert_eq!(
        hardened_args(&["rev-parse", "HEAD"], &drivers),
        tail(&["rev-parse", "HEAD"])
    );
}

#[test]
fn filter_drivers_are_read_from_config_names() {
    let listing = b"filter.lfs.clean\0filter.lfs.smudge\0filter.A.b c.process\0filter.required\0";
    assert_eq!(
        parse_filter_drivers(listing).expect("drivers"),
        vec!["A.b c".to_string(), "lfs".to_string()]
    );
    assert_eq!(
        parse_filter_drivers(b"").expect("no drivers"),
        Vec::<String>::new()
    );
}

#[test]
fn a_driver_that_cannot_be_named_on_the_command_line_is_an_error() {
    for listing in [
        &b"filter.lfs.clean\0filter.a=b.clean\0"[..],
        &b"filter.\xff.clean\0"[..],
    ] {
        assert!(
            matches!(
                parse_filter_drivers(listing),
                Err(GitCommandError::UnnamableFilterDriver { .. })
            ),
            "{listing:?}"
        );
    }
}

/// What the daemon's commands did with `git` in a fresh repository carrying `vector`.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    /// The markers of the programs that ran.
    ran: Vec<String>,
    /// The commands that should have answered but did not, with their error.
    unanswered: Vec<String>,
}

async fn run_daemon_commands(git: &GitProgram, vector: Vector) -> Outcome {
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    plant(vector, repo.path(), markers.path()).expect("plant");
    let hardened = HardenedGit::new(git, repo.path()).expect("git");
    let mut unanswered = Vec::new();
    for args in DAEMON_COMMANDS {
        let answer = hardened.output(args, deadline()).await;
        if let Err(err) = answer
            && (args[0] != "status" || vector.status_answers())
        {
            unanswered.push(format!("{vector:?}: {err}"));
        }
    }
    let ran = markers_present(markers.path()).expect("markers");
    // The control: without the hardening, the same repository does run the program.
    unhardened_status(repo.path()).expect("git");
    assert_eq!(
        markers_present(markers.path()).expect("markers"),
        vec![vector.name().to_string()],
        "{vector:?} is not hostile: plain `git status` did not run its program"
    );
    Outcome { ran, unanswered }
}

/// The outcomes of every vector, together.
async fn run_daemon_commands_on_every_vector(git: &GitProgram) -> Outcome {
    let mut all = Outcome::default();
    for vector in Vector::ALL {
        let outcome = run_daemon_commands(git, vector).await;
        all.ran.extend(outcome.ran);
        all.unanswered.extend(outcome.unanswered);
    }
    all
}

#[tokio::test]
async fn the_settings_alone_disarm_every_vector() {
    if !git_available() {
        return;
    }
    assert_eq!(
        run_daemon_commands_on_every_vector(&GitProgram::installed_unconfined()).await,
        Outcome::default()
    );
}

#[tokio::test]
async fn the_settings_with_the_confinement_disarm_every_vector() {
    if !git_available() {
        return;
    }
    assert_eq!(
        run_daemon_commands_on_every_vector(&GitProgram::installed()).await,
        Outcome::default()
    );
}

/// The confinement of installed git, or `None` (the test is skipped) where the kernel cannot enforce it.
fn installed_git_confinement() -> Option<(PathBuf, Arc<LandlockRuleset>)> {
    if !git_available() || !crate::sandbox::landlock_available() {
        return None;
    }
    let program = find_on_path("git")?;
    let ruleset = confinement(&program);
    assert!(
        ruleset.is_some(),
        "Landlock is available but git at {program:?} cannot be confined"
    );
    Some((program, ruleset?))
}

/// Without any of the settings, plain `git status` (locks allowed) under the confinement: nothing a
/// repository names can start, and git still answers where it needs nothing but itself.
#[tokio::test]
async fn the_confinement_alone_disarms_every_vector() {
    let Some((program, ruleset)) = installed_git_confinement() else {
        return;
    };
    for vector in Vector::ALL {
        let repo = tempfile::tempdir().expect("tempdir");
        let markers = tempfile::tempdir().expect("tempdir");
        plant(vector, repo.path(), markers.path()).expect("plant");
        let mut command = Command::new(&program);
        command
            .args(["status", "--porcelain"])
            .current_dir(repo.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        confine(&mut command, Arc::clone(&ruleset));
        let status = command.status().await.expect("run git");
        if vector == Vector::Fsmonitor || vector == Vector::IndexHook {
            assert!(status.success(), "{vector:?}: {status}");
        }
        assert_eq!(
            markers_present(markers.path()).expect("markers"),
            Vec::<String>::new(),
            "{vector:?}"
        );
        unhardened_status(repo.path()).expect("git");
        assert_eq!(
            markers_present(markers.path()).expect("markers"),
            vec![vector.name().to_string()],
            "{vector:?} is not hostile"
        );
    }
}

#[tokio::test]
async fn confined_git_answers_but_writes_nothing() {
    let Some(_) = installed_git_confinement() else {
        return;
    };
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    let head = plant(Vector::Fsmonitor, repo.path(), markers.path()).expect("plant");
    let hardened = HardenedGit::new(&GitProgram::installed(), repo.path()).expect("git");
    assert!(hardened.confinement.is_some());
    assert_eq!(
        hardened
            .output(&["rev-parse", "HEAD"], deadline())
            .await
            .expect("rev-parse")
            .trim(),
        head
    );
    let write = hardened
        .output(&["config", "planted.by", "confined-git"], deadline())
        .await;
    assert!(
        matches!(write, Err(GitCommandError::Failed { .. })),
        "{write:?}"
    );
    let written = git(repo.path(), &["config", "--get-regexp", "^planted\\."]).expect("git");
    assert_eq!(written.status.code(), Some(1), "{written:?}");
}

/// Later commands (a review's `git diff`, `git log -p`) must not run `diff.external`,
/// `diff.<driver>.command` or `diff.<driver>.textconv` either.
#[tokio::test]
async fn diff_and_log_run_no_external_diff_and_no_textconv() {
    if !git_available() {
        return;
    }
    for key in [
        "diff.external",
        "diff.planted.command",
        "diff.planted.textconv",
    ] {
        let repo = tempfile::tempdir().expect("tempdir");
        let markers = tempfile::tempdir().expect("tempdir");
        init_with_commit(repo.path()).expect("repo");
        std::fs::write(repo.path().join(".gitattributes"), "* diff=planted\n").expect("write");
        let touch = format!("touch '{}'", markers.path().join("diff").display());
        git_ok(repo.path(), &["config", key, &format!("{touch}; cat")]).expect("git");
        std::fs::write(repo.path().join("a.txt"), "changed\n").expect("write");
        git_ok(
            repo.path(),
            &["commit", "-q", "--no-verify", "-am", "change"],
        )
        .expect("git");
        std::fs::write(repo.path().join("a.txt"), "changed again\n").expect("write");

        let hardened =
            HardenedGit::new(&GitProgram::installed_unconfined(), repo.path()).expect("git");
        let diff = hardened.output(&["diff"], deadline()).await.expect("diff");
        assert!(diff.contains("+changed again"), "{key}: {diff}");
        let log = hardened
            .output(&["log", "-p", "-1"], deadline())
            .await
            .expect("log");
        assert!(log.contains("+changed"), "{key}: {log}");
        assert_eq!(
            markers_present(markers.path()).expect("markers"),
            Vec::<String>::new(),
            "{key}"
        );

        git(repo.path(), &["diff"]).expect("git");
        assert_eq!(
            markers_present(markers.path()).expect("markers"),
            vec!["diff".to_string()],
            "{key} is not hostile"
        );
    }
}

#[tokio::test]
async fn a_missing_git_is_not_found() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = GitProgram::stand_in(&["/nonexistent/bin/git"]);
    let hardened = HardenedGit::new(&missing, tmp.path()).expect("a path is taken as it is");
    assert!(matches!(
        hardened.output(&["rev-parse", "HEAD"], deadline()).await,
        Err(GitCommandError::Spawn { .. })
    ));
    let unnamed = GitProgram::stand_in(&["no-such-git-program-on-path"]);
    assert!(matches!(
        HardenedGit::new(&unnamed, tmp.path()),
        Err(GitCommandError::NotFound)
    ));
}
