//! The security rules, each refusal tested: API keys (missing, wrong, revoked), rate limits per
//! key and per address with `Retry-After`, body size limits, and URL ingest refusals — loopback,
//! private, link-local/metadata addresses, a host name resolving to loopback, non-http schemes,
//! and redirects to refused addresses caught during the fetch.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn api_keys_are_required_checked_and_revocable() {
    let service = TestService::sqlite(&[], 0);
    let url = service.url("/api/jobs/nope");
    let missing = request("GET", &url, &[], None);
    assert_eq!((missing.status, missing.json()["code"].as_str()), (401, Some("UNAUTHORIZED")));
    let wrong = get(&url, "ock_0000000000000000000000000000000000000000000000");
    assert_eq!(wrong.status, 401);
    let basic = request("GET", &url, &[("authorization", "Basic b2NrOng=")], None);
    assert_eq!(basic.status, 401);
    let key = service.key("revocable");
    assert_eq!(get(&url, &key).status, 404, "a good key gets through to the route");
    let bearer = request("GET", &url, &[("authorization", &format!("Bearer {key}"))], None);
    assert_eq!(bearer.status, 404, "Authorization: Bearer works too");
    let services = service.server.as_ref().unwrap().services.clone();
    let listed = service.runtime.block_on(services.keys.list()).unwrap();
    let mut stored = Vec::new();
    for file in ["jobs.db", "jobs.db-wal"] {
        stored.extend(std::fs::read(service.data.join(file)).unwrap_or_default());
    }
    assert!(!stored.is_empty());
    let secret_part = &key[key.len() - 20..];
    assert!(!stored.windows(secret_part.len()).any(|w| w == secret_part.as_bytes()), "only the key's hash is stored");
    let hash = opusclip_service::util::sha256_hex(key.as_bytes());
    assert!(stored.windows(hash.len()).any(|w| w == hash.as_bytes()), "its SHA-256 is");
    let id = listed[0].id.clone();
    service.runtime.block_on(services.keys.revoke(&id)).unwrap();
    assert_eq!(get(&url, &key).status, 401, "a revoked key is refused");
    for open in ["/healthz", "/readyz", "/metrics", "/"] {
        assert_eq!(request("GET", &service.url(open), &[], None).status, 200, "{open} needs no key");
    }
}

#[test]
fn rate_limits_apply_per_key_and_per_address() {
    let service = TestService::sqlite(&[("RATE_LIMIT_CREATE_PER_MIN", "3"), ("RATE_LIMIT_READ_PER_MIN", "5")], 0);
    let key = service.key("limited");
    let body = json!({ "video_url": "http://127.0.0.1:9/x.mp4" });
    let process = service.url("/api/video/process");
    for _ in 0..3 {
        assert_eq!(post_json(&process, &key, &body, &[]).status, 422, "refused URL, but within the budget");
    }
    let limited = post_json(&process, &key, &body, &[]);
    assert_eq!((limited.status, limited.json()["code"].as_str()), (429, Some("RATE_LIMITED")));
    assert_eq!(limited.header("retry-after"), Some("20"), "3 a minute: one token every 20 s");
    assert_eq!(limited.json()["details"]["budget"], "create");
    let other = service.key("same address");
    let by_address = post_json(&process, &other, &body, &[]);
    assert_eq!(by_address.status, 429, "the address budget is shared by every key");
    assert_eq!(by_address.json()["details"]["limited_by"], "client address");
    for _ in 0..5 {
        assert_eq!(get(&service.url("/api/jobs/x"), &key).status, 404, "reads have their own budget");
    }
    assert_eq!(get(&service.url("/api/jobs/x"), &key).status, 429);
}

#[test]
fn bodies_over_the_limits_are_refused() {
    let talk = make_talk("limits");
    let service = TestService::sqlite(&[("MAX_UPLOAD_BYTES", "5000")], 0);
    let key = service.key("limits");
    // The server reads (and drops) a bounded overflow before answering, so a plain client that
    // sends its whole body still gets the 413 rather than a reset connection.
    let upload = post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    assert_eq!((upload.status, upload.json()["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")), "{}", upload.text());
    let huge = json!({ "video_url": "https://example.com/a.mp4", "pad": "x".repeat(2 << 20) });
    let json_body = post_json(&service.url("/api/video/process"), &key, &huge, &[]);
    assert_eq!((json_body.status, json_body.json()["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")));
    assert_eq!(std::fs::read_dir(service.data.join("spool")).unwrap().count(), 0, "the partial upload was removed");
}

#[test]
fn urls_to_private_addresses_are_refused_before_accepting() {
    let service = TestService::sqlite(&[], 0);
    let key = service.key("ssrf");
    let process = service.url("/api/video/process");
    for (url, reason) in [
        ("http://127.0.0.1:8080/video.mp4", "loopback"),
        ("http://10.1.2.3/video.mp4", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://localhost:8080/video.mp4", "loopback"),
        ("http://[::1]/video.mp4", "loopback"),
        ("http://0.0.0.0/video.mp4", "unspecified"),
    ] {
        let refused = post_json(&process, &key, &json!({ "video_url": url }), &[]);
        assert_eq!((refused.status, refused.json()["code"].as_str()), (422, Some("URL_NOT_ALLOWED")), "{url}");
        assert_eq!(refused.json()["details"]["reason"], reason, "{url}");
    }
    for url in
        ["file:///etc/passwd", "ftp://example.com/a.mp4", "gopher://example.com/", "http://user:pw@example.com/a"]
    {
        let refused = post_json(&process, &key, &json!({ "video_url": url }), &[]);
        assert_eq!((refused.status, refused.json()["code"].as_str()), (422, Some("URL_NOT_ALLOWED")), "{url}");
    }
    let form = post_form(&service.url("/api/jobs"), &key, &[Part::Field("url", "http://192.168.0.10/a.mp4")], &[]);
    assert_eq!(form.json()["code"], "URL_NOT_ALLOWED", "the upload route's url field obeys the same rules");
    let webhook = json!({ "video_url": "https://example.com/a.mp4", "webhook_url": "http://127.0.0.1:9/hook" });
    let refused = post_json(&process, &key, &webhook, &[]);
    assert_eq!(refused.status, 422, "webhooks are checked too: {}", refused.text());
    assert!(std::fs::read_dir(service.data.join("storage")).unwrap().next().is_none(), "no job was made");
}

#[test]
fn redirects_to_refused_addresses_fail_the_fetch() {
    let talk = make_talk("redirects");
    let video = std::fs::read(&talk.with_subtitles).unwrap();
    // The target would serve a real video: only the address rules stop the fetch.
    let target = tiny_server(move |_| (200, vec![("content-type".into(), "video/mp4".into())], video.clone()));
    let redirector = tiny_server(move |seen| {
        let location = match seen.path.as_str() {
            "/to-loopback" => format!("http://127.0.0.1:{target}/talk.mp4"),
            "/to-metadata" => "http://169.254.169.254/latest/meta-data/".to_string(),
            "/to-private" => "http://10.0.0.7/talk.mp4".to_string(),
            _ => "file:///etc/passwd".to_string(),
        };
        (302, vec![("location".into(), location)], Vec::new())
    });
    let allow = format!("127.0.0.1:{redirector}");
    let service = TestService::sqlite(&[("URL_ALLOWLIST", &allow), ("JOB_MAX_ATTEMPTS", "1")], 1);
    let key = service.key("redirects");
    for path in ["/to-loopback", "/to-metadata", "/to-private", "/to-file"] {
        let url = format!("http://127.0.0.1:{redirector}{path}");
        let accepted = post_json(&service.url("/api/video/process"), &key, &json!({ "video_url": url }), &[]);
        assert_eq!(accepted.status, 202, "the first hop is allowed: {}", accepted.text());
        let id = accepted.json()["job_id"].as_str().unwrap().to_string();
        let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(30));
        assert_eq!(status["state"], "failed", "{path}: {status}");
        assert_eq!(status["error"]["code"], "URL_NOT_ALLOWED", "{path}: {status}");
    }
}
