//! `analyze` on generated media with known truth: hard cuts at known frames and times, a fade
//! through black reported as fades and not as a cut, variable frame rate and rotation giving
//! the right cut times, silences where the tone stops, and the cache.

use opusclip_pipeline::analysis::{analyze, AnalysisSettings, CutKind, DetectorChoice};
use opusclip_pipeline::NoProgress;
use std::path::Path;
use std::process::Command;

fn ffmpeg(args: &[&str]) {
    let ok = Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).status().unwrap().success();
    assert!(ok, "ffmpeg {args:?}");
}

/// 25 fps: testsrc2 1.6 s | smptebars 1.4 s | fade to black and back over a mandelbrot 2 s |
/// red 1.6 s; audio: a tone with silences at 1.0–2.0 s and 4.0–4.8 s.
fn cuts_and_fades(path: &Path) {
    let graph = "testsrc2=s=640x360:r=25:d=1.6[a];smptebars=s=640x360:r=25:d=1.4[b];\
                 mandelbrot=s=640x360:r=25,trim=duration=2,fade=t=out:st=0.4:d=0.6,fade=t=in:st=1.1:d=0.6[c];\
                 color=c=red:s=640x360:r=25:d=1.6[d];[a][b][c][d]concat=n=4:v=1:a=0,format=yuv420p[v];\
                 sine=f=330:d=6.6,volume='if(between(t,1,2)+between(t,4,4.8),0,1)':eval=frame[s]";
    ffmpeg(&[
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-map",
        "[s]",
        "-c:v",
        "libx264",
        "-g",
        "50",
        "-c:a",
        "aac",
        path.to_str().unwrap(),
    ]);
}

#[test]
fn cuts_fades_and_silences_of_a_generated_video() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("cuts.mp4");
    cuts_and_fades(&video);
    for detector in [DetectorChoice::Adaptive, DetectorChoice::Content] {
        let settings = AnalysisSettings { detector, ..AnalysisSettings::default() };
        let document = analyze(&video, &settings, None, &NoProgress).unwrap();
        let frames: Vec<u64> = document.cuts.iter().map(|c| c.frame).collect();
        assert_eq!(frames, vec![40, 75, 125], "{detector:?}: the fade through black must not cut");
        assert_eq!(document.shots.len(), 4);
        assert_eq!(document.shots[1].start_frame, 40);
        assert!((document.shots[1].start - 1.6).abs() < 1e-6);
        assert_eq!(document.frames_decoded, 165);
        let kinds: Vec<String> = document.fades.iter().map(|f| format!("{:?}", f.kind)).collect();
        assert!(kinds.contains(&"Out".to_string()) && kinds.contains(&"In".to_string()), "{kinds:?}");
        let silences: Vec<(f64, f64)> = document.silences.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(silences.len(), 2, "{silences:?}");
        assert!((silences[0].0 - 1.0).abs() < 0.15 && (silences[0].1 - 2.0).abs() < 0.15, "{silences:?}");
        assert!((silences[1].0 - 4.0).abs() < 0.15 && (silences[1].1 - 4.8).abs() < 0.15, "{silences:?}");
        assert!(document.loudness.integrated.is_some());
    }
}

/// A fade out to black, a 1 s hold, then a different picture fading in: the new shot starts at
/// the first frame brighter than the hold (what a viewer sees as the cut); without the hold
/// (the test above) a fade through black is no cut.
#[test]
fn a_new_shot_out_of_a_hold_on_black_is_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("hold.mp4");
    let graph = "testsrc2=s=640x360:r=25:d=1.6,fade=t=out:st=0.9:d=0.5[a];color=c=black:s=640x360:r=25:d=1[b];\
                 smptebars=s=640x360:r=25:d=2,fade=t=in:st=0:d=0.5[c];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]";
    ffmpeg(&["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", video.to_str().unwrap()]);
    for detector in [DetectorChoice::Adaptive, DetectorChoice::Content] {
        let settings = AnalysisSettings { detector, ..AnalysisSettings::default() };
        let document = analyze(&video, &settings, None, &NoProgress).unwrap();
        let cuts: Vec<(u64, CutKind)> = document.cuts.iter().map(|c| (c.frame, c.kind)).collect();
        // Frames 35..=64 are black (the fade-out ends at 1.4 s), frame 65 is the fade-in's fully black first frame.
        assert_eq!(cuts, vec![(66, CutKind::FromBlack)], "{detector:?}");
        assert_eq!(document.shots.len(), 2);
        assert!(document.fades.iter().any(|f| f.kind == opusclip_analyze::fades::FadeKind::In));
    }
}

/// The frame count a plain decode reads (`ffprobe -count_frames`).
fn frames_ffprobe_reads(video: &Path) -> u64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"])
        .args(["-of", "csv=p=0"])
        .arg(video)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().parse().unwrap()
}

#[test]
fn variable_frame_rate_and_rotation_keep_cut_times() {
    let dir = tempfile::tempdir().unwrap();
    // 10 fps for 2 s, then a different picture at 30 fps for 2 s: the cut is at 2.0 s.
    let vfr = dir.path().join("vfr.mp4");
    let graph = "testsrc2=s=320x240:r=10:d=2,settb=1/1000[a];smptebars=s=320x240:r=30:d=2,settb=1/1000[b];\
                 [a][b]concat=n=2:v=1:a=0[v]";
    ffmpeg(&["-filter_complex", graph, "-map", "[v]", "-fps_mode", "vfr", "-c:v", "libx264", vfr.to_str().unwrap()]);
    let document = analyze(&vfr, &AnalysisSettings::default(), None, &NoProgress).unwrap();
    assert_eq!(document.frames_decoded, frames_ffprobe_reads(&vfr));
    assert_eq!(document.cuts.len(), 1, "{:?}", document.cuts);
    assert!((document.cuts[0].t - 2.0).abs() < 1e-3, "{}", document.cuts[0].t);
    assert!(document.source.probe.video.variable_frame_rate);

    let plain = dir.path().join("plain.mp4");
    let rotated = dir.path().join("rotated.mp4");
    let graph = "testsrc2=s=320x240:r=25:d=2[a];smptebars=s=320x240:r=25:d=2[b];[a][b]concat=n=2:v=1:a=0[v]";
    ffmpeg(&["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", plain.to_str().unwrap()]);
    ffmpeg(&["-i", plain.to_str().unwrap(), "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.to_str().unwrap()]);
    let document = analyze(&rotated, &AnalysisSettings::default(), None, &NoProgress).unwrap();
    let frames: Vec<u64> = document.cuts.iter().map(|c| c.frame).collect();
    assert_eq!(frames, vec![50]);
}

#[test]
fn the_cache_answers_the_second_run_and_is_keyed_by_settings() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("cuts.mp4");
    cuts_and_fades(&video);
    let cache = dir.path().join("cache");
    let settings = AnalysisSettings::default();
    let first = analyze(&video, &settings, Some(&cache), &NoProgress).unwrap();
    assert!(!first.cached);
    let second = analyze(&video, &settings, Some(&cache), &NoProgress).unwrap();
    assert!(second.cached);
    assert_eq!(first.cuts, second.cuts);
    let other = AnalysisSettings { detector: DetectorChoice::Content, ..settings };
    assert!(!analyze(&video, &other, Some(&cache), &NoProgress).unwrap().cached);
}
