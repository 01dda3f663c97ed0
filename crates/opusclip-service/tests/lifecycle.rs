//! The whole job lifecycle over HTTP, on SQLite and on PostgreSQL: upload a real video with its
//! SRT, follow the server-sent events to the end, read the manifest, download a clip whole and
//! by ranges, re-render an edited spec, check the metrics, delete the job. Plus the refusals of the job routes: not a
//! video, bad options, both or neither source, unknown fields, idempotency conflicts.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::time::Duration;

/// Read server-sent events until the stream ends; (event name, data) pairs.
fn read_events(url: &str, key: &str) -> Vec<(String, serde_json::Value)> {
    let config = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(120))).build();
    let agent = ureq::Agent::new_with_config(config);
    let response = agent.get(url).header("x-api-key", key).call().expect("events stream opens");
    assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    let reader = BufReader::new(response.into_body().into_reader());
    let mut events = Vec::new();
    let mut name = String::new();
    for line in reader.lines() {
        let line = line.unwrap();
        if let Some(event) = line.strip_prefix("event: ") {
            name = event.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            events.push((name.clone(), serde_json::from_str(data).unwrap()));
        }
    }
    events
}

fn duration_of(bytes: &[u8]) -> f64 {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(file.path())
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().parse().unwrap_or(0.0)
}

fn lifecycle(service: &TestService, talk: &Talk) {
    let key = service.key("lifecycle");
    let created = post_form(&service.url("/api/jobs"), &key, &clip_parts(talk), &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let job = created.json();
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(job["state"], "queued");
    assert_eq!(created.header("location"), Some(format!("/api/jobs/{id}").as_str()));

    let events = read_events(&service.url(&format!("/api/jobs/{id}/events")), &key);
    let (last_name, last) = events.last().expect("at least one event");
    assert_eq!(last_name, "succeeded", "events: {events:?}");
    assert_eq!(last["percent"], 100.0);
    let stages: Vec<&str> = events.iter().filter_map(|(_, e)| e["stage"].as_str()).collect();
    assert!(stages.contains(&"render"), "progress named the render stage: {stages:?}");
    let percents: Vec<f64> = events.iter().filter_map(|(_, e)| e["percent"].as_f64()).collect();
    assert!(percents.windows(2).all(|w| w[1] >= w[0]), "percent never goes back: {percents:?}");
    assert!(
        events.iter().any(|(_, e)| e["eta_seconds"].as_f64().is_some() && e["state"] == "running"),
        "an ETA while running"
    );

    let status = get(&service.url(&format!("/api/jobs/{id}")), &key).json();
    assert_eq!(status["state"], "succeeded");
    assert_eq!(status["attempts"], 1);
    let result = &status["result"];
    let clip_url = result["processed_video"].as_str().expect("a processed video").to_string();
    assert_eq!(clip_url, format!("/api/jobs/{id}/files/clip-01.mp4"));
    assert!(result["captions"].as_str().unwrap().contains("-->"), "captions are the clip's SRT");
    let confidence = result["confidence_score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence) && confidence > 0.0, "{confidence}");
    assert!(status["stage_seconds"]["render"].as_f64().unwrap() > 0.0);

    let manifest = get(&service.url(&format!("/api/jobs/{id}/manifest")), &key);
    assert_eq!(manifest.status, 200);
    let manifest = manifest.json();
    assert_eq!(manifest["clips"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["source"]["path"], "talk.mp4", "the manifest names the upload, not a server path");
    assert_eq!(manifest["files_url"], format!("/api/jobs/{id}/files/"));

    let whole = get(&service.url(&clip_url), &key);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-type"), Some("video/mp4"));
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let size = whole.body.len();
    assert!(size > 10_000, "a real clip: {size} bytes");
    assert_eq!(&whole.body[4..8], b"ftyp", "an MP4 file");
    let part = request("GET", &service.url(&clip_url), &[("x-api-key", &key), ("range", "bytes=100-199")], None);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(format!("bytes 100-199/{size}").as_str()));
    assert_eq!(part.body, whole.body[100..200]);
    let tail = request("GET", &service.url(&clip_url), &[("x-api-key", &key), ("range", "bytes=-10")], None);
    assert_eq!(tail.body, whole.body[size - 10..]);
    let beyond =
        request("GET", &service.url(&clip_url), &[("x-api-key", &key), ("range", &format!("bytes={size}-"))], None);
    assert_eq!(beyond.status, 416);
    assert_eq!(beyond.header("content-range"), Some(format!("bytes */{size}").as_str()));
    assert_eq!(get(&service.url(&format!("/api/jobs/{id}/files/..%2Fmanifest.json")), &key).status, 404);

    let metrics = request("GET", &service.url("/metrics"), &[], None).text();
    assert!(metrics.contains("opusclip_jobs{state=\"succeeded\"} 1"), "{metrics}");
    assert!(metrics.contains("opusclip_queue_depth 0"));
    assert!(metrics.contains("opusclip_stage_seconds_count{stage=\"render\"} 1"));

    // Re-render an edited spec: shorter, and with a source path that must be ignored.
    let mut spec = get(&service.url(&format!("/api/jobs/{id}/files/clip-01.json")), &key).json();
    let start = spec["start"].as_f64().unwrap();
    spec["end"] = serde_json::json!(start + 3.0);
    spec["source"]["path"] = serde_json::json!("/etc/passwd");
    let render = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &spec, &[]);
    assert_eq!(render.status, 202, "{}", render.text());
    let render_id = render.json()["id"].as_str().unwrap().to_string();
    let rendered = wait_for_job(&service.base, &key, &render_id, Duration::from_secs(60));
    assert_eq!(
        (rendered["state"].as_str(), rendered["kind"].as_str()),
        (Some("succeeded"), Some("render")),
        "{rendered}"
    );
    let video = get(&service.url(rendered["result"]["processed_video"].as_str().unwrap()), &key).body;
    let seconds = duration_of(&video);
    assert!((seconds - 3.0).abs() < 0.3, "the edit took effect: {seconds} s");
    // Paths on the server are not the caller's to name: a caption font file, a watermark image.
    let mut named_path = spec.clone();
    named_path["caption_style"]["font_file"] = serde_json::json!("/etc/passwd");
    let refused = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &named_path, &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("caption font file"), "{}", refused.text());
    named_path["caption_style"]["font_file"] = serde_json::Value::Null;
    named_path["watermark"] =
        serde_json::json!({ "image": "/etc/hostname", "corner": "top-right", "width": 0.2, "opacity": 1.0 });
    assert_eq!(post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &named_path, &[]).status, 422);
    // Kept ranges out of order are refused before anything is queued.
    let mut backwards = spec.clone();
    backwards["kept_ranges"] =
        serde_json::json!([{ "start": start + 2.0, "end": start + 3.0 }, { "start": start, "end": start + 1.0 }]);
    let refused = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &backwards, &[]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("kept_ranges"), "{}", refused.text());
    spec["outputs"][0]["width"] = serde_json::json!(100_000);
    let refused = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &spec, &[]);
    assert_eq!(refused.status, 422, "oversized outputs are refused");

    let other = service.key("someone else");
    assert_eq!(get(&service.url(&format!("/api/jobs/{id}")), &other).status, 404, "jobs belong to their key");

    assert_eq!(request("DELETE", &service.url(&format!("/api/jobs/{id}")), &[("x-api-key", &key)], None).status, 204);
    let gone = get(&service.url(&format!("/api/jobs/{id}")), &key);
    assert_eq!((gone.status, gone.json()["code"].as_str()), (404, Some("NOT_FOUND")));
    assert!(!service.data.join("storage/jobs").join(&id).exists(), "files deleted with the job");
}

#[test]
fn the_job_lifecycle_on_sqlite() {
    let talk = make_talk("lifecycle-sqlite");
    let service = TestService::sqlite(&[], 1);
    lifecycle(&service, &talk);
    assert!(service.data.join("jobs.db").is_file(), "the embedded store is a file in the data dir");
}

#[test]
fn the_job_lifecycle_on_postgresql() {
    if !service_available("PostgreSQL", "127.0.0.1:5432") {
        return;
    }
    let talk = make_talk("lifecycle-postgres");
    let (url, schema) = postgres_schema_url("lifecycle");
    let _schema = SchemaGuard(schema);
    let dir = tempfile::tempdir().unwrap();
    let service = TestService::start(config(dir.path(), &[("DATABASE_URL", &url)]), 1);
    lifecycle(&service, &talk);
}

#[test]
fn bad_jobs_are_refused_with_their_codes() {
    let talk = make_talk("refusals");
    let service = TestService::sqlite(&[], 0);
    let key = service.key("refusals");
    let url = service.url("/api/jobs");

    let not_video =
        post_form(&url, &key, &[Part::File("file", "notes.mp4", b"just some text, no video".to_vec())], &[]);
    assert_eq!(
        (not_video.status, not_video.json()["code"].as_str()),
        (422, Some("INVALID_INPUT_ERROR")),
        "{}",
        not_video.text()
    );

    let mut parts = clip_parts(&talk);
    parts.push(Part::Field("aspect", "3:2"));
    parts.push(Part::Field("length", "30-15"));
    let bad_options = post_form(&url, &key, &parts, &[]);
    assert_eq!(bad_options.status, 422);
    let message = bad_options.json()["error"].as_str().unwrap().to_string();
    assert!(message.contains("3:2") && message.contains("30-15"), "every bad option is named: {message}");

    let neither = post_form(&url, &key, &[Part::Field("clips", "2")], &[]);
    assert_eq!(neither.status, 422);
    let both = post_form(
        &url,
        &key,
        &[
            Part::File("file", "talk.mp4", std::fs::read(&talk.video).unwrap()),
            Part::Field("url", "https://example.com/a.mp4"),
        ],
        &[],
    );
    assert_eq!(both.status, 422);
    let unknown = post_form(&url, &key, &[Part::Field("whisper_model", "/etc/passwd")], &[]);
    assert!(unknown.json()["error"].as_str().unwrap().contains("unknown field"));
    let not_multipart = post_json(&url, &key, &serde_json::json!({"clips": 1}), &[]);
    assert_eq!((not_multipart.status, not_multipart.json()["code"].as_str()), (400, Some("BAD_REQUEST")));
    assert_eq!(request("PUT", &url, &[("x-api-key", &key)], None).json()["code"], "METHOD_NOT_ALLOWED");
    assert_eq!(get(&service.url("/api/nothing"), &key).json()["code"], "NOT_FOUND");
    let spool = std::fs::read_dir(service.data.join("spool")).unwrap().count();
    assert_eq!(spool, 0, "refused uploads leave nothing in the spool");
    let stored = service.data.join("storage/jobs");
    assert!(!stored.exists() || std::fs::read_dir(&stored).unwrap().count() == 0, "nor in storage");
}

#[test]
fn idempotency_keys_return_the_first_job_or_conflict() {
    let talk = make_talk("idempotency");
    let service = TestService::sqlite(&[], 0);
    let key = service.key("idempotent");
    let url = service.url("/api/jobs");
    let first = post_form(&url, &key, &clip_parts(&talk), &[("idempotency-key", "upload-1")]);
    assert_eq!(first.status, 202);
    let again = post_form(&url, &key, &clip_parts(&talk), &[("idempotency-key", "upload-1")]);
    assert_eq!(again.status, 200, "a repeat answers with the first job");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let mut changed = clip_parts(&talk);
    changed.push(Part::Field("clips", "2"));
    let conflict = post_form(&url, &key, &changed, &[("idempotency-key", "upload-1")]);
    assert_eq!((conflict.status, conflict.json()["code"].as_str()), (409, Some("CONFLICT")));
    let other_key = service.key("other");
    let separate = post_form(&url, &other_key, &clip_parts(&talk), &[("idempotency-key", "upload-1")]);
    assert_eq!(separate.status, 202, "keys are per API key");
    let jobs_dir = service.data.join("storage/jobs");
    assert_eq!(std::fs::read_dir(jobs_dir).unwrap().count(), 2, "the repeat's upload was not kept");
}
