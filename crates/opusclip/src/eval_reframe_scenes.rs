//! The test videos of `opusclip eval reframe`: real GRID speakers (360x288, 3 s each) scaled
//! 1.5× and overlaid on a 1920x1080 canvas along scripted paths, so the true face box of every
//! frame is known — it is where the face was put (the face's place inside each GRID clip was
//! marked by hand once), never what a detector says.

use opusclip_core::{BoxF, Error, Result};
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

/// Canvas size and frame rate of every scene.
pub const CANVAS: (u32, u32) = (1920, 1080);
pub const FPS: f64 = 25.0;
/// GRID clips are scaled by this much (360x288 → 540x432).
const SCALE: f64 = 1.5;
/// Top of every overlaid speaker on the canvas.
const OVERLAY_Y: f64 = 324.0;
/// Length of one GRID clip, seconds (75 frames).
const CLIP_SECONDS: f64 = 3.0;
/// A turn of the turn-taking scene: the talker's clip played twice (two sentences).
const TURN_REPEATS: u32 = 2;
const TURN_SECONDS: f64 = CLIP_SECONDS * TURN_REPEATS as f64;
/// Frames of one turn at [`FPS`].
const TURN_FRAMES: u32 = 150;
/// Frames of a GRID clip's silent start played forward and back as a listener's idle video.
const IDLE_FRAMES: u32 = 10;

/// A GRID speaker: the clip and the face's box inside its 360x288 picture (marked by hand,
/// forehead to chin and ear to ear, over the whole clip).
#[derive(Debug, Clone, Copy)]
pub struct Speaker {
    pub clip: &'static str,
    face: (f64, f64, f64, f64),
}

/// The speakers used: two men and two women.
pub const SPEAKERS: [Speaker; 4] = [
    Speaker { clip: "bbaf2n.mpg", face: (85.0, 70.0, 130.0, 170.0) },
    Speaker { clip: "lbbc2a.mpg", face: (120.0, 95.0, 150.0, 170.0) },
    Speaker { clip: "lbax4n.mpg", face: (110.0, 50.0, 150.0, 195.0) },
    Speaker { clip: "brbk7n.mpg", face: (105.0, 95.0, 115.0, 150.0) },
];

impl Speaker {
    /// The face's box on the canvas when the clip's top-left corner is at `(x, OVERLAY_Y)`.
    fn face_at(&self, x: f64) -> BoxF {
        let (fx, fy, fw, fh) = self.face;
        BoxF { x: x + fx * SCALE, y: OVERLAY_Y + fy * SCALE, w: fw * SCALE, h: fh * SCALE }
    }
}

/// The scripted paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SceneKind {
    /// One speaker who does not move.
    Still,
    /// One speaker drifting slowly from left to right across the canvas.
    Drift,
    /// One speaker who jumps from the left to the right half at mid-time (no cut).
    Jump,
    /// Two speakers, left and right, taking 6 s turns (their clip twice) with their own
    /// voices; the listener shows an idle loop of their silent start.
    Turns,
    /// One speaker in a first shot, a cut, another speaker elsewhere on another background.
    Cut,
    /// Three speakers side by side (a round table filmed wide) taking 6 s turns from the
    /// left, as in [`SceneKind::Turns`].
    Trio,
}

impl SceneKind {
    pub const ALL: [SceneKind; 6] =
        [SceneKind::Still, SceneKind::Drift, SceneKind::Jump, SceneKind::Turns, SceneKind::Cut, SceneKind::Trio];

    pub fn name(self) -> &'static str {
        match self {
            SceneKind::Still => "still",
            SceneKind::Drift => "drift",
            SceneKind::Jump => "jump",
            SceneKind::Turns => "turns",
            SceneKind::Cut => "cut",
            SceneKind::Trio => "trio",
        }
    }

    /// Default length in seconds.
    pub fn default_seconds(self) -> f64 {
        match self {
            SceneKind::Still | SceneKind::Drift => 15.0,
            SceneKind::Jump | SceneKind::Cut => 12.0,
            SceneKind::Turns => 24.0,
            SceneKind::Trio => 18.0,
        }
    }
}

/// One scene: a kind and a length (turns and trio: a whole number of 6 s turns, at least one
/// per speaker).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scene {
    pub kind: SceneKind,
    pub seconds: f64,
}

/// The faces on the canvas at one moment, and which one is the subject (the speaker).
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub faces: Vec<BoxF>,
    pub subject: usize,
}

impl SceneKind {
    /// The speakers of a turn-taking scene, left to right: which of [`SPEAKERS`] and the left
    /// edge of their clip on the canvas. Empty for the one-speaker scenes.
    fn party(self) -> &'static [(usize, f64)] {
        match self {
            SceneKind::Turns => &[(0, 150.0), (1, 1230.0)],
            SceneKind::Trio => &[(0, 60.0), (1, 690.0), (2, 1320.0)],
            _ => &[],
        }
    }
}

impl Scene {
    pub fn new(kind: SceneKind, seconds: Option<f64>) -> Scene {
        let seconds = seconds.unwrap_or(kind.default_seconds());
        let seconds = match kind {
            SceneKind::Turns | SceneKind::Trio => {
                let speakers = kind.party().len() as f64;
                (seconds / TURN_SECONDS).round().max(speakers) * TURN_SECONDS
            }
            _ => seconds,
        };
        Scene { kind, seconds }
    }

    /// A file name that changes with the recipe, for caching.
    pub fn file_name(&self) -> String {
        format!("reframe-{}-{}s-v2.mp4", self.kind.name(), self.seconds)
    }

    /// Where the (first) speaker's clip is at `t`, left edge on the canvas.
    fn speaker_x(&self, t: f64) -> f64 {
        let half = self.seconds / 2.0;
        match self.kind {
            SceneKind::Still => 300.0,
            SceneKind::Drift => 100.0 + 1180.0 * t / self.seconds,
            SceneKind::Jump | SceneKind::Cut => {
                if t < half {
                    200.0
                } else {
                    1200.0
                }
            }
            SceneKind::Turns | SceneKind::Trio => self.kind.party()[0].1,
        }
    }

    /// The true faces at clip time `t` and the subject among them.
    pub fn truth(&self, t: f64) -> Truth {
        let first = SPEAKERS[0].face_at(self.speaker_x(t));
        match self.kind {
            SceneKind::Still | SceneKind::Drift | SceneKind::Jump => Truth { faces: vec![first], subject: 0 },
            SceneKind::Cut if t >= self.seconds / 2.0 => {
                Truth { faces: vec![SPEAKERS[2].face_at(self.speaker_x(t))], subject: 0 }
            }
            SceneKind::Cut => Truth { faces: vec![first], subject: 0 },
            SceneKind::Turns | SceneKind::Trio => {
                let party = self.kind.party();
                let turn = (t / TURN_SECONDS).floor().max(0.0) as usize;
                Truth {
                    faces: party.iter().map(|&(speaker, x)| SPEAKERS[speaker].face_at(x)).collect(),
                    subject: turn % party.len(),
                }
            }
        }
    }

    /// The time of every frame of the scene.
    pub fn frame_times(&self) -> Vec<f64> {
        let frames = (self.seconds * FPS).round() as usize;
        (0..frames).map(|n| n as f64 / FPS).collect()
    }

    /// Make the scene's video at `output` from the GRID clips in `grid`.
    pub fn generate(&self, grid: &Path, output: &Path) -> Result<()> {
        let clip = |speaker: usize| grid.join(SPEAKERS[speaker].clip).into_os_string();
        let seconds = format_seconds(self.seconds);
        let loops = ((self.seconds / CLIP_SECONDS).ceil() as i64).to_string();
        let canvas = |colour: &str, duration: f64| {
            format!("color=c={colour}:s={}x{}:r={FPS}:d={}", CANVAS.0, CANVAS.1, format_seconds(duration))
        };
        let mut args: Vec<OsString> = Vec::new();
        let graph = match self.kind {
            SceneKind::Still | SceneKind::Drift | SceneKind::Jump => {
                let x = match self.kind {
                    SceneKind::Still => "300".to_string(),
                    SceneKind::Drift => format!("100+1180*t/{seconds}"),
                    _ => format!("if(lt(t,{}),200,1200)", format_seconds(self.seconds / 2.0)),
                };
                push_all(&mut args, &["-f", "lavfi", "-i", &canvas("0x34404c", self.seconds)]);
                push_all(&mut args, &["-stream_loop", &loops, "-i"]);
                args.push(clip(0));
                format!(
                    "[1:v]fps={FPS},scale=540:432,setsar=1,setpts=PTS-STARTPTS[face];\
                     [0:v][face]overlay=x='{x}':y={OVERLAY_Y}:eval=frame[v];\
                     [1:a]aresample=48000,apad[a]"
                )
            }
            SceneKind::Cut => {
                let half = self.seconds / 2.0;
                push_all(&mut args, &["-f", "lavfi", "-i", &canvas("0x34404c", half)]);
                push_all(&mut args, &["-f", "lavfi", "-i", &canvas("0x5c4a30", half)]);
                for speaker in [0, 2] {
                    push_all(&mut args, &["-stream_loop", &loops, "-i"]);
                    args.push(clip(speaker));
                }
                let half = format_seconds(half);
                format!(
                    "[2:v]fps={FPS},scale=540:432,setsar=1,setpts=PTS-STARTPTS[first];\
                     [3:v]fps={FPS},scale=540:432,setsar=1,setpts=PTS-STARTPTS[second];\
                     [0:v][first]overlay=x=200:y={OVERLAY_Y}:shortest=1[shot1];\
                     [1:v][second]overlay=x=1200:y={OVERLAY_Y}:shortest=1[shot2];\
                     [shot1][shot2]concat=n=2:v=1:a=0[v];\
                     [2:a]aresample=48000,apad=whole_dur={half},atrim=0:{half}[a1];\
                     [3:a]aresample=48000,apad=whole_dur={half},atrim=0:{half}[a2];\
                     [a1][a2]concat=n=2:v=0:a=1[a]"
                )
            }
            SceneKind::Turns | SceneKind::Trio => {
                push_all(&mut args, &["-f", "lavfi", "-i", &canvas("0x34404c", self.seconds)]);
                for &(speaker, _) in self.kind.party() {
                    args.extend(["-i".into(), clip(speaker)]);
                }
                self.turns_graph()
            }
        };
        push_all(&mut args, &["-filter_complex", &graph, "-map", "[v]", "-map", "[a]", "-t", &seconds]);
        push_all(&mut args, &["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]);
        push_all(&mut args, &["-c:a", "aac", "-b:a", "128k"]);
        let partial = output.with_extension("partial.mp4");
        args.push(partial.clone().into_os_string());
        let result = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y"])
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::video(format!("could not run ffmpeg to make a test scene: {e}")))?;
        if !result.status.success() {
            let _ = std::fs::remove_file(&partial);
            return Err(Error::video(format!(
                "ffmpeg could not make the {} scene: {}",
                self.kind.name(),
                String::from_utf8_lossy(&result.stderr).trim()
            )));
        }
        std::fs::rename(&partial, output).map_err(|e| Error::io("rename", output, e))
    }

    /// The speakers' videos made of 6 s pieces (their clip twice while talking, an idle loop
    /// while listening) overlaid from left to right, and the talker's audio of each turn.
    fn turns_graph(&self) -> String {
        let party = self.kind.party();
        let turns = (self.seconds / TURN_SECONDS).round() as usize;
        let samples_per_clip = (48_000.0 * CLIP_SECONDS) as u32;
        let repeats = TURN_REPEATS - 1;
        let mut graph = String::new();
        let mut audio_labels = vec![String::new(); turns];
        for speaker in 0..party.len() {
            let input = speaker + 1;
            let talks: Vec<usize> = (0..turns).filter(|turn| turn % party.len() == speaker).collect();
            let listens = turns - talks.len();
            let p = format!("s{speaker}");
            graph.push_str(&format!(
                "[{input}:v]fps={FPS},scale=540:432,setsar=1,setpts=PTS-STARTPTS,split=2[{p}talk][{p}idle];\
                 [{p}talk]loop=loop={repeats}:size=75:start=0,setpts=N/{FPS}/TB,split={}{};\
                 [{p}idle]trim=end_frame={IDLE_FRAMES},setpts=PTS-STARTPTS,split[{p}fw][{p}rv0];[{p}rv0]reverse[{p}rv];\
                 [{p}fw][{p}rv]concat=n=2:v=1:a=0,loop=loop=-1:size={}:start=0,trim=end_frame={TURN_FRAMES},\
                 setpts=N/{FPS}/TB,split={}{};",
                talks.len(),
                labels(&p, "t", talks.len()),
                2 * IDLE_FRAMES,
                listens,
                labels(&p, "i", listens),
            ));
            let (mut talk, mut idle) = (0, 0);
            let mut pieces = String::new();
            for turn in 0..turns {
                if turn % party.len() == speaker {
                    pieces.push_str(&format!("[{p}t{talk}]"));
                    talk += 1;
                } else {
                    pieces.push_str(&format!("[{p}i{idle}]"));
                    idle += 1;
                }
            }
            graph.push_str(&format!("{pieces}concat=n={turns}:v=1:a=0[{p}video];"));
            graph.push_str(&format!(
                "[{input}:a]aresample=48000,apad=whole_dur={CLIP_SECONDS},atrim=0:{CLIP_SECONDS},\
                 aloop=loop={repeats}:size={samples_per_clip},asetpts=N/SR/TB,asplit={}{};",
                talks.len(),
                labels(&p, "a", talks.len())
            ));
            for (index, turn) in talks.iter().enumerate() {
                audio_labels[*turn] = format!("[{p}a{index}]");
            }
        }
        let mut below = "0:v".to_string();
        for (speaker, &(_, x)) in party.iter().enumerate() {
            let above = if speaker + 1 == party.len() { "v".to_string() } else { format!("over{speaker}") };
            graph.push_str(&format!("[{below}][s{speaker}video]overlay=x={x}:y={OVERLAY_Y}[{above}];"));
            below = above;
        }
        graph.push_str(&format!("{}concat=n={turns}:v=0:a=1[a]", audio_labels.concat()));
        graph
    }
}

fn labels(prefix: &str, kind: &str, count: usize) -> String {
    (0..count).map(|index| format!("[{prefix}{kind}{index}]")).collect()
}

fn push_all(args: &mut Vec<OsString>, values: &[&str]) {
    args.extend(values.iter().map(OsString::from));
}

fn format_seconds(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_follows_the_script() {
        let jump = Scene::new(SceneKind::Jump, None);
        assert_eq!(jump.truth(5.96).faces[0].x, 200.0 + 85.0 * 1.5);
        assert_eq!(jump.truth(6.0).faces[0].x, 1200.0 + 85.0 * 1.5);
        let turns = Scene::new(SceneKind::Turns, Some(20.0));
        assert_eq!(turns.seconds, 18.0);
        assert_eq!((turns.truth(1.0).subject, turns.truth(7.0).subject, turns.truth(12.5).subject), (0, 1, 0));
        let drift = Scene::new(SceneKind::Drift, Some(10.0));
        assert!((drift.truth(5.0).faces[0].x - (690.0 + 127.5)).abs() < 1e-9);
        assert_eq!(Scene::new(SceneKind::Still, None).frame_times().len(), 375);
    }

    #[test]
    fn turns_graph_alternates_talk_and_idle() {
        let graph = Scene::new(SceneKind::Turns, Some(24.0)).turns_graph();
        assert!(graph.contains("[s0t0][s0i0][s0t1][s0i1]concat=n=4"), "{graph}");
        assert!(graph.contains("[s1i0][s1t0][s1i1][s1t1]concat=n=4"), "{graph}");
        assert!(graph.contains("[s0a0][s1a0][s0a1][s1a1]concat=n=4:v=0:a=1[a]"), "{graph}");
        assert!(graph.contains("[0:v][s0video]overlay=x=150:y=324[over0];[over0][s1video]overlay=x=1230:y=324[v];"));
        let trio = Scene::new(SceneKind::Trio, None);
        assert_eq!(trio.seconds, 18.0);
        assert_eq!((trio.truth(1.0).subject, trio.truth(7.0).subject, trio.truth(13.0).subject), (0, 1, 2));
        let graph = trio.turns_graph();
        assert!(graph.contains("[s2i0][s2i1][s2t0]concat=n=3"), "{graph}");
        assert!(graph.contains("[s0a0][s1a0][s2a0]concat=n=3:v=0:a=1[a]"), "{graph}");
    }
}
