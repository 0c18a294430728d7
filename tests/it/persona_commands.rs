//! `mitchell persona list|show|render|check` and `--persona`: discovery, sources, and the one-line
//! errors (file:line:column and the field) for misspelt keys, wrong types and broken YAML.

use crate::common;

use std::path::{Path, PathBuf};

use common::TestEnv;

const MITCHELL: &str = include_str!("../../personas/mitchell.yaml");
const ROWAN: &str = include_str!("../../examples/personas/rowan.yaml");

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Runs and returns (exit code, stdout, stderr).
fn run(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let out = env.cmd().args(args).output().expect("run");
    (
        out.status.code().expect("an exit code, not a signal"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts exit 2, nothing on stdout, and exactly one `error:` line on stderr containing all
/// of `needles`.
fn assert_one_line_error(result: (i32, String, String), needles: &[&str]) {
    let (code, stdout, stderr) = result;
    assert_eq!(code, 2, "stderr: {stderr}");
    assert!(stdout.is_empty(), "stdout: {stdout}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    for needle in needles {
        assert!(lines[0].contains(needle), "{needle:?} not in {stderr}");
    }
}

#[test]
fn list_shows_builtin_and_user_personas_with_their_source() {
    let env = TestEnv::new();
    let user = write(&env.config_dir().join("personas"), "rowan.yaml", ROWAN);
    let (code, stdout, stderr) = run(&env, &["persona", "list"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("mitchell") && lines[0].contains("built-in"),
        "{stdout}"
    );
    assert!(lines[1].starts_with("rowan"), "{stdout}");
    assert!(
        lines[1].contains(&format!("user {}", user.display())),
        "{stdout}"
    );
}

#[test]
fn list_without_user_folder_shows_the_builtin() {
    let env = TestEnv::new();
    let (code, stdout, _) = run(&env, &["persona", "list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("mitchell  built-in  Mitchell Hashimoto"),
        "{stdout}"
    );
}

#[test]
fn user_persona_replaces_builtin_of_the_same_name() {
    let env = TestEnv::new();
    let text = ROWAN.replace("name: rowan", "name: mitchell");
    write(&env.config_dir().join("personas"), "mitchell.yaml", &text);
    let (code, stdout, _) = run(&env, &["persona", "list"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("replaced by a user persona"), "{stdout}");
    let (code, stdout, _) = run(&env, &["persona", "render"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("You are Rowan"), "{stdout}");
}

#[test]
fn show_prints_the_yaml_of_builtin_user_and_configured_personas() {
    let env = TestEnv::new();
    let (code, stdout, _) = run(&env, &["persona", "show", "mitchell"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, MITCHELL);
    let (_, stdout, _) = run(&env, &["persona", "show"]);
    assert_eq!(stdout, MITCHELL, "the default persona");
    write(&env.config_dir().join("personas"), "rowan.yaml", ROWAN);
    let (_, stdout, _) = run(&env, &["persona", "show", "rowan"]);
    assert_eq!(stdout, ROWAN);
    let (_, stdout, _) = run(&env, &["--persona", "rowan", "persona", "show"]);
    assert_eq!(stdout, ROWAN, "--persona picks the default");
}

#[test]
fn configured_persona_comes_from_the_config_file_and_environment() {
    let env = TestEnv::new();
    write(&env.config_dir().join("personas"), "rowan.yaml", ROWAN);
    env.write_config("persona: rowan\n");
    let (code, stdout, stderr) = run(&env, &["persona", "render", "--detail", "compact"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("You are Rowan"), "{stdout}");
    let out = env
        .cmd()
        .env("MITCHELL_PERSONA", "mitchell")
        .args(["persona", "render", "--detail", "compact"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("You are Mitchell"));
}

#[test]
fn unknown_persona_exits_2_listing_the_known_ones() {
    let env = TestEnv::new();
    assert_one_line_error(
        run(&env, &["persona", "render", "nobody"]),
        &["unknown persona 'nobody'", "mitchell"],
    );
    assert_one_line_error(
        run(&env, &["--persona", "nobody", "persona", "show"]),
        &["nobody"],
    );
}

#[test]
fn missing_persona_file_exits_2() {
    let env = TestEnv::new();
    assert_one_line_error(
        run(&env, &["persona", "check", "does/not/exist.yaml"]),
        &["does/not/exist.yaml"],
    );
}

#[test]
fn check_accepts_the_builtin_and_the_example() {
    let env = TestEnv::new();
    for file in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/personas/mitchell.yaml"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/personas/rowan.yaml"),
    ] {
        let (code, stdout, stderr) = run(&env, &["persona", "check", file]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains("ok"), "{stderr}");
    }
}

/// (what is wrong, the file's text, the line:column and the field the error must name)
fn broken_personas() -> Vec<(&'static str, String, &'static str, &'static str)> {
    vec![
        (
            "misspelt key",
            ROWAN.replace("  philosophy:", "  philosphy:"),
            ":10:3: ",
            "philosphy",
        ),
        (
            "wrong type",
            ROWAN.replace("  mission: Keep", "  mission: [Keep]\n  x: Keep"),
            ":11:12: ",
            "mission",
        ),
        (
            "wrong type in a list",
            format!("{ROWAN}compact_mantras: many\n"),
            ":34:18: ",
            "compact_mantras",
        ),
        (
            "broken YAML",
            ROWAN.replace("summary: Rowan,", "summary: \"Rowan,"),
            ":4:10: ",
            "summary",
        ),
        (
            "missing key",
            ROWAN.replace("  role: Database Reliability Engineer\n", ""),
            ":",
            "role",
        ),
    ]
}

#[test]
fn check_names_file_line_column_and_field() {
    let env = TestEnv::new();
    for (what, text, position, field) in broken_personas() {
        let path = write(env.path(), "broken.yaml", &text);
        let file = path.display().to_string();
        let result = run(&env, &["persona", "check", &file]);
        assert_one_line_error(result, &[&format!("{file}{position}"), field]);
        let _ = what;
    }
}

#[test]
fn persona_flag_with_a_broken_file_exits_2_on_render() {
    let env = TestEnv::new();
    for (_, text, position, field) in broken_personas() {
        let path = write(env.path(), "broken.yml", &text);
        let file = path.display().to_string();
        assert_one_line_error(
            run(&env, &["--persona", &file, "persona", "render"]),
            &[&format!("{file}{position}"), field],
        );
        assert_one_line_error(
            run(&env, &["persona", "render", "--detail", "compact", &file]),
            &[&format!("{file}{position}"), field],
        );
    }
}

#[test]
fn broken_user_persona_is_listed_as_invalid_and_fails_by_name() {
    let env = TestEnv::new();
    let dir = env.config_dir().join("personas");
    let path = write(
        &dir,
        "bad.yaml",
        &ROWAN.replace("  philosophy:", "  philosphy:"),
    );
    let (code, stdout, _) = run(&env, &["persona", "list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("bad") && stdout.contains("invalid"),
        "{stdout}"
    );
    assert_one_line_error(
        run(&env, &["--persona", "bad", "persona", "render"]),
        &[&format!("{}:10:3:", path.display()), "philosphy"],
    );
}

#[test]
fn garbage_files_never_panic() {
    let env = TestEnv::new();
    let cases: &[&[u8]] = &[
        b"",
        b"---\n",
        b"[1, 2, 3]\n",
        b"name: x\n\tsummary: tab\n",
        b"{{ spec.name }}\n",
        b"name: &a [*a]\n",
        b"\xff\xfe\x00garbage",
        b"name: x\nsummary: y\nidentity: 5\npriorities: []\n",
    ];
    for bytes in cases {
        let path = env.path().join("garbage.yaml");
        std::fs::write(&path, bytes).expect("write");
        let (code, _, stderr) = run(&env, &["persona", "check", &path.display().to_string()]);
        assert_eq!(code, 2, "{:?}: {stderr}", String::from_utf8_lossy(bytes));
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_user_template_with_an_undefined_variable_exits_2_naming_it() {
    let env = TestEnv::new();
    let prompts = env.config_dir().join("prompts");
    std::fs::create_dir_all(&prompts).unwrap();
    std::fs::write(
        prompts.join("compact.md.j2"),
        "You are {{ spec.name }}.\nOn call: {{ spec.identity.pager_number }}\n",
    )
    .unwrap();
    let err = common::one_line_error(
        env.cmd().args(["persona", "render", "--detail", "compact"]),
        2,
    );
    assert!(err.contains("undefined"), "{err}");
    assert!(err.contains("spec.identity.pager_number"), "{err}");
    assert!(err.contains("compact.md.j2:2"), "{err}");
    // The full render does not use the override and still works.
    env.cmd()
        .args(["persona", "render", "--detail", "full"])
        .assert()
        .success();
}

#[test]
fn a_user_template_override_is_used() {
    let env = TestEnv::new();
    let prompts = env.config_dir().join("prompts");
    std::fs::create_dir_all(&prompts).unwrap();
    std::fs::write(
        prompts.join("compact.md.j2"),
        "You are {{ spec.name }}. Team: {{ vars.team }}.",
    )
    .unwrap();
    env.cmd()
        .args([
            "persona", "render", "--detail", "compact", "--var", "team=sre",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("Team: sre."));
}
