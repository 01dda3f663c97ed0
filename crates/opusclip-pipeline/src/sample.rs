//! A sample talk made from nothing but espeak-ng and FFmpeg: synthesized sentences (so the SRT
//! holds their real times), a picture with a moving subject and a hard cut. `opusclip demo`
//! shows the product with it; tests and benchmarks use it as input with known truth.

use crate::atomic;
use opusclip_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The demo's script: paragraphs of sentences, with a question and its answer.
pub const SCRIPT: &[&[&str]] = &[
    &[
        "Welcome back to the show.",
        "Today we are talking about how small teams ship video every single day.",
        "Most creators record an hour and post nothing, because editing takes forever.",
    ],
    &[
        "So why do short clips matter so much?",
        "Here is the answer.",
        "A thirty second clip reaches people who would never watch a full hour.",
        "One good moment can bring you ten thousand new viewers in a week.",
    ],
    &[
        "The secret is to cut on whole sentences.",
        "Never start a clip in the middle of a thought.",
        "Your audience can feel it when a sentence is chopped in half.",
        "Start with a question, end on the payoff, and keep the speaker in the frame.",
    ],
    &[
        "Captions matter too.",
        "Most people watch with the sound off, on a phone, on a train.",
        "Large words that light up as they are spoken keep the eye on the screen.",
        "Keep them inside the safe area, so the buttons of the app do not cover them.",
    ],
    &[
        "Let me tell you about a mistake I made.",
        "For two years I posted full episodes and nothing else.",
        "Our channel grew by eleven people in that time.",
        "Then we posted one clip of a guest laughing at her own story, and it was shared four thousand times.",
    ],
    &[
        "Is it about luck?",
        "No, it is about the first three seconds.",
        "If the opening line makes a promise, people stay to hear it kept.",
        "A number, a question, or a bold claim all make that promise.",
        "Boring openings lose half the viewers before the point arrives.",
    ],
    &[
        "Framing is the part most tools get wrong.",
        "The crop shakes, or it follows the wrong person, or it jumps between faces every second.",
        "A good crop holds still while the speaker holds still, and moves only when it has to.",
    ],
    &[
        "What should you do first?",
        "Pick your three best stories and clip them tonight.",
        "Post one every day this week and watch what your audience does.",
        "Then do it again with what you learned.",
        "Thanks for listening, and see you next time.",
    ],
];

/// A sentence of the talk: spoken start, end and text.
pub type Cue = (f64, f64, String);

/// Sample rate espeak-ng writes.
const SPEECH_RATE: u32 = 22_050;
/// Silence between sentences and between paragraphs, seconds.
const SENTENCE_GAP: f64 = 0.35;
const PARAGRAPH_GAP: f64 = 0.9;

/// The files of a generated sample talk.
#[derive(Debug, Clone)]
pub struct SampleTalk {
    pub video: PathBuf,
    pub srt: PathBuf,
    pub duration: f64,
    /// Each sentence with its spoken start and end.
    pub cues: Vec<Cue>,
}

/// Options for the sample talk.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// Repeat the script until the talk lasts at least this long (seconds); 0 = once.
    pub min_duration: f64,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Use only the first N paragraphs of the script (`None`: all).
    pub paragraphs: Option<usize>,
    /// Encode like a camera recording, not like a drawing: film grain on every pixel and
    /// x264 at a constant 6 Mb/s, so that decoding and encoding cost what a real 1080p talk
    /// costs (the flat picture alone compresses to ~25 kb/s and is decoded many times faster).
    pub camera_like: bool,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions { min_duration: 0.0, width: 1920, height: 1080, fps: 30, paragraphs: None, camera_like: false }
    }
}

fn tool_missing(tool: &str, package: &str) -> Error {
    Error::invalid_input(format!(
        "{tool} is needed to make the sample talk but was not found: install it (`apt-get install {package}`) or run `make demo`"
    ))
}

/// Synthesize one sentence to 16-bit mono PCM at [`SPEECH_RATE`].
fn speak(sentence: &str, scratch: &Path) -> Result<Vec<i16>> {
    let wav = scratch.join("sentence.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(&wav)
        .arg(sentence)
        .status()
        .map_err(|_| tool_missing("espeak-ng", "espeak-ng"))?;
    if !status.success() {
        return Err(Error::video(format!("espeak-ng failed on {sentence:?}")));
    }
    let bytes = std::fs::read(&wav).map_err(|e| Error::io("read", &wav, e))?;
    pcm_of_wav(&bytes).ok_or_else(|| Error::video("espeak-ng wrote an unexpected WAV file"))
}

/// The samples of a 16-bit mono WAV file.
fn pcm_of_wav(bytes: &[u8]) -> Option<Vec<i16>> {
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let body = at + 8;
        if id == b"data" {
            let end = (body + size).min(bytes.len());
            return Some(bytes[body..end].chunks_exact(2).map(|p| i16::from_le_bytes([p[0], p[1]])).collect());
        }
        at = body + size + (size & 1);
    }
    None
}

/// First and one-past-last sample louder than a whisper.
fn voiced_span(samples: &[i16]) -> (usize, usize) {
    let loud = |s: &i16| s.unsigned_abs() > 600;
    let first = samples.iter().position(loud).unwrap_or(0);
    let last = samples.iter().rposition(loud).map_or(samples.len(), |i| i + 1);
    (first, last.max(first))
}

fn wav_bytes(samples: &[i16], rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

fn srt_time(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round() as u64;
    format!("{:02}:{:02}:{:02},{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// Build the speech track of one pass over the script, and its cues.
fn build_speech(options: &SampleOptions, scratch: &Path) -> Result<(Vec<i16>, Vec<Cue>)> {
    let rate = f64::from(SPEECH_RATE);
    let mut track: Vec<i16> = vec![0; (0.5 * rate) as usize];
    let mut cues = Vec::new();
    for paragraph in SCRIPT.iter().take(options.paragraphs.unwrap_or(SCRIPT.len())) {
        for sentence in *paragraph {
            let samples = speak(sentence, scratch)?;
            let (first, last) = voiced_span(&samples);
            let start = track.len() as f64 / rate;
            track.extend_from_slice(&samples[first..last]);
            cues.push((start, track.len() as f64 / rate, sentence.to_string()));
            track.extend(std::iter::repeat_n(0, (SENTENCE_GAP * rate) as usize));
        }
        track.extend(std::iter::repeat_n(0, ((PARAGRAPH_GAP - SENTENCE_GAP) * rate) as usize));
    }
    Ok((track, cues))
}

/// Make `talk.mp4` and `talk.srt` in `dir`.
pub fn make_sample_talk(dir: &Path, options: &SampleOptions) -> Result<SampleTalk> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let scratch =
        tempfile::tempdir().map_err(|e| Error::io("create a temporary directory in", std::env::temp_dir(), e))?;
    let (track, cues) = build_speech(options, scratch.path())?;
    let duration = track.len() as f64 / f64::from(SPEECH_RATE);
    let wav = scratch.path().join("speech.wav");
    std::fs::write(&wav, wav_bytes(&track, SPEECH_RATE)).map_err(|e| Error::io("write", &wav, e))?;
    let srt_path = dir.join("talk.srt");
    let video = dir.join("talk.mp4");
    let repeats = if duration > 0.0 { (options.min_duration / duration).ceil().max(1.0) as usize } else { 1 };
    if repeats == 1 {
        encode_picture(&wav, &video, duration, options)?;
        write_srt(&srt_path, &cues)?;
        return Ok(SampleTalk { video, srt: srt_path, duration, cues });
    }
    // A long talk is one pass encoded once, then joined end to end without re-encoding.
    let pass_dir = scratch.path().join("pass");
    std::fs::create_dir_all(&pass_dir).map_err(|e| Error::io("create", &pass_dir, e))?;
    let pass = SampleTalk { video: pass_dir.join("talk.mp4"), srt: srt_path.clone(), duration, cues };
    encode_picture(&wav, &pass.video, duration, options)?;
    loop_talk(&pass, repeats, dir)
}

/// `copies` copies of the talk `pass` end to end as `dir/talk.mp4` (streams copied, not
/// re-encoded) with `dir/talk.srt` holding every copy's sentences at their new times.
pub fn loop_talk(pass: &SampleTalk, copies: usize, dir: &Path) -> Result<SampleTalk> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let copies = copies.max(1);
    let pass_duration = probe_duration(&pass.video).unwrap_or(pass.duration);
    let video = dir.join("talk.mp4");
    join_copies(&pass.video, copies, &video)?;
    let all_cues: Vec<Cue> = (0..copies)
        .flat_map(|copy| {
            let offset = copy as f64 * pass_duration;
            pass.cues.iter().map(move |(start, end, text)| (start + offset, end + offset, text.clone()))
        })
        .collect();
    let srt = dir.join("talk.srt");
    write_srt(&srt, &all_cues)?;
    Ok(SampleTalk { video, srt, duration: pass_duration * copies as f64, cues: all_cues })
}

fn write_srt(path: &Path, cues: &[Cue]) -> Result<()> {
    let srt: String = cues
        .iter()
        .enumerate()
        .map(|(i, (start, end, text))| format!("{}\n{} --> {}\n{}\n\n", i + 1, srt_time(*start), srt_time(*end), text))
        .collect();
    atomic::write(path, srt.as_bytes())
}

fn probe_duration(video: &Path) -> Option<f64> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(video)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// `copies` copies of `pass` end to end, streams copied (the concat demuxer).
fn join_copies(pass: &Path, copies: usize, video: &Path) -> Result<()> {
    let list = atomic::partial_path(video).with_extension("txt");
    let pass = std::path::absolute(pass).map_err(|e| Error::io("resolve", pass, e))?;
    let line = format!("file '{}'\n", pass.display().to_string().replace('\'', "'\\''"));
    std::fs::write(&list, line.repeat(copies)).map_err(|e| Error::io("write", &list, e))?;
    let mut command = Command::new("ffmpeg");
    command.args(["-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i"]).arg(&list);
    command.args(["-c", "copy", "-movflags", "+faststart"]);
    let joined = ffmpeg_into(command, video, "join the sample talk");
    let _ = std::fs::remove_file(&list);
    joined
}

/// Run an ffmpeg `command` whose last argument will be a temporary sibling of `video`, then
/// rename it into place; on failure remove it and report ffmpeg's last line.
fn ffmpeg_into(mut command: Command, video: &Path, what: &str) -> Result<()> {
    let partial = atomic::partial_path(video).with_extension("mp4");
    let output = command.arg(&partial).output().map_err(|_| tool_missing("ffmpeg", "ffmpeg"))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(Error::video(format!(
            "ffmpeg could not {what}: {}",
            String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("")
        )));
    }
    std::fs::rename(&partial, video).map_err(|e| Error::io("rename into place", video, e))
}

/// A dark stage with a warm "speaker" that sways gently around the centre, a hard cut to another colour
/// at 55 % of the talk, and the speech as AAC; with `camera_like`, grain and a camera's bitrate.
fn encode_picture(wav: &Path, video: &Path, duration: f64, options: &SampleOptions) -> Result<()> {
    let (w, h, fps) = (options.width, options.height, options.fps);
    let cut = (duration * 0.55).round();
    let subject_w = w / 5;
    let subject_h = h * 5 / 9;
    let graph = format!(
        "color=c=0x1d2b3a:s={w}x{h}:r={fps}:d={duration:.3}[stage];\
         color=c=0x3a2b1d:s={w}x{h}:r={fps}:d={duration:.3}[stage2];\
         color=c=0xe0a060:s={subject_w}x{subject_h}:r={fps}:d={duration:.3}[body];\
         color=c=0xf0d0b0:s={head}x{head}:r={fps}:d={duration:.3}[head];\
         [stage][stage2]overlay=enable='gte(t,{cut})'[set];\
         [body][head]overlay=x=(W-w)/2:y=0[speaker];\
         [set][speaker]overlay=x='(W-w)/2+W/20*sin(t/7)':y=H-h:eval=frame,format=yuv420p{grain}[v]",
        head = subject_w * 3 / 5,
        grain = if options.camera_like { ",noise=alls=12:allf=t+u" } else { "" },
    );
    let mut command = Command::new("ffmpeg");
    command.args(["-nostdin", "-v", "error", "-y", "-filter_complex", &graph, "-i"]).arg(wav);
    command.args(["-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast"]);
    if options.camera_like {
        command.args(["-b:v", "6M", "-maxrate", "6M", "-bufsize", "12M"]);
    } else {
        command.args(["-crf", "26"]);
    }
    command.args(["-g", &(fps * 2).to_string(), "-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart"]);
    ffmpeg_into(command, video, "make the sample video")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trip_and_voiced_span() {
        let samples: Vec<i16> = [0, 0, 5000, -7000, 100, 0].to_vec();
        let bytes = wav_bytes(&samples, 22_050);
        assert_eq!(pcm_of_wav(&bytes).unwrap(), samples);
        assert_eq!(voiced_span(&samples), (2, 4));
    }

    #[test]
    fn srt_times_are_formatted() {
        assert_eq!(srt_time(3723.0456), "01:02:03,046");
    }

    #[test]
    fn script_has_a_question_and_its_answer() {
        let all: Vec<&str> = SCRIPT.iter().flat_map(|p| p.iter().copied()).collect();
        let question = all.iter().position(|s| s.ends_with('?')).unwrap();
        assert!(all[question + 1].contains("answer"));
    }
}
