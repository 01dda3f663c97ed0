//! `opusclip feedback` as a user runs it: a results CSV and a manifest in, a profile with
//! refitted weights out; typed errors for bad CSVs, unknown clips and too few rows.

use std::path::Path;
use std::process::{Command, Output};

fn opusclip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SCORE_PROFILE")
        .env_remove("SCORE_WEIGHTS")
        .output()
        .unwrap()
}

fn json_of(output: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"))
}

/// A manifest shaped like `opusclip clip`'s (the fields the refit does not read are abridged)
/// with `count` clips whose hook and pacing values vary.
fn write_manifest(path: &Path, count: usize) {
    let clips: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let hook = (i * 37 % 100) as f64;
            let pacing = (i * 61 % 100) as f64;
            let part = |value: f64| serde_json::json!({"value": value, "reason": "test"});
            serde_json::json!({
                "id": format!("clip-{:02}", i + 1), "rank": i + 1, "start": i as f64 * 60.0,
                "end": i as f64 * 60.0 + 30.0, "duration": 30.0,
                "score": {"total": 50.0, "parts": {
                    "hook": part(hook), "pacing": part(pacing), "coherence": part(50.0 + (i % 3) as f64),
                    "engagement": part((i * 13 % 100) as f64), "visual": part((i * 29 % 100) as f64),
                    "length_fit": part((i * 7 % 100) as f64)}},
                "title": "t", "description": "d", "hashtags": [], "transcript": "", "outputs": [],
                "captions": {"srt": null, "vtt": null}, "thumbnail": null, "spec": format!("clip-{:02}.json", i + 1),
            })
        })
        .collect();
    let manifest = serde_json::json!({"schema_version": 1, "clips": clips, "stages": [], "tool_version": "test"});
    std::fs::write(path, manifest.to_string()).unwrap();
}

/// Views that follow the hook part: the clip with the best hook got the most views.
fn hook_driven_results(count: usize) -> String {
    let mut csv = String::from("clip_id,views,likes\n");
    for i in 0..count {
        let hook = (i * 37 % 100) as f64;
        let views = 200.0 * (hook / 20.0).exp() * (1.0 + 0.1 * ((i * 7 % 5) as f64));
        csv.push_str(&format!("clip-{:02},{views:.0},{:.0}\n", i + 1, views * 0.05));
    }
    csv
}

#[test]
fn results_that_follow_the_hook_raise_its_weight_and_write_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(&dir.path().join("manifest.json"), 24);
    std::fs::write(dir.path().join("results.csv"), hook_driven_results(24)).unwrap();
    let output = opusclip(&["feedback", "results.csv", "--manifest", "manifest.json", "--json"], dir.path());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let refit = json_of(&output);
    let (old, new) = (refit["old"]["hook"].as_f64().unwrap(), refit["new"]["hook"].as_f64().unwrap());
    assert!(new > old + 0.1, "hook {old} → {new}: {refit}");
    assert_eq!(refit["clips"], 24);
    let profile = std::fs::read_to_string(dir.path().join("opusclip-profile.toml")).unwrap();
    assert!(profile.contains("[weights]") && profile.contains("hook = "), "{profile}");

    // The profile in the working directory is read by later runs, and is the starting point of
    // the next refit.
    let again = json_of(&opusclip(&["feedback", "results.csv", "--manifest", "manifest.json", "--json"], dir.path()));
    assert!((again["old"]["hook"].as_f64().unwrap() - new).abs() < 1e-3, "{again}");

    let text = opusclip(&["feedback", "results.csv", "--manifest", "manifest.json", "--profile", "p.toml"], dir.path());
    let table = String::from_utf8_lossy(&text.stdout);
    assert!(table.contains("hook") && table.contains("→") && table.contains("Wrote p.toml"), "{table}");
}

#[test]
fn bad_csvs_unknown_clips_and_too_few_rows_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(&dir.path().join("manifest.json"), 8);
    let error_of = |csv: &str| {
        std::fs::write(dir.path().join("r.csv"), csv).unwrap();
        let output = opusclip(&["feedback", "r.csv", "--manifest", "manifest.json", "--json"], dir.path());
        assert_eq!(output.status.code(), Some(2));
        let body = json_of(&output);
        assert_eq!(body["code"], "INVALID_INPUT_ERROR", "{body}");
        body["error"].as_str().unwrap().to_string()
    };
    let bad = error_of("clip_id,views\nclip-01,12\nclip-02,twelve\n");
    assert!(bad.contains("r.csv line 3, column views"), "{bad}");
    let unknown = error_of("clip,views\nclip-01,1\nclip-77,2\nclip-02,3\nclip-03,4\nclip-04,5\n");
    assert!(unknown.contains("clip-77 (line 3)"), "{unknown}");
    let few = error_of("clip_id,views\nclip-01,1\nclip-02,2\n");
    assert!(few.contains("at least 5"), "{few}");
    assert!(!dir.path().join("opusclip-profile.toml").exists(), "no profile is written on error");
}
