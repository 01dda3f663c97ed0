//! Timing a command the way a benchmark must: wall seconds, CPU seconds (user + system, the
//! child and everything it waited for) and peak resident memory, read from the kernel's
//! `wait4` accounting of that one child; and contenders run alternately, best of N, so a
//! noisy machine slows every contender of a round alike.

use opusclip_core::{Error, Result};
use serde::Serialize;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One run of a command.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Run {
    pub seconds: f64,
    /// User plus system CPU time of the process and its waited-for children.
    pub cpu_seconds: f64,
    /// Largest resident set of the process or any of its waited-for children, bytes.
    pub peak_rss_bytes: u64,
}

/// The best of several runs: the shortest wall time and, separately, the least CPU time (on
/// a busy machine CPU time is the steadier figure).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Best {
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub peak_rss_bytes: u64,
    pub runs: usize,
}

impl Best {
    fn of(runs: &[Run]) -> Best {
        let fastest = runs.iter().map(|run| run.seconds).fold(f64::INFINITY, f64::min);
        let least_cpu = runs.iter().map(|run| run.cpu_seconds).fold(f64::INFINITY, f64::min);
        let peak = runs.iter().map(|run| run.peak_rss_bytes).max().unwrap_or(0);
        Best { seconds: fastest, cpu_seconds: least_cpu, peak_rss_bytes: peak, runs: runs.len() }
    }
}

impl From<Run> for Best {
    fn from(run: Run) -> Best {
        Best::of(&[run])
    }
}

/// Runs `command` to completion with its output discarded (its stderr kept in `log` for the
/// error), and measures it. A failed command is an error naming it and its last lines.
pub fn run_measured(command: &mut Command, log: &Path) -> Result<Run> {
    let stderr = std::fs::File::create(log).map_err(|e| Error::io("create", log, e))?;
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| Error::invalid_input(format!("could not start {}: {e}", program_name(command))))?;
    let (status, usage) = wait_with_usage(child.id())?;
    let seconds = started.elapsed().as_secs_f64();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(Error::video(format!(
            "the benchmark's command {} failed: {}",
            describe(command),
            tail.join(" / ")
        )));
    }
    let cpu = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    Ok(Run {
        seconds,
        cpu_seconds: cpu(usage.ru_utime) + cpu(usage.ru_stime),
        // Linux reports ru_maxrss in kibibytes.
        peak_rss_bytes: (usage.ru_maxrss.max(0) as u64) * 1024,
    })
}

/// Waits for child `pid` and returns its wait status and resource usage. The `Child` handle is
/// not waited on afterwards (the process is already reaped).
fn wait_with_usage(pid: u32) -> Result<(libc::c_int, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value that wait4 overwrites.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own unreaped child; status and usage point to live locals.
        let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if waited == pid as libc::pid_t {
            return Ok((status, usage));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::video(format!("waiting for a benchmark command failed: {error}")));
        }
    }
}

/// A contender of an alternating comparison: a name and how to run it once.
pub struct Contender<'a> {
    pub name: String,
    pub run: Box<dyn FnMut() -> Result<Run> + 'a>,
}

impl<'a> Contender<'a> {
    pub fn new(name: impl Into<String>, run: impl FnMut() -> Result<Run> + 'a) -> Self {
        Contender { name: name.into(), run: Box::new(run) }
    }
}

/// Runs every contender once per round, in order, for `rounds` rounds, and returns each one's
/// best. `announce` is told each run before it starts (for progress).
pub fn alternate(
    rounds: usize,
    contenders: &mut [Contender],
    announce: &mut dyn FnMut(&str, usize),
) -> Result<Vec<(String, Best)>> {
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); contenders.len()];
    for round in 0..rounds.max(1) {
        for (contender, runs) in contenders.iter_mut().zip(&mut runs) {
            announce(&contender.name, round + 1);
            runs.push((contender.run)()?);
        }
    }
    Ok(contenders.iter().zip(runs).map(|(contender, runs)| (contender.name.clone(), Best::of(&runs))).collect())
}

fn program_name(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

/// The command line, for an error message.
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_child_shows_its_cpu_time_and_memory() {
        let dir = tempfile::tempdir().unwrap();
        // Python allocates ~64 MiB and spins for ~0.3 s of CPU.
        let mut command = Command::new("python3");
        command.args([
            "-c",
            "import time\nb = bytearray(64 << 20)\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass",
        ]);
        let run = run_measured(&mut command, &dir.path().join("log")).unwrap();
        assert!(run.cpu_seconds >= 0.25, "{run:?}");
        assert!(run.seconds >= run.cpu_seconds * 0.5, "{run:?}");
        assert!(run.peak_rss_bytes >= 64 << 20, "{run:?}");
    }

    #[test]
    fn a_failing_command_is_an_error_with_its_last_words() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", "echo the disk is on fire >&2; exit 3"]);
        let error = run_measured(&mut command, &dir.path().join("log")).unwrap_err();
        assert!(error.to_string().contains("the disk is on fire"), "{error}");
    }

    #[test]
    fn alternation_keeps_each_contenders_best() {
        let mut first = [3.0, 1.0, 2.0].into_iter();
        let mut contenders = [Contender::new("a", move || {
            let seconds = first.next().unwrap();
            Ok(Run { seconds, cpu_seconds: 4.0 - seconds, peak_rss_bytes: 10 })
        })];
        let mut order = Vec::new();
        let best = alternate(3, &mut contenders, &mut |name, round| order.push(format!("{name}{round}"))).unwrap();
        assert_eq!(order, ["a1", "a2", "a3"]);
        assert_eq!(best[0].1, Best { seconds: 1.0, cpu_seconds: 1.0, peak_rss_bytes: 10, runs: 3 });
    }
}
