//! `read_file`: a text file, at most 64 KiB of it — a longer file comes back as its head and
//! tail with a marker between — and never a binary file (a NUL byte, or bytes that are not
//! UTF-8, in what was read).

use std::fmt::Write as _;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read from a file.
const LIMIT: u64 = 64 * 1024;

/// The file's text, or a one-line reason it cannot be read.
pub fn read_text(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let mut file =
        std::fs::File::open(path).map_err(|err| format!("cannot open {shown}: {err}"))?;
    let meta = file
        .metadata()
        .map_err(|err| format!("cannot read {shown}: {err}"))?;
    if meta.is_dir() {
        return Err(format!(
            "{shown} is a directory (list it with run_command `ls`)"
        ));
    }
    let len = meta.len();
    let mut bytes = Vec::new();
    let omitted = if len <= LIMIT {
        file.read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read {shown}: {err}"))?;
        None
    } else {
        let half = LIMIT / 2;
        let mut head = vec![0; usize::try_from(half).unwrap_or(32 * 1024)];
        file.read_exact(&mut head)
            .map_err(|err| format!("cannot read {shown}: {err}"))?;
        file.seek(SeekFrom::End(-i64::try_from(half).unwrap_or(32 * 1024)))
            .map_err(|err| format!("cannot read {shown}: {err}"))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail)
            .map_err(|err| format!("cannot read {shown}: {err}"))?;
        bytes = head;
        Some((len - LIMIT, tail))
    };
    let text = |b: Vec<u8>| -> Result<String, String> {
        if b.contains(&0) {
            return Err(format!(
                "{shown} is a binary file; only text files are read"
            ));
        }
        // A cut may split a character: keep what decodes.
        match String::from_utf8(b) {
            Ok(s) => Ok(s),
            Err(err) if err.utf8_error().error_len().is_none() => {
                let valid = err.utf8_error().valid_up_to();
                let mut b = err.into_bytes();
                b.truncate(valid);
                Ok(String::from_utf8_lossy(&b).into_owned())
            }
            Err(_) => Err(format!(
                "{shown} is not UTF-8 text; only text files are read"
            )),
        }
    };
    let mut out = text(bytes)?;
    if let Some((skipped, tail)) = omitted {
        let tail = String::from_utf8_lossy(&tail).into_owned();
        let _ = write!(out, "\n… {skipped} bytes omitted …\n");
        out.push_str(&tail);
    }
    Ok(out)
}
