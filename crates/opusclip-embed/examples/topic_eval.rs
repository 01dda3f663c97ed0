//! How well TextTiling finds topic changes, over sentence embeddings (all-MiniLM-L6-v2) and over
//! TF-IDF, on documents made of runs of consecutive sentences from different TED talks (Choi's
//! construction; the true boundaries are where the talk changes). Reports Pk and WindowDiff
//! (lower is better) and boundaries found per true boundary, for the default settings and a
//! sweep of the relative-depth floor; talks with even index choose, odd ones are held out.
//!
//! `cargo run --release -p opusclip-embed --example topic_eval -- [DOCUMENTS]`
//! (needs `../shared/highlights/ted-dev.jsonl.gz` and the model in the cache).

#[path = "common/ted.rs"]
mod ted;

use opusclip_embed::{minilm_dir, SentenceEmbedder};
use opusclip_select::{
    embedding_topic_segments_with, topic_segments_with, TopicOptions, TopicSegmentation, EMBEDDING_TOPIC_OPTIONS,
};
use std::path::{Path, PathBuf};

struct Document {
    sentences: Vec<String>,
    segment_of_sentence: Vec<usize>,
}

fn main() {
    let count: usize = std::env::args().nth(1).and_then(|value| value.parse().ok()).unwrap_or(60);
    let ted = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/highlights/ted-dev.jsonl.gz");
    let talks = match ted::talks(&ted) {
        Ok(talks) => talks,
        Err(error) => {
            eprintln!("skipped: cannot read {} ({error})", ted.display());
            return;
        }
    };
    let cache = std::env::var_os("OPUSCLIP_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    let embedder = match minilm_dir(cache.as_deref())
        .ok_or("no cache dir".to_string())
        .and_then(|dir| SentenceEmbedder::load(&dir).map_err(|error| error.to_string()))
    {
        Ok(embedder) => embedder,
        Err(error) => {
            eprintln!("skipped: {error}");
            return;
        }
    };
    let floors = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5];
    for (split, parity) in [("choosing (even talks)", 0), ("held out (odd talks)", 1)] {
        let pool: Vec<&Vec<String>> =
            talks.iter().enumerate().filter(|(i, t)| i % 2 == parity && t.len() >= 30).map(|(_, t)| t).collect();
        let documents = make_documents(&pool, count, 7 + parity as u64);
        let embedded: Vec<Vec<Vec<f32>>> =
            documents.iter().map(|d| embedder.embed(&d.sentences).expect("embeds")).collect();
        let true_boundaries: usize = documents.iter().map(|d| d.segment_of_sentence.last().copied().unwrap_or(0)).sum();
        println!(
            "\n{split}: {} documents, {} sentences, {true_boundaries} true boundaries",
            documents.len(),
            documents.iter().map(|d| d.sentences.len()).sum::<usize>()
        );
        println!("{:<40} {:>6} {:>11} {:>12}", "method", "Pk", "WindowDiff", "found/true");
        for floor in floors {
            let options = TopicOptions { min_relative_depth: floor, ..EMBEDDING_TOPIC_OPTIONS };
            let label = format!("minilm, relative depth {floor:.2}{}", default_mark(floor, &EMBEDDING_TOPIC_OPTIONS));
            report(&label, &documents, |i, _| embedding_topic_segments_with(&embedded[i], &options));
        }
        for floor in floors {
            let options = TopicOptions { min_relative_depth: floor, ..TopicOptions::default() };
            let label = format!("tfidf, relative depth {floor:.2}{}", default_mark(floor, &TopicOptions::default()));
            report(&label, &documents, |_, d| topic_segments_with(&d.sentences, &options));
        }
    }
}

fn default_mark(floor: f64, defaults: &TopicOptions) -> &'static str {
    if (floor - defaults.min_relative_depth).abs() < 1e-9 {
        " (default)"
    } else {
        ""
    }
}

/// `count` documents of 4–8 runs of 4–12 consecutive sentences, each run from a different talk.
fn make_documents(pool: &[&Vec<String>], count: usize, seed: u64) -> Vec<Document> {
    let mut rng = ted::Rng::new(seed);
    (0..count)
        .map(|_| {
            let runs = 4 + rng.below(5);
            let mut sentences = Vec::new();
            let mut segment_of_sentence = Vec::new();
            let mut used = Vec::new();
            for segment in 0..runs {
                let mut talk = rng.below(pool.len());
                while used.contains(&talk) {
                    talk = rng.below(pool.len());
                }
                used.push(talk);
                let length = 4 + rng.below(9);
                let start = rng.below(pool[talk].len() - length);
                sentences.extend(pool[talk][start..start + length].iter().cloned());
                segment_of_sentence.extend(std::iter::repeat_n(segment, length));
            }
            Document { sentences, segment_of_sentence }
        })
        .collect()
}

fn report(label: &str, documents: &[Document], segment: impl Fn(usize, &Document) -> TopicSegmentation) {
    let (mut pk_errors, mut wd_errors, mut windows, mut found, mut truth) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for (index, document) in documents.iter().enumerate() {
        let hypothesis = segment(index, document).segment_of_sentence;
        let reference = &document.segment_of_sentence;
        let segments = reference.last().copied().unwrap_or(0) + 1;
        let k = ((reference.len() as f64 / segments as f64) / 2.0).round().max(1.0) as usize;
        for i in 0..reference.len().saturating_sub(k) {
            let same_reference = reference[i] == reference[i + k];
            let same_hypothesis = hypothesis[i] == hypothesis[i + k];
            pk_errors += usize::from(same_reference != same_hypothesis);
            let reference_count = reference[i + k] - reference[i];
            let hypothesis_count = hypothesis[i + k] - hypothesis[i];
            wd_errors += usize::from(reference_count != hypothesis_count);
            windows += 1;
        }
        found += hypothesis.last().copied().unwrap_or(0);
        truth += segments - 1;
    }
    println!(
        "{label:<40} {:>6.3} {:>11.3} {:>12.2}",
        pk_errors as f64 / windows.max(1) as f64,
        wd_errors as f64 / windows.max(1) as f64,
        found as f64 / truth.max(1) as f64
    );
}
