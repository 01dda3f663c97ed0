//! Terminal progress: one bar per stage on stderr, hidden when stderr is not a terminal or
//! output is JSON.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use opusclip_pipeline::Progress;
use std::cell::RefCell;
use std::io::IsTerminal;

/// Stage bars for one input.
pub struct StageBars {
    bar: RefCell<Option<ProgressBar>>,
    visible: bool,
    label: String,
}

impl StageBars {
    pub fn new(label: String, quiet: bool) -> StageBars {
        StageBars { bar: RefCell::new(None), visible: !quiet && std::io::stderr().is_terminal(), label }
    }
}

impl Progress for StageBars {
    fn stage(&self, name: &str) {
        if !self.visible {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>12} {msg:<10} [{bar:30}] {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(self.label.clone());
        bar.set_message(name.to_string());
        *self.bar.borrow_mut() = Some(bar);
    }

    fn advance(&self, fraction: f64) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
        }
    }

    fn stage_done(&self, _name: &str, _seconds: f64) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.set_position(1000);
            bar.finish();
        }
    }

    fn warn(&self, message: &str) {
        tracing::warn!("{message}");
        if !self.visible {
            return;
        }
        match self.bar.borrow().as_ref() {
            Some(bar) => bar.println(format!("note: {message}")),
            None => eprintln!("note: {message}"),
        }
    }
}
