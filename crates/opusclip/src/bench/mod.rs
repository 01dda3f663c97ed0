//! `opusclip bench`: the benchmark suite as a command. It makes its inputs (a camera-like
//! 1080p30 talk looped to each length), runs every measured figure beside its yardstick in
//! the same run (alternately, best of N), and prints a table, JSON, and the README's
//! performance section.

mod analysis_parts;
mod inputs;
mod job_parts;
mod measure;
mod report;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use inputs::Inputs;
use measure::{run_measured, Run};
use opusclip_core::{Error, Result, Settings};
use opusclip_speech::models::ModelStore;
use report::Part;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

/// The options of `opusclip bench` (its help is on the command in `cli.rs`).
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Where inputs, outputs and bench.json go.
    #[arg(short, long, value_name = "DIR", default_value = "bench-out")]
    pub output: PathBuf,
    /// Which figures to measure, comma-separated (p1,p2,p3,p4,p5).
    #[arg(long, value_delimiter = ',', default_values_t = ["p1", "p2", "p3", "p4", "p5"].map(String::from))]
    pub only: Vec<String>,
    /// Rounds of each alternating comparison (P1, P2, P5); the best run counts.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Length of the talk P3 clips, in minutes.
    #[arg(long, default_value_t = 60.0)]
    pub minutes: f64,
    /// Length of the talk P1 and P2 analyse, in minutes.
    #[arg(long, default_value_t = 10.0)]
    pub analyze_minutes: f64,
    /// Lengths P4 measures memory at, in minutes.
    #[arg(long, value_delimiter = ',', default_values_t = [10.0, 60.0])]
    pub memory_minutes: Vec<f64>,
    /// Also measure memory on a 10-hour talk (P4).
    #[arg(long)]
    pub long: bool,
    /// PySceneDetect's `scenedetect` program (default: on the PATH, or DIR/venv/bin).
    #[arg(long, value_name = "PATH")]
    pub scenedetect: Option<PathBuf>,
    /// A folder with PySceneDetect's test videos (testvideo.mp4, fades.mp4, counter.mp4) for P2's F1.
    #[arg(long, value_name = "DIR")]
    pub scenes: Option<PathBuf>,
    /// The Whisper model of P3's second run (a name from `opusclip models list`).
    #[arg(long, default_value = "base")]
    pub whisper: String,
    /// Also write the report as Markdown to FILE (docs/performance.md).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Replace the summary between the `<!-- opusclip bench: start/end -->` lines of FILE (README.md).
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
    /// Frame size of the generated talk, WxH (quick checks; the goals are for 1920x1080).
    #[arg(long, value_name = "WxH", hide = true)]
    pub sample_size: Option<String>,
    /// Make the generated talk of the script's first N paragraphs only (quick checks).
    #[arg(long, value_name = "N", hide = true)]
    pub sample_paragraphs: Option<usize>,
}

/// What every part runs with.
pub struct Bench {
    exe: PathBuf,
    dir: PathBuf,
    rounds: usize,
    log: PathBuf,
    status: Option<ProgressBar>,
}

impl Bench {
    /// This very binary, with result caches off so every run does the whole work.
    fn opusclip(&self) -> Command {
        let mut command = Command::new(&self.exe);
        command.env("CACHE_ENABLED", "false");
        command
    }

    fn measure(&self, command: &mut Command) -> Result<Run> {
        run_measured(command, &self.log)
    }

    /// Shows what runs now.
    fn say(&self, what: &str) {
        match &self.status {
            Some(bar) => bar.set_message(what.to_string()),
            None => tracing::info!(step = what, "bench"),
        }
    }
}

pub fn run(args: &BenchArgs, json_output: bool) -> Result<ExitCode> {
    let wanted = wanted_parts(&args.only)?;
    let load_at_start = one_minute_load();
    if let Some(path) = &args.readme {
        // Fail now, not after an hour of measuring.
        write_readme_summary(path, "(measuring…)\n")?;
    }
    let dir = std::path::absolute(&args.output).map_err(|e| Error::io("resolve", &args.output, e))?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let exe = std::env::current_exe().map_err(|e| Error::io("find", "the opusclip binary", e))?;
    let bench = Bench {
        exe,
        log: dir.join("last-command.log"),
        dir: dir.clone(),
        rounds: args.rounds.max(1),
        status: spinner(json_output),
    };
    let size = args.sample_size.as_deref().map(parse_size).transpose()?;
    let mut inputs = Inputs::new(&dir.join("inputs"), size, args.sample_paragraphs);
    let mut announce = |what: &str| bench.say(what);
    let mut parts: Vec<Part> = Vec::new();
    if wanted.iter().any(|p| matches!(p.as_str(), "p1" | "p2")) {
        let talk = inputs.talk(args.analyze_minutes, &mut announce)?;
        if wanted.contains(&"p1".to_string()) {
            parts.push(analysis_parts::p1(&bench, &talk)?);
        }
        if wanted.contains(&"p2".to_string()) {
            let scenedetect = find_scenedetect(args.scenedetect.as_deref(), &dir)?;
            parts.push(analysis_parts::p2(&bench, &talk, scenedetect.as_deref(), args.scenes.as_deref())?);
        }
    }
    if wanted.iter().any(|p| matches!(p.as_str(), "p3" | "p5")) {
        let talk = inputs.talk(args.minutes, &mut announce)?;
        if wanted.contains(&"p3".to_string()) {
            let model = whisper_model(&args.whisper);
            parts.push(job_parts::p3(
                &bench,
                &talk,
                model.as_ref().map(|path| (args.whisper.as_str(), path.as_path())),
            )?);
        }
        if wanted.contains(&"p5".to_string()) {
            parts.push(job_parts::p5(&bench, &talk)?);
        }
    }
    if wanted.contains(&"p4".to_string()) {
        let mut lengths = args.memory_minutes.clone();
        if args.long {
            lengths.push(600.0);
        }
        let talks = lengths.iter().map(|minutes| inputs.talk(*minutes, &mut announce)).collect::<Result<Vec<_>>>()?;
        parts.push(analysis_parts::p4(&bench, &talks)?);
    }
    parts.sort_by_key(|part| part.id);
    if let Some(bar) = &bench.status {
        bar.finish_and_clear();
    }
    let machine = machine_description(load_at_start.as_deref());
    let text = report::markdown(&parts, &machine);
    let json = serde_json::json!({"machine": machine, "parts": parts});
    let json_path = dir.join("bench.json");
    opusclip_pipeline::atomic::write(&json_path, serde_json::to_string_pretty(&json).unwrap_or_default().as_bytes())?;
    if let Some(path) = &args.markdown {
        opusclip_pipeline::atomic::write(path, text.as_bytes())?;
    }
    if let Some(path) = &args.readme {
        write_readme_summary(path, &report::summary(&parts, &machine))?;
    }
    if json_output {
        println!("{json}");
    } else {
        println!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}

fn write_readme_summary(path: &Path, summary: &str) -> Result<()> {
    let readme = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let replaced = report::replace_summary(&readme, summary).ok_or_else(|| {
        Error::invalid_input(format!(
            "--readme {}: it has no `{}` … `{}` lines to put the summary between",
            path.display(),
            report::README_START,
            report::README_END
        ))
    })?;
    opusclip_pipeline::atomic::write(path, replaced.as_bytes())
}

/// The parts asked for, lower-cased; an unknown one is an error naming the known ones.
fn wanted_parts(only: &[String]) -> Result<Vec<String>> {
    let known = ["p1", "p2", "p3", "p4", "p5"];
    only.iter()
        .map(|part| {
            let part = part.trim().to_ascii_lowercase();
            if known.contains(&part.as_str()) {
                Ok(part)
            } else {
                Err(Error::invalid_input(format!("--only {part:?}: the figures are {}", known.join(", "))))
            }
        })
        .collect()
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let parsed = text.split_once('x').and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
    match parsed {
        Some((width, height)) if width >= 64 && height >= 64 && width % 2 == 0 && height % 2 == 0 => {
            Ok((width, height))
        }
        _ => Err(Error::invalid_input(format!("--sample-size {text:?}: give an even WIDTHxHEIGHT of at least 64x64"))),
    }
}

/// PySceneDetect's program: the one given (which must answer `version`), else `scenedetect` on
/// the PATH or in DIR/venv/bin; `None` when there is none.
fn find_scenedetect(given: Option<&Path>, dir: &Path) -> Result<Option<PathBuf>> {
    let works = |program: &Path| {
        Command::new(program).arg("version").output().map(|output| output.status.success()).unwrap_or(false)
    };
    if let Some(path) = given {
        if !works(path) {
            return Err(Error::invalid_input(format!(
                "--scenedetect {}: it does not run `scenedetect version`; install PySceneDetect \
                 (pip install scenedetect opencv-python-headless) or leave the option out",
                path.display()
            )));
        }
        return Ok(Some(path.to_path_buf()));
    }
    Ok([PathBuf::from("scenedetect"), dir.join("venv/bin/scenedetect")].into_iter().find(|program| works(program)))
}

fn whisper_model(name: &str) -> Option<PathBuf> {
    let settings = Settings::load(Path::new(".")).ok()?;
    ModelStore::in_cache_dir(settings.cache_dir.as_deref()).ok()?.installed_path(name).ok()
}

fn one_minute_load() -> Option<String> {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|text| text.split_whitespace().next().map(str::to_string))
}

/// Cores, memory and the load when the run began and ended, for the report's first line.
fn machine_description(load_at_start: Option<&str>) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| text.lines().find_map(|line| line.strip_prefix("MemTotal:").map(str::to_string)))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| format!(", {:.0} GiB", kib / f64::from(1 << 20)))
        .unwrap_or_default();
    let load = format!(
        ", 1-minute load {} at the start and {} at the end",
        load_at_start.unwrap_or("?"),
        one_minute_load().as_deref().unwrap_or("?")
    );
    let encoder = opusclip_media::render::configured_encoder()
        .map(|encoder| format!(", encoder {}", encoder.ffmpeg_name()))
        .unwrap_or_default();
    format!("{cores} cores{memory}{load}{encoder}")
}

fn spinner(json_output: bool) -> Option<ProgressBar> {
    if json_output || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} bench {elapsed:>6} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
