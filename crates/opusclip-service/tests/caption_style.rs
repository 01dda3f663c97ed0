//! Choosing the caption look and place when a job is created: `caption_style` and
//! `caption_position` on `POST /api/jobs` reach every clip's `ClipSpec` (clip-NN.json) and the
//! burned-in captions, a bad name or place is a 422 saying what is valid, and the OpenAPI document
//! names the field.

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
