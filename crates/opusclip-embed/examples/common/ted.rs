//! Sentences of the TED talks in `../shared/highlights/ted-dev.jsonl.gz` for the examples
//! (evaluation data only: read at run time, never copied into the project).

#![allow(dead_code)] // each example uses part of it

use std::io::{BufRead, BufReader};
use std::path::Path;

/// The sentences of every talk, in order: cue texts joined, parenthesised audience markers
/// dropped, split after `.`, `?` or `!`.
pub fn talks(path: &Path) -> std::io::Result<Vec<Vec<String>>> {
    let file = std::fs::File::open(path)?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut talks = Vec::new();
    for line in reader.lines() {
        let line = line?;
        let Ok(talk) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        let Some(cues) = talk["cues"].as_array() else { continue };
        let text: Vec<&str> = cues.iter().filter_map(|cue| cue.get(1)?.as_str()).collect();
        talks.push(split_sentences(&strip_markers(&text.join(" "))));
    }
    Ok(talks)
}

fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for character in text.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(character),
            _ => {}
        }
    }
    out
}

fn split_sentences(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        if word.ends_with(['.', '?', '!']) || word.ends_with(".\"") || word.ends_with("?\"") {
            if current.split_whitespace().count() >= 3 {
                sentences.push(std::mem::take(&mut current));
            } else {
                current.clear();
            }
        }
    }
    if current.split_whitespace().count() >= 3 {
        sentences.push(current);
    }
    sentences
}

/// A small deterministic generator (xorshift64*), so runs are repeatable.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        if bound == 0 {
            0
        } else {
            (value % bound as u64) as usize
        }
    }
}
