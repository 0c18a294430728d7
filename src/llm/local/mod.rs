//! The embedded llama.cpp provider (placeholder until the embedded-model issue lands).
