//! Choosing the caption look, place and layout when a job is created: `caption_style`,
//! `caption_position` and `layout` on `POST /api/jobs` reach every clip's `ClipSpec`
//! (clip-NN.json) and the burned-in captions, a bad name or place is a 422 saying what is valid,
//! the OpenAPI document names the field, and a template's logo and font come as file parts.

mod common;

use common::*;
use opusclip_core::{caption_style_named, caption_style_names};
use serde_json::json;
use std::time::Duration;

#[test]
fn a_job_made_with_a_caption_style_renders_clips_in_that_look() {
    let talk = make_talk("caption-style");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("caption-style");
    let mut parts = clip_parts(&talk);
    parts.push(Part::Field("caption_style", "Punch"));
    parts.push(Part::Field("caption_position", "Top"));
    parts.push(Part::Field("layout", "blur-fit"));
    let created = post_form(&service.url("/api/jobs"), &key, &parts, &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(120));
    assert_eq!(status["state"], "succeeded", "{status}");

    let manifest = get(&service.url(&format!("/api/jobs/{id}/manifest")), &key).json();
    let clips = manifest["clips"].as_array().expect("clips");
    assert!(!clips.is_empty(), "{manifest}");
    let mut punch = serde_json::to_value(caption_style_named("punch").unwrap()).unwrap();
    punch["position"] = json!("top");
    for clip in clips {
        let spec_name = clip["spec"].as_str().expect("the clip's spec file");
        let spec = get(&service.url(&format!("/api/jobs/{id}/files/{spec_name}")), &key).json();
        assert_eq!(spec["caption_style"], punch, "{spec_name} carries the chosen look");
        let layout = spec["outputs"][0]["layout"].to_string();
        assert!(layout.contains("blur"), "{spec_name} has the layout asked for: {layout}");
        assert_eq!(
            (spec["caption_style"]["uppercase"].as_bool(), spec["caption_style"]["highlight_color"].as_str()),
            (Some(true), Some("39FF14"))
        );
    }
    // The default look is another job (and another cache entry): the same upload without the
    // field is not answered from this job's result.
    let plain = post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    assert_eq!(plain.status, 202, "{}", plain.text());
    let plain_id = plain.json()["id"].as_str().unwrap().to_string();
    let plain_status = wait_for_job(&service.base, &key, &plain_id, Duration::from_secs(120));
    assert_eq!(plain_status["state"], "succeeded", "{plain_status}");
    let spec = get(&service.url(&format!("/api/jobs/{plain_id}/files/clip-01.json")), &key).json();
    assert_eq!(spec["caption_style"], serde_json::to_value(caption_style_named("bold").unwrap()).unwrap());
}

#[test]
fn a_bad_caption_style_is_refused_naming_the_valid_ones() {
    let talk = make_talk("caption-style-refused");
    let service = TestService::sqlite(&[], 0);
    let key = service.key("caption-style");
    let url = service.url("/api/jobs");
    let mut parts = clip_parts(&talk);
    parts.push(Part::Field("caption_style", "comic-sans"));
    let refused = post_form(&url, &key, &parts, &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    let body = refused.json();
    assert_eq!(body["code"], "INVALID_INPUT_ERROR");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains("comic-sans") && message.contains("bold, clean, punch, single, none"), "{message}");
    assert_eq!(body["details"]["caption_styles"], json!(caption_style_names()));

    let mut clash = clip_parts(&talk);
    clash.push(Part::Field("caption_style", "clean"));
    clash.push(Part::Field("no_captions", "true"));
    assert_eq!(post_form(&url, &key, &clash, &[]).status, 422, "no_captions beside another look");
    let mut misplaced = clip_parts(&talk);
    misplaced.push(Part::Field("caption_position", "95%"));
    let refused = post_form(&url, &key, &misplaced, &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("10% to 90%"), "{}", refused.text());
    let stored = service.data.join("storage/jobs");
    assert!(!stored.exists() || std::fs::read_dir(&stored).unwrap().count() == 0, "refusals store nothing");

    let openapi = request("GET", &service.url("/openapi.json"), &[], None).json();
    let field = &openapi["components"]["schemas"]["JobForm"]["properties"]["caption_style"];
    let described = field["description"].as_str().unwrap_or_default();
    for name in caption_style_names() {
        assert!(described.contains(name), "the OpenAPI document names {name}: {field}");
    }
}

#[test]
fn a_template_sets_the_look_of_a_job_and_bad_ones_are_refused() {
    let talk = make_talk("caption-template");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("caption-template");
    let url = service.url("/api/jobs");
    let mut parts = clip_parts(&talk);
    parts.push(Part::Field(
        "template",
        "base = \"clean\"\nanimation = \"karaoke\"\nkeyword_color = \"00e5ff\"\nshadow = 2",
    ));
    let created = post_form(&url, &key, &parts, &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(120));
    assert_eq!(status["state"], "succeeded", "{status}");
    let spec = get(&service.url(&format!("/api/jobs/{id}/files/clip-01.json")), &key).json();
    let style = &spec["caption_style"];
    assert_eq!((style["animation"].as_str(), style["keyword_color"].as_str()), (Some("karaoke"), Some("00E5FF")));
    assert_eq!((style["font_size"].as_u64(), style["shadow"].as_u64()), (Some(60), Some(2)), "clean, with a shadow");

    for (template, named) in [
        ("font_size = 999", "font_size"),
        ("[watermark]\nimage = \"logo.png\"", "watermark"),
        ("font_file = \"Brand.ttf\"", "font_file"),
        ("animation = \"spin\"", "animation"),
    ] {
        let mut bad = clip_parts(&talk);
        bad.push(Part::Field("template", template));
        let refused = post_form(&url, &key, &bad, &[]);
        assert_eq!(refused.status, 422, "{template}: {}", refused.text());
        assert!(refused.text().contains(named), "{template}: {}", refused.text());
    }
    let mut both = clip_parts(&talk);
    both.push(Part::Field("template", "base = \"clean\""));
    both.push(Part::Field("caption_style", "punch"));
    assert_eq!(post_form(&url, &key, &both, &[]).status, 422, "a template beside a named look");
}

/// One frame of a published video at `at` seconds, as 1080x1920 RGB.
fn frame_of(video: &[u8], at: f64) -> Vec<u8> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), video).unwrap();
    let output = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", &format!("{at:.2}"), "-i"])
        .arg(file.path())
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_eq!(output.stdout.len(), 1080 * 1920 * 3, "a 1080x1920 frame");
    output.stdout
}

/// Share of the pixels of the box `(x0, y0, x1, y1)` of a 1080-wide RGB frame that are the
/// logo's orange.
fn orange_share(rgb: &[u8], (x0, y0, x1, y1): (usize, usize, usize, usize)) -> f64 {
    let orange = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (y * 1080 + x) * 3))
        .filter(|&at| rgb[at] > 200 && (60..160).contains(&rgb[at + 1]) && rgb[at + 2] < 80)
        .count();
    orange as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

/// The first clip of a finished job: its spec and its 9:16 video.
fn first_clip(service: &TestService, key: &str, id: &str) -> (serde_json::Value, Vec<u8>) {
    let status = wait_for_job(&service.base, key, id, Duration::from_secs(120));
    assert_eq!(status["state"], "succeeded", "{status}");
    let spec = get(&service.url(&format!("/api/jobs/{id}/files/clip-01.json")), key).json();
    let video = get(&service.url(status["result"]["processed_video"].as_str().unwrap()), key).body;
    (spec, video)
}

#[test]
fn a_template_with_its_logo_and_font_files_brands_the_clips_and_their_re_render() {
    const SERIF: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";
    let talk = make_talk("caption-brand-files");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("caption-brand");
    let url = service.url("/api/jobs");
    let logo = talk.dir.path().join("logo.png");
    solid_png(&logo, "0xFF6600", "200x100");
    let (logo, font) = (std::fs::read(&logo).unwrap(), std::fs::read(SERIF).expect("fonts-dejavu-core (setup.sh)"));
    let template =
        "base = \"bold\"\nfont_file = \"Brand.ttf\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"top-left\"\n\
                    width = 0.2\nopacity = 1.0\n";
    let mut parts = clip_parts(&talk);
    parts.push(Part::Field("template", template));
    parts.push(Part::File("watermark", "logo.png", logo.clone()));
    parts.push(Part::File("font", "Brand.ttf", font.clone()));
    let created = post_form(&url, &key, &parts, &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let (spec, video) = first_clip(&service, &key, &id);
    // The published spec names the brand's files as the job's own, not as paths on the worker.
    assert_eq!(spec["watermark"]["image"], "watermark", "{spec}");
    assert_eq!(spec["watermark"]["corner"], "top-left");
    assert_eq!(spec["caption_style"]["font_file"], "font");
    assert_eq!(spec["source"]["path"], "source", "by role: a cached result is shared by jobs of the same content");
    // The logo is drawn where the template put it: top left, inside the platform margins.
    let placed = opusclip_core::Watermark {
        image: String::new(),
        corner: opusclip_core::Corner::TopLeft,
        width: 0.2,
        opacity: 1.0,
    };
    let (x, y, size, _) = placed.area(1080, 1920);
    let logo_box = (x as usize + 8, y as usize + 8, (x + size) as usize - 8, (y + size / 2.0) as usize - 8);
    let branded = frame_of(&video, 1.5);
    assert!(orange_share(&branded, logo_box) > 0.9, "the logo is missing from {logo_box:?}");

    // The same job without the font: the captions are drawn differently, the logo the same.
    let mut sans = clip_parts(&talk);
    sans.push(Part::Field(
        "template",
        "base = \"bold\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"top-left\"\nwidth = 0.2\nopacity = 1.0\n",
    ));
    sans.push(Part::File("watermark", "logo.png", logo.clone()));
    let created = post_form(&url, &key, &sans, &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let (_, sans_video) = first_clip(&service, &key, created.json()["id"].as_str().unwrap());
    let changed = |a: &[u8], b: &[u8]| {
        a.chunks_exact(3)
            .zip(b.chunks_exact(3))
            .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 60))
            .count()
    };
    let font_changes =
        [1.0, 2.5].iter().map(|&at| changed(&frame_of(&video, at), &frame_of(&sans_video, at))).max().unwrap();
    assert!(font_changes > 2000, "the uploaded font changed {font_changes} pixels of the captions");

    // The edited spec renders again with the job's own logo.
    let render = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &spec, &[]);
    assert_eq!(render.status, 202, "{}", render.text());
    let render_id = render.json()["id"].as_str().unwrap().to_string();
    let rendered = wait_for_job(&service.base, &key, &render_id, Duration::from_secs(120));
    assert_eq!(rendered["state"], "succeeded", "{rendered}");
    let again = get(&service.url(rendered["result"]["processed_video"].as_str().unwrap()), &key).body;
    assert!(orange_share(&frame_of(&again, 1.5), logo_box) > 0.9, "the re-render lost the logo");

    // Files that are not what they say are refused, naming the part.
    // A PNG header claiming 8000x8000 pixels (the renderer would decode it for every frame).
    let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    huge.extend_from_slice(&8000u32.to_be_bytes());
    huge.extend_from_slice(&8000u32.to_be_bytes());
    for (part, name, bytes) in [
        ("watermark", "logo.png", b"not a picture".to_vec()),
        ("watermark", "huge.png", huge),
        ("font", "Brand.ttf", logo.clone()),
    ] {
        let mut bad = clip_parts(&talk);
        bad.push(Part::File(part, name, bytes));
        let refused = post_form(&url, &key, &bad, &[]);
        assert_eq!(refused.status, 422, "{part}: {}", refused.text());
        assert!(refused.text().contains(&format!("`{part}`")), "{part}: {}", refused.text());
        assert!(!refused.text().contains("upload-"), "no spool path in {}", refused.text());
    }
}
