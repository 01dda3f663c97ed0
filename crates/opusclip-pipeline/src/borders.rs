//! Letterbox and pillarbox borders: rows and columns, counted inward from the picture's edges,
//! that stay near-black in every detail frame of a window — or that are a flat black bar (no
//! pixel above [`BAR_PEAK`]) in at least [`BAR_FRAME_SHARE`] of them, for bars that come and go
//! inside a clip. The camera then works inside the active picture only, so no crop ever shows
//! a black bar and blur-fit shows the picture without its bars.

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
/// A line is a flat bar in a frame when it is black ([`BLACK_LEVEL`]) and no pixel of it is
/// brighter than this: a dark part of a scene has texture, a bar does not.
pub const BAR_PEAK: u8 = 48;
/// A line that is a flat bar in at least this share of a window's frames is a border for the
/// whole window, even when the picture fills it the rest of the time.
pub const BAR_FRAME_SHARE: f64 = 0.1;

/// The brightest mean luma each row and column of the detail pictures of a window reached.
#[derive(Debug, Clone, Default)]
pub struct BorderMeter {
    width: u32,
    height: u32,
    row_peak: Vec<f32>,
    column_peak: Vec<f32>,
    /// In how many frames each row (column) was a flat black bar.
    row_bar_frames: Vec<u32>,
    column_bar_frames: Vec<u32>,
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
                row_bar_frames: vec![0; height],
                column_bar_frames: vec![0; width],
                frames: 0,
            };
        } else if (picture.width, picture.height) != (self.width, self.height) {
            return;
        }
        let mut column_sums = vec![0u32; width];
        let mut column_brightest = vec![0u8; width];
        for (y, row) in picture.data.chunks_exact(width).take(height).enumerate() {
            let mut row_sum = 0u32;
            let mut row_brightest = 0u8;
            for (x, &value) in row.iter().enumerate() {
                row_sum += u32::from(value);
                column_sums[x] += u32::from(value);
                row_brightest = row_brightest.max(value);
                column_brightest[x] = column_brightest[x].max(value);
            }
            let mean = row_sum as f32 / width as f32;
            self.row_peak[y] = self.row_peak[y].max(mean);
            self.row_bar_frames[y] += u32::from(is_bar(mean, row_brightest));
        }
        for (x, sum) in column_sums.into_iter().enumerate() {
            let mean = sum as f32 / height as f32;
            self.column_peak[x] = self.column_peak[x].max(mean);
            self.column_bar_frames[x] += u32::from(is_bar(mean, column_brightest[x]));
        }
        self.frames += 1;
    }

    /// The active picture in detail pixels; `None` when there are no borders (or too few
    /// frames, or what is left is implausibly small).
    pub fn active_area(&self) -> Option<PixelRect> {
        if self.frames < MIN_FRAMES {
            return None;
        }
        let bar_frames = (BAR_FRAME_SHARE * self.frames as f64).ceil().max(1.0) as u32;
        let (top, bottom) = border_run(&self.row_peak, &self.row_bar_frames, bar_frames)?;
        let (left, right) = border_run(&self.column_peak, &self.column_bar_frames, bar_frames)?;
        let area = PixelRect { x0: left, y0: top, x1: self.width - right, y1: self.height - bottom };
        let whole = area == PixelRect::whole(self.width, self.height);
        (!whole).then_some(area)
    }

    /// Size of the pictures measured.
    pub fn picture_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// Whether a line with this mean and brightest pixel is a flat black bar.
fn is_bar(mean: f32, brightest: u8) -> bool {
    mean <= BLACK_LEVEL && brightest <= BAR_PEAK
}

/// Border lines at the start and at the end (black in every frame, by `peaks`, or a flat bar
/// in at least `bar_frames` frames, by `bars`), each run dropped when thinner than
/// [`MIN_BORDER_SHARE`]; `None` when the active part is under [`MIN_ACTIVE_SHARE`].
fn border_run(peaks: &[f32], bars: &[u32], bar_frames: u32) -> Option<(u32, u32)> {
    let border = |line: &usize| peaks[*line] <= BLACK_LEVEL || bars[*line] >= bar_frames;
    let length = peaks.len();
    let minimum = (MIN_BORDER_SHARE * length as f64).ceil() as usize;
    let keep = |run: usize| if run >= minimum.max(1) { run } else { 0 };
    let start = keep((0..length).take_while(border).count());
    let end = keep((0..length).rev().take_while(border).count());
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
        // The top rows are dark but textured (a pixel in eight at 60) in one frame only.
        let mut textured = picture(120, (12, 0, 0, 0));
        for (index, value) in textured.iter_mut().enumerate().take(12 * WIDTH as usize) {
            if index % 8 == 0 {
                *value = 60;
            }
        }
        let pictures = [textured, picture(120, (0, 0, 0, 0))];
        assert_eq!(meter(&pictures).active_area(), None);
    }

    #[test]
    fn bars_that_come_and_go_are_borders_for_the_whole_window() {
        // Pillarbox bars in 3 of 20 frames (a cut to a 4:3 insert), the full picture otherwise.
        let pictures: Vec<Vec<u8>> =
            (0..20).map(|i| if i < 3 { picture(120, (0, 0, 20, 20)) } else { picture(120, (0, 0, 0, 0)) }).collect();
        assert_eq!(meter(&pictures).active_area(), Some(PixelRect { x0: 20, y0: 0, x1: WIDTH - 20, y1: HEIGHT }));
        // In one frame of twenty (under a tenth) they are not.
        let once: Vec<Vec<u8>> =
            (0..20).map(|i| if i == 0 { picture(120, (0, 0, 20, 20)) } else { picture(120, (0, 0, 0, 0)) }).collect();
        assert_eq!(meter(&once).active_area(), None);
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
