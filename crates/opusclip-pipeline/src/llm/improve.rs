//! The LLM's two uses on the chosen clips: a rerank (its order blended into the totals, at most
//! ±[`RERANK_POINTS`], recorded as the `llm_rerank` score part) and a rewrite of each clip's
//! title, description and hashtags (validated; anything invalid keeps the extractive text).

use super::{excerpt, LlmClient, LlmConfig, LlmError};
use crate::progress::Progress;
use opusclip_core::{Candidate, ScorePart, TITLES_EXTRACTIVE};
use opusclip_select::keyphrases::distinct_keyphrases;
use opusclip_select::ClipText;
use serde_json::{json, Map, Value};

/// Longest title taken from the LLM, in characters.
pub const MAX_LLM_TITLE_CHARS: usize = 70;
/// Longest description taken from the LLM, in characters.
pub const MAX_LLM_DESCRIPTION_CHARS: usize = 300;
/// The score part that records the LLM's rerank.
pub const LLM_RERANK_PART: &str = "llm_rerank";
/// Most points the rerank adds to (its first choice) or takes from (its last) a clip's total.
pub const RERANK_POINTS: f64 = 10.0;
/// Clips shown to the LLM for the rerank (the best by score); the others keep their totals.
const MAX_RERANK_CLIPS: usize = 10;
/// Transcript characters sent for a title; characters of each clip's excerpt for the rerank.
const TITLE_TEXT_CHARS: usize = 4000;
const RERANK_EXCERPT_CHARS: usize = 400;
const HASHTAG_RANGE: std::ops::RangeInclusive<usize> = 3..=5;
const MAX_HASHTAG_CHARS: usize = 40;

const TITLE_SYSTEM: &str = "You write the text published with a short vertical video clip cut from a longer talk. \
Answer with one JSON object and nothing else: {\"title\": \"...\", \"description\": \"...\", \"hashtags\": [\"#...\"]}. \
title: one line, at most 60 characters, makes people want to watch, faithful to what is said, no quotes or emojis. \
description: one or two sentences, at most 200 characters. \
hashtags: 3 to 5, each one CamelCase word starting with #.";

const RERANK_SYSTEM: &str = "You pick which clips of a talk will do best as short social videos: a strong hook \
in the first seconds, one complete idea, a payoff, something people would share. \
Answer with one JSON object and nothing else: {\"order\": [\"c2\", \"c1\", ...]}, every clip id once, best first.";

/// Candidates, what travels with them (the close looks), their texts and who wrote each text,
/// after the LLM; `warnings` say what fell back.
#[derive(Debug, Clone)]
pub struct Improved<T> {
    pub candidates: Vec<Candidate>,
    pub companions: Vec<T>,
    pub texts: Vec<ClipText>,
    /// Per clip: [`TITLES_EXTRACTIVE`] or `llm:<model>`.
    pub titles_by: Vec<String>,
    pub warnings: Vec<String>,
}

impl<T> Improved<T> {
    /// Everything as selection left it.
    pub fn extractive(candidates: Vec<Candidate>, companions: Vec<T>, texts: Vec<ClipText>) -> Improved<T> {
        let titles_by = vec![TITLES_EXTRACTIVE.to_string(); candidates.len()];
        Improved { candidates, companions, texts, titles_by, warnings: Vec::new() }
    }

    /// Put every list in `permutation`'s order (indices into the current order).
    fn reorder(&mut self, permutation: &[usize]) {
        self.candidates = permute(std::mem::take(&mut self.candidates), permutation);
        self.companions = permute(std::mem::take(&mut self.companions), permutation);
        self.texts = permute(std::mem::take(&mut self.texts), permutation);
        self.titles_by = permute(std::mem::take(&mut self.titles_by), permutation);
    }
}

fn permute<T>(items: Vec<T>, permutation: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    permutation.iter().filter_map(|&index| slots.get_mut(index).and_then(Option::take)).collect()
}

/// Rerank the candidates (ranked by total, with their `companions` and `texts` in the same
/// order) and rewrite their texts with the LLM at `config`. Never fails: whatever the LLM gets
/// wrong keeps the extractive result, logged and summed up in `warnings`. Once the server does
/// not answer at all (refused, timeout), it is not asked again in this run.
pub fn improve<T>(
    config: &LlmConfig,
    candidates: Vec<Candidate>,
    companions: Vec<T>,
    texts: Vec<ClipText>,
    progress: &dyn Progress,
) -> Improved<T> {
    let mut improved = Improved::extractive(candidates, companions, texts);
    let with_words = improved.candidates.iter().filter(|c| !c.text.trim().is_empty()).count();
    if with_words == 0 {
        return improved;
    }
    let client = LlmClient::new(config.clone());
    let steps = improved.candidates.len() as f64 + 1.0;
    let mut down: Option<LlmError> = None;
    if with_words > 1 {
        match rerank_order(&client, &improved.candidates, &improved.texts) {
            Ok(order) => {
                let permutation = apply_rerank(&mut improved.candidates, &order, &config.model);
                improved.reorder(&permutation);
            }
            Err(error) => {
                tracing::warn!(%error, endpoint = %config.endpoint(), "LLM rerank failed: the score order stays");
                improved.warnings.push(format!("LLM rerank skipped ({error}): the clips keep their score order"));
                if error.is_unreachable() {
                    down = Some(error);
                }
            }
        }
    }
    progress.advance(1.0 / steps);
    let (mut kept, mut first_problem) = (0, None);
    for index in 0..improved.candidates.len() {
        let text = improved.candidates[index].text.clone();
        if text.trim().is_empty() {
            continue;
        }
        if down.is_some() {
            kept += 1;
            continue;
        }
        match rewrite_text(&client, &text, &improved.texts[index]) {
            Ok(rewritten) => {
                improved.texts[index] = rewritten;
                improved.titles_by[index] = config.titles_by();
            }
            Err(error) => {
                tracing::warn!(clip = index + 1, %error, "LLM title not used: the extractive title stays");
                kept += 1;
                first_problem.get_or_insert_with(|| error.to_string());
                if error.is_unreachable() {
                    down = Some(error);
                }
            }
        }
        progress.advance((index as f64 + 2.0) / steps);
    }
    if kept > 0 {
        let why = down.as_ref().map(ToString::to_string).or(first_problem).unwrap_or_default();
        improved.warnings.push(format!(
            "LLM titles: {kept} of {with_words} clips kept their extractive title, description and hashtags ({why})"
        ));
    }
    improved
}

/// Ask for a title, description and hashtags for a clip saying `clip_text`, given its extractive
/// text; the validated answer (see [`parse_text_answer`]).
pub fn rewrite_text(client: &LlmClient, clip_text: &str, extractive: &ClipText) -> Result<ClipText, LlmError> {
    let keyphrases: Vec<String> =
        distinct_keyphrases(clip_text, 3, 8).iter().map(|phrase| phrase.words.join(" ")).collect();
    let user = format!(
        "Transcript of the clip:\n{}\n\nTitle taken from its words: {}\nKeyphrases: {}\n\nAnswer with the JSON object only.",
        excerpt(clip_text.trim(), TITLE_TEXT_CHARS),
        extractive.title,
        keyphrases.join(", ")
    );
    let answer = client.chat_json(TITLE_SYSTEM, &user, 300)?;
    parse_text_answer(&answer, extractive)
}

/// The clip text in an LLM answer. The title is required: one line of at most
/// [`MAX_LLM_TITLE_CHARS`] characters once trimmed (quotes around it dropped). The description
/// (at most [`MAX_LLM_DESCRIPTION_CHARS`], whitespace collapsed) and the hashtags (3–5 `#Word`
/// tags; `#` added when missing, tags with spaces or punctuation dropped, duplicates dropped, the
/// first five kept) each fall back to the extractive ones when missing or invalid.
pub fn parse_text_answer(answer: &Map<String, Value>, extractive: &ClipText) -> Result<ClipText, LlmError> {
    let raw = answer.get("title").and_then(Value::as_str).ok_or_else(|| rejected("no \"title\" string"))?;
    let title = raw.trim().trim_matches(['"', '\'', '`', '“', '”', '‘', '’', '«', '»']).trim();
    if title.is_empty() {
        return Err(rejected("an empty title"));
    }
    if title.contains(['\n', '\r']) {
        return Err(rejected("a title over several lines"));
    }
    let length = title.chars().count();
    if length > MAX_LLM_TITLE_CHARS {
        return Err(rejected(&format!("a title of {length} characters, over {MAX_LLM_TITLE_CHARS}")));
    }
    let description = answer
        .get("description")
        .and_then(Value::as_str)
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|text| !text.is_empty() && text.chars().count() <= MAX_LLM_DESCRIPTION_CHARS);
    if description.is_none() {
        tracing::debug!("LLM description missing or invalid: the extractive one stays");
    }
    let hashtags = answer.get("hashtags").and_then(hashtags_in);
    if hashtags.is_none() {
        tracing::debug!("LLM hashtags missing or fewer than 3 valid: the extractive ones stay");
    }
    Ok(ClipText {
        title: title.split_whitespace().collect::<Vec<_>>().join(" "),
        description: description.unwrap_or_else(|| extractive.description.clone()),
        hashtags: hashtags.unwrap_or_else(|| extractive.hashtags.clone()),
    })
}

/// 3–5 valid hashtags from a list (or one string of them), else `None`.
fn hashtags_in(value: &Value) -> Option<Vec<String>> {
    let raw: Vec<&str> = match value {
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        Value::String(text) => text.split([' ', ',', '\n']).collect(),
        _ => return None,
    };
    let mut tags: Vec<String> = Vec::new();
    for item in raw {
        let body = item.trim().trim_start_matches('#');
        let valid = (1..=MAX_HASHTAG_CHARS).contains(&body.chars().count())
            && body.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !body.chars().all(|c| c.is_numeric());
        if valid && !tags.iter().any(|tag| tag[1..].eq_ignore_ascii_case(body)) {
            tags.push(format!("#{body}"));
        }
    }
    tags.truncate(*HASHTAG_RANGE.end());
    HASHTAG_RANGE.contains(&tags.len()).then_some(tags)
}

fn rejected(why: &str) -> LlmError {
    LlmError::Rejected(why.to_string())
}

/// Ask the LLM to order the best [`MAX_RERANK_CLIPS`] candidates (ids `c1`…, an excerpt of
/// their words, their title and score); the order as indices into `candidates`, every shown
/// candidate once (see [`parse_order`]).
pub fn rerank_order(client: &LlmClient, candidates: &[Candidate], texts: &[ClipText]) -> Result<Vec<usize>, LlmError> {
    let shown = candidates.len().min(MAX_RERANK_CLIPS);
    let listing: Vec<Value> = candidates[..shown]
        .iter()
        .enumerate()
        .map(|(index, candidate)| {
            json!({
                "id": format!("c{}", index + 1),
                "score": (candidate.score.total * 10.0).round() / 10.0,
                "seconds": (candidate.played_duration() * 10.0).round() / 10.0,
                "title": texts.get(index).map(|text| text.title.as_str()).unwrap_or(""),
                "text": excerpt(candidate.text.trim(), RERANK_EXCERPT_CHARS),
            })
        })
        .collect();
    let user = format!(
        "Clips (score: our 0-100 estimate):\n{}\n\nOrder all {shown} ids, best first. Answer with the JSON object only.",
        serde_json::to_string_pretty(&listing).unwrap_or_default()
    );
    let answer = client.chat_json(RERANK_SYSTEM, &user, 200)?;
    parse_order(&answer, shown)
}

/// The `order` (or `ranking`) list of an answer as indices below `count`: ids `c3`, `3` or 3
/// (1-based); unknown and repeated ids are skipped, and ids left out follow in their current
/// order, so no clip is dropped. At least one known id is needed.
pub fn parse_order(answer: &Map<String, Value>, count: usize) -> Result<Vec<usize>, LlmError> {
    let items = answer
        .get("order")
        .or_else(|| answer.get("ranking"))
        .and_then(Value::as_array)
        .ok_or_else(|| rejected("no \"order\" list"))?;
    let mut order: Vec<usize> = Vec::new();
    for item in items {
        let number = match item {
            Value::Number(number) => number.as_u64(),
            Value::String(id) => id.trim().trim_start_matches(['c', 'C', '#']).parse::<u64>().ok(),
            _ => None,
        };
        if let Some(index) = number.and_then(|n| usize::try_from(n).ok()).filter(|&n| (1..=count).contains(&n)) {
            if !order.contains(&(index - 1)) {
                order.push(index - 1);
            }
        }
    }
    if order.is_empty() {
        return Err(rejected(&format!(
            "no known clip id in the order {:?}",
            excerpt(&Value::Array(items.clone()).to_string(), 120)
        )));
    }
    order.extend((0..count).filter(|index| !order.contains(index)).collect::<Vec<_>>());
    Ok(order)
}

/// Blend the LLM's `order` (indices into `candidates`, which are ranked by total) into the
/// totals: the LLM's place `p` of `n` gives the `llm_rerank` part the value `100 (1 − p/(n−1))`
/// and shifts the total by `RERANK_POINTS × (value − 50)/50` (±10 at most, kept in 0..100);
/// candidates the LLM was not shown keep their totals. Returns the new ranking (by total; ties:
/// the LLM's order, then the old one) as indices into `candidates`. It is a permutation: no clip
/// is dropped and, the clips being the same, none overlaps another.
pub fn apply_rerank(candidates: &mut [Candidate], order: &[usize], model: &str) -> Vec<usize> {
    let count = order.len();
    let mut llm_place: Vec<Option<usize>> = vec![None; candidates.len()];
    for (place, &index) in order.iter().enumerate() {
        if let Some(slot) = llm_place.get_mut(index) {
            *slot = Some(place);
        }
    }
    let before: Vec<f64> = candidates.iter().map(|c| c.score.total).collect();
    for (candidate, place) in candidates.iter_mut().zip(&llm_place) {
        let Some(place) = place else { continue };
        let value = if count > 1 { 100.0 * (1.0 - *place as f64 / (count - 1) as f64) } else { 50.0 };
        let shift = RERANK_POINTS * (value - 50.0) / 50.0;
        candidate.score.total = (candidate.score.total + shift).clamp(0.0, 100.0);
        candidate.score.parts.insert(LLM_RERANK_PART.to_string(), ScorePart { value, reason: String::new() });
    }
    let mut ranking: Vec<usize> = (0..candidates.len()).collect();
    ranking.sort_by(|&a, &b| {
        let place = |index: usize| llm_place[index].unwrap_or(usize::MAX);
        candidates[b].score.total.total_cmp(&candidates[a].score.total).then(place(a).cmp(&place(b))).then(a.cmp(&b))
    });
    for (new_rank, &index) in ranking.iter().enumerate() {
        let Some(place) = llm_place[index] else { continue };
        let shift = candidates[index].score.total - before[index];
        let moved = if new_rank == index {
            format!("stayed at #{}", index + 1)
        } else {
            format!("moved from #{} to #{}", index + 1, new_rank + 1)
        };
        if let Some(part) = candidates[index].score.parts.get_mut(LLM_RERANK_PART) {
            part.reason =
                format!("llm rerank: {model} ranked it #{} of {count}, total {shift:+.1}; {moved}", place + 1);
        }
    }
    ranking
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::Score;

    fn candidate(start: f64, total: f64) -> Candidate {
        Candidate {
            start,
            end: start + 20.0,
            first_sentence: 0,
            end_sentence: 0,
            score: Score { total, parts: Default::default() },
            text: format!("words at {start}"),
            kept_ranges: Vec::new(),
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    fn extractive() -> ClipText {
        ClipText { title: "Old title".into(), description: "Old description.".into(), hashtags: vec!["#Old".into()] }
    }

    #[test]
    fn a_good_answer_is_trimmed_and_taken() {
        let answer = object(json!({
            "title": "  \"Why Solar Pays Back in Six Years\" ",
            "description": "The payback\n  of solar   panels, explained.",
            "hashtags": ["#Solar", "Energy", "#solar", "#Clean Tech", "#Payback", "#2024"],
        }));
        let text = parse_text_answer(&answer, &extractive()).unwrap();
        assert_eq!(text.title, "Why Solar Pays Back in Six Years");
        assert_eq!(text.description, "The payback of solar panels, explained.");
        assert_eq!(text.hashtags, ["#Solar", "#Energy", "#Payback"]);
    }

    #[test]
    fn a_bad_title_rejects_the_answer_and_bad_extras_fall_back() {
        let long = "x".repeat(MAX_LLM_TITLE_CHARS + 1);
        for bad in [json!({"title": long}), json!({"title": "two\nlines"}), json!({"title": " \"\" "}), json!({})] {
            assert!(
                matches!(parse_text_answer(&object(bad.clone()), &extractive()), Err(LlmError::Rejected(_))),
                "{bad}"
            );
        }
        let long_description = "word ".repeat(80);
        let answer = object(json!({"title": "Fine", "description": long_description, "hashtags": ["#One", "#Two"]}));
        let text = parse_text_answer(&answer, &extractive()).unwrap();
        assert_eq!((text.title.as_str(), text.description.as_str()), ("Fine", "Old description."));
        assert_eq!(text.hashtags, ["#Old"]);
        let as_string = object(json!({"title": "Fine", "hashtags": "#A #B, #C #D #E #F"}));
        assert_eq!(parse_text_answer(&as_string, &extractive()).unwrap().hashtags, ["#A", "#B", "#C", "#D", "#E"]);
    }

    #[test]
    fn orders_accept_several_id_forms_and_never_drop_a_clip() {
        assert_eq!(parse_order(&object(json!({"order": ["c3", "c1", "c2"]})), 3).unwrap(), [2, 0, 1]);
        assert_eq!(parse_order(&object(json!({"order": [2, "3", "c9", "c2", "#1"]})), 4).unwrap(), [1, 2, 0, 3]);
        assert_eq!(parse_order(&object(json!({"ranking": ["C2"]})), 3).unwrap(), [1, 0, 2]);
        assert!(parse_order(&object(json!({"order": ["c7", "x"]})), 3).is_err());
        assert!(parse_order(&object(json!({"best": "c1"})), 3).is_err());
    }

    #[test]
    fn rerank_is_bounded_recorded_and_a_permutation() {
        let mut candidates =
            vec![candidate(0.0, 70.0), candidate(30.0, 66.0), candidate(60.0, 58.0), candidate(90.0, 50.0)];
        let ranking = apply_rerank(&mut candidates, &[2, 0, 1, 3], "tiny");
        // Places 1..4 shift by +10, +3.3, −3.3, −10: c3 passes c2 but not c1.
        let totals: Vec<f64> = candidates.iter().map(|c| (c.score.total * 10.0).round() / 10.0).collect();
        assert_eq!(totals, [73.3, 62.7, 68.0, 40.0]);
        assert_eq!(ranking, [0, 2, 1, 3]);
        let mut sorted = ranking.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
        let part = &candidates[2].score.parts[LLM_RERANK_PART];
        assert_eq!(part.value, 100.0);
        assert_eq!(part.reason, "llm rerank: tiny ranked it #1 of 4, total +10.0; moved from #3 to #2");
        assert!(candidates[0].score.parts[LLM_RERANK_PART].reason.ends_with("stayed at #1"));
        // Shifts stay within ±RERANK_POINTS and totals within 0..100.
        let mut edge = vec![candidate(0.0, 99.0), candidate(30.0, 3.0)];
        let ranking = apply_rerank(&mut edge, &[0, 1], "tiny");
        assert_eq!((edge[0].score.total, edge[1].score.total, ranking), (100.0, 0.0, vec![0, 1]));
    }

    #[test]
    fn candidates_the_llm_did_not_see_keep_their_totals() {
        let mut candidates = vec![candidate(0.0, 60.0), candidate(30.0, 59.0), candidate(60.0, 55.0)];
        let ranking = apply_rerank(&mut candidates, &[1, 0], "tiny");
        // 59 + 10 = 69, 60 − 10 = 50: the LLM's last falls below the unseen 55.
        assert_eq!(ranking, [1, 2, 0]);
        assert_eq!(candidates[2].score.total, 55.0);
        assert!(!candidates[2].score.parts.contains_key(LLM_RERANK_PART));
    }

    #[test]
    fn reorder_moves_every_list_together() {
        let candidates = vec![candidate(0.0, 60.0), candidate(30.0, 50.0)];
        let texts = vec![
            ClipText { title: "a".into(), ..ClipText::default() },
            ClipText { title: "b".into(), ..ClipText::default() },
        ];
        let mut improved = Improved::extractive(candidates, vec!['a', 'b'], texts);
        improved.reorder(&[1, 0]);
        assert_eq!(improved.companions, ['b', 'a']);
        assert_eq!(improved.texts[0].title, "b");
        assert_eq!(improved.candidates[0].start, 30.0);
        assert_eq!(improved.titles_by, [TITLES_EXTRACTIVE, TITLES_EXTRACTIVE]);
    }
}
