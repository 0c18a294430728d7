//! `mitchell chat` without a terminal: it refuses and points at `ask`.

use crate::common;

use predicates::prelude::*;

#[test]
fn chat_with_a_piped_stdin_exits_2_with_a_hint_to_use_ask() {
    let env = common::TestEnv::new();
    env.cmd()
        .arg("chat")
        .write_stdin("hello\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("mitchell ask"));
    assert!(
        !env.data_dir().join("mitchell.db").exists(),
        "a refused chat must not create the database"
    );
}
