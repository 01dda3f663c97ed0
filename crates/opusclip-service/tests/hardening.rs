//! Hardening of the upload route and of the service's own files: text fields of the multipart
//! form capped in size, count and total (413); a repeated `file` or `transcript` part refused
//! (400) with nothing left in the spool; partial uploads and work folders left by a killed
//! process swept at start-up; refusals that never show server paths; URL errors that name the
//! field the client sent.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, SystemTime};

fn assert_too_large(answer: &Answer, what: &str) {
    assert_eq!(
        (answer.status, answer.json()["code"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE")),
        "{what}: {}",
        answer.text()
    );
}

#[test]
fn text_fields_are_capped_in_size_count_and_total() {
    let service = TestService::sqlite(&[], 0);
    let key = service.key("text-caps");
    let url = service.url("/api/jobs");

    let long = "x".repeat(70 * 1024);
    assert_too_large(&post_form(&url, &key, &[Part::Field("prompt", &long)], &[]), "one 70 KiB field");

    let many: Vec<Part> = (0..65).map(|_| Part::Field("length", "15-30")).collect();
    let answer = post_form(&url, &key, &many, &[]);
    assert_too_large(&answer, "65 fields");
    assert_eq!(answer.json()["details"]["limit_fields"], 64, "{}", answer.text());

    let chunk = "y".repeat(60 * 1024);
    let bulky: Vec<Part> = (0..5).map(|_| Part::Field("prompt", &chunk)).collect();
    let answer = post_form(&url, &key, &bulky, &[]);
    assert_too_large(&answer, "five 60 KiB fields (300 KiB in all)");
    assert_eq!(answer.json()["details"]["limit_bytes"], 256 * 1024, "{}", answer.text());

    let within: Vec<Part> = (0..64).map(|_| Part::Field("length", "15-30")).collect();
    let answer = post_form(&url, &key, &within, &[]);
    assert_eq!(answer.status, 422, "64 small fields are fine (refused only for lacking a video): {}", answer.text());
}

#[test]
fn a_repeated_file_or_transcript_part_is_refused() {
    let service = TestService::sqlite(&[], 0);
    let key = service.key("duplicates");
    let url = service.url("/api/jobs");
    let bytes = b"first copy of a would-be video".to_vec();
    for name in ["file", "transcript"] {
        let parts = [Part::File(name, "one.mp4", bytes.clone()), Part::File(name, "two.mp4", bytes.clone())];
        let answer = post_form(&url, &key, &parts, &[]);
        assert_eq!(
            (answer.status, answer.json()["code"].as_str()),
            (400, Some("BAD_REQUEST")),
            "{name}: {}",
            answer.text()
        );
        assert_eq!(answer.json()["details"]["field"], name, "{}", answer.text());
        assert!(answer.json()["error"].as_str().unwrap().contains(name), "{}", answer.text());
        let left = std::fs::read_dir(service.data.join("spool")).unwrap().count();
        assert_eq!(left, 0, "{name}: no spooled copy is left behind");
    }
}

fn wait_until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

#[test]
fn leftovers_of_a_killed_process_are_swept_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("spool");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&spool).unwrap();
    let partial = spool.join("upload-0123456789abcdef01234567");
    std::fs::write(&partial, b"half an upload").unwrap();
    let orphan = work.join("0123456789abcdef01234567-1-abcdef");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("source"), b"half a download").unwrap();

    let first = TestService::start(config(dir.path(), &[]), 1);
    assert!(!partial.exists(), "alone on the spool, the server removes every leftover upload");
    assert!(wait_until(Duration::from_secs(10), || !orphan.exists()), "the work folder of no running job is removed");

    // A second process on the same folders: uploads of the first may be in flight, so only
    // spool files idle for over an hour go.
    let fresh = spool.join("upload-fresh00000000000000000000");
    let stale = spool.join("upload-stale00000000000000000000");
    std::fs::write(&fresh, b"being written").unwrap();
    std::fs::write(&stale, b"abandoned").unwrap();
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
    let second = TestService::start(config(dir.path(), &[]), 0);
    assert!(fresh.exists(), "an upload that may be in flight is kept");
    assert!(!stale.exists(), "an upload idle for two hours is removed");
    drop(second);
    drop(first);
}

#[test]
fn refusals_do_not_reveal_server_paths() {
    let service = TestService::sqlite(&[], 0);
    let key = service.key("paths");
    let answer = post_form(
        &service.url("/api/jobs"),
        &key,
        &[Part::File("file", "notes.mp4", b"just some text, no video".repeat(50))],
        &[],
    );
    assert_eq!(
        (answer.status, answer.json()["code"].as_str()),
        (422, Some("INVALID_INPUT_ERROR")),
        "{}",
        answer.text()
    );
    let text = answer.text();
    let data = service.data.display().to_string();
    assert!(!text.contains(&data) && !text.contains("spool") && !text.contains("upload-"), "{text}");
    assert!(text.contains("the uploaded file"), "the file is named as the client knows it: {text}");
}

#[test]
fn failed_jobs_do_not_reveal_server_paths() {
    let port = tiny_server(|_| (200, vec![("content-type".into(), "video/mp4".into())], b"no video here".repeat(100)));
    let allow = format!("127.0.0.1:{port}");
    let service = TestService::sqlite(&[("URL_ALLOWLIST", &allow), ("JOB_MAX_ATTEMPTS", "1")], 1);
    let key = service.key("job-paths");
    let body = json!({ "video_url": format!("http://127.0.0.1:{port}/talk.mp4") });
    let accepted = post_json(&service.url("/api/video/process"), &key, &body, &[]);
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let id = accepted.json()["job_id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(30));
    assert_eq!(status["state"], "failed", "{status}");
    let text = status["error"].to_string();
    let data = service.data.display().to_string();
    assert!(!text.contains(&data) && !text.contains("/work/"), "{text}");
}

#[test]
fn url_errors_name_the_field_the_client_sent() {
    let service = TestService::sqlite(&[], 0);
    let key = service.key("fields");
    let refused =
        post_json(&service.url("/api/video/process"), &key, &json!({ "video_url": "ftp://example.com/a" }), &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(refused.json()["details"]["field"], "video_url", "{}", refused.text());
    assert!(refused.json()["error"].as_str().unwrap().starts_with("video_url "), "{}", refused.text());
    let form = post_form(&service.url("/api/jobs"), &key, &[Part::Field("url", "ftp://example.com/a")], &[]);
    assert_eq!(form.json()["details"]["field"], "url", "the form's field is `url`: {}", form.text());
}
