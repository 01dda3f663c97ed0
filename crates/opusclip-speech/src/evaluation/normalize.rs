//! Text normalisation for word error rate: lower case, punctuation dropped, numbers written out
//! as words (`42` → `forty two`, `3rd` → `third`, `50%` → `fifty percent`), contractions kept
//! (`don't` stays one word), hyphenated and slashed compounds split into their parts, letters
//! split from digits and the digits spelled (`P2` → `p two`, as GRID's references say it), and a
//! numbered heading at the very start (`I`, `II.`, `1.`) read as its number.

/// One normalised token and the index of the transcript word it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedToken {
    /// Lower-case letters, digits and inner apostrophes only.
    pub text: String,
    /// Index of the word (in the list given to [`normalize_words`]) this token came from.
    pub word_index: usize,
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES: [(u64, &str); 5] = [
    (1_000_000_000_000_000, "quadrillion"),
    (1_000_000_000_000, "trillion"),
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];

/// Normalised tokens of `words` (each a transcript word's text), in order. A word may give
/// several tokens (`twenty-one`, `42`) or none (`—`, `[music]` leftovers such as `...`).
pub fn normalize_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<NormalizedToken> {
    let mut tokens = Vec::new();
    for (word_index, word) in words.into_iter().enumerate() {
        let heading = if word_index == 0 { heading_number(word) } else { None };
        let texts = heading.unwrap_or_else(|| normalize_text(word));
        for text in texts {
            tokens.push(NormalizedToken { text, word_index });
        }
    }
    tokens
}

/// The normalised tokens of a piece of text.
///
/// ```
/// use opusclip_speech::evaluation::normalize_text;
/// assert_eq!(normalize_text("Don't stop — it's 21st-century, 1,500 (50%)!"),
///     ["don't", "stop", "it's", "twenty", "first", "century", "one", "thousand", "five", "hundred",
///      "fifty", "percent"]);
/// ```
pub fn normalize_text(text: &str) -> Vec<String> {
    let lowered: String = text
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' => '\'',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let mut tokens = Vec::new();
    for piece in lowered.split(|c: char| c.is_whitespace() || is_compound_separator(c)) {
        normalize_piece(piece, &mut tokens);
    }
    tokens
}

/// A numbered heading opening a text — a Roman numeral in capitals (`I`, `XIV.`) or a number
/// with a full stop (`1.`) — as the words of its number; `None` for anything else. Sonnet I's
/// reference starts with `I` where whisper writes `1.`.
fn heading_number(word: &str) -> Option<Vec<String>> {
    let bare = word.trim().trim_end_matches(['.', ':']);
    if bare.is_empty() {
        return None;
    }
    if bare.bytes().all(|b| b.is_ascii_digit()) && word.trim().ends_with('.') {
        return whole_number_words(bare);
    }
    let value = roman_value(bare)?;
    let mut words = Vec::new();
    cardinal_words(value, &mut words);
    Some(words)
}

/// The value of a Roman numeral written in capitals, up to 3999; `None` otherwise.
fn roman_value(text: &str) -> Option<u64> {
    let digit = |c: char| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let values: Vec<u64> = text.chars().map(digit).collect::<Option<_>>()?;
    let mut total = 0;
    for (index, &value) in values.iter().enumerate() {
        match values.get(index + 1) {
            Some(&next) if next > value => total -= value as i64,
            _ => total += value as i64,
        }
    }
    (1..=3999).contains(&total).then_some(total as u64)
}

fn is_compound_separator(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '/' | '_')
}

/// One whitespace- and hyphen-free piece: a number (with its `%` or ordinal suffix) becomes
/// words, anything else keeps its letters, digits and inner apostrophes.
fn normalize_piece(piece: &str, tokens: &mut Vec<String>) {
    let trimmed = piece.trim_matches(|c: char| !(c.is_alphanumeric() || c == '%' || c == '$'));
    let (core, percent) = match trimmed.strip_suffix('%') {
        Some(core) => (core, true),
        None => (trimmed, false),
    };
    let core = core.trim_start_matches('$');
    if let Some(words) = number_words(core) {
        tokens.extend(words);
        if percent {
            tokens.push("percent".to_string());
        }
        return;
    }
    let kept: String = trimmed.chars().filter(|c| c.is_alphanumeric() || *c == '\'').collect();
    let kept = kept.trim_matches('\'');
    if kept.is_empty() {
        return;
    }
    let has_letter = kept.chars().any(char::is_alphabetic);
    let has_digit = kept.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        tokens.push(kept.to_string());
        return;
    }
    for run in letter_and_digit_runs(kept) {
        match run.bytes().all(|b| b.is_ascii_digit()).then(|| whole_number_words(&run)).flatten() {
            Some(words) => tokens.extend(words),
            None => tokens.push(run),
        }
    }
}

/// `p2` → `p`, `2`; `3blue1brown` → `3`, `blue`, `1`, `brown` (apostrophes stay with letters).
fn letter_and_digit_runs(text: &str) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut previous_digit: Option<bool> = None;
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        if previous_digit != Some(digit) {
            runs.push(String::new());
        }
        if let Some(run) = runs.last_mut() {
            run.push(c);
        }
        previous_digit = Some(digit);
    }
    runs.into_iter().map(|run| run.trim_matches('\'').to_string()).filter(|run| !run.is_empty()).collect()
}

/// `42`, `1,500`, `3.25`, `007`, `21st` as words; `None` when `text` is not such a number.
fn number_words(text: &str) -> Option<Vec<String>> {
    if let Some(ordinal) = ordinal_words(text) {
        return Some(ordinal);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = grouped_digits(whole)?;
    let mut words = whole_number_words(&digits)?;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        words.push("point".to_string());
        words.extend(fraction.bytes().map(|b| ONES[usize::from(b - b'0')].to_string()));
    }
    Some(words)
}

/// Digits of `1500` or `1,500` (groups of three after the first); `None` for anything else.
fn grouped_digits(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let groups: Vec<&str> = text.split(',').collect();
    let first_ok = !groups[0].is_empty() && groups[0].bytes().all(|b| b.is_ascii_digit());
    let rest_ok = groups[1..].iter().all(|group| group.len() == 3 && group.bytes().all(|b| b.is_ascii_digit()));
    let first_short_enough = groups.len() == 1 || groups[0].len() <= 3;
    (first_ok && rest_ok && first_short_enough).then(|| groups.concat())
}

/// A digit string as words: a value (`2024` → `two thousand twenty four`), or digit by digit
/// when it has a leading zero (`007`) or is too long for a number anyone says.
fn whole_number_words(digits: &str) -> Option<Vec<String>> {
    if (digits.len() > 1 && digits.starts_with('0')) || digits.len() > 18 {
        return Some(digits.bytes().map(|b| ONES[usize::from(b - b'0')].to_string()).collect());
    }
    let value: u64 = digits.parse().ok()?;
    let mut words = Vec::new();
    cardinal_words(value, &mut words);
    Some(words)
}

fn cardinal_words(value: u64, words: &mut Vec<String>) {
    if value == 0 {
        words.push(ONES[0].to_string());
        return;
    }
    let mut rest = value;
    for (scale, name) in SCALES {
        if rest >= scale {
            below_thousand_words(rest / scale, words);
            words.push(name.to_string());
            rest %= scale;
        }
    }
    if rest > 0 {
        below_thousand_words(rest, words);
    }
}

fn below_thousand_words(value: u64, words: &mut Vec<String>) {
    let hundreds = value / 100;
    let rest = (value % 100) as usize;
    if hundreds > 0 {
        words.push(ONES[hundreds as usize].to_string());
        words.push("hundred".to_string());
    }
    if rest >= 20 {
        words.push(TENS[rest / 10].to_string());
        if !rest.is_multiple_of(10) {
            words.push(ONES[rest % 10].to_string());
        }
    } else if rest > 0 {
        words.push(ONES[rest].to_string());
    }
}

/// `1st`, `22nd`, `103rd`, `11th` as words (`first`, `twenty second`, …).
fn ordinal_words(text: &str) -> Option<Vec<String>> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, suffix) = text.split_at(digits_end);
    if digits.is_empty() || !matches!(suffix, "st" | "nd" | "rd" | "th") {
        return None;
    }
    let mut words = whole_number_words(&grouped_digits(digits)?)?;
    let last = words.pop()?;
    words.push(ordinal_of(&last));
    Some(words)
}

fn ordinal_of(cardinal: &str) -> String {
    match cardinal {
        "one" => "first".into(),
        "two" => "second".into(),
        "three" => "third".into(),
        "five" => "fifth".into(),
        "eight" => "eighth".into(),
        "nine" => "ninth".into(),
        "twelve" => "twelfth".into(),
        tens if tens.ends_with('y') => format!("{}ieth", &tens[..tens.len() - 1]),
        other => format!("{other}th"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_punctuation_go_contractions_stay() {
        assert_eq!(normalize_text("\"Hello,\" she said. DON'T!"), ["hello", "she", "said", "don't"]);
        assert_eq!(normalize_text("It\u{2019}s the dogs' ball..."), ["it's", "the", "dogs", "ball"]);
        assert_eq!(normalize_text("well-known and/or — so"), ["well", "known", "and", "or", "so"]);
        assert!(normalize_text("... -- !").is_empty());
    }

    #[test]
    fn numbers_are_written_out() {
        let cases = [
            ("0", "zero"),
            ("7", "seven"),
            ("15", "fifteen"),
            ("40", "forty"),
            ("99", "ninety nine"),
            ("100", "one hundred"),
            ("2024", "two thousand twenty four"),
            ("1,000,001", "one million one"),
            ("3.05", "three point zero five"),
            ("007", "zero zero seven"),
            ("1st", "first"),
            ("22nd", "twenty second"),
            ("13th", "thirteenth"),
            ("90th", "ninetieth"),
            ("$5", "five"),
            ("12%", "twelve percent"),
        ];
        for (written, spoken) in cases {
            assert_eq!(normalize_text(written).join(" "), spoken, "{written}");
        }
        assert_eq!(normalize_text("mp3 1,00"), ["mp", "three", "100"]);
    }

    #[test]
    fn letters_and_digits_are_split_and_spelled_alike() {
        assert_eq!(normalize_text("Bin blue at P2 now."), normalize_text("bin blue at p two now"));
        assert_eq!(normalize_text("3Blue1Brown"), ["three", "blue", "one", "brown"]);
    }

    #[test]
    fn a_numbered_heading_at_the_start_reads_as_its_number() {
        let texts = |tokens: Vec<NormalizedToken>| tokens.into_iter().map(|t| t.text).collect::<Vec<_>>();
        assert_eq!(texts(normalize_words(["I", "From", "fairest"])), texts(normalize_words(["1.", "From", "fairest"])));
        assert_eq!(texts(normalize_words(["XIV."])), ["fourteen"]);
        // Only at the very start: the pronoun later stays a word.
        assert_eq!(texts(normalize_words(["so", "I", "said"])), ["so", "i", "said"]);
    }

    #[test]
    fn tokens_remember_their_word() {
        let tokens = normalize_words(["Twenty-one", "...", "guns"]);
        let pairs: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.word_index)).collect();
        assert_eq!(pairs, [("twenty", 0), ("one", 0), ("guns", 2)]);
    }
}
