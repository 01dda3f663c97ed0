//! `POST /api/jobs/{id}/cancel` on a real job: canceled while ffmpeg renders, the job's record
//! stays (`canceled`), and its worker is free for the next job within seconds instead of
//! finishing work nobody wants. A queued job cancels at once; an ended one answers 409.

mod common;

use common::{clip_parts, get, make_talk, post_form, request, wait_for_job, Part, TestService};
use std::time::{Duration, Instant};

/// A one-minute 1280x720 talk with a sentence every 3 s, clipped to one 30–50 s clip in two
/// aspect ratios: long enough to cancel while it renders.
fn long_job_parts(dir: &std::path::Path) -> Vec<Part<'static>> {
    let video = dir.join("long.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60"])
        .args(["-f", "lavfi", "-i", "sine=frequency=220:duration=60", "-c:v", "libx264", "-preset", "ultrafast"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(status.success());
    let time = |s: u32| format!("00:{:02}:{:02},000", s / 60, s % 60);
    let srt: String = (0..20)
        .map(|i| {
            format!(
                "{}\n{} --> {}\nThis is sentence number {} of the talk.\n\n",
                i + 1,
                time(i * 3),
                time(i * 3 + 2),
                i + 1
            )
        })
        .collect();
    vec![
        Part::File("file", "long.mp4", std::fs::read(&video).unwrap()),
        Part::File("transcript", "long.srt", srt.into_bytes()),
        Part::Field("clips", "1"),
        Part::Field("min", "30"),
        Part::Field("max", "50"),
        Part::Field("aspect", "9:16"),
        Part::Field("aspect", "1:1"),
    ]
}

#[test]
fn a_job_canceled_while_it_renders_frees_its_worker_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = TestService::sqlite(&[], 1);
    let key = service.key("canceler");
    let created = post_form(&service.url("/api/jobs"), &key, &long_job_parts(dir.path()), &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let long = created.json()["id"].as_str().unwrap().to_string();

    // A second job waits behind it on the one worker; canceled while queued, it never runs.
    let talk = make_talk("cancel");
    let queued =
        post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]).json()["id"].as_str().unwrap().to_string();
    let canceled =
        request("POST", &service.url(&format!("/api/jobs/{queued}/cancel")), &[("x-api-key", key.as_str())], None);
    assert_eq!(canceled.status, 200, "{}", canceled.text());
    assert_eq!(canceled.json()["state"], "canceled");

    let started = Instant::now();
    let rendering = loop {
        let status = get(&service.url(&format!("/api/jobs/{long}")), &key).json();
        if status["stage"] == "render" || status["state"] != "running" && status["state"] != "queued" {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "the job reached rendering: {status}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(rendering["state"], "running", "still running when it renders: {rendering}");
    std::thread::sleep(Duration::from_millis(500));
    let answer =
        request("POST", &service.url(&format!("/api/jobs/{long}/cancel")), &[("x-api-key", key.as_str())], None);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let canceled_at = Instant::now();

    // The worker takes the next job as soon as it has stopped.
    let next =
        post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]).json()["id"].as_str().unwrap().to_string();
    let picked_up = loop {
        let status = get(&service.url(&format!("/api/jobs/{next}")), &key).json();
        if status["state"] != "queued" {
            break canceled_at.elapsed().as_secs_f64();
        }
        assert!(canceled_at.elapsed() < Duration::from_secs(60), "the next job started");
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!("canceled while rendering: the worker took the next job {picked_up:.1} s later");
    assert!(picked_up < 5.0, "the worker was free {picked_up:.1} s after the cancel");
    let done = wait_for_job(&service.base, &key, &next, Duration::from_secs(120));
    assert_eq!(done["state"], "succeeded", "{done}");
    let long_status = get(&service.url(&format!("/api/jobs/{long}")), &key).json();
    assert_eq!(long_status["state"], "canceled", "{long_status}");
    let again =
        request("POST", &service.url(&format!("/api/jobs/{long}/cancel")), &[("x-api-key", key.as_str())], None);
    assert_eq!(again.status, 409, "{}", again.text());
    assert_eq!(again.json()["details"]["state"], "canceled");
    let never = get(&service.url(&format!("/api/jobs/{queued}")), &key).json();
    assert_eq!(never["state"], "canceled", "the job canceled while queued never ran: {never}");
}
