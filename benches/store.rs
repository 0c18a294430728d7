//! Store benchmarks on a real SQLite file: appending one message (target < 1 ms) and listing
//! 10,000 sessions (target < 50 ms). Results go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mitchell::store::{SessionMeta, Store};

fn meta() -> SessionMeta {
    SessionMeta {
        persona: Some("mitchell".into()),
        provider: Some("openai".into()),
        model: Some("gpt-4o-mini".into()),
    }
}

fn append_message(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("mitchell.db")).expect("open");
    let session = store
        .create_session(Some("bench"), &meta())
        .expect("session");
    let text = "How do I rotate the Vault root token without downtime? ".repeat(8);
    c.bench_function("append_message", |b| {
        b.iter(|| {
            store
                .begin_turn(black_box(session.id), black_box(&text))
                .expect("append")
        });
    });
}

fn list_10k_sessions(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("mitchell.db")).expect("open");
    for i in 0..10_000 {
        let s = store.create_session(None, &meta()).expect("session");
        store
            .begin_turn(s.id, &format!("question {i} about terraform state locking"))
            .expect("turn");
    }
    c.bench_function("list_10000_sessions", |b| {
        b.iter(|| {
            let list = store.list_sessions().expect("list");
            assert_eq!(list.len(), 10_000);
            black_box(list)
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = append_message, list_10k_sessions
}
criterion_main!(benches);
