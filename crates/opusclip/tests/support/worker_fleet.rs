//! The processes and plumbing of the worker-kill test: an `opusclip serve` and its workers on a
//! PostgreSQL schema of their own, the run's folder, the talks and their transcript, and the HTTP
//! calls the test makes.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Worker processes' `HOSTNAME`, the first part of their lease owner names (`HOST-PID-…`).
pub const HOST: &str = "killtest";

pub const SRT: &str = "1\n00:00:00,500 --> 00:00:03,000\nWelcome to the show about making short clips.\n\n\
2\n00:00:03,200 --> 00:00:06,000\nToday we talk about pricing and growth.\n\n\
3\n00:00:06,200 --> 00:00:09,500\nThe secret is to start with the customer.\n\n\
4\n00:00:09,700 --> 00:00:13,000\nThat is how you build something people love.\n";

/// An `opusclip` command with the service's environment, run in `data`.
pub fn opusclip(args: &[&str], data: &Path, env: &[(String, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opusclip"));
    command.args(args).current_dir(data).env("OPUSCLIP_DATA_DIR", data).env("OPUSCLIP_CACHE_DIR", data.join("cache"));
    for name in ["DATABASE_URL", "STORAGE_URL", "REDIS_URL", "MAX_WORKERS", "API_PORT", "API_HOST", "RUST_LOG"] {
        command.env_remove(name);
    }
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

/// The server and the workers; every process still running is killed when this is dropped.
pub struct Fleet {
    pub data: PathBuf,
    pub env: Vec<(String, String)>,
    pub server: Option<Child>,
    pub workers: Vec<Child>,
    pub logs: Vec<PathBuf>,
}

impl Fleet {
    /// Start `opusclip serve --workers 0` and read its address from its first line.
    pub fn serve(data: &Path, env: Vec<(String, String)>) -> (Fleet, String) {
        let log = std::fs::File::create(data.join("serve.log")).unwrap();
        let mut server = opusclip(&["serve", "--port", "0", "--workers", "0"], data, &env)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("opusclip serve starts");
        let mut stdout = BufReader::new(server.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let fleet =
            Fleet { data: data.to_path_buf(), env, server: Some(server), workers: Vec::new(), logs: Vec::new() };
        let address = first
            .split("listening on ")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in serve's first line {first:?} (see serve.log)"))
            .trim()
            .to_string();
        (fleet, address)
    }

    /// Start one more `opusclip worker --workers 1`; its pid.
    pub fn start_worker(&mut self) -> u32 {
        let log = self.data.join(format!("worker-{:02}.log", self.logs.len() + 1));
        let file = std::fs::File::create(&log).unwrap();
        let child = opusclip(&["-v", "worker", "--workers", "1"], &self.data, &self.env)
            .env("HOSTNAME", HOST)
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("opusclip worker starts");
        self.logs.push(log);
        let pid = child.id();
        self.workers.push(child);
        pid
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(Child::id).collect()
    }

    /// SIGKILL the worker `pid` and reap it.
    pub fn kill(&mut self, pid: u32) {
        let index = self.workers.iter().position(|w| w.id() == pid).expect("one of our workers");
        let mut child = self.workers.remove(index);
        child.kill().expect("SIGKILL the worker"); // std sends SIGKILL on Unix
        child.wait().unwrap();
    }

    /// A worker that died on its own (it should not): its pid and exit status.
    pub fn exited(&mut self) -> Option<(u32, std::process::ExitStatus)> {
        self.workers.iter_mut().find_map(|w| w.try_wait().ok().flatten().map(|status| (w.id(), status)))
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for child in self.workers.iter_mut().chain(self.server.iter_mut()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The run's folder (videos, storage, logs): removed after a pass, kept and named after a failure.
pub struct Workspace(pub Option<tempfile::TempDir>);

impl Workspace {
    pub fn path(&self) -> &Path {
        self.0.as_ref().unwrap().path()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.0.take() {
                eprintln!("worker-kill: the run's folder (logs, storage) is kept in {}", dir.keep().display());
            }
        }
    }
}

/// The PostgreSQL server of the development and CI machines.
pub fn postgres_base() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn postgres_reachable() -> bool {
    let ok = std::net::TcpStream::connect_timeout(&"127.0.0.1:5432".parse().unwrap(), Duration::from_secs(2)).is_ok();
    if !ok {
        assert!(!crate::support::required(), "PostgreSQL is required (OPUSCLIP_REQUIRE_SERVICES=1) but not reachable");
        eprintln!("note: skipped — PostgreSQL is not reachable at 127.0.0.1:5432 (run `make test`, which starts it)");
    }
    ok
}

/// Rows of `sql`, tab-separated fields.
pub fn psql(sql: &str) -> Vec<Vec<String>> {
    let output = Command::new("psql")
        .args([postgres_base().as_str(), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect()
}

/// Drops the test's schema when the test ends, passed or not.
pub struct Schema(pub String);

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([postgres_base().as_str(), "-q", "-c", &format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.0)])
            .stderr(Stdio::null())
            .status();
    }
}

/// The process id in a lease owner name (`killtest-PID-HEX-INDEX`).
pub fn owner_pid(owner: &str) -> Option<u32> {
    owner.strip_prefix(HOST)?.strip_prefix('-')?.split('-').next()?.parse().ok()
}

/// Talks of 14 s (test pattern, a tone, the SRT) that differ in their tone, so no two jobs share
/// a content hash.
pub fn make_talks(dir: &Path, count: usize) -> Vec<PathBuf> {
    (0..count)
        .map(|index| {
            let video = dir.join(format!("talk-{:02}.mp4", index + 1));
            let tone = format!("sine=frequency={}:duration=14", 220 + 17 * index);
            let status = Command::new("ffmpeg")
                .args([
                    "-nostdin",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc2=size=320x240:rate=25:duration=14",
                ])
                .args(["-f", "lavfi", "-i", &tone, "-c:v", "libx264", "-preset", "ultrafast"])
                .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
                .arg(&video)
                .status()
                .expect("ffmpeg runs");
            assert!(status.success(), "ffmpeg made {}", video.display());
            video
        })
        .collect()
}

pub fn create_key(data: &Path, env: &[(String, String)]) -> String {
    let output = opusclip(&["keys", "create", "--name", "worker-kill"], data, env).output().unwrap();
    assert!(output.status.success(), "keys create: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().last().unwrap_or_default().trim().to_string()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60))).build(),
    )
}

/// GET with the key: status and body.
pub fn get(url: &str, key: &str) -> (u16, Vec<u8>) {
    let mut response = agent().get(url).header("x-api-key", key).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(256 << 20).read_to_vec().unwrap_or_default();
    (status, body)
}

pub fn get_json(url: &str, key: &str) -> Value {
    let (status, body) = get(url, key);
    assert_eq!(status, 200, "GET {url}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// Submit a clip job: the talk and the SRT as multipart parts, one clip of 4–8 s.
pub fn submit(base: &str, key: &str, video: &Path) -> String {
    let name = video.file_name().unwrap().to_string_lossy().into_owned();
    let video = std::fs::read(video).unwrap();
    crate::support::submit_clip_job(&agent(), base, key, &name, video, SRT.as_bytes().to_vec())
}

/// The names in a job's storage folder starting with `prefix`.
pub fn entries(folder: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|dir| dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|name| name.starts_with(prefix));
    names.sort();
    names
}
