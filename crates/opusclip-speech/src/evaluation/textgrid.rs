//! Praat TextGrid files (the alignments Montreal Forced Aligner writes), in both the long
//! (`xmin = 0`) and the short text format, read into interval tiers.

use crate::subtitles::excerpt;
use opusclip_core::{Error, Result};

/// One interval of a tier: a time span and its label (empty for a pause).
#[derive(Debug, Clone, PartialEq)]
pub struct TextGridInterval {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A named interval tier (point tiers are skipped).
#[derive(Debug, Clone, PartialEq)]
pub struct TextGridTier {
    pub name: String,
    pub intervals: Vec<TextGridInterval>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
}

/// Parses the text of a TextGrid (long or short format) into its interval tiers.
///
/// Both formats hold the same sequence of numbers and quoted strings; the long one only adds
/// `key =` labels and `[n]` indices, which are skipped.
pub fn parse_textgrid(text: &str) -> Result<Vec<TextGridTier>> {
    let tokens = tokenize(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut reader = TokenReader { tokens: &tokens, at: 0 };
    let file_type = reader.text("the file type")?;
    let object_class = reader.text("the object class")?;
    if file_type != "ooTextFile" || object_class != "TextGrid" {
        return Err(textgrid_error(format!(
            "expected `File type = \"ooTextFile\"` and `Object class = \"TextGrid\"`, found `{}` and `{}`",
            excerpt(&file_type),
            excerpt(&object_class)
        )));
    }
    reader.number("xmin")?;
    reader.number("xmax")?;
    let tier_count = reader.count("the number of tiers")?;
    // Counts come from the file: reserve little up front, grow with what is really there.
    let mut tiers = Vec::with_capacity(tier_count.min(64));
    for _ in 0..tier_count {
        if let Some(tier) = read_tier(&mut reader)? {
            tiers.push(tier);
        }
    }
    Ok(tiers)
}

fn read_tier(reader: &mut TokenReader<'_>) -> Result<Option<TextGridTier>> {
    let class = reader.text("a tier class")?;
    let name = reader.text("a tier name")?;
    reader.number("the tier's xmin")?;
    reader.number("the tier's xmax")?;
    let size = reader.count("the number of intervals")?;
    match class.as_str() {
        "IntervalTier" => {
            let mut intervals = Vec::with_capacity(size.min(4096));
            for _ in 0..size {
                let start = reader.number("an interval's xmin")?;
                let end = reader.number("an interval's xmax")?;
                let text = reader.text("an interval's text")?;
                if end < start {
                    return Err(textgrid_error(format!(
                        "tier `{}` has an interval ending ({end}) before it starts ({start})",
                        excerpt(&name)
                    )));
                }
                intervals.push(TextGridInterval { start, end, text });
            }
            Ok(Some(TextGridTier { name, intervals }))
        }
        "TextTier" => {
            for _ in 0..size {
                reader.number("a point's time")?;
                reader.text("a point's mark")?;
            }
            Ok(None)
        }
        other => Err(textgrid_error(format!("unknown tier class `{}`", excerpt(other)))),
    }
}

struct TokenReader<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl TokenReader<'_> {
    fn next(&mut self, what: &str) -> Result<&Token> {
        let token = self.tokens.get(self.at).ok_or_else(|| textgrid_error(format!("the file ends before {what}")))?;
        self.at += 1;
        Ok(token)
    }

    fn number(&mut self, what: &str) -> Result<f64> {
        match self.next(what)? {
            Token::Number(value) => Ok(*value),
            Token::Text(text) => {
                Err(textgrid_error(format!("expected a number for {what}, found `{}`", excerpt(text))))
            }
        }
    }

    fn count(&mut self, what: &str) -> Result<usize> {
        let value = self.number(what)?;
        if value < 0.0 || value.fract() != 0.0 || value > 10_000_000.0 {
            return Err(textgrid_error(format!("{what} is {value}, not a count")));
        }
        Ok(value as usize)
    }

    fn text(&mut self, what: &str) -> Result<String> {
        match self.next(what)? {
            Token::Text(text) => Ok(text.clone()),
            Token::Number(value) => Err(textgrid_error(format!("expected a quoted string for {what}, found {value}"))),
        }
    }
}

/// Numbers and quoted strings (`""` inside a string is a quote), skipping labels, `[n]`
/// indices, `<exists>` and `!` comments.
fn tokenize(text: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut line = 1;
    while let Some((at, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => tokens.push(Token::Text(read_string(&mut chars, &mut line)?)),
            '[' => skip_until(&mut chars, ']', &mut line),
            '<' => skip_until(&mut chars, '>', &mut line),
            '!' => skip_until(&mut chars, '\n', &mut line),
            _ if c.is_ascii_digit() || c == '-' || c == '.' => {
                let end = word_end(text, at);
                let word = &text[at..end];
                let value = word
                    .parse::<f64>()
                    .ok()
                    .filter(|value| value.is_finite())
                    .ok_or_else(|| textgrid_error(format!("line {line}: `{}` is not a number", excerpt(word))))?;
                tokens.push(Token::Number(value));
                while chars.peek().is_some_and(|&(next, _)| next < end) {
                    chars.next();
                }
            }
            _ if c.is_alphabetic() => {
                let end = word_end(text, at);
                while chars.peek().is_some_and(|&(next, _)| next < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    Ok(tokens)
}

fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '[' | '"'))
        .map_or(text.len(), |offset| start + offset)
}

fn read_string(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, line: &mut usize) -> Result<String> {
    let opened_on = *line;
    let mut value = String::new();
    while let Some((_, c)) = chars.next() {
        if c == '"' {
            if chars.peek().is_some_and(|&(_, next)| next == '"') {
                chars.next();
                value.push('"');
                continue;
            }
            return Ok(value);
        }
        if c == '\n' {
            *line += 1;
        }
        value.push(c);
    }
    Err(textgrid_error(format!("line {opened_on}: a string is never closed")))
}

fn skip_until(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: char, line: &mut usize) {
    for (_, c) in chars.by_ref() {
        if c == '\n' {
            *line += 1;
        }
        if c == end {
            return;
        }
    }
}

fn textgrid_error(problem: String) -> Error {
    Error::transcript(format!("TextGrid: {problem}; give a Praat TextGrid in its text format (long or short)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = 2.5\ntiers? <exists>\nsize = 2\nitem []:\n    item [1]:\n        class = \"IntervalTier\"\n        name = \"words\"\n        xmin = 0\n        xmax = 2.5\n        intervals: size = 3\n        intervals [1]:\n            xmin = 0\n            xmax = 1.05\n            text = \"\"\n        intervals [2]:\n            xmin = 1.05\n            xmax = 1.2\n            text = \"say \"\"hi\"\"\"\n        intervals [3]:\n            xmin = 1.2\n            xmax = 2.5\n            text = \"two\nlines\"\n    item [2]:\n        class = \"TextTier\"\n        name = \"marks\"\n        xmin = 0\n        xmax = 2.5\n        points: size = 1\n        points [1]:\n            number = 1.5\n            mark = \"x\"\n";

    const SHORT: &str = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n2.5\n<exists>\n1\n\"IntervalTier\"\n\"words\"\n0\n2.5\n2\n0\n1.05\n\"\"\n1.05\n2.5\n\"this\"\n";

    #[test]
    fn a_long_bad_token_is_quoted_briefly() {
        // Found by the fuzzer: a 15 KB error quoting the whole token.
        let error = parse_textgrid(&format!("99{}", "\u{fffd}9".repeat(2000))).expect_err("not a TextGrid");
        assert!(error.to_string().len() < 300, "{} bytes", error.to_string().len());
    }

    #[test]
    fn long_format_with_escaped_quotes_and_point_tiers() {
        let tiers = parse_textgrid(LONG).expect("parses");
        assert_eq!(tiers.len(), 1);
        assert_eq!(tiers[0].name, "words");
        let texts: Vec<&str> = tiers[0].intervals.iter().map(|interval| interval.text.as_str()).collect();
        assert_eq!(texts, ["", "say \"hi\"", "two\nlines"]);
        assert_eq!((tiers[0].intervals[1].start, tiers[0].intervals[1].end), (1.05, 1.2));
    }

    #[test]
    fn short_format_gives_the_same_tiers() {
        let tiers = parse_textgrid(SHORT).expect("parses");
        assert_eq!(tiers[0].intervals[1], TextGridInterval { start: 1.05, end: 2.5, text: "this".into() });
    }

    #[test]
    fn broken_files_say_what_is_wrong() {
        let truncated = &SHORT[..SHORT.len() - 8];
        assert!(parse_textgrid(truncated).expect_err("truncated").to_string().contains("ends before"));
        let not_a_grid = "File type = \"ooTextFile\"\nObject class = \"Sound\"\n";
        assert!(parse_textgrid(not_a_grid).expect_err("wrong class").to_string().contains("Sound"));
        assert!(parse_textgrid("\"ooTextFile\" \"TextGrid\" 0 1 1 \"IntervalTier\" \"w\" 0 1 1 0 1 \"open").is_err());
    }
}
