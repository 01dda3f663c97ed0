//! The word lists the scores and the boundary rules read: fillers, continuations, dangling
//! references, bold claims and emotional words (English, lower case, straight apostrophes).

/// Words that fill rather than say something; a clip should not open on one.
pub const FILLERS: [&str; 14] =
    ["um", "uh", "erm", "er", "ah", "hmm", "like", "yeah", "okay", "ok", "well", "anyway", "right", "mm"];

/// Words that continue the previous sentence; a clip opening on one starts mid-thought.
pub const CONTINUATIONS: [&str; 16] = [
    "and",
    "so",
    "but",
    "or",
    "because",
    "cause",
    "also",
    "then",
    "plus",
    "however",
    "though",
    "which",
    "nor",
    "yet",
    "besides",
    "otherwise",
];

/// Words that point back to something said before; at a clip's start the viewer never heard it.
pub const DANGLING_REFERENCES: [&str; 24] = [
    "he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "this", "that", "these", "those", "it's",
    "that's", "he's", "she's", "they're", "they've", "there's", "he'd", "she'd", "they'd",
];

/// Words of a bold or contrarian claim.
pub const BOLD_WORDS: [&str; 25] = [
    "never",
    "always",
    "nobody",
    "everyone",
    "everybody",
    "wrong",
    "myth",
    "lie",
    "lies",
    "secret",
    "truth",
    "actually",
    "mistake",
    "worst",
    "best",
    "biggest",
    "impossible",
    "forget",
    "nothing",
    "everything",
    "stop",
    "shocking",
    "crazy",
    "insane",
    "dangerous",
];

/// Words that carry emotion or intensity.
#[rustfmt::skip]
pub const EMOTIONAL_WORDS: &[&str] = &[
    "amazing", "incredible", "love", "loved", "hate", "hated", "crazy", "insane", "terrible",
    "horrible", "awful", "afraid", "scared", "fear", "angry", "furious", "happy", "sad",
    "beautiful", "shocking", "shocked", "surprised", "surprising", "laugh", "laughed",
    "laughing", "cried", "cry", "crying", "wow", "damn", "hell", "wonderful", "fantastic",
    "awesome", "brilliant", "stupid", "ridiculous", "funny", "hilarious", "weird", "strange",
    "unbelievable", "excited", "exciting", "passion", "heart", "pain", "painful", "death",
    "died", "dead", "kill", "killed", "war", "disaster", "dream", "hope", "joy", "proud",
    "ashamed", "embarrassed", "embarrassing", "lonely", "shame", "sorry", "mad", "nervous",
    "panic", "terrified", "thrilled", "remarkable", "extraordinary", "powerful", "huge",
    "massive", "absolutely", "totally", "wild", "epic", "magic", "miracle", "tragic",
    "tragedy", "disgusting", "gorgeous", "perfect", "worst", "best", "oh", "terrifying",
    "fascinating", "shit", "fuck", "fucking",
];

/// Words that address the viewer.
pub const DIRECT_ADDRESS: [&str; 9] =
    ["you", "your", "you're", "yours", "you'll", "you've", "you'd", "yourself", "yourselves"];

/// Number words that count like digits.
pub const NUMBER_WORDS: [&str; 16] = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty", "fifty", "hundred",
    "thousand", "million", "billion",
];

/// The speaker talking about themself: a personal story.
pub const FIRST_PERSON: [&str; 9] = ["i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"];

/// Verbs that report speech: someone is being quoted.
pub const REPORTED_SPEECH: [&str; 9] = ["say", "says", "said", "saying", "told", "tell", "asked", "wrote", "goes"];

/// Someone else as the subject of a story.
pub const THIRD_PERSON: [&str; 10] = ["he", "she", "him", "her", "his", "hers", "he's", "she's", "himself", "herself"];

/// Negations.
pub const NEGATIONS: [&str; 17] = [
    "not", "no", "never", "nothing", "nobody", "don't", "didn't", "doesn't", "can't", "couldn't", "won't", "wouldn't",
    "isn't", "wasn't", "aren't", "weren't", "haven't",
];

/// Words of the big picture — we, the world, people, years — more lecture than anecdote.
pub const COLLECTIVE: [&str; 16] = [
    "we",
    "us",
    "our",
    "ours",
    "we're",
    "we've",
    "world",
    "people",
    "years",
    "society",
    "global",
    "percent",
    "million",
    "billion",
    "countries",
    "country",
];

/// Words of a call to action or a claim about what must happen.
pub const CALL_TO_ACTION: [&str; 10] =
    ["should", "must", "need", "will", "let's", "together", "can", "future", "change", "imagine"];

/// Family and partners: the stuff of personal stories.
pub const FAMILY: [&str; 20] = [
    "mom",
    "mother",
    "dad",
    "father",
    "wife",
    "husband",
    "son",
    "daughter",
    "kids",
    "kid",
    "children",
    "grandmother",
    "grandfather",
    "boyfriend",
    "girlfriend",
    "brother",
    "sister",
    "baby",
    "parents",
    "mum",
];

/// Casual, spoken words.
pub const INFORMAL: [&str; 13] =
    ["maybe", "mean", "bit", "little", "kind", "pretty", "okay", "oh", "yeah", "guy", "guys", "stuff", "totally"];

/// Contractions that are not possessives (`'s` only in these).
pub const S_CONTRACTIONS: [&str; 9] =
    ["it's", "that's", "he's", "she's", "there's", "what's", "here's", "let's", "who's"];

/// Whether a normalized token is a contraction (`don't`, `we're`, `I'm`, `it's`, …).
pub fn is_contraction(token: &str) -> bool {
    ["n't", "'re", "'m", "'ve", "'ll", "'d"].iter().any(|ending| token.ends_with(ending))
        || S_CONTRACTIONS.contains(&token)
}

/// Lower case, curly apostrophes made straight, punctuation around the word removed.
pub fn normalize(text: &str) -> String {
    text.trim().replace('’', "'").trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

/// The dangling reference a sentence opens on, if its first normalized tokens are one: a
/// pronoun or demonstrative that points back ("it", "this", "they're") or "the other/same/
/// latter/former …". Such an opener needs the sentence before it.
pub fn dangling_opening(tokens: &[String]) -> Option<String> {
    let first = tokens.first()?;
    if DANGLING_REFERENCES.contains(&first.as_str()) {
        return Some(first.clone());
    }
    let second = tokens.get(1)?;
    (first == "the" && ["other", "same", "latter", "former"].contains(&second.as_str()))
        .then(|| format!("{first} {second}"))
}

/// Whether a normalized token is a filler or a continuation.
pub fn is_weak_opener(token: &str) -> bool {
    FILLERS.contains(&token) || CONTINUATIONS.contains(&token)
}

/// Whether a normalized token is a number (digits or a number word).
pub fn is_number(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&token)
}

/// A crude stem for matching word forms: `'s`, then `ing`, `ed`, `es`, `ly` or `s` removed
/// when at least four letters remain.
pub fn stem(token: &str) -> String {
    let token = token.strip_suffix("'s").unwrap_or(token);
    for suffix in ["ing", "ed", "es", "ly", "s"] {
        if let Some(root) = token.strip_suffix(suffix) {
            if root.chars().count() >= 4 {
                return root.to_string();
            }
        }
    }
    token.to_string()
}

/// The content words of `text`: normalized, longer than two letters, not a stop word.
pub fn content_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .map(normalize)
        .filter(|w| w.chars().count() > 2 && !crate::STOPWORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangling_openings_are_pronouns_demonstratives_and_the_other() {
        let tokens = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(dangling_opening(&tokens("it's not something")), Some("it's".to_string()));
        assert_eq!(dangling_opening(&tokens("the other one won")), Some("the other".to_string()));
        assert_eq!(dangling_opening(&tokens("the best one won")), None);
        assert_eq!(dangling_opening(&tokens("hello there")), None);
        assert_eq!(dangling_opening(&[]), None);
    }

    #[test]
    fn normalize_strips_punctuation_and_case() {
        assert_eq!(normalize("  “Here’s,"), "here's");
        assert_eq!(normalize("So..."), "so");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn weak_openers_and_numbers() {
        assert!(is_weak_opener("and") && is_weak_opener("um") && is_weak_opener("so"));
        assert!(!is_weak_opener("here's") && !is_weak_opener("why"));
        assert!(is_number("3") && is_number("1990s") && is_number("million") && !is_number("one"));
    }

    #[test]
    fn stems_join_word_forms() {
        assert_eq!(stem("cooking"), "cook");
        assert_eq!(stem("cooked"), stem("cooks"));
        assert_eq!(stem("pasta's"), "pasta");
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("bus"), "bus");
    }

    #[test]
    fn content_words_skip_stop_words() {
        let words: Vec<String> = content_words("So the Pasta needs salt, you know.").collect();
        assert_eq!(words, ["pasta", "needs", "salt"]);
    }
}
