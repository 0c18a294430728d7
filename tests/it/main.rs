//! The integration tests, one binary: every module runs the real `mitchell` binary (or, for the
//! engine and store modules, the library's public surface) in a temporary home. One binary
//! links llama.cpp once instead of once per test file. Run one module with
//! `cargo test --release --test it MODULE::`.

mod common;

mod agent;
mod ask_faults;
mod ask_fixtures;
mod ask_requests;
mod ask_terminal;
mod attachments;
mod cli_help;
mod completions;
mod config;
mod documents;
mod documents_draft;
mod documents_local;
mod documents_offline;
mod documents_session;
mod eval;
mod faults;
mod fixes;
mod health_check;
mod health_check_tty;
mod layout;
mod local_agent;
mod local_ask;
mod local_engine;
mod local_model_cli;
mod local_qwen;
mod mcp;
mod model_pull;
mod module_graph;
mod persona_commands;
mod persona_render;
mod playbook;
mod render_terminal;
mod repl;
mod repl_documents;
mod repl_pty;
mod repl_terminal;
mod route;
mod saving;
mod sessions;
mod sessions_ask;
mod store;
mod turn_drifts;
