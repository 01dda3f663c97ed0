//! The `topics` stage of `opusclip clip`: the transcript's topic segments — TextTiling over
//! all-MiniLM-L6-v2 sentence embeddings when the model is installed, lexical TF-IDF TextTiling
//! otherwise — and, with `--prompt`, the prompt's similarity in meaning to every sentence. The
//! manifest's `topics` lists the segments and says which method ran.
//!
//! Embedding segments, the sentences' embeddings and the prompt's meaning go into the clip scorer
//! (`coherence` judges "one topic" by the segments, `engagement` reads audience reactions from
//! the embeddings). TF-IDF segments are only recorded: on TED talks they place 1.6
//! boundaries per true one (Pk 0.34, against 0.19 for embeddings; `opusclip-embed`'s
//! `topic_eval` example), too many to cost a clip points, so without the model `coherence` keeps
//! its echoed-content-words test.

use crate::options::ClipOptions;
use opusclip_core::{ManifestTopics, TopicSpan, Word};
use opusclip_embed::SentenceEmbedder;
use opusclip_select::{
    embedding_topic_segments, sentences, topic_segments, ClipScorer, PromptMeaning, TopicSegmentation,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// `method` of TextTiling over all-MiniLM-L6-v2 sentence embeddings.
pub const METHOD_MINILM: &str = "minilm";
/// `method` of lexical TextTiling over TF-IDF vectors.
pub const METHOD_TFIDF: &str = "tfidf";

/// The sentence-embedding model's directory in the model cache of the configured cache dir
/// (`OPUSCLIP_CACHE_DIR`), when every file is there (`opusclip models fetch minilm`).
pub fn installed_embedding_model(configured_cache_dir: Option<&Path>) -> Option<PathBuf> {
    let dir = opusclip_embed::minilm_dir(configured_cache_dir)?;
    opusclip_embed::looks_installed(&dir, &opusclip_embed::EmbeddingModelSpec::minilm()).then_some(dir)
}

/// What the topics stage found.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicAnalysis {
    /// Topic segment of every sentence (as `opusclip_select::sentences` splits the words).
    pub segmentation: TopicSegmentation,
    /// The prompt's cosine with every sentence, when there is a prompt and the model ran.
    pub meaning: Option<PromptMeaning>,
    /// Every sentence's embedding, when the model ran (for other scorers that read meaning).
    pub embeddings: Option<Arc<Vec<Vec<f32>>>>,
    /// What the manifest records.
    pub summary: ManifestTopics,
    /// Why the installed model was not used (it failed to load or to run), for the warnings.
    pub warning: Option<String>,
}

impl TopicAnalysis {
    /// Give the scorer the prompt's meaning and, when they come from embeddings, the topic
    /// segments and the sentences' embeddings (`engagement` then reads audience reactions from
    /// meaning, `opusclip_select::semantic_reaction`).
    pub fn apply_to(&self, scorer: &mut ClipScorer) {
        if self.summary.method == METHOD_MINILM {
            scorer.topics = Some(self.segmentation.clone());
            scorer.sentence_embeddings.clone_from(&self.embeddings);
        }
        if let Some(meaning) = &self.meaning {
            scorer.prompt = scorer.prompt.take().map(|prompt| prompt.with_meaning(meaning.clone()));
        }
    }
}

/// Topic segments of `words` (and the prompt's meaning): with the model in
/// `options.embedding_model` when it loads and runs, else TF-IDF (with a warning when the model
/// was there but failed). `None` without words.
pub fn analyze_topics(words: &[Word], options: &ClipOptions) -> Option<TopicAnalysis> {
    let sentences = sentences(words);
    if sentences.is_empty() {
        return None;
    }
    let texts: Vec<&str> = sentences.iter().map(|sentence| sentence.text.as_str()).collect();
    let prompt = options.prompt.as_deref().filter(|prompt| !prompt.trim().is_empty());
    let mut warning = None;
    if let Some(dir) = &options.embedding_model {
        let started = Instant::now();
        let embedded = SentenceEmbedder::load(dir).and_then(|embedder| {
            let embedder = embedder.with_batch_size(options.embedding_batch);
            let vectors = embedder.embed(&texts)?;
            let prompt_vector = prompt.map(|prompt| embedder.embed_one(prompt)).transpose()?;
            Ok((vectors, prompt_vector))
        });
        match embedded {
            Ok((vectors, prompt_vector)) => {
                let seconds = started.elapsed().as_secs_f64();
                let segmentation = embedding_topic_segments(&vectors);
                let meaning = prompt_vector.map(|prompt| PromptMeaning::new(&prompt, &vectors));
                tracing::info!(
                    method = METHOD_MINILM,
                    sentences = texts.len(),
                    segments = segmentation.boundaries.len() + 1,
                    seconds,
                    sentences_per_second = texts.len() as f64 / seconds.max(1e-9),
                    "topic segmentation over sentence embeddings"
                );
                let summary = summarize(METHOD_MINILM, &segmentation, &sentences, prompt.map(|_| "meaning"));
                let embeddings = Some(Arc::new(vectors));
                return Some(TopicAnalysis { segmentation, meaning, embeddings, summary, warning });
            }
            Err(error) => {
                let message = format!("sentence embeddings unavailable, topics by TF-IDF instead: {error}");
                tracing::warn!(error = %error, "sentence embeddings failed; falling back to TF-IDF topics");
                warning = Some(message);
            }
        }
    }
    let segmentation = topic_segments(&texts);
    tracing::info!(
        method = METHOD_TFIDF,
        sentences = texts.len(),
        segments = segmentation.boundaries.len() + 1,
        "topic segmentation over TF-IDF vectors (no sentence-embedding model)"
    );
    let summary = summarize(METHOD_TFIDF, &segmentation, &sentences, prompt.map(|_| "keywords"));
    Some(TopicAnalysis { segmentation, meaning: None, embeddings: None, summary, warning })
}

fn summarize(
    method: &str,
    segmentation: &TopicSegmentation,
    sentences: &[opusclip_core::Sentence],
    prompt_match: Option<&str>,
) -> ManifestTopics {
    let mut starts = vec![0];
    starts.extend(segmentation.boundaries.iter().copied());
    let segments = starts
        .iter()
        .enumerate()
        .map(|(index, &first)| {
            let end = starts.get(index + 1).copied().unwrap_or(sentences.len());
            TopicSpan {
                start: sentences[first].start,
                end: sentences[end - 1].end,
                first_sentence: first,
                end_sentence: end,
            }
        })
        .collect();
    ManifestTopics { method: method.to_string(), segments, prompt_match: prompt_match.map(str::to_string) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, token)| Word {
                text: token.into(),
                start: i as f64 * 0.4,
                end: i as f64 * 0.4 + 0.3,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    const TALK: &str = "Preheat the oven before you bake the bread. Knead the dough until the flour disappears. \
        Good bread needs flour, water, salt and yeast. Let the dough rise in a warm kitchen. \
        The telescope points at a distant galaxy. Light from the galaxy travels for millions of years. \
        Astronomers measure the redshift of every galaxy. The telescope mirror collects faint starlight.";

    #[test]
    fn without_a_model_topics_are_tfidf_and_cover_every_sentence() {
        let options = ClipOptions { prompt: Some("galaxy".into()), ..ClipOptions::default() };
        let analysis = analyze_topics(&words(TALK), &options).expect("sentences");
        assert_eq!(analysis.summary.method, METHOD_TFIDF);
        assert_eq!(analysis.summary.prompt_match.as_deref(), Some("keywords"));
        assert_eq!(analysis.segmentation.boundaries, [4]);
        assert_eq!(analysis.summary.segments.len(), 2);
        assert_eq!((analysis.summary.segments[0].first_sentence, analysis.summary.segments[1].end_sentence), (0, 8));
        assert!(analysis.summary.segments[0].end <= analysis.summary.segments[1].start);
        assert!(analysis.meaning.is_none() && analysis.warning.is_none());
        let mut scorer = ClipScorer::from_options(&options.select_options());
        analysis.apply_to(&mut scorer);
        assert_eq!(scorer.topics, None, "TF-IDF segments are recorded, not scored");
        assert!(scorer.prompt.is_some_and(|prompt| prompt.meaning.is_none()));
        assert!(analyze_topics(&[], &options).is_none());
    }

    #[test]
    fn a_broken_model_falls_back_to_tfidf_with_a_warning() {
        let directory = tempfile::tempdir().expect("temp dir");
        let options = ClipOptions { embedding_model: Some(directory.path().to_path_buf()), ..ClipOptions::default() };
        let analysis = analyze_topics(&words(TALK), &options).expect("sentences");
        assert_eq!(analysis.summary.method, METHOD_TFIDF);
        let warning = analysis.warning.expect("a warning");
        assert!(warning.contains("TF-IDF") && warning.contains("opusclip models fetch minilm"), "{warning}");
    }
}
