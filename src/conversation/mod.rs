//! Conversations: the prompt a command sends (`prompt`), the driver of one exchange
//! (`exchange`), shared by `ask`, `chat` and the documents, and the context budget (`budget`).
//! The driver consumes a provider's events and does the terminal I/O; what the events mean is
//! assembled by `llm::Reply`.

pub mod budget;
pub mod exchange;
pub mod history;
pub mod prompt;
pub mod record;
pub mod session;
pub mod turn;

pub use exchange::{ExchangeOptions, drive, outcome};
pub use prompt::prompt_from;
