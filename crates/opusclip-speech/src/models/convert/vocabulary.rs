//! The byte tokens a whisper.cpp model file lists: Whisper's BPE vocabulary (50,257 tokens for
//! the multilingual models, 50,256 for `.en`) as raw bytes, in id order, without the special
//! tokens (`<|endoftext|>` and after), which whisper.cpp makes itself.
//!
//! A CTranslate2 Whisper directory holds the vocabulary as `vocabulary.json` (a JSON list),
//! `vocabulary.txt` (a token a line) or the Hugging Face `tokenizer.json` (`model.vocab`), each in
//! GPT-2's byte-level spelling: every byte is one printable character (`Ġ` for a space), so a
//! token never contains a newline. This module undoes that spelling.

use std::collections::HashMap;
use std::path::Path;

/// The first special token; every token before it is a byte token.
const END_OF_TEXT: &str = "<|endoftext|>";

/// GPT-2's byte-to-character table, inverted: the character each byte is written as, mapped
/// back to the byte.
fn byte_of_character() -> HashMap<char, u8> {
    let printable =
        |byte: u32| (33..=126).contains(&byte) || (161..=172).contains(&byte) || (174..=255).contains(&byte);
    let mut table = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for byte in 0u32..256 {
        let character = if printable(byte) {
            byte
        } else {
            shifted += 1;
            255 + shifted
        };
        if let Some(character) = char::from_u32(character) {
            table.insert(character, byte as u8);
        }
    }
    table
}

/// The byte tokens of the vocabulary in `dir`, or why they cannot be read.
pub fn read_byte_tokens(dir: &Path) -> std::result::Result<Vec<Vec<u8>>, String> {
    let spelled = read_spelled_tokens(dir)?;
    let regular = spelled.iter().position(|token| token == END_OF_TEXT).ok_or_else(|| {
        format!("the vocabulary has no {END_OF_TEXT} token: not a Whisper vocabulary ({} tokens)", spelled.len())
    })?;
    let table = byte_of_character();
    spelled[..regular]
        .iter()
        .enumerate()
        .map(|(id, token)| {
            token
                .chars()
                .map(|character| table.get(&character).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| format!("token {id} ({token:?}) is not in GPT-2's byte-level spelling"))
        })
        .collect()
}

/// The tokens as spelled in the first vocabulary file found, in id order.
fn read_spelled_tokens(dir: &Path) -> std::result::Result<Vec<String>, String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|error| format!("{name}: {error}"));
    if dir.join("vocabulary.json").is_file() {
        let text = read("vocabulary.json")?;
        return serde_json::from_str::<Vec<String>>(&text).map_err(|error| format!("vocabulary.json: {error}"));
    }
    if dir.join("vocabulary.txt").is_file() {
        let text = read("vocabulary.txt")?;
        let mut tokens: Vec<String> = text.split('\n').map(|line| line.trim_end_matches('\r').to_string()).collect();
        if tokens.last().is_some_and(String::is_empty) {
            tokens.pop();
        }
        return Ok(tokens);
    }
    if dir.join("tokenizer.json").is_file() {
        return tokens_of_tokenizer_json(&read("tokenizer.json")?);
    }
    Err("none of vocabulary.json, vocabulary.txt or tokenizer.json is there".to_string())
}

/// The tokens of a Hugging Face `tokenizer.json` (`model.vocab` plus `added_tokens`), by id.
fn tokens_of_tokenizer_json(text: &str) -> std::result::Result<Vec<String>, String> {
    #[derive(serde::Deserialize)]
    struct Tokenizer {
        model: Model,
        #[serde(default)]
        added_tokens: Vec<Added>,
    }
    #[derive(serde::Deserialize)]
    struct Model {
        vocab: HashMap<String, usize>,
    }
    #[derive(serde::Deserialize)]
    struct Added {
        id: usize,
        content: String,
    }
    let tokenizer: Tokenizer = serde_json::from_str(text).map_err(|error| format!("tokenizer.json: {error}"))?;
    let pairs = tokenizer.model.vocab.into_iter().chain(tokenizer.added_tokens.into_iter().map(|a| (a.content, a.id)));
    let mut by_id: Vec<Option<String>> = Vec::new();
    for (token, id) in pairs {
        if id >= 1_000_000 {
            return Err(format!("tokenizer.json: token id {id} is implausibly large"));
        }
        if by_id.len() <= id {
            by_id.resize(id + 1, None);
        }
        by_id[id] = Some(token);
    }
    by_id
        .into_iter()
        .enumerate()
        .map(|(id, token)| token.ok_or_else(|| format!("tokenizer.json has no token with id {id}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_spelling_round_trips_every_byte() {
        let table = byte_of_character();
        assert_eq!(table.len(), 256);
        assert_eq!(table[&'Ġ'], b' ');
        assert_eq!(table[&'Ċ'], b'\n');
        assert_eq!(table[&'!'], b'!');
    }

    #[test]
    fn reads_each_vocabulary_file_kind_and_stops_at_the_special_tokens() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("vocabulary.txt"), "a\nĠthe\n\n<|endoftext|>\n<|en|>\n").expect("write");
        let tokens = read_byte_tokens(dir.path()).expect("vocabulary.txt");
        assert_eq!(tokens, vec![b"a".to_vec(), b" the".to_vec(), Vec::new()]);

        std::fs::remove_file(dir.path().join("vocabulary.txt")).expect("remove");
        std::fs::write(
            dir.path().join("tokenizer.json"),
            r#"{"model":{"vocab":{"Ċ":1,"x":0}},"added_tokens":[{"id":2,"content":"<|endoftext|>"}]}"#,
        )
        .expect("write");
        assert_eq!(read_byte_tokens(dir.path()).expect("tokenizer.json"), vec![b"x".to_vec(), b"\n".to_vec()]);

        std::fs::write(dir.path().join("vocabulary.json"), r#"["hello"]"#).expect("write");
        let error = read_byte_tokens(dir.path()).expect_err("no end of text");
        assert!(error.contains("<|endoftext|>"), "{error}");
    }
}
