//! Tests of the ASS writer: colours, escaping, times, the header and style, and the
//! word-by-word events.

use super::*;
use crate::measure::ApproxMetrics;

fn caption_word(text: &str, start: f64, end: f64) -> CaptionWord {
    CaptionWord { text: text.into(), start, end }
}

/// Two pages: "Hello big / world" (with a pause before "world") and "again".
fn fixture_pages() -> Vec<CaptionPage> {
    vec![
        CaptionPage {
            start: 0.0,
            end: 1.6,
            lines: vec![
                vec![caption_word("Hello", 0.0, 0.4), caption_word("big", 0.4, 0.5)],
                vec![caption_word("world", 0.8, 1.2)],
            ],
            font_size_px: 72.0,
        },
        CaptionPage { start: 1.6, end: 2.5, lines: vec![vec![caption_word("again", 1.6, 2.0)]], font_size_px: 72.0 },
    ]
}

/// (start, end, text) of every Dialogue line.
fn dialogues(ass: &str) -> Vec<(String, String, String)> {
    ass.lines()
        .filter_map(|line| line.strip_prefix("Dialogue: "))
        .map(|rest| {
            let fields: Vec<&str> = rest.splitn(10, ',').collect();
            (fields[1].to_string(), fields[2].to_string(), fields[9].to_string())
        })
        .collect()
}

#[test]
fn colours_become_ass_bgr_with_alpha() {
    assert_eq!(ass_colour("FFD700").unwrap(), "&H0000D7FF&");
    assert_eq!(ass_colour("#00ff80").unwrap(), "&H0080FF00&");
    assert!(ass_colour("FFD70").is_err());
    assert!(ass_colour("GGGGGG").is_err());
    assert_eq!(style_colour("nonsense", "000000"), "&H00000000");
}

#[test]
fn braces_and_backslashes_are_escaped() {
    assert_eq!(escape_ass_text("a{b}c"), "a\\{b\\}c");
    assert_eq!(escape_ass_text("C:\\New"), "C:\\\u{200B}New");
    assert_eq!(escape_ass_text("two\nlines"), "two lines");
    assert_eq!(escape_ass_text("plain"), "plain");
}

#[test]
fn times_are_centiseconds_rounded_once() {
    assert_eq!(format_ass_time(0), "0:00:00.00");
    assert_eq!(format_ass_time(to_centiseconds(3723.45)), "1:02:03.45");
    assert_eq!(to_centiseconds(2.344), 234);
    assert_eq!(to_centiseconds(2.346), 235);
    assert_eq!(to_centiseconds(-1.0), 0);
    assert_eq!(to_centiseconds(f64::NAN), 0);
}

#[test]
fn header_sets_play_resolution_wrapping_and_style() {
    let ass = write_ass(&fixture_pages(), &CaptionStyle::default(), &[], (1080, 1920));
    for expected in [
        "PlayResX: 1080\n",
        "PlayResY: 1920\n",
        "WrapStyle: 2\n",
        "ScaledBorderAndShadow: yes\n",
        "Style: Default,DejaVu Sans,72,&H00FFFFFF,&H0000D7FF,&H00000000,&H80000000,\
         -1,0,0,0,100,100,0,0,1,5,0,2,108,108,576,1\n",
    ] {
        assert!(ass.contains(expected), "missing {expected:?} in\n{ass}");
    }
}

#[test]
fn caption_block_bottom_sits_inside_the_safe_area() {
    assert_eq!(bottom_margin(1920), 576);
    let style = CaptionStyle { max_lines: 3, ..CaptionStyle::default() };
    for (width, height) in [(1080, 1920), (1080, 1080), (1080, 1350), (1920, 1080)] {
        let safe = SafeArea::for_frame(width, height);
        let bottom = height - bottom_margin(height);
        let block_height = f64::from(style.max_lines) * base_font_size_px(&style, (width, height)) * 1.3;
        assert!(bottom < safe.y1, "{height}: bottom {bottom}");
        assert!(f64::from(bottom) - block_height > f64::from(safe.y0), "{height}");
    }
}

#[test]
fn one_event_per_word_highlighting_only_that_word() {
    let ass = write_ass(&fixture_pages(), &CaptionStyle::default(), &[], (1080, 1920));
    let events = dialogues(&ass);
    assert_eq!(events.len(), 4);
    let on = "{\\c&H0000D7FF&\\fscx115\\fscy115}";
    assert_eq!(events[0].2, format!("{on}Hello{{\\r}} big\\Nworld"));
    assert_eq!(events[1].2, format!("Hello {on}big{{\\r}}\\Nworld"));
    assert_eq!(events[2].2, format!("Hello big\\N{on}world{{\\r}}"));
    assert_eq!(events[3].2, format!("{on}again{{\\r}}"));
}

#[test]
fn events_are_contiguous_and_cover_each_page() {
    let ass = write_ass(&fixture_pages(), &CaptionStyle::default(), &[], (1080, 1920));
    let times: Vec<(String, String)> = dialogues(&ass).into_iter().map(|(s, e, _)| (s, e)).collect();
    let expected = [
        ("0:00:00.00", "0:00:00.40"),
        // "big" stays highlighted through the pause until "world" starts.
        ("0:00:00.40", "0:00:00.80"),
        ("0:00:00.80", "0:00:01.60"),
        ("0:00:01.60", "0:00:02.50"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(s, e)| (s.to_string(), e.to_string())).collect();
    assert_eq!(times, expected);
}

#[test]
fn overlapping_pages_never_produce_overlapping_events() {
    let mut pages = fixture_pages();
    pages[1].start = 1.2;
    pages[1].lines[0][0].start = 1.2;
    let ass = write_ass(&pages, &CaptionStyle::default(), &[], (1080, 1920));
    let events = dialogues(&ass);
    assert_eq!(events[2].1, "0:00:01.60");
    assert_eq!(events[3].0, "0:00:01.60");
}

#[test]
fn shrunk_pages_carry_their_font_size_through_resets() {
    let mut pages = fixture_pages();
    pages[1].font_size_px = 40.5;
    let ass = write_ass(&pages, &CaptionStyle::default(), &[], (1080, 1920));
    let last = dialogues(&ass).pop().unwrap().2;
    assert_eq!(last, "{\\fs40.5}{\\c&H0000D7FF&\\fscx115\\fscy115}again{\\r\\fs40.5}");
}

#[test]
fn transcript_text_is_escaped_in_events() {
    let pages = vec![CaptionPage {
        start: 0.0,
        end: 1.0,
        lines: vec![vec![caption_word("{x}", 0.0, 0.5), caption_word("a\\b", 0.5, 1.0)]],
        font_size_px: 72.0,
    }];
    let ass = write_ass(&pages, &CaptionStyle::default(), &[], (1080, 1920));
    let events = dialogues(&ass);
    assert!(events[0].2.starts_with("{\\c&H0000D7FF&\\fscx115\\fscy115}\\{x\\}{\\r}"));
    assert!(events[0].2.ends_with(" a\\\u{200B}b"));
}

/// Alignment and MarginV of the style line of an ASS file.
fn style_placement(ass: &str) -> (String, u32) {
    let line = ass.lines().find(|line| line.starts_with("Style: ")).expect("a style line");
    let fields: Vec<&str> = line.trim_start_matches("Style: ").split(',').collect();
    (fields[18].to_string(), fields[21].parse().expect("MarginV is a number"))
}

#[test]
fn caption_position_moves_the_block() {
    let frame = (1080, 1920);
    let ass_at = |position: &str| {
        let style = CaptionStyle { position: CaptionPosition::parse(position).unwrap(), ..CaptionStyle::default() };
        style_placement(&write_ass(&[], &style, &[], frame))
    };
    assert_eq!(ass_at("auto"), ("2".to_string(), 576), "bottom of the block at 70 % of 1920");
    assert_eq!(ass_at("bottom"), ass_at("auto"));
    assert_eq!(ass_at("top"), ("8".to_string(), 230), "below the platforms' top row (12 %)");
    assert_eq!(ass_at("middle").0, "5");
    assert_eq!(ass_at("40%"), ("2".to_string(), 1152), "bottom at 40 % of the height");
}

#[test]
fn a_title_card_sits_at_the_top_for_the_whole_clip() {
    let style = CaptionStyle { text_color: "FFEE00".into(), ..CaptionStyle::default() };
    let event = title_event("  Why {podcasts} win ", &style, (1080, 1920), 31.5, &ApproxMetrics);
    assert_eq!(
        event,
        "Dialogue: 1,0:00:00.00,0:00:31.50,Default,,0,0,384,,{\\an8\\fs64.8\\c&H0000EEFF&}Why \\{podcasts\\} win\n"
    );
    let square = title_event("T", &style, (1080, 1080), 5.0, &ApproxMetrics);
    assert!(square.contains(",0,0,86,,"), "{square}");
}

#[test]
fn a_long_title_is_broken_into_at_most_three_fitting_lines() {
    // Ten units per character: "aaaa bbbb" is 90 wide.
    let width_of = |text: &str| text.chars().count() as f64 * 10.0;
    assert_eq!(title_lines("aaaa bbbb cccc dddd", 100.0, width_of), vec!["aaaa bbbb", "cccc dddd"]);
    assert_eq!(title_lines("averyveryverylongword x", 100.0, width_of), vec!["averyveryverylongword", "x"]);
    let long = title_lines("aa bb cc dd ee ff gg hh ii jj kk", 50.0, width_of);
    assert_eq!(long, vec!["aa bb", "cc dd", "ee ff…"]);
    assert!(title_lines("   ", 50.0, width_of).is_empty());
    let event = title_event(
        "Hello, this is my new commentary for this video",
        &CaptionStyle::default(),
        (1080, 1920),
        7.0,
        &ApproxMetrics,
    );
    assert!(event.ends_with("}Hello, this is my new\\Ncommentary for this\\Nvideo\n"), "{event}");
}

#[test]
fn an_outro_card_shows_where_it_is_placed_over_the_last_seconds() {
    let style = CaptionStyle { highlight_color: "FF3366".into(), ..CaptionStyle::default() };
    let card = OutroCard::new("Follow {us}", &style, (1080, 1920), &ApproxMetrics);
    let event = card.event(&style, (1080, 1920), 30.0, 1381.6);
    assert!(
        event.starts_with("Dialogue: 2,0:00:27.50,0:00:30.00,Default,,0,0,0,,{\\an8\\pos(540,1382)\\fs"),
        "{event}"
    );
    assert!(event.contains("\\c&H006633FF&\\fad(200,0)}Follow \\{us\\}\n"), "{event}");
    // One line of ink: about one font size plus the outline above and below.
    let size = base_font_size_px(&style, (1080, 1920));
    assert!(card.height > size && card.height < 1.5 * size, "{} for a {size} px font", card.height);
    // A short clip keeps the card to its last third.
    let short = OutroCard::new("Bye", &style, (1080, 1080), &ApproxMetrics).event(&style, (1080, 1080), 3.0, 800.0);
    assert!(short.starts_with("Dialogue: 2,0:00:02.00,0:00:03.00,"), "{short}");
    // A card too long for one line takes two, and is taller by a line advance.
    let long = "Follow the studio for more talks";
    let two = OutroCard::new(long, &style, (1080, 1920), &ApproxMetrics);
    assert!(two.event(&style, (1080, 1920), 30.0, 0.0).contains("\\N"), "{two:?}");
    assert!((two.height - card.height - size * crate::placement::LINE_HEIGHT_EM).abs() < 1.0, "{two:?}");
}
