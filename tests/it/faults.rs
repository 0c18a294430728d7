//! The fault matrix, continued: faults of the network and of the disk, each through the real
//! binary against a real peer. A loopback listener whose queue is full (connect timeout), a
//! loopback DNS server that answers "no such name" or never (the binary's resolver pointed at it
//! inside a private mount namespace), the data directory mounted read-only or on a full tmpfs,
//! and two processes writing one session at once.
//!
//! The namespace tests need root and `unshare(1)`; without them they fail saying so (CI runs as
//! root), they never skip.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::server::{Response, Server};
use common::{Run, TestEnv};

fn run(cmd: std::process::Command) -> Run {
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    Run::of(&out)
}

const SSE_OK: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n\
                      data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
                      data: [DONE]\n\n";

fn ok_server() -> Server {
    Server::once(Response::sse(SSE_OK))
}

/// `sh -c SCRIPT` in a private mount namespace; the script ends with `exec "$@"`, which runs
/// the binary with the arguments the caller adds.
fn in_namespace(env: &TestEnv, script: &str) -> std::process::Command {
    let check = std::process::Command::new("unshare")
        .args(["-m", "true"])
        .output();
    assert!(
        check.is_ok_and(|o| o.status.success()),
        "this test needs root and unshare(1) from util-linux (a private mount namespace); run \
         the suite as root, as CI does"
    );
    let mut cmd = env.std_cmd_via("unshare", &["-m", "sh", "-c", script, "sh"]);
    cmd.arg(common::mitchell_bin());
    cmd
}

fn ask_args(server: &Server) -> Vec<String> {
    ["ask", "--base-url", &server.url(), "--model", "m"]
        .map(str::to_owned)
        .to_vec()
}

// ---- The network ------------------------------------------------------------------------------

/// A loopback listener with a backlog of 0 that never accepts, its queue filled, so a new
/// connection's SYN is dropped and the connect hangs. The runtime and the fillers must live as
/// long as the test.
struct Unanswering {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    _listener: tokio::net::TcpListener,
    _fillers: Vec<TcpStream>,
}

fn unanswering_listener() -> Unanswering {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        socket.listen(0).unwrap()
    });
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    let full =
        (0..32).any(
            |_| match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                Ok(stream) => {
                    fillers.push(stream);
                    false
                }
                Err(_) => true,
            },
        );
    assert!(full, "the listener's queue never filled");
    Unanswering {
        addr,
        _runtime: runtime,
        _listener: listener,
        _fillers: fillers,
    }
}

#[test]
fn a_server_that_never_answers_the_connect_hits_connect_timeout_in_one_line() {
    let peer = unanswering_listener();
    let env = TestEnv::new();
    let url = format!("http://{}/v1", peer.addr);
    let start = Instant::now();
    let mut cmd = env.std_cmd();
    cmd.env("MITCHELL_CONNECT_TIMEOUT", "1").args([
        "ask",
        "--base-url",
        &url,
        "--model",
        "m",
        "--no-save",
        "hi",
    ]);
    let r = run(cmd);
    let took = start.elapsed();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "error: http: cannot connect to {url}/chat/completions: no answer within 1 s \
                 (connect_timeout)"
            )
            .as_str()
        ),
        "{}",
        r.stderr
    );
    // The two retries of the default three tries, each one line.
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    assert!(lines[0].contains("retrying in") && lines[0].contains("(try 2 of 3)"));
    // Three tries of 1 s plus the backoff: the setting was honoured (the default, 10 s, would
    // take 30 s at least). A guard against the default, not a speed target.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// A loopback DNS server on a random 127.53.x.y:53: answers every query "no such name"
/// (NXDOMAIN), or, `silent`, never. Returns its address and the number of queries it got.
fn dns_server(silent: bool) -> (String, Arc<AtomicUsize>) {
    let mut rng = fastrand::Rng::new();
    let (ip, socket) = (0..20)
        .find_map(|_| {
            let ip = format!("127.53.{}.{}", rng.u8(1..250), rng.u8(1..250));
            UdpSocket::bind((ip.as_str(), 53)).ok().map(|s| (ip, s))
        })
        .expect("bind a loopback DNS port (needs root)");
    let queries = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&queries);
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            seen.fetch_add(1, Ordering::SeqCst);
            if silent || n < 12 {
                continue;
            }
            // The query with its header turned into an answer: QR set (opcode and RD kept),
            // RA set, RCODE 3 (no such name), no answer or authority records.
            let mut reply = buf[..n].to_vec();
            reply[2] = 0x80 | (buf[2] & 0x79);
            reply[3] = 0x83;
            reply[6..10].fill(0);
            let _ = socket.send_to(&reply, from);
        }
    });
    (ip, queries)
}

/// `mitchell ask` against `http://provider.invalid/v1` with the resolver pointed at `dns`.
fn ask_unresolvable(env: &TestEnv, dns: &str) -> Run {
    let resolv = env.path().join("resolv.conf");
    std::fs::write(
        &resolv,
        format!("nameserver {dns}\noptions timeout:1 attempts:1\n"),
    )
    .unwrap();
    let mut cmd = in_namespace(
        env,
        r#"mount --bind "$RESOLV" /etc/resolv.conf && exec "$@""#,
    );
    cmd.env("RESOLV", &resolv).args([
        "ask",
        "--base-url",
        "http://provider.invalid/v1",
        "--model",
        "m",
        "--no-save",
        "hi",
    ]);
    run(cmd)
}

#[test]
fn a_provider_host_that_does_not_exist_is_one_line_and_not_retried() {
    let (dns, queries) = dns_server(false);
    let env = TestEnv::new();
    let r = ask_unresolvable(&env, &dns);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: http: cannot connect to http://provider.invalid/v1/chat/completions: failed to \
         lookup address information: Name or service not known (the host name does not \
         resolve: check the provider's base_url)\n"
    );
    assert!(
        queries.load(Ordering::SeqCst) > 0,
        "the resolver never asked the test's DNS server"
    );
}

#[test]
fn a_resolver_that_never_answers_is_retried_a_bounded_number_of_times() {
    let (dns, queries) = dns_server(true);
    let env = TestEnv::new();
    let r = ask_unresolvable(&env, &dns);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "two retries and the error: {}", r.stderr);
    assert!(lines[1].contains("(try 3 of 3)"), "{}", r.stderr);
    assert_eq!(
        lines[2],
        "error: http: cannot connect to http://provider.invalid/v1/chat/completions: failed to \
         lookup address information: Temporary failure in name resolution"
    );
    assert!(
        queries.load(Ordering::SeqCst) >= 3,
        "one query per try at least"
    );
}

// ---- The disk ---------------------------------------------------------------------------------

/// `sessions export NAME --format json`: the roles and texts of the session's messages.
fn stored(env: &TestEnv, session: &str) -> Vec<(String, String)> {
    common::roles_and_texts(&env.export_session(session)["messages"])
}

#[test]
fn a_read_only_data_directory_still_answers_and_says_the_turn_is_not_saved() {
    let server = ok_server();
    let env = TestEnv::new();
    let first = run({
        let mut cmd = env.std_cmd();
        cmd.args(ask_args(&server))
            .args(["--session", "s1", "first"]);
        cmd
    });
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let db = env.data_dir().join("mitchell.db");
    let before = common::sha256_file(&db);
    let read_only = r#"mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" && exec "$@""#;

    let mut cmd = in_namespace(&env, read_only);
    cmd.env("D", env.data_dir())
        .args(ask_args(&server))
        .args(["--session", "s1", "second"]);
    let r = run(cmd);
    assert_eq!(
        r.code,
        Some(1),
        "a session the user named was not saved: {}",
        r.stderr
    );
    assert_eq!(r.stdout, "ok\n", "the answer is still printed");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "warning: this turn is not saved in session s1 ({}): sessions database: ",
            db.display()
        )) && r
            .stderr
            .ends_with("(is the disk full, or the data directory read-only?)\n"),
        "{}",
        r.stderr
    );

    // The default save (no --session) warns and exits 0.
    let mut cmd = in_namespace(&env, read_only);
    cmd.env("D", env.data_dir())
        .args(ask_args(&server))
        .arg("third");
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "ok\n");
    assert!(
        r.stderr
            .starts_with("warning: this exchange is not saved (")
            && r.stderr.lines().count() == 1,
        "{}",
        r.stderr
    );

    assert_eq!(
        common::sha256_file(&db),
        before,
        "the read-only database was changed"
    );
    assert_eq!(
        stored(&env, "s1"),
        [("user", "first"), ("assistant", "ok")].map(|(r, t)| (r.to_owned(), t.to_owned()))
    );
}

#[test]
fn a_full_disk_still_answers_and_says_the_turn_is_not_saved() {
    let server = ok_server();
    let env = TestEnv::new();
    let out = env.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    // On a 512 KiB tmpfs: one saved turn; the disk filled to the last byte (the database cannot
    // even be opened) and a second turn; the disk filled but for 40 KiB (it opens, the question
    // cannot be written) and a third; the filler removed and the session read back. Each step's
    // output goes to a file outside the tmpfs, which goes away with the namespace.
    let script = r#"
        mount -t tmpfs -o size=512k,mode=0700 tmpfs "$D" || exit 90
        step() { n=$1; shift; "$@" >"$O/$n.out" 2>"$O/$n.err"; echo $? >"$O/$n.rc"; }
        fill() { rm -f "$D/filler"; avail=$(df --output=avail -B1 "$D" | tail -1);
                 head -c $((avail - $1)) /dev/zero >"$D/filler" 2>/dev/null || true; }
        step 1 "$@" --session s1 first
        fill 0
        step 2 "$@" --session s1 second
        fill 40960
        step 3 "$@" --session s1 third
        rm "$D/filler"
        step 4 "$1" sessions export s1 --format json
    "#;
    let mut cmd = in_namespace(&env, script);
    cmd.env("D", env.data_dir())
        .env("O", &out)
        .args(ask_args(&server));
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("1.rc").trim(), "0", "{}", read("1.err"));
    for (step, why) in [
        ("2", "(is the disk full, or the data directory read-only?)"),
        ("3", "sessions database: database or disk is full"),
    ] {
        assert_eq!(
            read(&format!("{step}.rc")).trim(),
            "1",
            "{}",
            read(&format!("{step}.err"))
        );
        assert_eq!(
            read(&format!("{step}.out")),
            "ok\n",
            "the answer is still printed"
        );
        let err = read(&format!("{step}.err"));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("warning: this turn is not saved in session s1")
                && err.trim_end().ends_with(why),
            "step {step}: {err}"
        );
    }
    assert_eq!(read("4.rc").trim(), "0", "{}", read("4.err"));
    let export: serde_json::Value = serde_json::from_str(&read("4.out")).unwrap();
    let texts: Vec<&str> = export["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["first", "ok"],
        "the earlier turn is intact, nothing half-written"
    );
}

#[test]
fn two_processes_writing_one_session_never_see_a_locked_database_and_lose_nothing() {
    const EACH: usize = 12;
    let server = ok_server();
    let env = Arc::new(TestEnv::new());
    let url = server.url();
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let env = Arc::clone(&env);
            let url = url.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let mut cmd = env.std_cmd();
                    cmd.args([
                        "ask",
                        "--base-url",
                        &url,
                        "--model",
                        "m",
                        "--session",
                        "shared",
                    ])
                    .arg(format!("{who}-{i}"));
                    let r = run(cmd);
                    assert_eq!(r.code, Some(0), "{who}-{i}: {}", r.stderr);
                    assert_eq!(r.stdout, "ok\n");
                    assert_eq!(r.stderr, "", "{who}-{i}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let messages = stored(&env, "shared");
    let mut asked: Vec<&str> = messages
        .iter()
        .filter(|(role, _)| role == "user")
        .map(|(_, text)| text.as_str())
        .collect();
    asked.sort_unstable();
    let mut expected: Vec<String> = ["a", "b"]
        .iter()
        .flat_map(|who| (0..EACH).map(move |i| format!("{who}-{i}")))
        .collect();
    expected.sort_unstable();
    assert_eq!(asked, expected, "every question is stored once");
    let answers = messages
        .iter()
        .filter(|(role, text)| role == "assistant" && text == "ok");
    assert_eq!(answers.count(), 2 * EACH, "every answer is stored");
}

#[test]
fn the_repl_answers_a_turn_the_full_disk_cannot_keep_and_says_so() {
    use expectrl::Expect as _;
    let server = ok_server();
    let env = TestEnv::new();
    let out = env.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    // The REPL runs on a 512 KiB tmpfs; when the test touches `$O/fill`, a helper in the same
    // namespace fills the disk to the last byte and touches `$O/filled`.
    let script = r#"
        mount -t tmpfs -o size=512k,mode=0700 tmpfs "$D" || exit 90
        ( while [ ! -e "$O/fill" ]; do sleep 0.05; done
          head -c 1M /dev/zero >"$D/filler" 2>/dev/null; touch "$O/filled" ) &
        exec "$@"
    "#;
    let mut cmd = in_namespace(&env, script);
    cmd.env("D", env.data_dir())
        .env("O", &out)
        .env("TERM", "xterm")
        .args(["chat", "--base-url", &server.url(), "--model", "m"]);
    let mut p = expectrl::Session::spawn(cmd).expect("spawn mitchell chat in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    let prompt = "mitchell · m> ";
    p.expect(prompt).expect("first prompt");
    p.send("first\r").unwrap();
    p.expect("ok").expect("first answer");
    p.expect(prompt).expect("second prompt");
    std::fs::write(out.join("fill"), "").unwrap();
    let start = Instant::now();
    while !out.join("filled").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the disk was never filled"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    p.send("second\r").unwrap();
    p.expect("ok").expect("the answer still comes");
    p.expect("warning: this turn is not saved in session #1: sessions database: database or disk is full")
        .expect("one line says the turn is not saved");
    p.expect(prompt).expect("the REPL carries on");
    p.send("/quit\r").unwrap();
    assert_eq!(server.requests().len(), 2, "both turns were sent");
    let second = server.requests()[1].json();
    let asked: Vec<&str> = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        asked,
        ["first", "second"],
        "the unsaved turn still had its history"
    );
}
