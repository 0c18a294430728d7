//! Conversations: the context budget (`budget`).

pub mod budget;
