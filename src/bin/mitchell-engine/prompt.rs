//! Turns chat messages into the model's prompt text through its chat template (the GGUF's own,
//! or one named with `--chat-template`), split into the persona prefix (the system message,
//! which the prefix cache stores) and the rest. Also names the prefix cache's files and keeps
//! their number bounded (every distinct system message, e.g. each drafted document's notes,
//! makes one).

use std::path::{Path, PathBuf};

use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use sha2::{Digest, Sha256};

use mitchell::llm::{Message, Role};

/// Built-in llama.cpp template names offered in the error message.
pub const TEMPLATE_NAMES: &str = "chatml, llama3, gemma, mistral-v7, phi3, zephyr";

/// Why no template could be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "model `{model}` has no chat template in its GGUF metadata: pass --chat-template NAME \
         (one of {TEMPLATE_NAMES}) or set `local.chat_template` in the config"
    )]
    Missing { model: String },
    #[error("unknown chat template `{0}` (try one of {TEMPLATE_NAMES})")]
    Unknown(String),
    #[error("chat template: {0}")]
    Other(String),
}

/// Picks the template: the named one, else the model's own.
pub fn choose(
    model: &LlamaModel,
    model_name: &str,
    named: Option<&str>,
) -> Result<LlamaChatTemplate, TemplateError> {
    let template = match named {
        Some(name) => {
            LlamaChatTemplate::new(name).map_err(|e| TemplateError::Other(e.to_string()))?
        }
        None => model
            .chat_template(None)
            .map_err(|_| TemplateError::Missing {
                model: model_name.to_owned(),
            })?,
    };
    // llama.cpp only knows built-in templates (detected from the Jinja text); try one render.
    let probe = [message(&Message::user("hi")).map_err(TemplateError::Other)?];
    model
        .apply_chat_template(&template, &probe, true)
        .map_err(|_| match named {
            Some(name) => TemplateError::Unknown(name.to_owned()),
            None => TemplateError::Missing {
                model: model_name.to_owned(),
            },
        })?;
    Ok(template)
}

fn message(m: &Message) -> Result<LlamaChatMessage, String> {
    let role = match m.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    LlamaChatMessage::new(role.to_owned(), m.content.clone()).map_err(|e| e.to_string())
}

/// A rendered prompt: `prefix` (the system message, cacheable; may be empty) then `rest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub prefix: String,
    pub rest: String,
}

/// Renders `messages`, ending with the assistant's opening tag.
pub fn render(
    model: &LlamaModel,
    template: &LlamaChatTemplate,
    messages: &[Message],
) -> Result<Rendered, String> {
    let chat = messages
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    let full = model
        .apply_chat_template(template, &chat, true)
        .map_err(|e| format!("applying the chat template: {e}"))?;
    let prefix = match messages.first() {
        Some(first) if first.role == Role::System && messages.len() > 1 => model
            .apply_chat_template(template, &chat[..1], false)
            .ok()
            .filter(|p| full.starts_with(p.as_str()))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let rest = full[prefix.len()..].to_owned();
    Ok(Rendered { prefix, rest })
}

/// The cache file for a prefix: keyed by the model's identity, the prefix text and the context
/// settings that shape the saved state.
pub fn cache_file(dir: &Path, model_id: &str, prefix: &str, n_ctx: u32, n_batch: u32) -> PathBuf {
    let mut h = Sha256::new();
    h.update(b"mitchell-prefix-v2\0");
    h.update(model_id.as_bytes());
    h.update(b"\0");
    h.update(prefix.as_bytes());
    h.update(format!("\0ctx={n_ctx}\0batch={n_batch}").as_bytes());
    let key = hex::encode(h.finalize());
    dir.join(format!("{}.state", &key[..32]))
}

/// Saved prefixes kept in the cache directory; older ones are removed after each save.
pub const CACHE_ENTRIES: usize = 24;

/// Removes all but the `keep` most recently written `.state` files of `dir`.
pub fn prune_cache(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut states: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "state"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    states.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (_, old) in states.into_iter().skip(keep) {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_entries() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            let p = dir.path().join(format!("{i}.state"));
            std::fs::write(&p, b"x").unwrap();
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000 + i);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        prune_cache(dir.path(), 2);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["3.state", "4.state", "notes.txt"]);
    }
}
