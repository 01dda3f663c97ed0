//! Where and how whisper runs: the GPU choice from `DEVICE` / `ENABLE_GPU` / `MIXED_PRECISION`,
//! and which alignment heads DTW token timestamps use for a given model file.

use super::model_file::WhisperModelHeader;
use opusclip_core::settings::Device;
use opusclip_core::{Error, Result, Settings};
use std::path::Path;

/// Whether this build of whisper.cpp has CUDA (cargo feature `cuda`, off by default).
pub const CUDA_BUILT: bool = cfg!(feature = "cuda");

/// How whisper.cpp uses the hardware.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WhisperAcceleration {
    /// Run on the GPU (needs a build with the `cuda` feature; ignored by a CPU-only build).
    pub use_gpu: bool,
    /// Flash attention: f16 attention kernels on the GPU. Turns DTW timestamps off.
    pub flash_attention: bool,
}

impl WhisperAcceleration {
    /// The choice `settings` make, as DESIGN.md defines it: `DEVICE=cuda` (which needs
    /// `ENABLE_GPU=true`) or `DEVICE=auto` with `ENABLE_GPU=true` runs on the GPU when this
    /// build has CUDA; `MIXED_PRECISION=true` adds flash attention (f16 compute) on the GPU.
    /// On the CPU whisper.cpp already computes with the model's f16 weights, so
    /// `MIXED_PRECISION` changes nothing there.
    ///
    /// `DEVICE=cuda` in a build without CUDA is an error that says how to build with it;
    /// `DEVICE=auto` quietly stays on the CPU.
    pub fn from_settings(settings: &Settings) -> Result<WhisperAcceleration> {
        acceleration_for(settings.device, settings.enable_gpu, settings.mixed_precision, CUDA_BUILT)
    }
}

fn acceleration_for(
    device: Device,
    enable_gpu: bool,
    mixed_precision: bool,
    cuda_built: bool,
) -> Result<WhisperAcceleration> {
    let wants_gpu = match device {
        Device::Cpu => false,
        Device::Cuda => {
            if !enable_gpu {
                return Err(configuration_error("DEVICE=cuda needs ENABLE_GPU=true (or set DEVICE=cpu)"));
            }
            if !cuda_built {
                return Err(configuration_error(
                    "DEVICE=cuda, but this opusclip was built without CUDA: rebuild with \
                     `cargo build --release --features cuda` (needs the CUDA toolkit), or set DEVICE=cpu",
                ));
            }
            true
        }
        Device::Auto => enable_gpu && cuda_built,
    };
    Ok(WhisperAcceleration { use_gpu: wants_gpu, flash_attention: wants_gpu && mixed_precision })
}

fn configuration_error(problem: &str) -> Error {
    Error::Configuration { problems: vec![problem.to_string()] }
}

/// The alignment heads whisper.cpp knows for the standard models (its `WHISPER_AHEADS_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlignmentHeads {
    TinyEn,
    Tiny,
    BaseEn,
    Base,
    SmallEn,
    Small,
    MediumEn,
    Medium,
    LargeV2,
    LargeV3,
    LargeV3Turbo,
}

/// The alignment-head preset for a model: its size from the encoder depth, `.en` from the
/// vocabulary, large-v3 from its 128 mel bands and turbo from the file name (the header does
/// not tell turbo from large-v3). `None` for a shape no preset fits.
pub fn alignment_heads_for(header: &WhisperModelHeader, model_path: &Path) -> Option<AlignmentHeads> {
    let english_only = !header.is_multilingual();
    let file_name = model_path.file_name().and_then(|name| name.to_str()).unwrap_or("").to_ascii_lowercase();
    let heads = match (header.audio_layers, english_only) {
        (4, true) => AlignmentHeads::TinyEn,
        (4, false) => AlignmentHeads::Tiny,
        (6, true) => AlignmentHeads::BaseEn,
        (6, false) => AlignmentHeads::Base,
        (12, true) => AlignmentHeads::SmallEn,
        (12, false) => AlignmentHeads::Small,
        (24, true) => AlignmentHeads::MediumEn,
        (24, false) => AlignmentHeads::Medium,
        (32, false) if file_name.contains("turbo") => AlignmentHeads::LargeV3Turbo,
        (32, false) if header.mel_bands == 128 => AlignmentHeads::LargeV3,
        (32, false) => AlignmentHeads::LargeV2,
        _ => return None,
    };
    Some(heads)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(audio_layers: u32, vocabulary_size: u32, mel_bands: u32) -> WhisperModelHeader {
        WhisperModelHeader { vocabulary_size, audio_layers, text_state: 384, mel_bands, weight_type: 1 }
    }

    #[test]
    fn settings_choose_the_device() {
        let cpu = acceleration_for(Device::Cpu, true, true, true).expect("cpu");
        assert_eq!(cpu, WhisperAcceleration::default());
        let auto_built = acceleration_for(Device::Auto, true, true, true).expect("auto");
        assert_eq!(auto_built, WhisperAcceleration { use_gpu: true, flash_attention: true });
        let auto_without_cuda = acceleration_for(Device::Auto, true, true, false).expect("auto");
        assert!(!auto_without_cuda.use_gpu && !auto_without_cuda.flash_attention);
        let auto_disabled = acceleration_for(Device::Auto, false, true, true).expect("auto");
        assert!(!auto_disabled.use_gpu);
        let cuda_full_precision = acceleration_for(Device::Cuda, true, false, true).expect("cuda");
        assert_eq!(cuda_full_precision, WhisperAcceleration { use_gpu: true, flash_attention: false });
    }

    #[test]
    fn cuda_without_the_build_or_the_permission_is_explained() {
        let error = acceleration_for(Device::Cuda, true, false, false).expect_err("no cuda build");
        assert!(error.to_string().contains("--features cuda"), "{error}");
        let error = acceleration_for(Device::Cuda, false, false, true).expect_err("gpu not enabled");
        assert!(error.to_string().contains("ENABLE_GPU"), "{error}");
    }

    #[test]
    fn presets_follow_the_model_shape() {
        let path = Path::new("ggml-model.bin");
        assert_eq!(alignment_heads_for(&header(4, 51_864, 80), path), Some(AlignmentHeads::TinyEn));
        assert_eq!(alignment_heads_for(&header(6, 51_865, 80), path), Some(AlignmentHeads::Base));
        assert_eq!(alignment_heads_for(&header(32, 51_866, 128), path), Some(AlignmentHeads::LargeV3));
        let turbo = Path::new("/m/ggml-large-v3-turbo.bin");
        assert_eq!(alignment_heads_for(&header(32, 51_866, 128), turbo), Some(AlignmentHeads::LargeV3Turbo));
        assert_eq!(alignment_heads_for(&header(32, 51_865, 80), path), Some(AlignmentHeads::LargeV2));
        assert_eq!(alignment_heads_for(&header(5, 51_865, 80), path), None);
    }
}
