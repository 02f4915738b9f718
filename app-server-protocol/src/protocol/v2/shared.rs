//! Settings enums shared by several resources: approval policy, sandbox mode and policy, reasoning and
//! personality knobs, service tier.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

/// When the agent asks before running a command: 0.171's values, which 0.105 clients know but for
/// `granular`. Kebab-case on the wire. Accepted on input too: the README's camelCase spellings, 0.105's
/// `on-failure` (read as `on-request`, as 0.171 does) and 0.105's `{"reject": {..}}` (read as the
/// `granular` policy allowing the prompts it did not reject).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "v2/")]
pub enum AskForApproval {
    /// Ask for everything but known-safe read-only commands.
    #[serde(rename = "untrusted")]
    UnlessTrusted,
    /// The model decides when to ask.
    OnRequest,
    /// Like on-request, but each kind of prompt is allowed (`true`) or rejected without asking (`false`).
    Granular(GranularApprovalConfig),
    /// Never ask; failures go straight back to the model.
    Never,
}

/// Which prompts the `granular` approval policy allows. Keys are snake_case, as upstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct GranularApprovalConfig {
    pub sandbox_approval: bool,
    pub rules: bool,
    #[serde(default)]
    pub skill_approval: bool,
    #[serde(default)]
    pub request_permissions: bool,
    pub mcp_elicitations: bool,
}

/// 0.105's `reject` policy (input only): `true` rejects that kind of prompt without asking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
struct RejectConfig {
    #[serde(default)]
    sandbox_approval: bool,
    #[serde(default)]
    rules: bool,
    #[serde(default)]
    mcp_elicitations: bool,
}

/// Every spelling of [`AskForApproval`] read from clients of either generation.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AskForApprovalSpelling {
    #[serde(rename = "untrusted", alias = "unlessTrusted")]
    UnlessTrusted,
    #[serde(alias = "onRequest", alias = "on-failure", alias = "onFailure")]
    OnRequest,
    Granular(GranularApprovalConfig),
    Reject(RejectConfig),
    Never,
}

impl<'de> Deserialize<'de> for AskForApproval {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        AskForApprovalSpelling::deserialize(deserializer).map(AskForApproval::from)
    }
}

impl From<AskForApprovalSpelling> for AskForApproval {
    fn from(spelling: AskForApprovalSpelling) -> Self {
        match spelling {
            AskForApprovalSpelling::UnlessTrusted => AskForApproval::UnlessTrusted,
            AskForApprovalSpelling::OnRequest => AskForApproval::OnRequest,
            AskForApprovalSpelling::Granular(config) => AskForApproval::Granular(config),
            AskForApprovalSpelling::Reject(reject) => {
                AskForApproval::Granular(GranularApprovalConfig {
                    sandbox_approval: !reject.sandbox_approval,
                    rules: !reject.rules,
                    skill_approval: true,
                    request_permissions: true,
                    mcp_elicitations: !reject.mcp_elicitations,
                })
            }
            AskForApprovalSpelling::Never => AskForApproval::Never,
        }
    }
}

/// Who reviews approval requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v2/")]
pub enum ApprovalsReviewer {
    #[default]
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
    /// 0.171: the most the model offers.
    Max,
    /// 0.171: the most the model offers.
    Ultra,
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

/// The processing tier requested from the model provider: 0.105's `fast` / `flex` or any tier 0.171 names
/// (`priority`, `default`, ...); sent to the provider as given, `fast` as `priority`.
pub type ServiceTier = String;

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
            "never",
            {"reject": {"sandbox_approval": true, "rules": false, "mcp_elicitations": true}},
            {"granular": {"sandbox_approval": false, "rules": true, "mcp_elicitations": false}}
        ]))
        .expect("decodes");
        let allows_rules_only = json!({"granular": {"sandbox_approval": false, "rules": true,
            "skill_approval": true, "request_permissions": true, "mcp_elicitations": false}});
        assert_eq!(
            serde_json::to_value(&policies).expect("encodes"),
            json!([
                "untrusted",
                "untrusted",
                "on-request",
                "on-request",
                "never",
                allows_rules_only,
                {"granular": {"sandbox_approval": false, "rules": true, "skill_approval": false,
                              "request_permissions": false, "mcp_elicitations": false}}
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
