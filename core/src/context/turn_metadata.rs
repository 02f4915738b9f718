//! The `x-codex-turn-metadata` header sent on every Responses request and websocket handshake of a turn:
//! the turn id, the sandbox in force and, once known, the git state of the workspace.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;

use crate::config::SandboxMode;
use crate::context::git_ceilings::GitCeilings;
use crate::context::git_info::GitInfo;
use crate::context::git_info::collect_git_info;

#[derive(Serialize)]
struct TurnMetadata<'a> {
    /// Empty (and left out) before any turn: the preconnect's handshake.
    #[serde(skip_serializing_if = "str::is_empty")]
    turn_id: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    workspaces: BTreeMap<String, WorkspaceMetadata<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox: Option<&'a str>,
}

#[derive(Serialize)]
struct WorkspaceMetadata<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    associated_remote_urls: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_git_commit_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    has_changes: Option<bool>,
}

/// The header value (compact JSON). Without git info (not a repository, or not collected yet) it is the base
/// form `{"turn_id":..,"sandbox":..}`; a repository whose facts are all unknown adds no workspace.
pub fn turn_metadata_header(turn_id: &str, git: Option<&GitInfo>, sandbox: Option<&str>) -> String {
    let workspaces = git
        .filter(|git| {
            !git.remotes.is_empty() || git.commit_hash.is_some() || git.has_changes.is_some()
        })
        .map(|git| {
            (
                git.repo_root.to_string_lossy().into_owned(),
                WorkspaceMetadata {
                    associated_remote_urls: &git.remotes,
                    latest_git_commit_hash: git.commit_hash.as_deref(),
                    has_changes: git.has_changes,
                },
            )
        })
        .into_iter()
        .collect();
    let metadata = TurnMetadata {
        turn_id,
        workspaces,
        sandbox,
    };
    serde_json::to_string(&metadata).unwrap_or_else(|_| "{}".to_string())
}

/// One turn's header: the base form is ready at once; the git-enriched form replaces it when the background
/// collection finishes, so no request ever waits for git. Dropping it stops an unfinished collection.
#[derive(Debug)]
pub struct TurnMetadataState {
    turn_id: String,
    sandbox: Option<String>,
    base_header: String,
    enriched_header: Arc<OnceLock<String>>,
    git_requested: bool,
    /// The running collection; taken once awaited.
    enrichment: Option<JoinHandle<()>>,
}

impl TurnMetadataState {
    pub fn new(turn_id: &str, sandbox: Option<&str>) -> Self {
        Self::with_known_git(turn_id, sandbox, None)
    }

    /// Like [`TurnMetadataState::new`], but the header carries `known` (the git state gathered when the
    /// thread started or was resumed) until this turn's own collection replaces it, so every request has git
    /// info even when the collection is slower than the model.
    pub fn with_known_git(turn_id: &str, sandbox: Option<&str>, known: Option<&GitInfo>) -> Self {
        Self {
            turn_id: turn_id.to_string(),
            sandbox: sandbox.map(str::to_string),
            base_header: turn_metadata_header(turn_id, known, sandbox),
            enriched_header: Arc::new(OnceLock::new()),
            git_requested: false,
            enrichment: None,
        }
    }

    /// Starts collecting the git state of `cwd` (its repository looked for below `ceilings`, bounded by
    /// `timeout`) unless already started.
    pub fn spawn_git_enrichment(&mut self, cwd: PathBuf, ceilings: GitCeilings, timeout: Duration) {
        if self.git_requested {
            return;
        }
        self.git_requested = true;
        let turn_id = self.turn_id.clone();
        let sandbox = self.sandbox.clone();
        let enriched_header = Arc::clone(&self.enriched_header);
        self.enrichment = Some(tokio::spawn(async move {
            if let Some(git) = collect_git_info(&cwd, &ceilings, timeout).await {
                enriched_header
                    .get_or_init(|| turn_metadata_header(&turn_id, Some(&git), sandbox.as_deref()));
            }
        }));
    }

    /// Waits until a started git collection has finished (it is bounded by its timeout).
    pub async fn wait_for_git_enrichment(&mut self) {
        if let Some(task) = self.enrichment.take()
            && let Err(err) = task.await
        {
            tracing::debug!("turn metadata git collection ended: {err}");
        }
    }

    /// The header value to send now.
    pub fn header_value(&self) -> &str {
        self.enriched_header.get().unwrap_or(&self.base_header)
    }
}

impl Drop for TurnMetadataState {
    fn drop(&mut self) {
        if let Some(task) = &self.enrichment {
            task.abort();
        }
    }
}

/// The `sandbox` tag: `none` without a sandbox, else the platform's sandbox (`seatbelt`, `seccomp`,
/// `windows_sandbox`).
pub fn sandbox_tag(mode: SandboxMode) -> &'static str {
    match mode {
        SandboxMode::DangerFullAccess => "none",
        SandboxMode::ReadOnly | SandboxMode::WorkspaceWrite => {
            if cfg!(target_os = "macos") {
                "seatbelt"
            } else if cfg!(target_os = "windows") {
                "windows_sandbox"
            } else {
                "seccomp"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_app_server_tests::hostile_repo::Vector;
    use codex_app_server_tests::hostile_repo::git_available;
    use codex_app_server_tests::hostile_repo::markers_present;
    use codex_app_server_tests::hostile_repo::plant;
    use codex_app_server_tests::hostile_repo::unhardened_status;
    use pretty_assertions::assert_eq;
    use serde_json::json;
    use std::path::PathBuf;

    fn parse(header: &str) -> serde_json::Value {
        serde_json::from_str(header).expect("header is JSON")
    }

    #[test]
    fn base_header_without_git() {
        assert_eq!(
            turn_metadata_header("turn-1", None, Some("seccomp")),
            r#"{"turn_id":"turn-1","sandbox":"seccomp"}"#
        );
        assert_eq!(
            turn_metadata_header("turn-1", None, None),
            r#"{"turn_id":"turn-1"}"#
        );
    }

    #[test]
    fn workspace_git_state_is_keyed_by_repo_root() {
        let git = GitInfo {
            repo_root: PathBuf::from("/repo"),
            branch: Some("main".to_string()),
            commit_hash: Some("2f1c".to_string()),
            remotes: BTreeMap::from([(
                "origin".to_string(),
                "git@github.com:me/repo.git".to_string(),
            )]),
            has_changes: Some(true),
        };
        let header = turn_metadata_header("turn-2", Some(&git), Some("seatbelt"));
        assert_eq!(
            parse(&header),
            json!({
                "turn_id": "turn-2",
                "workspaces": {"/repo": {
                    "associated_remote_urls": {"origin": "git@github.com:me/repo.git"},
                    "latest_git_commit_hash": "2f1c",
                    "has_changes": true
                }},
                "sandbox": "seatbelt"
            })
        );
        // Key order matters to byte-comparing servers and caches: turn id, workspaces, sandbox.
        assert_eq!(
            header,
            r#"{"turn_id":"turn-2","workspaces":{"/repo":{"associated_remote_urls":{"origin":"git@github.com:me/repo.git"},"latest_git_commit_hash":"2f1c","has_changes":true}},"sandbox":"seatbelt"}"#
        );
    }

    #[test]
    fn unknown_facts_are_skipped() {
        let fresh_repo = GitInfo {
            repo_root: PathBuf::from("/fresh"),
            branch: Some("main".to_string()),
            commit_hash: None,
            remotes: BTreeMap::new(),
            has_changes: Some(false),
        };
        assert_eq!(
            parse(&turn_metadata_header("t", Some(&fresh_repo), Some("none"))),
            json!({"turn_id": "t", "workspaces": {"/fresh": {"has_changes": false}}, "sandbox": "none"})
        );
        let unknown = GitInfo {
            has_changes: None,
            ..fresh_repo
        };
        assert_eq!(
            parse(&turn_metadata_header("t", Some(&unknown), Some("none"))),
            json!({"turn_id": "t", "sandbox": "none"})
        );
    }

    #[tokio::test]
    async fn state_swaps_in_git_when_collected() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(tmp.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .is_ok_and(|out| out.status.success())
        };
        if !git(&["init", "-q"]) {
            return;
        }
        assert!(git(&[
            "remote",
            "add",
            "origin",
            "https://example.com/r.git"
        ]));
        let root = std::fs::canonicalize(tmp.path()).expect("canonicalize");

        let mut state = TurnMetadataState::new("turn-3", Some("seccomp"));
        assert_eq!(
            state.header_value(),
            r#"{"turn_id":"turn-3","sandbox":"seccomp"}"#
        );
        // Waiting without a started collection returns at once.
        state.wait_for_git_enrichment().await;
        state.spawn_git_enrichment(
            tmp.path().to_path_buf(),
            GitCeilings::new(tmp.path().parent()),
            Duration::from_secs(5),
        );
        state.wait_for_git_enrichment().await;
        state.wait_for_git_enrichment().await;
        // A second request in the same turn reuses what was collected.
        state.spawn_git_enrichment(
            tmp.path().to_path_buf(),
            GitCeilings::new(tmp.path().parent()),
            Duration::from_secs(5),
        );
        let mut workspaces = serde_json::Map::new();
        workspaces.insert(
            root.to_string_lossy().into_owned(),
            json!({"associated_remote_urls": {"origin": "https://example.com/r.git"}, "has_changes": false}),
        );
        assert_eq!(
            parse(state.header_value()),
            json!({"turn_id": "turn-3", "workspaces": workspaces, "sandbox": "seccomp"})
        );
    }

    /// The metadata's git runs in a repository the model may have written: none of its programs run.
    #[tokio::test]
    async fn enrichment_runs_none_of_a_hostile_repositorys_programs() {
        if !git_available() {
            return;
        }
        for vector in Vector::ALL {
            let repo = tempfile::tempdir().expect("tempdir");
            let markers = tempfile::tempdir().expect("tempdir");
            let head = plant(vector, repo.path(), markers.path()).expect("plant");

            let mut state = TurnMetadataState::new("turn-5", None);
            state.spawn_git_enrichment(
                repo.path().to_path_buf(),
                GitCeilings::new(repo.path().parent()),
                Duration::from_secs(5),
            );
            state.wait_for_git_enrichment().await;
            let header = parse(state.header_value());
            let workspace = header["workspaces"]
                .as_object()
                .and_then(|workspaces| workspaces.values().next())
                .cloned()
                .unwrap_or_default();
            assert_eq!(
                workspace["latest_git_commit_hash"],
                json!(head),
                "{vector:?}: {header}"
            );
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
    async fn state_keeps_the_base_header_outside_a_repo() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut state = TurnMetadataState::new("turn-4", None);
        state.spawn_git_enrichment(
            tmp.path().to_path_buf(),
            GitCeilings::new(tmp.path().parent()),
            Duration::from_secs(5),
        );
        state.wait_for_git_enrichment().await;
        assert_eq!(state.header_value(), r#"{"turn_id":"turn-4"}"#);
    }

    #[test]
    fn sandbox_tag_per_mode() {
        assert_eq!(sandbox_tag(SandboxMode::DangerFullAccess), "none");
        let platform = if cfg!(target_os = "macos") {
            "seatbelt"
        } else if cfg!(target_os = "windows") {
            "windows_sandbox"
        } else {
            "seccomp"
        };
        assert_eq!(sandbox_tag(SandboxMode::ReadOnly), platform);
        assert_eq!(sandbox_tag(SandboxMode::WorkspaceWrite), platform);
    }
}
