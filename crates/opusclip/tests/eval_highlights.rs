//! `opusclip eval highlights` as a user runs it: on a small generated set (always), and on the
//! real TED reaction set in `../shared/highlights` when it is beside the clone.

use opusclip_select::REACTION_MODEL;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The engagement-led weights the README recommends for talks (hook 0.15, engagement 0.45, …).
const REACTION_WEIGHTS: &str = "hook=0.15,coherence=0.15,engagement=0.45,pacing=0.05,visual=0.05,length_fit=0.15";

fn opusclip(args: &[&str]) -> Output {
    opusclip_with_weights(args, None)
}

/// Runs the binary with the default score weights, or with `weights` as `SCORE_WEIGHTS`.
fn opusclip_with_weights(args: &[&str], weights: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opusclip"));
    command.args(args).env_remove("SCORE_WEIGHTS");
    if let Some(weights) = weights {
        command.env("SCORE_WEIGHTS", weights);
    }
    command.output().unwrap()
}

fn json_of(output: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"))
}

fn real_data() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/highlights/ted-dev.jsonl.gz");
    path.is_file().then_some(path)
}

fn precision(report: &serde_json::Value, method: &str, reaction: &str, k: &str) -> f64 {
    let entry = report["methods"].as_array().unwrap().iter().find(|m| m["method"] == method).unwrap();
    entry["precision"][reaction][k].as_f64().unwrap()
}

/// Talks of 10 minutes: a cue every 5 s, laughter after a joke at a varying time, applause at the end.
fn write_generated_set(path: &Path) {
    let mut lines = Vec::new();
    for talk in 0..12 {
        let mut cues: Vec<serde_json::Value> = (0..120)
            .map(|i| serde_json::json!([i * 5000, format!("This is sentence {i} of talk {talk}, about the work.")]))
            .collect();
        let joke_at = 100 + talk * 30;
        cues[joke_at / 5] = serde_json::json!([joke_at * 1000, "Why did I do that? (Laughter)"]);
        let cheer_at = 200 + talk * 25;
        cues[cheer_at / 5] = serde_json::json!([cheer_at * 1000, "And that is why it works. (Applause)"]);
        // The closing applause greets the speaker: the protocol leaves it out.
        cues.push(serde_json::json!([600_000, "(Applause)"]));
        lines.push(
            serde_json::json!({"speaker": format!("Speaker {talk}"), "headline": "A talk", "cues": cues}).to_string(),
        );
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_generated_set_gives_a_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("talks.jsonl");
    write_generated_set(&data);
    let data_arg = data.to_str().unwrap();
    let output = opusclip(&["eval", "highlights", "--data", data_arg]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("| method | laughter P@3 | laughter P@5 | applause P@3 | applause P@5 |"), "{table}");
    assert!(table.contains("| text scorer |") && table.contains("| chance |"), "{table}");
    for row in ["| part: hook |", "| part: engagement |", "| reaction model (fitted on dev) |"] {
        assert!(table.contains(row), "{row} missing: {table}");
    }

    let report = json_of(&opusclip(&["eval", "highlights", "--data", data_arg, "--json", "--k", "1"]));
    assert_eq!(report["talks"], 12);
    assert_eq!(report["windows"], 12 * 36, "windows end with the last words, not the closing applause");
    assert!(precision(&report, "position: later first", "applause", "1") < 0.5, "the closing applause counted");
    let chance = report["chance"]["applause"].as_f64().unwrap();
    assert!((0.05..0.2).contains(&chance), "one mid-talk applause per talk: {chance}");
    assert!(has_method(&report, "leak probe: fewest words first"), "{report}");
}

#[test]
fn fit_prints_a_model_module_and_never_fits_on_the_holdout() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("talks.jsonl");
    write_generated_set(&data);
    let data_arg = data.to_str().unwrap();
    let output = opusclip(&["eval", "highlights", "--data", data_arg, "--fit"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let source = String::from_utf8_lossy(&output.stdout);
    assert!(source.contains("pub const REACTION_MODEL: ReactionModel"), "{source}");
    assert!(source.contains("//! Fitted on the dev split of talks.jsonl"), "{source}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cross-validation on dev"));
    let holdout = opusclip(&["eval", "highlights", "--data", data_arg, "--fit", "--split", "holdout", "--json"]);
    assert_eq!(holdout.status.code(), Some(2));
    assert!(json_of(&holdout)["error"].as_str().unwrap().contains("dev split only"));
}

#[test]
fn bad_data_is_a_typed_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.jsonl");
    std::fs::write(&data, "{\"speaker\": \"a\", \"headline\": \"b\", \"cues\": []}\nnot json\n").unwrap();
    let output = opusclip(&["eval", "highlights", "--data", data.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(2));
    let body = json_of(&output);
    assert_eq!(body["code"], "INVALID_INPUT_ERROR");
    assert!(body["error"].as_str().unwrap().contains("line 2"), "{body}");
    let missing = opusclip(&["eval", "highlights", "--data", "/nonexistent/set.jsonl.gz", "--json"]);
    assert!(json_of(&missing)["error"].as_str().unwrap().contains("--data"));
}

#[test]
fn prompt_cutoffs_without_the_embedding_model_say_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("set.jsonl");
    write_generated_set(&data);
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["eval", "highlights", "--data", data.to_str().unwrap(), "--prompt-cutoffs", "--json"])
        .env("OPUSCLIP_CACHE_DIR", dir.path().join("empty-cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let body = json_of(&output);
    assert_eq!(body["code"], "INVALID_INPUT_ERROR");
    assert!(body["error"].as_str().unwrap().contains("opusclip models fetch minilm"), "{body}");
}

#[test]
fn the_ted_reaction_set_gives_sane_precision() {
    let Some(data) = real_data() else {
        eprintln!("skipped: ../shared/highlights/ted-dev.jsonl.gz is not beside the clone");
        return;
    };
    let data = data.to_str().unwrap();
    let report = json_of(&opusclip(&["eval", "highlights", "--data", data, "--json"]));
    assert!(report["talks"].as_u64().unwrap() >= 240, "{report}");
    for reaction in ["laughter", "applause"] {
        let chance = report["chance"][reaction].as_f64().unwrap();
        assert!((0.03..0.5).contains(&chance), "{reaction} chance {chance}");
        for method in report["methods"].as_array().unwrap() {
            for k in ["3", "5"] {
                let value = method["precision"][reaction][k].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&value), "{method}");
            }
        }
        for k in ["3", "5"] {
            let random = precision(&report, "random", reaction, k);
            assert!((random - chance).abs() < 0.05, "{reaction} random P@{k} {random} vs chance {chance}");
        }
    }
    let laughter_talks = report["talks_with"]["laughter"].as_u64().unwrap();
    assert!((150..=200).contains(&laughter_talks), "{laughter_talks}");

    let dev = json_of(&opusclip(&["eval", "highlights", "--data", data, "--json", "--split", "dev"]))["talks"]
        .as_u64()
        .unwrap();
    let holdout_report = json_of(&opusclip(&["eval", "highlights", "--data", data, "--json", "--split", "holdout"]));
    let holdout = holdout_report["talks"].as_u64().unwrap();
    assert_eq!(dev + holdout, report["talks"].as_u64().unwrap());
    assert!(dev >= 80 && holdout >= 80, "dev {dev}, holdout {holdout}");
}

/// Holdout laughter P@3 (talks never used to fit or tune) under the protocol of 2026-12-06 —
/// top windows without overlap, unfilled cue time cut from the timeline, opening and closing
/// applause not counted, reaction model refitted on dev — measured with `--no-embeddings`:
/// random 0.301; reaction model 0.414; engagement part 0.449; text scorer 0.425 with today's
/// weights and 0.404 with [`REACTION_WEIGHTS`]; applause: reaction model 0.328 against random
/// 0.221. Each must stay clear of random by about two thirds of its measured lift, so a
/// regression toward chance fails.
#[test]
fn on_holdout_talks_the_text_scorer_ranks_laughter_above_random() {
    let Some(data) = real_data() else {
        eprintln!("skipped: ../shared/highlights/ted-dev.jsonl.gz is not beside the clone");
        return;
    };
    let data = data.to_str().unwrap();
    let args = ["eval", "highlights", "--data", data, "--json", "--split", "holdout", "--k", "3"];
    let default_weights = json_of(&opusclip(&args));
    let reaction_weights = json_of(&opusclip_with_weights(&args, Some(REACTION_WEIGHTS)));
    let random = precision(&default_weights, "random", "laughter", "3");
    let lifts = [
        ("reaction model", precision(&default_weights, "reaction model", "laughter", "3"), 0.075),
        ("part: engagement", precision(&default_weights, "part: engagement", "laughter", "3"), 0.10),
        ("text scorer, default weights", precision(&default_weights, "text scorer", "laughter", "3"), 0.04),
        ("text scorer, reaction weights", precision(&reaction_weights, "text scorer", "laughter", "3"), 0.07),
    ];
    for (method, value, margin) in lifts {
        assert!(value >= random + margin, "{method}: holdout laughter P@3 {value:.3} vs random {random:.3}");
    }
    let applause_random = precision(&default_weights, "random", "applause", "3");
    let applause = precision(&default_weights, "reaction model", "applause", "3");
    assert!(applause >= 1.3 * applause_random, "holdout applause P@3 {applause:.3} vs random {applause_random:.3}");
    if !has_method(&default_weights, EMBEDDING_MODEL_ROW) {
        eprintln!("the embedding model is not installed: its rows were not checked");
        return;
    }
    // With embeddings (the default once `opusclip models fetch minilm` ran), under the same
    // protocol: total 0.460, embedding model 0.470 for laughter and 0.366 for applause (random
    // 0.301 and 0.221).
    let total = precision(&default_weights, "text scorer", "laughter", "3");
    assert!(total >= random + 0.10, "holdout laughter P@3 with embeddings {total:.3} vs random {random:.3}");
    let semantic = precision(&default_weights, EMBEDDING_MODEL_ROW, "laughter", "3");
    assert!(semantic >= random + 0.10, "embedding model: holdout laughter P@3 {semantic:.3} vs random {random:.3}");
    let semantic_applause = precision(&default_weights, EMBEDDING_MODEL_ROW, "applause", "3");
    assert!(
        semantic_applause >= 1.4 * applause_random,
        "embedding model: holdout applause P@3 {semantic_applause:.3} vs random {applause_random:.3}"
    );
    prompt_cutoffs_sit_where_the_holdout_talks_put_them(data);
}

/// `--prompt`'s cut-offs against what the holdout talks measure (headline as the prompt):
/// measured at p90 0.211 for windows of other talks and a median of 0.478 for each talk's best
/// window against its own headline. Called once the holdout sentences are embedded and cached.
fn prompt_cutoffs_sit_where_the_holdout_talks_put_them(data: &str) {
    let args = ["eval", "highlights", "--data", data, "--json", "--split", "holdout", "--prompt-cutoffs"];
    let report = json_of(&opusclip(&args));
    let number = |path: &[&str]| path.iter().fold(&report, |value, key| &value[*key]).as_f64().unwrap();
    let (none, full) = (number(&["no_match_cutoff"]), number(&["full_match_cutoff"]));
    let unrelated_p90 = number(&["other_windows", "p90"]);
    assert!((unrelated_p90 - none).abs() < 0.05, "no-match cut-off {none} vs unrelated windows' p90 {unrelated_p90}");
    let own_median = number(&["own_best_window", "p50"]);
    assert!((own_median - full).abs() < 0.1, "full-match cut-off {full} vs own best windows' median {own_median}");
    assert!(number(&["other_share_matched"]) < 0.2, "{report}");
    assert!(number(&["own_best_window", "p10"]) > number(&["other_windows", "p95"]), "{report}");
    assert_eq!(report["talks"], 136, "{report}");
}

/// The evaluation's row for the sentence-embedding reaction model.
const EMBEDDING_MODEL_ROW: &str = "reaction model (embeddings)";

fn has_method(report: &serde_json::Value, method: &str) -> bool {
    report["methods"].as_array().unwrap().iter().any(|m| m["method"] == method)
}

/// The shipped coefficients are exactly what `--fit` gets from the dev split: they were fitted
/// on dev talks only, and anyone can reproduce them.
#[test]
fn the_shipped_reaction_model_is_the_dev_fit() {
    let Some(data) = real_data() else {
        eprintln!("skipped: ../shared/highlights/ted-dev.jsonl.gz is not beside the clone");
        return;
    };
    let fit = json_of(&opusclip(&["eval", "highlights", "--data", data.to_str().unwrap(), "--fit", "--json"]));
    assert_eq!(fit["split"], "dev");
    let numbers =
        |name: &str| -> Vec<f64> { fit[name].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect() };
    let close = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
    assert!(close(&numbers("means"), &REACTION_MODEL.means), "means: refit with --fit");
    assert!(close(&numbers("scales"), &REACTION_MODEL.scales), "scales: refit with --fit");
    assert!(close(&numbers("coefficients"), &REACTION_MODEL.coefficients), "coefficients: refit with --fit");
    assert!((fit["intercept"].as_f64().unwrap() - REACTION_MODEL.intercept).abs() < 1e-9);
}
