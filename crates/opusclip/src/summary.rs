//! The human summary printed after a run: the ranked clips, stage times and where files are.

use opusclip_core::Manifest;
use std::path::Path;

fn clock(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

/// Print the ranked clips of one input.
pub fn print_summary(input: &Path, output: &Path, manifest: &Manifest) {
    println!("\n{} → {}", input.display(), output.display());
    for warning in &manifest.warnings {
        println!("  note: {warning}");
    }
    if manifest.clips.is_empty() {
        println!("  no clips fit the requested lengths");
    } else {
        println!("  {:>2}  {:<8} {:>11}  {:>5}  {:>5}  title", "#", "file", "from–to", "secs", "score");
        for clip in &manifest.clips {
            let file = clip.outputs.first().map(|o| o.path.as_str()).unwrap_or("-");
            let span = format!("{}–{}", clock(clip.start), clock(clip.end));
            println!(
                "  {:>2}  {:<8} {:>11}  {:>5.1}  {:>5.1}  {}",
                clip.rank,
                file.trim_end_matches(".mp4"),
                span,
                clip.duration,
                clip.score.total,
                clip.title
            );
        }
    }
    let stages: Vec<String> = manifest.stages.iter().map(|s| format!("{} {:.1}s", s.name, s.seconds)).collect();
    let total: f64 = manifest.stages.iter().map(|s| s.seconds).sum();
    println!(
        "  stages: {} (total {:.1}s), peak memory {} MiB",
        stages.join(", "),
        total,
        manifest.peak_memory_bytes >> 20
    );
    println!("  manifest: {}", output.join("manifest.json").display());
}
