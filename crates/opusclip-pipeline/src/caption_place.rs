//! `auto` captions placed per output: the faces a spec lists are carried through each
//! output's layout (the tracking crop, the panels of a split or grid, the picture fitted over its
//! blurred fill) into output pixels, and `opusclip_captions::place_block` picks the band clear
//! of them — the empty band under a fitted picture, a seam between panels, below an audiogram's
//! waveform, or the usual place.

use opusclip_captions::placement::caption_rows;
use opusclip_captions::{block_height, place_block, CaptionPage, CaptionPlacement, CaptionScene, Rect};
use opusclip_core::{
    BoxF, CaptionPosition, CaptionStyle, ClipSpec, CropKeyframe, FaceBox, FaceFrame, Layout, OutputSpec,
};
use opusclip_reframe::crop_at;

/// A spec keeps no two face samples closer than this many seconds.
pub const FACE_SAMPLE_SECONDS: f64 = 0.5;

/// Where an `auto` block's bottom sits when nothing is in the way, as a share of the height
/// (the ASS writer's usual place).
const USUAL_BOTTOM: f64 = opusclip_captions::ass::TEXT_BOTTOM_FRACTION;

/// The faces of `frames` seen in `[start, end]`, at most one sample per
/// [`FACE_SAMPLE_SECONDS`], boxes rounded to a tenth of a pixel: what a spec keeps.
pub fn spec_faces(frames: &[FaceFrame], start: f64, end: f64) -> Vec<FaceFrame> {
    let mut kept: Vec<FaceFrame> = Vec::new();
    for frame in frames.iter().filter(|frame| frame.t >= start && frame.t <= end && !frame.faces.is_empty()) {
        if kept.last().is_some_and(|last| frame.t - last.t < FACE_SAMPLE_SECONDS) {
            continue;
        }
        let tenth = |value: f64| (value * 10.0).round() / 10.0;
        let faces = frame
            .faces
            .iter()
            .map(|face| FaceBox {
                bbox: BoxF {
                    x: tenth(face.bbox.x),
                    y: tenth(face.bbox.y),
                    w: tenth(face.bbox.w),
                    h: tenth(face.bbox.h),
                },
                score: tenth(face.score),
            })
            .collect();
        kept.push(FaceFrame { t: (frame.t * 100.0).round() / 100.0, faces });
    }
    kept
}

/// The caption style for one output: `auto` resolved to a height percentage clear of the
/// faces (with where and why), any other position as the spec says.
pub fn placed_style(
    spec: &ClipSpec,
    output: &OutputSpec,
    pages: &[CaptionPage],
) -> (CaptionStyle, Option<CaptionPlacement>) {
    let mut style = spec.caption_style.clone();
    if style.position != CaptionPosition::Auto {
        return (style, None);
    }
    let frame = (output.width, output.height);
    let block = block_height(pages, &style, frame);
    let placement = place_block(&caption_scene(spec, output, block), block);
    style.position = placement.position;
    (style, Some(placement))
}

/// Where a closing card `card_height` pixels tall goes on `output`, its top in pixels: clear of
/// the faces seen over the card's last `shown` seconds (all the clip's when none are), of the
/// caption block's rows `caption_rows` (top, bottom) and of whatever the captions keep off (a
/// watermark, a screen's band), inside the platform rows, and as near its home as that allows:
/// just under the captions (the two read together), or at
/// [`opusclip_captions::ass::OUTRO_HEIGHT_SHARE`] of the height without captions.
pub fn outro_top(
    spec: &ClipSpec,
    output: &OutputSpec,
    card_height: f64,
    shown: f64,
    caption_rows: Option<(f64, f64)>,
) -> (f64, CaptionPlacement) {
    let mut scene = caption_scene(spec, output, card_height);
    let since = spec.end - shown;
    let times = spec.faces.iter().filter(|frame| frame.t >= spec.start && frame.t <= spec.end).map(|frame| frame.t);
    let late: Vec<Vec<Rect>> =
        times.zip(&scene.faces).filter(|(t, _)| *t >= since).map(|(_, faces)| faces.clone()).collect();
    if !late.is_empty() {
        scene.faces = late;
    }
    let (width, height) = (f64::from(output.width), f64::from(output.height));
    scene.home = opusclip_captions::ass::OUTRO_HEIGHT_SHARE * height + card_height / 2.0;
    if let Some((top, bottom)) = caption_rows {
        scene.blocked.push(Rect { x0: 0.0, y0: top, x1: width, y1: bottom });
        scene.home = bottom + OUTRO_GAP * height + card_height / 2.0;
    }
    let placement = place_block(&scene, card_height);
    let bottom = match placement.position {
        CaptionPosition::Percent(percent) => f64::from(percent) / 100.0 * height,
        _ => scene.home + card_height / 2.0,
    };
    ((bottom - card_height).max(0.0), placement)
}

/// The space between the caption block and the closing card under it, as a share of the height.
const OUTRO_GAP: f64 = 0.01;

/// The rows (top, bottom) in pixels that a caption block `block_height` tall takes on a frame
/// `height` pixels tall at `position` (as the ASS writer places it).
pub fn caption_block_rows(position: CaptionPosition, block_height: f64, height: u32) -> (f64, f64) {
    let (alignment, margin) = opusclip_captions::ass::placement(position, height);
    let (height, margin) = (f64::from(height), f64::from(margin));
    match alignment {
        8 => (margin, margin + block_height),
        5 => ((height - block_height) / 2.0, (height + block_height) / 2.0),
        _ => (height - margin - block_height, height - margin),
    }
}

/// What `output` shows of the spec's faces, the rows its layout asks captions not to
/// straddle, and where the block sits when nothing is in the way.
pub fn caption_scene(spec: &ClipSpec, output: &OutputSpec, block_height: f64) -> CaptionScene {
    let (width, height) = (f64::from(output.width), f64::from(output.height));
    let usual_home = USUAL_BOTTOM * height - block_height / 2.0;
    let at = |frame: &FaceFrame| frame.t - spec.start;
    match &output.layout {
        Layout::Track => CaptionScene {
            frame: (output.width, output.height),
            faces: seen(spec, |frame| {
                through_crop(&output.crop_keyframes, at(frame), &frame.faces, (0.0, 0.0, width, height))
            }),
            edges: Vec::new(),
            blocked: blocked(spec, output),
            home: usual_home,
        },
        Layout::Split { .. } | Layout::Grid { .. } | Layout::Screen { .. } => {
            let panels = output.panels();
            // Centred on the seam between speakers' panels nearest the usual place (on the
            // split's middle), where a caption covers the least of any of them; a screen's
            // captions start from the usual place, in the face panel, move off the face, and
            // never cover the screen (its band is blocked like a watermark).
            let seams = panels.iter().map(|panel| f64::from(panel.y)).filter(|&row| row > 0.0);
            let mut blocked = blocked(spec, output);
            let home = match output.layout {
                Layout::Screen { .. } => {
                    if let [screen, _face] = panels[..] {
                        let bottom = f64::from(screen.y + screen.height);
                        blocked.push(Rect { x0: 0.0, y0: 0.0, x1: f64::from(screen.width), y1: bottom });
                    }
                    usual_home
                }
                _ => {
                    seams.min_by(|a, b| (a - usual_home).abs().total_cmp(&(b - usual_home).abs())).unwrap_or(usual_home)
                }
            };
            CaptionScene {
                frame: (output.width, output.height),
                faces: seen(spec, |frame| {
                    panels
                        .iter()
                        .flat_map(|panel| {
                            let area = (
                                f64::from(panel.x),
                                f64::from(panel.y),
                                f64::from(panel.width),
                                f64::from(panel.height),
                            );
                            through_crop(panel.crop_keyframes, at(frame), &frame.faces, area)
                        })
                        .collect()
                }),
                edges: Vec::new(),
                blocked,
                home,
            }
        }
        Layout::BlurFit => {
            let picture = crop_at(&output.crop_keyframes, 0.0).map(|window| fitted(&window, (width, height)));
            let (top, bottom) = picture.map_or((0.0, height), |(_, top, bottom)| (top, bottom));
            let band_floor = caption_rows((output.width, output.height)).1;
            let band_fits = band_floor - bottom >= block_height;
            let home = if band_fits { (bottom + band_floor) / 2.0 } else { usual_home };
            // Where the band under the picture is too short (a 16:9 picture in a square), the
            // picture counts as blocked: the block sits as low as the margins let it, over the
            // picture's lower edge, rather than over the middle of a slide's text.
            let mut blocked = blocked(spec, output);
            if !band_fits && picture.is_some() && bottom - top < height - 1.0 {
                blocked.push(Rect { x0: 0.0, y0: top, x1: width, y1: bottom });
            }
            CaptionScene {
                frame: (output.width, output.height),
                faces: seen(spec, |frame| {
                    let Some(window) = crop_at(&output.crop_keyframes, at(frame)) else { return Vec::new() };
                    let (scale, top, _) = fitted(&window, (width, height));
                    let left = (width - window.w * scale) / 2.0;
                    frame.faces.iter().map(|face| mapped(&face.bbox, &window, (scale, scale), (left, top))).collect()
                }),
                edges: [top, bottom].into_iter().filter(|&row| row > 1.0 && row < height - 1.0).collect(),
                blocked,
                home,
            }
        }
        Layout::Audiogram => {
            let (top, bottom) = opusclip_media::render::audiogram::wave_rows(output.height);
            CaptionScene {
                frame: (output.width, output.height),
                faces: Vec::new(),
                edges: vec![f64::from(top), f64::from(bottom)],
                blocked: blocked(spec, output),
                home: usual_home,
            }
        }
    }
}

/// The watermark's box on `output`, when the spec has one.
fn blocked(spec: &ClipSpec, output: &OutputSpec) -> Vec<Rect> {
    spec.watermark
        .iter()
        .map(|watermark| {
            let (x, y, w, h) = watermark.area(output.width, output.height);
            Rect { x0: x, y0: y, x1: x + w, y1: y + h }
        })
        .collect()
}

/// One list of output-pixel face boxes per face sample inside the clip.
fn seen(spec: &ClipSpec, through: impl Fn(&FaceFrame) -> Vec<Rect>) -> Vec<Vec<Rect>> {
    spec.faces.iter().filter(|frame| frame.t >= spec.start && frame.t <= spec.end).map(through).collect()
}

/// The faces inside the crop window at clip time `t`, scaled into `area` of the output (left,
/// top, width, height); faces outside the window are dropped.
fn through_crop(keyframes: &[CropKeyframe], t: f64, faces: &[FaceBox], area: (f64, f64, f64, f64)) -> Vec<Rect> {
    let Some(window) = crop_at(keyframes, t).filter(|window| window.w > 0.0 && window.h > 0.0) else {
        return Vec::new();
    };
    let (left, top, width, height) = area;
    let scale = (width / window.w, height / window.h);
    faces
        .iter()
        .map(|face| mapped(&face.bbox, &window, scale, (left, top)))
        .filter_map(|rect| clipped(rect, area))
        .collect()
}

/// A source box in output pixels: relative to the window, scaled, moved by `offset`.
fn mapped(bbox: &BoxF, window: &CropKeyframe, scale: (f64, f64), offset: (f64, f64)) -> Rect {
    Rect {
        x0: (bbox.x - window.x) * scale.0 + offset.0,
        y0: (bbox.y - window.y) * scale.1 + offset.1,
        x1: (bbox.x + bbox.w - window.x) * scale.0 + offset.0,
        y1: (bbox.y + bbox.h - window.y) * scale.1 + offset.1,
    }
}

/// The part of `rect` inside `area` (left, top, width, height); `None` when nothing is.
fn clipped(rect: Rect, (left, top, width, height): (f64, f64, f64, f64)) -> Option<Rect> {
    let inside = Rect {
        x0: rect.x0.max(left),
        y0: rect.y0.max(top),
        x1: rect.x1.min(left + width),
        y1: rect.y1.min(top + height),
    };
    (inside.x1 > inside.x0 && inside.y1 > inside.y0).then_some(inside)
}

/// A window fitted whole inside the output, centred: its scale and its top and bottom rows.
fn fitted(window: &CropKeyframe, (width, height): (f64, f64)) -> (f64, f64, f64) {
    if window.w <= 0.0 || window.h <= 0.0 {
        return (1.0, 0.0, height);
    }
    let scale = (width / window.w).min(height / window.h);
    let picture_height = window.h * scale;
    let top = (height - picture_height) / 2.0;
    (scale, top, top + picture_height)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{Aspect, SourceRef, SCHEMA_VERSION};

    fn face_at(t: f64, x: f64, y: f64, size: f64) -> FaceFrame {
        FaceFrame { t, faces: vec![FaceBox { bbox: BoxF { x, y, w: size, h: size }, score: 5.0 }] }
    }

    fn window(x: f64, y: f64, w: f64, h: f64) -> CropKeyframe {
        CropKeyframe { t: 0.0, x, y, w, h }
    }

    fn spec(layout: Layout, crop: CropKeyframe, faces: Vec<FaceFrame>) -> (ClipSpec, OutputSpec) {
        let output =
            OutputSpec { aspect: Aspect::Vertical, width: 1080, height: 1920, layout, crop_keyframes: vec![crop] };
        let spec = ClipSpec {
            schema_version: SCHEMA_VERSION,
            id: "clip-01".into(),
            source: SourceRef {
                path: "x".into(),
                hash: "h".into(),
                display_width: 1920,
                display_height: 1080,
                fps: 25.0,
                has_audio: true,
            },
            start: 10.0,
            end: 20.0,
            words: Vec::new(),
            outputs: vec![output.clone()],
            caption_style: CaptionStyle::default(),
            title: String::new(),
            faces,
            loudness: None,
            keywords: Vec::new(),
            watermark: None,
            kept_ranges: Vec::new(),
        };
        (spec, output)
    }

    #[test]
    fn a_spec_keeps_two_face_samples_a_second_inside_the_clip() {
        let frames: Vec<FaceFrame> = (0..100).map(|i| face_at(i as f64 * 0.2, 100.123456, 50.0, 80.0)).collect();
        let kept = spec_faces(&frames, 4.0, 8.0);
        let times: Vec<f64> = kept.iter().map(|frame| frame.t).collect();
        // Five samples a second come in; every third is kept (0.6 s apart).
        assert_eq!(times.len(), 7, "{times:?}");
        assert!(times.windows(2).all(|pair| pair[1] - pair[0] >= FACE_SAMPLE_SECONDS), "{times:?}");
        assert!(times.iter().all(|t| (4.0..=8.0).contains(t)));
        assert_eq!(kept[0].faces[0].bbox.x, 100.1);
    }

    #[test]
    fn a_tracked_face_is_seen_through_the_crop() {
        // A 607x1080 window at x 600 scaled to 1080x1920 (x1.78); the face at (700, 400) source.
        let (spec, output) =
            spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), vec![face_at(12.0, 700.0, 400.0, 200.0)]);
        let scene = caption_scene(&spec, &output, 200.0);
        let face = scene.faces[0][0];
        assert!((face.x0 - 100.0 * 1080.0 / 607.5).abs() < 1e-6, "{face:?}");
        assert!((face.y0 - 400.0 * 1920.0 / 1080.0).abs() < 1e-6, "{face:?}");
        assert!((scene.home - (0.7 * 1920.0 - 100.0)).abs() < 1e-9);
    }

    #[test]
    fn a_face_outside_the_clip_or_the_window_is_not_in_the_way() {
        let faces = vec![face_at(5.0, 700.0, 400.0, 200.0), face_at(12.0, 100.0, 400.0, 200.0)];
        let (spec, output) = spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), faces);
        let scene = caption_scene(&spec, &output, 200.0);
        assert_eq!(scene.faces, vec![Vec::<Rect>::new()], "the sample before the clip is skipped");
    }

    #[test]
    fn a_split_puts_its_home_on_the_seam_and_maps_both_halves() {
        let lower = vec![window(1000.0, 200.0, 800.0, 711.0)];
        let (spec, output) = spec(
            Layout::Split { lower_crop_keyframes: lower },
            window(100.0, 200.0, 800.0, 711.0),
            vec![FaceFrame {
                t: 12.0,
                faces: vec![
                    FaceBox { bbox: BoxF { x: 400.0, y: 400.0, w: 150.0, h: 150.0 }, score: 5.0 },
                    FaceBox { bbox: BoxF { x: 1300.0, y: 400.0, w: 150.0, h: 150.0 }, score: 5.0 },
                ],
            }],
        );
        let scene = caption_scene(&spec, &output, 200.0);
        assert_eq!(scene.home, 960.0);
        let faces = &scene.faces[0];
        assert_eq!(faces.len(), 2, "{faces:?}");
        assert!(faces[0].y1 <= 960.0 && faces[1].y0 >= 960.0, "{faces:?}");
        let (style, placement) = placed_style(&spec, &output, &[]);
        assert_eq!(placement.unwrap().face_cover, 0.0);
        assert_ne!(style.position, CaptionPosition::Auto);
    }

    #[test]
    fn a_fitted_picture_sends_auto_captions_into_the_band_below_it() {
        let (spec, output) = spec(Layout::BlurFit, window(0.0, 0.0, 1920.0, 1080.0), Vec::new());
        let scene = caption_scene(&spec, &output, 200.0);
        assert_eq!(scene.edges, vec![656.25, 1263.75]);
        let (style, _) = placed_style(&spec, &output, &[]);
        let CaptionPosition::Percent(bottom) = style.position else { panic!("{:?}", style.position) };
        let block = block_height(&[], &style, (1080, 1920));
        assert!(f64::from(bottom) / 100.0 * 1920.0 - block >= 1263.75, "bottom at {bottom} %");
        assert!(bottom <= 80);
    }

    #[test]
    fn in_a_square_too_short_a_band_keeps_captions_mostly_off_the_picture() {
        let (spec, mut output) = spec(Layout::BlurFit, window(0.0, 0.0, 1920.0, 1080.0), Vec::new());
        (output.aspect, output.width, output.height) = (Aspect::Square, 1080, 1080);
        // The picture spans rows 236–844; inside the 8 % margins (86–994) a 200-px block fits in
        // neither band, so the picture is blocked and the block covers as little of it as it can
        // (56 px over its top edge, against 72 px over its bottom one at the lowest 90 %).
        let scene = caption_scene(&spec, &output, 200.0);
        assert_eq!(scene.blocked, vec![Rect { x0: 0.0, y0: 236.25, x1: 1080.0, y1: 843.75 }]);
        let CaptionPosition::Percent(bottom) = place_block(&scene, 200.0).position else { panic!() };
        let rows = (f64::from(bottom) / 100.0 * 1080.0 - 200.0, f64::from(bottom) / 100.0 * 1080.0);
        let over_picture = rows.1.min(843.75) - rows.0.max(236.25);
        assert!(over_picture <= 60.0, "the block covers {over_picture} px of the picture (bottom {bottom} %)");
        // A band that fits leaves the picture unblocked.
        let tall = caption_scene(&spec, &spec.outputs[0], 200.0);
        assert!(tall.blocked.is_empty());
    }

    #[test]
    fn a_watermark_is_a_box_the_captions_keep_off() {
        let (mut spec, output) = spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), Vec::new());
        spec.watermark = Some(opusclip_core::Watermark {
            image: "logo.png".into(),
            corner: opusclip_core::Corner::TopRight,
            width: 0.2,
            opacity: 1.0,
        });
        let scene = caption_scene(&spec, &output, 200.0);
        assert_eq!(scene.blocked, vec![Rect { x0: 756.0, y0: 384.0, x1: 972.0, y1: 600.0 }]);
    }

    #[test]
    fn an_outro_card_keeps_off_the_last_faces_and_the_captions() {
        // Seen through a 607x1080 window scaled x1.78: early a high face, over the card's last
        // 2.5 s a low one (output rows 1280-1600) where the card usually goes (72 % = 1382).
        let faces = vec![face_at(12.0, 700.0, 100.0, 180.0), face_at(19.0, 700.0, 720.0, 180.0)];
        let (late, output) = spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), faces);
        let captions = (1144.0, 1344.0);
        let (top, placement) = outro_top(&late, &output, 100.0, 2.5, Some(captions));
        let rows = (top, top + 100.0);
        assert!(rows.1 <= captions.0 || rows.0 >= captions.1, "over the captions: {rows:?}");
        assert!(rows.1 <= 1280.0 || rows.0 >= 1600.0, "over the late face: {rows:?}");
        assert!(rows.0 >= 384.0, "inside the platform rows: {rows:?}");
        assert_eq!(placement.face_cover, 0.0);
        // With nothing in the way it sits at its usual place.
        let (quiet, output) = spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), Vec::new());
        let (top, _) = outro_top(&quiet, &output, 100.0, 2.5, None);
        assert!((top - 0.72 * 1920.0).abs() < 10.0, "top {top}");
    }

    #[test]
    fn caption_rows_follow_the_ass_placement() {
        assert_eq!(caption_block_rows(CaptionPosition::Bottom, 100.0, 1920), (1244.0, 1344.0));
        assert_eq!(caption_block_rows(CaptionPosition::Percent(50), 100.0, 1920), (860.0, 960.0));
        assert_eq!(caption_block_rows(CaptionPosition::Top, 100.0, 1920), (230.0, 330.0));
        assert_eq!(caption_block_rows(CaptionPosition::Middle, 100.0, 1920), (910.0, 1010.0));
    }

    #[test]
    fn a_chosen_position_is_left_alone() {
        let (mut spec, output) = spec(Layout::Track, window(600.0, 0.0, 607.5, 1080.0), Vec::new());
        spec.caption_style.position = CaptionPosition::Top;
        let (style, placement) = placed_style(&spec, &output, &[]);
        assert_eq!((style.position, placement), (CaptionPosition::Top, None));
    }
}
