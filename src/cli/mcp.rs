//! `mitchell mcp …`: the configured MCP servers.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Start every server in mcp_servers and list it: its state, its tools, and which of them
    /// run without asking (and why).
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Call one tool of a server, through the same approval as the agent (for debugging). The
    /// result goes to stdout. Exit 1 when it was refused, failed or reported an error.
    Call {
        /// The server's name in mcp_servers.
        server: String,
        /// The tool's name as the server gives it (without the `SERVER__` prefix).
        tool: String,
        /// The arguments, a JSON object.
        #[arg(default_value = "{}")]
        arguments: String,
    },
}
