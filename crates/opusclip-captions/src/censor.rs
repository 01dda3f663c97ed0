//! Masking words a creator does not want on screen: each word whose letters match a listed word
//! (case and punctuation ignored; a listed word ending in `*` matches every word it starts) keeps
//! its first letter and its punctuation, the other letters become `*` (`Shit!` → `S***!`). The
//! default list holds common English profanity; a user's list adds to it or replaces it.

use opusclip_core::Word;

/// Common English profanity, masked by `--censor` with no list of its own.
pub const DEFAULT_CENSOR_LIST: &[&str] = &[
    "fuck*",
    "motherfuck*",
    "shit",
    "shits",
    "shitty",
    "shithead*",
    "bullshit*",
    "bitch*",
    "cunt*",
    "dick",
    "dickhead",
    "asshole*",
    "bastard*",
    "cock",
    "cocks",
    "pussy",
    "whore*",
    "slut*",
    "wank*",
    "twat*",
    "prick",
    "nigg*",
    "fag",
    "fags",
    "faggot*",
    "retard",
    "retards",
    "damn",
    "goddamn*",
];

/// A compiled list: exact words and prefixes, lower case, letters and digits only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CensorList {
    exact: Vec<String>,
    prefixes: Vec<String>,
}

impl CensorList {
    /// A list from entries such as `"darn"` or `"frick*"`; empty entries are ignored.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>) -> CensorList {
        let mut list = CensorList::default();
        for entry in entries {
            let key = letters(entry);
            if key.is_empty() {
                continue;
            }
            if entry.trim().ends_with('*') {
                list.prefixes.push(key);
            } else {
                list.exact.push(key);
            }
        }
        list
    }

    /// [`DEFAULT_CENSOR_LIST`].
    pub fn default_profanity() -> CensorList {
        CensorList::new(DEFAULT_CENSOR_LIST.iter().copied())
    }

    /// Whether the list masks `word`.
    pub fn matches(&self, word: &str) -> bool {
        let key = letters(word);
        !key.is_empty() && (self.exact.contains(&key) || self.prefixes.iter().any(|prefix| key.starts_with(prefix)))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty()
    }
}

fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// `word` masked: the first letter kept, later letters and digits as `*`, punctuation kept.
pub fn mask(word: &str) -> String {
    let mut seen_letter = false;
    word.chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                c
            } else if seen_letter {
                '*'
            } else {
                seen_letter = true;
                c
            }
        })
        .collect()
}

/// `words` with every listed word masked; returns how many were.
pub fn censor_words(words: &mut [Word], list: &CensorList) -> usize {
    let mut masked = 0;
    for word in words.iter_mut().filter(|word| list.matches(&word.text)) {
        word.text = mask(&word.text);
        masked += 1;
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Word {
        Word { text: text.into(), start: 0.0, end: 0.5, confidence: 0.9, speaker: None }
    }

    #[test]
    fn listed_words_keep_their_first_letter_and_punctuation() {
        let mut words = vec![word("Shit!"), word("shiitake"), word("Fucking,"), word("hello"), word("class")];
        let masked = censor_words(&mut words, &CensorList::default_profanity());
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        // Whole words and listed stems only: "class" holds "ass", "shiitake" is a mushroom.
        assert_eq!(texts, ["S***!", "shiitake", "F******,", "hello", "class"]);
        assert_eq!(masked, 2);
    }

    #[test]
    fn a_users_list_matches_whole_words_unless_starred() {
        let list = CensorList::new(["Acme", "frick*", " ", "*"]);
        assert!(list.matches("ACME.") && !list.matches("acmes"));
        assert!(list.matches("fricking") && !list.matches("frack"));
        assert!(!CensorList::new([""]).matches("anything") && CensorList::new([""]).is_empty());
    }
}
