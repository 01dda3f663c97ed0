//! `opusclip export` read back by independent readers: a GRID speaker (`../shared/media`) on a
//! 1280x720 stage at 29.97 fps is clipped to 9:16 and 1:1, then each clip and the whole job are
//! exported as FCPXML, xmeml, OTIO and EDL and read with OpenTimelineIO's adapters from PyPI
//! (`tests/export/read_timeline.py`; FCPXML also with ElementTree). Checked: the source range of
//! every clip to the frame, the track count, the caption text against the clip's own SRT, the
//! hook marker, and the crop as scale and centre.

mod support;

use opusclip_core::{ClipSpec, Manifest};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const SENTENCE: &str = "bin blue at f two now";
const NTSC: f64 = 30000.0 / 1001.0;

fn opusclip(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip")).args(args).output().unwrap()
}

fn succeeded(output: Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Whether python3 can import OpenTimelineIO and the three adapters (setup.sh installs them).
fn otio_installed() -> bool {
    let probe = "import opentimelineio, otio_fcp_adapter, otio_fcpx_xml_adapter, otio_cmx3600_adapter";
    let ok = Command::new("python3").args(["-c", probe]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(!support::required(), "OpenTimelineIO is required (OPUSCLIP_REQUIRE_SERVICES=1): run scripts/setup.sh");
        eprintln!("skipped: OpenTimelineIO is not installed (pip install -r scripts/requirements-otio.txt)");
    }
    ok
}

/// What OpenTimelineIO reads from `path` with `adapter`.
fn read(path: &Path, adapter: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export/read_timeline.py");
    let output = Command::new("python3").arg(script).arg(path).args([adapter, "30"]).output().unwrap();
    assert!(
        output.status.success(),
        "{adapter} could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The folder holding `talk.mp4` (the GRID speaker looped to 24 s on a grey 1280x720 stage at
/// 29.97 fps), its SRT and `clips/` (two clips, 9:16 then 1:1): made once for the tests of this
/// file. `None` (a note, or a failure when required) without the shared media.
fn clipped_talk() -> Option<&'static Path> {
    static TALK: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    let made = TALK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        clip_talk_into(dir.path()).map(|()| dir)
    });
    if made.is_none() {
        assert!(!support::required(), "../shared/media/speech/grid is required (OPUSCLIP_REQUIRE_SERVICES=1)");
    }
    made.as_ref().map(|dir| dir.path())
}

fn clip_talk_into(dir: &Path) -> Option<()> {
    let grid = support::shared_media("speech/grid")?;
    let video = dir.join("talk.mp4");
    let recording = grid.join("bbaf2n.mpg");
    let filter = "scale=720:576,pad=1280:720:280:72:color=0x2a2a2a,setsar=1,fps=30000/1001";
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-stream_loop", "7", "-i"])
        .arg(&recording)
        .args(["-vf", filter, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-c:a", "aac", "-t", "24"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(status.success());
    let time = |s: f64| format!("00:00:{:02},{:03}", s as u32, (s.fract() * 1000.0).round() as u32);
    let srt: String = (0..8)
        .map(|i| {
            let start = f64::from(i) * 3.0 + 0.6;
            format!("{}\n{} --> {}\n{SENTENCE}.\n\n", i + 1, time(start), time(start + 1.8))
        })
        .collect();
    std::fs::write(dir.join("talk.srt"), srt).unwrap();
    let clips = dir.join("clips");
    let (video, srt, out) = (video.to_str().unwrap(), dir.join("talk.srt"), clips.to_str().unwrap());
    let args = ["clip", video, "--transcript", srt.to_str().unwrap(), "--clips", "2", "--min", "5", "--max", "10"];
    succeeded(opusclip(&[&args[..], &["--aspect", "9:16", "--aspect", "1:1", "-o", out]].concat()));
    Some(())
}

fn ffmpeg(args: &[&str]) -> Output {
    let output = Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).output().unwrap();
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The 1080x1920 frame an editor shows at source time `at` for an FCPXML transform (position
/// in percent of the frame's height, up positive; scale about the centre; conform off), with
/// the picture moved `nudge` pixels right: what Final Cut Pro would draw, drawn by ffmpeg.
fn frame_from_transform(dir: &Path, (x, y, scale): (f64, f64, f64), at: f64, nudge: f64) -> PathBuf {
    let (width, height) = ((1280.0 * scale).round(), (720.0 * scale).round());
    let centre = (540.0 + x / 100.0 * 1920.0 + nudge, 960.0 - y / 100.0 * 1920.0);
    let (left, top) = ((centre.0 - width / 2.0).round(), (centre.1 - height / 2.0).round());
    let filter = format!(
        "scale={width}:{height},pad=iw+4000:ih+4000:2000:2000,crop=1080:1920:{}:{}",
        2000.0 - left,
        2000.0 - top
    );
    let frame = dir.join(format!("rebuilt-{nudge}.png"));
    let video = dir.join("talk.mp4");
    ffmpeg(&[
        "-ss",
        &at.to_string(),
        "-i",
        video.to_str().unwrap(),
        "-frames:v",
        "1",
        "-vf",
        &filter,
        frame.to_str().unwrap(),
    ]);
    frame
}

/// SSIM of the lower half of two 1080x1920 frames (the captions of this clip sit higher).
fn lower_half_ssim(a: &Path, b: &Path) -> f64 {
    let graph = "[0]crop=1080:960:0:960[a];[1]crop=1080:960:0:960[b];[a][b]ssim";
    let output = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-i",
            a.to_str().unwrap(),
            "-i",
            b.to_str().unwrap(),
            "-filter_complex",
            graph,
            "-f",
            "null",
            "-",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let log = String::from_utf8_lossy(&output.stderr);
    let all = log.rsplit("All:").next().and_then(|rest| rest.split_whitespace().next()).unwrap_or("0");
    all.parse().unwrap_or(0.0)
}

fn spec(path: &Path) -> ClipSpec {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The clip's frames on the source as every format must give them: `(in, duration)`.
fn frames(spec: &ClipSpec) -> (f64, f64) {
    let start = (spec.start * NTSC).round();
    (start, (spec.end * NTSC).round() - start)
}

/// The caption texts of the clip's own SRT (what the renderer burned in).
fn srt_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.split("\n\n")
        .filter(|cue| cue.contains("-->"))
        .map(|cue| cue.lines().skip(2).collect::<Vec<_>>().join(" "))
        .collect()
}

fn export(input: &Path, format: &str, extra: &[&str]) -> Value {
    let stdout =
        succeeded(opusclip(&[&["--json", "export", input.to_str().unwrap(), "--format", format], extra].concat()));
    serde_json::from_str(&stdout).unwrap()
}

/// `opusclip export SPEC --format FORMAT`'s answer, and what `adapter` reads from the file.
fn exported(spec: &Path, format: &str, adapter: &str) -> (Value, Value) {
    let made = export(spec, format, &[]);
    let found = read(Path::new(made["path"].as_str().unwrap()), adapter);
    (made, found)
}

fn track_kinds(found: &Value) -> Vec<&str> {
    found["tracks"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect()
}

/// A read clip's source range: (first frame, frames).
fn range_of(clip: &Value) -> (f64, f64) {
    (clip["start"].as_f64().unwrap(), clip["duration"].as_f64().unwrap())
}

fn items(found: &Value, track: usize) -> &Vec<Value> {
    found["tracks"][track]["items"].as_array().unwrap()
}

fn clip_names_of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a str> {
    items.iter().filter(|i| i["type"] == kind).map(|i| i["name"].as_str().unwrap()).collect()
}

#[test]
fn every_format_reads_back_with_the_clip_frames_captions_marker_and_crop() {
    if !otio_installed() {
        return;
    }
    let Some(dir) = clipped_talk() else { return };
    let clips = dir.join("clips");
    let spec_path = clips.join("clip-01.json");
    let spec = spec(&spec_path);
    let (start, duration) = frames(&spec);
    let captions = srt_texts(&clips.join("clip-01.srt"));
    assert!(!captions.is_empty() && captions.iter().all(|c| c.to_lowercase().contains(SENTENCE)), "{captions:?}");
    let source_url = format!("file://{}", std::fs::canonicalize(dir.join("talk.mp4")).unwrap().display());
    let window = spec.outputs[0].crop_keyframes[0];
    let scale = 1080.0 / window.w;
    let offset_x = (640.0 - (window.x + window.w / 2.0)) * scale;

    // OTIO: V1, Captions, A1; the crop in the clip's metadata.
    let (_, found) = exported(&spec_path, "otio", "otio_json");
    assert_eq!(found["tracks"].as_array().unwrap().len(), 3);
    let clip = &items(&found, 0)[0];
    assert_eq!(range_of(clip), (start, duration), "{clip}");
    assert!((clip["rate"].as_f64().unwrap() - NTSC).abs() < 1e-6);
    assert_eq!(clip["url"], Value::String(source_url.clone()));
    assert!(clip["markers"][0]["name"].as_str().unwrap().starts_with("Hook"));
    assert_eq!(clip["markers"][0]["start"].as_f64(), Some(start));
    // The payoff: the clip's last sentence, marked from its first frame to the clip's end.
    let payoff = &clip["markers"][1];
    assert!(payoff["name"].as_str().unwrap().starts_with(&format!("Payoff: {SENTENCE}")), "{clip}");
    let last_sentence = spec.words.iter().filter(|w| w.end <= spec.end + 1e-6).map(|w| w.start).collect::<Vec<_>>();
    let last_start = last_sentence[last_sentence.len() - SENTENCE.split(' ').count()];
    assert_eq!(payoff["start"].as_f64(), Some((last_start * NTSC).round()), "{payoff}");
    assert_eq!(payoff["start"].as_f64().unwrap() + payoff["duration"].as_f64().unwrap(), start + duration, "{payoff}");
    let keyframe = &clip["metadata"]["opusclip"]["transform"]["keyframes"][0];
    assert!(
        (keyframe["scale"].as_f64().unwrap() - scale).abs() < 1e-6
            && (keyframe["offset_x"].as_f64().unwrap() - offset_x).abs() < 1e-6
    );
    assert_eq!(
        clip_names_of_kind(items(&found, 1), "Clip"),
        captions,
        "the caption track says what the clip's SRT says"
    );

    // xmeml (Premiere, Resolve): the same, the crop as Basic Motion.
    let (_, found) = exported(&spec_path, "xmeml", "fcp_xml");
    assert_eq!(track_kinds(&found), ["Video", "Video", "Audio"]);
    let clip = &items(&found, 0)[0];
    assert_eq!(range_of(clip), (start, duration), "{clip}");
    assert_eq!(clip["url"], Value::String(source_url.replacen("file://", "file://localhost", 1)));
    assert_eq!(clip["markers"][0]["start"].as_f64(), Some(start));
    let motion = &clip["effects"][0]["metadata"]["fcp_xml"]["parameter"];
    let read_scale: f64 = motion[0]["value"].as_str().unwrap().parse().unwrap();
    let read_horiz: f64 = motion[1]["value"]["horiz"].as_str().unwrap().parse().unwrap();
    assert!((read_scale - scale * 100.0).abs() < 0.01, "{motion}");
    assert!((read_horiz - offset_x / 1080.0).abs() < 1e-5, "{motion}");
    assert_eq!(clip_names_of_kind(items(&found, 1), "Clip"), captions);

    // FCPXML: OpenTimelineIO reads the clip (its FCPX adapter counts 29.97 as 29 frames a
    // second, so its frames are checked in seconds); the raw XML to the frame, titles included.
    let (_, found) = exported(&spec_path, "fcpxml", "fcpx_xml");
    let clip = &items(&found, 0)[0];
    assert_eq!(clip["url"], Value::String(source_url.clone()));
    let read_start = clip["start"].as_f64().unwrap() / clip["rate"].as_f64().unwrap();
    assert!((read_start - start / NTSC).abs() <= 1.0 / 29.0, "{clip}");
    assert!(clip["markers"][0]["name"].as_str().unwrap().starts_with("Hook"));
    let raw = &found["raw"]["clips"][0];
    assert_eq!(range_of(raw), (start, duration), "{raw}");
    let titles: Vec<&str> = raw["titles"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(titles, captions);
    let position: Vec<f64> =
        raw["transform"]["position"].as_str().unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    assert!((position[0] - offset_x / 1920.0 * 100.0).abs() < 1e-3, "{raw}");
    assert_eq!((found["raw"]["width"].as_u64(), found["raw"]["height"].as_u64()), (Some(1080), Some(1920)));
    let scale_read: f64 = raw["transform"]["scale"].as_str().unwrap().split(' ').next().unwrap().parse().unwrap();
    let rebuilt = frame_from_transform(dir, (position[0], position[1], scale_read), spec.start + 1.0, 0.0);
    let shifted = frame_from_transform(dir, (position[0], position[1], scale_read), spec.start + 1.0, 60.0);
    let rendered = dir.join("rendered.png");
    ffmpeg(&[
        "-ss",
        "1.0",
        "-i",
        clips.join("clip-01.mp4").to_str().unwrap(),
        "-frames:v",
        "1",
        rendered.to_str().unwrap(),
    ]);
    let (same, off) = (lower_half_ssim(&rebuilt, &rendered), lower_half_ssim(&shifted, &rendered));
    eprintln!("fcpxml transform: SSIM {same:.3} against the rendered clip, {off:.3} when 60 px off");
    assert!(
        same > 0.85 && off < same - 0.05,
        "the transform rebuilds the rendered frame: SSIM {same:.3} (60 px off: {off:.3})"
    );

    // EDL: one event (video and two audio channels), captions only in the SRT beside it.
    let (made, found) = exported(&spec_path, "edl", "cmx_3600");
    assert_eq!(track_kinds(&found), ["Video", "Audio", "Audio"]);
    let clip = &items(&found, 0)[0];
    assert_eq!(range_of(clip), (start, duration), "{clip}");
    assert_eq!(clip["url"].as_str(), Some(std::fs::canonicalize(dir.join("talk.mp4")).unwrap().to_str().unwrap()));
    assert_eq!(srt_texts(Path::new(made["captions"].as_str().unwrap())), captions);
    assert!(made["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("cuts only")));
}

#[test]
fn a_whole_job_is_one_timeline_in_rank_or_source_order() {
    if !otio_installed() {
        return;
    }
    let Some(dir) = clipped_talk() else { return };
    let clips = dir.join("clips");
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(clips.join("manifest.json")).unwrap()).unwrap();
    let mut by_start: Vec<ClipSpec> = manifest.clips.iter().map(|c| spec(&clips.join(&c.spec))).collect();
    by_start.sort_by(|a, b| a.start.total_cmp(&b.start));
    assert_eq!(by_start.len(), 2);

    let made = export(
        &clips,
        "xmeml",
        &["--order", "source", "--aspect", "1:1", "-o", dir.join("reel.xml").to_str().unwrap()],
    );
    assert_eq!(made["clips"], 2);
    let found = read(&dir.join("reel.xml"), "fcp_xml");
    let video = items(&found, 0);
    let ranges: Vec<(f64, f64)> = video.iter().map(range_of).collect();
    assert_eq!(ranges, by_start.iter().map(frames).collect::<Vec<_>>(), "in the order they were said");
    // The 1:1 output's crop: a 720-pixel-high window fills 1080 pixels, 150 %.
    let read_scale: f64 =
        video[0]["effects"][0]["metadata"]["fcp_xml"]["parameter"][0]["value"].as_str().unwrap().parse().unwrap();
    let square = by_start[0].outputs.iter().find(|o| o.aspect == opusclip_core::Aspect::Square).unwrap();
    assert!((read_scale - 100.0 * 1080.0 / square.crop_keyframes[0].w).abs() < 0.01, "{read_scale}");
    // Both clips' captions, one after the other on the timeline.
    let caption_count =
        by_start.iter().map(|s| srt_texts(&dir.join("clips").join(format!("{}.srt", s.id))).len()).sum::<usize>();
    assert_eq!(clip_names_of_kind(items(&found, 1), "Clip").len(), caption_count);
    assert!(std::fs::read_to_string(dir.join("reel.captions.srt")).unwrap().matches("-->").count() == caption_count);

    let made = export(&clips, "otio", &["--top", "1"]);
    let found = read(Path::new(made["path"].as_str().unwrap()), "otio_json");
    let best = manifest.clips.iter().find(|c| c.rank == 1).unwrap();
    assert_eq!(clip_names_of_kind(items(&found, 0), "Clip").len(), 1);
    assert!(items(&found, 0)[0]["name"].as_str().unwrap().starts_with(&best.id));
    assert!(made["path"].as_str().unwrap().ends_with("timeline.otio"));
}

#[test]
fn bad_export_requests_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.json");
    let output = opusclip(&["--json", "export", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(error["error"].as_str().unwrap().contains("nothing.json"), "{error}");
    let output = opusclip(&["export", dir.path().to_str().unwrap(), "--format", "aaf"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("use fcpxml, xmeml, otio or edl"));
    let output = opusclip(&["export", dir.path().to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("manifest.json"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Seconds of a stream of `path` (`v:0` or `a:0`), by ffprobe.
fn stream_seconds(path: &Path, stream: &str) -> f64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", stream, "-show_entries", "stream=duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().parse().unwrap()
}

#[test]
fn a_clip_with_its_pauses_cut_plays_them_out_and_exports_an_edit_per_kept_range() {
    if !otio_installed() {
        return;
    }
    let Some(dir) = clipped_talk() else { return };
    // The GRID speaker says the sentence every 3 s with about 1.2 s of quiet between: a 5–10 s
    // clip holds at least one pause to cut.
    let tight = dir.join("tight");
    let (video, srt) = (dir.join("talk.mp4"), dir.join("talk.srt"));
    let args = ["clip", video.to_str().unwrap(), "--transcript", srt.to_str().unwrap(), "--clips", "1"];
    let stdout = succeeded(opusclip(
        &[&args[..], &["--min", "5", "--max", "10", "--cut-pauses", "--json", "-o", tight.to_str().unwrap()]].concat(),
    ));
    let manifest: Manifest = serde_json::from_str(&stdout).unwrap();
    let clip = &manifest.clips[0];
    let spec = spec(&tight.join(&clip.spec));
    assert!(!clip.cuts.is_empty(), "a pause was cut: {clip:?}");
    assert!(clip.cuts.iter().all(|cut| cut.reason == opusclip_core::CutReason::Pause && cut.end - cut.start > 0.5));
    assert_eq!(spec.kept_ranges.len(), clip.cuts.len() + 1, "{:?}", spec.kept_ranges);
    let removed: f64 = clip.cuts.iter().map(|cut| cut.end - cut.start).sum();
    assert!((clip.duration - (spec.end - spec.start - removed)).abs() < 0.1, "{} s plays", clip.duration);
    // The file is as long as the kept ranges, sound and picture alike.
    let file = tight.join(&clip.outputs[0].path);
    let (picture, sound) = (stream_seconds(&file, "v:0"), stream_seconds(&file, "a:0"));
    assert!((picture - clip.duration).abs() < 0.1 && (sound - clip.duration).abs() < 0.1, "{picture} s, {sound} s");
    // Captions retimed onto the cut clock: every cue inside the file, the sentence whole.
    let captions = srt_texts(&tight.join(clip.captions.srt.as_ref().unwrap()));
    assert!(captions.iter().all(|c| c.to_lowercase().contains(SENTENCE)), "{captions:?}");
    eprintln!(
        "cut pauses: {} cut(s), {:.2} s removed, {:.2} s → {:.2} s, kept {:?}",
        clip.cuts.len(),
        removed,
        spec.end - spec.start,
        clip.duration,
        spec.kept_ranges
    );

    // OTIO: one edit per kept range, each on the source to the frame, back to back.
    let (made, found) = exported(&tight.join(&clip.spec), "otio", "otio_json");
    let edits = clip_names_of_kind(items(&found, 0), "Clip");
    assert_eq!(edits.len(), spec.kept_ranges.len(), "{edits:?}");
    let timeline = opusclip_core::CutTimeline::of(&spec);
    for (edit, range) in items(&found, 0).iter().filter(|i| i["type"] == "Clip").zip(&timeline.kept) {
        let first = (range.start * NTSC).round();
        assert_eq!(range_of(edit), (first, (range.end * NTSC).round() - first), "{edit}");
    }
    let marker_names: Vec<Vec<&str>> = items(&found, 0)
        .iter()
        .map(|edit| edit["markers"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect())
        .collect();
    assert!(marker_names[0][0].starts_with("Hook"), "the hook on the first edit: {marker_names:?}");
    let last = marker_names.last().unwrap();
    assert!(last.iter().any(|name| name.starts_with("Payoff")), "the payoff on the last edit: {marker_names:?}");
    assert!((made["seconds"].as_f64().unwrap() - clip.duration).abs() < 0.1, "{made}");
}
