//! Cleaning of subtitle cue text: the formatting that SRT and WebVTT files carry (`<i>`, `<b>`,
//! `<font color=...>`, WebVTT `<c.class>`, `<v Speaker>` and `<00:00:01.000>` karaoke timestamps,
//! `{\an8}`-style ASS override blocks, HTML entities) is removed so only the spoken text is left.

/// Returns the cue text without markup: tags and override blocks removed, entities decoded,
/// whitespace inside each line collapsed, empty lines dropped, lines joined with `\n`.
pub(crate) fn clean_cue_text(raw: &str) -> String {
    let without_tags = strip_tags(raw);
    let without_overrides = strip_ass_overrides(&without_tags);
    let decoded = decode_entities(&without_overrides);
    decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes `<...>` tags. A `<` starts a tag only when followed by a letter, `/` or digit and
/// closed by `>` on the same line; any other `<` (as in "a < b") is kept as text.
fn strip_tags(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        cleaned.push_str(&rest[..open]);
        let after_open = &rest[open + 1..];
        match tag_length(after_open) {
            Some(length) => rest = &after_open[length + 1..],
            None => {
                cleaned.push('<');
                rest = after_open;
            }
        }
    }
    cleaned.push_str(rest);
    cleaned
}

/// The length of a tag body up to (not including) its closing `>`, if `after_open` starts a tag.
/// The scan stops at the first `<`, `>` or line break, so cleaning a cue stays linear in its
/// length however many unclosed `<` it holds.
fn tag_length(after_open: &str) -> Option<usize> {
    let first = after_open.chars().next()?;
    if !(first.is_ascii_alphanumeric() || first == '/') {
        return None;
    }
    let end = after_open.find(['<', '>', '\n'])?;
    (after_open.as_bytes()[end] == b'>').then_some(end)
}

/// Removes ASS/SSA override blocks such as `{\an8}` or `{\i1}` that some SRT files carry.
fn strip_ass_overrides(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{\\") {
        cleaned.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                cleaned.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    cleaned.push_str(rest);
    cleaned
}

/// Decodes the entities WebVTT defines (and that SRT exporters sometimes write).
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    const ENTITIES: [(&str, &str); 8] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", " "),
        ("&lrm;", ""),
        ("&rlm;", ""),
        ("&quot;", "\""),
        ("&apos;", "'"),
        ("&amp;", "&"),
    ];
    ENTITIES.iter().fold(text.to_string(), |decoded, (entity, replacement)| decoded.replace(entity, replacement))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_like_tags_are_removed() {
        assert_eq!(clean_cue_text("<i>Hello</i> <b>big</b> <font color=\"#ff0000\">world</font>"), "Hello big world");
    }

    #[test]
    fn webvtt_classes_voices_and_timestamps_are_removed() {
        assert_eq!(clean_cue_text("<v Roger>We <00:00:01.500><c.yellow>are</c> <u>here</u></v>"), "We are here");
    }

    #[test]
    fn ass_overrides_are_removed() {
        assert_eq!(clean_cue_text("{\\an8}Top line {\\i1}now{\\i0}"), "Top line now");
    }

    #[test]
    fn a_lone_less_than_sign_is_text() {
        assert_eq!(clean_cue_text("3 < 4 and 5 > 2"), "3 < 4 and 5 > 2");
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(clean_cue_text("Tom &amp; Jerry &amp;lt;"), "Tom & Jerry &lt;");
    }

    #[test]
    fn unclosed_tags_are_text_and_cleaned_in_linear_time() {
        let hostile = "<a".repeat(200_000);
        let started = std::time::Instant::now();
        let cleaned = clean_cue_text(&hostile);
        assert_eq!(cleaned, hostile);
        // Quadratic rescanning took seconds here for 100 000 tags; linear takes milliseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
        assert_eq!(clean_cue_text("<b>x</b> <a <i>y</i> > z"), "x <a y > z");
    }

    #[test]
    fn lines_are_trimmed_and_empty_lines_dropped() {
        assert_eq!(clean_cue_text("  one   two \n<i></i>\n three "), "one two\nthree");
    }
}
