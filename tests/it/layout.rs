//! How the `mitchell` binary is laid out: the functions the common commands execute
//! (`link/hot-functions.txt`, gathered by build.rs through the linker) sit together at the start
//! of the code, so an answer keeps a few MiB of code resident instead of ten. How many of the
//! listed names a binary still has is `scripts/hot-functions.sh --check`'s business; this checks
//! that those it has are gathered.

/// Text symbols of the binary: (address, size, name), from `nm`.
fn text_symbols(binary: &str) -> Vec<(u64, u64, String)> {
    let out = std::process::Command::new("nm")
        .args(["-S", "--defined-only", binary])
        .output()
        .expect("nm runs (binutils)");
    assert!(out.status.success(), "nm {binary} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (addr, size, kind, name) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            matches!(kind, "t" | "T" | "w" | "W").then(|| {
                (
                    u64::from_str_radix(addr, 16).unwrap_or(0),
                    u64::from_str_radix(size, 16).unwrap_or(0),
                    name.to_owned(),
                )
            })
        })
        .collect()
}

// rustc links with lld on x86-64 Linux, the linker the ordering needs (build.rs probes for it).
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn the_listed_hot_functions_are_gathered_at_the_start_of_the_code() {
    let list = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/link/hot-functions.txt"
    ))
    .expect("link/hot-functions.txt");
    let listed: std::collections::HashSet<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let symbols = text_symbols(super::common::mitchell_bin());
    let start = symbols.iter().map(|s| s.0).min().expect("text symbols");
    let end = symbols
        .iter()
        .map(|s| s.0 + s.1)
        .max()
        .expect("text symbols");
    let hot: Vec<_> = symbols
        .iter()
        .filter(|(_, _, name)| listed.contains(name.as_str()))
        .collect();
    assert!(
        hot.len() * 2 > listed.len(),
        "only {} of the {} listed functions are in the binary: run scripts/hot-functions.sh",
        hot.len(),
        listed.len()
    );
    let size: u64 = hot.iter().map(|s| s.1).sum();
    let reach = hot.iter().map(|s| s.0 + s.1).max().unwrap() - start;
    // Gathered, they span little more than their own size; scattered, most of the 18 MB.
    assert!(
        reach < size * 3 / 2 && reach * 4 < end - start,
        "the {} hot functions ({size} bytes) reach {reach} bytes into {} bytes of code",
        hot.len(),
        end - start
    );
}
