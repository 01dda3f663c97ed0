//! An online energy gate that packs the speech of a stream into whisper-sized chunks as the
//! audio is decoded: samples go in a block at a time, 100 ms hops quieter than the silence
//! threshold (relative to the loud level of the stream so far, [`crate::relative_level`]) for
//! long enough end a speech region, regions are padded and packed end to end
//! (with short gaps of silence) into chunks of at most ~28 s, and each finished chunk comes out
//! with the map back to source time. Memory is one chunk, whatever the length of the input.

use crate::relative_level::LevelHistogram;
use crate::speech_regions::{REGION_PADDING, REGION_SPLIT_SILENCE};
use std::collections::VecDeque;

/// Length of one gate decision, seconds (the survey's level hop).
pub const GATE_HOP_SECONDS: f64 = 0.1;
/// Zero samples between two regions packed into one chunk, seconds.
pub const CHUNK_GAP_SECONDS: f64 = 0.5;
/// A chunk is cut once it holds this much audio (whisper reads 30 s windows), seconds.
pub const CHUNK_TARGET_SECONDS: f64 = 28.0;
/// A chunk that must be cut inside speech is cut at the quietest hop of this last stretch.
pub const CUT_SEARCH_SECONDS: f64 = 4.0;

/// A contiguous stretch of the source inside a chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkPiece {
    /// Where the piece starts in the chunk, seconds.
    pub chunk_start: f64,
    /// Where it starts in the source, seconds.
    pub source_start: f64,
    /// Its length, seconds.
    pub duration: f64,
}

/// Speech ready for whisper: samples of one or more source stretches separated by short gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechChunk {
    pub samples: Vec<f32>,
    pub pieces: Vec<ChunkPiece>,
}

impl SpeechChunk {
    /// The source time of a time in the chunk: inside a piece, its place there; in a gap, the
    /// end of the piece before (or the start of the first piece).
    pub fn source_time(&self, chunk_time: f64) -> f64 {
        let piece = self.pieces.iter().rev().find(|piece| chunk_time >= piece.chunk_start).or(self.pieces.first());
        piece.map_or(chunk_time, |piece| {
            let offset = (chunk_time - piece.chunk_start).clamp(0.0, piece.duration);
            piece.source_start + offset
        })
    }

    /// Where the chunk's last piece ends in the source, seconds.
    pub fn source_end(&self) -> f64 {
        self.pieces.last().map_or(0.0, |piece| piece.source_start + piece.duration)
    }
}

/// A piece while it is being filled, in samples.
#[derive(Debug, Clone, Copy)]
struct OpenPiece {
    chunk_start: usize,
    source_start: u64,
    length: usize,
}

/// The gate and the packer. Push blocks of samples; take finished chunks as they come.
#[derive(Debug)]
pub struct SpeechChunker {
    rate: f64,
    hop_samples: usize,
    padding_samples: usize,
    split_silence_hops: usize,
    gap_samples: usize,
    target_samples: usize,
    /// The hop being filled.
    hop: Vec<f32>,
    /// Source position (samples) of the first sample of `hop`.
    hop_source_start: u64,
    /// Outside speech: the last `padding_samples` of silence, to lead the next region.
    lead_in: VecDeque<f32>,
    /// Inside speech: silent hops held back until it is known whether they end the region.
    held_silence: Vec<f32>,
    held_silent_hops: usize,
    in_speech: bool,
    samples: Vec<f32>,
    pieces: Vec<OpenPiece>,
    finished: VecDeque<SpeechChunk>,
    /// Levels of the hops so far, for the relative silence threshold.
    levels: LevelHistogram,
}

impl SpeechChunker {
    /// A chunker for mono audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> SpeechChunker {
        let rate = f64::from(sample_rate);
        let samples_of = |seconds: f64| ((seconds * rate).round() as usize).max(1);
        SpeechChunker {
            rate,
            hop_samples: samples_of(GATE_HOP_SECONDS),
            padding_samples: samples_of(REGION_PADDING),
            split_silence_hops: (REGION_SPLIT_SILENCE / GATE_HOP_SECONDS).round() as usize,
            gap_samples: samples_of(CHUNK_GAP_SECONDS),
            target_samples: samples_of(CHUNK_TARGET_SECONDS),
            hop: Vec::new(),
            hop_source_start: 0,
            lead_in: VecDeque::new(),
            held_silence: Vec::new(),
            held_silent_hops: 0,
            in_speech: false,
            samples: Vec::new(),
            pieces: Vec::new(),
            finished: VecDeque::new(),
            levels: LevelHistogram::default(),
        }
    }

    /// Feeds the next samples of the stream.
    pub fn push(&mut self, mut samples: &[f32]) {
        while !samples.is_empty() {
            let room = self.hop_samples - self.hop.len();
            let (now, later) = samples.split_at(room.min(samples.len()));
            self.hop.extend_from_slice(now);
            samples = later;
            if self.hop.len() == self.hop_samples {
                self.close_hop();
            }
        }
    }

    /// The next finished chunk, if any.
    pub fn next_chunk(&mut self) -> Option<SpeechChunk> {
        self.finished.pop_front()
    }

    /// Ends the stream: the last partial hop is judged, an open region closed, and the last
    /// chunk finished. Take the chunks with [`SpeechChunker::next_chunk`] afterwards.
    pub fn finish(&mut self) {
        if !self.hop.is_empty() {
            self.close_hop();
        }
        if self.in_speech {
            self.end_region();
        }
        self.emit(self.samples.len());
    }

    /// Samples held right now (chunk being packed, held silence, lead-in), for memory checks.
    pub fn buffered_samples(&self) -> usize {
        self.samples.len() + self.held_silence.len() + self.lead_in.len() + self.hop.len()
    }

    fn close_hop(&mut self) {
        let hop = std::mem::take(&mut self.hop);
        let hop_start = self.hop_source_start;
        self.hop_source_start += hop.len() as u64;
        let level = level_db(&hop);
        self.levels.add(level);
        if level < self.levels.threshold() {
            self.silent_hop(hop);
        } else {
            self.speech_hop(hop, hop_start);
        }
        self.hop = Vec::with_capacity(self.hop_samples);
    }

    fn silent_hop(&mut self, hop: Vec<f32>) {
        if !self.in_speech {
            self.lead_in.extend(hop);
            let excess = self.lead_in.len().saturating_sub(self.padding_samples);
            self.lead_in.drain(..excess);
            return;
        }
        self.held_silence.extend_from_slice(&hop);
        self.held_silent_hops += 1;
        if self.held_silent_hops >= self.split_silence_hops {
            self.end_region();
        }
    }

    fn speech_hop(&mut self, hop: Vec<f32>, hop_start: u64) {
        if self.in_speech {
            let held = std::mem::take(&mut self.held_silence);
            self.held_silent_hops = 0;
            self.append(&held);
        } else {
            self.start_region(hop_start);
        }
        self.append(&hop);
    }

    /// Opens a region with its lead-in, after a gap when the chunk already holds speech.
    fn start_region(&mut self, hop_start: u64) {
        self.in_speech = true;
        if !self.samples.is_empty() {
            self.samples.resize(self.samples.len() + self.gap_samples, 0.0);
        }
        let lead_in: Vec<f32> = self.lead_in.drain(..).collect();
        self.pieces.push(OpenPiece {
            chunk_start: self.samples.len(),
            source_start: hop_start - lead_in.len() as u64,
            length: 0,
        });
        self.append(&lead_in);
    }

    /// Closes the region after its trailing padding; the rest of the held silence becomes the
    /// next region's lead-in.
    fn end_region(&mut self) {
        let held = std::mem::take(&mut self.held_silence);
        let padding = self.padding_samples.min(held.len());
        self.append(&held[..padding]);
        self.lead_in.clear();
        self.lead_in.extend(&held[held.len() - (held.len() - padding).min(self.padding_samples)..]);
        self.held_silent_hops = 0;
        self.in_speech = false;
        if self.samples.len() + self.gap_samples >= self.target_samples {
            self.emit(self.samples.len());
        }
    }

    /// Appends samples to the open piece, cutting the chunk whenever it reaches the target.
    fn append(&mut self, samples: &[f32]) {
        let mut rest = samples;
        while !rest.is_empty() {
            let room = self.target_samples.saturating_sub(self.samples.len()).max(1);
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.samples.extend_from_slice(now);
            if let Some(piece) = self.pieces.last_mut() {
                piece.length += now.len();
            }
            rest = later;
            if self.samples.len() >= self.target_samples {
                let cut = self.quietest_cut();
                self.emit(cut);
            }
        }
    }

    /// The start of the quietest hop in the last [`CUT_SEARCH_SECONDS`] of the chunk.
    fn quietest_cut(&self) -> usize {
        let search = (CUT_SEARCH_SECONDS * self.rate) as usize;
        let first = self.samples.len().saturating_sub(search);
        (first..self.samples.len().saturating_sub(self.hop_samples).max(first + 1))
            .step_by(self.hop_samples)
            .min_by(|&a, &b| {
                energy(&self.samples[a..a + self.hop_samples.min(self.samples.len() - a)])
                    .total_cmp(&energy(&self.samples[b..b + self.hop_samples.min(self.samples.len() - b)]))
            })
            .filter(|&cut| cut > 0)
            .unwrap_or(self.samples.len())
    }

    /// Finishes the chunk's first `cut` samples; what follows stays as the start of the next.
    fn emit(&mut self, cut: usize) {
        let rest = self.samples.split_off(cut);
        let done = std::mem::replace(&mut self.samples, rest);
        let mut done_pieces = Vec::new();
        let mut kept_pieces = Vec::new();
        for piece in self.pieces.drain(..) {
            let end = piece.chunk_start + piece.length;
            if end <= cut {
                done_pieces.push(piece);
                continue;
            }
            if piece.chunk_start < cut {
                done_pieces.push(OpenPiece { length: cut - piece.chunk_start, ..piece });
            }
            let skipped = cut.saturating_sub(piece.chunk_start);
            kept_pieces.push(OpenPiece {
                chunk_start: piece.chunk_start.saturating_sub(cut),
                source_start: piece.source_start + skipped as u64,
                length: piece.length - skipped,
            });
        }
        self.pieces = kept_pieces;
        let rate = self.rate;
        let pieces: Vec<ChunkPiece> = done_pieces
            .into_iter()
            .filter(|piece| piece.length > 0)
            .map(|piece| ChunkPiece {
                chunk_start: piece.chunk_start as f64 / rate,
                source_start: piece.source_start as f64 / rate,
                duration: piece.length as f64 / rate,
            })
            .collect();
        if !pieces.is_empty() {
            self.finished.push_back(SpeechChunk { samples: done, pieces });
        }
    }
}

fn energy(samples: &[f32]) -> f64 {
    samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / samples.len().max(1) as f64
}

/// A hop's RMS level, dBFS (−100 for digital silence).
fn level_db(hop: &[f32]) -> f32 {
    let mean_square = energy(hop);
    if mean_square <= 1e-10 {
        -100.0
    } else {
        (10.0 * mean_square.log10()) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    fn tone(seconds: f64) -> Vec<f32> {
        (0..(seconds * f64::from(RATE)) as usize).map(|i| 0.5 * (i as f32 * 0.07).sin()).collect()
    }

    fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * f64::from(RATE)) as usize]
    }

    fn chunks_of(parts: &[Vec<f32>], block: usize) -> Vec<SpeechChunk> {
        let mut chunker = SpeechChunker::new(RATE);
        let all: Vec<f32> = parts.concat();
        for piece in all.chunks(block) {
            chunker.push(piece);
        }
        chunker.finish();
        std::iter::from_fn(|| chunker.next_chunk()).collect()
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-6, "{actual} != {expected}");
    }

    #[test]
    fn regions_are_padded_packed_and_mapped_back() {
        let chunks = chunks_of(&[tone(5.0), silence(3.0), tone(4.0)], 1000);
        assert_eq!(chunks.len(), 1);
        let pieces = &chunks[0].pieces;
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert_close(pieces[0].source_start, 0.0);
        assert_close(pieces[0].duration, 5.25);
        assert_close(pieces[1].chunk_start, 5.75);
        assert_close(pieces[1].source_start, 7.75);
        assert_close(pieces[1].duration, 4.25);
        assert_eq!(chunks[0].samples.len(), (10.0 * f64::from(RATE)) as usize);
        assert_close(chunks[0].source_time(6.0), 8.0);
        assert_close(chunks[0].source_time(5.5), 5.25);
        assert_close(chunks[0].source_end(), 12.0);
    }

    #[test]
    fn short_pauses_stay_and_silence_gives_nothing() {
        let chunks = chunks_of(&[silence(1.0), tone(2.0), silence(1.0), tone(2.0)], 333);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].pieces.len(), 1);
        assert_close(chunks[0].pieces[0].source_start, 0.75);
        assert_close(chunks[0].pieces[0].duration, 5.25);
        assert!(chunks_of(&[silence(20.0)], 4096).is_empty());
        assert!(chunks_of(&[], 4096).is_empty());
    }

    #[test]
    fn long_speech_is_cut_at_quiet_hops_into_whisper_sized_chunks() {
        let mut speech = tone(25.0);
        speech.extend(silence(0.3)); // a breath: the quietest place before the first cut
        speech.extend(tone(44.7));
        let chunks = chunks_of(&[speech], 1600 * 3 + 7);
        assert!(chunks.len() >= 3, "{}", chunks.len());
        let mut covered = 0.0;
        for chunk in &chunks {
            assert!(chunk.samples.len() as f64 / f64::from(RATE) <= CHUNK_TARGET_SECONDS + 1e-9);
            assert_eq!(chunk.pieces.len(), 1);
            assert_close(chunk.pieces[0].source_start, covered);
            covered += chunk.pieces[0].duration;
        }
        assert_close(covered, 70.0);
        assert_close(chunks[0].pieces[0].duration, 25.0);
    }

    #[test]
    fn memory_stays_bounded_on_a_long_stream() {
        let mut chunker = SpeechChunker::new(RATE);
        let block = tone(1.0);
        let pause = silence(2.0);
        let mut most_buffered = 0;
        let mut chunks = 0;
        for second in 0..600 {
            chunker.push(if second % 7 == 6 { &pause } else { &block });
            most_buffered = most_buffered.max(chunker.buffered_samples());
            while chunker.next_chunk().is_some() {
                chunks += 1;
            }
        }
        assert!(most_buffered as f64 <= 30.0 * f64::from(RATE), "{most_buffered}");
        assert!(chunks >= 20, "{chunks}");
    }
}
