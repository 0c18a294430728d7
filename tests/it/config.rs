//! `mitchell config show` / `config path`: layers, sources, redaction and bad input.

use crate::common;

use common::TestEnv;
use predicates::prelude::*;

const CANARY: &str = "sk-canary-7c1f0e9d2b4a";

#[test]
fn show_names_the_layer_of_file_env_and_flag_values() {
    let t = TestEnv::new();
    let file = t.write_config("model: from-the-file\nidle_timeout: 5\n");
    let out = t
        .cmd()
        .args(["config", "show", "--persona", "from-the-flag"])
        .env("MITCHELL_IDLE_TIMEOUT", "30")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = |key: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} line in:\n{text}"))
            .to_owned()
    };
    assert!(line("model").contains("from-the-file"));
    assert!(line("model").contains(&format!("# file {}", file.display())));
    assert!(
        line("idle_timeout").contains("30")
            && line("idle_timeout").contains("# env MITCHELL_IDLE_TIMEOUT")
    );
    assert!(
        line("persona").contains("from-the-flag") && line("persona").contains("# flag --persona")
    );
    assert!(line("max_tries").contains("# default"));
    assert!(line("config_file").contains(&file.display().to_string()));
}

#[test]
fn the_api_key_never_appears_even_with_vv() {
    let t = TestEnv::new();
    t.write_config("providers:\n  p:\n    base_url: http://127.0.0.1:9/v1\n    headers:\n      X-Secret: sk-canary-7c1f0e9d2b4a\n");
    for args in [vec!["config", "show"], vec!["-vv", "config", "show"]] {
        let assert = t
            .cmd()
            .args(&args)
            .env("MITCHELL_API_KEY", CANARY)
            .env("OPENAI_API_KEY", CANARY)
            .assert()
            .success();
        let out = assert.get_output();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(CANARY), "canary leaked:\n{all}");
        assert!(all.contains("<redacted>"), "{all}");
        assert!(all.contains("env MITCHELL_API_KEY"), "{all}");
    }
}

#[test]
fn api_key_command_is_not_run_by_config_show() {
    let t = TestEnv::new();
    let marker = t.path().join("ran");
    t.write_config(&format!(
        "default_provider: p\nproviders:\n  p:\n    base_url: http://127.0.0.1:9/v1\n    api_key_command: touch {}\n",
        marker.display()
    ));
    t.cmd()
        .args(["config", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("key from api_key_command"));
    assert!(!marker.exists());
}

#[test]
fn a_misspelt_key_is_one_line_with_file_line_column_and_key() {
    let t = TestEnv::new();
    let file = t.write_config("model: x\nidel_timeout: 5\n");
    let err = common::one_line_error(t.cmd().args(["config", "show"]), 2);
    assert!(
        err.starts_with(&format!("error: {}:2:1: ", file.display())),
        "{err}"
    );
    assert!(err.contains("idel_timeout"), "{err}");
}

#[test]
fn a_wrong_type_is_exit_2() {
    let t = TestEnv::new();
    t.write_config("idle_timeout: soon\n");
    t.cmd()
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":1:"));
}

#[test]
fn a_named_config_that_is_missing_is_exit_2() {
    let t = TestEnv::new();
    t.cmd()
        .args(["--config", "/nonexistent/mitchell.yaml", "config", "show"])
        .assert()
        .code(2)
        .stderr("error: config file /nonexistent/mitchell.yaml does not exist\n");
}

#[test]
fn a_bad_environment_value_is_exit_2() {
    let t = TestEnv::new();
    t.cmd()
        .args(["config", "show"])
        .env("MITCHELL_MAX_TRIES", "lots")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("MITCHELL_MAX_TRIES"));
}

#[test]
fn config_path_prints_the_xdg_location_or_the_env_override() {
    let t = TestEnv::new();
    t.cmd()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            t.config_dir().join("config.yaml").display().to_string(),
        ));
    t.cmd()
        .args(["config", "path"])
        .env("MITCHELL_CONFIG", "/etc/m.yaml")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("/etc/m.yaml"));
}

#[test]
fn an_unknown_flag_is_exit_2_and_help_is_exit_0() {
    let t = TestEnv::new();
    t.cmd().arg("--no-such-flag").assert().code(2);
    t.cmd().arg("--help").assert().success();
    t.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("mitchell "));
}

/// `config show` prints a row for every setting the code declares, each with its layer.
#[test]
fn config_show_lists_every_declared_setting() {
    let env = TestEnv::new();
    let out = env.cmd().args(["config", "show"]).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for key in mitchell::config::KEYS {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(key.name) && l.contains("# ")),
            "{} missing from:\n{text}",
            key.name
        );
    }
}
