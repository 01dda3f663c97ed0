//! Projects for the writers' unit tests.

use crate::{Caption, Marker, Motion, MotionPath, Project, Rate, SourceMedia, TimelineClip};

pub fn source(path: &str) -> SourceMedia {
    SourceMedia { path: path.to_string(), width: 1280, height: 720, has_audio: true, duration_frames: 1500 }
}

/// Two clips of `/media/talk & co.mp4` at 25 fps in a 1080x1920 frame: 100–350 panning right
/// with a hook marker and two captions, then 700–900 holding still with one caption.
pub fn two_clip_project() -> Project {
    let motion = |frame, offset_x| Motion { frame, scale: 2.6667, offset_x, offset_y: 0.0 };
    let caption = |start, end, text: &str| Caption { start, end, text: text.to_string() };
    let first = TimelineClip {
        name: "clip-01 Why <pricing> fails".into(),
        source: source("/media/talk & co.mp4"),
        source_in: 100,
        source_out: 350,
        motion: MotionPath { keyframes: vec![motion(0, 400.0), motion(125, -200.0)], note: None },
        captions: vec![caption(0, 25, "first words"), caption(30, 60, "then more")],
        markers: vec![Marker { at: 0, duration: 75, name: "Hook".into(), note: "a question, +6 dB".into() }],
    };
    let second = TimelineClip {
        name: "clip-02".into(),
        source: source("/media/talk & co.mp4"),
        source_in: 700,
        source_out: 900,
        motion: MotionPath { keyframes: vec![motion(0, 0.0)], note: None },
        captions: vec![caption(25, 50, "second clip")],
        markers: Vec::new(),
    };
    Project {
        name: "talk highlights".into(),
        rate: Rate { timebase: 25, ntsc: false },
        width: 1080,
        height: 1920,
        clips: vec![first, second],
    }
}
