//! The MCP server handler of `mcp_test_server` (rmcp's `ServerHandler`): initialize's answer, the tool
//! catalog the options select, tool calls and resource requests.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::ServerHandler;
use rmcp::model::CallToolRequestParams;
use rmcp::model::CallToolResult;
use rmcp::model::Implementation;
use rmcp::model::ListResourceTemplatesRequestMethod;
use rmcp::model::ListResourceTemplatesResult;
use rmcp::model::ListResourcesRequestMethod;
use rmcp::model::ListResourcesResult;
use rmcp::model::ListToolsResult;
use rmcp::model::PaginatedRequestParams;
use rmcp::model::ProtocolVersion;
use rmcp::model::ReadResourceRequestMethod;
use rmcp::model::ReadResourceRequestParams;
use rmcp::model::ReadResourceResult;
use rmcp::model::ResourcesCapability;
use rmcp::model::ServerCapabilities;
use rmcp::model::ServerInfo;
use rmcp::model::Tool;
use rmcp::model::ToolsCapability;
use rmcp::service::RequestContext;
use rmcp::service::RoleServer;

use super::SERVER_VERSION;
use super::catalog;
use super::options::Options;
use super::resources;
use super::tools;

/// The server: cheap to clone (streamable HTTP makes one per session), all of it fixed at start.
#[derive(Clone)]
pub(super) struct TestServer {
    setup: Arc<Setup>,
}

struct Setup {
    name: String,
    tools: Vec<Tool>,
    resources: bool,
}

impl TestServer {
    pub(super) fn new(options: &Options) -> Self {
        let tools = catalog::all_tools()
            .into_iter()
            .filter(|tool| options.offers_tool(&tool.name))
            .collect();
        Self {
            setup: Arc::new(Setup {
                name: options.name.clone(),
                tools,
                resources: !options.no_resources,
            }),
        }
    }

    fn require_resources<M: rmcp::model::ConstString>(&self) -> Result<(), ErrorData> {
        if self.setup.resources {
            Ok(())
        } else {
            Err(ErrorData::method_not_found::<M>())
        }
    }
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo {
            // Structured content, output schemas and elicitation came with 2025-06-18; rmcp's own default
            // is older. A client asking for an older version still gets its own.
            protocol_version: ProtocolVersion::V_2025_06_18,
            capabilities: ServerCapabilities {
                tools: Some(ToolsCapability::default()),
                resources: self.setup.resources.then(ResourcesCapability::default),
                ..ServerCapabilities::default()
            },
            server_info: Implementation {
                name: self.setup.name.clone(),
                title: None,
                version: SERVER_VERSION.to_string(),
                description: None,
                icons: None,
                website_url: None,
            },
            instructions: None,
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.setup.tools.clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.setup
            .tools
            .iter()
            .find(|tool| tool.name == name)
            .cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        if self.get_tool(&request.name).is_none() {
            return Err(ErrorData::invalid_params(
                format!("no tool named {:?}", request.name),
                None,
            ));
        }
        tools::call(
            &request.name,
            request.arguments.unwrap_or_default(),
            context,
        )
        .await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.require_resources::<ListResourcesRequestMethod>()?;
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.require_resources::<ListResourceTemplatesRequestMethod>()?;
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        self.require_resources::<ReadResourceRequestMethod>()?;
        resources::read(&request.uri)
    }
}
