//! The ETA on simulated jobs with a clock the test moves: a machine slower than the priors, and
//! unevenly so (survey 1.5×, the close look 2.5×, rendering 4×), seen first without any
//! measurement, then again once one job taught it.

use super::*;

fn workload() -> Workload {
    Workload { source_seconds: 3600.0, clip_seconds: 450.0, outputs: 2, transcribes: false }
}

/// Seconds each stage of a one-hour, ten-clip, two-aspect job takes on the simulated machine.
fn true_stages(speeds: &StageSpeeds) -> Vec<(&'static str, f64)> {
    let slower = |stage: &str| match stage {
        "survey" => 1.5,
        "look" => 2.5,
        "render" => 4.0,
        _ => 1.0,
    };
    CLIP_STAGES.iter().map(|stage| (*stage, slower(stage) * speeds.predict(stage, &workload()).unwrap())).collect()
}

/// What a run showed: (seconds in, ETA, true seconds left, percent) ten times a stage.
fn run_job(speeds: Arc<StageSpeeds>, stages: &[(&'static str, f64)]) -> Vec<(f64, f64, f64, f64)> {
    let now = Arc::new(Mutex::new(0.0_f64));
    let clock_now = now.clone();
    let progress =
        JobProgress::with_clock(Arc::new(Metrics::default()), speeds, Arc::new(move || *clock_now.lock().unwrap()));
    let total: f64 = stages.iter().map(|(_, seconds)| seconds).sum();
    let mut seen = Vec::new();
    for (stage, seconds) in stages {
        progress.stage(stage);
        for step in 1..=10 {
            *now.lock().unwrap() += seconds / 10.0;
            progress.advance(f64::from(step) / 10.0);
            let snapshot = progress.snapshot();
            let at = *now.lock().unwrap();
            if let Some(eta) = snapshot.eta_seconds {
                seen.push((at, eta, total - at, snapshot.percent));
            }
        }
        progress.stage_done(stage, *seconds);
        if *stage == "transcript" {
            progress.workload(&workload());
        }
    }
    seen
}

fn relative_error(eta: f64, truth: f64) -> f64 {
    (eta - truth).abs() / truth.max(1.0)
}

#[test]
fn percent_grows_through_the_stages_and_stops_short_of_100_without_a_size() {
    let progress = JobProgress::new(Arc::new(Metrics::default()), Arc::new(StageSpeeds::default()));
    assert_eq!(progress.snapshot().percent, 0.0);
    let mut last = 0.0;
    for stage in ["probe", "transcript", "survey", "select", "look", "reframe", "render"] {
        progress.stage(stage);
        progress.advance(0.5);
        let middle = progress.snapshot();
        assert!(middle.percent >= last, "{stage}: {} < {last}", middle.percent);
        assert_eq!(middle.stage, stage);
        progress.stage_done(stage, 0.1);
        last = progress.snapshot().percent;
    }
    assert!(last > 95.0 && last <= 99.0, "{last}");
    assert!(progress.snapshot().eta_seconds.is_some());
    assert_eq!(progress.stage_seconds()["render"], 0.1);
}

#[test]
fn on_a_slow_machine_the_first_eta_corrects_itself_and_the_second_job_is_foretold() {
    let speeds = Arc::new(StageSpeeds::default());
    let stages = true_stages(&speeds);
    let first = run_job(speeds.clone(), &stages);
    // Halfway through the render (the longest stage) the first job's ETA has caught up with
    // the machine it runs on.
    let render_began: f64 = stages.iter().take_while(|(s, _)| *s != "render").map(|(_, t)| t).sum();
    let render = stages.last().unwrap().1;
    let halfway = first.iter().find(|(at, ..)| *at >= render_began + render / 2.0).unwrap();
    assert!(relative_error(halfway.1, halfway.2) < 0.25, "halfway through rendering: {halfway:?}");
    let errors = |run: &[(f64, f64, f64, f64)]| -> Vec<String> {
        [0.05, 0.25, 0.5, 0.75]
            .iter()
            .map(|share| {
                let (_, eta, truth, _) = run.iter().find(|(at, ..)| *at >= share * (run.last().unwrap().0)).unwrap();
                format!("{:.0}% in: {:+.0}%", share * 100.0, (eta - truth) / truth * 100.0)
            })
            .collect()
    };
    eprintln!("first job's ETA error: {:?}", errors(&first));
    let second = run_job(speeds, &stages);
    let (at, eta, truth, _) = second[0];
    assert!(relative_error(eta, truth) < 0.10, "the second job's first ETA at {at:.0} s: {eta:.0} s for {truth:.0} s");
    eprintln!("second job's ETA error: {:?}", errors(&second));
    let worst = second.iter().map(|(_, eta, truth, _)| relative_error(*eta, *truth)).fold(0.0, f64::max);
    assert!(worst < 0.15, "the second job's ETA is never off by more than 15 %: {worst:.2}");
    for run in [&first, &second] {
        assert!(run.windows(2).all(|pair| pair[1].3 >= pair[0].3), "percent never goes back");
        assert!(run.last().unwrap().3 > 90.0);
    }
}

#[test]
fn stages_that_ended_before_the_size_was_known_are_learnt_when_it_is() {
    let speeds = Arc::new(StageSpeeds::default());
    let progress = JobProgress::new(Arc::new(Metrics::default()), speeds.clone());
    progress.stage("probe");
    progress.stage_done("probe", 36.0);
    assert!(progress.snapshot().eta_seconds.is_none() || progress.snapshot().percent < 10.0);
    progress.workload(&workload());
    assert!((speeds.predict("probe", &workload()).unwrap() - 36.0).abs() < 1e-9, "0.01 s per source second");
}
