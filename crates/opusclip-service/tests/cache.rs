//! The result cache in the real Redis: a second identical request (same video bytes, same
//! options) is answered from the cache — its outputs are copies of the first job's (its manifest
//! still names the first job), made without running the pipeline; another option misses. With
//! Redis unreachable jobs still run and `/readyz` says the cache is down.

mod common;

use common::*;
use std::time::Duration;

#[test]
fn a_repeated_request_is_answered_from_redis() {
    if !service_available("Redis", "127.0.0.1:6379") {
        return;
    }
    let talk = make_talk(&format!("cache-{}", opusclip_service::util::random_hex(6)));
    let service = TestService::sqlite(&[("REDIS_URL", &redis_url()), ("CACHE_TTL", "600")], 1);
    let key = service.key("cache");
    let run = |parts: Vec<Part<'static>>| {
        let created = post_form(&service.url("/api/jobs"), &key, &parts, &[]);
        assert_eq!(created.status, 202, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap().to_string();
        let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(60));
        assert_eq!(status["state"], "succeeded", "{status}");
        (id, status)
    };
    let (first_id, first) = run(clip_parts(&talk));
    assert_eq!(first["from_cache"], false);
    let (second_id, second) = run(clip_parts(&talk));
    assert_eq!(second["from_cache"], true, "{second}");
    assert!(second["stage_seconds"].get("render").is_none(), "nothing was rendered the second time: {second}");
    let manifest = get(&service.url(&format!("/api/jobs/{second_id}/manifest")), &key).json();
    assert_eq!(manifest["job_id"], first_id.as_str(), "the outputs are the first job's");
    assert_eq!(second["result"]["processed_video"], format!("/api/jobs/{second_id}/files/clip-01.mp4"));

    assert_eq!(
        request("DELETE", &service.url(&format!("/api/jobs/{first_id}")), &[("x-api-key", &key)], None).status,
        204
    );
    let clip = get(&service.url(&format!("/api/jobs/{second_id}/files/clip-01.mp4")), &key);
    assert_eq!(clip.status, 200, "the cached copy outlives the first job");
    assert_eq!(&clip.body[4..8], b"ftyp");

    let mut other = clip_parts(&talk);
    other.push(Part::Field("aspect", "1:1"));
    let (_, third) = run(other);
    assert_eq!(third["from_cache"], false, "other options miss the cache");
    let metrics = request("GET", &service.url("/metrics"), &[], None).text();
    assert!(metrics.contains("opusclip_job_outcomes_total{outcome=\"cached\"} 1"), "{metrics}");
}

#[test]
fn jobs_run_without_redis_and_readiness_says_so() {
    let talk = make_talk("no-redis");
    let service = TestService::sqlite(&[("REDIS_URL", "redis://127.0.0.1:1")], 1);
    let key = service.key("no-redis");
    let created = post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(wait_for_job(&service.base, &key, &id, Duration::from_secs(60))["state"], "succeeded");
    let ready = request("GET", &service.url("/readyz"), &[], None);
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["details"]["checks"]["cache"], false);
}
