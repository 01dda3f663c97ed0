//! Captions on a real face: a GRID speaker (`../shared/media/speech/grid`) framed as a 480x480
//! close-up, clipped to 9:16 and 1:1 with `auto` captions. In frames of the rendered clips
//! tesseract reads the caption words back, and the caption block (the pixels that differ from
//! the same spec rendered without captions) never crosses a face box that the project's face
//! detector finds on the caption-free frame. The same measurement with `--caption-position
//! bottom` does find the overlap, so it can fail.

#[path = "support/captioned.rs"]
mod captioned;
mod support;

use captioned::{
    caption_box, clip, ffmpeg, frame, grid_speaker, look_at, ocr, opusclip, render_variant, render_without_captions,
    SENTENCE,
};
use opusclip_analyze::{faces::FaceDetector, GrayView};
use std::path::{Path, PathBuf};
use std::process::Command;
/// The GRID speaker looped to 24 s and cropped to the face, scaled to 480x480; and an SRT
/// with the sentence once per loop.
fn close_up(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    grid_speaker(dir, "close-up", "crop=240:240:33:30,scale=480:480:flags=lanczos,setsar=1")
}

/// The GRID speaker at twice its size on a 1280x720 grey stage, head and shoulders centred.
fn on_a_wide_stage(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    grid_speaker(dir, "wide", "scale=720:576,pad=1280:720:280:72:color=0x2a2a2a,setsar=1")
}
#[test]
fn auto_captions_stay_off_a_close_up_face_in_9x16_and_1x1() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = close_up(dir.path()) else { return };
    let (out, bare) = (dir.path().join("auto"), dir.path().join("auto-bare"));
    std::fs::create_dir_all(&bare).unwrap();
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &[]);
    assert!(!spec.faces.is_empty(), "the spec keeps the faces the look saw");
    render_without_captions(&spec, &bare);
    for (index, aspect) in ["9:16", "1:1"].iter().enumerate() {
        let video = out.join(&manifest.clips[0].outputs[index].path);
        support::keep_screenshot(&format!("captions-auto-close-up-{}", aspect.replace(':', "x")), &video, 3.7);
        let seen = look_at(&out, &bare, &manifest, index, dir.path());
        assert!(seen.frames >= 5, "{aspect}: captions on only {} of 6 frames: {seen:?}", seen.frames);
        assert!(seen.with_face >= 4, "{aspect}: the detector found the face on {} frames", seen.with_face);
        assert!(seen.covered.is_empty(), "{aspect}: {:#?}", seen.covered);
        assert!(seen.words_read >= 4, "{aspect}: OCR read the sentence on {} frames", seen.words_read);
    }
    assert!(
        manifest.warnings.iter().all(|warning| !warning.contains("captions over a face")),
        "{:?}",
        manifest.warnings
    );
}

#[test]
fn captions_forced_to_the_bottom_cover_the_close_up_face_and_are_seen_to() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = close_up(dir.path()) else { return };
    let (out, bare) = (dir.path().join("bottom"), dir.path().join("bottom-bare"));
    std::fs::create_dir_all(&bare).unwrap();
    let (manifest, spec) = clip(&video, &srt, &out, "bottom", &[]);
    render_without_captions(&spec, &bare);
    support::keep_screenshot("captions-bottom-close-up-9x16", &out.join(&manifest.clips[0].outputs[0].path), 3.7);
    let seen = look_at(&out, &bare, &manifest, 0, dir.path());
    assert!(seen.covered.len() >= 3, "the measurement misses the overlap: {seen:?}");
}

#[test]
fn blur_fit_captions_use_the_empty_band_under_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = on_a_wide_stage(dir.path()) else { return };
    let (out, bare) = (dir.path().join("fitted"), dir.path().join("fitted-bare"));
    std::fs::create_dir_all(&bare).unwrap();
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &["--layout", "blur-fit"]);
    render_without_captions(&spec, &bare);
    support::keep_screenshot("captions-auto-blur-fit-9x16", &out.join(&manifest.clips[0].outputs[0].path), 3.7);
    let seen = look_at(&out, &bare, &manifest, 0, dir.path());
    assert!(seen.frames >= 5 && seen.words_read >= 4, "{seen:?}");
    assert!(seen.covered.is_empty(), "{:#?}", seen.covered);
    // The 16:9 stage fitted into 1080x1920 spans rows 656–1264: every caption box is below it.
    assert!(seen.caption_tops.iter().all(|&top| top >= 1264.0), "caption tops {:?}", seen.caption_tops);
}

/// Share of the pixels in the box `(x0, y0, x1, y1)` of an RGB frame `width` wide that match.
fn share_matching(
    rgb: &[u8],
    width: u32,
    (x0, y0, x1, y1): (u32, u32, u32, u32),
    matches: impl Fn(&[u8]) -> bool,
) -> f64 {
    let mut hits = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let at = (y * width + x) as usize * 3;
            if matches(&rgb[at..at + 3]) {
                hits += 1;
            }
        }
    }
    f64::from(hits) / f64::from((x1 - x0) * (y1 - y0))
}

#[test]
fn a_brand_template_draws_its_watermark_keywords_and_pop() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = on_a_wide_stage(dir.path()) else { return };
    // A solid orange logo, 200x100, and a template using it with cyan keywords.
    let logo = dir.path().join("logo.png");
    ffmpeg(&["-f", "lavfi", "-i", "color=c=0xFF6600:s=200x100:d=1", "-frames:v", "1", logo.to_str().unwrap()]);
    let template = dir.path().join("brand.toml");
    std::fs::write(
        &template,
        "base = \"bold\"\nanimation = \"pop\"\nkeyword_color = \"00E5FF\"\nshadow = 3\n\
         outro = \"Follow Studio Nine\"\nhighlight_color = \"FFD700\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"top-right\"\nwidth = 0.2\nopacity = 1.0\n",
    )
    .unwrap();
    let out = dir.path().join("branded");
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &["--template", template.to_str().unwrap()]);
    assert_eq!(spec.caption_style.animation, opusclip_core::CaptionAnimation::Pop);
    assert!(!spec.keywords.is_empty(), "the clip's keywords are kept");
    assert!(spec.watermark.is_some());
    let output = &manifest.clips[0].outputs[0];
    let video = out.join(&output.path);
    support::keep_screenshot("template-pop-keywords-watermark-9x16", &video, 3.7);
    let mut keyword_frames = 0;
    for step in 0..6 {
        let rgb = frame(&video, 1.3 + f64::from(step) * 2.0, "rgb24");
        // 20 % of 1080 = 216 px wide, 108 tall, 108 px from the right edge, 384 px from the top.
        let logo_box = (1080 - 108 - 216 + 8, 384 + 8, 1080 - 108 - 8, 384 + 108 - 8);
        let orange = share_matching(&rgb, 1080, logo_box, |p| p[0] > 200 && (60..160).contains(&p[1]) && p[2] < 80);
        assert!(orange > 0.9, "frame {step}: the logo covers {orange:.2} of its box");
        // The captions keep off the logo's rows (the logo is drawn over them, so look beside it).
        let beside_logo = (108, 384, 1080 - 108 - 216, 384 + 216);
        let white = share_matching(&rgb, 1080, beside_logo, |p| p.iter().all(|&channel| channel > 225));
        assert!(white < 0.002, "frame {step}: caption-white pixels beside the logo ({white:.4})");
        let cyan = share_matching(&rgb, 1080, (108, 384, 972, 1536), |p| p[0] < 60 && p[1] > 190 && p[2] > 220);
        if cyan > 0.0005 {
            keyword_frames += 1;
        }
    }
    assert!(keyword_frames >= 3, "keywords in cyan on only {keyword_frames} of 6 frames");
    // The closing card (gold, as is the spoken word) over the last seconds, not before; where it
    // sits is `an_outro_card_keeps_off_a_close_up_face_and_the_captions`'s business.
    let outro_words = |at: f64| {
        let rgb = frame(&video, at, "rgb24");
        let rows = 0..1920;
        let mut pgm = format!("P5\n1080 {}\n255\n", rows.len()).into_bytes();
        let gold = |p: &[u8]| p[0] > 200 && p[1] > 170 && p[2] < 90;
        pgm.extend(
            rgb[rows.start * 1080 * 3..rows.end * 1080 * 3].chunks_exact(3).map(|p| if gold(p) { 0 } else { 255 }),
        );
        let mask = dir.path().join("outro.pgm");
        std::fs::write(&mask, pgm).unwrap();
        let read = Command::new("tesseract").arg(&mask).arg("-").args(["--psm", "6"]).output().expect("tesseract");
        String::from_utf8_lossy(&read.stdout).to_lowercase()
    };
    let end = manifest.clips[0].duration;
    support::keep_screenshot("template-outro-9x16", &video, end - 0.8);
    let last = outro_words(end - 0.8);
    assert!(last.contains("follow") && last.contains("studio") && last.contains("nine"), "at the end: {last:?}");
    let earlier = outro_words(end - 4.0);
    assert!(!earlier.contains("studio"), "the card shows early: {earlier:?}");
}

#[test]
fn a_brand_template_font_file_draws_the_captions_in_it() {
    const SERIF: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = on_a_wide_stage(dir.path()) else { return };
    // The brand's font beside its template, under a name no system font has.
    let brand = dir.path().join("brand");
    std::fs::create_dir(&brand).unwrap();
    std::fs::copy(SERIF, brand.join("Brand.ttf")).expect("fonts-dejavu-core is installed (setup.sh)");
    let template = brand.join("brand.toml");
    std::fs::write(&template, "base = \"bold\"\nfont_file = \"Brand.ttf\"\n").unwrap();
    let out = dir.path().join("serif");
    let (manifest, spec) = clip(&video, &srt, &out, "bottom", &["--template", template.to_str().unwrap()]);
    let font_file = spec.caption_style.font_file.clone().expect("the spec keeps the font file");
    assert_eq!(Path::new(&font_file), std::fs::canonicalize(brand.join("Brand.ttf")).unwrap());
    // The same clip in the default font, and with no captions, to compare with.
    let (sans, bare) = (dir.path().join("sans"), dir.path().join("bare"));
    render_variant(&spec, &sans, |plain| plain.caption_style.font_file = None);
    render_without_captions(&spec, &bare);
    let name = &manifest.clips[0].outputs[0].path;
    support::keep_screenshot("template-font-file-serif-9x16", &out.join(name), 1.5);
    let (mut differing, mut words_read) = (0.0, 0);
    for at in [1.0, 4.0, 7.0] {
        let serif_frame = frame(&out.join(name), at, "rgb24");
        let sans_frame = frame(&sans.join(name), at, "rgb24");
        let bare_frame = frame(&bare.join(name), at, "rgb24");
        let caption = caption_box(&serif_frame, &bare_frame, 1080).expect("captions are drawn");
        // Inside the caption block the two fonts' strokes differ.
        let (x0, y0) = (caption.x as usize, caption.y as usize);
        let (x1, y1) = (x0 + caption.w as usize, y0 + caption.h as usize);
        let mut changed = 0usize;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let at = (y * 1080 + x) * 3;
                if serif_frame[at..at + 3].iter().zip(&sans_frame[at..at + 3]).any(|(a, b)| a.abs_diff(*b) > 60) {
                    changed += 1;
                }
            }
        }
        differing += changed as f64 / ((x1 - x0 + 1) * (y1 - y0 + 1)) as f64 / 3.0;
        let read = ocr(&serif_frame, &bare_frame, (1080, 1920), dir.path());
        words_read += SENTENCE.split(' ').filter(|word| read.iter().any(|r| r == word)).count();
    }
    eprintln!(
        "font file: {:.1} % of the caption block differs from the default font; {words_read} words read",
        differing * 100.0
    );
    assert!(differing > 0.08, "the captions are drawn in the template's font: {:.3} of the block differs", differing);
    assert!(words_read >= 6, "tesseract reads the serif captions: {words_read} words of 18");

    // A font file that is not there is refused before any work, naming it.
    std::fs::write(&template, "base = \"bold\"\nfont_file = \"Missing.ttf\"\n").unwrap();
    let refused = opusclip(&[
        "clip",
        video.to_str().unwrap(),
        "--template",
        template.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Missing.ttf"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn emoji_are_drawn_after_a_strong_word_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = close_up(dir.path()) else { return };
    // Captions of other words over the same speaker: "money" has an emoji, the rest none.
    let text = std::fs::read_to_string(&srt).unwrap().replace("bin blue at f two now.", "Time is money now.");
    std::fs::write(&srt, text).unwrap();
    let (out, plain) = (dir.path().join("emoji"), dir.path().join("emoji-plain"));
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &["--emoji"]);
    assert!(spec.caption_style.emoji, "the choice is kept in the spec");
    render_variant(&spec, &plain, |without| without.caption_style.emoji = false);
    let file = &manifest.clips[0].outputs[0];
    support::keep_screenshot("captions-emoji-9x16", &out.join(&file.path), 3.7);
    // The captions still read back (OCR against a caption-free render). (Where they sit is the
    // other tests' business: this close-up leaves no band clear of the face for these pages.)
    let bare = dir.path().join("emoji-bare");
    std::fs::create_dir_all(&bare).unwrap();
    render_without_captions(&spec, &bare);
    let seen = look_at(&out, &bare, &manifest, 0, dir.path());
    assert!(seen.frames >= 5 && seen.words_read >= 4, "{seen:?}");
    // The emoji adds ink the captions without it lack, on most frames.
    let mut drawn = 0;
    for step in 0..6 {
        let at = 1.3 + f64::from(step) * (manifest.clips[0].duration - 3.0) / 6.0;
        let (with, plain_rgb) =
            (frame(&out.join(&file.path), at, "rgb24"), frame(&plain.join(&file.path), at, "rgb24"));
        if caption_box(&with, &plain_rgb, file.width).is_some() {
            drawn += 1;
        }
    }
    assert!(drawn >= 4, "the emoji changed the captions on {drawn} of 6 frames");
}

#[test]
fn an_outro_card_keeps_off_a_close_up_face_and_the_captions() {
    let dir = tempfile::tempdir().unwrap();
    let Some((video, srt)) = close_up(dir.path()) else { return };
    let template = dir.path().join("brand.toml");
    std::fs::write(&template, "base = \"bold\"\nhighlight_color = \"FFD700\"\noutro = \"Follow Studio Nine\"\n")
        .unwrap();
    let (out, without) = (dir.path().join("outro"), dir.path().join("outro-without"));
    let (manifest, spec) = clip(&video, &srt, &out, "auto", &["--template", template.to_str().unwrap()]);
    assert_eq!(spec.caption_style.outro.as_deref(), Some("Follow Studio Nine"));
    render_variant(&spec, &without, |variant| variant.caption_style.outro = None);
    let bare = dir.path().join("outro-bare");
    render_variant(&spec, &bare, |variant| {
        variant.caption_style.outro = None;
        variant.caption_style.enabled = false;
    });
    let mut detector = FaceDetector::new().unwrap();
    let end = manifest.clips[0].duration;
    for (index, file) in manifest.clips[0].outputs.iter().enumerate() {
        let (with_card, no_card, nothing) = (out.join(&file.path), without.join(&file.path), bare.join(&file.path));
        support::keep_screenshot(&format!("template-outro-close-up-{}", ["9x16", "1x1"][index]), &with_card, end - 0.6);
        let mut seen_faces = 0;
        for at in [end - 1.2, end - 0.6] {
            let (card_rgb, plain_rgb) = (frame(&with_card, at, "rgb24"), frame(&no_card, at, "rgb24"));
            // The card is what the render without it lacks (the captions are the same in both).
            let card = caption_box(&card_rgb, &plain_rgb, file.width)
                .unwrap_or_else(|| panic!("{index}: no card at {at:.1} s"));
            let words = captioned::ocr(&card_rgb, &plain_rgb, (file.width, file.height), dir.path());
            assert!(
                ["follow", "studio", "nine"].iter().all(|word| words.iter().any(|read| read == word)),
                "{index} at {at:.1} s: read {words:?}"
            );
            let gray = frame(&nothing, at, "gray");
            let faces = detector.detect(GrayView { width: file.width, height: file.height, data: &gray }, 1.0);
            seen_faces += usize::from(!faces.is_empty());
            for face in &faces {
                assert!(
                    !captioned::overlaps(&face.bbox, &card),
                    "{index} at {at:.1} s: the card {card:?} crosses the face {:?}",
                    face.bbox
                );
            }
            // Nor does it cross the captions (what the render without captions lacks).
            if let Some(captions) = caption_box(&plain_rgb, &frame(&nothing, at, "rgb24"), file.width) {
                assert!(
                    !captioned::overlaps(&captions, &card),
                    "{index}: the card {card:?} over the captions {captions:?}"
                );
            }
        }
        assert!(seen_faces >= 1, "{index}: no face found on the last frames");
    }
}
