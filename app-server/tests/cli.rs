//! The binary's command line without a protocol session: `--version`, `--help`, schema export, bad `--listen`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::process::Command;

use pretty_assertions::assert_eq;

const BINARY: &str = env!("CARGO_BIN_EXE_codex-app-server");

#[test]
fn version_prints_name_crate_version_and_the_upstream_protocol_version() {
    let output = Command::new(BINARY).arg("--version").output().expect("run");
    assert_eq!(
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned()
        ),
        (
            true,
            format!(
                "codex-app-server {} (codex app-server protocol {})\n",
                env!("CARGO_PKG_VERSION"),
                codex_core::client::identity::UPSTREAM_PROTOCOL_VERSION
            )
        )
    );
}

#[test]
fn help_lists_the_subcommands_and_flags() {
    let output = Command::new(BINARY).arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = [
        "app-server",
        "generate-json-schema",
        "generate-ts",
        "--listen",
        "--config",
        "--enable",
        "--disable",
    ]
    .into_iter()
    .filter(|word| !help.contains(word))
    .collect();
    assert_eq!(
        (output.status.success(), missing),
        (true, Vec::<&str>::new())
    );
}

#[test]
fn help_names_the_config_file_and_the_environment() {
    for args in [&["--help"][..], &["app-server", "--help"]] {
        let output = Command::new(BINARY).args(args).output().expect("run");
        let help = String::from_utf8_lossy(&output.stdout);
        let missing: Vec<&str> = [
            "$CODEX_HOME/config.toml",
            "~/.codex/config.toml",
            "CODEX_HOME",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "CODEX_AUTH_ISSUER",
            "CODEX_LOGIN_CALLBACK_PORT",
            "RUST_LOG",
            "LOG_FORMAT",
            "GIT_CEILING_DIRECTORIES",
        ]
        .into_iter()
        .filter(|word| !help.contains(word))
        .collect();
        assert_eq!(
            (output.status.success(), missing),
            (true, Vec::<&str>::new()),
            "{args:?}:\n{help}"
        );
    }
}

#[test]
fn generate_json_schema_writes_json_files() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = Command::new(BINARY)
        .args(["generate-json-schema", "--experimental", "--out"])
        .arg(out.path())
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut pending = vec![out.path().to_path_buf()];
    let mut json_files = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                let text = std::fs::read_to_string(&path).expect("read");
                serde_json::from_str::<serde_json::Value>(&text).expect("schema files are JSON");
                json_files += 1;
            }
        }
    }
    assert!(json_files > 0, "no .json files in {}", out.path().display());
}

#[test]
fn an_unsupported_listen_url_fails_with_a_clear_error() {
    let output = Command::new(BINARY)
        .args(["--listen", "tcp://127.0.0.1:4000"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        (
            output.status.success(),
            stderr.contains("unsupported listen URL 'tcp://127.0.0.1:4000'"),
            output.stdout.is_empty()
        ),
        (false, true, true),
        "{stderr}"
    );
}
