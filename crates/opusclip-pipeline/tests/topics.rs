//! The topics stage inside `run_clip` on a generated talk with subtitles: without the
//! sentence-embedding model the manifest says `tfidf`; with all-MiniLM-L6-v2 installed (in the
//! model cache, as `scripts/setup.sh` puts it) it says `minilm`, and a `--prompt` that shares no
//! word with the talk but means its captions paragraph matches that paragraph best. Without the model
//! that half prints a note and skips, unless `OPUSCLIP_REQUIRE_SERVICES=1`.

use opusclip_core::Manifest;
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions};
use opusclip_pipeline::topics::installed_embedding_model;
use opusclip_pipeline::{run_clip, ClipOptions, NoProgress};
use std::path::PathBuf;

fn run(embedding_model: Option<PathBuf>, prompt: &str) -> Manifest {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = SampleOptions { width: 640, height: 360, paragraphs: Some(5), ..SampleOptions::default() };
    let talk = make_sample_talk(dir.path(), &options).expect("espeak-ng and ffmpeg make the sample talk");
    let options = ClipOptions {
        clips: 3,
        min_seconds: 5.0,
        max_seconds: 14.0,
        transcript: Some(talk.srt.clone()),
        prompt: Some(prompt.to_string()),
        embedding_model,
        ..ClipOptions::default()
    };
    run_clip(&talk.video, &dir.path().join("out"), &options, &NoProgress).expect("clip runs")
}

fn check_segments(manifest: &Manifest) {
    let topics = manifest.topics.as_ref().expect("topics with a transcript");
    assert!(!topics.segments.is_empty());
    assert_eq!(topics.segments[0].first_sentence, 0);
    for pair in topics.segments.windows(2) {
        assert_eq!(pair[0].end_sentence, pair[1].first_sentence, "{topics:?}");
        assert!(pair[0].end <= pair[1].start, "{topics:?}");
    }
    assert!(manifest.stages.iter().any(|stage| stage.name == "topics"));
}

const PROMPT: &str = "subtitles people read while the audio is muted";

#[test]
fn the_manifest_says_which_topic_method_ran_and_meaning_steers_the_prompt() {
    let lexical = run(None, PROMPT);
    check_segments(&lexical);
    let topics = lexical.topics.as_ref().expect("topics");
    assert_eq!((topics.method.as_str(), topics.prompt_match.as_deref()), ("tfidf", Some("keywords")));
    let part = &lexical.clips[0].score.parts["prompt"];
    assert!(!part.reason.contains("meaning") && part.reason.contains("none of the keywords"), "{part:?}");

    let cache = std::env::var_os("OPUSCLIP_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    let Some(model) = installed_embedding_model(cache.as_deref()) else {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
        assert!(!required, "all-MiniLM-L6-v2 is required (OPUSCLIP_REQUIRE_SERVICES=1) but not installed");
        eprintln!("skipped the embedding half: no all-MiniLM-L6-v2 installed (scripts/setup.sh)");
        return;
    };
    let semantic = run(Some(model), PROMPT);
    check_segments(&semantic);
    let topics = semantic.topics.as_ref().expect("topics");
    assert_eq!((topics.method.as_str(), topics.prompt_match.as_deref()), ("minilm", Some("meaning")));
    // The clip the prompt's meaning matches best (the total also weighs engagement and the
    // rest, so the top-ranked clip may be another).
    let prompt_value = |clip: &&opusclip_core::ManifestClip| clip.score.parts["prompt"].value;
    let clip = semantic.clips.iter().max_by(|a, b| prompt_value(a).total_cmp(&prompt_value(b))).expect("clips");
    let part = &clip.score.parts["prompt"];
    assert!(part.reason.contains("meaning") && part.value > 30.0, "{part:?}");
    eprintln!("top clip, keywords only: {}\ntop clip, by meaning: {}", lexical.clips[0].transcript, clip.transcript);
    let transcript = clip.transcript.to_lowercase();
    assert!(
        transcript.contains("sound off") || transcript.contains("captions"),
        "the captions paragraph: {transcript}"
    );
    assert!(semantic.warnings.iter().all(|w| !w.contains("TF-IDF")), "{:?}", semantic.warnings);
}
