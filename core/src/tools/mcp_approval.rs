//! Whether a model's MCP tool call may run, by upstream 0.171's rules: a tool the server marks read-only,
//! or one configured `approval_mode = "approve"`, runs; any other asks the user (an MCP elicitation with
//! upstream's approval metadata, `codex_approval_kind: "mcp_tool_call"`), unless the approval policy forbids
//! asking, which refuses the call. An approval may be remembered for the thread (`persist: "session"`) or
//! written to config.toml (`persist: "always"`).

use serde_json::Value;
use serde_json::json;

use crate::config::AskForApproval;
use crate::config::ConfigEdit;
use crate::config::MergeStrategy;
use crate::config::write_config;
use crate::mcp::McpToolApprovalMode;
use crate::mcp::client_handler::McpCaller;
use crate::protocol::event::EventMsg;
use crate::protocol::mcp::ElicitationAction;
use crate::protocol::mcp::ElicitationReply;
use crate::protocol::mcp::McpElicitationRequest;
use crate::tools::mcp_tools::McpToolRoute;
use crate::tools::tool_run::HostWait;
use crate::tools::tool_run::ToolRun;

/// Upstream's words when the policy forbids asking.
const NEVER_ASKS: &str = "MCP tool call requires approval, but approval policy is never";
const GRANULAR_REFUSES: &str = "MCP tool call requires approval, but the approval policy rejects MCP prompts (granular mcp_elicitations = false)";
const REJECTED: &str = "user rejected MCP tool call";
const CANCELLED: &str = "user cancelled MCP tool call";

/// What the approval step decided.
pub(crate) enum McpApproval {
    Approved,
    Refused(String),
}

impl ToolRun<'_> {
    /// Who calls the server, for the questions it may put to the user during the call.
    pub(crate) fn mcp_caller(&self) -> McpCaller {
        // Under `never` the server's questions are declined without asking (as upstream).
        let may_ask = match self.ctx.settings.approval_policy {
            AskForApproval::Granular(granular) => granular.mcp_elicitations,
            AskForApproval::Never => false,
            AskForApproval::Untrusted | AskForApproval::OnRequest => true,
        };
        McpCaller {
            events: self.ctx.events.clone(),
            turn_id: Some(self.ctx.turn_id.clone()),
            may_ask,
            cancel: Some(self.ctx.cancel.clone()),
        }
    }

    /// Decides (asking the user when the rules say so) whether the call may run.
    pub(crate) async fn approve_mcp_call(
        &self,
        route: &McpToolRoute,
        arguments: Option<&Value>,
    ) -> McpApproval {
        let needs_asking = match route.approval_mode {
            McpToolApprovalMode::Approve => false,
            McpToolApprovalMode::Auto => !route.read_only,
            McpToolApprovalMode::Prompt => true,
        };
        if !needs_asking
            || self
                .ctx
                .approvals
                .allows_mcp_tool(&route.server, &route.tool)
        {
            return McpApproval::Approved;
        }
        match self.ctx.settings.approval_policy {
            AskForApproval::Never => return McpApproval::Refused(NEVER_ASKS.to_string()),
            AskForApproval::Granular(granular) if !granular.mcp_elicitations => {
                return McpApproval::Refused(GRANULAR_REFUSES.to_string());
            }
            AskForApproval::Granular(_) | AskForApproval::Untrusted | AskForApproval::OnRequest => {
            }
        }
        let (reply, answer) = ElicitationReply::channel();
        let request = EventMsg::McpElicitationRequested(McpElicitationRequest {
            server: route.server.clone(),
            turn_id: Some(self.ctx.turn_id.clone()),
            params: self.approval_params(route, arguments),
            reply,
        });
        let answer = match self
            .wait_for_host(HostWait::Approval, request, answer)
            .await
        {
            Some(Ok(answer)) => answer,
            Some(Err(_)) | None => return McpApproval::Refused(CANCELLED.to_string()),
        };
        match answer.action {
            ElicitationAction::Accept => {
                let persist = answer
                    .meta
                    .as_ref()
                    .and_then(|meta| meta.get("persist"))
                    .and_then(Value::as_str);
                if matches!(persist, Some("session" | "always")) {
                    self.ctx
                        .approvals
                        .approve_mcp_tool(&route.server, &route.tool);
                }
                if persist == Some("always") {
                    self.persist_approval(route);
                }
                McpApproval::Approved
            }
            ElicitationAction::Decline => McpApproval::Refused(REJECTED.to_string()),
            ElicitationAction::Cancel => McpApproval::Refused(CANCELLED.to_string()),
        }
    }

    /// The elicitation upstream sends to ask about a call.
    fn approval_params(&self, route: &McpToolRoute, arguments: Option<&Value>) -> Value {
        let servers = self.ctx.settings.mcp.servers();
        let tool = servers.tool_definition(&route.server, &route.tool);
        let mut meta = json!({
            "codex_approval_kind": "mcp_tool_call",
            "persist": ["session", "always"],
            "tool_name": route.tool,
            "tool_params": arguments.cloned().unwrap_or_else(|| json!({})),
        });
        if let Some(tool) = &tool {
            if let Some(annotations) = &tool.annotations {
                meta["tool_annotations"] = serde_json::to_value(annotations).unwrap_or(Value::Null);
            }
            if let Some(description) = &tool.description {
                meta["tool_description"] = Value::String(description.to_string());
            }
        }
        json!({
            "mode": "form",
            "message": format!("Allow the {} MCP server to run tool \"{}\"?", route.server, route.tool),
            "requestedSchema": {"type": "object", "properties": {}},
            "_meta": meta,
        })
    }

    /// `persist: "always"`: config.toml approves the tool from now on (a failure is logged; the call runs).
    fn persist_approval(&self, route: &McpToolRoute) {
        let key = |part: &str| {
            if part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                part.to_string()
            } else {
                format!("\"{}\"", part.replace('\\', "\\\\").replace('"', "\\\""))
            }
        };
        let edit = ConfigEdit {
            key_path: format!(
                "mcp_servers.{}.tools.{}.approval_mode",
                key(&route.server),
                key(&route.tool)
            ),
            value: Value::String("approve".to_string()),
            merge_strategy: MergeStrategy::Replace,
        };
        if let Err(err) = write_config(&self.ctx.settings.codex_home, None, None, vec![edit], &[]) {
            tracing::warn!(
                "could not save the approval of MCP tool {}: {err}",
                route.tool
            );
        }
    }
}
