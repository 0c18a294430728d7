//! Shared by the `model pull` tests: builds real wheels (zip archives with a data file and a
//! minimal dist-info whose RECORD holds each file's sha256), serves them from a loopback PEP 503
//! "simple" package index that records every request, and writes a catalogue naming them.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::Digest;

/// One package of the made-up model: `tiny-part{i}==0.1.0` holding `tiny_part{i}/data/part{ii}.bin`.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// The path of the data file inside the wheel.
    pub file: String,
    pub wheel_name: String,
    pub wheel: Vec<u8>,
}

/// Splits `model` into `parts` packages, each a wheel of one slice.
pub fn packages(model: &[u8], parts: usize) -> Vec<Package> {
    let size = model.len().div_ceil(parts);
    model
        .chunks(size)
        .enumerate()
        .map(|(i, slice)| {
            let n = i + 1;
            let name = format!("tiny-part{n}");
            let module = format!("tiny_part{n}");
            let file = format!("{module}/data/part{n:02}.bin");
            let wheel_name = format!("{module}-0.1.0-py3-none-any.whl");
            let wheel = wheel(&module, "0.1.0", &[(&file, slice)]);
            Package {
                name,
                version: "0.1.0".to_owned(),
                file,
                wheel_name,
                wheel,
            }
        })
        .collect()
}

/// A wheel: `files`, plus METADATA, WHEEL and a RECORD with their sha256s.
pub fn wheel(module: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let dist_info = format!("{module}-{version}.dist-info");
    let metadata = format!(
        "Metadata-Version: 2.1\nName: {}\nVersion: {version}\n",
        module.replace('_', "-")
    );
    let wheel_file =
        "Wheel-Version: 1.0\nGenerator: mitchell-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
    let mut entries: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
        .collect();
    entries.push((format!("{dist_info}/METADATA"), metadata.into_bytes()));
    entries.push((format!("{dist_info}/WHEEL"), wheel_file.as_bytes().to_vec()));
    let mut record = String::new();
    for (name, bytes) in &entries {
        let digest = sha2::Sha256::digest(bytes);
        writeln!(
            record,
            "{name},sha256={},{}",
            base64_url(&digest),
            bytes.len()
        )
        .unwrap();
    }
    writeln!(record, "{dist_info}/RECORD,,").unwrap();
    entries.push((format!("{dist_info}/RECORD"), record.into_bytes()));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
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

/// Writes a catalogue with one model `name` made of `packages`, pinned to `sha256`/`size`.
pub fn write_catalogue(path: &Path, name: &str, packages: &[Package], sha256: &str, size: usize) {
    let mut text = format!(
        "models:\n  - name: {name}\n    summary: a made-up model for tests\n    size: {size}\n    \
         sha256: {sha256}\n    licence: Apache-2.0\n    attribution: |\n      Tiny test model, by \
         the mitchell tests.\n    parts:\n"
    );
    for p in packages {
        writeln!(
            text,
            "      - {{ package: {}, version: \"{}\", file: {} }}",
            p.name, p.version, p.file
        )
        .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A loopback PEP 503 index: `/simple/<project>/` lists the project's wheel with its sha256,
/// `/files/<wheel>` serves it. Projects in `hidden` answer 404 (as if not published).
pub struct Index {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
    hidden: Arc<Mutex<BTreeSet<String>>>,
}

impl Index {
    pub fn start(packages: &[Package]) -> Index {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/simple/", listener.local_addr().unwrap());
        let wheels: Arc<BTreeMap<String, Package>> = Arc::new(
            packages
                .iter()
                .map(|p| (p.name.clone(), p.clone()))
                .collect(),
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hidden = Arc::new(Mutex::new(BTreeSet::new()));
        let (seen, gone) = (Arc::clone(&requests), Arc::clone(&hidden));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (wheels, seen, gone) =
                    (Arc::clone(&wheels), Arc::clone(&seen), Arc::clone(&gone));
                std::thread::spawn(move || serve(stream, &wheels, &seen, &gone));
            }
        });
        Index {
            url,
            requests,
            hidden,
        }
    }

    /// Every request path so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Makes `project` answer 404 (or serve again).
    pub fn hide(&self, project: &str, hidden: bool) {
        let mut set = self.hidden.lock().unwrap();
        if hidden {
            set.insert(project.to_owned());
        } else {
            set.remove(project);
        }
    }
}

fn serve(
    mut stream: TcpStream,
    wheels: &BTreeMap<String, Package>,
    seen: &Mutex<Vec<String>>,
    hidden: &Mutex<BTreeSet<String>>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    seen.lock().unwrap().push(path.clone());
    let (status, kind, body) = route(&path, wheels, hidden);
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

fn route(
    path: &str,
    wheels: &BTreeMap<String, Package>,
    hidden: &Mutex<BTreeSet<String>>,
) -> (&'static str, &'static str, Vec<u8>) {
    let not_found = ("404 Not Found", "text/plain", b"not found".to_vec());
    if let Some(project) = path
        .strip_prefix("/simple/")
        .map(|p| p.trim_end_matches('/'))
    {
        if hidden.lock().unwrap().contains(project) {
            return not_found;
        }
        let Some(p) = wheels.get(project) else {
            return not_found;
        };
        let sha = hex::encode(sha2::Sha256::digest(&p.wheel));
        let html = format!(
            "<!DOCTYPE html><html><body><a href=\"/files/{w}#sha256={sha}\">{w}</a></body></html>",
            w = p.wheel_name
        );
        return ("200 OK", "text/html", html.into_bytes());
    }
    if let Some(file) = path.strip_prefix("/files/")
        && let Some(p) = wheels.values().find(|p| p.wheel_name == file)
    {
        return ("200 OK", "application/octet-stream", p.wheel.clone());
    }
    not_found
}
