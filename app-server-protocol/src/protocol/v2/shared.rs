//! Settings enums shared by several resources: approval policy, sandbox mode and policy, reasoning and
//! personality knobs, service tier.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

/// When the agent asks before running a command. Kebab-case on the wire; the README's camelCase
/// spellings are accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "v2/")]
pub enum AskForApproval {
    /// Ask for everything but known-safe read-only commands.
    #[serde(rename = "untrusted", alias = "unlessTrusted")]
    UnlessTrusted,
    /// Run in the sandbox; ask only to retry outside it after a failure.
    #[serde(alias = "onFailure")]
    OnFailure,
    /// The model decides when to ask.
    #[serde(alias = "onRequest")]
    OnRequest,
    /// Like on-request, but automatically rejects the listed kinds of prompt.
    Reject(RejectConfig),
    /// Never ask; failures go straight back to the model.
    Never,
}

/// Which approval prompts `AskForApproval::Reject` rejects automatically. Keys are snake_case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct RejectConfig {
    #[serde(default)]
    pub sandbox_approval: bool,
    #[serde(default)]
    pub rules: bool,
    #[serde(default)]
    pub mcp_elicitations: bool,
}

/// Who reviews approval requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v2/")]
pub enum ApprovalsReviewer {
    User,
    AutoReview,
    GuardianSubagent,
}

/// The `sandbox` param of thread/start|resume|fork. Kebab-case on the wire; camelCase accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "v2/")]
pub enum SandboxMode {
    #[serde(alias = "readOnly")]
    ReadOnly,
    #[serde(alias = "workspaceWrite")]
    WorkspaceWrite,
    #[serde(alias = "dangerFullAccess")]
    DangerFullAccess,
}

/// The resolved sandbox a thread or command runs under. Every inner field defaults when missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum SandboxPolicy {
    DangerFullAccess,
    ReadOnly {
        #[serde(default)]
        access: ReadOnlyAccess,
    },
    #[serde(rename_all = "camelCase")]
    ExternalSandbox {
        #[serde(default)]
        network_access: NetworkAccess,
    },
    #[serde(rename_all = "camelCase")]
    WorkspaceWrite {
        #[serde(default)]
        writable_roots: Vec<String>,
        #[serde(default)]
        read_only_access: ReadOnlyAccess,
        #[serde(default)]
        network_access: bool,
        #[serde(default)]
        exclude_tmpdir_env_var: bool,
        #[serde(default)]
        exclude_slash_tmp: bool,
    },
}

/// What a read-only (or workspace-write) sandbox may read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ReadOnlyAccess {
    #[serde(rename_all = "camelCase")]
    Restricted {
        #[serde(default)]
        include_platform_defaults: bool,
        #[serde(default)]
        readable_roots: Vec<String>,
    },
    #[default]
    FullAccess,
}

/// Network access inside an externally managed sandbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum NetworkAccess {
    #[default]
    Restricted,
    Enabled,
}

/// How hard the model thinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ReasoningEffort {
    None,
    Minimal,
    Low,
    Medium,
    High,
    #[serde(rename = "xhigh")]
    XHigh,
}

/// How much reasoning summary the model returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ReasoningSummary {
    Auto,
    Concise,
    Detailed,
    None,
}

/// The agent's conversational style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum Personality {
    Friendly,
    Pragmatic,
    None,
}

/// The processing tier requested from the model provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ServiceTier {
    Fast,
    Flex,
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn approval_and_sandbox_modes_emit_kebab_case_and_accept_readme_spellings() {
        let policies: Vec<AskForApproval> = serde_json::from_value(json!([
            "unlessTrusted",
            "untrusted",
            "on-failure",
            "onRequest",
            "never"
        ]))
        .expect("decodes");
        assert_eq!(
            serde_json::to_value(&policies).expect("encodes"),
            json!([
                "untrusted",
                "untrusted",
                "on-failure",
                "on-request",
                "never"
            ])
        );
        let modes: Vec<SandboxMode> =
            serde_json::from_value(json!(["workspaceWrite", "read-only", "danger-full-access"]))
                .expect("decodes");
        assert_eq!(
            serde_json::to_value(&modes).expect("encodes"),
            json!(["workspace-write", "read-only", "danger-full-access"])
        );
    }

    #[test]
    fn sandbox_policy_inner_fields_default_when_missing() {
        let policy: SandboxPolicy =
            serde_json::from_value(json!({"type": "workspaceWrite"})).expect("decodes");
        assert_eq!(
            serde_json::to_value(&policy).expect("encodes"),
            json!({"type": "workspaceWrite", "writableRoots": [], "readOnlyAccess": {"type": "fullAccess"},
                   "networkAccess": false, "excludeTmpdirEnvVar": false, "excludeSlashTmp": false})
        );
        let external: SandboxPolicy =
            serde_json::from_value(json!({"type": "externalSandbox", "networkAccess": "enabled"}))
                .expect("decodes");
        assert_eq!(
            external,
            SandboxPolicy::ExternalSandbox {
                network_access: NetworkAccess::Enabled
            }
        );
    }
}
