//! The command-line interface: commands, their options and the help that teaches them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Video-OpusClip: turn a long talking video into ranked, captioned, vertical clips.
///
/// Start with `opusclip demo` to see it work on a generated talk, then
/// `opusclip clip talk.mp4 --transcript talk.srt -o clips/`.
#[derive(Debug, Parser)]
#[command(name = "opusclip", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print machine-readable JSON on stdout (results, or `{error, code, details}`).
    #[arg(long, global = true)]
    pub json: bool,
    /// Log format on stderr: `text` for people, `json` for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// More detail in the logs (-v info, -vv debug). DEBUG=true also turns on debug logs.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the best moments of a video and render them as captioned clips.
    ///
    /// A podcast or other audio file (mp3, m4a, wav, flac, …) works too: its clips are
    /// audiograms — the sound as a moving waveform, the title above, the captions below.
    ///
    /// Writes into DIR: clip-01.mp4 (9:16 by default), clip-01.json (its ClipSpec, for
    /// `opusclip render`), clip-01.srt/.vtt, clip-01.jpg and manifest.json. With several inputs
    /// (or a directory) each input gets DIR/<name>/; one failing input does not stop the others.
    ///
    /// Words come from the first of: --transcript FILE, a sidecar NAME.srt/NAME.vtt beside the
    /// video, a subtitle stream inside it, or whisper (--whisper-model / MODEL_PATH). Without
    /// words, clips are cut at silences and shot changes and have no captions.
    ///
    /// Example: opusclip clip talk.mp4 --transcript talk.srt --clips 3 --aspect 9:16 --aspect 1:1
    /// Example: opusclip clip episode.mp3 --loudness podcast --template brand.toml
    Clip(Box<ClipArgs>),
    /// Re-render a clip from its ClipSpec (clip-NN.json) after editing it.
    ///
    /// Edit start/end, the words or the caption style in the JSON, then run this: the clip's
    /// files beside the spec are replaced (atomically) using the same renderer as `clip`.
    Render(RenderArgs),
    /// Hand clips to an editor: a timeline of edits on the original source for Final Cut Pro
    /// (fcpxml), Premiere Pro / DaVinci Resolve (xmeml), OpenTimelineIO (otio) or any NLE (edl).
    ///
    /// Give one clip's spec for a one-clip timeline, or a manifest.json (or the folder holding
    /// it) for every clip of the job back to back, best-ranked first (--order source for the
    /// order they were said in, --top N for the best N only). The crop path becomes keyframed
    /// scale/position, captions a title track, the score's hook a marker; an .srt of every
    /// caption on the timeline's clock is written beside it (an EDL carries cuts only).
    ///
    /// Example: opusclip export clips/clip-01.json --format fcpxml
    /// Example: opusclip export clips/ --format xmeml --top 5 -o reel.xml
    Export(ExportArgs),
    /// Generate a ~2-minute sample talk (espeak-ng speech, moving subject, SRT) and clip it.
    Demo(DemoArgs),
    /// Full-rate analysis of a whole video: shots, fades, loudness, silences (analysis.json).
    ///
    /// Like PySceneDetect's detect-adaptive / detect-content, at a fraction of the cost: every
    /// frame is decoded once at 256 px with the audio in the same pass. Results are cached by
    /// the file's content and the settings (--no-cache to bypass).
    ///
    /// Example: opusclip analyze talk.mp4 --scenes csv talk-scenes.csv
    Analyze(AnalyzeArgs),
    /// Write out the words of a video: from --transcript, an embedded subtitle stream, or whisper.
    ///
    /// Speech recognition decodes only the audio, skips long silences, and drops words found in
    /// silence or in repeated-phrase loops. Example:
    /// opusclip transcribe talk.mp4 --whisper-model ggml-base.en.bin --format srt -o talk.srt
    Transcribe(TranscribeArgs),
    /// Download, list and check whisper.cpp speech models (cached in ~/.cache/opusclip/models).
    ///
    /// Example: opusclip models fetch base, then opusclip clip talk.mp4 --whisper-model "$(opusclip models path base)"
    Models(crate::models_command::ModelsArgs),
    /// Print what Video-OpusClip reads from a video: duration, fps, size, pixel shape, rotation, streams.
    Probe(ProbeArgs),
    /// Measure a stage against ground truth: `eval asr` (word error rate, timing), `eval highlights` (TED reactions).
    Eval(crate::eval_command::EvalArgs),
    /// Measure speed and memory against yardsticks run beside them.
    ///
    /// P1 `analyze` vs a pure two-thread decode; P2 `analyze` vs PySceneDetect detect-content
    /// (time, and F1 on the goldens given by --scenes); P3 the whole `clip` job (10 clips of 30–60 s
    /// at 1080x1920) on a --minutes talk with its SRT and with Whisper, as a fraction of the
    /// source's duration with each stage's share; P4 peak memory of `analyze` at 10 and 60 minutes
    /// (and 10 hours with --long); P5 `render` of one clip vs ffmpeg running the same command.
    ///
    /// Inputs are generated once into DIR/inputs (a ~2-minute camera-like pass at 6 Mb/s, looped
    /// by stream copy) and reused. Run it on an idle machine: every ratio compares runs made in
    /// this run, but a busy machine still blurs them.
    ///
    /// Example: opusclip bench --only p1,p2 --rounds 3 --scenes ../shared/media/scenes
    /// Example: opusclip bench --minutes 10 --markdown docs/performance.md
    Bench(crate::bench::BenchArgs),
    /// Refit the score's weights from your clips' real results (views, watch time, likes).
    ///
    /// Reads a CSV (clip_id plus any of views, watch_time, likes) and the manifest.json of the
    /// run the clips came from, then writes the refitted weights as a profile (TOML [weights])
    /// that later runs read: ./opusclip-profile.toml, or SCORE_PROFILE / --profile.
    ///
    /// Example: opusclip feedback results.csv --manifest clips/manifest.json
    Feedback(crate::feedback_command::FeedbackArgs),
    /// Run the HTTP API with in-process workers (SQLite and a local folder unless configured).
    ///
    /// Every /api/ route needs a key from `opusclip keys create`. Scale out with `opusclip worker`
    /// processes sharing a PostgreSQL queue (--database-url) and S3 storage (--storage s3://…).
    ///
    /// Example: opusclip serve --port 8080 --workers 2
    Serve(crate::serve_command::ServeArgs),
    /// Run workers only (no HTTP) against a shared job queue and storage.
    ///
    /// Example: opusclip worker --database-url postgres://app@db/opusclip --storage s3://clips/prod
    Worker(crate::worker_command::WorkerArgs),
    /// Create, list and revoke the service's API keys (stored hashed).
    Keys(crate::keys_command::KeysArgs),
}

#[derive(Debug, Args)]
pub struct ClipArgs {
    /// Video files or directories of videos.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output directory.
    #[arg(short, long, value_name = "DIR", default_value = "clips")]
    pub output: PathBuf,
    /// How many clips to make.
    #[arg(long, default_value_t = 5)]
    pub clips: usize,
    /// Shortest clip, in seconds (with --max: one length range; see --length for several).
    #[arg(long, default_value_t = 20.0)]
    pub min: f64,
    /// Longest clip, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub max: f64,
    /// Allowed clip lengths in seconds, MIN-MAX; several as a comma list or repeated:
    /// --length 15-30,30-60. Replaces --min/--max.
    #[arg(long = "length", value_name = "MIN-MAX", conflicts_with_all = ["min", "max"])]
    pub lengths: Vec<String>,
    /// Only choose clips inside this part of the video: START-END as HH:MM:SS, MM:SS or
    /// seconds, e.g. --range 00:10:00-00:45:00 or --range 600-2700.
    #[arg(long, value_name = "START-END")]
    pub range: Option<String>,
    /// Steer the choice toward clips about these keywords (keyword similarity, and similarity
    /// in meaning when the minilm model is installed; the total is multiplied by 0.5–1 and the
    /// manifest's `prompt` part says why), e.g. --prompt "pricing".
    #[arg(long, value_name = "KEYWORDS")]
    pub prompt: Option<String>,
    /// Do not use the sentence-embedding model (minilm) even when it is installed: topics by
    /// TF-IDF, --prompt by keywords only.
    #[arg(long)]
    pub no_embeddings: bool,
    /// Output aspect ratio (repeatable): 9:16, 1:1, 4:5, 16:9. The first names clip-NN.mp4.
    #[arg(long = "aspect", value_name = "RATIO", default_values_t = vec![String::from("9:16")])]
    pub aspects: Vec<String>,
    /// How each output is composed: auto (chosen per clip and aspect), track (one crop
    /// follows the speaker), split (two speakers stacked), three (three speakers, a panel each:
    /// rows in a vertical output, columns in a wide one), four (four speakers in a 2×2 grid),
    /// screen (a screen share or slides above the speaker's camera inset, zoomed in),
    /// blur-fit (the whole picture over a
    /// blurred copy of itself), audiogram (the sound as a moving waveform with the title and
    /// captions; what an audio-only input such as a podcast mp3 always gets).
    #[arg(long, value_name = "LAYOUT", default_value = "auto")]
    pub layout: String,
    /// Transcript file with the spoken words: SRT, WebVTT, ASS/SSA, or whisper.cpp / OpenAI JSON (single input only).
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// whisper.cpp ggml model for speech recognition when no subtitles exist (default: MODEL_PATH,
    /// else Whisper base from the model cache, `opusclip models fetch base`).
    #[arg(long, value_name = "PATH", env = "MODEL_PATH")]
    pub whisper_model: Option<PathBuf>,
    /// Spoken language for speech recognition (e.g. en); detected when absent.
    #[arg(long)]
    pub language: Option<String>,
    /// Names and terms the speech model would misspell, comma-separated ("Sal Khan, 3Blue1Brown"):
    /// given to whisper as its initial prompt.
    #[arg(long, value_name = "TEXT")]
    pub vocabulary: Option<String>,
    /// Keep words the voice-activity model (Silero, `opusclip models fetch silero-vad`) does not
    /// hear as speech; by default they are dropped when the model is installed.
    #[arg(long)]
    pub no_vad: bool,
    /// Mask profanity in captions, titles, hashtags and transcripts (`S***`): a built-in English
    /// list, plus any comma-separated words given (`--censor "darn, frick*"`; `*` ends a stem).
    #[arg(long, value_name = "WORDS", num_args = 0..=1, default_missing_value = "")]
    pub censor: Option<String>,
    /// How the burned-in captions look: bold (the default: white words, the spoken one yellow
    /// and larger), clean (plain white, smaller), punch (capitals, the spoken word green), single
    /// (one line, the spoken word cyan) or none (no burned-in captions; SRT/VTT are still
    /// written). The same looks as the web page's editor; fine-tune one in clip-NN.json.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["no_captions", "template"])]
    pub caption_style: Option<String>,
    /// A brand template (TOML, or JSON): a caption look built on a preset (font, size, colours,
    /// outline, shadow, animation none|pop|karaoke, keyword_color for the clip's keywords,
    /// uppercase, max_lines, position) and an optional [watermark] (image, corner, width,
    /// opacity). Written into each clip-NN.json. See docs/user-guide.md for every key.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Render without burned-in captions (SRT/VTT are still written): --caption-style none.
    #[arg(long)]
    pub no_captions: bool,
    /// Put an emoji after one strong word per caption page when the word has one ("money 💰",
    /// "idea 💡", "growth 📈"; about 60 everyday words), drawn in the caption colour from the
    /// Symbola font. Off by default; a template's `emoji = true` does the same.
    #[arg(long)]
    pub emoji: bool,
    /// Where the burned-in captions sit: auto (off the faces: below the chin or above the head,
    /// in the empty band of a blur-fit, on the seam of a split), top (below the platforms' top
    /// row), middle, bottom, or NN% (the bottom of the caption block at NN % of the height, 10–90).
    /// Written into each clip-NN.json as `caption_style.position`, where it can be edited.
    #[arg(long, value_name = "WHERE")]
    pub caption_position: Option<String>,
    /// How loud the clips are: a preset (tiktok, reels, instagram, shorts, youtube: -14 LUFS;
    /// podcast: -16; broadcast: -23), LUFS from -40 to -5, or off to keep the recorded level.
    /// Measured over each clip and applied in two passes, true peak at most -1 dBTP.
    #[arg(long, value_name = "TARGET", default_value = "-14")]
    pub loudness: String,
    /// Cut quiet pauses out of each clip as jump cuts: gaps between words longer than SECONDS
    /// (default 0.5; 0.3–5) are shortened to 0.12 s of breath on each side, and the captions
    /// are retimed. A gap with sound in it (a laugh, applause) is kept. The manifest lists
    /// every cut; clip-NN.json keeps the rest as `kept_ranges`.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "0.5")]
    pub cut_pauses: Option<f64>,
    /// Cut filler words ("um", "uh", "er", "hmm"…) and repeated starts ("I I think") out of each
    /// clip as jump cuts.
    #[arg(long)]
    pub cut_fillers: bool,
    /// Tight clips: --cut-pauses and --cut-fillers together.
    #[arg(long)]
    pub tight: bool,
    /// Directory with extra caption fonts.
    #[arg(long, value_name = "DIR", env = "OPUSCLIP_FONT_DIR")]
    pub font_dir: Option<PathBuf>,
    /// Rerank the clips and rewrite their titles with the OpenAI-compatible server at LLM_URL
    /// (e.g. llama.cpp's llama-server); the default whenever LLM_URL is set.
    #[arg(long, overrides_with = "no_llm")]
    pub llm: bool,
    /// Keep the extractive titles and the score order even when LLM_URL is set.
    #[arg(long, overrides_with = "llm")]
    pub no_llm: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The clip's spec, e.g. clips/clip-01.json.
    #[arg(value_name = "SPEC")]
    pub spec: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A clip's spec (clips/clip-01.json), a manifest.json, or a folder with a manifest.json.
    #[arg(value_name = "SPEC|MANIFEST|DIR")]
    pub input: PathBuf,
    /// fcpxml (Final Cut Pro), xmeml (Premiere Pro, DaVinci Resolve, FCP 7), otio
    /// (OpenTimelineIO) or edl (CMX 3600: cuts only).
    #[arg(long, default_value = "fcpxml")]
    pub format: String,
    /// Where to write the timeline; the .srt goes beside it. Default: beside the input, named
    /// after the clip (clip-01.fcpxml) or `timeline` for a whole job.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which output's frame and crop to export (9:16, 1:1, 4:5, 16:9); default the first.
    #[arg(long, value_name = "RATIO")]
    pub aspect: Option<String>,
    /// With a manifest: only the N best-ranked clips.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// With a manifest: `rank` (best first) or `source` (in the order they were said).
    #[arg(long, value_enum, default_value_t = ExportOrder::Rank)]
    pub order: ExportOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportOrder {
    Rank,
    Source,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the sample talk and its clips go.
    #[arg(short, long, value_name = "DIR", default_value = "demo-out")]
    pub output: PathBuf,
    /// Make the talk at least this many minutes long (the script repeats).
    #[arg(long, default_value_t = 0.0)]
    pub minutes: f64,
    /// Only generate the sample talk; do not clip it.
    #[arg(long)]
    pub no_clip: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DetectorArg {
    /// Ratio of a frame's change to its neighbours' (PySceneDetect's AdaptiveDetector): ignores camera motion.
    Adaptive,
    /// Threshold on the frame-to-frame change (PySceneDetect's ContentDetector).
    Content,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The video to analyse.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Where analysis.json goes.
    #[arg(short, long, value_name = "FILE", default_value = "analysis.json")]
    pub output: PathBuf,
    /// Shot detector.
    #[arg(long, value_enum, default_value_t = DetectorArg::Adaptive)]
    pub detector: DetectorArg,
    /// Detector threshold (content: 27 by default; adaptive: ratio 3.0 by default).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Shortest shot in seconds.
    #[arg(long, default_value_t = 0.6)]
    pub min_scene_len: f64,
    /// Also write the scene list: FORMAT is csv, edl or json.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
    pub scenes: Option<Vec<String>>,
    /// Ignore and do not write the analysis cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Decoding workers: the video is cut at key frames into ~30 s segments decoded side by
    /// side, each by a single-threaded decoder. 1 decodes it in one piece with frame threads.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
}

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// The video (or any file with an audio stream and a video stream).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Output format: json, srt, vtt or txt.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Write here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read the words from this transcript file (SRT, WebVTT, ASS/SSA, whisper.cpp or OpenAI JSON).
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Use speech recognition even when the file has a subtitle stream.
    #[arg(long)]
    pub asr: bool,
    /// whisper.cpp ggml model.
    #[arg(long, value_name = "PATH", env = "MODEL_PATH")]
    pub whisper_model: Option<PathBuf>,
    /// Spoken language (e.g. en); detected when absent.
    #[arg(long)]
    pub language: Option<String>,
    /// Names and terms the speech model would misspell, comma-separated ("Sal Khan, 3Blue1Brown"):
    /// given to whisper as its initial prompt.
    #[arg(long, visible_alias = "asr-prompt", value_name = "TEXT")]
    pub vocabulary: Option<String>,
    /// Keep words the voice-activity model (Silero, `opusclip models fetch silero-vad`) does not
    /// hear as speech; by default they are dropped when the model is installed.
    #[arg(long)]
    pub no_vad: bool,
    /// Mask profanity in the transcript (`S***`): a built-in English list, plus any
    /// comma-separated words given (`--censor "darn, frick*"`; `*` ends a stem).
    #[arg(long, value_name = "WORDS", num_args = 0..=1, default_missing_value = "")]
    pub censor: Option<String>,
    /// Translate the speech into English.
    #[arg(long)]
    pub translate: bool,
    /// Word times from whisper's cross-attention (DTW) instead of token timestamps: steadier
    /// word starts, a little slower. Hardware comes from DEVICE / ENABLE_GPU / MIXED_PRECISION.
    #[arg(long)]
    pub dtw: bool,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The video to read.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
}
