//! Conversations: the prompt a command sends (`prompt`) and the driver of one exchange
//! (`exchange`), shared by `ask`, `chat` and the documents. The driver consumes a provider's
//! events and does the terminal I/O; what the events mean is assembled by `llm::Reply`.

pub mod exchange;
pub mod prompt;

pub use exchange::{ExchangeOptions, drive, outcome};
pub use prompt::{InputError, prompt_from};
