//! The result cache in the real Redis: a second identical request (same video bytes, same
//! options) is answered from the cache — its outputs are copies of the first job's, made without
//! running the pipeline, their manifest stamped with this job's id and source name (the first
//! job may be another key's); another option misses. With
//! Redis unreachable jobs still run and `/readyz` says the cache is down. Without `REDIS_URL` the
//! cache is files in the data folder, with the same answers; its entries expire after
//! `CACHE_TTL`, and a corrupt entry is a miss that the next run replaces.

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
    assert_eq!(manifest["job_id"], second_id.as_str(), "the copy names this job, not the one that made it");
    assert_eq!(manifest["source"]["path"], "talk.mp4");
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

/// Run a clip job to its end on `service`; its id and final status.
fn run_job(service: &TestService, key: &str, parts: Vec<Part<'static>>) -> (String, serde_json::Value) {
    let created = post_form(&service.url("/api/jobs"), key, &parts, &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, key, &id, Duration::from_secs(60));
    assert_eq!(status["state"], "succeeded", "{status}");
    (id, status)
}

/// The entry files of the disk cache.
fn disk_entries(service: &TestService) -> Vec<std::path::PathBuf> {
    let dir = service.data.join("manifest-cache");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    entries
}

#[test]
fn without_redis_a_repeated_request_is_answered_from_the_disk_cache() {
    let talk = make_talk(&format!("disk-cache-{}", opusclip_service::util::random_hex(6)));
    let service = TestService::sqlite(&[("CACHE_TTL", "600")], 1);
    let key = service.key("disk-cache");
    let (first_id, first) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(first["from_cache"], false);
    let entries = disk_entries(&service);
    assert_eq!(entries.len(), 1, "one entry for the finished job: {entries:?}");
    let entry = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(entry.contains(&first_id), "the entry points at the first job's outputs: {entry}");

    let (second_id, second) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(second["from_cache"], true, "{second}");
    assert!(second["stage_seconds"].get("render").is_none(), "nothing was rendered the second time: {second}");
    let manifest = get(&service.url(&format!("/api/jobs/{second_id}/manifest")), &key).json();
    assert_eq!(manifest["job_id"], second_id.as_str(), "the copy names this job, not the one that made it");
    assert_eq!(manifest["source"]["path"], "talk.mp4");
    let clip = get(&service.url(&format!("/api/jobs/{second_id}/files/clip-01.mp4")), &key);
    assert_eq!((clip.status, &clip.body[4..8]), (200, &b"ftyp"[..]));
    let metrics = request("GET", &service.url("/metrics"), &[], None).text();
    assert!(metrics.contains("opusclip_job_outcomes_total{outcome=\"cached\"} 1"), "{metrics}");
    let ready = request("GET", &service.url("/readyz"), &[], None);
    assert_eq!((ready.status, ready.json()["checks"]["cache"].clone()), (200, serde_json::json!(true)));

    // A corrupt entry (a torn disk, a hand edit) is a miss: the job runs and records a good one.
    std::fs::write(&entries[0], b"{\"key\": \"opusclip:manif").unwrap();
    let (third_id, third) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(third["from_cache"], false, "a corrupt entry is not an answer: {third}");
    assert!(third["stage_seconds"].get("render").is_some(), "{third}");
    let entry = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(entry.contains(&third_id), "the run replaced the corrupt entry: {entry}");
    let (_, fourth) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(fourth["from_cache"], true, "{fourth}");
}

#[test]
fn disk_cache_entries_expire_after_cache_ttl() {
    let talk = make_talk(&format!("disk-ttl-{}", opusclip_service::util::random_hex(6)));
    let service = TestService::sqlite(&[("CACHE_TTL", "1")], 1);
    let key = service.key("disk-ttl");
    let (first_id, first) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(first["from_cache"], false);
    assert_eq!(disk_entries(&service).len(), 1);
    std::thread::sleep(Duration::from_millis(1500));
    let (second_id, second) = run_job(&service, &key, clip_parts(&talk));
    assert_eq!(second["from_cache"], false, "the entry expired after CACHE_TTL=1: {second}");
    let manifest = get(&service.url(&format!("/api/jobs/{second_id}/manifest")), &key).json();
    assert_ne!(manifest["job_id"], first_id.as_str());
    let entries = disk_entries(&service);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(std::fs::read_to_string(&entries[0]).unwrap().contains(&second_id), "the expired entry was replaced");
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
