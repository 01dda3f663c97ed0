//! Multi-panel layouts on real faces: three GRID speakers side by side get a panel each in the
//! `three` layout (rows in 9:16, columns in 16:9), each panel showing one of them, the captions
//! read back by OCR and clear of every face; a slide with the speaker as a camera tile becomes
//! the `screen` layout on its own in 9:16: the slide read back from the band across the top, the
//! face zoomed in below, the captions off the slide (a square output fits the whole picture,
//! the captions mostly in a band beside it).

#[path = "support/captioned.rs"]
mod captioned;
mod support;

use captioned::{
    caption_box, clip, frame, grid_folder, grid_srt, look_at, looped_scene, render_without_captions, tesseract,
};
use opusclip_analyze::{faces::FaceDetector, GrayView};
use opusclip_core::{panel_rects, LayoutKind};
use std::path::{Path, PathBuf};

/// Three GRID speakers (`bbaf2n`, `lbbc2a`, `lbax4n`) side by side at 600x480 each on a
/// 1920x1080 stage, looped to 24 s with the first one's sound; and the first one's SRT.
fn round_table(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let grid = grid_folder()?;
    let video = dir.join("round-table.mp4");
    let inputs: Vec<PathBuf> = ["bbaf2n.mpg", "lbbc2a.mpg", "lbax4n.mpg"].iter().map(|clip| grid.join(clip)).collect();
    let graph = "[0:v]scale=600:480,setsar=1[a];[1:v]scale=600:480,setsar=1[b];[2:v]scale=600:480,setsar=1[c];\
                 [a][b][c]hstack=inputs=3,pad=1920:1080:60:300:color=0x2a2a2a[v]";
    looped_scene(&inputs, graph, &video);
    Some((video, grid_srt(dir, "round-table")))
}

/// A slide (white, a heading and three lines of dark text) with the GRID speaker as a 400x320
/// camera tile in its bottom-right corner, 1920x1080, looped to 24 s; and the speaker's SRT.
fn webinar(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let grid = grid_folder()?;
    let video = dir.join("webinar.mp4");
    let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    let line = |text: &str, size: u32, y: u32| {
        format!("drawtext=fontfile={font}:text='{text}':fontsize={size}:fontcolor=0x202040:x=120:y={y}")
    };
    let slide = [
        line("QUARTERLY PLAN", 110, 110),
        line("Ship the editor", 80, 330),
        line("Grow the community", 80, 470),
        line("Measure every clip", 80, 610),
    ]
    .join(",");
    let graph = format!(
        "color=c=white:s=1920x1080:r=25,{slide}[slide];[0:v]scale=400:320,setsar=1[camera];\
         [slide][camera]overlay=x=1480:y=720:shortest=1[v]"
    );
    looped_scene(&[grid.join("bbaf2n.mpg")], &graph, &video);
    Some((video, grid_srt(dir, "webinar")))
}

#[test]
fn three_speakers_get_a_panel_each_and_the_captions_clear_every_face() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = round_table(dir.path()) else { return };
    let (out, bare) = (dir.path().join("three"), dir.path().join("three-bare"));
    std::fs::create_dir_all(&bare).unwrap();
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &["--layout", "three", "--aspect", "16:9"]);
    assert_eq!(spec.outputs[0].layout.kind(), opusclip_core::LayoutKind::Three, "{:?}", spec.outputs[0].layout);
    render_without_captions(&spec, &bare);
    let mut detector = FaceDetector::new().unwrap();
    for (index, aspect) in [(0, "9:16"), (2, "16:9")] {
        let file = &manifest.clips[0].outputs[index];
        let captioned = out.join(&file.path);
        support::keep_screenshot(&format!("layout-three-{}", aspect.replace(':', "x")), &captioned, 3.7);
        let seen = look_at(&out, &bare, &manifest, index, dir.path());
        assert!(seen.frames >= 5 && seen.words_read >= 4, "{aspect}: {seen:?}");
        assert!(seen.covered.is_empty(), "{aspect}: {:#?}", seen.covered);
        // Each of the three panels (rows in 9:16, columns in 16:9) shows one of the three
        // people, on most sampled frames.
        let panels = opusclip_core::panel_rects(opusclip_core::LayoutKind::Three, file.width, file.height);
        let mut panels_with_a_face = vec![0; panels.len()];
        for step in 0..4 {
            let at = 2.0 + f64::from(step) * 4.0;
            let gray = frame(&bare.join(&file.path), at, "gray");
            let faces = detector.detect(GrayView { width: file.width, height: file.height, data: &gray }, 1.0);
            for (panel, &(left, top, width, height)) in panels.iter().enumerate() {
                let centre_inside = |face: &&opusclip_core::FaceBox| {
                    let (x, y) = face.bbox.center();
                    (f64::from(left)..f64::from(left + width)).contains(&x)
                        && (f64::from(top)..f64::from(top + height)).contains(&y)
                };
                if faces.iter().filter(centre_inside).count() == 1 {
                    panels_with_a_face[panel] += 1;
                }
            }
        }
        assert!(
            panels_with_a_face.iter().all(|&frames| frames >= 3),
            "{aspect}: faces per panel {panels_with_a_face:?}"
        );
    }
}

/// Words tesseract reads in rows `rows` of a gray frame `width` wide.
fn read_rows(gray: &[u8], width: u32, rows: std::ops::Range<u32>, scratch: &Path) -> Vec<String> {
    let band = &gray[(rows.start * width) as usize..(rows.end * width) as usize];
    let mut pgm = format!("P5\n{width} {}\n255\n", rows.end - rows.start).into_bytes();
    pgm.extend_from_slice(band);
    tesseract(&pgm, scratch)
}

#[test]
fn a_slide_with_a_camera_inset_becomes_the_screen_layout() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = webinar(dir.path()) else { return };
    let (out, bare) = (dir.path().join("screen"), dir.path().join("screen-bare"));
    std::fs::create_dir_all(&bare).unwrap();
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &[]);
    let kinds: Vec<LayoutKind> = spec.outputs.iter().map(|output| output.layout.kind()).collect();
    // 9:16 gets the screen layout; a square, whose face panel would be a wide strip past the
    // tile, shows the whole picture fitted over its blur.
    assert_eq!(kinds, [LayoutKind::Screen, LayoutKind::BlurFit]);
    render_without_captions(&spec, &bare);
    for (index, aspect) in ["9:16", "1:1"].iter().enumerate() {
        let file = &manifest.clips[0].outputs[index];
        support::keep_screenshot(&format!("layout-screen-{}", aspect.replace(':', "x")), &out.join(&file.path), 3.7);
        let seen = look_at(&out, &bare, &manifest, index, dir.path());
        assert!(seen.frames >= 5 && seen.words_read >= 4, "{aspect}: {seen:?}");
        assert!(seen.covered.is_empty(), "{aspect}: {:#?}", seen.covered);
    }
    let file = &manifest.clips[0].outputs[0];
    let panels = panel_rects(LayoutKind::Screen, file.width, file.height);
    let (band, face_panel) = (panels[0], panels[1]);
    let mut detector = FaceDetector::new().unwrap();
    let (mut slide_read, mut face_below, mut captions_on_the_slide) = (0, 0, 0);
    for step in 0..4 {
        let at = 2.0 + f64::from(step) * 4.0;
        let gray = frame(&bare.join(&file.path), at, "gray");
        // The slide, whole, in the band across the top: its heading and lines are read.
        let words = read_rows(&gray, file.width, band.1..band.1 + band.3, dir.path());
        if ["quarterly", "editor", "community"].iter().all(|word| words.iter().any(|w| w.contains(word))) {
            slide_read += 1;
        }
        // The speaker, zoomed in, in the panel below.
        let faces = detector.detect(GrayView { width: file.width, height: file.height, data: &gray }, 1.0);
        let big_below = |face: &opusclip_core::FaceBox| {
            face.bbox.y >= f64::from(face_panel.1) && face.bbox.h >= 0.15 * f64::from(face_panel.3)
        };
        if faces.iter().any(big_below) {
            face_below += 1;
        }
        // The captions stay off the slide.
        let (captioned, bare_rgb) =
            (frame(&out.join(&file.path), at, "rgb24"), frame(&bare.join(&file.path), at, "rgb24"));
        if caption_box(&captioned, &bare_rgb, file.width).is_some_and(|block| block.y < f64::from(band.1 + band.3)) {
            captions_on_the_slide += 1;
        }
    }
    assert!(slide_read >= 3 && face_below >= 3, "9:16: slide read on {slide_read}, face below on {face_below} of 4");
    assert_eq!(captions_on_the_slide, 0, "captions over the slide");
    // In the square, the fitted slide spans rows 236–844 and neither band holds two lines inside
    // the margins: the captions still sit mostly outside it.
    let square = &manifest.clips[0].outputs[1];
    let mut centred_off_the_slide = 0;
    for step in 0..4 {
        let at = 2.0 + f64::from(step) * 4.0;
        let (captioned, bare_rgb) =
            (frame(&out.join(&square.path), at, "rgb24"), frame(&bare.join(&square.path), at, "rgb24"));
        if let Some(block) = caption_box(&captioned, &bare_rgb, square.width) {
            let centre = block.y + block.h / 2.0;
            if !(236.0..844.0).contains(&centre) {
                centred_off_the_slide += 1;
            }
        }
    }
    assert!(centred_off_the_slide >= 3, "1:1: captions centred off the slide on {centred_off_the_slide} of 4 frames");
}
