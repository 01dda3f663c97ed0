//! A seeded random-mutation fuzzer for the stable toolchain: inputs grow from a target's seeds
//! by byte flips, inserts of random bytes and dictionary tokens, deletions, duplications of a
//! stretch (which finds quadratic work), and splices of two inputs. It has no coverage feedback
//! (`scripts/fuzz.sh` runs libFuzzer for that); it keeps every input under [`MAX_INPUT_BYTES`]
//! and fails on any input slower than [`SLOW_INPUT`].

use crate::targets::Target;
use std::time::{Duration, Instant};

/// The largest input tried (64 KiB): large enough for a thousand-cue file, small enough that a
/// linear parser answers in well under a millisecond.
pub const MAX_INPUT_BYTES: usize = 64 << 10;

/// An input that takes longer than this is a finding (a hang or super-linear work).
pub const SLOW_INPUT: Duration = Duration::from_secs(1);

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunStats {
    pub executions: u64,
    pub slowest: Duration,
}

/// Runs `target` on mutated inputs for `budget`, starting from its seeds with `seed` for the
/// random numbers. Panics (with the input, escaped) when the target panics or an input is slow.
pub fn fuzz_for(target: &Target, budget: Duration, seed: u64) -> RunStats {
    let mut random = XorShift(seed | 1);
    let mut pool: Vec<Vec<u8>> = target.seeds.iter().map(|seed| seed.as_bytes().to_vec()).collect();
    pool.push(Vec::new());
    let started = Instant::now();
    let mut stats = RunStats { executions: 0, slowest: Duration::ZERO };
    while started.elapsed() < budget {
        let parent = &pool[random.below(pool.len())];
        let mut input = parent.clone();
        for _ in 0..=random.below(4) {
            mutate(&mut input, &pool, target.dictionary, &mut random);
        }
        input.truncate(MAX_INPUT_BYTES);
        let took = run_one(target, &input);
        stats.executions += 1;
        stats.slowest = stats.slowest.max(took);
        assert!(took < SLOW_INPUT, "{}: an input took {took:?}: {}", target.name, escaped(&input));
        // Keep a bounded pool of recent inputs to grow from.
        if pool.len() < 256 {
            pool.push(input);
        } else {
            let slot = random.below(pool.len() - target.seeds.len()) + target.seeds.len();
            pool[slot] = input;
        }
    }
    stats
}

fn run_one(target: &Target, input: &[u8]) -> Duration {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| (target.run)(input));
    let took = started.elapsed();
    if let Err(panic) = outcome {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{}: the target panicked ({message}) on: {}", target.name, escaped(input));
    }
    took
}

fn mutate(input: &mut Vec<u8>, pool: &[Vec<u8>], dictionary: &[&str], random: &mut XorShift) {
    let at = random.below(input.len() + 1);
    match random.below(7) {
        0 if !input.is_empty() => {
            let index = random.below(input.len());
            input[index] ^= 1 << random.below(8);
        }
        1 => input.insert(at, random.next() as u8),
        2 if !dictionary.is_empty() => {
            let token = dictionary[random.below(dictionary.len())].as_bytes();
            input.splice(at..at, token.iter().copied());
        }
        3 if !input.is_empty() => {
            let end = (at + random.below(64) + 1).min(input.len());
            input.drain(at.min(end)..end);
        }
        4 if !input.is_empty() => {
            // Repeat a stretch many times: quadratic parsers show up here.
            let start = random.below(input.len());
            let end = (start + random.below(32) + 1).min(input.len());
            let stretch = input[start..end].to_vec();
            let copies = 1 + random.below(2000);
            let room = MAX_INPUT_BYTES.saturating_sub(input.len()) / stretch.len().max(1);
            for _ in 0..copies.min(room) {
                input.splice(end..end, stretch.iter().copied());
            }
        }
        5 => {
            let other = &pool[random.below(pool.len())];
            let cut = random.below(other.len() + 1);
            input.truncate(at);
            input.extend_from_slice(&other[cut..]);
        }
        _ => {
            let digits = ["0", "9", "99", "-1", "4294967296", "1e308", "00:00:00,000", "99:59:59.999"];
            input.splice(at..at, digits[random.below(digits.len())].bytes());
        }
    }
}

/// The input as a Rust byte-string literal, to paste into a regression test.
fn escaped(input: &[u8]) -> String {
    let shown: Vec<u8> = input.iter().take(512).copied().collect();
    format!("b\"{}\" ({} bytes)", shown.escape_ascii(), input.len())
}

/// xorshift64: fast, seedable, good enough to pick mutations.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}
