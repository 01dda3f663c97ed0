//! Crop-window geometry: the size of the window for an aspect ratio, the range its centre
//! may take so the window stays inside the frame, and where a face should sit in it.

use opusclip_core::{Aspect, BoxF, CropKeyframe};

/// The largest window of `aspect` that fits inside a `source` of display size (width,
/// height), in even pixels where the source allows it (never larger than the source).
///
/// ```
/// use opusclip_core::Aspect;
/// use opusclip_reframe::crop_size;
/// assert_eq!(crop_size((1920, 1080), Aspect::Vertical), (608, 1080));
/// assert_eq!(crop_size((1920, 1080), Aspect::Wide), (1920, 1080));
/// ```
pub fn crop_size(source: (u32, u32), aspect: Aspect) -> (u32, u32) {
    crop_size_for_ratio(source, aspect.size())
}

/// The largest window of aspect ratio `ratio` (width, height) that fits inside a `source` of
/// display size (width, height), in even pixels where the source allows it. A split layout's
/// halves use this with half the output's height.
///
/// ```
/// use opusclip_reframe::crop_size_for_ratio;
/// assert_eq!(crop_size_for_ratio((1920, 1080), (1080, 960)), (1216, 1080));
/// ```
pub fn crop_size_for_ratio(source: (u32, u32), ratio: (u32, u32)) -> (u32, u32) {
    let (source_width, source_height) = source;
    let (aspect_width, aspect_height) = ratio;
    if source_width == 0 || source_height == 0 || aspect_width == 0 || aspect_height == 0 {
        return (0, 0);
    }
    let source_is_wider =
        u64::from(source_width) * u64::from(aspect_height) >= u64::from(source_height) * u64::from(aspect_width);
    if source_is_wider {
        let width = f64::from(source_height) * f64::from(aspect_width) / f64::from(aspect_height);
        (even_at_most(width, source_width), source_height)
    } else {
        let height = f64::from(source_width) * f64::from(aspect_height) / f64::from(aspect_width);
        (source_width, even_at_most(height, source_height))
    }
}

/// The window of `aspect` centred in the frame, as a keyframe at `t = 0`.
///
/// ```
/// use opusclip_core::Aspect;
/// use opusclip_reframe::center_crop;
/// let window = center_crop((1920, 1080), Aspect::Vertical);
/// assert_eq!((window.x, window.y, window.w, window.h), (656.0, 0.0, 608.0, 1080.0));
/// ```
pub fn center_crop(source: (u32, u32), aspect: Aspect) -> CropKeyframe {
    let frame = Frame::new(source, aspect);
    frame.keyframe(0.0, frame.centre())
}

/// The source frame and the constant-size crop window moving inside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frame {
    pub source_width: f64,
    pub source_height: f64,
    pub crop_width: f64,
    pub crop_height: f64,
    /// Where a face's centre sits in the crop, from its top, as a fraction of its height.
    pub face_row: f64,
}

impl Frame {
    /// The frame of `source` cropped to `aspect`.
    pub fn new(source: (u32, u32), aspect: Aspect) -> Frame {
        Frame::for_ratio(source, aspect.size(), face_row_fraction(aspect))
    }

    /// The frame of `source` cropped for one panel of a split or grid output: a window of the
    /// panel's aspect ratio (`panel`: width, height in output pixels) with the face centred.
    pub fn panel(source: (u32, u32), panel: (u32, u32)) -> Frame {
        Frame::for_ratio(source, (panel.0.max(1), panel.1.max(1)), 0.5)
    }

    /// The same frame with a window no taller than `height` (and as much narrower), in even
    /// pixels; unchanged when the window is already that small.
    pub fn zoomed_to(self, height: f64) -> Frame {
        let height = (height / 2.0).floor() * 2.0;
        if !(height >= 2.0 && height < self.crop_height) {
            return self;
        }
        let width = ((self.crop_width * height / self.crop_height) / 2.0).floor().max(1.0) * 2.0;
        Frame { crop_width: width, crop_height: height, ..self }
    }

    /// The frame of `source` cropped to a window of aspect `ratio`, the face at `face_row`.
    pub fn for_ratio(source: (u32, u32), ratio: (u32, u32), face_row: f64) -> Frame {
        let (crop_width, crop_height) = crop_size_for_ratio(source, ratio);
        Frame {
            source_width: f64::from(source.0),
            source_height: f64::from(source.1),
            crop_width: f64::from(crop_width),
            crop_height: f64::from(crop_height),
            face_row,
        }
    }

    /// The range the window's horizontal centre may take (a single point when the window
    /// spans the frame's width).
    pub fn centre_range_x(&self) -> (f64, f64) {
        let low = self.crop_width / 2.0;
        (low, (self.source_width - low).max(low))
    }

    /// The range the window's vertical centre may take.
    pub fn centre_range_y(&self) -> (f64, f64) {
        let low = self.crop_height / 2.0;
        (low, (self.source_height - low).max(low))
    }

    /// The centre of the frame, which is also the centre of the centred crop window.
    pub fn centre(&self) -> (f64, f64) {
        (self.source_width / 2.0, self.source_height / 2.0)
    }

    /// Move a window centre so that the window stays inside the frame.
    pub fn clamp_centre(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            clamp_into(x, self.crop_width / 2.0, self.source_width - self.crop_width / 2.0),
            clamp_into(y, self.crop_height / 2.0, self.source_height - self.crop_height / 2.0),
        )
    }

    /// The window centre that frames `face`: its centre horizontally, at `face_row` of the
    /// crop height vertically, moved inside the frame.
    pub fn centre_on_face(&self, face: &BoxF) -> (f64, f64) {
        self.clamp_centre(self.aim_at_face(face))
    }

    /// The window centre that would frame `face` if the frame had no edges: its centre
    /// horizontally, at `face_row` of the crop height vertically.
    pub fn aim_at_face(&self, face: &BoxF) -> (f64, f64) {
        let (face_x, face_y) = face.center();
        (face_x, face_y + (0.5 - self.face_row) * self.crop_height)
    }

    /// The keyframe of a window centred at `centre`, its corner on even pixels and inside
    /// the frame.
    pub fn keyframe(&self, t: f64, centre: (f64, f64)) -> CropKeyframe {
        let (centre_x, centre_y) = self.clamp_centre(centre);
        CropKeyframe {
            t,
            x: even_corner(centre_x - self.crop_width / 2.0, self.source_width - self.crop_width),
            y: even_corner(centre_y - self.crop_height / 2.0, self.source_height - self.crop_height),
            w: self.crop_width,
            h: self.crop_height,
        }
    }
}

/// Vertical outputs put the face in the upper third (room for the body and the captions
/// below); the others centre it.
fn face_row_fraction(aspect: Aspect) -> f64 {
    match aspect {
        Aspect::Vertical | Aspect::Portrait => 1.0 / 3.0,
        Aspect::Square | Aspect::Wide => 0.5,
    }
}

/// `value` rounded to the nearest even integer, then limited to `1..=limit`.
fn even_at_most(value: f64, limit: u32) -> u32 {
    let even = (value / 2.0).round() as u32 * 2;
    even.clamp(1, limit)
}

/// A window corner rounded to an even pixel, inside `0..=max_corner`.
fn even_corner(corner: f64, max_corner: f64) -> f64 {
    clamp_into((corner / 2.0).round() * 2.0, 0.0, max_corner.max(0.0))
}

/// `value` limited to `low..=high` (`low` wins when the range is empty; NaN becomes `low`).
pub(crate) fn clamp_into(value: f64, low: f64, high: f64) -> f64 {
    let high = high.max(low);
    if value.is_nan() {
        low
    } else {
        value.max(low).min(high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(source: (u32, u32)) -> Vec<(u32, u32)> {
        Aspect::ALL.iter().map(|aspect| crop_size(source, *aspect)).collect()
    }

    #[test]
    fn crop_sizes_from_1080p() {
        // 9:16, 1:1, 4:5, 16:9
        assert_eq!(sizes((1920, 1080)), [(608, 1080), (1080, 1080), (864, 1080), (1920, 1080)]);
    }

    #[test]
    fn crop_sizes_from_720p() {
        assert_eq!(sizes((1280, 720)), [(406, 720), (720, 720), (576, 720), (1280, 720)]);
    }

    #[test]
    fn crop_sizes_from_pal_display_size() {
        // 704x576 with a 12:11 sample aspect ratio displays as 768x576.
        assert_eq!(sizes((768, 576)), [(324, 576), (576, 576), (460, 576), (768, 432)]);
        assert_eq!(sizes((704, 576)), [(324, 576), (576, 576), (460, 576), (704, 396)]);
    }

    #[test]
    fn crop_sizes_from_vertical_source() {
        assert_eq!(sizes((1080, 1920)), [(1080, 1920), (1080, 1080), (1080, 1350), (1080, 608)]);
    }

    #[test]
    fn split_halves_are_half_as_tall_and_panels_zoom_in() {
        let frame = Frame::panel((1920, 1080), (1080, 960));
        let zoomed = frame.zoomed_to(641.0);
        assert_eq!((zoomed.crop_width, zoomed.crop_height), (720.0, 640.0));
        assert_eq!(frame.zoomed_to(2000.0), frame);
        assert_eq!((frame.crop_width, frame.crop_height), (1216.0, 1080.0));
        assert_eq!(frame.centre_range_x(), (608.0, 1312.0));
        assert_eq!(frame.centre_range_y(), (540.0, 540.0));
        assert_eq!(crop_size_for_ratio((1920, 1080), (0, 5)), (0, 0));
    }

    #[test]
    fn crop_never_exceeds_tiny_or_odd_sources() {
        assert_eq!(crop_size((0, 1080), Aspect::Vertical), (0, 0));
        assert_eq!(crop_size((3, 3), Aspect::Wide), (3, 2));
        let (width, height) = crop_size((1921, 1081), Aspect::Wide);
        assert!(width <= 1921 && height <= 1081, "{width}x{height}");
    }

    #[test]
    fn centre_crop_is_centred_and_even() {
        let window = center_crop((1280, 720), Aspect::Vertical);
        assert_eq!((window.w, window.h), (406.0, 720.0));
        assert_eq!(window.x % 2.0, 0.0);
        assert!((window.x + window.w / 2.0 - 640.0).abs() <= 1.0);
        assert_eq!(
            center_crop((1920, 1080), Aspect::Wide),
            CropKeyframe { t: 0.0, x: 0.0, y: 0.0, w: 1920.0, h: 1080.0 }
        );
    }

    #[test]
    fn face_sits_in_upper_third_of_vertical_crop() {
        let frame = Frame::new((1080, 1920), Aspect::Portrait);
        let face = BoxF { x: 440.0, y: 860.0, w: 200.0, h: 200.0 };
        let window = frame.keyframe(0.0, frame.centre_on_face(&face));
        assert_eq!((window.w, window.h), (1080.0, 1350.0));
        let face_row = (960.0 - window.y) / window.h;
        assert!((face_row - 1.0 / 3.0).abs() < 0.01, "{face_row}");
    }

    #[test]
    fn windows_near_the_edge_stay_inside() {
        let frame = Frame::new((1920, 1080), Aspect::Vertical);
        let left = frame.keyframe(0.0, (-500.0, 10.0));
        assert_eq!((left.x, left.y), (0.0, 0.0));
        let right = frame.keyframe(0.0, (5000.0, 5000.0));
        assert_eq!((right.x, right.y), (1312.0, 0.0));
        let nan = frame.keyframe(0.0, (f64::NAN, f64::NAN));
        assert_eq!(nan.x, 0.0);
    }
}
