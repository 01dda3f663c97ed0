//! Canceling a clip job in every stage of a real run (a generated talk with an SRT): the run
//! ends with `Error::Canceled`, no later stage begins, no clip is published, and a stage that
//! works in a loop (the survey's decode, the close look, ffmpeg's render) stops inside it.

use opusclip_core::cancel::CancelScope;
use opusclip_core::Error;
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions, SampleTalk};
use opusclip_pipeline::{run_clip, ClipOptions, Progress};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

fn sample() -> &'static SampleTalk {
    static SAMPLE: OnceLock<(tempfile::TempDir, SampleTalk)> = OnceLock::new();
    &SAMPLE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let options = SampleOptions { width: 1280, height: 720, paragraphs: Some(2), ..SampleOptions::default() };
            let talk = make_sample_talk(dir.path(), &options).expect("espeak-ng and ffmpeg make the sample talk");
            (dir, talk)
        })
        .1
}

/// Cancels the job when `target` begins, or once it is `after` done.
struct CancelIn {
    target: &'static str,
    after: Option<f64>,
    flag: Arc<AtomicBool>,
    current: RefCell<String>,
    /// The target stage's last reported fraction.
    reached: RefCell<f64>,
    begun: RefCell<Vec<String>>,
    finished: RefCell<Vec<String>>,
    canceled_at: RefCell<Option<Instant>>,
}

impl CancelIn {
    fn cancel(&self) {
        if !self.flag.swap(true, Ordering::Relaxed) {
            *self.canceled_at.borrow_mut() = Some(Instant::now());
        }
    }
}

impl Progress for CancelIn {
    fn stage(&self, name: &str) {
        self.begun.borrow_mut().push(name.to_string());
        *self.current.borrow_mut() = name.to_string();
        if name == self.target && self.after.is_none() {
            self.cancel();
        }
    }
    fn advance(&self, fraction: f64) {
        let in_target = *self.current.borrow() == self.target;
        if in_target {
            *self.reached.borrow_mut() = fraction;
        }
        if in_target && self.after.is_some_and(|after| fraction >= after) {
            self.cancel();
        }
    }
    fn stage_done(&self, name: &str, _seconds: f64) {
        self.finished.borrow_mut().push(name.to_string());
    }
}

fn run_canceled(target: &'static str, after: Option<f64>) -> CancelIn {
    let flag = Arc::new(AtomicBool::new(false));
    let _scope = CancelScope::install(flag.clone());
    let progress = CancelIn {
        target,
        after,
        flag,
        current: RefCell::default(),
        reached: RefCell::default(),
        begun: RefCell::default(),
        finished: RefCell::default(),
        canceled_at: RefCell::default(),
    };
    let out = tempfile::tempdir().unwrap();
    let options = ClipOptions {
        clips: 2,
        min_seconds: 6.0,
        max_seconds: 14.0,
        transcript: Some(sample().srt.clone()),
        ..ClipOptions::default()
    };
    let outcome = run_clip(&sample().video, out.path(), &options, &progress);
    assert!(matches!(outcome, Err(Error::Canceled)), "{target}: {outcome:?}");
    let took = progress.canceled_at.borrow().expect("canceled").elapsed().as_secs_f64();
    assert!(took < 3.0, "{target}: stopped {took:.1} s after the cancel");
    assert_eq!(progress.begun.borrow().last().map(String::as_str), Some(target), "no stage after {target} began");
    let published: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".mp4") && !name.starts_with('.'))
        .collect();
    assert!(published.is_empty(), "{target}: nothing published, found {published:?}");
    eprintln!("canceled in {target}: stopped {took:.2} s later");
    progress
}

#[test]
fn a_job_canceled_as_any_stage_begins_goes_no_further() {
    for stage in ["probe", "transcript", "survey", "select", "look", "reframe", "render"] {
        run_canceled(stage, None);
    }
}

#[test]
fn the_long_stages_stop_inside_their_loops() {
    for stage in ["survey", "look", "render"] {
        let progress = run_canceled(stage, Some(0.3));
        let reached = *progress.reached.borrow();
        assert!(reached < 1.0, "{stage} stopped before it finished (it reached {reached:.2})");
        assert!(!progress.finished.borrow().iter().any(|s| s == stage), "a stopped stage is not reported finished");
    }
}
