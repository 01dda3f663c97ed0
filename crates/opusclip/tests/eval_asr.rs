//! `opusclip eval asr` on the real references in `../shared/media/speech`: each reference scored
//! against itself gives WER 0 and timing error 0; a perturbed copy written here (known edits,
//! known time shifts) gives exactly the WER and timing error put into it; the dataset mode pairs
//! every recording with its ground truth; without a model it says so and exits 0.

use opusclip_core::{Transcript, TranscriptSource, Word};
use opusclip_speech::evaluation::{read_evaluation_transcript, scan_dataset, ReferenceSource};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn speech_media() -> Option<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media/speech");
    if directory.is_dir() {
        Some(directory)
    } else {
        eprintln!("skipped: ../shared/media/speech is not beside the repository");
        None
    }
}

/// Runs the binary with no model anywhere it could be found.
fn opusclip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MODEL_PATH")
        .env("OPUSCLIP_CACHE_DIR", cwd.join("empty-cache"))
        .output()
        .expect("run opusclip")
}

fn json_of(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "exit {:?}: {}", output.status, String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(text.trim()).unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {text}"))
}

fn number(value: &Value, pointer: &str) -> f64 {
    value.pointer(pointer).and_then(Value::as_f64).unwrap_or_else(|| panic!("no number at {pointer} in {value}"))
}

#[test]
fn every_reference_format_against_itself_is_perfect() {
    let Some(media) = speech_media() else { return };
    let directory = tempfile::tempdir().expect("temp dir");
    let references = [
        ("mfa/acoustic_corpus.TextGrid", true),
        ("mfa/michaelandsickmichael.TextGrid", true),
        ("grid/swwp2s.align", true),
        ("sonnets/sonnet001.expected.srt", true),
        ("jfk/jfk.reference.txt", false),
        ("mfa/61-70968-0000.lab", false),
    ];
    for (reference, timed) in references {
        let path = media.join(reference);
        let path = path.to_str().expect("utf-8 path");
        let report = json_of(&opusclip(&["eval", "asr", path, "--reference", path, "--json"], directory.path()));
        let item = &report["items"][0];
        assert_eq!(number(item, "/score/word_error_rate"), 0.0, "{reference}: {item}");
        assert!(number(item, "/score/counts/reference_words") >= 6.0, "{reference}: {item}");
        if timed {
            assert_eq!(number(item, "/score/timing/start/max"), 0.0, "{reference}");
            assert_eq!(number(item, "/score/timing/end/max"), 0.0, "{reference}");
            assert_eq!(number(item, "/score/timing/within/0/fraction"), 1.0, "{reference}");
        } else {
            assert!(item["score"]["timing"].is_null(), "{reference}: text has no timing");
        }
    }
}

/// The reference's words with every 10th (from the 4th) replaced, every 10th (from the 8th)
/// dropped, a filler inserted after every 10th (from the 1st), and times shifted: starts
/// 40 ms late, ends 120 ms late. Returns the words and the (substitutions, deletions,
/// insertions) made.
fn perturbed(reference: &[Word]) -> (Vec<Word>, (usize, usize, usize)) {
    let mut words = Vec::new();
    let mut edits = (0, 0, 0);
    for (index, word) in reference.iter().enumerate() {
        let shifted = Word { start: word.start + 0.04, end: word.end + 0.12, ..word.clone() };
        match index % 10 {
            3 => {
                words.push(Word { text: "qwrtzx".into(), ..shifted });
                edits.0 += 1;
            }
            7 => edits.1 += 1,
            0 => {
                words.push(shifted.clone());
                words.push(Word { text: "xyzzy".into(), start: shifted.end, end: shifted.end, ..shifted });
                edits.2 += 1;
            }
            _ => words.push(shifted),
        }
    }
    (words, edits)
}

#[test]
fn a_perturbed_copy_gives_the_known_word_error_rate_and_timing_error() {
    let Some(media) = speech_media() else { return };
    let directory = tempfile::tempdir().expect("temp dir");
    let reference_path = media.join("mfa/acoustic_corpus.TextGrid");
    let reference = read_evaluation_transcript(&reference_path).expect("the MFA TextGrid reads");
    let (words, (substitutions, deletions, insertions)) = perturbed(&reference.words);
    let transcript =
        Transcript { language: Some("en".into()), source: TranscriptSource::Whisper, words, events: Vec::new() };
    let hypothesis = directory.path().join("acoustic_corpus.json");
    std::fs::write(&hypothesis, serde_json::to_string(&transcript).expect("json")).expect("write");
    let report = json_of(&opusclip(
        &["eval", "asr", hypothesis.to_str().unwrap(), "--reference", reference_path.to_str().unwrap(), "--json"],
        directory.path(),
    ));
    let item = &report["items"][0];
    let count = |name: &str| number(item, &format!("/score/counts/{name}")) as usize;
    assert_eq!(count("reference_words"), reference.words.len());
    assert_eq!(
        (count("substitutions"), count("deletions"), count("insertions")),
        (substitutions, deletions, insertions)
    );
    let expected_wer = (substitutions + deletions + insertions) as f64 / reference.words.len() as f64;
    assert!((number(item, "/score/word_error_rate") - expected_wer).abs() < 1e-12, "{item}");
    let matched = reference.words.len() - substitutions - deletions;
    assert_eq!(number(item, "/score/timing/matched_words") as usize, matched);
    for (pointer, shift) in [("start/mean", 0.04), ("start/p90", 0.04), ("end/median", 0.12), ("end/max", 0.12)] {
        let value = number(item, &format!("/score/timing/{pointer}"));
        assert!((value - shift).abs() < 1e-9, "{pointer}: {value}");
    }
    let within: Vec<f64> =
        (0..3).map(|index| number(item, &format!("/score/timing/within/{index}/fraction"))).collect();
    assert_eq!(within, [0.0, 1.0, 1.0]);
    // The table names the edits too.
    let table = opusclip(
        &["eval", "asr", hypothesis.to_str().unwrap(), "--reference", reference_path.to_str().unwrap()],
        directory.path(),
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains(&format!("{:.2}", expected_wer * 100.0)), "{text}");
}

#[test]
fn the_dataset_mode_pairs_recordings_with_their_ground_truth() {
    let Some(media) = speech_media() else { return };
    let directory = tempfile::tempdir().expect("temp dir");
    let media_arg = media.to_str().unwrap();
    // No model anywhere: said, nothing evaluated, exit 0.
    let report = json_of(&opusclip(&["eval", "asr", "--dataset", media_arg, "--json"], directory.path()));
    assert_eq!(report["evaluated"], false);
    assert!(report["reason"].as_str().unwrap().contains("no whisper model"), "{report}");

    // The human references fed in as the hypotheses: every recording scores WER 0.
    let hypotheses = directory.path().join("hypotheses");
    let scan = scan_dataset(&media).expect("scan");
    for item in &scan.items {
        let target = hypotheses.join(&item.name);
        std::fs::create_dir_all(target.parent().unwrap()).expect("mkdir");
        match &item.reference {
            ReferenceSource::File { path } => {
                let extension = path.extension().unwrap().to_str().unwrap();
                std::fs::copy(path, target.with_extension(extension)).expect("copy");
            }
            ReferenceSource::TableLine { text, .. } => {
                std::fs::write(target.with_extension("txt"), text).expect("write");
            }
        }
    }
    let hypotheses_arg = hypotheses.to_str().unwrap();
    let args = ["eval", "asr", "--dataset", media_arg, "--hypotheses", hypotheses_arg, "--json"];
    let report = json_of(&opusclip(&args, directory.path()));
    let items = report["items"].as_array().expect("items");
    let names: Vec<&str> = items.iter().map(|item| item["name"].as_str().unwrap()).collect();
    for expected in ["jfk/jfk", "grid/id2_vcd_swwp2s", "grid/bbaf2n", "mfa/acoustic_corpus", "sonnets/p001"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    assert_eq!(items.len(), scan.items.len());
    assert!(items.iter().all(|item| number(item, "/score/word_error_rate") == 0.0), "{report}");
    assert_eq!(number(&report, "/total/word_error_rate"), 0.0);
    assert!(number(&report, "/total/reference_words") > 300.0, "{report}");
    let grid = items.iter().find(|item| item["name"] == "grid/id2_vcd_swwp2s").expect("the aligned GRID clip");
    assert_eq!(grid["reference_timing"], "words");
    assert_eq!(number(grid, "/score/timing/matched_words"), 6.0);
}

#[test]
fn an_empty_hypothesis_deletes_every_word_and_an_empty_reference_is_refused() {
    let directory = tempfile::tempdir().expect("temp dir");
    let reference = directory.path().join("reference.txt");
    std::fs::write(&reference, "Ask not what your country can do for you.\n").expect("write");
    let hypothesis = directory.path().join("silence.json");
    std::fs::write(&hypothesis, r#"{"language":"en","source":"whisper","words":[]}"#).expect("write");
    let args = ["eval", "asr", hypothesis.to_str().unwrap(), "--reference", reference.to_str().unwrap(), "--json"];
    let report = json_of(&opusclip(&args, directory.path()));
    assert_eq!(number(&report, "/items/0/score/counts/deletions"), 9.0);
    assert_eq!(number(&report, "/items/0/score/word_error_rate"), 1.0);
    let empty = directory.path().join("empty.txt");
    std::fs::write(&empty, "\n").expect("write");
    let args = ["eval", "asr", reference.to_str().unwrap(), "--reference", empty.to_str().unwrap(), "--json"];
    let output = opusclip(&args, directory.path());
    assert_eq!(output.status.code(), Some(2));
    let body: Value = serde_json::from_slice(&output.stdout).expect("a JSON error");
    assert!(body["error"].as_str().unwrap().contains("no words"), "{body}");
}
