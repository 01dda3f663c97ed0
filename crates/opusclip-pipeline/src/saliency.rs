//! Where the eye goes when no face is found: a motion/edge saliency centre per detail frame.
//! Pixels that changed since the previous detail frame are salient; with too little motion,
//! strong edges are. Each frame is kept as column and row profiles of salient pixels, so the
//! centre can be found later inside the active picture (borders excluded). A compact salient
//! mass gives a head-sized box at its top (a body's head) for the camera to follow; a mass
//! spread across the frame (slides, a wide shot) gives none, so the layout falls back to
//! blur-fit.

use opusclip_analyze::GrayView;
use opusclip_core::BoxF;

/// A pixel whose luma changed by more than this since the previous detail frame moved.
const MOTION_THRESHOLD: u8 = 20;
/// With at least this share of pixels moving, motion decides; below it, edges do.
const MIN_MOTION_SHARE: f64 = 0.003;
/// A pixel whose horizontal plus vertical luma step exceeds this is an edge.
const EDGE_THRESHOLD: u16 = 60;
/// Fewer salient pixels than this share of the area: nothing salient.
const MIN_SALIENT_SHARE: f64 = 0.002;
/// A mass whose middle 80 % (columns) spans more than this share of the width is not one
/// subject.
pub const MAX_SPREAD: f64 = 0.45;
/// The followed box's side, as a share of the mass's width, within the bounds below (shares
/// of the picture's height).
const HEAD_SHARE_OF_SPREAD: f64 = 0.5;
const MIN_HEAD_SIDE: f64 = 0.08;
const MAX_HEAD_SIDE: f64 = 0.25;
/// The mass's top is the row above which this share of its pixels lie.
const TOP_PERCENTILE: f64 = 0.05;

/// How a frame's saliency was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaliencyCue {
    Motion,
    Edges,
}

/// Salient pixels per column and per row of one detail frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SaliencyProfile {
    pub cue: SaliencyCue,
    pub columns: Vec<u32>,
    pub rows: Vec<u32>,
}

/// A rectangle of the detail picture, pixels: `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    /// The whole of a `width` × `height` picture.
    pub fn whole(width: u32, height: u32) -> Self {
        PixelRect { x0: 0, y0: 0, x1: width, y1: height }
    }
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

/// The saliency profile of `current`: moving pixels against `previous` (same size) when
/// enough move, else edge pixels.
pub fn saliency_profile(previous: Option<GrayView>, current: GrayView) -> SaliencyProfile {
    let (width, height) = (current.width as usize, current.height as usize);
    let mut columns = vec![0u32; width];
    let mut rows = vec![0u32; height];
    if width == 0 || height == 0 || current.data.len() < width * height {
        return SaliencyProfile { cue: SaliencyCue::Edges, columns, rows };
    }
    let same_size = previous.filter(|p| p.width == current.width && p.height == current.height);
    if let Some(previous) = same_size.filter(|p| p.data.len() >= width * height) {
        let mut moving = 0usize;
        let lines = current.data.chunks_exact(width).zip(previous.data.chunks_exact(width)).take(height);
        for (y, (line, before)) in lines.enumerate() {
            for (x, (now, then)) in line.iter().zip(before).enumerate() {
                if now.abs_diff(*then) > MOTION_THRESHOLD {
                    columns[x] += 1;
                    rows[y] += 1;
                    moving += 1;
                }
            }
        }
        if moving as f64 >= MIN_MOTION_SHARE * (width * height) as f64 {
            return SaliencyProfile { cue: SaliencyCue::Motion, columns, rows };
        }
        columns.fill(0);
        rows.fill(0);
    }
    let lines: Vec<&[u8]> = current.data.chunks_exact(width).take(height).collect();
    for (y, pair) in lines.windows(2).enumerate() {
        let (line, below) = (pair[0], pair[1]);
        for (x, ((here, right), down)) in line.iter().zip(&line[1..]).zip(below).enumerate() {
            let step = u16::from(here.abs_diff(*right)) + u16::from(here.abs_diff(*down));
            if step > EDGE_THRESHOLD {
                columns[x] += 1;
                rows[y] += 1;
            }
        }
    }
    SaliencyProfile { cue: SaliencyCue::Edges, columns, rows }
}

/// The box the camera should follow for this frame, within `area` of the detail picture,
/// scaled to display pixels by `display_per_detail`: a head-sized square centred on the
/// mass's mean column (its outer 10 % on each side left out), its top at the mass's top (5th
/// percentile row). `None` when too
/// little is salient or the mass is spread wider than [`MAX_SPREAD`] of the area.
pub fn salient_box(profile: &SaliencyProfile, area: PixelRect, display_per_detail: f64) -> Option<BoxF> {
    let columns = profile.columns.get(area.x0 as usize..area.x1 as usize)?;
    let rows = profile.rows.get(area.y0 as usize..area.y1 as usize)?;
    let total: u64 = columns.iter().map(|&c| u64::from(c)).sum();
    let area_pixels = f64::from(area.width()) * f64::from(area.height());
    if area_pixels <= 0.0 || (total as f64) < MIN_SALIENT_SHARE * area_pixels {
        return None;
    }
    let (left, right) = (percentile(columns, 0.1)?, percentile(columns, 0.9)?);
    let spread = (right - left + 1) as f64;
    if spread > MAX_SPREAD * f64::from(area.width()) {
        return None;
    }
    let middle = trimmed_mean(columns, left, right);
    let top = percentile(rows, TOP_PERCENTILE)?;
    let height = f64::from(area.height());
    let side = (HEAD_SHARE_OF_SPREAD * spread).clamp(MIN_HEAD_SIDE * height, MAX_HEAD_SIDE * height);
    let x = f64::from(area.x0) + middle + 0.5 - side / 2.0;
    let y = f64::from(area.y0) + top as f64;
    Some(BoxF {
        x: x * display_per_detail,
        y: y * display_per_detail,
        w: side * display_per_detail,
        h: side * display_per_detail,
    })
}

/// The mean index of `counts[first..=last]`, weighted by the counts.
fn trimmed_mean(counts: &[u32], first: usize, last: usize) -> f64 {
    let (mut weighted, mut total) = (0.0, 0.0);
    for (index, &count) in counts.iter().enumerate().take(last + 1).skip(first) {
        weighted += index as f64 * f64::from(count);
        total += f64::from(count);
    }
    if total > 0.0 {
        weighted / total
    } else {
        (first + last) as f64 / 2.0
    }
}

/// The index at which the running sum of `counts` reaches `fraction` of the total.
fn percentile(counts: &[u32], fraction: f64) -> Option<usize> {
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        return None;
    }
    let goal = (fraction * total as f64).max(1.0);
    let mut running = 0u64;
    counts.iter().position(|&count| {
        running += u64::from(count);
        running as f64 >= goal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTH: u32 = 200;
    const HEIGHT: u32 = 100;

    /// A flat gray picture with a bright rectangle.
    fn picture(rect: PixelRect) -> Vec<u8> {
        let mut data = vec![90u8; (WIDTH * HEIGHT) as usize];
        for y in rect.y0..rect.y1 {
            for x in rect.x0..rect.x1 {
                data[(y * WIDTH + x) as usize] = 220;
            }
        }
        data
    }

    fn view(data: &[u8]) -> GrayView<'_> {
        GrayView { width: WIDTH, height: HEIGHT, data }
    }

    fn rect(x0: u32, y0: u32, x1: u32, y1: u32) -> PixelRect {
        PixelRect { x0, y0, x1, y1 }
    }

    #[test]
    fn a_moving_body_is_followed_at_its_top() {
        let (before, after) = (picture(rect(40, 20, 60, 100)), picture(rect(46, 20, 66, 100)));
        let profile = saliency_profile(Some(view(&before)), view(&after));
        assert_eq!(profile.cue, SaliencyCue::Motion);
        let found = salient_box(&profile, PixelRect::whole(WIDTH, HEIGHT), 2.0).expect("a salient body");
        let (centre_x, _) = found.center();
        // The changed columns are 40..46 and 60..66: their middle is the body's middle, 53.
        assert!((centre_x / 2.0 - 53.0).abs() <= 2.0, "{found:?}");
        assert!((found.y / 2.0 - 20.0).abs() <= 5.0, "top of the body: {found:?}");
    }

    #[test]
    fn a_still_picture_uses_edges() {
        let data = picture(rect(140, 30, 170, 80));
        let profile = saliency_profile(Some(view(&data)), view(&data));
        assert_eq!(profile.cue, SaliencyCue::Edges);
        let found = salient_box(&profile, PixelRect::whole(WIDTH, HEIGHT), 1.0).expect("edges of the box");
        assert!((found.center().0 - 155.0).abs() <= 3.0, "{found:?}");
    }

    #[test]
    fn a_spread_or_empty_picture_has_no_centre() {
        let flat = vec![90u8; (WIDTH * HEIGHT) as usize];
        assert!(salient_box(&saliency_profile(None, view(&flat)), PixelRect::whole(WIDTH, HEIGHT), 1.0).is_none());
        let wide = picture(rect(10, 30, 190, 70));
        let mut shifted = wide.clone();
        shifted.rotate_right(3);
        let profile = saliency_profile(Some(view(&wide)), view(&shifted));
        assert!(salient_box(&profile, PixelRect::whole(WIDTH, HEIGHT), 1.0).is_none(), "spread across the width");
    }

    #[test]
    fn empty_pictures_have_no_saliency() {
        let empty = GrayView { width: 0, height: 0, data: &[] };
        let profile = saliency_profile(Some(empty), empty);
        assert!(salient_box(&profile, PixelRect::whole(0, 0), 1.0).is_none());
    }

    #[test]
    fn only_the_active_area_counts() {
        // Edges at a pillarbox's border (x = 20 and 180) must not pull the centre.
        let mut data = picture(rect(90, 40, 110, 60));
        for y in 0..HEIGHT {
            for x in (0..20).chain(180..WIDTH) {
                data[(y * WIDTH + x) as usize] = 0;
            }
        }
        let profile = saliency_profile(None, view(&data));
        assert!(salient_box(&profile, PixelRect::whole(WIDTH, HEIGHT), 1.0).is_none(), "borders spread it");
        let inside = salient_box(&profile, rect(22, 0, 178, HEIGHT), 1.0).expect("the box inside");
        assert!((inside.center().0 - 100.0).abs() <= 3.0, "{inside:?}");
    }
}
