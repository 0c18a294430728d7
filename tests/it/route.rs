//! The intent router on the labelled corpus (tests/fixtures/intents.yaml): prints precision and
//! recall of document routes (postmortem, overview, health-check against chat) and holds them
//! above 0.95 and 0.90. Also `mitchell route` through the binary.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;

use mitchell::documents::router::{self, Route};
use predicates::prelude::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    text: String,
    route: String,
}

fn corpus() -> Vec<Labelled> {
    load("tests/fixtures/intents.yaml")
}

fn load(name: &str) -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).expect("corpus");
    mitchell::yaml::from_str(&text, &path).expect("corpus parses")
}

/// (precision, recall) of document routes, printing them and every mistake.
#[allow(clippy::print_stdout)] // printing the numbers is this test's purpose
fn measure(name: &str, corpus: &[Labelled]) -> (f64, f64) {
    let negatives = corpus.iter().filter(|l| l.route == "chat").count();
    let (mut predicted_doc, mut correct_doc, mut labelled_doc) = (0, 0, 0);
    let mut mistakes = Vec::new();
    for l in corpus {
        let got = router::route(&l.text).route;
        if got != Route::Chat {
            predicted_doc += 1;
        }
        if l.route != "chat" {
            labelled_doc += 1;
            if got.name() == l.route {
                correct_doc += 1;
            }
        }
        if got.name() != l.route {
            mistakes.push(format!(
                "  want {:<12} got {:<12} {}",
                l.route,
                got.name(),
                l.text
            ));
        }
    }
    let precision = f64::from(correct_doc) / f64::from(predicted_doc.max(1));
    let recall = f64::from(correct_doc) / f64::from(labelled_doc.max(1));
    println!(
        "router on {name}: {} utterances ({negatives} chat): precision {precision:.3}, recall {recall:.3}",
        corpus.len()
    );
    for m in &mistakes {
        println!("{m}");
    }
    (precision, recall)
}

#[test]
fn precision_and_recall_on_the_corpus() {
    let corpus = corpus();
    let negatives = corpus.iter().filter(|l| l.route == "chat").count();
    assert!(corpus.len() >= 120, "{} utterances", corpus.len());
    assert!(
        negatives * 4 >= corpus.len(),
        "about a third should be negatives: {negatives}/{}",
        corpus.len()
    );
    let (precision, recall) = measure("intents.yaml", &corpus);
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
}

/// Requests the router was never tuned on: a looser bar, printed for an honest estimate.
#[test]
fn precision_and_recall_on_held_out_requests() {
    let (precision, recall) = measure(
        "intents-heldout.yaml",
        &load("tests/fixtures/intents-heldout.yaml"),
    );
    assert!(precision >= 0.85, "precision {precision:.3}");
    assert!(recall >= 0.75, "recall {recall:.3}");
}

#[test]
fn route_prints_the_name_first() {
    let env = common::TestEnv::new();
    env.cmd()
        .args(["route", "run", "our", "weekly", "infra", "health", "check"])
        .assert()
        .success()
        .stdout("health-check\n");
    env.cmd()
        .args(["route", "what makes a good postmortem?"])
        .assert()
        .success()
        .stdout("chat\n");
}

#[test]
fn route_json_adds_the_scores() {
    let env = common::TestEnv::new();
    let out = env
        .cmd()
        .args([
            "route",
            "--json",
            "write up a postmortem for last night's outage",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("{\"route\":\"postmortem\""))
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(value["scores"]["postmortem"].as_f64().unwrap() >= 4.0);
    assert!(value["scores"]["health-check"].is_number());
}
