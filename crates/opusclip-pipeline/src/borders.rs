//! Letterbox and pillarbox borders: rows and columns that stay near-black in every detail
//! frame of a window, counted inward from the picture's edges. The camera then works inside
//! the active picture only, so a 9:16 crop never shows a black bar and blur-fit shows the
//! picture without its bars.

use crate::saliency::PixelRect;
use opusclip_analyze::GrayView;
use opusclip_core::BoxF;

/// A row or column whose mean luma never rises above this is black (video black is 16, and
/// gray pictures from full-range conversion put it at 0).
pub const BLACK_LEVEL: f32 = 24.0;
/// Borders thinner than this share of the picture's side are ignored (encoder edge rows).
const MIN_BORDER_SHARE: f64 = 0.01;
/// An active picture smaller than this share of a side is not believed (a black or faded
/// window): no borders then.
const MIN_ACTIVE_SHARE: f64 = 0.4;
/// Frames needed before borders are believed.
const MIN_FRAMES: usize = 2;

/// The brightest mean luma each row and column of the detail pictures of a window reached.
#[derive(Debug, Clone, Default)]
pub struct BorderMeter {
    width: u32,
    height: u32,
    row_peak: Vec<f32>,
    column_peak: Vec<f32>,
    frames: usize,
}

impl BorderMeter {
    /// Take one detail picture into account. Pictures of another size than the first are
    /// ignored.
    pub fn push(&mut self, picture: GrayView) {
        let (width, height) = (picture.width as usize, picture.height as usize);
        if picture.data.len() < width * height || width == 0 || height == 0 {
            return;
        }
        if self.frames == 0 {
            *self = BorderMeter {
                width: picture.width,
                height: picture.height,
                row_peak: vec![0.0; height],
                column_peak: vec![0.0; width],
                frames: 0,
            };
        } else if (picture.width, picture.height) != (self.width, self.height) {
            return;
        }
        let mut column_sums = vec![0u32; width];
        for (y, row) in picture.data.chunks_exact(width).take(height).enumerate() {
            let mut row_sum = 0u32;
            for (x, &value) in row.iter().enumerate() {
                row_sum += u32::from(value);
                column_sums[x] += u32::from(value);
            }
            self.row_peak[y] = self.row_peak[y].max(row_sum as f32 / width as f32);
        }
        for (peak, sum) in self.column_peak.iter_mut().zip(column_sums) {
            *peak = peak.max(sum as f32 / height as f32);
        }
        self.frames += 1;
    }

    /// The active picture in detail pixels; `None` when there are no borders (or too few
    /// frames, or what is left is implausibly small).
    pub fn active_area(&self) -> Option<PixelRect> {
        if self.frames < MIN_FRAMES {
            return None;
        }
        let (top, bottom) = border_run(&self.row_peak)?;
        let (left, right) = border_run(&self.column_peak)?;
        let area = PixelRect { x0: left, y0: top, x1: self.width - right, y1: self.height - bottom };
        let whole = area == PixelRect::whole(self.width, self.height);
        (!whole).then_some(area)
    }

    /// Size of the pictures measured.
    pub fn picture_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// Black lines at the start and at the end of `peaks` (each dropped when thinner than
/// [`MIN_BORDER_SHARE`]); `None` when the active part is under [`MIN_ACTIVE_SHARE`].
fn border_run(peaks: &[f32]) -> Option<(u32, u32)> {
    let black = |peak: &&f32| **peak <= BLACK_LEVEL;
    let length = peaks.len();
    let minimum = (MIN_BORDER_SHARE * length as f64).ceil() as usize;
    let keep = |run: usize| if run >= minimum.max(1) { run } else { 0 };
    let start = keep(peaks.iter().take_while(black).count());
    let end = keep(peaks.iter().rev().take_while(black).count());
    let active = length.saturating_sub(start + end);
    ((active as f64) >= MIN_ACTIVE_SHARE * length as f64).then_some((start as u32, end as u32))
}

/// `area` of a `detail_size` picture as display pixels of a `display_size` frame, shrunk to
/// even pixels (so that no black line is left inside).
pub fn to_display(area: PixelRect, detail_size: (u32, u32), display_size: (u32, u32)) -> BoxF {
    let scale_x = f64::from(display_size.0) / f64::from(detail_size.0.max(1));
    let scale_y = f64::from(display_size.1) / f64::from(detail_size.1.max(1));
    let up_to_even = |value: f64| (value / 2.0).ceil() * 2.0;
    let down_to_even = |value: f64| (value / 2.0).floor() * 2.0;
    let x0 = up_to_even(f64::from(area.x0) * scale_x);
    let y0 = up_to_even(f64::from(area.y0) * scale_y);
    let x1 = down_to_even(f64::from(area.x1) * scale_x).max(x0 + 2.0);
    let y1 = down_to_even(f64::from(area.y1) * scale_y).max(y0 + 2.0);
    BoxF { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTH: u32 = 160;
    const HEIGHT: u32 = 90;

    /// A picture of `level` with black bars: `bars` = (top, bottom, left, right) lines.
    fn picture(level: u8, bars: (u32, u32, u32, u32)) -> Vec<u8> {
        let (top, bottom, left, right) = bars;
        (0..HEIGHT)
            .flat_map(|y| {
                (0..WIDTH).map(move |x| {
                    let in_bar = y < top || y >= HEIGHT - bottom || x < left || x >= WIDTH - right;
                    if in_bar {
                        3
                    } else {
                        level
                    }
                })
            })
            .collect()
    }

    fn meter(pictures: &[Vec<u8>]) -> BorderMeter {
        let mut meter = BorderMeter::default();
        for data in pictures {
            meter.push(GrayView { width: WIDTH, height: HEIGHT, data });
        }
        meter
    }

    #[test]
    fn letterbox_and_pillarbox_are_found() {
        let letterbox = meter(&[picture(120, (12, 12, 0, 0)), picture(80, (12, 12, 0, 0))]);
        assert_eq!(letterbox.active_area(), Some(PixelRect { x0: 0, y0: 12, x1: WIDTH, y1: HEIGHT - 12 }));
        let pillarbox = meter(&[picture(120, (0, 0, 20, 22)), picture(60, (0, 0, 20, 22))]);
        assert_eq!(pillarbox.active_area(), Some(PixelRect { x0: 20, y0: 0, x1: WIDTH - 22, y1: HEIGHT }));
    }

    #[test]
    fn a_dark_scene_edge_that_lights_up_once_is_not_a_border() {
        // The top rows are dark in one frame only: over the window they are not a border.
        let pictures = [picture(120, (12, 0, 0, 0)), picture(120, (0, 0, 0, 0))];
        assert_eq!(meter(&pictures).active_area(), None);
    }

    #[test]
    fn black_windows_single_frames_and_hairlines_are_ignored() {
        assert_eq!(meter(&[picture(0, (0, 0, 0, 0)), picture(0, (0, 0, 0, 0))]).active_area(), None);
        assert_eq!(meter(&[picture(120, (12, 12, 0, 0))]).active_area(), None, "one frame");
        // One black line of 160 columns is under 1 %: ignored.
        assert_eq!(meter(&[picture(120, (0, 0, 1, 0)), picture(120, (0, 0, 1, 0))]).active_area(), None);
    }

    #[test]
    fn the_active_area_maps_inward_to_even_display_pixels() {
        let area = PixelRect { x0: 0, y0: 11, x1: 160, y1: 79 };
        let display = to_display(area, (160, 90), (1920, 1080));
        assert_eq!((display.x, display.y, display.w, display.h), (0.0, 132.0, 1920.0, 816.0));
        let odd = to_display(PixelRect { x0: 3, y0: 0, x1: 157, y1: 90 }, (160, 90), (1000, 562));
        assert_eq!((odd.x, odd.w), (20.0, 960.0));
    }
}
