//! `Settings`: one struct for every knob, read from defaults < `opusclip.toml` < `.env` <
//! the environment, with the original specification's variable names. `validate()` reports
//! every problem at once.
//!
//! The score's weights come from the same layers plus a *profile*: `SCORE_PROFILE=FILE` (or an
//! `opusclip-profile.toml` beside `opusclip.toml`, as `opusclip feedback` writes it) whose
//! `[weights]` table overrides the defaults, then `SCORE_WEIGHTS=hook=0.4,coherence=0.2`
//! (partial; also a `[weights]` table in `opusclip.toml`) over that.

use crate::error::{Error, Result};
use crate::weights::{ScoreWeights, PART_NAMES};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where speech recognition runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Cpu,
    Cuda,
    Auto,
}

/// Every setting, with the specification's names (upper-case as environment variables,
/// lower-case as keys of `opusclip.toml`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// `API_HOST`: address `opusclip serve` binds.
    pub api_host: String,
    /// `API_PORT`.
    pub api_port: u16,
    /// `DEBUG`: verbose logs.
    pub debug: bool,
    /// `MODEL_PATH`: the whisper ggml model used when no transcript is supplied.
    pub model_path: Option<PathBuf>,
    /// `DEVICE`: `cpu`, `cuda` or `auto` — where ASR runs.
    pub device: Device,
    /// `BATCH_SIZE`: sentences per embedding batch.
    pub batch_size: u32,
    /// `MAX_WORKERS`: concurrent jobs per process.
    pub max_workers: u32,
    /// `ENABLE_GPU`: allow the GPU when `DEVICE` is `auto`.
    pub enable_gpu: bool,
    /// `MIXED_PRECISION`: allow f16 weights and compute where the backend has them.
    pub mixed_precision: bool,
    /// `CACHE_ENABLED`: reuse analysis and results keyed by content hash.
    pub cache_enabled: bool,
    /// `CACHE_TTL`: seconds a cached result stays valid.
    pub cache_ttl: u64,
    /// `REDIS_URL`: keep the result cache in Redis instead of on disk.
    pub redis_url: Option<String>,
    /// `OPUSCLIP_CACHE_DIR`: where caches and models live (default: the user cache dir).
    pub cache_dir: Option<PathBuf>,
    /// `OPUSCLIP_FONT_DIR`: extra fonts for captions.
    pub font_dir: Option<PathBuf>,
    /// `SCORE_WEIGHTS`: the weights of the clip score's parts (after the profile's).
    pub score_weights: ScoreWeights,
    /// `SCORE_PROFILE`: the profile file whose `[weights]` were applied, when one was.
    pub score_profile: Option<PathBuf>,
    /// `LLM_URL`: an OpenAI-compatible server (e.g. llama.cpp's `llama-server`), with or without
    /// the `/v1` suffix, that rewrites titles and reranks clips; off when unset.
    pub llm_url: Option<String>,
    /// `LLM_MODEL`: the `model` named in requests to `LLM_URL` (llama.cpp ignores it).
    pub llm_model: String,
    /// `LLM_API_KEY`: sent as `Authorization: Bearer …` when set; never serialized.
    #[serde(skip_serializing)]
    pub llm_api_key: Option<String>,
    /// `LLM_TIMEOUT`: seconds one request to `LLM_URL` may take before the extractive result is kept.
    pub llm_timeout: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_host: "127.0.0.1".into(),
            api_port: 8080,
            debug: false,
            model_path: None,
            device: Device::Cpu,
            batch_size: 32,
            max_workers: 1,
            enable_gpu: false,
            mixed_precision: false,
            cache_enabled: true,
            cache_ttl: 86_400,
            redis_url: None,
            cache_dir: None,
            font_dir: None,
            score_weights: ScoreWeights::default(),
            score_profile: None,
            llm_url: None,
            llm_model: DEFAULT_LLM_MODEL.into(),
            llm_api_key: None,
            llm_timeout: 30,
        }
    }
}

/// The variable names `Settings` reads, upper-case.
pub const VARIABLES: [&str; 20] = [
    "API_HOST",
    "API_PORT",
    "DEBUG",
    "MODEL_PATH",
    "DEVICE",
    "BATCH_SIZE",
    "MAX_WORKERS",
    "ENABLE_GPU",
    "MIXED_PRECISION",
    "CACHE_ENABLED",
    "CACHE_TTL",
    "REDIS_URL",
    "OPUSCLIP_CACHE_DIR",
    "OPUSCLIP_FONT_DIR",
    "SCORE_PROFILE",
    "SCORE_WEIGHTS",
    "LLM_URL",
    "LLM_MODEL",
    "LLM_API_KEY",
    "LLM_TIMEOUT",
];

/// `LLM_MODEL` when unset: llama.cpp's server answers with whatever model it loaded.
pub const DEFAULT_LLM_MODEL: &str = "local";

/// The profile file `opusclip feedback` writes, and that [`Settings::load`] picks up from its
/// directory when `SCORE_PROFILE` is not set.
pub const DEFAULT_PROFILE_FILE: &str = "opusclip-profile.toml";

impl Settings {
    /// Load from `opusclip.toml` and `.env` in `dir` (when present) and the process environment.
    pub fn load(dir: &Path) -> Result<Settings> {
        let mut values = BTreeMap::new();
        let toml_path = dir.join("opusclip.toml");
        if toml_path.exists() {
            let text = std::fs::read_to_string(&toml_path).map_err(|e| Error::io("read", &toml_path, e))?;
            values.extend(file_values(&text, &toml_path.display().to_string())?);
        }
        let env_path = dir.join(".env");
        if env_path.exists() {
            let text = std::fs::read_to_string(&env_path).map_err(|e| Error::io("read", &env_path, e))?;
            merge_layer(&mut values, parse_dotenv(&text));
        }
        let environment = VARIABLES
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|value| (name.to_string(), value)))
            .collect();
        merge_layer(&mut values, environment);
        let default_profile = dir.join(DEFAULT_PROFILE_FILE);
        if !values.contains_key("SCORE_PROFILE") && default_profile.is_file() {
            values.insert("SCORE_PROFILE".into(), default_profile.to_string_lossy().into_owned());
        }
        Settings::from_values(&values)
    }

    /// Settings from the texts of an `opusclip.toml` and a `.env` alone (no environment, no
    /// profile file): what [`Settings::load`] makes of the two files.
    pub fn from_file_texts(toml_text: &str, dotenv_text: &str) -> Result<Settings> {
        let mut values = file_values(toml_text, "opusclip.toml")?;
        merge_layer(&mut values, parse_dotenv(dotenv_text));
        Settings::from_values(&values)
    }

    /// Build from upper-case variable names to raw values, reporting every bad value at once,
    /// then validate.
    pub fn from_values(values: &BTreeMap<String, String>) -> Result<Settings> {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        // The profile's weights first, SCORE_WEIGHTS over them, whatever the map's order.
        let mut ordered: Vec<(&String, &String)> = values.iter().collect();
        ordered.sort_by_key(|(name, _)| match name.as_str() {
            "SCORE_PROFILE" => 0,
            "SCORE_WEIGHTS" => 2,
            _ => 1,
        });
        for (name, raw) in ordered {
            let raw = raw.trim();
            let outcome = settings.assign(name, raw);
            if let Err(problem) = outcome {
                problems.push(format!("{name}={raw:?}: {problem}"));
            }
        }
        if let Err(Error::Configuration { problems: more }) = settings.validate() {
            problems.extend(more);
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(Error::Configuration { problems })
        }
    }

    fn assign(&mut self, name: &str, raw: &str) -> std::result::Result<(), String> {
        match name {
            "API_HOST" => self.api_host = raw.to_string(),
            "API_PORT" => self.api_port = parse_number(raw)?,
            "DEBUG" => self.debug = parse_bool(raw)?,
            "MODEL_PATH" => self.model_path = non_empty(raw).map(PathBuf::from),
            "DEVICE" => {
                self.device = match raw.to_ascii_lowercase().as_str() {
                    "cpu" => Device::Cpu,
                    "cuda" => Device::Cuda,
                    "auto" => Device::Auto,
                    _ => return Err("expected cpu, cuda or auto".into()),
                }
            }
            "BATCH_SIZE" => self.batch_size = parse_number(raw)?,
            "MAX_WORKERS" => self.max_workers = parse_number(raw)?,
            "ENABLE_GPU" => self.enable_gpu = parse_bool(raw)?,
            "MIXED_PRECISION" => self.mixed_precision = parse_bool(raw)?,
            "CACHE_ENABLED" => self.cache_enabled = parse_bool(raw)?,
            "CACHE_TTL" => self.cache_ttl = parse_number(raw)?,
            "REDIS_URL" => self.redis_url = non_empty(raw).map(str::to_string),
            "OPUSCLIP_CACHE_DIR" => self.cache_dir = non_empty(raw).map(PathBuf::from),
            "OPUSCLIP_FONT_DIR" => self.font_dir = non_empty(raw).map(PathBuf::from),
            "SCORE_PROFILE" => {
                self.score_profile = non_empty(raw).map(PathBuf::from);
                if let Some(path) = &self.score_profile {
                    self.score_weights = load_profile(path, self.score_weights)?;
                }
            }
            "SCORE_WEIGHTS" => self.score_weights = parse_score_weights(raw, self.score_weights)?,
            "LLM_URL" => self.llm_url = non_empty(raw).map(|url| url.trim_end_matches('/').to_string()),
            "LLM_MODEL" => self.llm_model = non_empty(raw).unwrap_or(DEFAULT_LLM_MODEL).to_string(),
            "LLM_API_KEY" => self.llm_api_key = non_empty(raw).map(str::to_string),
            "LLM_TIMEOUT" => self.llm_timeout = parse_number(raw)?,
            _ => return Err(format!("unknown setting; known: {}", VARIABLES.join(", "))),
        }
        Ok(())
    }

    /// Check values against each other and their ranges; every problem is reported.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.api_host.is_empty() {
            problems.push("API_HOST must not be empty".to_string());
        }
        if self.api_port == 0 {
            problems.push("API_PORT must be 1..65535".to_string());
        }
        if !(1..=1024).contains(&self.batch_size) {
            problems.push(format!("BATCH_SIZE must be 1..1024, got {}", self.batch_size));
        }
        if !(1..=256).contains(&self.max_workers) {
            problems.push(format!("MAX_WORKERS must be 1..256, got {}", self.max_workers));
        }
        if self.device == Device::Cuda && !self.enable_gpu {
            problems.push("DEVICE=cuda needs ENABLE_GPU=true".to_string());
        }
        if self.cache_enabled && self.cache_ttl == 0 {
            problems.push("CACHE_TTL must be > 0 when CACHE_ENABLED".to_string());
        }
        if let Some(url) = &self.redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                problems.push(format!("REDIS_URL must start with redis:// or rediss://, got {url}"));
            }
        }
        problems.extend(self.score_weights.problems());
        if let Some(url) = &self.llm_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                problems.push(format!("LLM_URL must start with http:// or https://, got {url}"));
            }
        }
        if !(1..=3600).contains(&self.llm_timeout) {
            problems.push(format!("LLM_TIMEOUT must be 1..3600 seconds, got {}", self.llm_timeout));
        }
        if let Some(path) = &self.model_path {
            if !path.is_file() {
                problems.push(format!(
                    "MODEL_PATH {} is not a file: point it at a whisper ggml model (e.g. ggml-base.en.bin)",
                    path.display()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Configuration { problems })
        }
    }
}

/// Add a later layer's values: each replaces the earlier one, except `SCORE_WEIGHTS`, whose
/// entries are appended so that a later layer may set only some parts.
fn merge_layer(values: &mut BTreeMap<String, String>, layer: BTreeMap<String, String>) {
    for (name, value) in layer {
        match values.get_mut(&name) {
            Some(earlier) if name == "SCORE_WEIGHTS" && !value.trim().is_empty() => {
                *earlier = format!("{earlier},{value}");
            }
            _ => {
                values.insert(name, value);
            }
        }
    }
}

/// Apply `hook=0.4,coherence=0.2` (commas or semicolons between entries; any subset of
/// [`PART_NAMES`]; later entries win) over `base`.
pub fn parse_score_weights(text: &str, base: ScoreWeights) -> std::result::Result<ScoreWeights, String> {
    let mut weights = base;
    for entry in text.split([',', ';', '\n']).map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, value)) = entry.split_once(['=', ':']) else {
            return Err(format!("expected NAME=WEIGHT entries such as hook=0.4, got {entry:?}"));
        };
        let name = name.trim().to_ascii_lowercase();
        let value: f64 = value.trim().parse().map_err(|_| format!("{name}: expected a number, got {value:?}"))?;
        if !weights.set(&name, value) {
            return Err(format!("unknown score part {name:?}; known: {}", PART_NAMES.join(", ")));
        }
    }
    Ok(weights)
}

/// Read a profile file and apply its `[weights]` over `base`.
pub fn load_profile(path: &Path, base: ScoreWeights) -> std::result::Result<ScoreWeights, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!("cannot read score profile {}: {e} (write one with `opusclip feedback`)", path.display())
    })?;
    weights_from_profile(&text, base).map_err(|problem| format!("{}: {problem}", path.display()))
}

/// Apply a profile's `[weights]` table (any subset of [`PART_NAMES`]) over `base`. Other
/// tables and keys are left for their own readers.
pub fn weights_from_profile(text: &str, base: ScoreWeights) -> std::result::Result<ScoreWeights, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let Some(weights_table) = table.get("weights") else {
        return Err("no [weights] table".into());
    };
    let toml::Value::Table(entries) = weights_table else {
        return Err("weights must be a table: [weights] then lines such as hook = 0.4".into());
    };
    let mut weights = base;
    for (name, value) in entries {
        let number = match value {
            toml::Value::Float(n) => *n,
            toml::Value::Integer(n) => *n as f64,
            _ => return Err(format!("weights.{name}: expected a number")),
        };
        if !weights.set(name, number) {
            return Err(format!("weights.{name}: unknown score part; known: {}", PART_NAMES.join(", ")));
        }
    }
    Ok(weights)
}

/// A profile file with a `[weights]` table, readable by [`weights_from_profile`]; `comment`
/// lines go on top as `#` comments.
pub fn profile_toml(weights: &ScoreWeights, comment: &str) -> String {
    let mut text: String = comment.lines().map(|line| format!("# {line}\n")).collect();
    text.push_str("[weights]\n");
    for name in PART_NAMES {
        let weight = (weights.get(name).unwrap_or(0.0) * 1e6).round() / 1e6;
        text.push_str(&format!("{name} = {weight:?}\n"));
    }
    text
}

fn non_empty(raw: &str) -> Option<&str> {
    (!raw.is_empty()).then_some(raw)
}

fn parse_bool(raw: &str) -> std::result::Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

fn parse_number<T: std::str::FromStr>(raw: &str) -> std::result::Result<T, String> {
    raw.parse::<T>().map_err(|_| "expected a whole number".to_string())
}

/// `KEY=VALUE` lines; `#` comments, `export ` prefixes and quotes are handled.
fn parse_dotenv(text: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((key, value)) = line.split_once('=') {
            let value = value.trim().trim_matches('"').trim_matches('\'');
            values.insert(key.trim().to_string(), value.to_string());
        }
    }
    values
}

/// The variables an `opusclip.toml` sets; a syntax error names the file.
fn file_values(text: &str, file_name: &str) -> Result<BTreeMap<String, String>> {
    parse_toml(text).map_err(|problem| Error::Configuration { problems: vec![format!("{file_name}: {problem}")] })
}

/// Top-level keys of `opusclip.toml`, lower-case names of the variables.
fn parse_toml(text: &str) -> std::result::Result<BTreeMap<String, String>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut values = BTreeMap::new();
    for (key, value) in table {
        if key == "weights" {
            let toml::Value::Table(entries) = value else {
                return Err("weights must be a table: [weights] then lines such as hook = 0.4".into());
            };
            let mut pairs = Vec::new();
            for (name, weight) in entries {
                let number = match weight {
                    toml::Value::Float(n) => n.to_string(),
                    toml::Value::Integer(n) => n.to_string(),
                    _ => return Err(format!("weights.{name}: expected a number")),
                };
                pairs.push(format!("{name}={number}"));
            }
            values.insert("SCORE_WEIGHTS".to_string(), pairs.join(","));
            continue;
        }
        let raw = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => return Err(format!("{key}: expected a string, number or boolean")),
        };
        values.insert(key.to_ascii_uppercase(), raw);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_valid() {
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn reads_specified_names() {
        let s =
            Settings::from_values(&values(&[("API_PORT", "9000"), ("DEBUG", "true"), ("MAX_WORKERS", "4")])).unwrap();
        assert_eq!((s.api_port, s.debug, s.max_workers), (9000, true, 4));
    }

    #[test]
    fn every_problem_is_reported() {
        let err = Settings::from_values(&values(&[
            ("API_PORT", "http"),
            ("DEVICE", "tpu"),
            ("BATCH_SIZE", "0"),
            ("REDIS_URL", "localhost:6379"),
        ]))
        .unwrap_err();
        let Error::Configuration { problems } = err else { panic!("wrong kind") };
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("DEVICE")));
        assert!(problems.iter().any(|p| p.contains("BATCH_SIZE")));
    }

    #[test]
    fn llm_settings_are_off_by_default_and_validated() {
        let s = Settings::default();
        assert_eq!((s.llm_url.as_deref(), s.llm_model.as_str(), s.llm_timeout), (None, DEFAULT_LLM_MODEL, 30));
        let s = Settings::from_values(&values(&[
            ("LLM_URL", "http://127.0.0.1:8080/v1/"),
            ("LLM_MODEL", "qwen2.5-1.5b"),
            ("LLM_API_KEY", "sk-secret"),
            ("LLM_TIMEOUT", "5"),
        ]))
        .unwrap();
        assert_eq!(s.llm_url.as_deref(), Some("http://127.0.0.1:8080/v1"));
        assert_eq!(
            (s.llm_model.as_str(), s.llm_api_key.as_deref(), s.llm_timeout),
            ("qwen2.5-1.5b", Some("sk-secret"), 5)
        );
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("sk-secret") && json.contains("qwen2.5-1.5b"), "{json}");
        let err = Settings::from_values(&values(&[("LLM_URL", "127.0.0.1:8080"), ("LLM_TIMEOUT", "0")])).unwrap_err();
        let Error::Configuration { problems } = err else { panic!("wrong kind") };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("LLM_URL")) && problems.iter().any(|p| p.contains("LLM_TIMEOUT")));
        assert!(Settings::from_values(&values(&[("LLM_TIMEOUT", "soon")])).is_err());
    }

    #[test]
    fn later_sources_win() {
        let dir = std::env::temp_dir().join(format!("opusclip-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("opusclip.toml"), "api_port = 7000\nbatch_size = 8\n").unwrap();
        std::fs::write(dir.join(".env"), "# comment\nexport API_PORT=7001\n").unwrap();
        let s = Settings::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(s.batch_size, 8);
        if std::env::var("API_PORT").is_err() {
            assert_eq!(s.api_port, 7001);
        }
    }

    #[test]
    fn score_weights_are_partial_and_validated() {
        let s = Settings::from_values(&values(&[("SCORE_WEIGHTS", "hook=0.5, coherence = 0.1;visual=0")])).unwrap();
        assert_eq!((s.score_weights.hook, s.score_weights.coherence, s.score_weights.visual), (0.5, 0.1, 0.0));
        assert_eq!(s.score_weights.pacing, ScoreWeights::default().pacing);
        let err = Settings::from_values(&values(&[("SCORE_WEIGHTS", "virality=1")])).unwrap_err();
        assert!(err.to_string().contains("unknown score part \"virality\""), "{err}");
        let err = Settings::from_values(&values(&[("SCORE_WEIGHTS", "hook=-1")])).unwrap_err();
        assert!(err.to_string().contains("score weight hook must be"), "{err}");
        assert!(Settings::from_values(&values(&[("SCORE_WEIGHTS", "hook")])).is_err());
        assert!(Settings::from_values(&values(&[("SCORE_WEIGHTS", "hook=lots")])).is_err());
    }

    #[test]
    fn a_profile_is_applied_before_score_weights() {
        let dir = std::env::temp_dir().join(format!("opusclip-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let profile = dir.join("mine.toml");
        let written = ScoreWeights { hook: 0.6, engagement: 0.05, ..ScoreWeights::default() };
        std::fs::write(&profile, profile_toml(&written, "from a test\nsecond line")).unwrap();
        let path = profile.to_string_lossy().into_owned();
        let s =
            Settings::from_values(&values(&[("SCORE_WEIGHTS", "engagement=0.3"), ("SCORE_PROFILE", &path)])).unwrap();
        assert_eq!(s.score_weights.hook, 0.6);
        assert_eq!(s.score_weights.engagement, 0.3);
        assert_eq!(s.score_profile.as_deref(), Some(profile.as_path()));
        let missing = dir.join("missing.toml").to_string_lossy().into_owned();
        let err = Settings::from_values(&values(&[("SCORE_PROFILE", &missing)])).unwrap_err();
        assert!(err.to_string().contains("opusclip feedback"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn profiles_round_trip_and_reject_unknown_parts() {
        let weights = ScoreWeights { hook: 0.123, visual: 0.0, ..ScoreWeights::default() };
        let text = profile_toml(&weights, "note");
        assert!(text.starts_with("# note\n[weights]\n"));
        assert_eq!(weights_from_profile(&text, ScoreWeights::default()).unwrap(), weights);
        let partial = weights_from_profile("[weights]\nhook = 1\n[feedback]\nclips = 3\n", ScoreWeights::default());
        assert_eq!(partial.unwrap().hook, 1.0);
        assert!(weights_from_profile("[weights]\nvirality = 1\n", ScoreWeights::default()).is_err());
        assert!(weights_from_profile("hook = 1\n", ScoreWeights::default()).unwrap_err().contains("[weights]"));
        assert!(weights_from_profile("[weights]\nhook = \"x\"\n", ScoreWeights::default()).is_err());
    }

    #[test]
    fn layers_add_weights_and_find_the_default_profile() {
        let dir = std::env::temp_dir().join(format!("opusclip-layers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("opusclip.toml"), "[weights]\nhook = 0.7\npacing = 0.3\n").unwrap();
        std::fs::write(dir.join(".env"), "SCORE_WEIGHTS=pacing=0.2\n").unwrap();
        std::fs::write(dir.join(DEFAULT_PROFILE_FILE), "[weights]\nvisual = 0.4\nhook = 0.1\n").unwrap();
        let s = Settings::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        if std::env::var("SCORE_WEIGHTS").is_err() && std::env::var("SCORE_PROFILE").is_err() {
            assert_eq!(s.score_weights.visual, 0.4, "the default profile is read");
            assert_eq!(s.score_weights.hook, 0.7, "opusclip.toml's [weights] win over the profile");
            assert_eq!(s.score_weights.pacing, 0.2, ".env wins over opusclip.toml");
            assert!(s.score_profile.is_some_and(|p| p.ends_with(DEFAULT_PROFILE_FILE)));
        }
    }
}
