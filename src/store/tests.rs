use super::*;

/// Two processes opening a database that does not exist yet race to create it, switch it to
/// WAL and migrate it; neither may fail with "database is locked".
#[test]
fn two_first_opens_at_once_both_succeed() {
    for round in 0..40 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mitchell.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&path).map(|_| ())
                })
            })
            .collect();
        for opener in openers {
            let result = opener.join().expect("the opener thread");
            assert!(result.is_ok(), "round {round}: {:?}", result.err());
        }
    }
}
