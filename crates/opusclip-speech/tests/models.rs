//! The model downloader against a local HTTP/1.1 server on 127.0.0.1 that each test starts on
//! a free port: a full fetch with progress, resume after a truncated body, a server that ignores
//! the range, a complete partial file, a bad checksum, 404 and a refused connection. No
//! internet is used.

use opusclip_core::Error;
use opusclip_speech::models::{FetchOptions, ModelCatalog, ModelEntry, ModelKind, ModelStore};
use sha1::{Digest, Sha1};
use std::net::TcpListener;
use std::path::Path;
use support::http_server::{serve_blob, Reply, TestServer};

mod support;

/// A small file that passes the whisper header check (vocabulary 1000, width 64, one layer)
/// followed by seeded pseudo-random bytes.
fn fake_model() -> Vec<u8> {
    let fields: [u32; 11] = [1000, 1500, 64, 1, 1, 448, 64, 1, 1, 80, 1];
    let mut bytes = 0x6767_6d6c_u32.to_le_bytes().to_vec();
    for field in fields {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    while bytes.len() < 300_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push((state >> 24) as u8);
    }
    bytes
}

fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn entry_for(url: String, blob: &[u8], size: Option<u64>) -> ModelEntry {
    ModelEntry {
        name: "fake".into(),
        file_name: "ggml-fake.bin".into(),
        url,
        size,
        sha1: sha1_hex(blob),
        kind: ModelKind::WhisperGgml,
        wheels: Vec::new(),
        weights: Default::default(),
    }
}

fn store_with(dir: &Path, entry: ModelEntry) -> ModelStore {
    ModelStore::new(dir.join("models"), ModelCatalog::with_entries(vec![entry]))
}

fn fetch(store: &ModelStore) -> opusclip_core::Result<opusclip_speech::FetchOutcome> {
    store.fetch("fake", FetchOptions::default(), &mut |_, _| {})
}

fn assert_model_error(error: &Error, needles: &[&str]) {
    assert!(matches!(error, Error::ModelLoading { .. }), "{error:?}");
    let message = error.to_string();
    for needle in needles {
        assert!(message.contains(needle), "`{needle}` missing from: {message}");
    }
}

#[test]
fn fetch_downloads_with_progress_and_checks_the_sha1() {
    let blob = fake_model();
    let served = blob.clone();
    let server = TestServer::start(Box::new(move |request, _| serve_blob(&served, request)));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), &blob, Some(blob.len() as u64)));
    assert!(!store.status("fake").expect("status").present);

    let mut calls: Vec<(u64, Option<u64>)> = Vec::new();
    let outcome = store
        .fetch("fake", FetchOptions::default(), &mut |done, total| calls.push((done, total)))
        .expect("fetch from the local server");

    let path = dir.path().join("models/ggml-fake.bin");
    assert_eq!(outcome.path, path);
    assert_eq!(outcome.bytes, blob.len() as u64);
    assert!(!outcome.already_present);
    assert_eq!(outcome.sha1.as_deref(), Some(sha1_hex(&blob).as_str()));
    assert_eq!(std::fs::read(&path).expect("model file"), blob);
    assert!(!dir.path().join("models/ggml-fake.bin.partial").exists());
    assert!(calls.len() >= 2, "progress was reported {} times", calls.len());
    assert!(calls.windows(2).all(|pair| pair[0].0 <= pair[1].0), "progress went backwards");
    assert_eq!(calls.last().copied(), Some((blob.len() as u64, Some(blob.len() as u64))));
    assert_eq!(server.requests()[0].path, "/ggml-fake.bin");
    assert!(server.requests()[0].header("range").is_none());

    let status = store.status("fake").expect("status");
    assert!(status.present && status.bytes_on_disk == Some(blob.len() as u64));
    assert_eq!(store.installed_path("fake").expect("installed"), path);
    let verification = store.verify("fake").expect("verify");
    assert!(verification.is_ok(), "{:?}", verification.problems);

    let again = fetch(&store).expect("second fetch");
    assert!(again.already_present);
    assert_eq!(server.requests().len(), 1, "a present model is not downloaded again");
    let forced = store.fetch("fake", FetchOptions { force: true }, &mut |_, _| {}).expect("forced fetch");
    assert!(!forced.already_present);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn truncated_body_keeps_the_partial_and_the_next_fetch_resumes_with_range() {
    let blob = fake_model();
    let half = blob.len() / 2;
    let served = blob.clone();
    let server = TestServer::start(Box::new(move |request, index| {
        let mut reply = serve_blob(&served, request);
        if index == 0 {
            reply.cut_after = Some(half);
        }
        reply
    }));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), &blob, Some(blob.len() as u64)));
    let partial = dir.path().join("models/ggml-fake.bin.partial");

    let error = fetch(&store).expect_err("the body was cut short");
    assert_model_error(&error, &[&server.url("ggml-fake.bin"), "resume", &partial.display().to_string()]);
    let kept = std::fs::metadata(&partial).expect("the partial file is kept").len();
    assert!(kept > 0 && kept <= half as u64, "kept {kept} bytes of {half} sent");
    assert_eq!(store.status("fake").expect("status").partial_bytes, Some(kept));
    assert!(!dir.path().join("models/ggml-fake.bin").exists());

    let outcome = fetch(&store).expect("the second fetch resumes");
    assert_eq!(outcome.resumed_from, kept);
    assert_eq!(std::fs::read(&outcome.path).expect("model file"), blob);
    assert!(!partial.exists());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("range"), Some(format!("bytes={kept}-").as_str()));
}

#[test]
fn a_server_that_ignores_the_range_restarts_the_file() {
    let blob = fake_model();
    let served = blob.clone();
    let server = TestServer::start(Box::new(move |_, _| Reply {
        status: 200,
        headers: vec![],
        body: served.clone(),
        cut_after: None,
    }));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), &blob, Some(blob.len() as u64)));
    std::fs::create_dir_all(dir.path().join("models")).expect("models dir");
    std::fs::write(dir.path().join("models/ggml-fake.bin.partial"), vec![0xAB; 1000]).expect("stale partial");

    let outcome = fetch(&store).expect("fetch restarts");
    assert_eq!(outcome.resumed_from, 0);
    assert_eq!(std::fs::read(&outcome.path).expect("model file"), blob);
    assert_eq!(server.requests()[0].header("range"), Some("bytes=1000-"));
}

#[test]
fn a_complete_partial_answered_416_is_checked_and_kept() {
    let blob = fake_model();
    let served = blob.clone();
    let server = TestServer::start(Box::new(move |request, _| serve_blob(&served, request)));
    let dir = tempfile::tempdir().expect("temp dir");
    // No pinned size, so only the server can say the partial file is complete.
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), &blob, None));
    std::fs::create_dir_all(dir.path().join("models")).expect("models dir");
    std::fs::write(dir.path().join("models/ggml-fake.bin.partial"), &blob).expect("complete partial");

    let outcome = fetch(&store).expect("a complete partial is accepted");
    assert_eq!(std::fs::read(&outcome.path).expect("model file"), blob);
    assert_eq!(server.requests()[0].header("range"), Some(format!("bytes={}-", blob.len()).as_str()));
}

#[test]
fn bad_checksum_is_an_error_and_leaves_no_file() {
    let blob = fake_model();
    let served = blob.clone();
    let server = TestServer::start(Box::new(move |request, _| serve_blob(&served, request)));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut entry = entry_for(server.url("ggml-fake.bin"), &blob, Some(blob.len() as u64));
    entry.sha1 = sha1_hex(b"some other file");
    let expected = entry.sha1.clone();
    let store = store_with(dir.path(), entry);

    let error = fetch(&store).expect_err("checksum mismatch");
    assert_model_error(&error, &["checksum mismatch", &expected, &sha1_hex(&blob), &server.url("ggml-fake.bin")]);
    assert!(!dir.path().join("models/ggml-fake.bin").exists());
    assert!(!dir.path().join("models/ggml-fake.bin.partial").exists());
}

#[test]
fn not_found_names_the_url() {
    let server = TestServer::start(Box::new(|_, _| Reply {
        status: 404,
        headers: vec![],
        body: b"Entry not found".to_vec(),
        cut_after: None,
    }));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), b"x", None));

    let error = fetch(&store).expect_err("404");
    assert_model_error(&error, &[&server.url("ggml-fake.bin"), "404"]);
    assert!(!dir.path().join("models/ggml-fake.bin").exists());
    assert!(!dir.path().join("models/ggml-fake.bin.partial").exists());
}

#[test]
fn other_statuses_name_the_url_and_the_status() {
    let server =
        TestServer::start(Box::new(|_, _| Reply { status: 503, headers: vec![], body: vec![], cut_after: None }));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(server.url("ggml-fake.bin"), b"x", None));
    let error = fetch(&store).expect_err("503");
    assert_model_error(&error, &[&server.url("ggml-fake.bin"), "503"]);
}

#[test]
fn refused_connection_says_how_to_place_the_file_by_hand() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener.local_addr().expect("local address").port()
    };
    let url = format!("http://127.0.0.1:{port}/ggml-fake.bin");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for(url.clone(), b"x", None));
    let destination = dir.path().join("models/ggml-fake.bin");

    let error = fetch(&store).expect_err("nothing listens there");
    assert_model_error(&error, &[&url, "copy the file to", &destination.display().to_string(), "--whisper-model"]);
    assert!(!destination.exists());
}

#[test]
fn unknown_model_is_an_error_listing_the_known_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_with(dir.path(), entry_for("http://127.0.0.1:9/ggml-fake.bin".into(), b"x", None));
    let error = fetch_named(&store, "huge").expect_err("no such model");
    assert_model_error(&error, &["huge", "fake"]);
}

fn fetch_named(store: &ModelStore, name: &str) -> opusclip_core::Result<opusclip_speech::FetchOutcome> {
    store.fetch(name, FetchOptions::default(), &mut |_, _| {})
}
