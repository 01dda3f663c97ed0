//! Where an `auto` caption block goes on one output: off the faces in the picture (below the
//! chin or above the head), off the edges of a fitted picture, inside the rows the platforms
//! leave free ([`caption_rows`]), and as near its layout's home as that allows. One place per
//! output for the whole clip, so the captions never jump.

use crate::layout::{base_font_size_px, highlight_factor, outline_px, CaptionPage, SafeArea};
use opusclip_core::{CaptionPosition, CaptionStyle};

/// A rectangle in output pixels (`x0 < x1`, `y0 < y1`, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
}

/// What an output shows that the captions must keep clear of.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionScene {
    /// Output size in pixels.
    pub frame: (u32, u32),
    /// Face detector boxes (brows to chin) in output pixels, one list per sampled moment.
    pub faces: Vec<Vec<Rect>>,
    /// Rows the block should not straddle: the top and bottom edges of a fitted picture.
    pub edges: Vec<f64>,
    /// Boxes the block must keep off (a watermark), in output pixels.
    pub blocked: Vec<Rect>,
    /// Where the block's centre sits when nothing is in the way (pixels from the top).
    pub home: f64,
}

/// Where the block went and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionPlacement {
    /// The block's bottom as a percentage of the height (what the ASS writer places).
    pub position: CaptionPosition,
    /// Share of the sampled moments at which the block covers a face's eyes, nose or mouth.
    pub face_cover: f64,
    /// In words, for the manifest and logs.
    pub reason: String,
}

/// Lines of text are this many font sizes apart (DejaVu Sans: ascent plus descent 1.16 em);
/// the ink of one line, ascenders to descenders, is about one font size.
pub const LINE_HEIGHT_EM: f64 = 1.17;

/// A detector's box of the same face moves by up to about a tenth of its height between
/// frames and picture sizes (measured on GRID close-ups: 8 %): this much of the box height
/// above and below it counts as face too.
const BOX_JITTER: f64 = 0.12;
/// Above a detector box, hair and forehead reach this many box heights; below it the chin
/// and neck this many. Covering them costs [`EDGE_OF_FACE_WEIGHT`] per box height covered.
const HEAD_ABOVE_BOX: f64 = 0.5;
const CHIN_BELOW_BOX: f64 = 0.2;
const EDGE_OF_FACE_WEIGHT: f64 = 0.3;
/// How much more a row of the face costs at the chin than at the brows.
const MOUTH_EXTRA: f64 = 1.0;
/// A face box is widened by this share of its width on each side (ears, cheeks).
const FACE_SIDE_PAD: f64 = 0.1;
/// Cost of covering a blocked box (a watermark) over the block's whole height.
const BLOCKED_PENALTY: f64 = 2.0;
/// Cost of straddling a picture edge, and of each frame height moved away from home.
const EDGE_PENALTY: f64 = 0.3;
const DISTANCE_PENALTY: f64 = 0.15;

/// The rows (top, bottom) a caption block may use on `frame`: inside
/// [`opusclip_core::platform_margins`] (20 % clear at the top and bottom of a full-screen
/// vertical frame, 8 % of any other).
pub fn caption_rows(frame: (u32, u32)) -> (f64, f64) {
    let height = f64::from(frame.1);
    let (_, margin) = opusclip_core::platform_margins(frame.0, frame.1);
    ((height * margin).round(), (height * (1.0 - margin)).round())
}

/// Height in pixels of the ink of the tallest page's block on `frame`: a line advance per
/// line after the first, one line of ink at the enlarged spoken-word size, and the outline
/// above and below. A clip with no page is given one line.
pub fn block_height(pages: &[CaptionPage], style: &CaptionStyle, frame: (u32, u32)) -> f64 {
    let block = |lines: usize, font_size_px: f64| {
        font_size_px * ((lines.max(1) - 1) as f64 * LINE_HEIGHT_EM + highlight_factor(style))
    };
    let tallest = pages.iter().map(|page| block(page.lines.len(), page.font_size_px)).fold(0.0, f64::max);
    let tallest = if tallest > 0.0 { tallest } else { block(1, base_font_size_px(style, frame)) };
    tallest + 2.0 * outline_px(style, frame)
}

/// The place for a block `block_height` pixels tall: of the whole-percent bottoms that keep
/// it inside the safe zone, the one whose block covers the least face (eyes, nose and mouth
/// count fully, hair and chin a little), straddles no picture edge, and lies nearest home.
pub fn place_block(scene: &CaptionScene, block_height: f64) -> CaptionPlacement {
    let (width, height) = (f64::from(scene.frame.0), f64::from(scene.frame.1));
    let safe = SafeArea::for_frame(scene.frame.0, scene.frame.1);
    let columns = (f64::from(safe.x0), f64::from(safe.x1));
    let (first_row, last_row) = caption_rows(scene.frame);
    let home_bottom = (scene.home + block_height / 2.0).clamp(0.0, height);
    let home_percent = ((home_bottom / height * 100.0).round() as u8).clamp(10, 90);
    let lowest = ((last_row / height * 100.0).floor() as u8).min(90);
    let highest = (((first_row + block_height) / height * 100.0).ceil() as u8).max(10);
    let fallback = CaptionPlacement {
        position: CaptionPosition::Percent(home_percent),
        face_cover: cover_share(scene, columns, (home_bottom - block_height, home_bottom)),
        reason: "the caption block is too tall to move; it stays at its usual place".into(),
    };
    if width <= 0.0 || height <= 0.0 || highest > lowest {
        return fallback;
    }
    let cost = |percent: u8| {
        let bottom = f64::from(percent) / 100.0 * height;
        let rows = (bottom - block_height, bottom);
        let faces = face_cost(scene, columns, rows);
        let straddles = scene.edges.iter().filter(|&&edge| edge > rows.0 && edge < rows.1).count() as f64;
        let blocked: f64 = scene
            .blocked
            .iter()
            .filter(|area| overlap((area.x0, area.x1), columns) > 0.0)
            .map(|area| overlap((area.y0, area.y1), rows) / block_height)
            .sum();
        let centre = bottom - block_height / 2.0;
        faces
            + EDGE_PENALTY * straddles
            + BLOCKED_PENALTY * blocked
            + DISTANCE_PENALTY * (centre - scene.home).abs() / height
    };
    let best = (highest..=lowest).min_by(|&a, &b| cost(a).total_cmp(&cost(b))).unwrap_or(home_percent);
    let bottom = f64::from(best) / 100.0 * height;
    let rows = (bottom - block_height, bottom);
    let face_cover = cover_share(scene, columns, rows);
    CaptionPlacement { position: CaptionPosition::Percent(best), face_cover, reason: reason(scene, rows, face_cover) }
}

/// Mean over the sampled moments of how much face the block rows cover within `columns`.
fn face_cost(scene: &CaptionScene, columns: (f64, f64), rows: (f64, f64)) -> f64 {
    if scene.faces.is_empty() {
        return 0.0;
    }
    let total: f64 = scene.faces.iter().flatten().map(|face| one_face_cost(face, columns, rows)).sum();
    total / scene.faces.len() as f64
}

/// Box heights of face covered, weighted: the box (widened by [`BOX_JITTER`]) fully, more
/// towards the mouth ([`MOUTH_EXTRA`]), hair above and chin below at [`EDGE_OF_FACE_WEIGHT`];
/// times the share of the face's width the block spans.
fn one_face_cost(face: &Rect, columns: (f64, f64), rows: (f64, f64)) -> f64 {
    let box_height = face.height();
    if box_height <= 0.0 || face.width() <= 0.0 {
        return 0.0;
    }
    let across = side_share(face, columns);
    if across <= 0.0 {
        return 0.0;
    }
    let covered = |from: f64, to: f64| overlap((from, to), rows) / box_height;
    let (top, bottom) = (face.y0 - BOX_JITTER * box_height, face.y1 + BOX_JITTER * box_height);
    let head = covered(face.y0 - HEAD_ABOVE_BOX * box_height, top);
    // Down the face the cost rises from 1 at the brows to 1 + MOUTH_EXTRA at the chin: where no
    // row is clear, a block covers the brows rather than the mouth that speaks.
    let (from, to) = (rows.0.max(top), rows.1.min(bottom));
    let features = if to > from {
        let middle = ((from + to) / 2.0 - top) / (bottom - top);
        (to - from) / box_height * (1.0 + MOUTH_EXTRA * middle)
    } else {
        0.0
    };
    let chin = covered(bottom, face.y1 + CHIN_BELOW_BOX * box_height);
    across * (features + EDGE_OF_FACE_WEIGHT * (head + chin))
}

/// The share of the (padded) face width that `columns` span.
fn side_share(face: &Rect, columns: (f64, f64)) -> f64 {
    let pad = FACE_SIDE_PAD * face.width();
    let span = (face.x0 - pad, face.x1 + pad);
    overlap(span, columns) / (span.1 - span.0)
}

/// Length of the overlap of two intervals.
fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0.0)
}

/// Share of the sampled moments at which the block rows cross some face's box (the box as
/// detected, without the jitter margin the placement keeps).
fn cover_share(scene: &CaptionScene, columns: (f64, f64), rows: (f64, f64)) -> f64 {
    if scene.faces.is_empty() {
        return 0.0;
    }
    let covered = scene
        .faces
        .iter()
        .filter(|faces| {
            faces.iter().any(|face| side_share(face, columns) > 0.0 && overlap((face.y0, face.y1), rows) > 0.0)
        })
        .count();
    covered as f64 / scene.faces.len() as f64
}

/// Says where the block is relative to the faces.
fn reason(scene: &CaptionScene, rows: (f64, f64), face_cover: f64) -> String {
    let faces: Vec<&Rect> = scene.faces.iter().flatten().collect();
    if faces.is_empty() {
        return "no face in the picture: the usual place".into();
    }
    if face_cover > 0.0 {
        return format!(
            "over a face in {:.0} % of the clip: no band is clear of the faces (a close-up); \
             set caption_position to choose",
            face_cover * 100.0
        );
    }
    let mut tops: Vec<f64> = faces.iter().map(|face| face.y0).collect();
    tops.sort_by(f64::total_cmp);
    if rows.1 <= tops[tops.len() / 2] {
        "above the faces".into()
    } else {
        "below the faces".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: (u32, u32) = (1080, 1920);

    fn scene(faces: Vec<Rect>, home: f64) -> CaptionScene {
        CaptionScene { frame: FRAME, faces: vec![faces; 10], edges: Vec::new(), blocked: Vec::new(), home }
    }

    fn face(y0: f64, y1: f64) -> Rect {
        Rect { x0: 300.0, y0, x1: 780.0, y1 }
    }

    fn bottom(placement: &CaptionPlacement) -> f64 {
        match placement.position {
            CaptionPosition::Percent(percent) => f64::from(percent) / 100.0 * 1920.0,
            other => panic!("{other:?}"),
        }
    }

    const BLOCK: f64 = 200.0;
    const HOME: f64 = 0.70 * 1920.0 - BLOCK / 2.0;

    #[test]
    fn with_nothing_in_the_way_the_block_stays_home() {
        let placed = place_block(&scene(Vec::new(), HOME), BLOCK);
        assert_eq!(placed.position, CaptionPosition::Percent(70));
        assert_eq!(placed.face_cover, 0.0);
        let high_face = place_block(&scene(vec![face(300.0, 700.0)], HOME), BLOCK);
        assert_eq!(high_face.position, CaptionPosition::Percent(70), "{high_face:?}");
        assert_eq!(high_face.reason, "below the faces");
    }

    #[test]
    fn a_mouth_at_the_usual_place_sends_the_block_below_the_chin() {
        // A face from 800 to 1150: the usual block (1144–1344) would cross its mouth.
        let placed = place_block(&scene(vec![face(800.0, 1150.0)], HOME), BLOCK);
        let top = bottom(&placed) - BLOCK;
        assert!(top >= 1150.0, "block top {top} is above the chin");
        assert!(bottom(&placed) <= 1536.0, "inside the safe zone");
        assert_eq!(placed.face_cover, 0.0);
        assert_eq!(placed.reason, "below the faces");
    }

    #[test]
    fn where_no_row_is_clear_the_block_covers_the_brows_not_the_mouth() {
        // A face filling rows 674-1656 and a watermark over rows 420-580: no row is clear for a
        // 200-px block, which goes just under the watermark, over the brows, rather than at its
        // usual place over the mouth.
        let mut filled = scene(vec![Rect { x0: 42.0, y0: 674.0, x1: 1024.0, y1: 1656.0 }], HOME);
        filled.blocked.push(Rect { x0: 0.0, y0: 420.0, x1: 1080.0, y1: 580.0 });
        let placed = place_block(&filled, BLOCK);
        let rows = (bottom(&placed) - BLOCK, bottom(&placed));
        assert!(rows.0 >= 580.0 - 1.0 && rows.1 <= 800.0, "{rows:?}");
    }

    #[test]
    fn a_close_up_with_no_room_below_puts_the_block_above_the_eyes() {
        // Brows at 900, chin at 1500: below the chin is past the safe zone; the block goes
        // up over the hair rather than over the eyes or mouth.
        let placed = place_block(&scene(vec![face(900.0, 1500.0)], HOME), BLOCK);
        assert!(bottom(&placed) <= 900.0, "the block ends at {} over the eyes", bottom(&placed));
        assert_eq!(placed.face_cover, 0.0);
        assert_eq!(placed.reason, "above the faces");
    }

    #[test]
    fn when_every_place_covers_a_face_the_manifest_is_told() {
        let placed = place_block(&scene(vec![face(200.0, 1700.0)], HOME), BLOCK);
        assert_eq!(placed.face_cover, 1.0);
        assert!(placed.reason.contains("over a face in 100 %"), "{}", placed.reason);
    }

    #[test]
    fn a_fitted_picture_keeps_the_block_in_its_empty_band() {
        // A 16:9 picture fitted in 9:16: rows 656–1263; home is the band below it.
        let mut fitted = scene(vec![face(750.0, 1000.0)], (1263.0 + 1536.0) / 2.0);
        fitted.edges = vec![656.0, 1263.0];
        let placed = place_block(&fitted, BLOCK);
        assert!(bottom(&placed) - BLOCK >= 1263.0, "{placed:?}");
        // From the 70 % home it still moves off the edge.
        fitted.home = HOME;
        let from_usual = place_block(&fitted, BLOCK);
        let rows = (bottom(&from_usual) - BLOCK, bottom(&from_usual));
        assert!(!(rows.0 < 1263.0 && rows.1 > 1263.0), "straddles the picture's edge: {rows:?}");
    }

    #[test]
    fn a_watermark_keeps_the_block_off_it() {
        // Above-the-eyes is the only clear band, and a logo sits there: the block goes under it.
        let mut close_up = scene(vec![face(900.0, 1500.0)], HOME);
        close_up.blocked = vec![Rect { x0: 756.0, y0: 384.0, x1: 972.0, y1: 600.0 }];
        let placed = place_block(&close_up, BLOCK);
        let rows = (bottom(&placed) - BLOCK, bottom(&placed));
        assert!(rows.0 >= 600.0, "{rows:?} crosses the logo");
        assert_eq!(placed.face_cover, 0.0, "{placed:?}");
    }

    #[test]
    fn a_face_beside_the_caption_columns_is_not_in_the_way() {
        let aside = Rect { x0: 0.0, y0: 1100.0, x1: 100.0, y1: 1400.0 };
        let placed = place_block(&scene(vec![aside], HOME), BLOCK);
        assert_eq!(placed.position, CaptionPosition::Percent(70));
    }

    #[test]
    fn a_block_too_tall_for_the_safe_zone_stays_home() {
        let placed = place_block(&scene(vec![face(800.0, 1150.0)], HOME), 1400.0);
        assert!(placed.reason.contains("too tall"), "{}", placed.reason);
    }

    #[test]
    fn only_a_full_screen_vertical_frame_keeps_a_fifth_clear() {
        assert_eq!(caption_rows((1080, 1920)), (384.0, 1536.0));
        assert_eq!(caption_rows((1080, 1080)), (86.0, 994.0));
        assert_eq!(caption_rows((1080, 1350)), (108.0, 1242.0));
        // A square close-up: the block fits above the brows only because the feed margin is thin.
        let square = CaptionScene {
            frame: (1080, 1080),
            faces: vec![vec![face(380.0, 930.0)]],
            edges: vec![],
            blocked: vec![],
            home: 656.0,
        };
        let placed = place_block(&square, BLOCK);
        assert_eq!(placed.face_cover, 0.0, "{placed:?}");
    }

    #[test]
    fn block_height_counts_lines_outline_and_the_enlarged_word() {
        let style = CaptionStyle::default();
        let page =
            |lines: usize| CaptionPage { start: 0.0, end: 1.0, lines: vec![Vec::new(); lines], font_size_px: 72.0 };
        let one = block_height(&[page(1)], &style, FRAME);
        let two = block_height(&[page(1), page(2)], &style, FRAME);
        assert!((one - (72.0 * 1.15 + 10.0)).abs() < 1e-9, "{one}");
        assert!((two - one - 72.0 * LINE_HEIGHT_EM).abs() < 1e-9);
        assert_eq!(block_height(&[], &style, FRAME), one);
    }
}
