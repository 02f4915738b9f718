//! `mcp_test_server`: the MCP server the suites and the benchmark configure in `config.toml`, over stdio or
//! streamable HTTP (see `codex_app_server_tests::mcp_test_server` for its tools, resources and flags).

fn main() -> std::process::ExitCode {
    codex_app_server_tests::mcp_test_server::main()
}
