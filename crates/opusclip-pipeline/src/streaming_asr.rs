//! Speech recognition while the audio is decoded, in flat memory: the decoder pushes 16 kHz
//! samples into an [`AudioPass`] (levels for the survey, the online energy gate of
//! [`crate::speech_chunks`]); each finished ~28 s chunk of speech goes through a small bounded
//! queue to whisper on a worker thread, whose words are mapped back to source time. Neither
//! side ever holds the whole audio, so a 10-hour input needs the memory of a 10-second one.

use crate::progress::Progress;
use crate::speech_chunks::{SpeechChunk, SpeechChunker};
use crate::speech_regions::drop_hallucinations;
use opusclip_analyze::audio::{silences, LevelMeter, SilenceParams};
use opusclip_core::{AudioLevels, Error, Result, Silence, SoundEvent, Transcript, TranscriptSource, Word};
use opusclip_speech::{DecodeLimits, WhisperRunStats, WhisperSession};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Sample rate of every sample pushed in.
pub const STREAM_SAMPLE_RATE: u32 = 16_000;
/// Finished chunks that may wait for whisper before the decoder waits in turn.
pub const CHUNK_QUEUE_LENGTH: usize = 2;

/// What the audio pass measured and, with a model, what whisper heard.
#[derive(Debug)]
pub struct StreamedSpeech {
    /// The words in source time, hallucination guards applied (`None` without a model).
    pub transcript: Option<Transcript>,
    /// Levels per 100 ms of the whole audio, and the silences in them.
    pub levels: AudioLevels,
    pub silences: Vec<Silence>,
    /// Samples decoded.
    pub audio_samples: u64,
    /// Chunks of speech the gate produced (and whisper transcribed, with a model).
    pub chunks: usize,
    /// Seconds of source audio inside those chunks.
    pub speech_seconds: f64,
    /// The most samples the gate held at once.
    pub most_buffered_samples: usize,
    /// Windows, decoder steps and times summed over the chunks.
    pub whisper: WhisperRunStats,
}

/// The decoder's side: levels, the gate, and the queue to whisper.
pub struct AudioPass {
    meter: LevelMeter,
    chunker: SpeechChunker,
    queue: Option<SyncSender<SpeechChunk>>,
    audio_samples: u64,
    chunks: usize,
    speech_seconds: f64,
    most_buffered_samples: usize,
}

impl AudioPass {
    fn new(queue: Option<SyncSender<SpeechChunk>>) -> AudioPass {
        AudioPass {
            meter: LevelMeter::new(STREAM_SAMPLE_RATE),
            chunker: SpeechChunker::new(STREAM_SAMPLE_RATE),
            queue,
            audio_samples: 0,
            chunks: 0,
            speech_seconds: 0.0,
            most_buffered_samples: 0,
        }
    }

    /// Takes the next decoded samples; hands finished chunks to whisper (waiting while its
    /// queue is full).
    pub fn push(&mut self, samples: &[f32]) {
        self.audio_samples += samples.len() as u64;
        self.meter.push(samples);
        self.chunker.push(samples);
        self.most_buffered_samples = self.most_buffered_samples.max(self.chunker.buffered_samples());
        self.send_finished();
    }

    fn send_finished(&mut self) {
        while let Some(chunk) = self.chunker.next_chunk() {
            self.chunks += 1;
            self.speech_seconds += chunk.pieces.iter().map(|piece| piece.duration).sum::<f64>();
            // A send fails only when the worker has stopped on an error, reported at the end.
            if let Some(queue) = &self.queue {
                if queue.send(chunk).is_err() {
                    self.queue = None;
                }
            }
        }
    }

    /// Ends the stream: the last chunk goes out and the queue closes.
    fn finish(mut self) -> (AudioLevels, AudioCounts) {
        self.chunker.finish();
        self.send_finished();
        let counts = AudioCounts {
            audio_samples: self.audio_samples,
            chunks: self.chunks,
            speech_seconds: self.speech_seconds,
            most_buffered_samples: self.most_buffered_samples,
        };
        (self.meter.finish(), counts)
    }
}

struct AudioCounts {
    audio_samples: u64,
    chunks: usize,
    speech_seconds: f64,
    most_buffered_samples: usize,
}

/// A decoder: calls the first argument with every block of 16 kHz mono samples, in order,
/// and the second with the fraction of the input read.
pub type Decode<'a> = dyn FnOnce(&mut dyn FnMut(&[f32]), &mut dyn FnMut(f64)) -> Result<()> + 'a;

/// Runs `decode` once, gating its audio into chunks that `session` (when given) transcribes on
/// a worker thread meanwhile. Without a session it is the audio pass alone (levels, silences,
/// chunk counts), e.g. for measuring memory.
///
/// A decoder error or a whisper error ends the run with that error.
pub fn stream_speech(
    decode: Box<Decode<'_>>,
    session: Option<&mut WhisperSession>,
    limits: DecodeLimits,
    progress: &dyn Progress,
) -> Result<StreamedSpeech> {
    let Some(session) = session else {
        let mut pass = AudioPass::new(None);
        decode(&mut |samples| pass.push(samples), &mut |fraction| progress.advance(fraction))?;
        let (levels, counts) = pass.finish();
        return Ok(finish(levels, counts, None, WhisperRunStats::default()));
    };
    let stop = AtomicBool::new(false);
    let (queue, chunks) = sync_channel::<SpeechChunk>(CHUNK_QUEUE_LENGTH);
    let (decoded, heard) = std::thread::scope(|scope| {
        let stop = &stop;
        let worker = scope.spawn(move || transcribe_chunks(session, chunks, limits, stop));
        let mut pass = AudioPass::new(Some(queue));
        let outcome = decode(&mut |samples| pass.push(samples), &mut |fraction| progress.advance(fraction));
        let decoded = match outcome {
            Ok(()) => Ok(pass.finish()),
            Err(error) => {
                // Whisper stops at its next chunk; dropping the pass closes its queue.
                stop.store(true, Ordering::Relaxed);
                drop(pass);
                Err(error)
            }
        };
        (decoded, worker.join())
    });
    let heard = heard.map_err(|_| Error::Internal("the speech recognition thread panicked".to_string()))?;
    let (levels, counts) = decoded?;
    let Heard { words, events, language, stats } = heard?;
    let transcript = Transcript { language, source: TranscriptSource::Whisper, words, events };
    progress.advance(1.0);
    Ok(finish(levels, counts, Some(transcript), stats))
}

fn finish(
    levels: AudioLevels,
    counts: AudioCounts,
    transcript: Option<Transcript>,
    whisper: WhisperRunStats,
) -> StreamedSpeech {
    let found_silences = silences(&levels, SilenceParams::default());
    let transcript = transcript.map(|mut transcript| {
        transcript.words = drop_hallucinations(std::mem::take(&mut transcript.words), &levels);
        transcript
    });
    StreamedSpeech {
        transcript,
        levels,
        silences: found_silences,
        audio_samples: counts.audio_samples,
        chunks: counts.chunks,
        speech_seconds: counts.speech_seconds,
        most_buffered_samples: counts.most_buffered_samples,
        whisper,
    }
}

/// What the worker heard, in source time.
struct Heard {
    words: Vec<Word>,
    events: Vec<SoundEvent>,
    language: Option<String>,
    stats: WhisperRunStats,
}

/// The worker: whisper on each chunk as it arrives, words moved to source time.
fn transcribe_chunks(
    session: &mut WhisperSession,
    chunks: Receiver<SpeechChunk>,
    limits: DecodeLimits,
    stop: &AtomicBool,
) -> Result<Heard> {
    let mut words: Vec<Word> = Vec::new();
    let mut events: Vec<SoundEvent> = Vec::new();
    let mut stats = WhisperRunStats::default();
    for chunk in chunks {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let run = session.transcribe(&chunk.samples, limits, &mut |_| {})?;
        add_stats(&mut stats, &run.stats);
        let previous_end = words.last().map_or(0.0, |word| word.end);
        for mut word in run.transcript.words {
            word.start = chunk.source_time(word.start).max(previous_end);
            word.end = chunk.source_time(word.end).max(word.start);
            words.push(word);
        }
        for mut event in run.transcript.events {
            event.start = chunk.source_time(event.start);
            event.end = chunk.source_time(event.end).max(event.start);
            events.push(event);
        }
    }
    Ok(Heard { words, events, language: session.language().map(str::to_string), stats })
}

fn add_stats(total: &mut WhisperRunStats, run: &WhisperRunStats) {
    total.windows += run.windows;
    total.encoder_time += run.encoder_time;
    total.decoder_steps += run.decoder_steps;
    total.decoder_time += run.decoder_time;
    total.decoder_intervals += run.decoder_intervals;
    total.segments += run.segments;
    total.text_tokens += run.text_tokens;
    total.total_time += run.total_time;
}

/// A decoder over samples already in memory, pushed a second at a time.
pub fn decode_slice(samples: &[f32]) -> Box<Decode<'_>> {
    Box::new(move |push: &mut dyn FnMut(&[f32]), report: &mut dyn FnMut(f64)| {
        let block = STREAM_SAMPLE_RATE as usize;
        let blocks = samples.len().div_ceil(block).max(1);
        for (index, piece) in samples.chunks(block).enumerate() {
            push(piece);
            report((index + 1) as f64 / blocks as f64);
        }
        Ok(())
    })
}
