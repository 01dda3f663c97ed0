//! The Silero voice-activity model (`silero_vad_16k.safetensors` from the `silero-vad` wheel)
//! converted into the ggml file whisper.cpp's VAD loads: magic, the model type `silero-16k`,
//! version, window 512 and context 64 samples, the four encoder convolutions' channels and
//! kernel, the LSTM and final convolution sizes, then the tensors under whisper.cpp's names —
//! convolution weights (and the STFT basis) in f16, the rest in f32, dimensions innermost first.

use opusclip_core::{Error, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// One tensor of a safetensors file: shape and its bytes' range in the data section.
#[derive(Debug, Clone, serde::Deserialize)]
struct SafeTensor {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// `(safetensors name, whisper.cpp name, shape it must have, stored as f16)`, in file order.
const TENSORS: [(&str, &str, &[usize], bool); 15] = [
    ("conv1.weight", "_model.encoder.0.reparam_conv.weight", &[128, 129, 3], true),
    ("conv1.bias", "_model.encoder.0.reparam_conv.bias", &[128], false),
    ("conv2.weight", "_model.encoder.1.reparam_conv.weight", &[64, 128, 3], true),
    ("conv2.bias", "_model.encoder.1.reparam_conv.bias", &[64], false),
    ("conv3.weight", "_model.encoder.2.reparam_conv.weight", &[64, 64, 3], true),
    ("conv3.bias", "_model.encoder.2.reparam_conv.bias", &[64], false),
    ("conv4.weight", "_model.encoder.3.reparam_conv.weight", &[128, 64, 3], true),
    ("conv4.bias", "_model.encoder.3.reparam_conv.bias", &[128], false),
    ("lstm_cell.weight_ih", "_model.decoder.rnn.weight_ih", &[512, 128], false),
    ("lstm_cell.weight_hh", "_model.decoder.rnn.weight_hh", &[512, 128], false),
    ("lstm_cell.bias_ih", "_model.decoder.rnn.bias_ih", &[512], false),
    ("lstm_cell.bias_hh", "_model.decoder.rnn.bias_hh", &[512], false),
    ("final_conv.weight", "_model.decoder.decoder.2.weight", &[1, 128, 1], true),
    ("final_conv.bias", "_model.decoder.decoder.2.bias", &[1], false),
    ("stft_conv.weight", "_model.stft.forward_basis_buffer", &[258, 1, 256], true),
];

/// The header's numbers after the version: window, context, encoder layers, then (in, out,
/// kernel) per encoder layer, LSTM input and hidden size, final convolution in and out.
const ARCHITECTURE: [i32; 19] = [512, 64, 4, 129, 128, 3, 128, 64, 3, 64, 64, 3, 64, 128, 3, 128, 128, 128, 1];

/// Convert `input` (Silero's 16 kHz safetensors) into a whisper.cpp VAD model at `output`,
/// written under a `.partial` name and renamed when whole. `version` is the package's
/// (`6.2.3`), recorded in the header.
pub fn convert_silero_vad(input: &Path, output: &Path, version: (i32, i32, i32)) -> Result<u64> {
    let refuse = |problem: String| {
        Error::model(format!("{} is not Silero's 16 kHz VAD model: {problem}", input.display()))
            .with_details(json!({ "path": input.display().to_string(), "problem": problem }))
    };
    let bytes = std::fs::read(input).map_err(|error| Error::io("read", input, error))?;
    let (header, data) = split_safetensors(&bytes).map_err(refuse)?;
    let mut tensors = Vec::with_capacity(TENSORS.len());
    for (source, name, shape, half) in TENSORS {
        let tensor = header.get(source).ok_or_else(|| refuse(format!("{source} is missing")))?;
        if tensor.dtype != "F32" || tensor.shape != shape {
            return Err(refuse(format!("{source} is {} {:?}, expected F32 {shape:?}", tensor.dtype, tensor.shape)));
        }
        let [start, end] = tensor.data_offsets;
        let values = data.get(start..end).filter(|v| v.len() == 4 * shape.iter().product::<usize>());
        let values = values.ok_or_else(|| refuse(format!("{source}'s bytes lie outside the file")))?;
        tensors.push((name, ggml_shape(name, shape), half, values));
    }
    let partial = super::partial_output(output);
    let written = write_vad_file(&partial, version, &tensors).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    std::fs::rename(&partial, output).map_err(|error| Error::io("rename into place", output, error))?;
    Ok(written)
}

/// The header JSON's tensors and the data section after it.
fn split_safetensors(bytes: &[u8]) -> std::result::Result<(BTreeMap<String, SafeTensor>, &[u8]), String> {
    let length = bytes.get(..8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))).ok_or("too short")?;
    let header_end = usize::try_from(length).ok().and_then(|l| l.checked_add(8)).filter(|&end| end <= bytes.len());
    let header_end = header_end.ok_or("the header length runs past the end: not a safetensors file")?;
    let mut header: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..header_end]).map_err(|error| format!("the header is not JSON ({error})"))?;
    header.remove("__metadata__");
    let tensors = header
        .into_iter()
        .map(|(name, value)| serde_json::from_value(value).map(|tensor| (name, tensor)))
        .collect::<std::result::Result<_, _>>()
        .map_err(|error| format!("a tensor entry is malformed ({error})"))?;
    Ok((tensors, &bytes[header_end..]))
}

/// Dimensions as whisper.cpp's converter writes them, innermost first: size-1 dimensions are
/// squeezed away, except in the STFT basis, which keeps all three.
fn ggml_shape(name: &str, shape: &[usize]) -> Vec<usize> {
    let kept: Vec<usize> = if name == "_model.stft.forward_basis_buffer" {
        shape.to_vec()
    } else {
        shape.iter().copied().filter(|&dimension| dimension != 1).collect()
    };
    kept.into_iter().rev().collect()
}

fn write_vad_file(path: &Path, version: (i32, i32, i32), tensors: &[(&str, Vec<usize>, bool, &[u8])]) -> Result<u64> {
    let io = |error: std::io::Error| Error::io("write", path, error);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = BufWriter::new(file);
    let mut written = 0u64;
    let mut put = |out: &mut BufWriter<std::fs::File>, bytes: &[u8]| -> Result<()> {
        written += bytes.len() as u64;
        out.write_all(bytes).map_err(io)
    };
    let int = |value: i32| value.to_le_bytes();
    put(&mut out, &crate::GGML_MAGIC.to_le_bytes())?;
    let model_type = b"silero-16k";
    put(&mut out, &int(model_type.len() as i32))?;
    put(&mut out, model_type)?;
    for value in [version.0, version.1, version.2].into_iter().chain(ARCHITECTURE) {
        put(&mut out, &int(value))?;
    }
    for (name, shape, half, values) in tensors {
        put(&mut out, &int(shape.len() as i32))?;
        put(&mut out, &int(name.len() as i32))?;
        put(&mut out, &int(i32::from(*half)))?;
        for &dimension in shape {
            put(&mut out, &int(dimension as i32))?;
        }
        put(&mut out, name.as_bytes())?;
        for value in values.chunks_exact(4) {
            let value = f32::from_le_bytes([value[0], value[1], value[2], value[3]]);
            if *half {
                put(&mut out, &half::f16::from_f32(value).to_le_bytes())?;
            } else {
                put(&mut out, &value.to_le_bytes())?;
            }
        }
    }
    let file = out.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(written)
}
