//! Embedding throughput of all-MiniLM-L6-v2 on this machine: model load (with and without the
//! SHA-256 check), then sentences per second at several batch sizes, on real talk sentences
//! (`../shared/highlights`) or, without them, generated ones.
//!
//! `cargo run --release -p opusclip-embed --example embed_bench -- [SENTENCES] [BATCH,BATCH,...]`
//! (the model from the cache, as `scripts/setup.sh` or `opusclip models fetch minilm` put it).

#[path = "common/ted.rs"]
mod ted;

use opusclip_embed::{minilm_dir, SentenceEmbedder};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|value| value.parse().ok()).unwrap_or(512);
    let batches: Vec<usize> = args
        .next()
        .map(|value| value.split(',').filter_map(|b| b.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8, 32, 64]);
    let cache = std::env::var_os("OPUSCLIP_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    let Some(dir) = minilm_dir(cache.as_deref()) else {
        eprintln!("no cache dir");
        std::process::exit(2);
    };
    let started = Instant::now();
    let checked = match SentenceEmbedder::load(&dir) {
        Ok(embedder) => embedder,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let load_checked = started.elapsed().as_secs_f64();
    drop(checked);
    let started = Instant::now();
    let embedder = SentenceEmbedder::load_unchecked(&dir).unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(2);
    });
    let load_unchecked = started.elapsed().as_secs_f64();
    println!("load: {load_checked:.2} s with the SHA-256 check, {load_unchecked:.2} s without");

    let sentences = sentences(count);
    let tokens: usize = sentences.iter().map(|s| embedder.token_count(s).unwrap_or(0)).sum();
    println!(
        "{} sentences, {:.1} tokens each on average (special tokens included)",
        sentences.len(),
        tokens as f64 / sentences.len().max(1) as f64
    );
    for batch in batches {
        let embedder = SentenceEmbedder::load_unchecked(&dir).expect("loaded above").with_batch_size(batch);
        let started = Instant::now();
        let vectors = embedder.embed(&sentences).expect("embeds");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(vectors.len(), sentences.len());
        println!("batch {batch:>3}: {:>7.1} sentences/s ({seconds:.2} s)", sentences.len() as f64 / seconds);
    }
}

fn sentences(count: usize) -> Vec<String> {
    let ted = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/highlights/ted-dev.jsonl.gz");
    if let Ok(talks) = ted::talks(&ted) {
        let all: Vec<String> = talks.into_iter().flatten().take(count).collect();
        if all.len() == count {
            println!("sentences: the first {count} of the TED dev talks");
            return all;
        }
    }
    println!("sentences: generated (no ../shared/highlights)");
    (0..count)
        .map(|i| format!("Sentence number {i} says something about topic {} and why it matters to people.", i % 7))
        .collect()
}
