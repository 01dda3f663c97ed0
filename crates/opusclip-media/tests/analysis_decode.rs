//! The analysis pass decodes every frame once, as small YUV planes with the right sizes and
//! times, and the audio in the same pass.

use opusclip_media::{analysis_decode, probe, AnalysisFrame, AnalysisOptions, AnalysisSink};
use std::process::Command;

#[derive(Default)]
struct Count {
    times: Vec<f64>,
    indices: Vec<u64>,
    sizes: Vec<[(u32, u32); 3]>,
    samples: usize,
    mean_u: Vec<f64>,
}

impl AnalysisSink for Count {
    fn frame(&mut self, frame: &AnalysisFrame) {
        self.times.push(frame.t);
        self.indices.push(frame.index);
        self.sizes.push([
            (frame.y.width, frame.y.height),
            (frame.u.width, frame.u.height),
            (frame.v.width, frame.v.height),
        ]);
        self.mean_u.push(frame.u.data.iter().map(|&v| f64::from(v)).sum::<f64>() / frame.u.data.len() as f64);
    }
    fn audio(&mut self, samples: &[f32]) {
        self.samples += samples.len();
    }
}

#[test]
fn every_frame_once_with_its_planes_and_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    // 1 s blue, then 1 s red: U (blue difference) drops at the cut.
    let graph = "color=c=blue:s=640x360:r=25:d=1[a];color=c=red:s=640x360:r=25:d=1[b];[a][b]concat=n=2:v=1:a=0[v]";
    let ok = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-filter_complex", graph, "-f", "lavfi", "-i", "sine=d=2"])
        .args(["-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-c:a", "aac", "-shortest"])
        .arg(&video)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let facts = probe(&video).unwrap();
    let mut count = Count::default();
    let counts = analysis_decode(&video, &facts, AnalysisOptions::default(), &mut count).unwrap();
    assert_eq!(counts.frames, 50);
    assert_eq!(count.indices, (0..50).collect::<Vec<u64>>());
    assert!((count.times[25] - 1.0).abs() < 1e-6);
    assert_eq!(count.sizes[0], [(256, 144), (128, 72), (128, 72)]);
    assert!(count.mean_u[10] > 200.0 && count.mean_u[40] < 110.0, "{} {}", count.mean_u[10], count.mean_u[40]);
    assert!((count.samples as f64 / 16_000.0 - 2.0).abs() < 0.1);
}
