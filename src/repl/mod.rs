//! The interactive loop (`mitchell chat`): the editor (the only rustyline user), slash-command
//! parsing (`command`), and the turn driver that streams replies into the store.

pub mod command;
