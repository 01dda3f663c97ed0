//! Which H.264 encoder a render uses. x264 is the default: it is on every ffmpeg build and gives
//! the same bytes on every machine. `OPUSCLIP_ENCODER` can ask for a hardware encoder — NVENC
//! (NVIDIA), VAAPI (Intel/AMD on Linux) or Quick Sync — by name, or `auto` for the first of them
//! that encodes a test frame here; `auto` falls back to x264 when none does, a named one fails
//! with an error that says so.

use opusclip_core::{Error, Result};
use serde_json::json;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable that picks the encoder: `x264` (default), `auto`, `nvenc`, `vaapi`
/// or `qsv`.
pub const ENCODER_VARIABLE: &str = "OPUSCLIP_ENCODER";

/// Encoder threads of x264. Fixed, so that the same job gives the same bytes on any machine
/// (x264's output depends on its thread count).
pub const ENCODER_THREADS: u32 = 2;

/// How long a test encode may take before the encoder counts as absent (a driver that hangs).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The quality every encoder aims at: x264's CRF, and the nearest constant-quality setting of
/// each hardware encoder.
const QUALITY: &str = "23";

/// An H.264 encoder and how ffmpeg is told to use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoEncoder {
    /// libx264, `veryfast`, CRF 23, two threads.
    X264,
    /// NVIDIA's h264_nvenc.
    Nvenc,
    /// h264_vaapi on the DRM render node at the path (e.g. `/dev/dri/renderD128`).
    Vaapi(PathBuf),
    /// Intel Quick Sync's h264_qsv.
    Qsv,
}

/// What `OPUSCLIP_ENCODER` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderChoice {
    X264,
    Auto,
    Nvenc,
    Vaapi,
    Qsv,
}

impl EncoderChoice {
    /// Reads `value` (case-insensitive; empty means the default, x264).
    pub fn parse(value: &str) -> Result<EncoderChoice> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "x264" | "libx264" => Ok(EncoderChoice::X264),
            "auto" => Ok(EncoderChoice::Auto),
            "nvenc" => Ok(EncoderChoice::Nvenc),
            "vaapi" => Ok(EncoderChoice::Vaapi),
            "qsv" => Ok(EncoderChoice::Qsv),
            other => Err(Error::Configuration {
                problems: vec![format!(
                    "{ENCODER_VARIABLE}={other:?}: expected x264 (the default), auto, nvenc, vaapi or qsv"
                )],
            }),
        }
    }
}

impl VideoEncoder {
    /// ffmpeg's name of the encoder.
    pub fn ffmpeg_name(&self) -> &'static str {
        match self {
            VideoEncoder::X264 => "libx264",
            VideoEncoder::Nvenc => "h264_nvenc",
            VideoEncoder::Vaapi(_) => "h264_vaapi",
            VideoEncoder::Qsv => "h264_qsv",
        }
    }

    /// Arguments that go before the inputs: the hardware device, for VAAPI.
    pub(super) fn device_args(&self) -> Vec<OsString> {
        match self {
            VideoEncoder::Vaapi(node) => {
                let mut device = OsString::from("va:");
                device.push(node);
                vec!["-init_hw_device".into(), device, "-filter_hw_device".into(), "va".into()]
            }
            _ => Vec::new(),
        }
    }

    /// The filters that hand a finished yuv420p picture to the encoder: an upload to the GPU for
    /// VAAPI, nothing for the others.
    pub(super) fn upload_filter(&self) -> Option<&'static str> {
        match self {
            VideoEncoder::Vaapi(_) => Some("format=nv12,hwupload"),
            _ => None,
        }
    }

    /// The codec arguments of one output.
    pub(super) fn codec_args(&self) -> Vec<OsString> {
        let args: Vec<String> = match self {
            VideoEncoder::X264 => {
                let threads = ENCODER_THREADS.to_string();
                ["-c:v", "libx264", "-preset", "veryfast", "-crf", QUALITY, "-pix_fmt", "yuv420p", "-threads", &threads]
                    .map(String::from)
                    .to_vec()
            }
            VideoEncoder::Nvenc => [
                "-c:v",
                "h264_nvenc",
                "-preset",
                "p4",
                "-rc",
                "vbr",
                "-cq",
                QUALITY,
                "-b:v",
                "0",
                "-pix_fmt",
                "yuv420p",
            ]
            .map(String::from)
            .to_vec(),
            VideoEncoder::Vaapi(_) => ["-c:v", "h264_vaapi", "-qp", QUALITY].map(String::from).to_vec(),
            VideoEncoder::Qsv => {
                ["-c:v", "h264_qsv", "-preset", "veryfast", "-global_quality", QUALITY, "-pix_fmt", "nv12"]
                    .map(String::from)
                    .to_vec()
            }
        };
        args.into_iter().map(OsString::from).collect()
    }
}

/// The encoder `OPUSCLIP_ENCODER` asks for, detected once per process.
pub fn configured_encoder() -> Result<VideoEncoder> {
    let choice = EncoderChoice::parse(&std::env::var(ENCODER_VARIABLE).unwrap_or_default())?;
    static DETECTED: OnceLock<Vec<VideoEncoder>> = OnceLock::new();
    let working = || DETECTED.get_or_init(|| hardware_candidates().into_iter().filter(encodes_test_frame).collect());
    choose(choice, working)
}

/// The encoder for `choice`, given the hardware encoders that work here (asked only when the
/// choice needs them).
fn choose<'a>(choice: EncoderChoice, working: impl FnOnce() -> &'a Vec<VideoEncoder>) -> Result<VideoEncoder> {
    let wanted = |encoder: &VideoEncoder| match choice {
        EncoderChoice::Nvenc => matches!(encoder, VideoEncoder::Nvenc),
        EncoderChoice::Vaapi => matches!(encoder, VideoEncoder::Vaapi(_)),
        EncoderChoice::Qsv => matches!(encoder, VideoEncoder::Qsv),
        EncoderChoice::X264 | EncoderChoice::Auto => true,
    };
    match choice {
        EncoderChoice::X264 => Ok(VideoEncoder::X264),
        EncoderChoice::Auto => {
            let chosen = working().first().cloned().unwrap_or(VideoEncoder::X264);
            tracing::info!(encoder = chosen.ffmpeg_name(), "render encoder chosen by {ENCODER_VARIABLE}=auto");
            Ok(chosen)
        }
        _ => working().iter().find(|encoder| wanted(encoder)).cloned().ok_or_else(|| {
            let name = format!("{choice:?}").to_ascii_lowercase();
            Error::video(format!(
                "{ENCODER_VARIABLE}={name}, but ffmpeg could not encode a test frame with it here: check the \
                 driver and that ffmpeg was built with it, or set {ENCODER_VARIABLE}=auto (falls back to x264)"
            ))
            .with_details(json!({ "encoder": name }))
        }),
    }
}

/// The hardware encoders worth a test encode, in order of preference: NVENC, Quick Sync, then
/// VAAPI on each DRM render node.
fn hardware_candidates() -> Vec<VideoEncoder> {
    let mut candidates = vec![VideoEncoder::Nvenc, VideoEncoder::Qsv];
    candidates.extend(render_nodes(Path::new("/dev/dri")).into_iter().map(VideoEncoder::Vaapi));
    candidates
}

/// The `renderD*` nodes in `dir`, sorted.
fn render_nodes(dir: &Path) -> Vec<PathBuf> {
    let mut nodes: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| {
                    path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with("renderD"))
                })
                .collect()
        })
        .unwrap_or_default();
    nodes.sort();
    nodes
}

/// Whether ffmpeg encodes a few frames of a test picture with `encoder` within the timeout.
fn encodes_test_frame(encoder: &VideoEncoder) -> bool {
    let mut args = encoder.device_args();
    for arg in ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=0.2", "-vf"] {
        args.push(arg.into());
    }
    args.push(
        encoder.upload_filter().map_or("format=yuv420p".into(), |upload| format!("format=yuv420p,{upload}")).into(),
    );
    args.extend(encoder.codec_args());
    args.extend(["-f".into(), "null".into(), "-".into()]);
    let child = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-v", "error"])
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let deadline = Instant::now() + PROBE_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_reads_every_name_and_rejects_others() {
        assert_eq!(EncoderChoice::parse("").unwrap(), EncoderChoice::X264);
        assert_eq!(EncoderChoice::parse(" NVENC ").unwrap(), EncoderChoice::Nvenc);
        assert_eq!(EncoderChoice::parse("auto").unwrap(), EncoderChoice::Auto);
        let err = EncoderChoice::parse("h265").unwrap_err();
        assert_eq!(err.code().as_str(), "CONFIGURATION_ERROR");
        assert!(format!("{err:?}").contains("OPUSCLIP_ENCODER"), "{err:?}");
    }

    #[test]
    fn x264_never_asks_for_hardware_and_auto_falls_back_to_it() {
        let none = Vec::new();
        let asked = std::cell::Cell::new(false);
        let chosen = choose(EncoderChoice::X264, || {
            asked.set(true);
            &none
        });
        assert_eq!(chosen.unwrap(), VideoEncoder::X264);
        assert!(!asked.get());
        assert_eq!(choose(EncoderChoice::Auto, || &none).unwrap(), VideoEncoder::X264);
    }

    #[test]
    fn auto_takes_the_first_working_hardware_encoder_and_a_named_one_must_work() {
        let working = vec![VideoEncoder::Vaapi("/dev/dri/renderD128".into()), VideoEncoder::Qsv];
        assert_eq!(choose(EncoderChoice::Auto, || &working).unwrap(), working[0]);
        assert_eq!(choose(EncoderChoice::Qsv, || &working).unwrap(), VideoEncoder::Qsv);
        let err = choose(EncoderChoice::Nvenc, || &working).unwrap_err();
        assert!(err.to_string().contains("OPUSCLIP_ENCODER=nvenc"), "{err}");
    }

    #[test]
    fn vaapi_names_its_device_and_uploads_the_picture() {
        let vaapi = VideoEncoder::Vaapi("/dev/dri/renderD129".into());
        assert_eq!(vaapi.device_args()[1], OsString::from("va:/dev/dri/renderD129"));
        assert_eq!(vaapi.upload_filter(), Some("format=nv12,hwupload"));
        assert!(VideoEncoder::X264.device_args().is_empty() && VideoEncoder::X264.upload_filter().is_none());
        let x264: Vec<String> =
            VideoEncoder::X264.codec_args().iter().map(|arg| arg.to_string_lossy().into_owned()).collect();
        assert_eq!(x264.join(" "), "-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -threads 2");
    }

    #[test]
    fn render_nodes_are_found_in_a_dri_folder() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["card0", "renderD129", "renderD128"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let nodes = render_nodes(dir.path());
        assert_eq!(nodes, [dir.path().join("renderD128"), dir.path().join("renderD129")]);
        assert!(render_nodes(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn this_machines_ffmpeg_encodes_a_test_frame_with_x264() {
        // The probe a hardware encoder goes through, on the encoder every build has: proves the
        // test command itself is sound, so that a `false` for NVENC means NVENC.
        assert!(encodes_test_frame(&VideoEncoder::X264));
    }
}
