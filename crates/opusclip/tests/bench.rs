//! `opusclip bench` end to end on small inputs (a 640x360 camera-like talk of the script's first
//! five paragraphs, one round): every figure comes back beside its yardstick, with positive
//! times and memory, the F1 of the cuts it knows, P3's stage table, and P5's ffmpeg run of the
//! very command `opusclip render` runs; the Markdown report says the same.

mod support;

use serde_json::Value;
use std::process::Command;

fn part<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["parts"].as_array().unwrap().iter().find(|part| part["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

fn row<'a>(part: &'a Value, name_start: &str) -> &'a Value {
    part["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"].as_str().unwrap().starts_with(name_start))
        .unwrap_or_else(|| panic!("no row {name_start} in {part}"))
}

#[test]
fn bench_measures_each_figure_beside_its_yardstick() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    let markdown = dir.path().join("performance.md");
    let readme = dir.path().join("README.md");
    std::fs::write(
        &readme,
        "# Us\n\n## Performance\n<!-- opusclip bench: start -->\nold\n<!-- opusclip bench: end -->\n\n## More\n",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_opusclip"));
    command.args(["--json", "bench", "-o"]).arg(&out).arg("--markdown").arg(&markdown).arg("--readme").arg(&readme);
    command.args(["--rounds", "1", "--analyze-minutes", "0.5", "--minutes", "1", "--memory-minutes", "0.5,2"]);
    command.args(["--sample-size", "640x360", "--sample-paragraphs", "5"]);
    let scenes = support::shared_media("scenes");
    if let Some(scenes) = &scenes {
        command.arg("--scenes").arg(scenes);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = report["parts"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["P1", "P2", "P3", "P4", "P5"]);

    // P1: the decode is the yardstick; analyze's ratio is its wall time over the decode's.
    let p1 = part(&report, "P1");
    let decode = row(p1, "decode");
    let analyze = row(p1, "opusclip analyze");
    assert_eq!(decode["yardstick"], true);
    assert_eq!(decode["ratio"].as_f64(), Some(1.0));
    let (seconds, decode_seconds) = (analyze["seconds"].as_f64().unwrap(), decode["seconds"].as_f64().unwrap());
    assert!(seconds > 0.0 && analyze["cpu_seconds"].as_f64().unwrap() > 0.0, "{analyze}");
    assert!((analyze["ratio"].as_f64().unwrap() - seconds / decode_seconds).abs() < 1e-9);
    assert!(analyze["peak_rss_bytes"].as_u64().unwrap() > 10 << 20, "{analyze}");
    // The same quotient, up to the last bit of a float's trip through JSON.
    assert!((p1["headlines"][0]["value"].as_f64().unwrap() - seconds / decode_seconds).abs() < 1e-9, "{p1}");

    // P2: opusclip's cuts on PySceneDetect's counter video, frame-exact.
    assert!(row(part(&report, "P2"), "opusclip analyze --detector content")["seconds"].as_f64().unwrap() > 0.0);
    if scenes.is_some() {
        let f1 = part(&report, "P2")["tables"][0]["rows"].as_array().unwrap().clone();
        let counter = f1.iter().find(|row| row[0] == "counter.mp4").unwrap();
        assert_eq!(counter[1], "2");
        assert!(counter[2].as_str().unwrap().starts_with("1.00 / 1.00"), "{counter:?}");
    }

    // P3: the job ran, its share of the source duration and its stages are reported.
    let p3 = part(&report, "P3");
    let job = row(p3, "opusclip clip, words from the SRT");
    assert!(job["seconds"].as_f64().unwrap() > 0.0);
    let stages = p3["tables"][0]["rows"].as_array().unwrap();
    assert!(stages.iter().any(|row| row[0] == "render"), "{stages:?}");
    assert_eq!(stages.last().unwrap()[0], "all stages");
    assert!(p3["headlines"][0]["value"].as_f64().unwrap() > 0.0);
    if support::base_model().is_some() {
        assert!(row(p3, "opusclip clip, words from Whisper")["seconds"].as_f64().unwrap() > 0.0);
    }

    // P4: memory at two lengths; analysis streams, so the longer talk needs about the same.
    let p4 = part(&report, "P4");
    assert_eq!(p4["rows"].as_array().unwrap().len(), 2);
    let growth = p4["headlines"][0]["value"].as_f64().unwrap();
    assert!(growth > 0.5 && growth < 1.5, "peak memory grew {growth}× from 0.5 to 2 minutes");

    // P5: ffmpeg ran the render's own command: its file is the clip's length.
    let p5 = part(&report, "P5");
    assert_eq!(row(p5, "ffmpeg")["yardstick"], true);
    assert!(row(p5, "opusclip render")["seconds"].as_f64().unwrap() > 0.0);
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(out.join("p5/clip-01.json")).unwrap()).unwrap();
    let clip_seconds = spec["end"].as_f64().unwrap() - spec["start"].as_f64().unwrap();
    let rendered = opusclip_media::probe(&out.join("p5/ffmpeg/output-0.mp4")).unwrap().duration;
    assert!((rendered - clip_seconds).abs() < 0.2, "{rendered} vs {clip_seconds}");

    let text = std::fs::read_to_string(&markdown).unwrap();
    assert!(text.contains("### P1") && text.contains("### P5") && text.contains("(yardstick)"), "{text}");
    assert!(out.join("bench.json").is_file());
    let readme = std::fs::read_to_string(&readme).unwrap();
    assert!(readme.contains("| P1 | analyze ÷ decode |") && !readme.contains("old"), "{readme}");
    assert!(readme.ends_with("<!-- opusclip bench: end -->\n\n## More\n"), "{readme}");
}
