//! The full-rate, whole-source pass of `opusclip analyze`. The video is cut at key frames into
//! segments that two workers decode side by side, each with a single-threaded decoder (frame
//! threading spends ~13 % more CPU on the same frames), the loop filter skipped (the picture is
//! only analysed), every frame scaled straight to a small planar YUV picture. Each worker turns
//! every frame into a small record at once ([`FrameWork`]), so only records and two pictures
//! per segment travel; the sink receives the segments in timeline order. The audio is decoded
//! to 16 kHz mono on a thread of its own. Memory does not grow with the length of the source:
//! workers run at most [`MAX_SEGMENTS_AHEAD`] segments ahead of the sink, the audio at most
//! 10 s, and each worker keeps its file and decoder open across its segments.

use crate::decode::{
    container_start, decode_error, frame_number, open, video_decoder_with_threads, AudioTo16k, GrayFrame, GrayScaler,
    VideoDecodeMode,
};
use ffmpeg_next as ffmpeg;
use ffmpeg_next::{frame, media};
use opusclip_core::{Error, ProbeFacts, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// How many segments a worker may decode beyond the one the sink waits for.
pub const MAX_SEGMENTS_AHEAD: usize = 3;

/// How many decoded audio samples may wait for the sink (10 s at 16 kHz): the audio thread
/// decodes much faster than the video, and an unbounded queue grew with the source's length.
const MAX_AUDIO_QUEUED: u64 = 160_000;

/// Samples sent to the sink and not yet taken, shared by the audio thread and the sink.
struct AudioBacklog {
    queued: Mutex<u64>,
    taken: Condvar,
}

impl AudioBacklog {
    /// Waits (the audio thread) until the queue has room, then counts `samples` in.
    fn reserve(&self, samples: u64, abort: &AtomicBool) {
        let Ok(mut queued) = self.queued.lock() else { return };
        while *queued > MAX_AUDIO_QUEUED && !abort.load(Ordering::Relaxed) {
            match self.taken.wait_timeout(queued, std::time::Duration::from_millis(50)) {
                Ok((guard, _)) => queued = guard,
                Err(_) => return,
            }
        }
        *queued += samples;
    }

    /// Counts `samples` out (the sink took them).
    fn release(&self, samples: u64) {
        if let Ok(mut queued) = self.queued.lock() {
            *queued = queued.saturating_sub(samples);
        }
        self.taken.notify_one();
    }
}

/// What the analysis pass reads.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisOptions {
    /// Width of the analysed picture (display orientation); PySceneDetect works at ~256 px.
    pub width: u32,
    pub audio: bool,
    /// Skip the loop filter: faster, and invisible at analysis size.
    pub skip_loop_filter: bool,
    /// Decoding workers (segments decoded side by side); 1 decodes the whole video as one
    /// segment with a frame-threaded decoder.
    pub workers: usize,
    /// Target length of a segment in seconds; segments start at the key frame at or before
    /// each multiple of it.
    pub segment_seconds: f64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions { width: 256, audio: true, skip_loop_filter: true, workers: 2, segment_seconds: 30.0 }
    }
}

/// One decoded frame: its number on the PTS timeline, its time, and its Y, U, V planes.
#[derive(Debug)]
pub struct AnalysisFrame<'a> {
    /// The frame number on the presentation timeline, counted from the video's first frame
    /// (`round((t - first frame's t) * fps)`).
    pub index: u64,
    pub t: f64,
    pub y: &'a GrayFrame,
    pub u: &'a GrayFrame,
    pub v: &'a GrayFrame,
}

/// The per-frame work done on a decoding worker: turns each frame into a small record.
pub trait FrameWork: Send {
    type Record: Send;
    /// The next frame starts a segment: it follows no frame this worker has seen.
    fn start_segment(&mut self);
    /// The record of one frame (frames of a segment come in timeline order).
    fn frame(&mut self, frame: &AnalysisFrame) -> Self::Record;
}

/// A segment's frames as records, with its first and last pictures (Y, U, V) so that the sink
/// can compare the frames on either side of a segment edge.
#[derive(Debug)]
pub struct DecodedSegment<R> {
    pub records: Vec<R>,
    pub first: Option<[GrayFrame; 3]>,
    pub last: Option<[GrayFrame; 3]>,
}

/// Receives the pass's output: video segments in timeline order, audio in timeline order.
pub trait AnalysisSink<R> {
    fn segment(&mut self, segment: DecodedSegment<R>);
    /// 16 kHz mono samples, contiguous from t = 0.
    fn audio(&mut self, samples: &[f32]);
    /// Fraction of the source read, 0..1.
    fn progress(&mut self, _fraction: f64) {}
}

/// Counts of what the pass decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisCounts {
    pub frames: u64,
    pub audio_samples: u64,
    /// How many segments the video was decoded in.
    pub segments: usize,
}

/// A span of the video stream between two key frames, in stream timestamps: frames with
/// `start <= pts < end` (`None`: from the first frame / to the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    start: Option<i64>,
    end: Option<i64>,
}

/// What every worker needs to know about the source.
struct Source<'a> {
    path: &'a Path,
    facts: &'a ProbeFacts,
    options: AnalysisOptions,
    video_index: usize,
    time_base: f64,
    origin: f64,
    fps: f64,
    first_frame_time: f64,
    /// Decoder threads per worker.
    decoder_threads: usize,
}

enum Message<R> {
    Segment(usize, Box<Result<DecodedSegment<R>>>),
    Audio(Vec<f32>),
    AudioDone(Result<u64>),
}

/// Which segment each worker takes next, and how far the sink has got.
struct Schedule {
    next: usize,
    consumed: usize,
}

/// Decode the whole of `path` once: every frame as small YUV turned into records by a
/// [`FrameWork`] from `make_work` (one per worker), and the audio.
pub fn analysis_decode<W, F>(
    path: &Path,
    facts: &ProbeFacts,
    options: AnalysisOptions,
    make_work: F,
    sink: &mut dyn AnalysisSink<W::Record>,
) -> Result<AnalysisCounts>
where
    W: FrameWork,
    F: Fn() -> W + Sync,
{
    let input = open(path)?;
    let origin = container_start(&input);
    let video_index = facts.video.index;
    let time_base = input.stream(video_index).map(|s| f64::from(s.time_base())).unwrap_or(0.0);
    let audio_index = if options.audio { input.streams().best(media::Type::Audio).map(|s| s.index()) } else { None };
    drop(input);
    let segments = plan_segments(path, facts, options, video_index, time_base)?;
    let workers = options.workers.clamp(1, segments.len());
    let source = Source {
        path,
        facts,
        options,
        video_index,
        time_base,
        origin,
        fps: facts.video.fps.max(1.0),
        first_frame_time: facts.video.start_time - origin,
        decoder_threads: if workers == 1 { 2 } else { 1 },
    };
    let schedule = (Mutex::new(Schedule { next: 0, consumed: 0 }), Condvar::new());
    let abort = AtomicBool::new(false);
    let backlog = AudioBacklog { queued: Mutex::new(0), taken: Condvar::new() };
    let (sender, receiver) = mpsc::channel::<Message<W::Record>>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (source, segments, schedule, abort, make_work) = (&source, &segments, &schedule, &abort, &make_work);
            scope.spawn(move || run_worker(source, segments, schedule, abort, make_work(), sender));
        }
        if let Some(index) = audio_index {
            let sender = sender.clone();
            let (abort, backlog) = (&abort, &backlog);
            scope.spawn(move || {
                let done = decode_audio(path, index, abort, backlog, &sender);
                let _ = sender.send(Message::AudioDone(done));
            });
        }
        drop(sender);
        let outcome = consume(receiver, segments.len(), audio_index.is_some(), (&schedule, &backlog), sink);
        if outcome.is_err() {
            abort.store(true, Ordering::Relaxed);
            schedule.1.notify_all();
        }
        outcome.map(|(frames, audio_samples)| AnalysisCounts { frames, audio_samples, segments: segments.len() })
    })
}

/// Hands segments to the sink in order and audio as it comes; returns (frames, audio samples).
fn consume<R>(
    receiver: mpsc::Receiver<Message<R>>,
    segment_count: usize,
    expect_audio: bool,
    (schedule, backlog): (&(Mutex<Schedule>, Condvar), &AudioBacklog),
    sink: &mut dyn AnalysisSink<R>,
) -> Result<(u64, u64)> {
    let mut waiting: BTreeMap<usize, DecodedSegment<R>> = BTreeMap::new();
    let (mut next, mut frames, mut audio_samples, mut audio_open) = (0usize, 0u64, 0u64, expect_audio);
    while next < segment_count || audio_open {
        let message = receiver.recv().map_err(|_| Error::Internal("a decoding worker stopped unexpectedly".into()))?;
        match message {
            Message::Audio(samples) => {
                sink.audio(&samples);
                backlog.release(samples.len() as u64);
            }
            Message::AudioDone(done) => {
                audio_samples = done?;
                audio_open = false;
            }
            Message::Segment(index, segment) => {
                waiting.insert(index, (*segment)?);
                while let Some(segment) = waiting.remove(&next) {
                    frames += segment.records.len() as u64;
                    sink.segment(segment);
                    next += 1;
                    sink.progress(next as f64 / segment_count as f64);
                    let (lock, wake) = schedule;
                    lock.lock().map_err(|_| Error::Internal("decoding schedule poisoned".into()))?.consumed = next;
                    wake.notify_all();
                    return_freed_memory();
                }
            }
        }
    }
    Ok((frames, audio_samples))
}

/// Hands memory the decoders freed back to the system. Three threads allocating and freeing
/// packets and frames leave glibc's per-thread arenas holding freed pages, so without this the
/// resident size crept up with the length of the source although the live heap stays ~25 MB.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only releases free pages of glibc's own heaps; it takes no pointers.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Takes segments in order while the sink keeps up, decodes each, sends the result.
fn run_worker<W: FrameWork>(
    source: &Source,
    segments: &[Segment],
    schedule: &(Mutex<Schedule>, Condvar),
    abort: &AtomicBool,
    mut work: W,
    sender: mpsc::Sender<Message<W::Record>>,
) {
    let mut reader = None;
    loop {
        let index = {
            let (lock, wake) = schedule;
            let Ok(mut state) = lock.lock() else { return };
            while !abort.load(Ordering::Relaxed)
                && state.next < segments.len()
                && state.next >= state.consumed + MAX_SEGMENTS_AHEAD
            {
                let Ok(woken) = wake.wait(state) else { return };
                state = woken;
            }
            if abort.load(Ordering::Relaxed) || state.next >= segments.len() {
                return;
            }
            state.next += 1;
            state.next - 1
        };
        let decoded = decode_segment(source, segments[index], &mut reader, &mut work, abort);
        let failed = decoded.is_err();
        if sender.send(Message::Segment(index, Box::new(decoded))).is_err() || failed {
            return;
        }
    }
}

/// A worker's open source, kept across its segments: reopening the file and the decoder for
/// every segment made the allocator's footprint creep up with the number of segments.
struct Reader {
    input: ffmpeg::format::context::Input,
    decoder: ffmpeg::decoder::Video,
    scaler: GrayScaler,
    decoded: frame::Video,
    planes: [GrayFrame; 3],
    /// Packets have been read: a segment from the very start needs a fresh reader.
    used: bool,
}

impl Reader {
    fn open(source: &Source) -> Result<Reader> {
        let input = open(source.path)?;
        let mode = if source.options.skip_loop_filter { VideoDecodeMode::FastAnalysis } else { VideoDecodeMode::Full };
        let decoder = video_decoder_with_threads(&input, source.video_index, mode, source.decoder_threads)?;
        Ok(Reader {
            input,
            decoder,
            scaler: GrayScaler::new_yuv(source.facts, source.options.width),
            decoded: frame::Video::empty(),
            planes: Default::default(),
            used: false,
        })
    }

    /// Positions the reader at `segment`'s first key frame, with an empty decoder.
    fn position(&mut self, source: &Source, segment: Segment) -> Result<()> {
        if let Some(start) = segment.start {
            let seconds = start as f64 * source.time_base;
            let target = (seconds * f64::from(ffmpeg::ffi::AV_TIME_BASE)).ceil() as i64;
            self.input.seek(target, ..target).map_err(|e| decode_error("seeking to a segment's key frame", e))?;
            self.decoder.flush();
        }
        self.used = true;
        Ok(())
    }
}

/// Decode one segment into records, reusing the worker's reader where it can.
fn decode_segment<W: FrameWork>(
    source: &Source,
    segment: Segment,
    reader: &mut Option<Reader>,
    work: &mut W,
    abort: &AtomicBool,
) -> Result<DecodedSegment<W::Record>> {
    if reader.as_ref().is_none_or(|r| r.used && segment.start.is_none()) {
        *reader = Some(Reader::open(source)?);
    }
    let Some(reader) = reader.as_mut() else { return Err(Error::Internal("no reader".into())) };
    reader.position(source, segment)?;
    let mut state =
        SegmentState { out: DecodedSegment { records: Vec::new(), first: None, last: None }, finished: false };
    work.start_segment();
    let Reader { input, decoder, scaler, decoded, planes, .. } = reader;
    let mut frames = FrameSlots { scaler, decoded, planes };
    for (stream, packet) in input.packets() {
        if stream.index() != source.video_index {
            continue;
        }
        if abort.load(Ordering::Relaxed) {
            return Err(Error::Internal("analysis stopped".into()));
        }
        if let Err(error) = decoder.send_packet(&packet) {
            tracing::debug!(%error, "video packet rejected");
        }
        state.drain(decoder, &mut frames, source, segment, work)?;
        if state.finished {
            break;
        }
    }
    if !state.finished {
        decoder.send_eof().ok();
        state.drain(decoder, &mut frames, source, segment, work)?;
    }
    if !state.out.records.is_empty() {
        state.out.last = Some(frames.planes.clone());
    }
    Ok(state.out)
}

/// Where a decoded frame goes on its way to a record.
struct FrameSlots<'a> {
    scaler: &'a mut GrayScaler,
    decoded: &'a mut frame::Video,
    planes: &'a mut [GrayFrame; 3],
}

/// A segment being decoded.
struct SegmentState<R> {
    out: DecodedSegment<R>,
    /// A frame at or past the segment's end came out: the segment is complete.
    finished: bool,
}

impl<R> SegmentState<R> {
    fn drain<W: FrameWork<Record = R>>(
        &mut self,
        decoder: &mut ffmpeg::decoder::Video,
        frames: &mut FrameSlots,
        source: &Source,
        segment: Segment,
        work: &mut W,
    ) -> Result<()> {
        while !self.finished && decoder.receive_frame(frames.decoded).is_ok() {
            let Some(pts) = frames.decoded.timestamp().or(frames.decoded.pts()) else { continue };
            if segment.start.is_some_and(|start| pts < start) {
                continue; // a leading picture of an open GOP: the previous segment has it
            }
            if segment.end.is_some_and(|end| pts >= end) {
                self.finished = true;
                break;
            }
            let t = pts as f64 * source.time_base - source.origin;
            frames.scaler.convert_planes(frames.decoded, t, frames.planes)?;
            let [y, u, v] = &*frames.planes;
            let index = frame_number(t, source.first_frame_time, source.fps);
            self.out.records.push(work.frame(&AnalysisFrame { index, t, y, u, v }));
            if self.out.first.is_none() {
                self.out.first = Some(frames.planes.clone());
            }
        }
        Ok(())
    }
}

/// Segments of about `segment_seconds` ([`nominal_starts`]), each starting at a key frame (found
/// by seeking to the nominal start and reading the first key packet); one segment when workers
/// are 1, the source is short, or the key frames are too sparse.
fn plan_segments(
    path: &Path,
    facts: &ProbeFacts,
    options: AnalysisOptions,
    video_index: usize,
    time_base: f64,
) -> Result<Vec<Segment>> {
    let whole = vec![Segment { start: None, end: None }];
    let length = options.segment_seconds.max(1.0);
    let count = (facts.duration / length).floor() as usize;
    if options.workers < 2 || count < 2 || time_base <= 0.0 {
        return Ok(whole);
    }
    let mut input = open(path)?;
    let mut starts: Vec<i64> = Vec::new();
    for offset in nominal_starts(facts.duration, length) {
        let nominal = facts.video.start_time + offset;
        let target = (nominal * f64::from(ffmpeg::ffi::AV_TIME_BASE)) as i64;
        if input.seek(target, ..target).is_err() {
            return Ok(whole); // not seekable: one segment
        }
        let key = input
            .packets()
            .take(2000)
            .find(|(stream, packet)| stream.index() == video_index && packet.is_key())
            .and_then(|(_, packet)| packet.pts().or(packet.dts()));
        if let Some(key) = key {
            let after_previous = starts.last().is_none_or(|&last| key > last);
            let after_first_frame = key as f64 * time_base > facts.video.start_time + 0.5;
            if after_previous && after_first_frame {
                starts.push(key);
            }
        }
    }
    let mut segments = Vec::with_capacity(starts.len() + 1);
    let mut previous = None;
    for &start in &starts {
        segments.push(Segment { start: previous, end: Some(start) });
        previous = Some(start);
    }
    segments.push(Segment { start: previous, end: None });
    Ok(segments)
}

/// Where the segments after the first begin, in seconds from the start: every `length` seconds,
/// then, for the last stretch of at most two lengths, every quarter length. With whole lengths to
/// the end, one worker decoded the last segment (up to two lengths) alone while the other idled:
/// a 4-minute source spent its last 7 of 20 seconds on one core. Quarter segments at the end keep
/// both busy; only the end is cut finer, because each segment costs a seek and a decoder flush.
fn nominal_starts(duration: f64, length: f64) -> Vec<f64> {
    let mut starts = Vec::new();
    let mut at = length;
    while duration - at > 2.0 * length {
        starts.push(at);
        at += length;
    }
    let piece = length / TAIL_PIECES;
    while duration - at > piece / 2.0 {
        starts.push(at);
        at += piece;
    }
    starts
}

/// Into how many pieces a segment length is cut at the end of the source (see [`nominal_starts`]).
const TAIL_PIECES: f64 = 4.0;

/// Decode the audio stream alone, sending 16 kHz mono samples; returns how many were sent.
fn decode_audio<R>(
    path: &Path,
    index: usize,
    abort: &AtomicBool,
    backlog: &AudioBacklog,
    sender: &mpsc::Sender<Message<R>>,
) -> Result<u64> {
    let mut input = open(path)?;
    let origin = container_start(&input);
    let mut audio = AudioTo16k::new(&input, index, origin)?;
    let mut sent = 0u64;
    let mut emit = |samples: &[f32]| {
        sent += samples.len() as u64;
        backlog.reserve(samples.len() as u64, abort);
        let _ = sender.send(Message::Audio(samples.to_vec()));
    };
    for (stream, packet) in input.packets() {
        if stream.index() == index {
            if abort.load(Ordering::Relaxed) {
                return Err(Error::Internal("analysis stopped".into()));
            }
            audio.push(Some(&packet), &mut emit)?;
        }
    }
    audio.push(None, &mut emit)?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::nominal_starts;

    #[test]
    fn segments_are_whole_lengths_then_quarters_over_the_last_stretch() {
        let starts = nominal_starts(234.0, 30.0);
        assert_eq!(&starts[..5], [30.0, 60.0, 90.0, 120.0, 150.0]);
        assert_eq!(&starts[5..], [180.0, 187.5, 195.0, 202.5, 210.0, 217.5, 225.0]);
        // The last piece is never shorter than half a quarter length.
        let last = *starts.last().unwrap();
        assert!(234.0 - last >= 30.0 / 8.0 - 1e-9, "{starts:?}");
        // At most two lengths are cut finely, whatever the source's length.
        let hour = nominal_starts(3600.0, 30.0);
        assert!(hour.iter().filter(|start| **start > 3600.0 - 60.0).count() <= 8, "{hour:?}");
        assert!(hour.windows(2).all(|pair| pair[1] > pair[0]));
        assert_eq!(hour.iter().filter(|start| **start < 3600.0 - 60.0).count(), 117);
    }
}
