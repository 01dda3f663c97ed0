//! `Settings`: one struct for every knob, read from defaults < `opusclip.toml` < `.env` <
//! the environment, with the original specification's variable names. `validate()` reports
//! every problem at once.

use crate::error::{Error, Result};
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
        }
    }
}

/// The variable names `Settings` reads, upper-case.
pub const VARIABLES: [&str; 14] = [
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
];

impl Settings {
    /// Load from `opusclip.toml` and `.env` in `dir` (when present) and the process environment.
    pub fn load(dir: &Path) -> Result<Settings> {
        let mut values = BTreeMap::new();
        let toml_path = dir.join("opusclip.toml");
        if toml_path.exists() {
            let text = std::fs::read_to_string(&toml_path).map_err(|e| Error::io("read", &toml_path, e))?;
            values.extend(parse_toml(&text).map_err(|problem| Error::Configuration {
                problems: vec![format!("{}: {problem}", toml_path.display())],
            })?);
        }
        let env_path = dir.join(".env");
        if env_path.exists() {
            let text = std::fs::read_to_string(&env_path).map_err(|e| Error::io("read", &env_path, e))?;
            values.extend(parse_dotenv(&text));
        }
        for name in VARIABLES {
            if let Ok(value) = std::env::var(name) {
                values.insert(name.to_string(), value);
            }
        }
        Settings::from_values(&values)
    }

    /// Build from upper-case variable names to raw values, reporting every bad value at once,
    /// then validate.
    pub fn from_values(values: &BTreeMap<String, String>) -> Result<Settings> {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        for (name, raw) in values {
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

/// Top-level keys of `opusclip.toml`, lower-case names of the variables.
fn parse_toml(text: &str) -> std::result::Result<BTreeMap<String, String>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut values = BTreeMap::new();
    for (key, value) in table {
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
}
