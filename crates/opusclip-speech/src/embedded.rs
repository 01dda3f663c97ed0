//! Subtitle streams inside a media file (mov_text in MP4, SubRip/WebVTT/ASS in Matroska, ...),
//! converted to SRT by the `ffmpeg` command-line tool and parsed into [`Cue`]s.

use crate::subtitles::{parse_srt, Cue};
use opusclip_core::{Error, Result};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

/// Subtitle codecs that are pictures, not text: they would need OCR.
const BITMAP_SUBTITLE_CODECS: [&str; 4] = ["hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle", "xsub"];

/// One subtitle stream of a file, as ffprobe lists it.
#[derive(Debug, Clone, PartialEq)]
struct SubtitleStream {
    /// Absolute stream index in the file.
    index: usize,
    codec: String,
}

/// Reads the cues of a text subtitle stream of `input` with the `ffmpeg` CLI.
///
/// `stream_index` is the absolute stream index (as ffprobe numbers streams); `None` takes the
/// first subtitle stream. Returns `Ok(None)` when the file has no subtitle stream and
/// `Ok(Some(vec![]))` for a subtitle stream without cues. A stream index that is not a subtitle
/// stream is [`Error::InvalidInput`]; a bitmap stream (PGS, VobSub, DVB) is [`Error::Transcript`].
pub fn extract_embedded_subtitles(input: &Path, stream_index: Option<usize>) -> Result<Option<Vec<Cue>>> {
    if !input.is_file() {
        return Err(Error::invalid_input(format!("input file {} does not exist or is not a file", input.display())));
    }
    let streams = list_subtitle_streams(input)?;
    let Some(stream) = choose_stream(input, &streams, stream_index)? else {
        return Ok(None);
    };
    if BITMAP_SUBTITLE_CODECS.contains(&stream.codec.as_str()) {
        return Err(bitmap_stream_error(input, stream));
    }
    let srt_text = convert_stream_to_srt(input, stream.index)?;
    if srt_text.trim().is_empty() {
        return Ok(Some(Vec::new()));
    }
    parse_srt(&srt_text)
        .map(Some)
        .map_err(|error| Error::transcript(format!("subtitle stream {} of {}: {error}", stream.index, input.display())))
}

fn choose_stream<'a>(
    input: &Path,
    streams: &'a [SubtitleStream],
    stream_index: Option<usize>,
) -> Result<Option<&'a SubtitleStream>> {
    let Some(wanted) = stream_index else {
        return Ok(streams.first());
    };
    match streams.iter().find(|stream| stream.index == wanted) {
        Some(stream) => Ok(Some(stream)),
        None => {
            let available: Vec<usize> = streams.iter().map(|stream| stream.index).collect();
            Err(Error::invalid_input(format!(
                "stream {wanted} of {} is not a subtitle stream; its subtitle streams are {available:?} \
                 (pass one of those, or none to take the first)",
                input.display()
            ))
            .with_details(json!({ "stream_index": wanted, "subtitle_streams": available })))
        }
    }
}

fn bitmap_stream_error(input: &Path, stream: &SubtitleStream) -> Error {
    Error::transcript(format!(
        "subtitle stream {} of {} is a bitmap format ({}), which would need OCR; supply an SRT or \
         WebVTT file instead, or let speech recognition make the transcript",
        stream.index,
        input.display(),
        stream.codec
    ))
}

/// Lists the subtitle streams with `ffprobe`.
fn list_subtitle_streams(input: &Path) -> Result<Vec<SubtitleStream>> {
    let mut command = Command::new("ffprobe");
    command
        .args(["-v", "error", "-select_streams", "s"])
        .args(["-show_entries", "stream=index,codec_name", "-of", "csv=p=0"])
        .arg(input);
    let output = run_tool(command, "ffprobe")?;
    if !output.status.success() {
        return Err(tool_failure("ffprobe", input, &output));
    }
    Ok(parse_stream_list(&String::from_utf8_lossy(&output.stdout)))
}

/// Parses ffprobe's `index,codec_name` lines.
fn parse_stream_list(csv: &str) -> Vec<SubtitleStream> {
    csv.lines()
        .filter_map(|line| {
            let (index, codec) = line.trim().split_once(',').unwrap_or((line.trim(), ""));
            Some(SubtitleStream { index: index.trim().parse().ok()?, codec: codec.trim().to_string() })
        })
        .collect()
}

/// Converts one stream to SRT text with `ffmpeg`, captured from its standard output.
fn convert_stream_to_srt(input: &Path, stream_index: usize) -> Result<String> {
    let mut command = Command::new("ffmpeg");
    command.args(["-nostdin", "-v", "error", "-i"]).arg(input).args([
        "-map",
        &format!("0:{stream_index}"),
        "-f",
        "srt",
        "-",
    ]);
    let output = run_tool(command, "ffmpeg")?;
    if !output.status.success() {
        return Err(tool_failure("ffmpeg", input, &output));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn run_tool(mut command: Command, tool: &str) -> Result<Output> {
    command.output().map_err(|error| {
        Error::video(format!(
            "could not run {tool}: {error}; install FFmpeg (5.1 or newer) and make sure `{tool}` \
             is on PATH"
        ))
    })
}

fn tool_failure(tool: &str, input: &Path, output: &Output) -> Error {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = stderr.trim();
    Error::video(format!(
        "{tool} could not read the subtitles of {} ({}): {}",
        input.display(),
        output.status,
        if reason.is_empty() { "no message" } else { reason }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subtitles::parse_timestamp;
    use std::path::PathBuf;

    fn shared_media() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/media"))
    }

    fn ffmpeg_available() -> bool {
        Command::new("ffmpeg").arg("-version").output().is_ok()
    }

    /// The expected cues of `file_name` from `talk/subtitles_embedded.txt`, whose lines read
    /// `name (codec): START-END "text" ; START-END "text"`.
    fn expected_cues(listing: &str, file_name: &str) -> Vec<Cue> {
        let line = listing.lines().find(|line| line.starts_with(file_name)).expect("file listed");
        let entries = line.split_once(':').expect("name: entries").1;
        entries
            .split(';')
            .map(|entry| {
                let (times, quoted) = entry.trim().split_once(' ').expect("times and text");
                let (start, end) = times.split_once('-').expect("start-end");
                Cue {
                    start: parse_timestamp(start).expect("start"),
                    end: parse_timestamp(end).expect("end"),
                    text: quoted.trim().trim_matches('"').to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn shared_files_give_their_listed_cues() {
        let talk = shared_media().join("talk");
        let Ok(listing) = std::fs::read_to_string(talk.join("subtitles_embedded.txt")) else {
            eprintln!("skipped: {} is absent (shared media is beside the clone in CI)", talk.display());
            return;
        };
        if !ffmpeg_available() {
            eprintln!("skipped: ffmpeg is not installed");
            return;
        }
        for file_name in ["mov_text.mp4", "webvtt.mkv"] {
            let expected = expected_cues(&listing, file_name);
            let cues = extract_embedded_subtitles(&talk.join(file_name), None)
                .expect("extraction works")
                .expect("the file has a subtitle stream");
            assert_eq!(cues.len(), expected.len(), "{file_name}: {cues:?}");
            for (cue, want) in cues.iter().zip(&expected) {
                assert_eq!(cue.text, want.text, "{file_name}");
                assert!((cue.start - want.start).abs() < 0.002, "{file_name}: {cue:?} vs {want:?}");
                assert!((cue.end - want.end).abs() < 0.002, "{file_name}: {cue:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn explicit_stream_index_must_be_a_subtitle_stream() {
        let file = shared_media().join("talk/mov_text.mp4");
        if !file.is_file() || !ffmpeg_available() {
            eprintln!("skipped: {} or ffmpeg is absent", file.display());
            return;
        }
        let streams = list_subtitle_streams(&file).expect("ffprobe works");
        let first = streams.first().expect("a subtitle stream").index;
        let by_index = extract_embedded_subtitles(&file, Some(first)).expect("works");
        assert_eq!(by_index, extract_embedded_subtitles(&file, None).expect("works"));
        let not_subtitles = (0..100).find(|index| streams.iter().all(|s| s.index != *index));
        let error = extract_embedded_subtitles(&file, not_subtitles).expect_err("not subtitles");
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    }

    #[test]
    fn file_without_subtitle_stream_gives_none() {
        if !ffmpeg_available() {
            eprintln!("skipped: ffmpeg is not installed");
            return;
        }
        let directory = tempfile::tempdir().expect("temp dir");
        let video = directory.path().join("plain.mp4");
        let status = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=10"])
            .arg(&video)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        assert_eq!(extract_embedded_subtitles(&video, None).expect("works"), None);
    }

    #[test]
    fn missing_or_unreadable_input_is_an_error() {
        let error = extract_embedded_subtitles(Path::new("/nonexistent/talk.mp4"), None).expect_err("missing");
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
        if !ffmpeg_available() {
            return;
        }
        let directory = tempfile::tempdir().expect("temp dir");
        let junk = directory.path().join("junk.mp4");
        std::fs::write(&junk, b"this is not a video").expect("write");
        let error = extract_embedded_subtitles(&junk, None).expect_err("not media");
        assert!(matches!(error, Error::VideoProcessing { .. }), "{error:?}");
    }

    #[test]
    fn stream_list_parsing() {
        assert_eq!(
            parse_stream_list("2,mov_text\n3,hdmv_pgs_subtitle\n\ngarbage\n"),
            vec![
                SubtitleStream { index: 2, codec: "mov_text".into() },
                SubtitleStream { index: 3, codec: "hdmv_pgs_subtitle".into() },
            ]
        );
    }
}
