//! The close look on a generated video with hard cuts at known frames: the cuts come back at
//! exactly those frames, and a moving picture without cuts gives none.

use opusclip_analyze::faces::FaceDetector;
use opusclip_pipeline::look::close_look;
use std::process::Command;

#[test]
fn hard_cuts_are_found_at_their_frames() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("cuts.mp4");
    // 25 fps: testsrc2 for 40 frames, smptebars for 35, a red card for 50, mandelbrot for 45.
    let graph = "testsrc2=s=640x360:r=25:d=1.6[a];smptebars=s=640x360:r=25:d=1.4[b];\
                 color=c=red:s=640x360:r=25:d=2[c];mandelbrot=s=640x360:r=25,trim=duration=1.8[d];\
                 [a][b][c][d]concat=n=4:v=1:a=0,format=yuv420p[v]";
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-g", "50"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(status.success());
    let facts = opusclip_media::probe(&video).unwrap();
    let mut detector = FaceDetector::new().unwrap();
    let look = close_look(&video, &facts, 0.0, facts.duration, &mut detector, &mut |_| {}).unwrap();
    let frames: Vec<u64> = look.cuts.iter().map(|t| (t * 25.0).round() as u64).collect();
    assert_eq!(frames, vec![40, 75, 125]);
    // Faces were looked for 5 times a second.
    assert!((look.faces.len() as f64 - facts.duration * 5.0).abs() <= 2.0, "{}", look.faces.len());
    // A window inside the third shot has no cut.
    let inside = close_look(&video, &facts, 3.1, 4.9, &mut detector, &mut |_| {}).unwrap();
    assert!(inside.cuts.is_empty(), "{:?}", inside.cuts);
}
