//! Reads a GGUF file's header in pure Rust: the magic, the metadata the model store lists
//! (architecture, context length, chat template, name) and the tensor table, to check that the
//! file holds all the tensor data it announces. Never loads the model; llama.cpp does that.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

const MAGIC: &[u8; 4] = b"GGUF";
const DEFAULT_ALIGNMENT: u64 = 32;
/// Refuses absurd lengths from a corrupt header before allocating.
const MAX_STRING: u64 = 64 << 20;

/// What is wrong with a file that should be a GGUF model.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path} is not a GGUF model (the file does not start with `GGUF`)")]
    NotGguf { path: String },
    #[error("{path} is truncated or corrupt: {what}")]
    Corrupt { path: String, what: String },
    #[error("{path} uses GGUF version {version}; versions 2 and 3 are supported")]
    Version { path: String, version: u32 },
}

/// The metadata mitchell shows and uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GgufInfo {
    pub version: u32,
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub context_length: Option<u64>,
    pub has_chat_template: bool,
    pub tensor_count: u64,
}

/// Reads and checks the header of `path`; a truncated file (metadata or tensor data) is an error.
pub fn inspect(path: &Path) -> Result<GgufInfo, GgufError> {
    let shown = path.display().to_string();
    let io_err = |source| GgufError::Io {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();
    inspect_reader(BufReader::new(file), file_len, &shown)
}

/// Reads and checks a header from `reader`, whose whole length is `len` bytes; `shown` names it
/// in errors. `inspect` for a file; the fuzz target feeds bytes.
pub fn inspect_reader(reader: impl Read, len: u64, shown: &str) -> Result<GgufInfo, GgufError> {
    let mut r = Reader {
        inner: Box::new(reader),
        pos: 0,
    };
    let corrupt = |what: String| GgufError::Corrupt {
        path: shown.to_owned(),
        what,
    };
    let mut magic = [0u8; 4];
    if r.inner.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Err(GgufError::NotGguf {
            path: shown.to_owned(),
        });
    }
    r.pos = 4;
    let header = read_header(&mut r).map_err(|e| corrupt(e.to_string()))?;
    if !(2..=3).contains(&header.info.version) {
        return Err(GgufError::Version {
            path: shown.to_owned(),
            version: header.info.version,
        });
    }
    let data_start = r.pos.div_ceil(header.alignment) * header.alignment;
    // A corrupt tensor table can announce an offset near u64::MAX: that is no file's length.
    let Some(needed) = data_start.checked_add(header.data_len) else {
        return Err(corrupt(format!(
            "its tensor table announces more than {} bytes of data",
            u64::MAX
        )));
    };
    if len < needed {
        return Err(corrupt(format!(
            "{len} bytes, but its tensors need {needed}"
        )));
    }
    Ok(header.info)
}

struct Header {
    info: GgufInfo,
    alignment: u64,
    /// Bytes of tensor data after the aligned header (0 when a tensor type is unknown).
    data_len: u64,
}

fn read_header(r: &mut Reader<'_>) -> io::Result<Header> {
    let version = r.u32()?;
    let tensor_count = r.u64()?;
    let kv_count = r.u64()?;
    let mut info = GgufInfo {
        version,
        tensor_count,
        ..GgufInfo::default()
    };
    let mut context_lengths = Vec::new();
    let mut alignment = DEFAULT_ALIGNMENT;
    for _ in 0..kv_count {
        let key = r.string()?;
        let ty = r.u32()?;
        match (key.as_str(), ty) {
            ("general.architecture", 8) => info.architecture = Some(r.string()?),
            ("general.name", 8) => info.name = Some(r.string()?),
            ("general.alignment", 4) => alignment = u64::from(r.u32()?).max(1),
            ("tokenizer.chat_template", 8) => {
                info.has_chat_template = true;
                r.skip_value(ty)?;
            }
            (k, 4 | 10) if k.ends_with(".context_length") => {
                let v = if ty == 4 {
                    u64::from(r.u32()?)
                } else {
                    r.u64()?
                };
                context_lengths.push((k.to_owned(), v));
            }
            _ => r.skip_value(ty)?,
        }
    }
    if let Some(arch) = &info.architecture {
        let wanted = format!("{arch}.context_length");
        info.context_length = context_lengths
            .iter()
            .find(|(k, _)| *k == wanted)
            .map(|(_, v)| *v);
    }
    let mut data_len = 0u64;
    let mut known = true;
    for _ in 0..tensor_count {
        let _name = r.string()?;
        let n_dims = r.u32()?;
        if n_dims > 8 {
            return Err(invalid(format!("a tensor with {n_dims} dimensions")));
        }
        let mut elements = 1u64;
        for _ in 0..n_dims {
            elements = elements.saturating_mul(r.u64()?);
        }
        let ty = r.u32()?;
        let offset = r.u64()?;
        match type_size(ty) {
            Some((block, bytes)) if known => {
                let size = elements.div_ceil(block).saturating_mul(bytes);
                data_len = data_len.max(offset.saturating_add(size));
            }
            _ => known = false,
        }
    }
    Ok(Header {
        info,
        alignment,
        data_len: if known { data_len } else { 0 },
    })
}

/// (elements per block, bytes per block) of the ggml tensor types mitchell can size.
fn type_size(ty: u32) -> Option<(u64, u64)> {
    Some(match ty {
        0 => (1, 4),       // F32
        1 => (1, 2),       // F16
        2 => (32, 18),     // Q4_0
        3 => (32, 20),     // Q4_1
        6 => (32, 22),     // Q5_0
        7 => (32, 24),     // Q5_1
        8 => (32, 34),     // Q8_0
        9 => (32, 36),     // Q8_1
        10 => (256, 84),   // Q2_K
        11 => (256, 110),  // Q3_K
        12 => (256, 144),  // Q4_K
        13 => (256, 176),  // Q5_K
        14 => (256, 210),  // Q6_K
        15 => (256, 292),  // Q8_K
        24 => (1, 1),      // I8
        25 | 30 => (1, 2), // I16, BF16
        26 => (1, 4),      // I32
        27 | 28 => (1, 8), // I64, F64
        _ => return None,
    })
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// A little-endian reader that counts its position.
struct Reader<'a> {
    inner: Box<dyn Read + 'a>,
    pos: u64,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut buf = [0u8; N];
        self.inner.read_exact(&mut buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                invalid("the metadata ends early".to_owned())
            } else {
                e
            }
        })?;
        self.pos += N as u64;
        Ok(buf)
    }
    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.inner).take(n), &mut io::sink())?;
        if copied < n {
            return Err(invalid("the metadata ends early".to_owned()));
        }
        self.pos += n;
        Ok(())
    }
    fn string(&mut self) -> io::Result<String> {
        let len = self.u64()?;
        if len > MAX_STRING {
            return Err(invalid(format!("a string of {len} bytes")));
        }
        let mut buf = vec![0u8; usize::try_from(len).map_err(|e| invalid(e.to_string()))?];
        self.inner.read_exact(&mut buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                invalid("the metadata ends early".to_owned())
            } else {
                e
            }
        })?;
        self.pos += len;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn skip_value(&mut self, ty: u32) -> io::Result<()> {
        match ty {
            0 | 1 | 7 => self.skip(1),
            2 | 3 => self.skip(2),
            4..=6 => self.skip(4),
            10..=12 => self.skip(8),
            8 => {
                let len = self.u64()?;
                self.skip(len)
            }
            9 => {
                let elem = self.u32()?;
                let count = self.u64()?;
                match elem {
                    0 | 1 | 7 => self.skip(count),
                    2 | 3 => self.skip(count.saturating_mul(2)),
                    4..=6 => self.skip(count.saturating_mul(4)),
                    10..=12 => self.skip(count.saturating_mul(8)),
                    8 => {
                        for _ in 0..count {
                            let len = self.u64()?;
                            self.skip(len)?;
                        }
                        Ok(())
                    }
                    _ => Err(invalid(format!("an array of unknown type {elem}"))),
                }
            }
            _ => Err(invalid(format!("a value of unknown type {ty}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `gguf` fuzz target: an offset near `u64::MAX` overflowed the size check
    /// (a panic in debug builds, a wrapped sum that accepted the file in release).
    #[test]
    fn a_tensor_offset_near_the_end_of_u64_is_corrupt_not_an_overflow() {
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes()); // one tensor
        b.extend_from_slice(&0u64.to_le_bytes()); // no metadata
        b.extend_from_slice(&1u64.to_le_bytes());
        b.push(b'w');
        b.extend_from_slice(&1u32.to_le_bytes()); // one dimension
        b.extend_from_slice(&4u64.to_le_bytes()); // of four elements
        b.extend_from_slice(&0u32.to_le_bytes()); // F32
        b.extend_from_slice(&(u64::MAX - 8).to_le_bytes()); // the offset
        let len = b.len() as u64;
        let err = inspect_reader(&b[..], len, "x.gguf").unwrap_err();
        assert!(
            matches!(&err, GgufError::Corrupt { what, .. } if what.contains("announces more")),
            "{err}"
        );
    }

    fn write_gguf(path: &Path, kvs: &[(&str, &str)], tensor_bytes: usize, cut: usize) {
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&(kvs.len() as u64).to_le_bytes());
        for (k, v) in kvs {
            b.extend_from_slice(&(k.len() as u64).to_le_bytes());
            b.extend_from_slice(k.as_bytes());
            b.extend_from_slice(&8u32.to_le_bytes());
            b.extend_from_slice(&(v.len() as u64).to_le_bytes());
            b.extend_from_slice(v.as_bytes());
        }
        let name = "w";
        b.extend_from_slice(&(name.len() as u64).to_le_bytes());
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&(tensor_bytes as u64 / 4).to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&0u64.to_le_bytes());
        while b.len() % 32 != 0 {
            b.push(0);
        }
        b.extend(std::iter::repeat_n(0u8, tensor_bytes));
        b.truncate(b.len() - cut);
        std::fs::write(path, b).unwrap();
    }

    #[test]
    fn reads_metadata_and_rejects_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        write_gguf(&p, &[("general.architecture", "llama")], 64, 0);
        let info = inspect(&p).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        assert!(!info.has_chat_template);
        write_gguf(&p, &[("tokenizer.chat_template", "x")], 64, 1);
        let err = inspect(&p).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn rejects_non_gguf() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        std::fs::write(&p, b"hello world").unwrap();
        assert!(matches!(inspect(&p), Err(GgufError::NotGguf { .. })));
    }
}
