//! Prometheus metrics: jobs by state and queue depth (read from the job store at scrape time,
//! so every process sees the whole queue), stage durations and job outcomes of this process's
//! workers, and HTTP requests by route class and status.

use crate::jobs::{JobState, JobStore};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the stage-duration histogram buckets, seconds.
const STAGE_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; STAGE_BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters kept in this process.
#[derive(Debug, Default)]
pub struct Metrics {
    stages: Mutex<BTreeMap<String, Histogram>>,
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
    requests: Mutex<BTreeMap<(String, u16), u64>>,
}

impl Metrics {
    /// A stage of some job took `seconds`.
    pub fn record_stage(&self, stage: &str, seconds: f64) {
        let mut stages = self.stages.lock().unwrap_or_else(|p| p.into_inner());
        let histogram = stages.entry(stage.to_string()).or_default();
        for (bound, count) in STAGE_BUCKETS.iter().zip(histogram.buckets.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// A job this process ran ended (`succeeded`, `failed`, `retried`, `lost`, `cached`).
    pub fn record_outcome(&self, outcome: &'static str) {
        *self.outcomes.lock().unwrap_or_else(|p| p.into_inner()).entry(outcome).or_default() += 1;
    }

    /// An HTTP request was answered.
    pub fn record_request(&self, route: &str, status: u16) {
        *self.requests.lock().unwrap_or_else(|p| p.into_inner()).entry((route.to_string(), status)).or_default() += 1;
    }

    /// The text exposition, with the store's counts.
    pub async fn render(&self, jobs: &JobStore) -> String {
        let mut text = String::new();
        text.push_str("# HELP opusclip_jobs Jobs in the store by state.\n# TYPE opusclip_jobs gauge\n");
        let counts = jobs.counts_by_state().await.unwrap_or_default();
        let up = !counts.is_empty();
        for (state, count) in &counts {
            let _ = writeln!(text, "opusclip_jobs{{state=\"{}\"}} {count}", state.as_str());
        }
        let depth = counts.iter().filter(|(s, _)| *s == JobState::Queued).map(|(_, n)| *n).sum::<i64>();
        text.push_str("# HELP opusclip_queue_depth Jobs waiting for a worker.\n# TYPE opusclip_queue_depth gauge\n");
        let _ = writeln!(text, "opusclip_queue_depth {depth}");
        text.push_str("# HELP opusclip_store_up Whether the job store answered.\n# TYPE opusclip_store_up gauge\n");
        let _ = writeln!(text, "opusclip_store_up {}", u8::from(up));
        self.render_stages(&mut text);
        self.render_counters(&mut text);
        text
    }

    fn render_stages(&self, text: &mut String) {
        text.push_str("# HELP opusclip_stage_seconds Time spent in each pipeline stage by this process's workers.\n");
        text.push_str("# TYPE opusclip_stage_seconds histogram\n");
        let stages = self.stages.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for (stage, histogram) in &stages {
            for (bound, count) in STAGE_BUCKETS.iter().zip(histogram.buckets) {
                let _ = writeln!(text, "opusclip_stage_seconds_bucket{{stage=\"{stage}\",le=\"{bound}\"}} {count}");
            }
            let _ =
                writeln!(text, "opusclip_stage_seconds_bucket{{stage=\"{stage}\",le=\"+Inf\"}} {}", histogram.count);
            let _ = writeln!(text, "opusclip_stage_seconds_sum{{stage=\"{stage}\"}} {}", histogram.sum);
            let _ = writeln!(text, "opusclip_stage_seconds_count{{stage=\"{stage}\"}} {}", histogram.count);
        }
    }

    fn render_counters(&self, text: &mut String) {
        text.push_str("# HELP opusclip_job_outcomes_total Jobs this process's workers finished, by outcome.\n");
        text.push_str("# TYPE opusclip_job_outcomes_total counter\n");
        for (outcome, count) in self.outcomes.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(text, "opusclip_job_outcomes_total{{outcome=\"{outcome}\"}} {count}");
        }
        text.push_str("# HELP opusclip_http_requests_total HTTP requests answered, by route and status.\n");
        text.push_str("# TYPE opusclip_http_requests_total counter\n");
        for ((route, status), count) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(text, "opusclip_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_histogram_counts_into_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record_stage("render", 0.3);
        metrics.record_stage("render", 7.0);
        let mut text = String::new();
        metrics.render_stages(&mut text);
        assert!(text.contains("opusclip_stage_seconds_bucket{stage=\"render\",le=\"0.25\"} 0"), "{text}");
        assert!(text.contains("opusclip_stage_seconds_bucket{stage=\"render\",le=\"0.5\"} 1"), "{text}");
        assert!(text.contains("opusclip_stage_seconds_bucket{stage=\"render\",le=\"10\"} 2"), "{text}");
        assert!(text.contains("opusclip_stage_seconds_count{stage=\"render\"} 2"));
        assert!(text.contains("opusclip_stage_seconds_sum{stage=\"render\"} 7.3"));
    }
}
