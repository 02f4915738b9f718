//! What the host does with a loaded thread's MCP servers: call a tool (`mcpServer/tool/call`) and read a
//! resource (`mcpServer/resource/read`); a server's questions during the call go to the thread's host.

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::mcp::McpCallError;
use crate::session::thread::CodexThread;

impl CodexThread {
    /// The host calls `server`'s `tool` with `arguments`: the MCP result as JSON.
    pub async fn call_mcp_tool(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<Value>,
    ) -> Result<Value, McpCallError> {
        let cancel = CancellationToken::new();
        self.inner
            .mcp
            .call_tool_for_host(server, tool, arguments, self.inner.events.clone(), &cancel)
            .await
    }

    /// The host reads `uri` from `server`: the resource's `contents` as JSON.
    pub async fn read_mcp_resource(&self, server: &str, uri: &str) -> Result<Value, McpCallError> {
        self.inner.mcp.read_resource_for_host(server, uri).await
    }
}
