//! The mel filterbank a whisper.cpp model file carries: Whisper's `mel_filters.npz` is librosa's
//! `filters.mel(sr=16000, n_fft=400, n_mels=N)` — Slaney's mel scale (linear below 1 kHz,
//! logarithmic above) and Slaney's area normalisation — computed here the same way, in f64, then
//! stored as f32, `N` rows of `n_fft / 2 + 1` bins.

/// Whisper's sample rate.
pub const SAMPLE_RATE: f64 = 16_000.0;
/// Whisper's FFT size (25 ms at 16 kHz).
pub const FFT_SIZE: usize = 400;

/// Hz per mel below 1 kHz on Slaney's scale.
const LINEAR_HZ_PER_MEL: f64 = 200.0 / 3.0;
/// Where the scale turns logarithmic.
const LOG_START_HZ: f64 = 1000.0;
const LOG_START_MEL: f64 = LOG_START_HZ / LINEAR_HZ_PER_MEL;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= LOG_START_HZ {
        LOG_START_MEL + (hz / LOG_START_HZ).ln() / log_step()
    } else {
        hz / LINEAR_HZ_PER_MEL
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= LOG_START_MEL {
        LOG_START_HZ * (log_step() * (mel - LOG_START_MEL)).exp()
    } else {
        mel * LINEAR_HZ_PER_MEL
    }
}

/// The `bands × (FFT_SIZE / 2 + 1)` filterbank, row-major: band `b`'s weight for FFT bin `k` is
/// at `b * (FFT_SIZE / 2 + 1) + k`.
pub fn mel_filterbank(bands: usize) -> Vec<f32> {
    let bins = FFT_SIZE / 2 + 1;
    let bin_hz: Vec<f64> = (0..bins).map(|bin| bin as f64 * SAMPLE_RATE / FFT_SIZE as f64).collect();
    let low = hz_to_mel(0.0);
    let high = hz_to_mel(SAMPLE_RATE / 2.0);
    let step = (high - low) / (bands + 1) as f64;
    let edges: Vec<f64> = (0..bands + 2).map(|index| mel_to_hz(low + step * index as f64)).collect();
    let mut weights = Vec::with_capacity(bands * bins);
    for band in 0..bands {
        let (left, centre, right) = (edges[band], edges[band + 1], edges[band + 2]);
        let area_norm = 2.0 / (right - left);
        for &hz in &bin_hz {
            let rising = (hz - left) / (centre - left);
            let falling = (right - hz) / (right - centre);
            weights.push((rising.min(falling).max(0.0) * area_norm) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_linear_below_one_kilohertz_and_round_trips() {
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        for hz in [0.0, 123.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
    }

    #[test]
    fn eighty_bands_match_whispers_filters_at_known_points() {
        let filters = mel_filterbank(80);
        assert_eq!(filters.len(), 80 * 201);
        // Band 0 by hand: edges 0, 37.24 and 74.48 Hz (a step of 45.245 / 81 mel); bin 1 is 40 Hz,
        // on the falling side: (74.48 - 40) / 37.24 × 2 / 74.48 = 0.02486.
        assert!((filters[1] - 0.024_862).abs() < 1e-5, "{}", filters[1]);
        assert_eq!(filters[0], 0.0);
        assert_eq!(filters[2], 0.0);
        // Every band is a triangle: non-negative, and non-zero on at least one bin.
        for band in filters.chunks(201) {
            assert!(band.iter().all(|&weight| weight >= 0.0));
            assert!(band.iter().any(|&weight| weight > 0.0));
        }
        // The last band covers the top bins (from 7.1 kHz, bin 178, up to 8 kHz).
        let last = &filters[79 * 201..];
        assert!(last[..175].iter().all(|&weight| weight == 0.0) && last[190] > 0.0);
    }
}
