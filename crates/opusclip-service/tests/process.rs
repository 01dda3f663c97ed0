//! The specification's endpoint, `POST /api/video/process`, on a real video fetched from a URL
//! (an allow-listed local server; the video carries its subtitles, as URL jobs have no
//! transcript part): each processing type with `?wait=true`, the specified answer, inline
//! base64, idempotency, and a signed webhook that is retried after a failed delivery.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn serve_video(path: &std::path::Path) -> u16 {
    let video = std::fs::read(path).unwrap();
    tiny_server(move |_| (200, vec![("content-type".into(), "video/mp4".into())], video.clone()))
}

fn process(service: &TestService, key: &str, body: Value) -> (u16, Value) {
    let answer = post_json(&service.url("/api/video/process?wait=true"), key, &body, &[]);
    (answer.status, answer.json())
}

fn ffprobe_size(bytes: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(file.path())
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn every_processing_type_answers_the_specified_body() {
    let talk = make_talk("process-types");
    let port = serve_video(&talk.with_subtitles);
    let allow = format!("127.0.0.1:{port}");
    let service = TestService::sqlite(&[("URL_ALLOWLIST", &allow)], 2);
    let key = service.key("process");
    let video_url = format!("http://127.0.0.1:{port}/talk.mp4");

    let (status, clips) =
        process(&service, &key, json!({ "video_url": video_url, "max_length": 8, "clips": 1, "inline": true }));
    assert_eq!(status, 200, "{clips}");
    for field in ["processed_video", "captions", "processing_time", "confidence_score", "clips", "job_id"] {
        assert!(!clips[field].is_null(), "{field} missing from {clips}");
    }
    assert!(clips["processing_time"].as_f64().unwrap() > 0.0);
    let first = &clips["clips"][0];
    assert!(first["duration"].as_f64().unwrap() <= 8.0 + 1e-6, "max_length caps the clip: {first}");
    let downloaded = get(&service.url(clips["processed_video"].as_str().unwrap()), &key).body;
    let inline = clips["processed_video_base64"].as_str().expect("inline video under the cap");
    assert_eq!(inline, opusclip_service::api::base64(&downloaded), "the inline video is the processed video");
    assert_eq!(ffprobe_size(&downloaded), "1080,1920");

    let (status, captions) =
        process(&service, &key, json!({ "video_url": video_url, "processing_type": "captions", "max_length": 14 }));
    assert_eq!(status, 200, "{captions}");
    let srt = captions["captions"].as_str().unwrap();
    let lines: Vec<&str> =
        srt.lines().filter(|l| !l.is_empty() && !l.contains("-->") && l.parse::<u32>().is_err()).collect();
    assert!(lines.len() >= 4, "{srt}");
    assert!(lines.iter().all(|line| line.chars().count() <= 14), "max_length caps caption lines: {lines:?}");
    assert!(srt.contains("customer"), "the whole video is captioned: {srt}");
    let video = get(&service.url(captions["processed_video"].as_str().unwrap()), &key).body;
    assert!(!ffprobe_size(&video).is_empty(), "a playable captioned video");

    let (status, transcript) =
        process(&service, &key, json!({ "video_url": video_url, "processing_type": "transcript" }));
    assert_eq!(status, 200, "{transcript}");
    assert!(transcript["processed_video"].is_null());
    let words = transcript["captions"].as_str().unwrap().to_lowercase();
    for word in ["welcome", "pricing", "customer", "love"] {
        assert!(words.contains(word), "{word} in the transcript");
    }
    let confidence = transcript["confidence_score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence));

    let (status, reframed) = process(&service, &key, json!({ "video_url": video_url, "processing_type": "reframe" }));
    assert_eq!(status, 200, "{reframed}");
    let video = get(&service.url(reframed["processed_video"].as_str().unwrap()), &key).body;
    assert_eq!(ffprobe_size(&video), "1080,1920", "reframed to 9:16");

    let (status, refused) = process(&service, &key, json!({ "video_url": video_url, "max_length": 501 }));
    assert_eq!((status, refused["code"].as_str()), (422, Some("INVALID_INPUT_ERROR")));
    let (status, unknown) = process(&service, &key, json!({ "video_url": video_url, "processing_type": "dub" }));
    assert_eq!(status, 422, "{unknown}");
}

#[test]
fn without_wait_the_answer_is_202_with_links_and_idempotent() {
    let talk = make_talk("process-202");
    let port = serve_video(&talk.with_subtitles);
    let service = TestService::sqlite(&[("URL_ALLOWLIST", &format!("127.0.0.1:{port}"))], 0);
    let key = service.key("async");
    let body = json!({ "video_url": format!("http://127.0.0.1:{port}/v.mp4"), "max_length": 30 });
    let first = post_json(&service.url("/api/video/process"), &key, &body, &[("idempotency-key", "abc")]);
    assert_eq!(first.status, 202);
    let accepted = first.json();
    let id = accepted["job_id"].as_str().unwrap();
    assert_eq!(accepted["status_url"], format!("/api/jobs/{id}"));
    assert_eq!(accepted["events_url"], format!("/api/jobs/{id}/events"));
    let again = post_json(&service.url("/api/video/process"), &key, &body, &[("idempotency-key", "abc")]);
    assert_eq!((again.status, again.json()["job_id"].as_str()), (200, Some(id)));
    let changed = json!({ "video_url": format!("http://127.0.0.1:{port}/v.mp4"), "max_length": 31 });
    assert_eq!(
        post_json(&service.url("/api/video/process"), &key, &changed, &[("idempotency-key", "abc")]).status,
        409
    );
    let manifest = get(&service.url(&format!("/api/jobs/{id}/manifest")), &key);
    assert_eq!((manifest.status, manifest.json()["details"]["state"].as_str()), (409, Some("queued")));
}

#[test]
fn webhooks_are_signed_and_retried() {
    let talk = make_talk("webhook");
    let video_port = serve_video(&talk.with_subtitles);
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let recorder = seen.clone();
    let hook_port = tiny_server(move |request| {
        let mut seen = recorder.lock().unwrap();
        seen.push(Seen { path: request.path.clone(), headers: request.headers.clone(), body: request.body.clone() });
        if seen.len() == 1 {
            (500, Vec::new(), b"try again".to_vec())
        } else {
            (200, Vec::new(), Vec::new())
        }
    });
    let allow = format!("127.0.0.1:{video_port},127.0.0.1:{hook_port}");
    let secret = "whsec-test-123";
    let service = TestService::sqlite(
        &[("URL_ALLOWLIST", &allow), ("WEBHOOK_SECRET", secret), ("WEBHOOK_RETRY_SECONDS", "1")],
        1,
    );
    let key = service.key("hooks");
    let body = json!({
        "video_url": format!("http://127.0.0.1:{video_port}/talk.mp4"),
        "processing_type": "transcript",
        "webhook_url": format!("http://127.0.0.1:{hook_port}/hook"),
    });
    let accepted = post_json(&service.url("/api/video/process"), &key, &body, &[]);
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let id = accepted.json()["job_id"].as_str().unwrap().to_string();
    assert_eq!(wait_for_job(&service.base, &key, &id, Duration::from_secs(60))["state"], "succeeded");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "delivered once more after the 500");
    let delivery = &seen[1];
    assert_eq!(delivery.path, "/hook");
    assert_eq!(delivery.header("x-opusclip-event"), Some("job.succeeded"));
    let timestamp: i64 = delivery.header("x-opusclip-timestamp").unwrap().parse().unwrap();
    let body = String::from_utf8(delivery.body.clone()).unwrap();
    let expected = opusclip_service::webhooks::signature(secret, timestamp, &body);
    assert_eq!(delivery.header("x-opusclip-signature"), Some(expected.as_str()), "HMAC-SHA256 of timestamp.body");
    let wrong = opusclip_service::webhooks::signature("another secret", timestamp, &body);
    assert_ne!(delivery.header("x-opusclip-signature"), Some(wrong.as_str()));
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (payload["job"]["id"].as_str(), payload["job"]["state"].as_str()),
        (Some(id.as_str()), Some("succeeded"))
    );
    assert_eq!(seen[0].body, seen[1].body, "the retry sends the same payload");
}
