//! Audio-only input becomes audiogram clips: `opusclip clip` on `../shared/media/talk/
//! new-commentary.mp3` and on a 2.6-minute podcast-like mp3 (the three LibriVox sonnet readings
//! joined), words from Whisper base. Each clip is a playable 1080x1920 H.264 file as long as the
//! manifest says, its waveform band moves, tesseract reads the clip's own words in its caption
//! rows, and its loudness is −14 LUFS ± 1. The podcast carries cover art (a GRID speaker's
//! frame, embedded as an mp3's attached picture): its clips show it blurred behind the
//! waveform, while the commentary's background is the plain colour. A video whose picture is one
//! still image (that frame over a sonnet reading) is clipped as audiograms too, the image
//! behind the waveform.

mod support;

use opusclip_core::Manifest;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ffmpeg(args: &[&str]) -> Output {
    let output = Command::new("ffmpeg").args(["-nostdin", "-hide_banner", "-y"]).args(args).output().unwrap();
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Runs `opusclip clip` on `audio` with Whisper base into `out`; the manifest.
fn clip(audio: &Path, model: &Path, out: &Path, lengths: (&str, &str), clips: &str) -> Manifest {
    let result = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .arg("clip")
        .arg(audio)
        .args(["--whisper-model", model.to_str().unwrap(), "-o", out.to_str().unwrap(), "--clips", clips])
        .args(["--min", lengths.0, "--max", lengths.1, "--no-embeddings", "--no-llm"])
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

/// One frame of `video` at `at` seconds as gray bytes (1080x1920).
fn gray_frame(video: &Path, at: f64) -> Vec<u8> {
    let at = format!("{at:.2}");
    let path = video.to_str().unwrap();
    ffmpeg(&["-v", "error", "-ss", &at, "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"]).stdout
}

/// Mean absolute difference of two gray frames over rows `rows` (1080 wide).
fn band_difference(a: &[u8], b: &[u8], rows: std::ops::Range<usize>) -> f64 {
    let range = rows.start * 1080..rows.end * 1080;
    let total: u64 = a[range.clone()].iter().zip(&b[range.clone()]).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    total as f64 / range.len() as f64
}

/// Words tesseract reads in rows `rows` of a gray frame (light text made black on white).
fn ocr_rows(frame: &[u8], rows: std::ops::Range<usize>, scratch: &Path) -> Vec<String> {
    let height = rows.end - rows.start;
    let mut pgm = format!("P5\n1080 {height}\n255\n").into_bytes();
    pgm.extend(frame[rows.start * 1080..rows.end * 1080].iter().map(|&value| if value > 170 { 0u8 } else { 255u8 }));
    let mask = scratch.join("rows.pgm");
    std::fs::write(&mask, pgm).unwrap();
    let read = Command::new("tesseract").arg(&mask).arg("-").args(["--psm", "6"]).output().expect("tesseract");
    words(&String::from_utf8_lossy(&read.stdout))
}

/// Lower-cased words of at least three letters.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split_whitespace()
        .map(|word| word.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|word| word.len() >= 3)
        .collect()
}

/// (integrated loudness LUFS) of a file's audio by ffmpeg's ebur128 meter.
fn loudness(path: &Path) -> f64 {
    let log = ffmpeg(&["-nostats", "-i", path.to_str().unwrap(), "-map", "0:a", "-af", "ebur128", "-f", "null", "-"]);
    let log = String::from_utf8_lossy(&log.stderr).into_owned();
    let summary = &log[log.rfind("Summary:").expect("ebur128 summary")..];
    let at = summary.find("I:").unwrap() + 2;
    summary[at..].split_whitespace().next().unwrap().parse().unwrap()
}

/// Standard deviation of the gray values of rows `rows` (1080 wide): near 0 for a plain colour.
fn band_spread(frame: &[u8], rows: std::ops::Range<usize>) -> f64 {
    let band = &frame[rows.start * 1080..rows.end * 1080];
    let mean = band.iter().map(|&v| f64::from(v)).sum::<f64>() / band.len() as f64;
    (band.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / band.len() as f64).sqrt()
}

/// Checks every clip of `manifest` in `out` as the module says; keeps a screenshot of the
/// first as `target/screenshots/audiogram-NAME.png`.
fn assert_audiograms(out: &Path, manifest: &Manifest, name: &str) {
    support::keep_screenshot(&format!("audiogram-{name}"), &out.join(&manifest.clips[0].outputs[0].path), 1.5);
    assert!(!manifest.clips.is_empty(), "no clip: {:?}", manifest.warnings);
    assert!(manifest.warnings.iter().any(|w| w.contains("audiograms")), "{:?}", manifest.warnings);
    let mut words_read = 0;
    let mut frames_read = 0;
    for clip in &manifest.clips {
        let output = &clip.outputs[0];
        assert_eq!((output.width, output.height), (1080, 1920));
        let video = out.join(&output.path);
        let facts = opusclip_media::probe(&video).expect("a playable file");
        assert_eq!((facts.video.codec.as_str(), facts.video.width, facts.video.height), ("h264", 1080, 1920));
        assert!((facts.duration - clip.duration).abs() < 0.2, "{} vs {}", facts.duration, clip.duration);
        assert!(facts.audio.is_some());
        let (first, later) = (gray_frame(&video, 1.0), gray_frame(&video, 1.6));
        let moved = band_difference(&first, &later, 730..1036);
        assert!(moved > 0.5, "{}: the waveform band does not move ({moved})", clip.id);
        assert!(band_difference(&first, &later, 0..300) < 0.5, "{}: the background moves", clip.id);
        let spoken = words(&clip.transcript);
        let scratch = tempfile::tempdir().unwrap();
        for step in 0..3 {
            let at = 0.8 + step as f64 * (clip.duration - 1.6) / 3.0;
            let frame = gray_frame(&video, at);
            let read = ocr_rows(&frame, 1036..1536, scratch.path());
            frames_read += 1;
            if read.iter().any(|word| spoken.contains(word)) {
                words_read += 1;
            }
        }
        let level = loudness(&video);
        assert!((level + 14.0).abs() <= 1.0, "{}: {level} LUFS", clip.id);
    }
    assert!(words_read * 3 >= frames_read * 2, "OCR read the clip's words on {words_read} of {frames_read} frames");
}

fn inputs() -> Option<(PathBuf, PathBuf)> {
    let Some(media) = support::shared_media("") else {
        assert!(!support::required(), "../shared/media is required (OPUSCLIP_REQUIRE_SERVICES=1)");
        return None;
    };
    let model = support::base_model()?;
    Some((media, model))
}

#[test]
fn a_short_commentary_mp3_becomes_an_audiogram_clip() {
    let Some((media, model)) = inputs() else { return };
    let out = tempfile::tempdir().unwrap();
    let manifest = clip(&media.join("talk/new-commentary.mp3"), &model, out.path(), ("3", "7"), "1");
    assert_audiograms(out.path(), &manifest, "commentary");
    let frame = gray_frame(&out.path().join(&manifest.clips[0].outputs[0].path), 1.0);
    assert!(band_spread(&frame, 0..300) < 1.0, "no cover art: a plain background ({})", band_spread(&frame, 0..300));
    let spec_text = std::fs::read_to_string(out.path().join(&manifest.clips[0].spec)).unwrap();
    assert!(spec_text.contains("\"layout\": \"audiogram\""), "{spec_text}");
    assert!(spec_text.contains("new-commentary.mp3"), "the spec renders from the mp3 itself");
}

#[test]
fn joined_sonnet_readings_become_podcast_audiograms() {
    let Some((media, model)) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let podcast = dir.path().join("podcast.mp3");
    let sonnet = |n: u32| media.join(format!("speech/sonnets/p00{n}.mp3")).to_str().unwrap().to_string();
    let (one, two, three) = (sonnet(1), sonnet(2), sonnet(3));
    let cover = dir.path().join("cover.png");
    let face = media.join("speech/grid/bbaf2n.mpg");
    ffmpeg(&["-v", "error", "-ss", "1", "-i", face.to_str().unwrap(), "-frames:v", "1", cover.to_str().unwrap()]);
    ffmpeg(&[
        "-v",
        "error",
        "-i",
        &one,
        "-i",
        &two,
        "-i",
        &three,
        "-i",
        cover.to_str().unwrap(),
        "-filter_complex",
        "[0:a][1:a][2:a]concat=n=3:v=0:a=1[sound]",
        "-map",
        "[sound]",
        "-map",
        "3:v",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "96k",
        "-c:v",
        "png",
        "-disposition:v:0",
        "attached_pic",
        "-id3v2_version",
        "3",
        podcast.to_str().unwrap(),
    ]);
    assert!(opusclip_media::probe::has_cover_art(&podcast), "the podcast carries cover art");
    let out = dir.path().join("clips");
    let manifest = clip(&podcast, &model, &out, ("15", "40"), "2");
    assert_audiograms(&out, &manifest, "podcast");
    for clip in &manifest.clips {
        let frame = gray_frame(&out.join(&clip.outputs[0].path), 1.0);
        let spread = band_spread(&frame, 0..300);
        assert!(spread > 3.0, "{}: the cover art is not behind the waveform (spread {spread})", clip.id);
    }
}

#[test]
fn a_still_picture_over_a_reading_becomes_audiograms_with_the_picture_behind() {
    let Some((media, model)) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (cover, still) = (dir.path().join("cover.png"), dir.path().join("still.mp4"));
    let face = media.join("speech/grid/bbaf2n.mpg");
    ffmpeg(&["-v", "error", "-ss", "1", "-i", face.to_str().unwrap(), "-frames:v", "1", cover.to_str().unwrap()]);
    let reading = media.join("speech/sonnets/p002.mp3");
    ffmpeg(&[
        "-v",
        "error",
        "-loop",
        "1",
        "-framerate",
        "25",
        "-i",
        cover.to_str().unwrap(),
        "-i",
        reading.to_str().unwrap(),
        "-shortest",
        "-vf",
        "scale=1280:720,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "stillimage",
        "-c:a",
        "aac",
        still.to_str().unwrap(),
    ]);
    let out = dir.path().join("clips");
    let manifest = clip(&still, &model, &out, ("15", "40"), "1");
    assert!(manifest.warnings.iter().any(|w| w.contains("never changes")), "{:?}", manifest.warnings);
    assert_audiograms(&out, &manifest, "still");
    let spec_text = std::fs::read_to_string(out.join(&manifest.clips[0].spec)).unwrap();
    assert!(spec_text.contains("\"layout\": \"audiogram\""), "{spec_text}");
    let frame = gray_frame(&out.join(&manifest.clips[0].outputs[0].path), 1.0);
    assert!(band_spread(&frame, 0..300) > 3.0, "the still is not behind the waveform");
}
