//! `mitchell completions bash` loads in a real bash and completes subcommands and live values
//! (personas, providers from the config, session names from the store); the other shells get
//! a script too; `mitchell man` is a man page that `man -l -` renders.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::TestEnv;
use common::server::{Response, Server};

/// Sources the script in bash, completes `words` (the last one is being typed) and returns
/// the candidates.
fn complete(env: &TestEnv, words: &[&str]) -> Vec<String> {
    let bin = env!("CARGO_BIN_EXE_mitchell");
    let cword = words.len();
    let current = words.last().copied().unwrap_or("");
    let previous = if cword >= 2 {
        words[cword - 2]
    } else {
        "mitchell"
    };
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source <('{bin}' completions bash) || exit 9
         COMP_WORDS=(mitchell {words}); COMP_CWORD={cword}; COMP_TYPE=9
         _clap_complete_mitchell mitchell '{current}' '{previous}' || exit 8
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
    );
    let mut cmd = env.std_cmd();
    cmd.env("SHELL", "/bin/bash");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("MITCHELL_COMPLETE")
        .output()
        .expect("bash must be installed to test completions");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_subcommands_and_flags() {
    let env = TestEnv::new();
    assert_eq!(complete(&env, &["sess"]), ["sessions"]);
    let flags = complete(&env, &["ask", "--max-t"]);
    assert_eq!(flags, ["--max-tokens"]);
    assert!(complete(&env, &["--render", ""]).contains(&"always".to_owned()));
}

#[test]
fn bash_completes_personas_and_providers_from_disk() {
    let env = TestEnv::new();
    env.write_config("providers:\n  groq:\n    base_url: http://127.0.0.1:9/v1\n");
    let personas = env.config_dir().join("personas");
    std::fs::create_dir_all(&personas).unwrap();
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("personas/mitchell.yaml"),
    )
    .unwrap();
    std::fs::write(personas.join("oncall.yaml"), spec).unwrap();
    assert_eq!(
        complete(&env, &["ask", "--persona", ""]),
        ["mitchell", "oncall"]
    );
    assert_eq!(
        complete(&env, &["chat", "--provider", ""]),
        ["local", "groq"]
    );
    let models = env.cache_dir().join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(models.join("tiny-chat.gguf"), b"GGUF").unwrap();
    std::fs::write(models.join("tiny-chat.json"), b"{}").unwrap();
    assert_eq!(complete(&env, &["ask", "--model", "ti"]), ["tiny-chat"]);
}

#[test]
fn bash_completes_session_names_from_the_store() {
    let env = TestEnv::new();
    let none = complete(&env, &["sessions", "show", ""]);
    assert!(none.iter().all(|c| c.starts_with("--")), "{none:?}");
    assert!(
        !env.data_dir().join("sessions.db").exists() && !env.data_dir().exists(),
        "completing created the database"
    );
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/streams/openai-text-usage.sse"),
    )
    .unwrap();
    let server = Server::start(vec![Response::sse(body)]);
    for name in ["deploy-notes", "dr-drill"] {
        env.cmd()
            .args(["ask", "--base-url", &server.url(), "--session", name, "hi"])
            .assert()
            .success();
    }
    assert_eq!(
        complete(&env, &["sessions", "show", "de"]),
        ["deploy-notes"]
    );
    let all = complete(&env, &["sessions", "rm", ""]);
    for want in ["deploy-notes", "dr-drill", "1", "2"] {
        assert!(all.contains(&want.to_owned()), "{all:?}");
    }
    assert_eq!(complete(&env, &["ask", "--session", "dr"]), ["dr-drill"]);
}

#[test]
fn every_shell_gets_a_script_that_calls_back() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains("MITCHELL_COMPLETE"), "{shell}: {script}");
    }
    env.cmd().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_renders_with_man() {
    let env = TestEnv::new();
    let page = env.cmd().arg("man").output().unwrap();
    assert!(page.status.success());
    assert!(page.stdout.starts_with(b".ie"), "not roff");
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("man (apt-get install man-db, see scripts/install-build-deps.sh)");
    std::io::Write::write_all(man.stdin.as_mut().unwrap(), &page.stdout).unwrap();
    let out = man.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for want in ["NAME", "SYNOPSIS", "--render", "completions", "sessions"] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
}
