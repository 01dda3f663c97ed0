//! Nothing lost: a queued job survives a server restart; a job whose worker died (it holds a
//! lease and stops renewing it) is taken over by another worker after the lease runs out, and
//! the dead holder can no longer record anything; a job whose workers die on every attempt ends
//! as `WORKER_LOST`; outputs appear only when the job is recorded as succeeded.

mod common;

use common::*;
use opusclip_service::jobs::Succeeded;
use std::time::Duration;

#[test]
fn a_queued_job_survives_a_server_restart() {
    let talk = make_talk("restart");
    let dir = tempfile::tempdir().unwrap();
    let mut first = TestService::start(config(dir.path(), &[]), 0);
    let key = first.key("restart");
    let created = post_form(&first.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    assert_eq!(created.status, 202);
    let id = created.json()["id"].as_str().unwrap().to_string();
    first.stop();
    drop(first);

    let second = TestService::start(config(dir.path(), &[]), 1);
    let status = wait_for_job(&second.base, &key, &id, Duration::from_secs(60));
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["attempts"], 1);
    assert_eq!(get(&second.url(&format!("/api/jobs/{id}/files/clip-01.mp4")), &key).status, 200);
}

#[test]
fn a_dead_workers_job_is_taken_over_after_its_lease() {
    let talk = make_talk("takeover");
    let dir = tempfile::tempdir().unwrap();
    let first = TestService::start(config(dir.path(), &[("LEASE_SECONDS", "1")]), 0);
    let key = first.key("takeover");
    let created = post_form(&first.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let services = first.server.as_ref().unwrap().services.clone();
    let claimed = first.runtime.block_on(services.jobs.claim("ghost-worker", Duration::from_secs(1))).unwrap();
    assert_eq!(claimed.map(|job| job.id), Some(id.clone()), "the ghost holds the job, then never renews");
    assert!(
        first.runtime.block_on(services.jobs.claim("other", Duration::from_secs(1))).unwrap().is_none(),
        "held jobs are not handed out twice"
    );
    let running = get(&first.url(&format!("/api/jobs/{id}")), &key).json();
    assert_eq!(running["state"], "running");
    drop(first);

    let second = TestService::start(config(dir.path(), &[("LEASE_SECONDS", "1")]), 1);
    let status = wait_for_job(&second.base, &key, &id, Duration::from_secs(60));
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["attempts"], 2, "a second attempt, by the live worker");

    let services = second.server.as_ref().unwrap().services.clone();
    let late = Succeeded {
        output_prefix: "jobs/x/out".into(),
        result: serde_json::json!({}),
        stage_seconds: serde_json::json!({}),
        from_cache: false,
    };
    let recorded = second.runtime.block_on(services.jobs.succeed(&id, "ghost-worker", late)).unwrap();
    assert!(!recorded, "the dead holder cannot publish over the finished job");
    let heartbeat =
        second.runtime.block_on(services.jobs.heartbeat(&id, "ghost-worker", Duration::from_secs(5))).unwrap();
    assert!(!heartbeat);
    let outputs: Vec<_> = std::fs::read_dir(dir.path().join("storage/jobs").join(&id))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("out-"))
        .collect();
    assert_eq!(outputs.len(), 1, "one published output folder: {outputs:?}");
    assert_eq!(outputs[0], "out-2", "from attempt 2");
}

#[test]
fn a_job_whose_workers_always_die_fails_as_worker_lost() {
    let talk = make_talk("lost");
    let service = TestService::sqlite(&[("LEASE_SECONDS", "1"), ("JOB_MAX_ATTEMPTS", "1")], 0);
    let key = service.key("lost");
    let created = post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let services = service.server.as_ref().unwrap().services.clone();
    assert!(service.runtime.block_on(services.jobs.claim("doomed", Duration::from_millis(200))).unwrap().is_some());
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        service.runtime.block_on(services.jobs.claim("next", Duration::from_secs(1))).unwrap().is_none(),
        "no attempts left"
    );
    assert_eq!(service.runtime.block_on(services.jobs.fail_abandoned()).unwrap(), 1);
    let status = get(&service.url(&format!("/api/jobs/{id}")), &key).json();
    assert_eq!((status["state"].as_str(), status["error"]["code"].as_str()), (Some("failed"), Some("WORKER_LOST")));
}
