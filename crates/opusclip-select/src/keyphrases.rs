//! Extractive keyphrases (RAKE-style): the phrases a clip is about, ranked deterministically,
//! for hashtags and titles. Pure text processing with an inline English stopword list.
//!
//! # How phrases are ranked
//!
//! As in RAKE (Rose et al., 2010), the text is cut into *runs* of content words at stopwords,
//! numbers and punctuation; candidates are the runs' n-grams of 1 to [`MAX_PHRASE_WORDS`] words.
//! Each word gets RAKE's co-occurrence degree over frequency (`deg/freq`, the mean length of
//! the runs it appears in), and a candidate scores
//! `count × mean(√(deg/freq)) × (1 + ½ (words − 1))`: repeated words and phrases come first,
//! a phrase said at least twice ([`MIN_PHRASE_REPEATS`]) beats its single words, and a one-off
//! run of many words (RAKE's known bias) does not dominate. Ties go to the phrase said first.

use std::collections::HashMap;

/// Longest keyphrase, in words.
pub const MAX_PHRASE_WORDS: usize = 3;
/// A phrase of several words must be said this often to count (single words count once said).
pub const MIN_PHRASE_REPEATS: usize = 2;
/// Shortest content word, in letters and digits.
const MIN_WORD_CHARS: usize = 3;

/// English function words and the fillers of speech: they separate keyphrases and never become
/// one. Also used for the content-word overlap of clip diversity.
#[rustfmt::skip]
pub const STOPWORDS: &[&str] = &[
    "a", "about", "above", "actually", "after", "again", "against", "all", "also", "always", "am",
    "an", "and", "any", "anything", "are", "around", "as", "at", "back", "basically", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "came", "can",
    "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "even",
    "ever", "every", "everyone", "everything", "few", "for", "from", "further", "get", "gets",
    "getting", "go", "goes", "going", "gonna", "got", "gotta", "had", "has", "have", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if",
    "in", "into", "is", "it", "its", "itself", "just", "kind", "know", "let", "like", "literally",
    "lot", "lots", "made", "make", "makes", "many", "maybe", "me", "mean", "might", "more", "most",
    "much", "must", "my", "myself", "need", "never", "no", "nor", "not", "nothing", "now", "of",
    "off", "okay", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out",
    "over", "own", "people", "pretty", "probably", "put", "quite", "really", "right", "said",
    "same", "say", "says", "see", "she", "should", "so", "some", "something", "sort", "still",
    "stuff", "such", "sure", "take", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "thing", "things", "think", "this", "those",
    "though", "through", "to", "too", "took", "under", "until", "up", "us", "very", "via", "want",
    "wanna", "was", "way", "we", "well", "went", "were", "what", "when", "where", "whether",
    "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "yeah",
    "yes", "yet", "you", "your", "yours", "yourself", "yourselves", "um", "uh", "erm", "hmm", "oh",
    "ok",
];

/// Words that are not stopwords for clip diversity but make poor keyphrases: number words,
/// generic words of time and judgement and common verbs (`#Three`, `#Good`, `#Keep` tag nothing).
#[rustfmt::skip]
pub const GENERIC_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "thousand", "thousands",
    "million", "millions", "billion", "first", "second", "third", "half", "last", "next",
    "good", "great", "bad", "best", "better", "worse", "worst", "big", "little", "small", "new",
    "old", "long", "whole", "part", "time", "times", "day", "days", "year", "years", "today",
    "tonight", "ago", "wrong", "real", "true", "able", "else", "another", "less", "least",
    "keep", "keeps", "kept", "start", "starts", "started", "stay", "tell", "told", "give", "gave",
    "look", "looked", "seem", "seems", "happen", "happened", "call", "called", "ask", "asked",
    "try", "tried", "use", "used", "far", "blow", "blown", "blew", "come", "comes", "coming",
    "find", "finds", "found", "feel", "feels", "felt", "thought", "knew", "known", "knowing",
    "getting", "gotten", "doing", "saying", "talk", "talks", "talking", "talked", "believe",
    "remember", "understand", "bring", "brought", "turn", "turned", "show", "showed", "shown",
    "move", "moved", "leave", "left", "hear", "heard", "watch", "meet", "met", "sit", "stand",
    "run", "means", "meant", "wanted", "needed", "trying", "looking", "making", "taking", "giving",
    "thinking", "feeling", "seeing", "seen", "saw", "become", "became", "becomes", "happens",
    "wants", "needs", "takes", "gives", "puts", "tells", "asks", "thinks", "knows", "let's",
    "including", "include", "includes", "allow", "allows", "allowed", "using", "uses", "reach",
    "reaches", "reached", "hello", "hey", "thanks", "thank", "welcome", "bye", "goodbye",
    "thy", "thou", "thee", "thine", "shall", "hath", "doth", "art",
];

/// One ranked keyphrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyphrase {
    /// Its words, lower-case, in order.
    pub words: Vec<String>,
    /// The ranking score (higher is more central to the text).
    pub score: f64,
    /// How often the phrase occurs inside the text's content-word runs.
    pub count: usize,
}

impl Keyphrase {
    /// The phrase as text: its words joined with spaces.
    pub fn text(&self) -> String {
        self.words.join(" ")
    }

    /// `#CamelCase` tag: `self-driving car` → `#SelfDrivingCar`.
    pub fn hashtag(&self) -> String {
        let mut tag = String::from("#");
        for part in self.words.iter().flat_map(|word| word.split('-')) {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                tag.extend(first.to_uppercase());
                tag.push_str(chars.as_str());
            }
        }
        tag
    }
}

/// Whether `word` (any case) is in [`STOPWORDS`].
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word.to_lowercase().as_str())
}

/// Every candidate phrase of `text`, best first (see the module docs for the score).
///
/// ```
/// let phrases = opusclip_select::keyphrases("Machine learning is hard. Machine learning needs data.");
/// assert_eq!(phrases[0].text(), "machine learning");
/// assert_eq!(phrases[0].hashtag(), "#MachineLearning");
/// ```
pub fn keyphrases(text: &str) -> Vec<Keyphrase> {
    let runs = content_runs(text);
    let word_weight = word_weights(&runs);
    let mut candidates: HashMap<Vec<String>, (usize, usize)> = HashMap::new();
    let mut position = 0;
    for run in &runs {
        for start in 0..run.len() {
            for length in 1..=MAX_PHRASE_WORDS.min(run.len() - start) {
                let entry = candidates.entry(run[start..start + length].to_vec()).or_insert((0, position));
                entry.0 += 1;
            }
            position += 1;
        }
    }
    let mut ranked: Vec<(Keyphrase, usize)> = candidates
        .into_iter()
        .filter(|(words, (count, _))| words.len() == 1 || *count >= MIN_PHRASE_REPEATS)
        .map(|(words, (count, first_position))| {
            let mean_weight = words.iter().map(|word| word_weight[word]).sum::<f64>() / words.len() as f64;
            let length_bonus = 1.0 + 0.5 * (words.len() - 1) as f64;
            let score = count as f64 * mean_weight * length_bonus;
            (Keyphrase { words, score, count }, first_position)
        })
        .collect();
    ranked.sort_by(|(a, a_first), (b, b_first)| {
        b.score.total_cmp(&a.score).then(a_first.cmp(b_first)).then(a.words.len().cmp(&b.words.len()))
    });
    ranked.into_iter().map(|(phrase, _)| phrase).collect()
}

/// Up to `limit` keyphrases that share no word with a better one, best first. When that leaves
/// fewer than `at_least`, the best single words not yet in a chosen phrase fill up to it (when
/// there are any).
pub fn distinct_keyphrases(text: &str, at_least: usize, limit: usize) -> Vec<Keyphrase> {
    let ranked = keyphrases(text);
    let mut chosen: Vec<Keyphrase> = Vec::new();
    for phrase in &ranked {
        if chosen.len() >= limit {
            break;
        }
        let shares_a_word = chosen.iter().any(|taken| taken.words.iter().any(|word| phrase.words.contains(word)));
        if !shares_a_word {
            chosen.push(phrase.clone());
        }
    }
    for phrase in ranked.iter().filter(|phrase| phrase.words.len() == 1) {
        if chosen.len() >= at_least.min(limit) {
            break;
        }
        let already_in_a_tag = chosen.iter().any(|taken| taken.words.contains(&phrase.words[0]));
        if !already_in_a_tag {
            chosen.push(phrase.clone());
        }
    }
    chosen
}

/// Names said in the text with how often each is said, most often said first (ties: the first
/// said): runs of capitalised
/// words ("Sal Khan", "Khan Academy", "Python"), lower-case, possessives dropped. A capitalised
/// word that opens a sentence counts only when the next word is capitalised too; "I" and
/// function words never count; a run ends at punctuation. A name of one word must be said at
/// least twice, and never in lower case.
///
/// ```
/// let names = opusclip_select::keyphrases::named_entities("I met Sal Khan. Khan Academy is free, said Sal Khan.");
/// assert_eq!(names[0], (vec!["sal".to_string(), "khan".to_string()], 2));
/// assert_eq!(names[1].0, ["khan", "academy"]);
/// ```
pub fn named_entities(text: &str) -> Vec<(Vec<String>, usize)> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let capitalised = |token: &str| {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        bare.chars().next().is_some_and(char::is_uppercase) && content_word(bare).is_some()
    };
    let mut found: Vec<(Vec<String>, usize, usize)> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut sentence_start = true;
    for (index, token) in tokens.iter().enumerate() {
        let next_capitalised = tokens.get(index + 1).is_some_and(|next| capitalised(next));
        let counts = capitalised(token) && (!sentence_start || next_capitalised || !run.is_empty());
        if counts {
            if let Some(word) = content_word(token) {
                run.push(word);
            }
        } else {
            close_entity(&mut found, &mut run, index);
        }
        let ends_phrase = token.ends_with([',', '.', ';', ':', '!', '?', '…', '—', '–']);
        if ends_phrase {
            close_entity(&mut found, &mut run, index);
        }
        sentence_start = token.ends_with(['.', '!', '?', '…']);
    }
    close_entity(&mut found, &mut run, tokens.len());
    // One capitalised word is a name only when said so twice and never in lower case (a poem's
    // line-initial "Proving" or a sentence's "Today" is not).
    let lower_case: std::collections::HashSet<String> = tokens
        .iter()
        .filter(|token| token.chars().next().is_some_and(char::is_lowercase))
        .filter_map(|token| content_word(token))
        .collect();
    found.retain(|(words, count, _)| words.len() > 1 || (*count > 1 && !lower_case.contains(&words[0])));
    found.sort_by(|(_, a_count, a_first), (_, b_count, b_first)| b_count.cmp(a_count).then(a_first.cmp(b_first)));
    found.into_iter().map(|(words, count, _)| (words, count)).collect()
}

fn close_entity(found: &mut Vec<(Vec<String>, usize, usize)>, run: &mut Vec<String>, position: usize) {
    if run.is_empty() {
        return;
    }
    let words = std::mem::take(run);
    match found.iter_mut().find(|(known, _, _)| *known == words) {
        Some((_, count, _)) => *count += 1,
        None => found.push((words, 1, position)),
    }
}

/// The content word of a token (lower case, possessive dropped), or `None` for stopwords,
/// [`GENERIC_WORDS`], numbers, short words and tokens with other characters.
pub fn content_word(token: &str) -> Option<String> {
    let token = token.replace('’', "'").to_lowercase();
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let token = token.strip_suffix("'s").unwrap_or(token);
    let is_word = token.chars().all(|c| c.is_alphanumeric() || c == '-') && token.chars().any(char::is_alphabetic);
    let long_enough = token.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_WORD_CHARS;
    let meaningful = !STOPWORDS.contains(&token) && !GENERIC_WORDS.contains(&token);
    (is_word && long_enough && meaningful).then(|| token.to_string())
}

/// Runs of consecutive content words, cut at stopwords, other non-content tokens and
/// punctuation that ends a phrase (`, . ; : ! ? …` and dashes).
fn content_runs(text: &str) -> Vec<Vec<String>> {
    let mut runs = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        match content_word(token) {
            Some(word) => current.push(word),
            None => flush(&mut runs, &mut current),
        }
        if token.ends_with([',', '.', ';', ':', '!', '?', '…', '—', '–']) || token.starts_with(['(', '"', '“'])
        {
            flush(&mut runs, &mut current);
        }
    }
    flush(&mut runs, &mut current);
    runs
}

fn flush(runs: &mut Vec<Vec<String>>, current: &mut Vec<String>) {
    if !current.is_empty() {
        runs.push(std::mem::take(current));
    }
}

/// √(deg/freq) per word: RAKE's degree over frequency, damped.
fn word_weights(runs: &[Vec<String>]) -> HashMap<String, f64> {
    let mut degree_and_frequency: HashMap<&str, (usize, usize)> = HashMap::new();
    for run in runs {
        for word in run {
            let entry = degree_and_frequency.entry(word.as_str()).or_insert((0, 0));
            entry.0 += run.len().min(MAX_PHRASE_WORDS);
            entry.1 += 1;
        }
    }
    degree_and_frequency
        .into_iter()
        .map(|(word, (degree, frequency))| (word.to_string(), (degree as f64 / frequency as f64).sqrt()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(phrases: &[Keyphrase]) -> Vec<String> {
        phrases.iter().map(Keyphrase::text).collect()
    }

    #[test]
    fn repeated_collocations_beat_their_words_and_one_off_runs() {
        let text = "Climate change is real. We ignored climate change for decades, and rising \
                    seas, melting glaciers, burning forests followed. Climate change costs money.";
        let ranked = keyphrases(text);
        assert_eq!(ranked[0].text(), "climate change");
        assert_eq!(ranked[0].count, 3);
        let position = |phrase: &str| texts(&ranked).iter().position(|t| t == phrase).unwrap();
        assert!(position("climate change") < position("climate"));
        assert!(position("climate") < position("burning").min(position("seas")));
        assert!(!texts(&ranked).contains(&"burning forests followed".to_string()), "said once: not a phrase");
    }

    #[test]
    fn one_off_phrases_of_several_words_are_not_candidates() {
        let ranked = keyphrases("Quantum computers factor numbers quickly.");
        assert!(ranked.iter().all(|phrase| phrase.words.len() == 1), "{:?}", texts(&ranked));
        assert_eq!(texts(&ranked), ["quantum", "computers", "factor", "numbers", "quickly"]);
    }

    #[test]
    fn stopwords_numbers_and_punctuation_split_phrases() {
        let ranked = keyphrases("Solar panels, solar panels and 2024 solar panels. The panels work.");
        assert_eq!(ranked[0].text(), "solar panels");
        assert_eq!(ranked[0].count, 3);
        assert!(ranked.iter().all(|phrase| !phrase.words.iter().any(|w| w == "2024" || w == "the")));
        assert!(is_stopword("The") && !is_stopword("panels"));
        assert_eq!(content_word("Rocket's").as_deref(), Some("rocket"));
        assert!(content_word("Three").is_none() && content_word("years,").is_none(), "generic words tag nothing");
    }

    #[test]
    fn distinct_phrases_share_no_word_and_fill_to_the_minimum_without_repeating_one() {
        let text = "Machine learning works. Machine learning scales. Data matters.";
        let chosen = distinct_keyphrases(text, 3, 5);
        assert_eq!(texts(&chosen), ["machine learning", "works", "scales", "data", "matters"]);
        let few = distinct_keyphrases("Rocket engine. Rocket engine.", 3, 5);
        assert_eq!(texts(&few), ["rocket engine"], "no #Rocket #Engine beside #RocketEngine");
        assert!(distinct_keyphrases("", 3, 5).is_empty());
    }

    #[test]
    fn hashtags_are_camel_case_without_separators() {
        let phrase = Keyphrase { words: vec!["self-driving".into(), "cars".into()], score: 1.0, count: 2 };
        assert_eq!(phrase.hashtag(), "#SelfDrivingCars");
    }

    #[test]
    fn ranking_is_deterministic() {
        let text = "alpha beta gamma delta. beta alpha. gamma delta epsilon.";
        let first = keyphrases(text);
        for _ in 0..5 {
            assert_eq!(keyphrases(text), first);
        }
    }
}
