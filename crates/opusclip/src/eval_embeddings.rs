//! Sentence embeddings of the evaluation talks for `opusclip eval highlights`: every talk's
//! sentences (split as the scorer splits them) embedded with the installed all-MiniLM-L6-v2,
//! cached on disk per talk (`<cache>/eval-embeddings/<sha256 of the sentences>.f32`), so only
//! the first run pays for the ~34,000 sentences of the TED set.

use opusclip_core::{Error, Result, Settings};
use opusclip_embed::{minilm_dir, SentenceEmbedder};
use opusclip_select::evaluation::{Split, Talk};
use opusclip_select::evaluation_semantic::{talk_sentence_texts, TalkEmbeddings};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The talks' embeddings, or `None` (with a note on stderr) when the model is not installed.
pub fn talk_embeddings(talks: &[Talk], splits: &[Split], settings: &Settings) -> Result<Option<TalkEmbeddings>> {
    let Some((embedder, model_dir)) = load_embedder(settings)? else {
        eprintln!("note: no embedding model installed (`opusclip models fetch minilm`): word-rate reactions only");
        return Ok(None);
    };
    embed_talks(&embedder, &model_dir, talks, splits).map(Some)
}

/// The embeddings of the talks of `splits` by `embedder` (loaded from `model_dir`), from the
/// cache beside the model where they are there, computed and cached where not.
pub fn embed_talks(
    embedder: &SentenceEmbedder,
    model_dir: &Path,
    talks: &[Talk],
    splits: &[Split],
) -> Result<TalkEmbeddings> {
    let cache =
        model_dir.parent().map_or_else(|| PathBuf::from("eval-embeddings"), |models| models.join("eval-embeddings"));
    let chosen: Vec<&Talk> = talks.iter().filter(|talk| splits.iter().any(|split| split.contains(&talk.key))).collect();
    let started = Instant::now();
    let (mut computed, mut embeddings) = (0usize, TalkEmbeddings::new());
    for (index, talk) in chosen.iter().enumerate() {
        let texts = talk_sentence_texts(talk);
        let path = cache.join(format!("{}.f32", texts_digest(&texts)));
        let vectors = match read_vectors(&path, texts.len(), embedder.dimension()) {
            Some(vectors) => vectors,
            None => {
                let vectors = embedder
                    .embed(&texts)
                    .map_err(|error| Error::invalid_input(format!("embedding talk {:?}: {error}", talk.key)))?;
                write_vectors(&path, &vectors)?;
                computed += texts.len();
                eprint!("\rembedding talks: {}/{} ({computed} sentences computed)", index + 1, chosen.len());
                vectors
            }
        };
        embeddings.insert(talk.key.clone(), Arc::new(vectors));
    }
    if computed > 0 {
        eprintln!(" in {:.0} s", started.elapsed().as_secs_f64());
    }
    Ok(embeddings)
}

/// The installed all-MiniLM-L6-v2 and its directory; `None` when it is not installed.
pub fn load_embedder(settings: &Settings) -> Result<Option<(SentenceEmbedder, PathBuf)>> {
    let Some(model_dir) = minilm_dir(settings.cache_dir.as_deref()).filter(|dir| dir.is_dir()) else {
        return Ok(None);
    };
    let embedder = SentenceEmbedder::load(&model_dir)
        .map_err(|error| Error::invalid_input(format!("the embedding model in {}: {error}", model_dir.display())))?;
    Ok(Some((embedder, model_dir)))
}

fn texts_digest(texts: &[String]) -> String {
    let mut hasher = Sha256::new();
    for text in texts {
        hasher.update(text.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Cached vectors when the file holds exactly `count` × `dimension` little-endian f32.
fn read_vectors(path: &Path, count: usize, dimension: usize) -> Option<Vec<Vec<f32>>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() != count * dimension * 4 || dimension == 0 {
        return None;
    }
    let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    Some(values.chunks(dimension).map(<[f32]>::to_vec).collect())
}

/// Writes the vectors under a temporary name, then renames it into place.
fn write_vectors(path: &Path, vectors: &[Vec<f32>]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|error| Error::io("create the embedding cache", dir, error))?;
    }
    let bytes: Vec<u8> = vectors.iter().flatten().flat_map(|value| value.to_le_bytes()).collect();
    let temporary = path.with_extension("f32.partial");
    std::fs::write(&temporary, bytes).map_err(|error| Error::io("write cached embeddings", &temporary, error))?;
    std::fs::rename(&temporary, path).map_err(|error| Error::io("publish cached embeddings", path, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_and_a_wrong_shape_is_a_miss() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("sub").join("x.f32");
        let vectors = vec![vec![1.0f32, -2.5, 0.125], vec![3.0, 4.0, 5.0]];
        write_vectors(&path, &vectors).expect("written");
        assert_eq!(read_vectors(&path, 2, 3), Some(vectors));
        assert_eq!(read_vectors(&path, 3, 3), None);
        assert_eq!(read_vectors(&dir.path().join("none.f32"), 2, 3), None);
        assert_ne!(texts_digest(&["a".into(), "bc".into()]), texts_digest(&["ab".into(), "c".into()]));
    }
}
