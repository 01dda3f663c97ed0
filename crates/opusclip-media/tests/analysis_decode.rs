//! The analysis pass decodes every frame exactly once, as small YUV planes with the right sizes
//! and times, in timeline order across the segments its workers decode side by side, and the
//! audio alongside.

use opusclip_media::{analysis_decode, probe, AnalysisFrame, AnalysisOptions, AnalysisSink, DecodedSegment, FrameWork};
use std::path::Path;
use std::process::Command;

/// What a worker keeps of each frame in these tests.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    index: u64,
    t: f64,
    sizes: [(u32, u32); 3],
    mean_u: f64,
}

struct Measure;

impl FrameWork for Measure {
    type Record = Seen;
    fn start_segment(&mut self) {}
    fn frame(&mut self, frame: &AnalysisFrame) -> Seen {
        Seen {
            index: frame.index,
            t: frame.t,
            sizes: [(frame.y.width, frame.y.height), (frame.u.width, frame.u.height), (frame.v.width, frame.v.height)],
            mean_u: frame.u.data.iter().map(|&v| f64::from(v)).sum::<f64>() / frame.u.data.len() as f64,
        }
    }
}

#[derive(Default)]
struct Collect {
    frames: Vec<Seen>,
    segments: usize,
    edges_present: bool,
    samples: usize,
}

impl AnalysisSink<Seen> for Collect {
    fn segment(&mut self, segment: DecodedSegment<Seen>) {
        self.segments += 1;
        self.edges_present = self.segments == 1 || (segment.first.is_some() && segment.last.is_some());
        self.frames.extend(segment.records);
    }
    fn audio(&mut self, samples: &[f32]) {
        self.samples += samples.len();
    }
}

fn ffmpeg(graph: &str, extra: &[&str], video: &Path) {
    let ok = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-filter_complex", graph])
        .args(extra)
        .arg(video)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn decode(video: &Path, options: AnalysisOptions) -> Collect {
    let facts = probe(video).unwrap();
    let mut collect = Collect::default();
    let counts = analysis_decode(video, &facts, options, || Measure, &mut collect).unwrap();
    assert_eq!(counts.frames as usize, collect.frames.len());
    assert_eq!(counts.segments, collect.segments);
    assert_eq!(counts.audio_samples as usize, collect.samples);
    collect
}

#[test]
fn every_frame_once_with_its_planes_and_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    // 1 s blue, then 1 s red: U (blue difference) drops at the cut.
    let graph = "color=c=blue:s=640x360:r=25:d=1[a];color=c=red:s=640x360:r=25:d=1[b];[a][b]concat=n=2:v=1:a=0[v];\
                 sine=d=2[s]";
    ffmpeg(graph, &["-map", "[v]", "-map", "[s]", "-c:v", "libx264", "-c:a", "aac", "-shortest"], &video);
    let seen = decode(&video, AnalysisOptions::default());
    assert_eq!(seen.segments, 1, "2 s is too short to split");
    let indices: Vec<u64> = seen.frames.iter().map(|f| f.index).collect();
    assert_eq!(indices, (0..50).collect::<Vec<u64>>());
    assert!((seen.frames[25].t - 1.0).abs() < 1e-6);
    assert_eq!(seen.frames[0].sizes, [(256, 144), (128, 72), (128, 72)]);
    assert!(seen.frames[10].mean_u > 200.0 && seen.frames[40].mean_u < 110.0);
    assert!((seen.samples as f64 / 16_000.0 - 2.0).abs() < 0.1);
}

/// 12 s with B-frames and a key frame every second (open GOPs too), cut into ~2 s segments and
/// decoded by two workers: every frame exactly once, in order, the same as one worker reads.
#[test]
fn segments_decoded_side_by_side_give_every_frame_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    for (name, x264) in [("closed.mp4", "keyint=25:min-keyint=25:bframes=3"), ("open.mp4", "keyint=25:open-gop=1")] {
        let video = dir.path().join(name);
        let graph = "testsrc2=s=320x240:r=25:d=12,format=yuv420p[v];sine=d=12[s]";
        let args = ["-map", "[v]", "-map", "[s]", "-c:v", "libx264", "-x264-params", x264, "-c:a", "aac"];
        ffmpeg(graph, &args, &video);
        let split = decode(&video, AnalysisOptions { segment_seconds: 2.0, ..AnalysisOptions::default() });
        let whole = decode(&video, AnalysisOptions { workers: 1, ..AnalysisOptions::default() });
        assert!(split.segments >= 4, "{name}: {} segments", split.segments);
        assert!(split.edges_present, "{name}: every segment brings its edge pictures");
        assert_eq!(whole.segments, 1);
        let indices: Vec<u64> = split.frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, (0..300).collect::<Vec<u64>>(), "{name}");
        assert_eq!(split.frames, whole.frames, "{name}: the same pictures as one sequential decode");
        assert!((split.samples as f64 / 16_000.0 - 12.0).abs() < 0.1);
    }
}
