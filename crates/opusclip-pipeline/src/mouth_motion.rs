//! Mouth-region motion energy of each detected face between two consecutive detail frames:
//! the mean absolute luma difference, per pixel, of the lower third of the face box (its
//! middle 70 % across), compared with the same region of the same face in the previous frame
//! after the best shift of up to [`SEARCH_RADIUS`] pixels — so a face that moves or a box that
//! jitters does not look like a talking mouth, while a mouth that opens and closes does.

use opusclip_analyze::GrayView;
use opusclip_core::{BoxF, FaceBox};

/// Pixels (of the detail picture) the previous region may be shifted to match the current one.
pub const SEARCH_RADIUS: i32 = 3;

/// Share of the face box's height, from the bottom, that is the mouth region.
const MOUTH_HEIGHT: f64 = 1.0 / 3.0;

/// Share of the face box's width, centred, that is the mouth region.
const MOUTH_WIDTH: f64 = 0.7;

/// Smallest mouth region compared, in detail pixels per side.
const MIN_REGION_SIDE: usize = 4;

/// A detail picture with its faces, boxes in display pixels.
#[derive(Debug, Clone, Copy)]
pub struct FacePicture<'a> {
    pub picture: GrayView<'a>,
    pub faces: &'a [FaceBox],
}

/// The mouth motion of every face of `current` (parallel to `current.faces`), per pixel of the
/// mouth region, 0..255. `scale` converts display pixels to detail pixels (detail width over
/// display width). A face gets `NaN` (not measured) without a previous picture or when its
/// region is too small. Its region is compared with the same-sized region moved by the
/// displacement of the previous picture's matching face (the nearest centre within one face
/// width), or with the same place when none matches.
pub fn mouth_motion(previous: Option<FacePicture>, current: FacePicture, scale: f64) -> Vec<f64> {
    current
        .faces
        .iter()
        .map(|face| {
            let Some(previous) = previous else { return f64::NAN };
            let before = matching_face(&face.bbox, previous.faces).unwrap_or(face.bbox);
            let Some(mouth) = mouth_region(&face.bbox, scale) else { return f64::NAN };
            // The same region moved with the face (detector boxes jitter in size; faces do not
            // grow in a fifth of a second).
            let (now_x, now_y) = face.bbox.center();
            let (before_x, before_y) = before.center();
            let moved =
                Region { x: mouth.x + (before_x - now_x) * scale, y: mouth.y + (before_y - now_y) * scale, ..mouth };
            region_difference(previous.picture, moved, current.picture, mouth)
        })
        .collect()
}

/// The face of `candidates` whose centre is nearest `face`'s, within one face width, with a
/// size within a factor of 1.5.
fn matching_face(face: &BoxF, candidates: &[FaceBox]) -> Option<BoxF> {
    let (x, y) = face.center();
    candidates
        .iter()
        .map(|candidate| candidate.bbox)
        .filter(|candidate| {
            let ratio = candidate.w / face.w.max(f64::EPSILON);
            (1.0 / 1.5..=1.5).contains(&ratio)
        })
        .map(|candidate| {
            let (cx, cy) = candidate.center();
            ((cx - x).hypot(cy - y), candidate)
        })
        .filter(|(distance, _)| *distance <= face.w)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The mouth region of a face in detail pixels: left, top, width, height (unclipped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The lower third of `face` (middle 70 % across), in detail pixels; `None` when it is smaller
/// than [`MIN_REGION_SIDE`] or not finite.
pub fn mouth_region(face: &BoxF, scale: f64) -> Option<Region> {
    let region = Region {
        x: (face.x + face.w * (1.0 - MOUTH_WIDTH) / 2.0) * scale,
        y: (face.y + face.h * (1.0 - MOUTH_HEIGHT)) * scale,
        w: face.w * MOUTH_WIDTH * scale,
        h: face.h * MOUTH_HEIGHT * scale,
    };
    let finite = [region.x, region.y, region.w, region.h].iter().all(|v| v.is_finite());
    let side = MIN_REGION_SIDE as f64;
    (finite && region.w >= side && region.h >= side).then_some(region)
}

/// Mean absolute difference per pixel between `now_region` of `now` and `before_region` of
/// `before` (regions of the same size), at the best shift of the previous region within
/// [`SEARCH_RADIUS`]. Pixels outside either picture are skipped;
/// `NaN` when none is left.
fn region_difference(before: GrayView, before_region: Region, now: GrayView, now_region: Region) -> f64 {
    let columns = now_region.w.round() as usize;
    let rows = now_region.h.round() as usize;
    let mut best = f64::NAN;
    for shift_y in -SEARCH_RADIUS..=SEARCH_RADIUS {
        for shift_x in -SEARCH_RADIUS..=SEARCH_RADIUS {
            let mut total = 0u64;
            let mut count = 0u64;
            for row in 0..rows {
                let now_y = (now_region.y + row as f64).round() as i64;
                let before_y = (before_region.y + row as f64).round() as i64 + i64::from(shift_y);
                for column in 0..columns {
                    let now_x = (now_region.x + column as f64).round() as i64;
                    let before_x = (before_region.x + column as f64).round() as i64 + i64::from(shift_x);
                    if let (Some(a), Some(b)) = (pixel(now, now_x, now_y), pixel(before, before_x, before_y)) {
                        total += u64::from(a.abs_diff(b));
                        count += 1;
                    }
                }
            }
            if count * 2 >= (rows * columns) as u64 && count > 0 {
                let mean = total as f64 / count as f64;
                if best.is_nan() || mean < best {
                    best = mean;
                }
            }
        }
    }
    best
}

fn pixel(picture: GrayView, x: i64, y: i64) -> Option<u8> {
    if x < 0 || y < 0 || x >= i64::from(picture.width) || y >= i64::from(picture.height) {
        return None;
    }
    picture.data.get(y as usize * picture.width as usize + x as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTH: u32 = 160;
    const HEIGHT: u32 = 120;

    /// A textured picture (so shifts are visible) with a dark "mouth" bar of `opening` rows
    /// at `mouth_top`, everything offset by `offset` pixels to the right.
    fn picture(offset: i64, opening: i64) -> Vec<u8> {
        let mut data = vec![0u8; (WIDTH * HEIGHT) as usize];
        for y in 0..i64::from(HEIGHT) {
            for x in 0..i64::from(WIDTH) {
                let (u, v) = (x - offset, y);
                let texture = (u * 37 + v * 11).rem_euclid(23) as u8 * 4 + 100;
                let in_mouth = (70..90).contains(&u) && (80..80 + opening).contains(&v);
                data[(y * i64::from(WIDTH) + x) as usize] = if in_mouth { 20 } else { texture };
            }
        }
        data
    }

    fn face_at(x: f64) -> FaceBox {
        FaceBox { bbox: BoxF { x, y: 40.0, w: 60.0, h: 60.0 }, score: 5.0 }
    }

    fn view(data: &[u8]) -> GrayView<'_> {
        GrayView { width: WIDTH, height: HEIGHT, data }
    }

    fn motion(before: (&[u8], FaceBox), now: (&[u8], FaceBox)) -> f64 {
        let previous_faces = [before.1];
        let current_faces = [now.1];
        let previous = FacePicture { picture: view(before.0), faces: &previous_faces };
        let current = FacePicture { picture: view(now.0), faces: &current_faces };
        mouth_motion(Some(previous), current, 1.0)[0]
    }

    #[test]
    fn a_moving_mouth_has_energy_and_a_still_one_none() {
        let (closed, open) = (picture(0, 2), picture(0, 12));
        let talking = motion((&closed, face_at(50.0)), (&open, face_at(50.0)));
        let silent = motion((&closed, face_at(50.0)), (&closed, face_at(50.0)));
        assert_eq!(silent, 0.0);
        assert!(talking > 5.0, "{talking}");
    }

    #[test]
    fn a_face_that_moves_without_talking_has_little_energy() {
        // The whole face moves 6 px, and the detector's box follows it within 2 px.
        let (before, after) = (picture(0, 2), picture(6, 2));
        let moved = motion((&before, face_at(50.0)), (&after, face_at(54.0)));
        let talking = motion((&before, face_at(50.0)), (&picture(0, 12), face_at(50.0)));
        assert!(moved < 1.0, "{moved}");
        assert!(talking > 5.0 * moved.max(0.2), "talking {talking} vs moving {moved}");
    }

    #[test]
    fn first_frames_and_tiny_faces_are_not_measured() {
        let data = picture(0, 2);
        let faces = [face_at(50.0), FaceBox { bbox: BoxF { x: 5.0, y: 5.0, w: 6.0, h: 6.0 }, score: 1.0 }];
        let current = FacePicture { picture: view(&data), faces: &faces };
        assert!(mouth_motion(None, current, 1.0).iter().all(|value| value.is_nan()));
        let measured = mouth_motion(Some(current), current, 1.0);
        assert_eq!(measured[0], 0.0);
        assert!(measured[1].is_nan());
    }

    #[test]
    fn the_mouth_region_is_the_lower_third() {
        let region = mouth_region(&BoxF { x: 100.0, y: 200.0, w: 300.0, h: 300.0 }, 0.5).unwrap();
        assert_eq!((region.x, region.y, region.w, region.h), (72.5, 200.0, 105.0, 50.0));
        assert!(mouth_region(&BoxF { x: 0.0, y: 0.0, w: f64::NAN, h: 10.0 }, 1.0).is_none());
    }
}
