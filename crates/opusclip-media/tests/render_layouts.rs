//! The split and blur-fit layouts rendered by ffmpeg and read back: a split shows the left
//! box in its upper half and the right box in its lower half; blur-fit shows the whole frame,
//! scaled, in a centre band between darker blurred bands; track, split and blur-fit outputs
//! come out of one render (one decode) at their sizes; four fills a 2x2 grid and a 16:9 screen
//! output shows the screen alone.

use opusclip_core::spec::{Aspect, CropKeyframe, OutputSpec};
use opusclip_core::{panel_rects, Layout, LayoutKind};
use opusclip_media::render::{output_thumbnail, render, RenderJob, RenderOutput, VideoEncoder};
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCE_SIZE: (u32, u32) = (640, 360);

fn run(command: &mut Command) -> Vec<u8> {
    let output = command.output().expect("ffmpeg runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// 2 s of a gray stage with a red box on the left (x 40..240) and a blue box on the right
/// (x 400..600), both y 60..300, and a white stripe on top (y 0..20) to see the whole frame.
fn two_boxes(dir: &Path) -> PathBuf {
    let path = dir.join("boxes.mp4");
    let (width, height) = SOURCE_SIZE;
    let graph = format!(
        "color=c=0x808080:s={width}x{height}:r=25:d=2,\
         drawbox=x=40:y=60:w=200:h=240:c=0xff0000:t=fill,\
         drawbox=x=400:y=60:w=200:h=240:c=0x0000ff:t=fill,\
         drawbox=x=0:y=0:w={width}:h=20:c=0xffffff:t=fill,format=yuv420p"
    );
    run(Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", &graph])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"])
        .arg(&path));
    path
}

/// One RGB frame of `video` at `at` seconds, at its own size.
fn rgb_frame(video: &Path, at: f64) -> Vec<u8> {
    run(Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-ss", &format!("{at:.3}"), "-i"]).arg(video).args([
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]))
}

/// Mean RGB over the rows `rows` (all columns) of an RGB frame `width` wide.
fn mean_rgb(frame: &[u8], width: u32, rows: std::ops::Range<u32>) -> [f64; 3] {
    let row_bytes = width as usize * 3;
    let pixels = &frame[rows.start as usize * row_bytes..rows.end as usize * row_bytes];
    let mut sum = [0.0; 3];
    for pixel in pixels.chunks_exact(3) {
        for channel in 0..3 {
            sum[channel] += f64::from(pixel[channel]);
        }
    }
    let count = (pixels.len() / 3) as f64;
    sum.map(|value| value / count)
}

fn still(x: f64, y: f64, w: f64, h: f64) -> Vec<CropKeyframe> {
    vec![CropKeyframe { t: 0.0, x, y, w, h }, CropKeyframe { t: 2.0, x, y, w, h }]
}

fn output(aspect: Aspect, size: (u32, u32), layout: Layout, crop_keyframes: Vec<CropKeyframe>) -> OutputSpec {
    OutputSpec { aspect, width: size.0, height: size.1, layout, crop_keyframes }
}

fn job<'a>(source: &'a Path, outputs: Vec<RenderOutput<'a>>) -> RenderJob<'a> {
    RenderJob {
        source,
        start: 0.0,
        end: 2.0,
        fps: 25.0,
        has_audio: false,
        loudness: None,
        watermark: None,
        outputs,
        encoder: VideoEncoder::X264,
        kept: &[],
        fonts_dir: None,
        cover: None,
    }
}

fn plain<'a>(spec: &'a OutputSpec, destination: &'a Path) -> RenderOutput<'a> {
    RenderOutput { spec, subtitles_ass: None, destination }
}

/// The split of a 216x384 output: each half 216x192 (9:8), cropped around one box.
fn split_spec() -> OutputSpec {
    let lower = still(370.0, 50.0, 260.0, 231.0);
    output(Aspect::Vertical, (216, 384), Layout::Split { lower_crop_keyframes: lower }, still(10.0, 50.0, 260.0, 231.0))
}

#[test]
fn split_puts_the_left_box_on_top_and_the_right_box_below() {
    let dir = tempfile::tempdir().unwrap();
    let source = two_boxes(dir.path());
    let spec = split_spec();
    let destination = dir.path().join("split.mp4");
    render(&job(&source, vec![plain(&spec, &destination)]), &mut |_| {}).unwrap();

    let frame = rgb_frame(&destination, 1.0);
    assert_eq!(frame.len(), 216 * 384 * 3, "a 216x384 picture");
    let upper = panel_rects(LayoutKind::Split, 216, 384)[1].1;
    // The middle of each half is the inside of its box (crop y 50..281 holds the box at 60..300).
    let top = mean_rgb(&frame, 216, 60..upper - 60);
    let bottom = mean_rgb(&frame, 216, upper + 60..384 - 60);
    assert!(top[0] > 180.0 && top[2] < 90.0, "upper half is red: {top:?}");
    assert!(bottom[2] > 180.0 && bottom[0] < 90.0, "lower half is blue: {bottom:?}");

    let thumbnail = dir.path().join("split.jpg");
    output_thumbnail(&source, 1.0, &spec, &thumbnail).unwrap();
    let picture = run(Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&thumbnail)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]));
    assert_eq!(picture.len(), 216 * 384 * 3, "the thumbnail is composed like the output");
    let thumb_top = mean_rgb(&picture, 216, 60..upper - 60);
    assert!(thumb_top[0] > 180.0 && thumb_top[2] < 90.0, "thumbnail upper half is red: {thumb_top:?}");
}

#[test]
fn blur_fit_shows_the_whole_frame_over_darker_bands() {
    let dir = tempfile::tempdir().unwrap();
    let source = two_boxes(dir.path());
    let (width, height) = (216u32, 384u32);
    let whole = still(0.0, 0.0, f64::from(SOURCE_SIZE.0), f64::from(SOURCE_SIZE.1));
    let spec = output(Aspect::Vertical, (width, height), Layout::BlurFit, whole);
    let destination = dir.path().join("blur.mp4");
    render(&job(&source, vec![plain(&spec, &destination)]), &mut |_| {}).unwrap();
    let frame = rgb_frame(&destination, 1.0);
    assert_eq!(frame.len(), (width * height * 3) as usize);

    // The source scaled to the output's width: 216x122 (rounded to even), centred.
    let band_height = 122u32;
    let band_top = (height - band_height) / 2;
    let reference = run(Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", "1", "-i"])
        .arg(&source)
        .args(["-frames:v", "1", "-vf", &format!("scale={width}:{band_height}:flags=bicubic")])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]));
    let row_bytes = (width * 3) as usize;
    let band = &frame[band_top as usize * row_bytes..(band_top + band_height) as usize * row_bytes];
    // Compare away from the band's top and bottom rows, where scaling blends with the backdrop.
    let inner = 4 * row_bytes..band.len() - 4 * row_bytes;
    let difference: f64 =
        band[inner.clone()].iter().zip(&reference[inner.clone()]).map(|(a, b)| f64::from(a.abs_diff(*b))).sum::<f64>()
            / inner.len() as f64;
    assert!(difference < 12.0, "the centre band is the scaled source (mean difference {difference:.1})");

    let luma = |rgb: [f64; 3]| 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    let source_luma = luma(mean_rgb(&reference, width, 0..band_height));
    let upper_band = luma(mean_rgb(&frame, width, 0..band_top - 4));
    let lower_band = luma(mean_rgb(&frame, width, band_top + band_height + 4..height));
    for band_luma in [upper_band, lower_band] {
        assert!(band_luma > 5.0, "the bands show the blurred picture, not black ({band_luma:.1})");
        assert!(band_luma < 0.6 * source_luma, "bands darker ({band_luma:.1}) than the picture ({source_luma:.1})");
    }
}

#[test]
fn track_split_and_blur_fit_outputs_come_from_one_render() {
    let dir = tempfile::tempdir().unwrap();
    let source = two_boxes(dir.path());
    let track = output(Aspect::Vertical, (216, 384), Layout::Track, still(200.0, 0.0, 202.0, 360.0));
    let split = split_spec();
    let blur = output(Aspect::Square, (240, 240), Layout::BlurFit, still(0.0, 0.0, 640.0, 360.0));
    let paths: Vec<PathBuf> = ["t.mp4", "s.mp4", "b.mp4"].iter().map(|name| dir.path().join(name)).collect();
    let outputs = vec![plain(&track, &paths[0]), plain(&split, &paths[1]), plain(&blur, &paths[2])];
    render(&job(&source, outputs), &mut |_| {}).unwrap();
    for (path, size) in paths.iter().zip([(216, 384), (216, 384), (240, 240)]) {
        let frame = rgb_frame(path, 0.5);
        assert_eq!(frame.len(), (size.0 * size.1 * 3) as usize, "{path:?}");
    }
}

/// Mean RGB over the columns `columns` of the rows `rows` of an RGB frame `width` wide.
fn mean_rgb_in(frame: &[u8], width: u32, columns: std::ops::Range<u32>, rows: std::ops::Range<u32>) -> [f64; 3] {
    let mut sum = [0.0; 3];
    let mut count = 0.0;
    for y in rows {
        for x in columns.clone() {
            let at = ((y * width + x) * 3) as usize;
            for channel in 0..3 {
                sum[channel] += f64::from(frame[at + channel]);
            }
            count += 1.0;
        }
    }
    sum.map(|value| value / count)
}

#[test]
fn four_fills_a_two_by_two_grid_and_a_wide_screen_shows_the_screen_alone() {
    let dir = tempfile::tempdir().unwrap();
    let source = two_boxes(dir.path());
    // Four 108x192 cells (9:16): red, blue on the first row, red, blue on the second.
    let (red, blue) = (still(90.0, 90.0, 100.0, 178.0), still(450.0, 90.0, 100.0, 178.0));
    let grid = Layout::Grid { panel_crop_keyframes: vec![blue.clone(), red.clone(), blue.clone()] };
    let four = output(Aspect::Vertical, (216, 384), grid, red.clone());
    // A 16:9 screen output: the whole frame, the face path unused.
    let screen =
        output(Aspect::Wide, (384, 216), Layout::Screen { face_crop_keyframes: blue }, still(0.0, 0.0, 640.0, 360.0));
    let paths = [dir.path().join("four.mp4"), dir.path().join("screen.mp4")];
    render(&job(&source, vec![plain(&four, &paths[0]), plain(&screen, &paths[1])]), &mut |_| {}).unwrap();

    let frame = rgb_frame(&paths[0], 1.0);
    assert_eq!(frame.len(), 216 * 384 * 3);
    for (index, &(x, y, w, h)) in panel_rects(LayoutKind::Four, 216, 384).iter().enumerate() {
        let colour = mean_rgb_in(&frame, 216, x + w / 4..x + 3 * w / 4, y + h / 4..y + 3 * h / 4);
        let (wanted, other) = if index % 2 == 0 { (0, 2) } else { (2, 0) };
        assert!(colour[wanted] > 180.0 && colour[other] < 90.0, "cell {index}: {colour:?}");
    }
    let wide = rgb_frame(&paths[1], 1.0);
    assert_eq!(wide.len(), 384 * 216 * 3);
    let left = mean_rgb_in(&wide, 384, 40..120, 60..160);
    let right = mean_rgb_in(&wide, 384, 260..340, 60..160);
    assert!(left[0] > 180.0 && right[2] > 180.0, "the whole frame, red left and blue right: {left:?} {right:?}");
}
