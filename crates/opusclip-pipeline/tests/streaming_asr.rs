//! The streaming audio pass on generated media: a video (in-process survey decode) and an
//! audio-only file (the `ffmpeg` CLI) give the same gate, levels and silences; whisper on the
//! synthetic tiny model runs while the audio is decoded and its words land in source time,
//! outside the long silences.

use opusclip_pipeline::audio_source::{audio_decoder, probe_video_or_audio};
use opusclip_pipeline::streaming_asr::{stream_speech, StreamedSpeech};
use opusclip_pipeline::NoProgress;
use opusclip_speech::DecodeLimits;
use std::path::Path;
use std::process::Command;

/// Speech-like sound for 0–6 s and 10–16 s, silence for 6–10 s and 16–20 s.
const GATED_TONE: &str = "sine=f=180:d=20,volume='if(lt(mod(t,10),6),0.8,0)':eval=frame";
const SECONDS: f64 = 20.0;

fn ffmpeg(args: &[&str], output: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(output)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed for {}", output.display());
}

fn make_video(path: &Path) {
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:s=64x36:r=5:d=20",
            "-f",
            "lavfi",
            "-i",
            GATED_TONE,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
        ],
        path,
    );
}

fn make_audio(path: &Path) {
    ffmpeg(&["-f", "lavfi", "-i", GATED_TONE], path);
}

fn audio_pass(path: &Path) -> StreamedSpeech {
    let facts = probe_video_or_audio(path).expect("probe");
    stream_speech(audio_decoder(path, facts.as_ref()), None, DecodeLimits::default(), &NoProgress).expect("audio pass")
}

fn assert_gate_found_the_two_regions(streamed: &StreamedSpeech) {
    let decoded = streamed.audio_samples as f64 / 16_000.0;
    assert!((decoded - SECONDS).abs() < 0.2, "decoded {decoded} s");
    assert!((streamed.levels.db.len() as f64 - SECONDS * 10.0).abs() <= 2.0, "{}", streamed.levels.db.len());
    assert_eq!(streamed.chunks, 1, "two short regions pack into one chunk");
    // Each region: 6 s of tone plus 0.25 s of padding on each side (none before t = 0).
    assert!((streamed.speech_seconds - 12.75).abs() < 0.25, "{}", streamed.speech_seconds);
    let long_silences: Vec<(f64, f64)> = streamed
        .silences
        .iter()
        .filter(|silence| silence.end - silence.start >= 1.5)
        .map(|silence| (silence.start, silence.end))
        .collect();
    assert_eq!(long_silences.len(), 2, "{long_silences:?}");
    assert!((long_silences[0].0 - 6.0).abs() < 0.25 && (long_silences[0].1 - 10.0).abs() < 0.25, "{long_silences:?}");
    assert!(streamed.most_buffered_samples <= 30 * 16_000, "{}", streamed.most_buffered_samples);
    assert!(streamed.transcript.is_none());
}

#[test]
fn video_and_audio_only_inputs_give_the_same_gate() {
    let directory = tempfile::tempdir().expect("temp dir");
    let video = directory.path().join("talk.mp4");
    let audio = directory.path().join("talk.flac");
    make_video(&video);
    make_audio(&audio);
    assert!(probe_video_or_audio(&audio).expect("an audio file is fine").is_none());
    assert_gate_found_the_two_regions(&audio_pass(&video));
    assert_gate_found_the_two_regions(&audio_pass(&audio));
}

#[test]
fn unreadable_inputs_are_errors() {
    let directory = tempfile::tempdir().expect("temp dir");
    let text = directory.path().join("notes.mp4");
    std::fs::write(&text, "not media at all").expect("write");
    assert!(probe_video_or_audio(&text).is_err());
    let missing = directory.path().join("missing.flac");
    let error = audio_decoder(&missing, None)(&mut |_| {}, &mut |_| {}).expect_err("no such file");
    assert!(error.to_string().contains("missing.flac"), "{error}");
}

#[cfg(feature = "whisper")]
#[test]
fn whisper_runs_on_the_chunks_while_decoding_and_words_land_in_source_time() {
    use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
    use opusclip_speech::{WhisperOptions, WhisperSession};
    let directory = tempfile::tempdir().expect("temp dir");
    let video = directory.path().join("talk.mp4");
    make_video(&video);
    let model = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ggml-synthetic-tiny-streaming.bin");
    write_synthetic_model(&model, ModelShape::Tiny, 5).expect("write the synthetic model");
    let options = WhisperOptions { language: Some("en".into()), threads: 1, ..WhisperOptions::new(&model) };
    let mut session = WhisperSession::load(&options).expect("load");
    let limits = DecodeLimits { max_tokens_per_window: 12, temperature_fallback: false, ..DecodeLimits::default() };
    let facts = probe_video_or_audio(&video).expect("probe");
    let streamed =
        stream_speech(audio_decoder(&video, facts.as_ref()), Some(&mut session), limits, &NoProgress).expect("runs");
    assert_eq!(streamed.chunks, 1);
    assert!(streamed.whisper.windows >= 1 && streamed.whisper.decoder_steps >= 1, "{:?}", streamed.whisper);
    let transcript = streamed.transcript.expect("whisper ran");
    assert_eq!(transcript.language.as_deref(), Some("en"));
    assert_words_in_speech(&transcript.words);
}

/// Words in order, inside the input, none in the middle of the 6–10 s silence.
#[cfg(feature = "whisper")]
fn assert_words_in_speech(words: &[opusclip_core::Word]) {
    let mut previous_end = 0.0;
    for word in words {
        assert!(word.start >= previous_end && word.end >= word.start, "{words:?}");
        assert!(word.end <= SECONDS + 1e-6, "{words:?}");
        let middle = (word.start + word.end) / 2.0;
        assert!(!(6.5..9.5).contains(&middle), "a word inside the silence: {word:?}");
        previous_end = word.end;
    }
}

/// `opusclip clip`'s survey with whisper: one decode gives the same survey as without speech
/// recognition, and words in source time, with no sample kept.
#[cfg(feature = "whisper")]
#[test]
fn the_clip_survey_feeds_whisper_as_it_decodes() {
    use opusclip_pipeline::survey::{run_survey, run_survey_with_speech};
    use opusclip_pipeline::ClipOptions;
    use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
    let directory = tempfile::tempdir().expect("temp dir");
    let video = directory.path().join("talk.mp4");
    make_video(&video);
    let model = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ggml-synthetic-tiny-survey.bin");
    write_synthetic_model(&model, ModelShape::Tiny, 5).expect("write the synthetic model");
    let facts = opusclip_media::probe(&video).expect("probe");
    let options = ClipOptions { language: Some("en".into()), threads: 1, ..ClipOptions::default() };
    let (with_speech, transcript) =
        run_survey_with_speech(&video, &facts, &model, &options, &NoProgress).expect("survey with speech");
    let plain = run_survey(&video, &facts, false, &NoProgress).expect("survey");
    assert!(with_speech.samples.is_none(), "no sample is kept");
    assert_eq!(with_speech.survey.levels.db, plain.survey.levels.db);
    assert_eq!(with_speech.survey.silences, plain.survey.silences);
    assert_eq!(with_speech.survey.keyframe_changes, plain.survey.keyframe_changes);
    assert_eq!(transcript.language.as_deref(), Some("en"));
    assert_words_in_speech(&transcript.words);
}
