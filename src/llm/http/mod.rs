//! The OpenAI-compatible HTTP provider (placeholder until the streaming issue lands).
