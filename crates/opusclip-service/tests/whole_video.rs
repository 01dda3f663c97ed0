//! A whole-video reframe job (`processing_type=reframe`) goes through the same planner as a
//! clip: on a letterboxed recording (a 1280x540 picture between black bars in a 1280x720 frame)
//! the 9:16 output is cropped inside the picture, so no bar shows at its top or bottom; the crop
//! planned without the clip's border signal kept the bars.

use opusclip_pipeline::{ClipOptions, NoProgress};
use std::process::Command;

/// Mean luma of the rows `rows` of a grey frame `width` pixels wide.
fn mean_luma(gray: &[u8], width: usize, rows: std::ops::Range<usize>) -> f64 {
    let band = &gray[rows.start * width..rows.end * width];
    band.iter().map(|&v| f64::from(v)).sum::<f64>() / band.len() as f64
}

#[test]
fn a_whole_video_reframe_crops_inside_a_letterboxed_picture() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("letterboxed.mp4");
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x540:rate=25:duration=6"])
        .args(["-f", "lavfi", "-i", "sine=frequency=300:duration=6", "-vf", "pad=1280:720:0:90:black,setsar=1"])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&source)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    let out = dir.path().join("out");
    let options = ClipOptions { loudness: None, ..ClipOptions::default() };
    let manifest = opusclip_service::kinds::run_whole_video(&source, &out, true, &options, None, &NoProgress)
        .expect("the whole video is reframed without words");
    let video = out.join(manifest["video"].as_str().expect("the reframed video"));
    for at in ["1.0", "4.0"] {
        let frame = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-ss", at, "-i"])
            .arg(&video)
            .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
            .output()
            .expect("ffmpeg runs")
            .stdout;
        assert_eq!(frame.len(), 1080 * 1920, "a 1080x1920 frame");
        let (top, bottom) = (mean_luma(&frame, 1080, 0..60), mean_luma(&frame, 1080, 1860..1920));
        assert!(top > 30.0 && bottom > 30.0, "at {at} s a black bar shows: top {top:.1}, bottom {bottom:.1}");
    }
}
