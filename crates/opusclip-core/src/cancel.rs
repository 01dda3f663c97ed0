//! Stopping a job's work when its owner cancels it. Whoever runs a job installs a flag on the
//! thread that does the work (`CancelScope`); the long loops — between stages, between clips,
//! inside the decode passes and while ffmpeg renders — ask `requested()` and stop with
//! `Error::Canceled`. Without a scope nothing is ever canceled.

use crate::{Error, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

thread_local! {
    static FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// While alive, `flag` is the current thread's cancel flag (the previous one comes back on drop).
pub struct CancelScope {
    previous: Option<Arc<AtomicBool>>,
}

impl CancelScope {
    pub fn install(flag: Arc<AtomicBool>) -> CancelScope {
        let previous = FLAG.with(|current| current.borrow_mut().replace(flag));
        CancelScope { previous }
    }
}

impl Drop for CancelScope {
    fn drop(&mut self) {
        let previous = self.previous.take();
        FLAG.with(|current| *current.borrow_mut() = previous);
    }
}

/// Whether the job this thread works for has been canceled.
pub fn requested() -> bool {
    FLAG.with(|current| current.borrow().as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed)))
}

/// `Err(Error::Canceled)` once the job is canceled.
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Canceled)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_counts_only_on_its_thread_and_only_inside_its_scope() {
        assert!(check().is_ok());
        let flag = Arc::new(AtomicBool::new(false));
        {
            let _scope = CancelScope::install(flag.clone());
            assert!(!requested());
            flag.store(true, Ordering::Relaxed);
            assert!(matches!(check(), Err(Error::Canceled)));
            assert!(!std::thread::spawn(requested).join().unwrap(), "other threads are not canceled");
        }
        assert!(!requested(), "the scope ended");
    }
}
