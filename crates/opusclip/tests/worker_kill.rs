//! The worker-kill test against the real PostgreSQL: one `opusclip serve --workers 0` (API only)
//! and two `opusclip worker` processes share a job queue in a fresh PostgreSQL schema and one
//! local storage folder; 20 small clip jobs are uploaded, and while they run, workers are killed
//! with SIGKILL at seeded random points — aimed at a job that is ingesting (claimed, probing,
//! reading its transcript), analysing (`survey` … `reframe`), rendering, and publishing (its
//! output folder has appeared in storage but the job is not yet recorded as succeeded), plus two
//! kills at random moments — and a fresh worker is started after each kill.
//!
//! Leases: `LEASE_SECONDS=3`, renewed every second, so a killed worker's job becomes claimable at
//! most 3 s after its last renewal, i.e. 2–3 s after the kill (later when every live worker is
//! busy); the test prints the lease and each observed takeover delay.
//!
//! What it proves, from the API, the jobs table, the storage folder and the workers' logs: no job
//! is lost (all 20 end, `succeeded`, within 10 minutes), each job's outputs are complete (the
//! manifest and every file in its published folder download with the stored size, every file the
//! manifest names is there) and published exactly once (one `out-` folder per job, the one of its
//! last attempt; no stray `.partial` staging), no job ran to success twice (at most one "job
//! succeeded" log line per job over every worker, attempts = 1 + the kills that hit it), and at
//! least 3 kills hit a worker while it held a running job (seen as that job's lease owner after
//! the kill).
//!
//! The kill plan and pauses come from a seeded generator (`WORKER_KILL_SEED`, printed), so a run
//! can be repeated; exact timings still depend on the machine. Without PostgreSQL at
//! 127.0.0.1:5432 (`TEST_DATABASE_URL` overrides) the test prints a note and skips, unless
//! `OPUSCLIP_REQUIRE_SERVICES=1`, which makes that a failure. Run it alone with
//! `cargo test -p opusclip --test worker_kill -- --nocapture`.

#[allow(dead_code)]
mod support;
#[path = "support/worker_fleet.rs"]
mod worker_fleet;

use worker_fleet::*;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

/// The lease of every process (seconds); heartbeats renew it every third.
const LEASE_SECONDS: u64 = 3;
/// Jobs submitted.
const JOBS: usize = 20;
/// Worker processes alive at any time (one job each).
const WORKERS: usize = 2;
/// Runs of a job before it fails for good: above the most kills one job can get here, so a
/// `WORKER_LOST` failure would mean lost leases beyond the kills.
const MAX_ATTEMPTS: u64 = 8;
/// Longest the whole run may take.
const DEADLINE: Duration = Duration::from_secs(600);
/// How long a targeted kill waits for a job in its phase before it becomes a random-time kill.
const PATIENCE: Duration = Duration::from_secs(60);
/// The seed when `WORKER_KILL_SEED` is not set.
const DEFAULT_SEED: u64 = 18;
/// A small seeded generator (SplitMix64): the kill plan and pauses repeat for a seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(low + self.next() % (high - low + 1))
    }
}

/// Where in its run a job is when its worker is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Claimed, probing the upload, reading the transcript (`probe`, `transcript`).
    Ingest,
    /// `survey`, `topics`, `select`, `look`, `reframe`.
    Analyse,
    /// `render`.
    Render,
    /// Outputs moved into storage, success not yet recorded.
    Publish,
    /// Any running job, at a random moment.
    Anytime,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Ingest => "ingest",
            Phase::Analyse => "analyse",
            Phase::Render => "render",
            Phase::Publish => "publish",
            Phase::Anytime => "anytime",
        }
    }

    /// The phase of a running job from its status's `stage` (`None`: no progress recorded yet).
    fn of_stage(stage: Option<&str>) -> Phase {
        match stage {
            None | Some("queued" | "fetch" | "probe" | "transcript" | "transcribe") => Phase::Ingest,
            Some("render") => Phase::Render,
            Some(_) => Phase::Analyse,
        }
    }
}

/// A job as the API last showed it, and whether its stage belongs to its current attempt (after a
/// takeover the row keeps the dead attempt's stage until the new holder records progress).
struct Tracked {
    state: String,
    stage: Option<String>,
    percent: f64,
    attempts: u64,
    stage_at_claim: Option<String>,
    fresh: bool,
}

impl Tracked {
    fn update(&mut self, status: &Value) {
        let attempts = status["attempts"].as_u64().unwrap_or(0);
        let stage = status["stage"].as_str().map(str::to_string);
        if attempts != self.attempts {
            self.fresh = attempts == 1;
            self.stage_at_claim = stage.clone();
        } else if stage != self.stage_at_claim {
            self.fresh = true;
        }
        self.attempts = attempts;
        self.stage = stage;
        self.state = status["state"].as_str().unwrap_or_default().to_string();
        self.percent = status["percent"].as_f64().unwrap_or(0.0);
    }

    fn ended(&self) -> bool {
        matches!(self.state.as_str(), "succeeded" | "failed" | "canceled")
    }
}

/// A job a killed worker held: its row right after the kill.
#[derive(Debug, Clone)]
struct Held {
    job: String,
    stage: String,
    percent: f64,
    attempt: u64,
}

/// One SIGKILL.
struct Kill {
    at: Duration,
    pid: u32,
    wanted: Phase,
    /// The phase the kill actually hit (from the held job's row, or the storage watch).
    hit: Option<Phase>,
    held: Vec<Held>,
    /// Seconds from the kill until the held job was claimed again.
    takeover: Option<f64>,
}

/// The whole test: see the module comment.
#[test]
fn jobs_survive_workers_killed_at_random_points() {
    if !postgres_reachable() {
        return;
    }
    let seed = std::env::var("WORKER_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED);
    let mut random = Random(seed);
    let data = Workspace(Some(tempfile::tempdir().unwrap()));
    let videos = make_talks(data.path(), JOBS);

    let schema = format!("t_worker_kill_{}", std::process::id());
    let _schema = Schema(schema.clone());
    let base_url = postgres_base();
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let storage = data.path().join("shared-storage");
    let env: Vec<(String, String)> = [
        ("DATABASE_URL", format!("{base_url}{separator}schema={schema}")),
        ("STORAGE_URL", storage.display().to_string()),
        ("LEASE_SECONDS", LEASE_SECONDS.to_string()),
        ("JOB_MAX_ATTEMPTS", MAX_ATTEMPTS.to_string()),
        // Every job runs the pipeline: no answer from the result or analysis cache.
        ("CACHE_ENABLED", "false".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let jobs_table = format!("\"{schema}\".jobs");

    let key = create_key(data.path(), &env);
    let (mut fleet, base) = Fleet::serve(data.path(), env);
    for _ in 0..WORKERS {
        fleet.start_worker();
    }
    println!(
        "worker-kill: seed {seed}; lease LEASE_SECONDS={LEASE_SECONDS} s (renewed every {:.1} s): a killed \
         worker's job is claimable {LEASE_SECONDS} s after its last renewal; {WORKERS} workers, {JOBS} jobs, \
         schema {schema}",
        LEASE_SECONDS as f64 / 3.0
    );

    let started = Instant::now();
    let ids: Vec<String> = videos.iter().map(|video| submit(&base, &key, video)).collect();
    println!("worker-kill: {JOBS} jobs submitted in {:.1} s", started.elapsed().as_secs_f64());

    // The plan: one kill aimed at each phase and two at random moments, in a seeded order.
    let mut plan = vec![Phase::Ingest, Phase::Analyse, Phase::Render, Phase::Publish, Phase::Anytime, Phase::Anytime];
    for index in (1..plan.len()).rev() {
        plan.swap(index, random.below(index + 1));
    }
    println!("worker-kill: kill plan {:?}", plan.iter().map(|p| p.name()).collect::<Vec<_>>());

    let mut tracked: BTreeMap<String, Tracked> = ids
        .iter()
        .map(|id| {
            let job = Tracked {
                state: "queued".into(),
                stage: None,
                percent: 0.0,
                attempts: 0,
                stage_at_claim: None,
                fresh: false,
            };
            (id.clone(), job)
        })
        .collect();
    let mut kills: Vec<Kill> = Vec::new();
    let mut next_kill_at = started + random.millis(1_000, 4_000);
    let mut target_since = Instant::now();

    loop {
        assert!(
            started.elapsed() < DEADLINE,
            "not every job ended within {} s: {}",
            DEADLINE.as_secs(),
            tracked
                .iter()
                .filter(|(_, job)| !job.ended())
                .map(|(id, job)| format!("{id} {} {:?} attempt {}", job.state, job.stage, job.attempts))
                .collect::<Vec<_>>()
                .join("; ")
        );
        if let Some((pid, status)) = fleet.exited() {
            panic!("worker {pid} exited by itself ({status}); see its log in {}", data.path().display());
        }
        let listed = get_json(&format!("{base}/api/jobs?limit=100"), &key);
        for status in listed["jobs"].as_array().into_iter().flatten() {
            if let Some(job) = status["id"].as_str().and_then(|id| tracked.get_mut(id)) {
                job.update(status);
            }
        }
        for kill in kills.iter_mut().filter(|kill| kill.takeover.is_none()) {
            if let Some(held) = kill.held.first() {
                if tracked[&held.job].attempts > held.attempt {
                    kill.takeover = Some(started.elapsed().as_secs_f64() - kill.at.as_secs_f64());
                }
            }
        }
        if tracked.values().all(Tracked::ended) {
            break;
        }

        if let Some(&wanted) = plan.first().filter(|_| Instant::now() >= next_kill_at) {
            let planned = wanted;
            let wanted =
                if wanted != Phase::Anytime && target_since.elapsed() > PATIENCE { Phase::Anytime } else { wanted };
            // Running jobs in the wanted phase, held by one of our live workers; of those, one with
            // the fewest attempts.
            let mut candidates: Vec<(&String, &Tracked)> = tracked
                .iter()
                .filter(|(_, job)| job.state == "running" && job.attempts < MAX_ATTEMPTS - 1)
                .filter(|(_, job)| match wanted {
                    Phase::Anytime => true,
                    Phase::Publish => job.fresh && job.stage.as_deref() == Some("render") && job.percent >= 60.0,
                    phase => job.fresh && Phase::of_stage(job.stage.as_deref()) == phase,
                })
                .collect();
            let fewest = candidates.iter().map(|(_, job)| job.attempts).min().unwrap_or(0);
            candidates.retain(|(_, job)| job.attempts == fewest);
            if !candidates.is_empty() {
                let id = candidates[random.below(candidates.len())].0.clone();
                let owner =
                    psql(&format!("SELECT lease_owner FROM {jobs_table} WHERE id = '{id}' AND state = 'running'"));
                let pid = owner.first().and_then(|row| owner_pid(&row[0])).filter(|pid| fleet.pids().contains(pid));
                if let Some(pid) = pid {
                    let killed = if wanted == Phase::Publish {
                        watch_publish_and_kill(&mut fleet, pid, &storage.join("jobs").join(&id), &base, &key, &id)
                    } else {
                        fleet.kill(pid);
                        true
                    };
                    if killed {
                        let at = started.elapsed();
                        let held: Vec<Held> = psql(&format!(
                            "SELECT id, coalesce(stage, ''), percent, attempts FROM {jobs_table} \
                             WHERE state = 'running' AND lease_owner LIKE '{HOST}-{pid}-%'"
                        ))
                        .into_iter()
                        .map(|row| Held {
                            job: row[0].clone(),
                            stage: row[1].clone(),
                            percent: row[2].parse().unwrap_or(0.0),
                            attempt: row[3].parse().unwrap_or(0),
                        })
                        .collect();
                        let hit = held.first().map(|h| match wanted {
                            Phase::Publish if h.job == id => Phase::Publish,
                            _ => Phase::of_stage(Some(h.stage.as_str()).filter(|s| !s.is_empty())),
                        });
                        let restarted = fleet.start_worker();
                        println!(
                            "worker-kill: kill #{} at {:.1} s: SIGKILL worker {pid} (aimed at {}{}) holding {}; \
                             started worker {restarted}",
                            kills.len() + 1,
                            at.as_secs_f64(),
                            wanted.name(),
                            if planned == wanted {
                                String::new()
                            } else {
                                format!(": no {} seen for {} s", planned.name(), PATIENCE.as_secs())
                            },
                            match held.first() {
                                Some(h) => format!(
                                    "job {} attempt {} in stage '{}' at {:.1}% → hit {}",
                                    h.job,
                                    h.attempt,
                                    h.stage,
                                    h.percent,
                                    hit.map(Phase::name).unwrap_or("-")
                                ),
                                None => "no running job (it had just finished)".into(),
                            }
                        );
                        kills.push(Kill { at, pid, wanted, hit, held, takeover: None });
                        plan.remove(0);
                        next_kill_at = Instant::now() + random.millis(1_000, 5_000);
                        target_since = Instant::now();
                        continue;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    let workers_started = fleet.logs.len();
    for pid in fleet.pids() {
        fleet.kill(pid);
    }

    // What the kills hit.
    let hits: Vec<&Kill> = kills.iter().filter(|kill| !kill.held.is_empty()).collect();
    let phases: BTreeSet<Phase> = hits.iter().filter_map(|kill| kill.hit).collect();
    println!(
        "worker-kill: all {JOBS} jobs ended after {:.1} s; {} kills ({} while holding a running job; phases hit: {:?}; \
         pending plan {:?}); {workers_started} worker processes in all",
        elapsed.as_secs_f64(),
        kills.len(),
        hits.len(),
        phases.iter().map(|p| p.name()).collect::<Vec<_>>(),
        plan.iter().map(|p| p.name()).collect::<Vec<_>>()
    );
    for kill in &hits {
        println!(
            "worker-kill:   kill of {} at {:.1} s (aimed at {}): job {} taken over {}",
            kill.pid,
            kill.at.as_secs_f64(),
            kill.wanted.name(),
            kill.held[0].job,
            kill.takeover
                .map(|s| format!("{s:.1} s later (lease {LEASE_SECONDS} s)"))
                .unwrap_or_else(|| "— (see below)".into())
        );
    }

    // Every job succeeded, per the API and the table.
    let mut attempts: BTreeMap<String, u64> = BTreeMap::new();
    for id in &ids {
        let status = get_json(&format!("{base}/api/jobs/{id}"), &key);
        assert_eq!(status["state"], "succeeded", "job {id} did not succeed: {status}");
        attempts.insert(id.clone(), status["attempts"].as_u64().unwrap_or(0));
    }
    let rows = psql(&format!("SELECT id, state, attempts, coalesce(lease_owner, '') FROM {jobs_table} ORDER BY id"));
    assert_eq!(rows.len(), JOBS, "one row per submitted job: {rows:?}");
    for row in &rows {
        assert_eq!((row[1].as_str(), row[3].as_str()), ("succeeded", ""), "job row {row:?}");
        assert_eq!(row[2].parse::<u64>().ok(), attempts.get(&row[0]).copied(), "attempts of {row:?}");
    }

    // Each kill of a holder made exactly the runs it should have: a job's extra attempts are at
    // least the kills that hit it (more would be leases lost without a kill, reported below).
    let mut killed_runs: BTreeMap<&str, u64> = BTreeMap::new();
    for kill in &hits {
        for held in &kill.held {
            *killed_runs.entry(held.job.as_str()).or_default() += 1;
            assert!(
                attempts[&held.job] > held.attempt,
                "job {} was held (attempt {}) by killed worker {} but never ran again",
                held.job,
                held.attempt,
                kill.pid
            );
        }
    }
    for (id, &count) in &attempts {
        let killed = killed_runs.get(id.as_str()).copied().unwrap_or(0);
        assert!(count > killed, "job {id}: {count} attempts yet {killed} kills hit it");
        if count != killed + 1 {
            println!(
                "worker-kill: note: job {id} took {count} attempts for {killed} kills (a lease lost without a kill)"
            );
        }
    }

    // Published exactly once: one `out-` folder per job, from its last attempt, complete, and the
    // one the API serves. Folders of earlier attempts are collected and reported at the end.
    let logs: Vec<String> = fleet.logs.iter().map(|log| std::fs::read_to_string(log).unwrap_or_default()).collect();
    let job_folders = entries(&storage.join("jobs"), "");
    assert_eq!(job_folders.len(), JOBS, "one storage folder per job: {job_folders:?}");
    let mut files_checked = 0;
    let mut extra_outputs: Vec<String> = Vec::new();
    for id in &ids {
        let folder = storage.join("jobs").join(id);
        let outputs = entries(&folder, "out-");
        let last = format!("out-{}", attempts[id]);
        let recorded: Vec<&String> = outputs.iter().filter(|name| **name == last).collect();
        assert_eq!(recorded.len(), 1, "job {id}: no output folder of its last attempt {last}: {outputs:?}");
        for name in outputs.iter().filter(|name| **name != last) {
            let attempt: u64 = name.split('-').nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
            let kill = hits.iter().find(|kill| kill.held.iter().any(|h| h.job == *id && h.attempt == attempt));
            let complete = folder.join(name).join("manifest.json").is_file();
            extra_outputs.push(format!(
                "job {id}: {name} ({} output of attempt {attempt}, {}) beside the recorded {}",
                if complete { "a complete" } else { "an incomplete" },
                match kill {
                    Some(kill) => format!(
                        "whose worker {} was SIGKILLed at {:.1} s aiming at {}",
                        kill.pid,
                        kill.at.as_secs_f64(),
                        kill.wanted.name()
                    ),
                    None => "not ended by a kill".into(),
                },
                recorded[0]
            ));
        }
        let partial = entries(&folder, ".");
        assert!(partial.is_empty(), "job {id}: staging left in storage: {partial:?}");

        let (status, body) = get(&format!("{base}/api/jobs/{id}/manifest"), &key);
        assert_eq!(status, 200, "job {id}: manifest: {}", String::from_utf8_lossy(&body));
        let manifest: Value = serde_json::from_slice(&body).expect("the manifest is JSON");
        assert_eq!(manifest["job_id"], id.as_str(), "job {id}: the manifest names its job");
        let published = folder.join(recorded[0]);
        let stored_manifest: Value =
            serde_json::from_slice(&std::fs::read(published.join("manifest.json")).unwrap()).unwrap();
        for (field, value) in stored_manifest.as_object().into_iter().flatten() {
            assert_eq!(&manifest[field], value, "job {id}: the served manifest's {field} is not {}'s", recorded[0]);
        }
        let clips = manifest["clips"].as_array().cloned().unwrap_or_default();
        assert!(!clips.is_empty(), "job {id}: the manifest lists no clips");
        let stored: BTreeSet<String> = entries(&published, "").into_iter().collect();
        for clip in &clips {
            let mut named: Vec<&str> =
                clip["outputs"].as_array().into_iter().flatten().filter_map(|o| o["path"].as_str()).collect();
            assert!(!named.is_empty(), "job {id}: a clip without outputs: {clip}");
            named.extend(["srt", "vtt"].iter().filter_map(|kind| clip["captions"][kind].as_str()));
            named.extend(clip["thumbnail"].as_str());
            for name in named {
                assert!(
                    stored.contains(name),
                    "job {id}: the manifest names {name}, which is not in {}",
                    published.display()
                );
                let size = std::fs::metadata(published.join(name)).unwrap().len();
                assert!(size > 0, "job {id}: {name} is empty");
            }
        }
        for name in &stored {
            let size = std::fs::metadata(published.join(name)).unwrap().len();
            let (status, body) = get(&format!("{base}/api/jobs/{id}/files/{name}"), &key);
            assert_eq!((status, body.len() as u64), (200, size), "job {id}: download of {name}");
            files_checked += 1;
        }

        // Never ran to success twice: at most one worker logged it. (None is possible: a kill
        // aimed at publishing can land after the success is recorded and before it is logged;
        // the job's state and attempts are checked above from the API and the jobs table.)
        let successes: usize = logs
            .iter()
            .map(|log| {
                log.lines()
                    .filter(|line| line.contains("job succeeded") && line.contains(&format!("job={id} ")))
                    .count()
            })
            .sum();
        assert!(successes <= 1, "job {id} was recorded as succeeded {successes} times in the worker logs");
    }
    let discarded: usize = logs.iter().map(|log| log.matches("outputs discarded").count()).sum();

    println!(
        "worker-kill: verified {JOBS} jobs succeeded, each recorded once with its last attempt's complete outputs \
         ({files_checked} files downloaded); attempts {{attempts: jobs}} {:?}; {discarded} late outputs discarded; \
         {} output folders of killed attempts left in storage",
        attempts.values().fold(BTreeMap::<u64, usize>::new(), |mut counts, &a| {
            *counts.entry(a).or_default() += 1;
            counts
        }),
        extra_outputs.len()
    );
    assert!(hits.len() >= 3, "only {} kills hit a worker holding a running job (need 3)", hits.len());
    assert!(
        extra_outputs.is_empty(),
        "outputs published more than once — a worker killed after publishing its folder but before the \
         success was recorded leaves that folder in storage, and the next attempt publishes another:\n{}",
        extra_outputs.join("\n")
    );
}

/// Publishing: watch the job's storage folder and SIGKILL its holder `pid` the moment an output
/// folder appears (published, not yet recorded). `false` when the job ended or changed hands first.
fn watch_publish_and_kill(fleet: &mut Fleet, pid: u32, folder: &Path, base: &str, key: &str, id: &str) -> bool {
    let before = entries(folder, "out-");
    let watching = Instant::now();
    let mut checked = Instant::now();
    while watching.elapsed() < Duration::from_secs(30) {
        if entries(folder, "out-") != before {
            fleet.kill(pid);
            return true;
        }
        if checked.elapsed() > Duration::from_millis(250) {
            checked = Instant::now();
            let status = get_json(&format!("{base}/api/jobs/{id}"), key);
            if status["state"] != "running" || fleet.exited().is_some() {
                return false;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}
