//! Tests of caption layout: safe areas, word selection and timing, line and page breaking,
//! and a seeded randomized check that lines never leave the safe area.

use super::*;
use crate::measure::ApproxMetrics;

/// Every character is half an em wide: makes widths easy to reason about.
struct HalfEm;

impl TextMeasure for HalfEm {
    fn advance_width(&self, text: &str, font_size_px: f64) -> f64 {
        text.chars().count() as f64 * 0.5 * font_size_px
    }
}

fn word(text: &str, start: f64, end: f64) -> Word {
    Word { text: text.into(), start, end, confidence: 1.0, speaker: None }
}

/// Words of `text`, each 0.3 s long, back to back from `start`.
fn spoken(text: &str, start: f64) -> Vec<Word> {
    text.split_whitespace()
        .enumerate()
        .map(|(i, t)| word(t, start + i as f64 * 0.3, start + i as f64 * 0.3 + 0.3))
        .collect()
}

fn texts(pages: &[CaptionPage]) -> Vec<String> {
    pages.iter().map(CaptionPage::text).collect()
}

const VERTICAL: (u32, u32) = (1080, 1920);

#[test]
fn safe_area_has_ten_and_twenty_percent_margins() {
    let vertical = SafeArea::for_frame(1080, 1920);
    assert_eq!((vertical.x0, vertical.x1, vertical.y0, vertical.y1), (108, 972, 384, 1536));
    assert_eq!(vertical.width(), 864);
    assert_eq!(vertical.height(), 1152);
    let square = SafeArea::for_frame(1080, 1080);
    assert_eq!((square.x0, square.x1, square.y0, square.y1), (108, 972, 216, 864));
    let portrait = SafeArea::for_frame(1080, 1350);
    assert_eq!((portrait.x0, portrait.x1, portrait.y0, portrait.y1), (108, 972, 270, 1080));
    let wide = SafeArea::for_frame(1920, 1080);
    assert_eq!((wide.x0, wide.x1, wide.y0, wide.y1), (192, 1728, 216, 864));
}

#[test]
fn font_size_follows_the_smaller_frame_dimension() {
    let style = CaptionStyle::default();
    assert_eq!(base_font_size_px(&style, (1080, 1920)), 72.0);
    assert_eq!(base_font_size_px(&style, (1920, 1080)), 72.0);
    assert_eq!(base_font_size_px(&style, (540, 960)), 36.0);
}

#[test]
fn only_words_overlapping_the_clip_are_taken_with_clip_relative_clamped_times() {
    let words = vec![
        word("before", 8.0, 9.0),
        word("straddles", 9.5, 10.4),
        word("inside", 11.0, 11.5),
        word("late", 14.8, 15.6),
        word("after", 15.0, 16.0),
        word("touching", 9.0, 10.0),
    ];
    let pages = plan_pages(&words, 10.0, 15.0, &CaptionStyle::default(), VERTICAL, &ApproxMetrics);
    let shown: Vec<(&str, f64, f64)> =
        pages.iter().flat_map(|page| page.words()).map(|w| (w.text.as_str(), w.start, w.end)).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert_eq!(shown[0].0, "straddles");
    assert_eq!((shown[0].1, (shown[0].2 * 1e9).round() / 1e9), (0.0, 0.4));
    assert_eq!(shown[1], ("inside", 1.0, 1.5));
    assert_eq!(shown[2].0, "late");
    assert!((shown[2].1 - 4.8).abs() < 1e-9 && shown[2].2 == 5.0);
    assert!(pages.iter().all(|page| page.end <= 5.0));
}

#[test]
fn empty_or_inverted_clips_have_no_pages() {
    let words = spoken("hello there", 0.0);
    let style = CaptionStyle::default();
    assert!(plan_pages(&words, 5.0, 5.0, &style, VERTICAL, &ApproxMetrics).is_empty());
    assert!(plan_pages(&words, 5.0, 1.0, &style, VERTICAL, &ApproxMetrics).is_empty());
    assert!(plan_pages(&[], 0.0, 10.0, &style, VERTICAL, &ApproxMetrics).is_empty());
    let blank = vec![word("  ", 0.0, 1.0), word("\n", 1.0, 2.0)];
    assert!(plan_pages(&blank, 0.0, 10.0, &style, VERTICAL, &ApproxMetrics).is_empty());
}

#[test]
fn long_pause_starts_a_new_page() {
    let mut words = spoken("one two", 0.0);
    words.extend(spoken("three four", 0.6 + PAUSE_BREAK_SECONDS + 0.1));
    let pages = plan_pages(&words, 0.0, 10.0, &CaptionStyle::default(), VERTICAL, &ApproxMetrics);
    assert_eq!(texts(&pages), vec!["one two", "three four"]);
}

#[test]
fn sentence_end_breaks_only_pages_with_several_words() {
    let words = spoken("Yes. We did that. Then more", 0.0);
    let pages = plan_pages(&words, 0.0, 10.0, &CaptionStyle::default(), VERTICAL, &ApproxMetrics);
    let pages_text = texts(&pages).join(" | ").replace('\n', " ");
    assert_eq!(pages_text, "Yes. We did that. | Then more");
}

#[test]
fn pages_hold_at_most_the_word_limit() {
    let words = spoken(&"a ".repeat(20), 0.0);
    let style = CaptionStyle { max_lines: 3, ..CaptionStyle::default() };
    let pages = plan_pages(&words, 0.0, 10.0, &style, VERTICAL, &ApproxMetrics);
    let counts: Vec<usize> = pages.iter().map(|p| p.words().count()).collect();
    assert_eq!(counts, vec![8, 8, 4]);
}

#[test]
fn lines_break_by_measured_width_and_respect_max_lines() {
    // HalfEm at 72 px: 36 px per character; the safe width is 864 px.
    let words = spoken("aaaaaa bbbbbb cccccc dddddd eeeeee", 0.0);
    let style = CaptionStyle { outline: 0, highlight_scale: 100, ..CaptionStyle::default() };
    // Two six-letter words + a space = 13 chars = 468 px; three = 20 chars = 720 px; four no.
    let pages = plan_pages(&words, 0.0, 10.0, &style, VERTICAL, &HalfEm);
    assert_eq!(texts(&pages), vec!["aaaaaa bbbbbb cccccc\ndddddd eeeeee"]);
    // The enlarged spoken word must fit too: at 170 % a six-letter word grows by 151 px, so
    // three words (720 + 151 px) no longer fit a line while two (468 + 151 px) do.
    let enlarged = CaptionStyle { highlight_scale: 170, ..style.clone() };
    let pages = plan_pages(&words, 0.0, 10.0, &enlarged, VERTICAL, &HalfEm);
    assert_eq!(texts(&pages), vec!["aaaaaa bbbbbb\ncccccc dddddd", "eeeeee"]);
    let one_line = CaptionStyle { max_lines: 1, ..style };
    let pages = plan_pages(&words, 0.0, 10.0, &one_line, VERTICAL, &HalfEm);
    assert_eq!(texts(&pages), vec!["aaaaaa bbbbbb cccccc", "dddddd eeeeee"]);
}

#[test]
fn lines_hold_at_most_42_characters_even_where_they_would_fit() {
    // A wide frame and a narrow font: 1536 px of safe width takes 85 characters at 18 px each.
    let words = spoken("alpha bravo charlie delta echo foxtrot golf hotel", 0.0);
    let style = CaptionStyle { font_size: 36, outline: 0, highlight_scale: 100, ..CaptionStyle::default() };
    let pages = plan_pages(&words, 0.0, 10.0, &style, (1920, 1080), &HalfEm);
    // 49 characters would fit the width on one line; the rule breaks it after 38.
    assert_eq!(texts(&pages), vec!["alpha bravo charlie delta echo foxtrot\ngolf hotel"]);
    let long = spoken("Pneumonoultramicroscopicsilicovolcanoconiosis is long", 0.0);
    let pages = plan_pages(&long, 0.0, 10.0, &style, (1920, 1080), &HalfEm);
    assert_eq!(
        texts(&pages),
        vec!["Pneumonoultramicroscopicsilicovolcanoconiosis\nis long"],
        "a longer word keeps its line"
    );
}

#[test]
fn a_word_wider_than_the_safe_area_gets_its_own_shrunk_page() {
    let long = "Pneumonoultramicroscopicsilicovolcanoconiosis";
    let words = spoken(&format!("the {long} case"), 0.0);
    let style = CaptionStyle::default();
    let pages = plan_pages(&words, 0.0, 10.0, &style, VERTICAL, &ApproxMetrics);
    assert_eq!(texts(&pages), vec!["the", long, "case"]);
    assert_eq!(pages[0].font_size_px, 72.0);
    let shrunk = &pages[1];
    assert!(shrunk.font_size_px < 72.0 && shrunk.font_size_px > 20.0);
    let width = ApproxMetrics.advance_width(long, shrunk.font_size_px);
    assert!(drawn_line_width(width, width, &style, VERTICAL) <= 864.0);
}

#[test]
fn uppercase_style_upper_cases_and_whitespace_is_cleaned() {
    let words = vec![word(" straße\n", 0.0, 0.5), word("ok", 0.5, 1.0)];
    let style = CaptionStyle { uppercase: true, ..CaptionStyle::default() };
    let pages = plan_pages(&words, 0.0, 5.0, &style, VERTICAL, &ApproxMetrics);
    assert_eq!(texts(&pages), vec!["STRASSE OK"]);
}

#[test]
fn pages_hold_briefly_then_give_way_to_the_next_page() {
    let mut words = spoken("first page here.", 0.0);
    words.extend(spoken("second page", 0.95));
    words.extend(spoken("third", 3.0));
    let pages = plan_pages(&words, 0.0, 3.2, &CaptionStyle::default(), VERTICAL, &ApproxMetrics);
    assert_eq!(pages.len(), 3);
    assert_eq!((pages[0].start, pages[0].end), (0.0, 0.95));
    assert!((pages[1].end - (1.55 + HOLD_SECONDS)).abs() < 1e-9);
    assert_eq!((pages[2].start, pages[2].end), (3.0, 3.2));
}

#[test]
fn ends_sentence_sees_through_closing_quotes() {
    assert!(ends_sentence("done."));
    assert!(ends_sentence("really?\""));
    assert!(ends_sentence("wow!)"));
    assert!(!ends_sentence("Mr"));
    assert!(!ends_sentence("so,"));
}

/// A tiny deterministic generator (xorshift64*), enough for randomized layout checks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, limit: u64) -> u64 {
        self.next() % limit
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn random_word_text(rng: &mut Rng) -> String {
    const LETTERS: &[u8] = b"aeimowAEIMWlj.,?!";
    let length = if rng.below(12) == 0 { 15 + rng.below(30) } else { 1 + rng.below(10) } as usize;
    (0..length).map(|_| LETTERS[rng.below(LETTERS.len() as u64) as usize] as char).collect()
}

fn random_words(rng: &mut Rng, count: usize) -> Vec<Word> {
    let mut t = rng.unit() * 2.0;
    (0..count)
        .map(|_| {
            let start = t;
            let end = start + 0.05 + rng.unit() * 0.6;
            t = end + if rng.below(6) == 0 { rng.unit() * 2.0 } else { rng.unit() * 0.1 };
            word(&random_word_text(rng), start, end)
        })
        .collect()
}

fn random_style(rng: &mut Rng) -> CaptionStyle {
    CaptionStyle {
        font_size: 40 + rng.below(90) as u32,
        outline: rng.below(9) as u32,
        highlight_scale: 100 + rng.below(60) as u32,
        max_lines: 1 + rng.below(3) as u32,
        uppercase: rng.below(2) == 0,
        ..CaptionStyle::default()
    }
}

#[test]
fn randomized_layouts_fit_keep_every_word_once_and_never_overlap() {
    let frames = [(1080, 1920), (1080, 1080), (1080, 1350), (1920, 1080), (720, 1280)];
    let mut rng = Rng(0x5EED_CAB1_0000_0001);
    let (mut multi_line_pages, mut shrunk_pages) = (0, 0);
    for _ in 0..300 {
        let word_count = 1 + rng.below(60) as usize;
        let words = random_words(&mut rng, word_count);
        let style = random_style(&mut rng);
        let frame = frames[rng.below(frames.len() as u64) as usize];
        let clip_start = rng.unit() * 5.0;
        let clip_end = clip_start + 1.0 + rng.unit() * 40.0;
        let pages = plan_pages(&words, clip_start, clip_end, &style, frame, &ApproxMetrics);
        check_layout(&words, clip_start, clip_end, &style, frame, &pages);
        let base = base_font_size_px(&style, frame);
        multi_line_pages += pages.iter().filter(|p| p.lines.len() > 1).count();
        shrunk_pages += pages.iter().filter(|p| p.font_size_px < base).count();
    }
    // The generator must exercise line breaking and shrinking, or the checks prove little.
    assert!(multi_line_pages > 50 && shrunk_pages > 5, "{multi_line_pages} {shrunk_pages}");
}

fn check_layout(
    words: &[Word],
    clip_start: f64,
    clip_end: f64,
    style: &CaptionStyle,
    frame: (u32, u32),
    pages: &[CaptionPage],
) {
    let safe_width = f64::from(SafeArea::for_frame(frame.0, frame.1).width());
    let duration = clip_end - clip_start;
    let expected: Vec<String> = words
        .iter()
        .filter(|w| w.start < clip_end && w.end > clip_start)
        .map(|w| if style.uppercase { w.text.to_uppercase() } else { w.text.clone() })
        .collect();
    let shown: Vec<String> = pages.iter().flat_map(|p| p.words()).map(|w| w.text.clone()).collect();
    assert_eq!(shown, expected, "every word once, in order");
    let mut previous_end = 0.0;
    for page in pages {
        assert!(!page.lines.is_empty() && page.lines.len() <= style.max_lines as usize);
        assert!(page.words().count() <= MAX_WORDS_PER_PAGE);
        assert!(page.start >= previous_end && page.start <= page.end && page.end <= duration);
        previous_end = page.end;
        for line in &page.lines {
            assert!(!line.is_empty());
            let plain = ApproxMetrics.advance_width(&line_text(line), page.font_size_px);
            let widest =
                line.iter().map(|w| ApproxMetrics.advance_width(&w.text, page.font_size_px)).fold(0.0, f64::max);
            let drawn = drawn_line_width(plain, widest, style, frame);
            assert!(drawn <= safe_width + 1e-6, "{:?} is {drawn} wide", line_text(line));
            for word in line {
                assert!(word.start >= page.start && word.end <= page.end && word.start <= word.end);
            }
        }
    }
}
