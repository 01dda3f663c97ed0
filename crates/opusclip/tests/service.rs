//! `opusclip serve`, `opusclip worker` and `opusclip keys` as processes: keys made and revoked
//! from the command line; two worker processes sharing one PostgreSQL queue; a worker killed
//! with SIGKILL in the middle of a job, whose job another worker finishes; and a server killed
//! mid-job and started again, which finishes the job. PostgreSQL is the machine's real server
//! (skipped with a note when unreachable, unless `OPUSCLIP_REQUIRE_SERVICES=1`).

#[allow(dead_code)]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SRT: &str = "1\n00:00:00,500 --> 00:00:03,000\nWelcome to the show about making short clips.\n\n\
2\n00:00:03,200 --> 00:00:06,000\nToday we talk about pricing and growth.\n\n\
3\n00:00:06,200 --> 00:00:09,500\nThe secret is to start with the customer.\n\n\
4\n00:00:09,700 --> 00:00:13,000\nThat is how you build something people love.\n";

fn make_talk(dir: &Path) -> (PathBuf, PathBuf) {
    let video = dir.join("talk.mp4");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=14"])
        .args(["-f", "lavfi", "-i", "sine=frequency=300:duration=14", "-c:v", "libx264", "-preset", "ultrafast"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(status.success());
    let srt = dir.join("talk.srt");
    std::fs::write(&srt, SRT).unwrap();
    (video, srt)
}

fn postgres_reachable() -> bool {
    let ok = std::net::TcpStream::connect_timeout(&"127.0.0.1:5432".parse().unwrap(), Duration::from_secs(2)).is_ok();
    if !ok {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        assert!(!required, "PostgreSQL is required (OPUSCLIP_REQUIRE_SERVICES=1) but not reachable");
        eprintln!("note: skipped — PostgreSQL is not reachable at 127.0.0.1:5432 (run `make test`, which starts it)");
    }
    ok
}

fn schema_url(tag: &str) -> (String, String) {
    let schema = format!("t_{tag}_{}", std::process::id());
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    (format!("{base}?schema={schema}"), schema)
}

/// Drops its schema when the test ends, passed or not.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        drop_schema(&self.0);
    }
}

fn drop_schema(schema: &str) {
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let _ = Command::new("psql")
        .args([base.as_str(), "-q", "-c", &format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")])
        .stderr(Stdio::null())
        .status();
}

/// An `opusclip` process with the service's environment.
fn opusclip(args: &[&str], data: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opusclip"));
    command.args(args).current_dir(data).env("OPUSCLIP_DATA_DIR", data).env("OPUSCLIP_CACHE_DIR", data.join("cache"));
    for name in ["DATABASE_URL", "STORAGE_URL", "REDIS_URL", "MAX_WORKERS", "API_PORT", "API_HOST"] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command
}

/// A child that is killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `opusclip serve` and read its address from the first line it prints.
fn serve(data: &Path, env: &[(&str, &str)], workers: &str) -> (Running, String) {
    let mut child = opusclip(&["serve", "--port", "0", "--workers", workers], data, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let address =
        first.split("listening on ").nth(1).unwrap_or_else(|| panic!("no address in {first:?}")).trim().to_string();
    (Running(child), address)
}

fn worker(data: &Path, env: &[(&str, &str)], log: &Path) -> Running {
    let log = std::fs::File::create(log).unwrap();
    Running(opusclip(&["-v", "worker", "--workers", "1"], data, env).stdout(Stdio::null()).stderr(log).spawn().unwrap())
}

fn create_key(data: &Path, env: &[(&str, &str)]) -> String {
    let output = opusclip(&["keys", "create", "--name", "test"], data, env).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.lines().last().unwrap().trim().to_string();
    assert!(key.starts_with("ock_") && !key.contains(' '), "the key alone on the last line: {stdout:?}");
    key
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build())
}

fn get_json(url: &str, key: &str) -> (u16, serde_json::Value) {
    let mut response = agent().get(url).header("x-api-key", key).call().unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Submit a clip job (multipart upload of the talk and its SRT).
fn submit(base: &str, key: &str, video: &Path, srt: &Path) -> String {
    let (video, srt) = (std::fs::read(video).unwrap(), std::fs::read(srt).unwrap());
    support::submit_clip_job(&agent(), base, key, "talk.mp4", video, srt)
}

fn wait_until(
    base: &str,
    key: &str,
    id: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let (_, status) = get_json(&format!("{base}/api/jobs/{id}"), key);
        if done(&status) || started.elapsed() > limit {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn ended(status: &serde_json::Value) -> bool {
    matches!(status["state"].as_str(), Some("succeeded" | "failed" | "canceled"))
}

#[test]
fn keys_are_created_listed_and_revoked_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let key = create_key(data.path(), &[]);
    let list = opusclip(&["--json", "keys", "list"], data.path(), &[]).output().unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_string();
    assert!(!String::from_utf8_lossy(&list.stdout).contains(&key), "list never shows the key");
    let (server, address) = serve(data.path(), &[], "0");
    let base = address.clone();
    assert_eq!(get_json(&format!("{base}/api/jobs/x"), &key).0, 404, "the key works");
    let revoked = opusclip(&["keys", "revoke", &id], data.path(), &[]).output().unwrap();
    assert!(revoked.status.success());
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(get_json(&format!("{base}/api/jobs/x"), &key).0, 401, "refused once revoked");
    let again = opusclip(&["keys", "revoke", &id], data.path(), &[]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "revoking twice is an error");
    drop(server);
}

#[test]
fn two_workers_share_the_postgresql_queue() {
    if !postgres_reachable() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (video, srt) = make_talk(data.path());
    let (url, schema) = schema_url("pair");
    let _schema = Schema(schema);
    let storage = data.path().join("shared-storage").display().to_string();
    let env = [("DATABASE_URL", url.as_str()), ("STORAGE_URL", storage.as_str())];
    let key = create_key(data.path(), &env);
    let (_server, address) = serve(data.path(), &env, "0");
    let base = address.clone();
    let logs = [data.path().join("worker-a.log"), data.path().join("worker-b.log")];
    let workers: Vec<Running> = logs.iter().map(|log| worker(data.path(), &env, log)).collect();
    let ids: Vec<String> = (0..4).map(|_| submit(&base, &key, &video, &srt)).collect();
    for id in &ids {
        let status = wait_until(&base, &key, id, Duration::from_secs(120), ended);
        assert_eq!(status["state"], "succeeded", "{status}");
        assert_eq!(status["attempts"], 1, "each job ran once");
    }
    drop(workers);
    let finished: Vec<usize> = logs
        .iter()
        .map(|log| {
            let mut text = String::new();
            std::fs::File::open(log).unwrap().read_to_string(&mut text).unwrap();
            text.matches("job succeeded").count()
        })
        .collect();
    assert_eq!(finished.iter().sum::<usize>(), 4, "{finished:?}");
    assert!(finished.iter().all(|&n| n >= 1), "both workers took jobs: {finished:?}");
}

#[test]
fn a_worker_killed_mid_job_loses_it_to_another() {
    if !postgres_reachable() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (video, srt) = make_talk(data.path());
    let (url, schema) = schema_url("kill");
    let _schema = Schema(schema);
    let storage = data.path().join("shared-storage").display().to_string();
    let env = [("DATABASE_URL", url.as_str()), ("STORAGE_URL", storage.as_str()), ("LEASE_SECONDS", "2")];
    let key = create_key(data.path(), &env);
    let (_server, address) = serve(data.path(), &env, "0");
    let base = address.clone();
    let id = submit(&base, &key, &video, &srt);
    let mut doomed = worker(data.path(), &env, &data.path().join("doomed.log"));
    let running =
        wait_until(&base, &key, &id, Duration::from_secs(60), |s| s["state"] == "running" && !s["stage"].is_null());
    assert_eq!(running["state"], "running", "{running}");
    doomed.0.kill().unwrap(); // SIGKILL: no chance to clean up or give the job back
    doomed.0.wait().unwrap();
    let killed_at = Instant::now();
    let _rescuer = worker(data.path(), &env, &data.path().join("rescuer.log"));
    let status = wait_until(&base, &key, &id, Duration::from_secs(120), ended);
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["attempts"], 2, "the second worker ran it again");
    assert!(killed_at.elapsed() >= Duration::from_millis(1500), "taken over only after the lease ran out");
    let (code, _) = get_json(&format!("{base}/api/jobs/{id}/files/clip-01.mp4"), &key);
    assert_eq!(code, 200);
}

#[test]
fn a_server_killed_mid_job_finishes_it_after_restart() {
    let data = tempfile::tempdir().unwrap();
    let (video, srt) = make_talk(data.path());
    let env = [("LEASE_SECONDS", "2")];
    let key = create_key(data.path(), &env);
    let (mut server, address) = serve(data.path(), &env, "1");
    let base = address.clone();
    let id = submit(&base, &key, &video, &srt);
    let running =
        wait_until(&base, &key, &id, Duration::from_secs(60), |s| s["state"] == "running" && !s["stage"].is_null());
    assert_eq!(running["state"], "running");
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let (_again, address) = serve(data.path(), &env, "1");
    let base = address.clone();
    let status = wait_until(&base, &key, &id, Duration::from_secs(120), ended);
    assert_eq!((status["state"].as_str(), status["attempts"].as_u64()), (Some("succeeded"), Some(2)), "{status}");
}
