//! The model cache: `<models_dir>/<name>.gguf` with a `<name>.json` record beside it (sha256,
//! size, architecture, context length, chat template) and an optional `<name>.NOTICE` (licence).
//! Import checks every input (name, GGUF header, notice) before it copies anything, then hashes
//! and copies; `adopt` moves in a file a pull has already verified. Nothing here loads a model.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::gguf::{self, GgufError};

/// The model used when none is named (an entry of the model catalogue).
pub const DEFAULT_MODEL: &str = "qwen2.5-coder-1.5b-instruct";

/// What the store keeps about one model (the `.json` record and `model list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub name: String,
    pub size: u64,
    pub architecture: Option<String>,
    pub context_length: Option<u64>,
    pub chat_template: bool,
    pub sha256: String,
    /// Where the file came from (a path or URL).
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Gguf(#[from] GgufError),
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error("invalid model name `{0}`: use letters, digits, `.`, `-` and `_`")]
    BadName(String),
    #[error("no model named `{0}` in the cache (see `mitchell model list`)")]
    NotFound(String),
    #[error("notice file {path}: {message}")]
    Notice { path: String, message: String },
    #[error("sha256 mismatch for {what}: expected {expected}, got {actual}")]
    Sha256 {
        what: String,
        expected: String,
        actual: String,
    },
}

impl CacheError {
    /// True when the user's input is at fault (exit 2) rather than the machine.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            CacheError::Gguf(_)
                | CacheError::BadName(_)
                | CacheError::NotFound(_)
                | CacheError::Notice { .. }
        )
    }
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> CacheError {
    let context = context.into();
    move |source| CacheError::Io { context, source }
}

/// The models folder.
pub struct ModelCache {
    dir: PathBuf,
}

impl ModelCache {
    pub fn new(dir: PathBuf) -> Self {
        ModelCache { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn gguf_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.gguf"))
    }

    fn record_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub fn notice_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.NOTICE"))
    }

    /// Checks `file`, hashes it, copies it in as `name`, and keeps `notice` beside it. Every
    /// input is checked before anything is copied, so a bad one leaves the cache as it was.
    pub fn import(
        &self,
        file: &Path,
        name: &str,
        notice: Option<&Path>,
        source: &str,
    ) -> Result<ModelRecord, CacheError> {
        check_name(name)?;
        let info = gguf::inspect(file)?;
        let notice = notice.map(read_notice).transpose()?;
        self.create_dir()?;
        let tmp = self.dir.join(format!(".{name}.gguf.importing"));
        let (sha256, size) = copy_hashing(file, &tmp)?;
        self.install(&tmp, info, name, notice.as_deref(), source, sha256, size)
    }

    /// Moves `file`, whose sha256 the caller has verified, in as `name` with `notice` (text)
    /// beside it. `file` must be on the same file system as the store (a pull's staging folder).
    pub fn adopt(
        &self,
        file: &Path,
        name: &str,
        notice: Option<&str>,
        source: &str,
        sha256: &str,
    ) -> Result<ModelRecord, CacheError> {
        check_name(name)?;
        let info = gguf::inspect(file)?;
        let size = fs::metadata(file)
            .map_err(io_err(format!("reading {}", file.display())))?
            .len();
        self.create_dir()?;
        self.install(file, info, name, notice, source, sha256.to_owned(), size)
    }

    fn create_dir(&self) -> Result<(), CacheError> {
        fs::create_dir_all(&self.dir).map_err(io_err(format!("creating {}", self.dir.display())))
    }

    /// Renames the checked `file` into place, writes the record and the notice (or drops a
    /// notice left from an earlier model of that name).
    #[allow(clippy::too_many_arguments)] // one private step of import and adopt
    fn install(
        &self,
        file: &Path,
        info: gguf::GgufInfo,
        name: &str,
        notice: Option<&str>,
        source: &str,
        sha256: String,
        size: u64,
    ) -> Result<ModelRecord, CacheError> {
        fs::rename(file, self.gguf_path(name)).map_err(io_err("moving the model into place"))?;
        let record = ModelRecord {
            name: name.to_owned(),
            size,
            architecture: info.architecture,
            context_length: info.context_length,
            chat_template: info.has_chat_template,
            sha256,
            source: source.to_owned(),
        };
        self.write_record(&record)?;
        let notice_path = self.notice_path(name);
        match notice {
            Some(text) => fs::write(&notice_path, text)
                .map_err(io_err(format!("writing {}", notice_path.display())))?,
            None => match fs::remove_file(&notice_path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(format!("removing {}", notice_path.display()))(e)),
            },
        }
        Ok(record)
    }

    fn write_record(&self, record: &ModelRecord) -> Result<(), CacheError> {
        let json = serde_json::to_string_pretty(record)
            .map_err(|e| io_err("encoding the record")(io::Error::other(e)))?;
        fs::write(self.record_path(&record.name), json + "\n")
            .map_err(io_err("writing the model record"))
    }

    /// Every model with a record, sorted by name.
    pub fn list(&self) -> Result<Vec<ModelRecord>, CacheError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(format!("reading {}", self.dir.display()))(e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Some(record) = fs::read_to_string(&path)
                    .ok()
                    .and_then(|text| serde_json::from_str::<ModelRecord>(&text).ok())
                && self.gguf_path(&record.name).is_file()
            {
                out.push(record);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The record of `name`.
    pub fn get(&self, name: &str) -> Result<ModelRecord, CacheError> {
        check_name(name)?;
        let text = fs::read_to_string(self.record_path(name))
            .map_err(|_| CacheError::NotFound(name.to_owned()))?;
        if !self.gguf_path(name).is_file() {
            return Err(CacheError::NotFound(name.to_owned()));
        }
        serde_json::from_str(&text)
            .map_err(|e| io_err(format!("reading the record of `{name}`"))(io::Error::other(e)))
    }

    /// Deletes `name` (model, record, notice).
    pub fn remove(&self, name: &str) -> Result<(), CacheError> {
        self.get(name)?;
        for path in [
            self.gguf_path(name),
            self.record_path(name),
            self.notice_path(name),
        ] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(format!("removing {}", path.display()))(e)),
            }
        }
        Ok(())
    }
}

/// Reads a notice file for `import`: it must be a readable text file.
fn read_notice(path: &Path) -> Result<String, CacheError> {
    let bad = |message: String| CacheError::Notice {
        path: path.display().to_string(),
        message,
    };
    if path.is_dir() {
        return Err(bad("is a folder, not a file".to_owned()));
    }
    let bytes = fs::read(path).map_err(|e| bad(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| bad("is not UTF-8 text".to_owned()))
}

/// The model to answer with when none is named: the default when it is cached, else the first
/// cached model in `preferred` order (the catalogue's, best first), else any cached model by
/// name. `None` when the cache is empty.
pub fn pick_default<'a>(records: &'a [ModelRecord], preferred: &[&str]) -> Option<&'a ModelRecord> {
    let named = |name: &str| records.iter().find(|r| r.name == name);
    named(DEFAULT_MODEL)
        .or_else(|| preferred.iter().find_map(|p| named(p)))
        .or_else(|| records.first())
}

/// Names become file names: keep them plain.
pub fn check_name(name: &str) -> Result<(), CacheError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(CacheError::BadName(name.to_owned()))
    }
}

/// The default store name for a file: its stem, lower-cased, without `.gguf`.
pub fn name_from_file(path: &str) -> String {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let base = base.split(['?', '#']).next().unwrap_or(base);
    base.strip_suffix(".gguf")
        .unwrap_or(base)
        .to_ascii_lowercase()
}

/// Copies `from` to `to`, returning (sha256 hex, bytes).
fn copy_hashing(from: &Path, to: &Path) -> Result<(String, u64), CacheError> {
    let mut src = fs::File::open(from).map_err(io_err(format!("opening {}", from.display())))?;
    let mut dst = fs::File::create(to).map_err(io_err(format!("creating {}", to.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(io_err("reading the model"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n])
            .map_err(io_err("writing the model copy"))?;
        total += n as u64;
    }
    dst.sync_all().map_err(io_err("writing the model copy"))?;
    Ok((hex::encode(hasher.finalize()), total))
}

/// The sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, CacheError> {
    let mut file = fs::File::open(path).map_err(io_err(format!("opening {}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(io_err(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name_from_file("http://x/a/Smol.Q4.gguf?x=1"), "smol.q4");
        assert!(check_name("../x").is_err());
        assert!(check_name("smollm2-135m-instruct").is_ok());
    }

    fn record(name: &str) -> ModelRecord {
        ModelRecord {
            name: name.to_owned(),
            size: 1,
            architecture: None,
            context_length: None,
            chat_template: true,
            sha256: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn the_default_then_the_catalogue_order_then_any_model_answers() {
        let prefer = ["big", "small"];
        let pick = |names: &[&str]| {
            let records: Vec<ModelRecord> = names.iter().map(|n| record(n)).collect();
            pick_default(&records, &prefer).map(|r| r.name.clone())
        };
        assert_eq!(pick(&["a", DEFAULT_MODEL, "small"]).unwrap(), DEFAULT_MODEL);
        assert_eq!(pick(&["a", "small"]).unwrap(), "small");
        assert_eq!(pick(&["a", "b"]).unwrap(), "a");
        assert_eq!(pick(&[]), None);
    }
}
