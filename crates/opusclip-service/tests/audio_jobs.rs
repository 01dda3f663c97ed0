//! A podcast uploaded to `POST /api/jobs` — an mp3 with its SRT — is accepted (mp3 is an allowed
//! container and the probe's "no video stream" is not a refusal) and becomes audiogram clips at
//! the loudness asked for; a loudness that is no target is a 422.

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

/// The talk's sound alone, as an mp3 beside it.
fn podcast(talk: &Talk) -> Vec<u8> {
    let mp3 = talk.dir.path().join("talk.mp3");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&talk.video)
        .args(["-vn", "-c:a", "libmp3lame", "-b:a", "96k"])
        .arg(&mp3)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the mp3");
    std::fs::read(&mp3).unwrap()
}

fn podcast_parts(talk: &Talk, loudness: &'static str) -> Vec<Part<'static>> {
    vec![
        Part::File("file", "episode.mp3", podcast(talk)),
        Part::File("transcript", "episode.srt", std::fs::read(&talk.srt).unwrap()),
        Part::Field("clips", "1"),
        Part::Field("min", "4"),
        Part::Field("max", "8"),
        Part::Field("loudness", loudness),
    ]
}

#[test]
fn an_uploaded_mp3_becomes_audiogram_clips() {
    let talk = make_talk("podcast-upload");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("podcast");
    let created = post_form(&service.url("/api/jobs"), &key, &podcast_parts(&talk, "podcast"), &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(180));
    assert_eq!(status["state"], "succeeded", "{status}");
    let manifest = get(&service.url(&format!("/api/jobs/{id}/manifest")), &key).json();
    let clips = manifest["clips"].as_array().expect("clips");
    assert!(!clips.is_empty(), "{manifest}");
    let spec_name = clips[0]["spec"].as_str().expect("a spec");
    let spec = get(&service.url(&format!("/api/jobs/{id}/files/{spec_name}")), &key).json();
    assert_eq!(spec["outputs"][0]["layout"], "audiogram", "{spec}");
    assert_eq!(spec["loudness"], -16.0, "the podcast preset");
    let video_name = clips[0]["outputs"][0]["path"].as_str().expect("a video");
    let video = get(&service.url(&format!("/api/jobs/{id}/files/{video_name}")), &key);
    assert_eq!(video.status, 200);
    let local = talk.dir.path().join("downloaded.mp4");
    std::fs::write(&local, &video.body).unwrap();
    let facts = opusclip_media::probe(&local).expect("a playable clip");
    assert_eq!((facts.video.width, facts.video.height), (1080, 1920));
}

#[test]
fn a_loudness_that_is_no_target_is_refused() {
    let talk = make_talk("podcast-refused");
    let service = TestService::sqlite(&[], 0);
    let key = service.key("podcast");
    let refused = post_form(&service.url("/api/jobs"), &key, &podcast_parts(&talk, "very loud"), &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("loudness"), "{}", refused.text());
}
