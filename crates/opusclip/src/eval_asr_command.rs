//! `opusclip eval asr`: word error rate and word-timing error of transcripts against human
//! references — one hypothesis against one reference, or every recording of a dataset
//! directory (such as `../shared/media/speech`) against its ground truth, its hypothesis read
//! from `--hypotheses DIR` or transcribed with a whisper model.

use clap::Args;
use opusclip_core::{Result, Settings};
use opusclip_pipeline::transcript::{default_vad_model, transcribe_raw, transcribe_source_with, AsrRuntime};
use opusclip_pipeline::{ClipOptions, NoProgress};
use opusclip_speech::evaluation::{
    check_word_at_time, find_hypothesis, read_evaluation_transcript, read_reference_transcript, render_table,
    scan_dataset, score_words, EvaluationItem, EvaluationTranscript, ItemReport, ReportTotals, TimingDetail,
    WordAtTime, MEDIA_EXTENSIONS,
};
use opusclip_speech::{ModelStore, WhisperAcceleration};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Cached models tried, best first, when no model is named.
const CACHED_MODEL_PREFERENCE: [&str; 9] =
    ["base.en", "small.en", "base", "small", "tiny.en", "tiny", "medium.en", "medium", "large-v3-turbo"];

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    opusclip eval asr talk.json --reference talk.srt\n  \
    opusclip eval asr jfk.flac --reference jfk.reference.txt --whisper-model ggml-base.en.bin\n  \
    opusclip eval asr --dataset ../shared/media/speech            (whisper: MODEL_PATH or the cache)\n  \
    opusclip eval asr --dataset ../shared/media/speech --hypotheses transcripts/")]
pub struct AsrArgs {
    /// The transcript to score: SRT, WebVTT, ASS, whisper.cpp / OpenAI JSON, `opusclip transcribe`
    /// JSON, TextGrid, GRID .align, .lab or .txt — or a recording, transcribed with the model.
    #[arg(value_name = "HYPOTHESIS", required_unless_present = "dataset", conflicts_with = "dataset")]
    pub hypothesis: Option<PathBuf>,
    /// The human reference, in any of those formats (TextGrid `words` tiers and .align files
    /// give word times; text files give WER only).
    #[arg(long, value_name = "FILE", required_unless_present = "dataset", conflicts_with = "dataset")]
    pub reference: Option<PathBuf>,
    /// Score every recording in DIR (recursively) that has a reference beside it: NAME.TextGrid,
    /// NAME.align, NAME.lab, NAME.reference.txt, NAME.txt or a line of a `file<TAB>text` .tsv.
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
    /// With --dataset: each recording's transcript is DIR/NAME.EXT or DIR/STEM.EXT (json, srt,
    /// vtt, ass, TextGrid, align, lab, txt) instead of a whisper run.
    #[arg(long, value_name = "DIR", requires = "dataset")]
    pub hypotheses: Option<PathBuf>,
    /// whisper.cpp model for recordings; default MODEL_PATH, then a model in the cache
    /// (`opusclip models fetch base`).
    #[arg(long, value_name = "PATH", env = "MODEL_PATH")]
    pub whisper_model: Option<PathBuf>,
    /// Spoken language for whisper (e.g. en); detected when absent.
    #[arg(long)]
    pub language: Option<String>,
    /// Threads for whisper.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Word times from DTW over the model's alignment heads.
    #[arg(long)]
    pub dtw: bool,
    /// Score whisper.cpp's own output on the whole recording (no speech gate, no chunks, no
    /// clean-up): the yardstick for the project's speech pass on the same audio and model.
    #[arg(long, conflicts_with = "hypotheses")]
    pub raw: bool,
    /// Do not drop words the voice-activity model (Silero) does not hear as speech.
    #[arg(long)]
    pub no_vad: bool,
}

pub fn run(args: &AsrArgs, json_output: bool) -> Result<ExitCode> {
    let scorer = Scorer::new(args)?;
    let scored = match &args.dataset {
        Some(directory) => scorer.dataset_items(directory, args.hypotheses.as_deref())?,
        None => {
            let (Some(hypothesis), Some(reference)) = (&args.hypothesis, &args.reference) else {
                return Err(opusclip_core::Error::invalid_input(
                    "give a HYPOTHESIS and --reference FILE, or --dataset DIR",
                ));
            };
            scorer.single_item(hypothesis, reference)?
        }
    };
    let items = match scored {
        Scored::Items(items) => items,
        Scored::NoModel { recordings } => {
            let message = no_model_message(recordings);
            if json_output {
                println!("{}", serde_json::json!({"items": [], "evaluated": false, "reason": message}));
            } else {
                eprintln!("{message}");
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let totals = ReportTotals::of(&items);
    if json_output {
        let body = serde_json::json!({"items": items, "total": totals, "model": scorer.model});
        println!("{body}");
    } else {
        print!("{}", render_table(&items, &totals));
    }
    Ok(ExitCode::SUCCESS)
}

/// What scoring came to: reports, or nothing because recordings need a model and none exists.
enum Scored {
    Items(Vec<ItemReport>),
    NoModel { recordings: usize },
}

/// Reads or makes hypotheses and scores them.
struct Scorer {
    model: Option<PathBuf>,
    options: ClipOptions,
    runtime: AsrRuntime,
    raw: bool,
}

impl Scorer {
    fn new(args: &AsrArgs) -> Result<Scorer> {
        let settings = Settings::load(Path::new("."))?;
        let model = args
            .whisper_model
            .clone()
            .or_else(|| settings.model_path.clone())
            .or_else(|| cached_model(settings.cache_dir.as_deref()));
        let options = ClipOptions {
            whisper_model: model.clone(),
            language: args.language.clone(),
            threads: args.threads,
            vad_model: if args.no_vad { None } else { default_vad_model(&settings) },
            ..ClipOptions::default()
        };
        let acceleration = WhisperAcceleration::from_settings(&settings)?;
        Ok(Scorer { model, options, runtime: AsrRuntime { acceleration, dtw_timestamps: args.dtw }, raw: args.raw })
    }

    /// One hypothesis (a transcript, or a recording to transcribe) against one reference.
    fn single_item(&self, hypothesis: &Path, reference_path: &Path) -> Result<Scored> {
        let reference = read_reference_transcript(reference_path)?;
        let Some((hypothesis_transcript, source)) = self.hypothesis_of(hypothesis, None)? else {
            return Ok(Scored::NoModel { recordings: 1 });
        };
        let name = hypothesis.file_name().map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let item = score_item(name, reference_path, &reference, &hypothesis_transcript, source, &[])?;
        Ok(Scored::Items(vec![item]))
    }

    /// Every recording of `directory` with a reference.
    fn dataset_items(&self, directory: &Path, hypotheses: Option<&Path>) -> Result<Scored> {
        let scan = scan_dataset(directory)?;
        for (media, reason) in &scan.skipped {
            tracing::info!(media = %media.display(), reason, "not evaluated");
        }
        if hypotheses.is_none() && self.model.is_none() {
            return Ok(Scored::NoModel { recordings: scan.items.len() });
        }
        let mut reports = Vec::new();
        for item in &scan.items {
            let reference = item.reference.load()?;
            let hypothesis_path = match hypotheses {
                Some(directory) => match find_hypothesis(directory, item) {
                    Some(path) => path,
                    None => {
                        eprintln!("{}: no transcript in {}, skipped", item.name, directory.display());
                        continue;
                    }
                },
                None => item.media.clone(),
            };
            let Some((hypothesis, source)) = self.hypothesis_of(&hypothesis_path, Some(item))? else { continue };
            let reference_path = item.reference.path();
            reports.push(score_item(
                item.name.clone(),
                reference_path,
                &reference,
                &hypothesis,
                source,
                &item.word_checks,
            )?);
        }
        Ok(Scored::Items(reports))
    }

    /// The words of a hypothesis: read from a transcript file, or recognised in a recording.
    fn hypothesis_of(
        &self,
        path: &Path,
        item: Option<&EvaluationItem>,
    ) -> Result<Option<(EvaluationTranscript, String)>> {
        if !is_media(path) {
            return Ok(Some((read_evaluation_transcript(path)?, path.display().to_string())));
        }
        let Some(model) = &self.model else { return Ok(None) };
        let name = item.map_or_else(|| path.display().to_string(), |item| item.name.clone());
        eprintln!("{name}: transcribing with {}", model.display());
        if self.raw {
            let words = transcribe_raw(path, model, &self.options, self.runtime)?.words;
            let transcript = EvaluationTranscript { words, timing: TimingDetail::Words };
            return Ok(Some((transcript, format!("whisper-raw:{}", model.display()))));
        }
        let outcome = transcribe_source_with(path, &self.options, true, self.runtime, &NoProgress)?;
        let transcript = EvaluationTranscript { words: outcome.transcript.words, timing: TimingDetail::Words };
        Ok(Some((transcript, format!("whisper:{}", model.display()))))
    }
}

fn score_item(
    name: String,
    reference_path: &Path,
    reference: &EvaluationTranscript,
    hypothesis: &EvaluationTranscript,
    hypothesis_source: String,
    checks: &[WordAtTime],
) -> Result<ItemReport> {
    let compare_timing = reference.timing != TimingDetail::None && hypothesis.timing != TimingDetail::None;
    let score = score_words(&reference.words, &hypothesis.words, compare_timing)?;
    let timed_checks = if hypothesis.timing == TimingDetail::None { &[][..] } else { checks };
    Ok(ItemReport {
        name,
        reference: reference_path.display().to_string(),
        reference_timing: reference.timing,
        hypothesis: hypothesis_source,
        hypothesis_timing: hypothesis.timing,
        score,
        word_checks: timed_checks.iter().map(|check| check_word_at_time(&hypothesis.words, check)).collect(),
    })
}

fn is_media(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| MEDIA_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(extension)))
}

/// The first cached model in [`CACHED_MODEL_PREFERENCE`] order.
fn cached_model(configured_cache_dir: Option<&Path>) -> Option<PathBuf> {
    let store = ModelStore::in_cache_dir(configured_cache_dir).ok()?;
    CACHED_MODEL_PREFERENCE.iter().find_map(|name| store.installed_path(name).ok())
}

fn no_model_message(recordings: usize) -> String {
    format!(
        "no whisper model (none given with --whisper-model, none in MODEL_PATH or the model cache), so \
         {recordings} recording(s) cannot be transcribed; nothing evaluated. Get one with \
         `opusclip models fetch base`, or score existing transcripts with --hypotheses DIR."
    )
}
