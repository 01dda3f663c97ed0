//! Shared set-up of the service's integration tests: real media made with ffmpeg (a short talk
//! with an SRT, optionally with the subtitles inside the file), a service started in-process on
//! an ephemeral port (SQLite in a temp dir, or PostgreSQL in a fresh schema), API keys, and a
//! small blocking HTTP client. PostgreSQL and Redis are the machine's real servers; when one is
//! unreachable the test says so and skips, unless `OPUSCLIP_REQUIRE_SERVICES=1` (CI) makes that
//! a failure.

#![allow(dead_code)]

use opusclip_core::Settings;
use opusclip_service::{RunningServer, ServiceConfig};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The PostgreSQL server of the development and CI machines.
pub fn postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The Redis server of the development and CI machines.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Is `host:port` accepting connections? When not: skip (print why), or panic under
/// `OPUSCLIP_REQUIRE_SERVICES=1`.
pub fn service_available(what: &str, address: &str) -> bool {
    let reachable = address
        .parse()
        .ok()
        .and_then(|address| std::net::TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok())
        .is_some();
    if !reachable {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        assert!(!required, "{what} at {address} is required (OPUSCLIP_REQUIRE_SERVICES=1) but not reachable");
        eprintln!("note: skipped — {what} is not reachable at {address} (run `make test`, which starts it)");
    }
    reachable
}

/// A short talk: test pattern video, a tone, and an SRT of four sentences over 14 s.
pub struct Talk {
    pub dir: tempfile::TempDir,
    pub video: PathBuf,
    pub srt: PathBuf,
    /// The same video with the subtitles muxed in (for URL jobs, which carry no transcript).
    pub with_subtitles: PathBuf,
}

pub const SRT: &str = "1\n00:00:00,500 --> 00:00:03,000\nWelcome to the show about making short clips.\n\n\
2\n00:00:03,200 --> 00:00:06,000\nToday we talk about pricing and growth.\n\n\
3\n00:00:06,200 --> 00:00:09,500\nThe secret is to start with the customer.\n\n\
4\n00:00:09,700 --> 00:00:13,000\nThat is how you build something people love.\n";

/// Make the talk; `tag` goes into the file's metadata so different tests get different content
/// hashes (the result cache is keyed by content).
pub fn make_talk(tag: &str) -> Talk {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("talk.mp4");
    let srt = dir.path().join("talk.srt");
    std::fs::write(&srt, SRT).unwrap();
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=14"])
        .args(["-f", "lavfi", "-i", "sine=frequency=300:duration=14", "-c:v", "libx264", "-preset", "ultrafast"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-metadata", &format!("comment={tag}")])
        .arg(&video)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the talk");
    let with_subtitles = dir.path().join("talk-subs.mp4");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&video)
        .arg("-i")
        .arg(&srt)
        .args(["-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "copy", "-c:s", "mov_text"])
        .arg(&with_subtitles)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg muxed the subtitles");
    Talk { dir, video, srt, with_subtitles }
}

/// A PNG of one `colour` (`0xRRGGBB`) and `size` (`WxH`) at `path`, made by ffmpeg: a logo.
pub fn solid_png(path: &Path, colour: &str, size: &str) {
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i", &format!("color=c={colour}:s={size}:d=1")])
        .args(["-frames:v", "1"])
        .arg(path)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success(), "ffmpeg made {}", path.display());
}

/// A service running in this process on its own runtime.
pub struct TestService {
    pub runtime: tokio::runtime::Runtime,
    pub server: Option<RunningServer>,
    pub base: String,
    pub data: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// A configuration with its data in `data` and the given service variables.
pub fn config(data: &Path, variables: &[(&str, &str)]) -> ServiceConfig {
    let mut values: BTreeMap<String, String> = variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    values.insert("OPUSCLIP_DATA_DIR".into(), data.display().to_string());
    let mut settings = Settings { api_port: 0, ..Settings::default() };
    if let Some(redis) = values.remove("REDIS_URL") {
        settings.redis_url = Some(redis);
    }
    if let Some(ttl) = values.remove("CACHE_TTL") {
        settings.cache_ttl = ttl.parse().unwrap();
    }
    settings.cache_dir = Some(data.join("cache"));
    let mut config = ServiceConfig::from_values(settings, &values).expect("valid test configuration");
    config.poll_interval = Duration::from_millis(100);
    config
}

impl TestService {
    /// Start with `workers` in-process workers.
    pub fn start(config: ServiceConfig, workers: usize) -> TestService {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
        let data = config.data_dir.clone();
        let server = runtime.block_on(RunningServer::start(config, workers)).expect("the service starts");
        let base = format!("http://{}", server.address);
        TestService { runtime, server: Some(server), base, data, _dir: None }
    }

    /// Start on SQLite in a fresh temp dir.
    pub fn sqlite(variables: &[(&str, &str)], workers: usize) -> TestService {
        let dir = tempfile::tempdir().unwrap();
        let mut service = TestService::start(config(dir.path(), variables), workers);
        service._dir = Some(dir);
        service
    }

    /// A new API key.
    pub fn key(&self, name: &str) -> String {
        let services = self.server.as_ref().unwrap().services.clone();
        self.runtime.block_on(async move { services.keys.create(name).await.unwrap().secret })
    }

    /// Stop (running jobs finish first).
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for TestService {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fresh PostgreSQL URL in its own schema (dropped by [`drop_schema`]).
pub fn postgres_schema_url(tag: &str) -> (String, String) {
    let schema = format!("t_{tag}_{}", opusclip_service::util::random_hex(4));
    let base = postgres_url();
    let separator = if base.contains('?') { '&' } else { '?' };
    (format!("{base}{separator}schema={schema}"), schema)
}

/// Drops its schema when the test ends, passed or not.
pub struct SchemaGuard(pub String);

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        drop_schema(&self.0);
    }
}

pub fn drop_schema(schema: &str) {
    let _ = Command::new("psql")
        .args([postgres_url().as_str(), "-q", "-c", &format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")])
        .stderr(std::process::Stdio::null())
        .status();
}

/// An answer: status, headers and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(120)))
        .build();
    ureq::Agent::new_with_config(config)
}

/// One request; `headers` as name/value pairs.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Answer {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = match body {
        Some(bytes) => agent().run(builder.body(bytes).unwrap()),
        None => agent().run(builder.body(()).unwrap()),
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let headers =
        response.headers().iter().map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string())).collect();
    let body = response.into_body().with_config().limit(64 << 20).read_to_vec().unwrap_or_default();
    Answer { status, headers, body }
}

pub fn get(url: &str, key: &str) -> Answer {
    request("GET", url, &[("x-api-key", key)], None)
}

pub fn post_json(url: &str, key: &str, body: &Value, extra: &[(&str, &str)]) -> Answer {
    let mut headers = vec![("authorization", format!("Bearer {key}")), ("content-type", "application/json".into())];
    headers.extend(extra.iter().map(|(n, v)| (*n, v.to_string())));
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    request("POST", url, &borrowed, Some(body.to_string().into_bytes()))
}

/// A multipart part: a field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, Vec<u8>),
}

/// POST a multipart form.
pub fn post_form(url: &str, key: &str, parts: &[Part<'_>], extra: &[(&str, &str)]) -> Answer {
    let boundary = format!("----opusclip{}", opusclip_service::util::random_hex(8));
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            ),
            Part::File(name, filename, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let mut headers = vec![("x-api-key", key), ("content-type", content_type.as_str())];
    headers.extend_from_slice(extra);
    request("POST", url, &headers, Some(body))
}

/// The parts of a clip job on `talk`: the video, its SRT, one short clip.
pub fn clip_parts(talk: &Talk) -> Vec<Part<'static>> {
    vec![
        Part::File("file", "talk.mp4", std::fs::read(&talk.video).unwrap()),
        Part::File("transcript", "talk.srt", std::fs::read(&talk.srt).unwrap()),
        Part::Field("clips", "1"),
        Part::Field("min", "4"),
        Part::Field("max", "8"),
    ]
}

/// Poll a job until it ends (or `limit` passes); the last status.
pub fn wait_for_job(base: &str, key: &str, id: &str, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let status = get(&format!("{base}/api/jobs/{id}"), key).json();
        let state = status["state"].as_str().unwrap_or_default().to_string();
        if matches!(state.as_str(), "succeeded" | "failed" | "canceled") || started.elapsed() > limit {
            return status;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// A request seen by [`tiny_server`] (header names lower-case).
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What [`tiny_server`] answers: status, extra headers, body.
pub type Reply = (u16, Vec<(String, String)>, Vec<u8>);

/// A tiny HTTP server on 127.0.0.1 answering each request with `respond(request)`. Returns its
/// port; it runs until the test process ends.
pub fn tiny_server(respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> u16 {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let respond = std::sync::Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let respond = respond.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut headers = Vec::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                    }
                }
                let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok());
                let mut body = vec![0u8; length.unwrap_or(0)];
                let _ = reader.read_exact(&mut body);
                let (status, headers, answer) = respond(&Seen { path, headers, body });
                let mut stream = stream;
                let mut head =
                    format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", answer.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&answer);
            });
        }
    });
    port
}

/// The video clips (`(in, duration)` frames) OpenTimelineIO reads from `timeline` with
/// `adapter`; `None` (a note, or a failure under `OPUSCLIP_REQUIRE_SERVICES=1`) when python3
/// lacks OpenTimelineIO and its adapters (scripts/requirements-otio.txt).
pub fn read_with_otio(timeline: &[u8], adapter: &str) -> Option<Vec<(f64, f64)>> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), timeline).unwrap();
    let script = "import sys, json, opentimelineio as otio, otio_fcp_adapter\n\
        t = otio.adapters.read_from_file(sys.argv[1], adapter_name=sys.argv[2])\n\
        clips = [c for c in t.tracks[0] if isinstance(c, otio.schema.Clip)]\n\
        print(json.dumps([[c.source_range.start_time.value, c.source_range.duration.value] for c in clips]))";
    let output = Command::new("python3").args(["-c", script]).arg(file.path()).arg(adapter).output().ok()?;
    if !output.status.success() {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(!required, "OpenTimelineIO could not read the timeline (OPUSCLIP_REQUIRE_SERVICES=1): {why}");
        eprintln!("skipped: OpenTimelineIO did not read the timeline ({})", why.lines().last().unwrap_or_default());
        return None;
    }
    let pairs: Vec<(f64, f64)> = serde_json::from_slice(&output.stdout).unwrap();
    Some(pairs)
}
