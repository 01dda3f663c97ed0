//! `run_clip` on generated talks: a talk with an SRT becomes captioned 1080x1920 clips whose
//! captions are really on the picture (OCR) and inside the safe area; a talk without words still
//! gives clips, without captions; a spec renders to the same frames twice.

use opusclip_core::{ClipSpec, Manifest, TranscriptSource};
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions, SampleTalk};
use opusclip_pipeline::{render_spec, run_clip, ClipOptions, NoProgress};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// One sample talk shared by the tests of this file (three paragraphs, 1280x720).
fn sample() -> &'static SampleTalk {
    static SAMPLE: OnceLock<(tempfile::TempDir, SampleTalk)> = OnceLock::new();
    &SAMPLE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let options = SampleOptions { width: 1280, height: 720, paragraphs: Some(3), ..SampleOptions::default() };
            let talk = make_sample_talk(dir.path(), &options).expect("espeak-ng and ffmpeg make the sample talk");
            (dir, talk)
        })
        .1
}

/// One clip run over the sample, shared too.
fn clipped() -> &'static (tempfile::TempDir, Manifest) {
    static RUN: OnceLock<(tempfile::TempDir, Manifest)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        let options = ClipOptions {
            clips: 2,
            min_seconds: 6.0,
            max_seconds: 14.0,
            transcript: Some(sample().srt.clone()),
            ..ClipOptions::default()
        };
        let manifest = run_clip(&sample().video, out.path(), &options, &NoProgress).unwrap();
        (out, manifest)
    })
}

fn ffprobe(path: &Path, entries: &str) -> String {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", entries, "-of", "default=nw=1"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn frame_png(video: &Path, at: f64, png: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-ss", &format!("{at:.3}"), "-i"])
        .arg(video)
        .args(["-frames:v", "1"])
        .arg(png)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn clips_have_the_specified_shape_and_files() {
    let (out, manifest) = clipped();
    assert_eq!(manifest.clips.len(), 2);
    assert_eq!(manifest.transcript_source, Some(TranscriptSource::File));
    let names: Vec<&str> = manifest.stages.iter().map(|s| s.name.as_str()).collect();
    for stage in ["probe", "survey", "transcript", "select", "look", "reframe", "render"] {
        assert!(names.contains(&stage), "stage {stage} missing from {names:?}");
    }
    assert!(manifest.peak_memory_bytes > 0);
    let mut files: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(
        files,
        [
            "clip-01.jpg",
            "clip-01.json",
            "clip-01.mp4",
            "clip-01.srt",
            "clip-01.vtt",
            "clip-02.jpg",
            "clip-02.json",
            "clip-02.mp4",
            "clip-02.srt",
            "clip-02.vtt",
            "manifest.json"
        ]
    );
    for clip in &manifest.clips {
        assert!(clip.duration >= 6.0 - 1e-6 && clip.duration <= 14.0 + 1e-6, "{}", clip.duration);
        assert!(clip.score.total > 0.0 && clip.score.total <= 100.0);
        assert!(clip.score.parts.contains_key("hook"));
        let video = out.path().join(&clip.outputs[0].path);
        let streams = ffprobe(&video, "stream=codec_name,width,height");
        assert!(streams.contains("codec_name=h264") && streams.contains("codec_name=aac"), "{streams}");
        assert!(streams.contains("width=1080") && streams.contains("height=1920"), "{streams}");
        let duration: f64 =
            ffprobe(&video, "format=duration").trim().trim_start_matches("duration=").parse().unwrap_or(0.0);
        assert!(
            (duration - clip.duration).abs() <= 1.0 / 30.0 + 0.03,
            "file {duration} s vs clip {} s: {}",
            clip.duration,
            ffprobe(&video, "stream=codec_type,start_time,duration,nb_frames")
        );
    }
    let ranked: Vec<f64> = manifest.clips.iter().map(|c| c.score.total).collect();
    assert!(ranked[0] >= ranked[1]);
    let (a, b) = (&manifest.clips[0], &manifest.clips[1]);
    assert!(a.end <= b.start || b.end <= a.start, "clips overlap");
}

#[test]
fn clips_start_and_end_on_sentences() {
    // Boundary refinement pads a clip into the silence around it, within its limits.
    use opusclip_select::{LEAD_PAD_MAX, TAIL_PAD_MAX};
    let (_, manifest) = clipped();
    let cues = &sample().cues;
    for clip in &manifest.clips {
        assert!(
            cues.iter().any(|(start, _, _)| (-0.01..=LEAD_PAD_MAX + 0.01).contains(&(start - clip.start))),
            "start {} not a sentence start",
            clip.start
        );
        assert!(
            cues.iter().any(|(_, end, _)| (-0.01..=TAIL_PAD_MAX + 0.01).contains(&(clip.end - end))),
            "end {} not a sentence end",
            clip.end
        );
    }
}

/// Words of the clip spoken at least 0.25 s long, with their middle time in the clip.
fn spoken_words(spec: &ClipSpec) -> Vec<(String, f64)> {
    spec.words
        .iter()
        .filter(|w| w.start >= spec.start && w.end <= spec.end && w.end - w.start >= 0.25)
        .map(|w| {
            let text: String = w.text.chars().filter(|c| c.is_alphanumeric()).collect();
            (text.to_lowercase(), (w.start + w.end) / 2.0 - spec.start)
        })
        .filter(|(text, _)| text.len() >= 4)
        .collect()
}

/// Whether a pixel has a caption colour: the white text or the yellow highlight.
fn is_caption_colour(r: u8, g: u8, b: u8) -> bool {
    (r > 225 && g > 225 && b > 225) || (r > 200 && g > 170 && b < 80)
}

/// The frame as 1080x1920 RGB bytes.
fn rgb_of(png: &Path) -> Vec<u8> {
    Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(png)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap()
        .stdout
}

/// Text tesseract reads from the caption pixels of a frame (drawn black on white, so the
/// picture behind does not confuse it); lower-cased, letters and digits only.
fn ocr(png: &Path) -> String {
    let rgb = rgb_of(png);
    let mut pgm = b"P5\n1080 1920\n255\n".to_vec();
    pgm.extend(rgb.chunks_exact(3).map(|p| if is_caption_colour(p[0], p[1], p[2]) { 0u8 } else { 255u8 }));
    let mask = png.with_extension("pgm");
    std::fs::write(&mask, pgm).unwrap();
    let output =
        Command::new("tesseract").arg(&mask).arg("-").args(["--psm", "6"]).output().expect("tesseract installed");
    String::from_utf8_lossy(&output.stdout)
        .to_lowercase()
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn captions_show_the_spoken_word_inside_the_safe_area() {
    let (out, manifest) = clipped();
    let spec_text = std::fs::read_to_string(out.path().join(&manifest.clips[0].spec)).unwrap();
    let spec: ClipSpec = serde_json::from_str(&spec_text).unwrap();
    let words = spoken_words(&spec);
    assert!(words.len() >= 4, "too few long words to sample: {words:?}");
    let video = out.path().join(&manifest.clips[0].outputs[0].path);
    let scratch = tempfile::tempdir().unwrap();
    let step = words.len() / 6;
    let mut found = 0;
    let mut misses = Vec::new();
    for (index, (word, at)) in words.iter().step_by(step.max(1)).take(6).enumerate() {
        let png = scratch.path().join(format!("frame-{index}.png"));
        frame_png(&video, *at, &png);
        let text = ocr(&png);
        if text.split_whitespace().any(|read| read == word) {
            found += 1;
        } else {
            misses.push(format!("{word:?} not in {text:?}"));
        }
        assert_caption_pixels_inside_safe_area(&png);
    }
    assert!(found >= 4, "OCR found the spoken word in only {found} of 6 frames: {misses:?}");
}

/// Caption colours (white text, yellow highlight) appear only inside x 108–972, y 384–1536.
fn assert_caption_pixels_inside_safe_area(png: &Path) {
    let raw = rgb_of(png);
    assert_eq!(raw.len(), 1080 * 1920 * 3);
    let mut inside = 0;
    for (index, pixel) in raw.chunks_exact(3).enumerate() {
        let (x, y) = (index % 1080, index / 1080);
        let (r, g, b) = (pixel[0], pixel[1], pixel[2]);
        if is_caption_colour(r, g, b) {
            let in_safe = (108..972).contains(&x) && (384..1536).contains(&y);
            assert!(in_safe, "caption-coloured pixel at ({x}, {y}) outside the safe area");
            inside += 1;
        }
    }
    assert!(inside > 500, "no caption on the frame");
}

#[test]
fn rendering_a_spec_twice_gives_the_same_frames() {
    let (out, manifest) = clipped();
    let spec_text = std::fs::read_to_string(out.path().join(&manifest.clips[1].spec)).unwrap();
    let spec: ClipSpec = serde_json::from_str(&spec_text).unwrap();
    let again = tempfile::tempdir().unwrap();
    let measure = opusclip_pipeline::fonts::caption_measure(None);
    render_spec(&spec, again.path(), measure.as_ref(), &mut |_| {}).unwrap();
    let md5 = |path: &Path| {
        let output = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(path)
            .args(["-map", "0:v", "-f", "framemd5", "-"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = md5(&out.path().join(&manifest.clips[1].outputs[0].path));
    let second = md5(&again.path().join("clip-02.mp4"));
    assert!(first.len() > 100);
    assert_eq!(first, second);
}

#[test]
fn a_talk_without_words_still_gives_clips_without_captions() {
    let out = tempfile::tempdir().unwrap();
    let options = ClipOptions { clips: 1, min_seconds: 5.0, max_seconds: 12.0, ..ClipOptions::default() };
    let manifest = run_clip(&sample().video, out.path(), &options, &NoProgress).unwrap();
    assert_eq!(manifest.transcript_source, None);
    assert!(manifest.warnings.iter().any(|w| w.contains("--transcript")), "{:?}", manifest.warnings);
    assert_eq!(manifest.clips.len(), 1);
    let clip = &manifest.clips[0];
    assert!(clip.captions.srt.is_none() && clip.transcript.is_empty());
    assert!(out.path().join(&clip.outputs[0].path).is_file());
    assert!(!out.path().join("clip-01.srt").exists());
}
