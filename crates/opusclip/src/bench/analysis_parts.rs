//! The analysis figures: P1 `opusclip analyze` against a pure two-thread decode of the same
//! file, P2 against PySceneDetect's `detect-content` (time on the generated talk, F1 on
//! PySceneDetect's own test videos with cuts decided from the picture), P4 peak memory of `analyze` as the source grows.

use super::inputs::BenchTalk;
use super::measure::{alternate, Contender};
use super::report::{Headline, Part, Table};
use super::Bench;
use opusclip_analyze::evaluation::match_cuts;
use opusclip_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The yardstick of P1: every frame decoded with two threads and counted, nothing else.
const DECODE: &str = "decode (ffprobe -threads 2 -count_frames)";
const ANALYZE: &str = "opusclip analyze";
const ANALYZE_CONTENT: &str = "opusclip analyze --detector content";
const SCENEDETECT: &str = "PySceneDetect detect-content";

/// P1's goal: analysis costs no more than decoding.
const P1_GOAL: f64 = 1.0;
/// P2's goal: at least twice as fast as PySceneDetect.
const P2_GOAL: f64 = 2.0;
/// P4's goal: the longest source's peak memory at most this many times the shortest's.
const P4_GOAL: f64 = 1.25;

/// Hard cuts decided from the picture for the shared scene videos (`scripts/eval_scenes.py`
/// explains each): frame numbers, 0-based, first frame of the new shot.
const SCENE_TRUTH: [(&str, &[u64]); 3] =
    [("testvideo.mp4", &[30, 180, 394]), ("fades.mp4", &[]), ("counter.mp4", &[10, 20])];

pub fn decode_command(video: &Path) -> Command {
    let mut command = Command::new("ffprobe");
    command.args(["-v", "error", "-threads", "2", "-count_frames", "-select_streams", "v:0"]);
    command.args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"]).arg(video);
    command
}

fn analyze_command(bench: &Bench, video: &Path, output: &Path, detector: &str) -> Command {
    let mut command = bench.opusclip();
    command.arg("analyze").arg(video).arg("-o").arg(output).args(["--no-cache", "--detector", detector]);
    command
}

fn scenedetect_command(program: &Path, video: &Path, dir: &Path, name: &str) -> Command {
    let mut command = Command::new(program);
    command.arg("-q").arg("-i").arg(video).args(["detect-content", "list-scenes", "-s", "-q"]);
    command.arg("-o").arg(dir).arg("-f").arg(name);
    command
}

/// P1: `analyze` against a decode of the same file.
pub fn p1(bench: &Bench, talk: &BenchTalk) -> Result<Part> {
    let output = bench.dir.join("p1.analysis.json");
    let mut contenders = [
        Contender::new(DECODE, || bench.measure(&mut decode_command(&talk.video))),
        Contender::new(ANALYZE, || bench.measure(&mut analyze_command(bench, &talk.video, &output, "adaptive"))),
    ];
    let bests =
        alternate(bench.rounds, &mut contenders, &mut |name, round| bench.say(&format!("P1 round {round}: {name}")))?;
    let mut part = Part::new("P1", "analysis against a pure decode", describe(talk)).with_rows(bests, DECODE);
    if let (Some(analyze), Some(decode)) = (part.seconds_of(ANALYZE), part.seconds_of(DECODE)) {
        let value = analyze / decode;
        part.headlines.push(Headline::at_most("analyze ÷ decode", value, P1_GOAL));
    }
    Ok(part)
}

/// P2: `analyze --detector content` against PySceneDetect's `detect-content`, timed on the
/// generated talk; F1 of both on the shared goldens (when `scenes` is given).
pub fn p2(bench: &Bench, talk: &BenchTalk, scenedetect: Option<&Path>, scenes: Option<&Path>) -> Result<Part> {
    let work = bench.dir.join("p2");
    std::fs::create_dir_all(&work).map_err(|e| Error::io("create", &work, e))?;
    let ours = work.join("talk.analysis.json");
    let mut part = Part::new("P2", "analysis against PySceneDetect", describe(talk));
    let bests = match scenedetect {
        Some(program) => {
            let mut contenders = [
                Contender::new(SCENEDETECT, || {
                    bench.measure(&mut scenedetect_command(program, &talk.video, &work, "talk.scenes.csv"))
                }),
                Contender::new(ANALYZE_CONTENT, || {
                    bench.measure(&mut analyze_command(bench, &talk.video, &ours, "content"))
                }),
            ];
            alternate(bench.rounds, &mut contenders, &mut |name, round| {
                bench.say(&format!("P2 round {round}: {name}"))
            })?
        }
        None => {
            part.notes.push(
                "PySceneDetect was not found (give --scenedetect PATH; `make bench` installs it): only opusclip was timed"
                    .into(),
            );
            let mut contenders = [Contender::new(ANALYZE_CONTENT, || {
                bench.measure(&mut analyze_command(bench, &talk.video, &ours, "content"))
            })];
            alternate(bench.rounds, &mut contenders, &mut |name, round| {
                bench.say(&format!("P2 round {round}: {name}"))
            })?
        }
    };
    part = part.with_rows(bests, SCENEDETECT);
    if let (Some(theirs), Some(mine)) = (part.seconds_of(SCENEDETECT), part.seconds_of(ANALYZE_CONTENT)) {
        let value = theirs / mine;
        part.headlines.push(Headline::at_least("PySceneDetect ÷ opusclip (speed-up)", value, P2_GOAL));
    }
    let mut videos: Vec<(String, PathBuf, Vec<u64>)> = Vec::new();
    if let Some(dir) = scenes {
        for (name, cuts) in SCENE_TRUTH {
            let path = dir.join(name);
            if path.is_file() {
                videos.push((name.to_string(), path, cuts.to_vec()));
            } else {
                part.notes.push(format!("{} is missing: no F1 for it", path.display()));
            }
        }
    }
    let mut rows = Vec::new();
    for (name, video, golden) in &videos {
        bench.say(&format!("P2 F1: {name}"));
        let json = work.join(format!("{name}.analysis.json"));
        bench.measure(&mut analyze_command(bench, video, &json, "content"))?;
        let csv = format!("{name}.scenes.csv");
        let theirs = match scenedetect {
            Some(program) => {
                bench.measure(&mut scenedetect_command(program, video, &work, &csv))?;
                Some(scenedetect_cuts(&work.join(&csv))?)
            }
            None => None,
        };
        rows.push(f1_row(name, golden, &analysis_cuts(&json)?, theirs.as_deref()));
    }
    if rows.is_empty() {
        part.notes
            .push("no F1: give --scenes DIR with PySceneDetect's testvideo.mp4, fades.mp4 and counter.mp4".into());
        return Ok(part);
    }
    part.tables.push(Table {
        title: "F1 of the cuts found (exact frame / within ±1 frame)".into(),
        header: ["video", "golden cuts", "opusclip F1", "PySceneDetect F1"].map(String::from).to_vec(),
        rows,
    });
    Ok(part)
}

fn f1_row(name: &str, golden: &[u64], ours: &[u64], theirs: Option<&[u64]>) -> Vec<String> {
    let scores = |found: &[u64]| {
        format!(
            "{:.2} / {:.2} ({} found)",
            match_cuts(found, golden, 0).f1,
            match_cuts(found, golden, 1).f1,
            found.len()
        )
    };
    vec![name.to_string(), golden.len().to_string(), scores(ours), theirs.map(scores).unwrap_or_else(|| "—".into())]
}

/// P4: peak memory of `analyze` on each length of talk.
pub fn p4(bench: &Bench, talks: &[BenchTalk]) -> Result<Part> {
    let mut bests = Vec::new();
    for talk in talks {
        let name = format!("opusclip analyze, {:.0} min", talk.minutes);
        bench.say(&format!("P4: {name}"));
        let output = bench.dir.join(format!("p4.{:.0}min.analysis.json", talk.minutes));
        bests.push((name, bench.measure(&mut analyze_command(bench, &talk.video, &output, "adaptive"))?.into()));
    }
    let lengths: Vec<String> = talks.iter().map(|talk| format!("{:.0}", talk.minutes)).collect();
    let mut part = Part::new(
        "P4",
        "peak memory as the source grows",
        format!("the generated talk at {} minutes (one run each; the ratio column is wall time)", lengths.join(", ")),
    );
    let first = bests.first().map(|(name, _): &(String, super::measure::Best)| name.clone()).unwrap_or_default();
    part = part.with_rows(bests, &first);
    let peaks: Vec<u64> = part.rows.iter().map(|row| row.best.peak_rss_bytes).collect();
    if let (Some(first), Some(last)) = (peaks.first(), peaks.last()) {
        if peaks.len() > 1 && *first > 0 {
            let value = *last as f64 / *first as f64;
            part.headlines.push(Headline::at_most("peak RSS, longest ÷ shortest", value, P4_GOAL));
        }
    }
    Ok(part)
}

pub fn describe(talk: &BenchTalk) -> String {
    format!(
        "The generated {:.1}-minute {}x{} 30 fps talk ({:.1} Mb/s H.264 with film grain, AAC speech).",
        talk.minutes, talk.width, talk.height, talk.megabits_per_second
    )
}

/// The cut frames of an `analysis.json`.
fn analysis_cuts(path: &Path) -> Result<Vec<u64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::invalid_input(format!("{} is not analysis JSON: {e}", path.display())))?;
    Ok(value["cuts"].as_array().into_iter().flatten().filter_map(|cut| cut["frame"].as_u64()).collect())
}

/// The cut frames of a PySceneDetect scene list: each scene's 1-based start frame after the
/// first, minus one.
fn scenedetect_cuts(path: &Path) -> Result<Vec<u64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    Ok(cuts_of_scene_list(&text))
}

fn cuts_of_scene_list(text: &str) -> Vec<u64> {
    let mut lines =
        text.lines().filter(|line| !line.trim().is_empty()).skip_while(|line| line.starts_with("Timecode List"));
    let Some(header) = lines.next() else { return Vec::new() };
    let Some(column) = header.split(',').position(|cell| cell.trim().eq_ignore_ascii_case("start frame")) else {
        return Vec::new();
    };
    lines
        .filter_map(|line| line.split(',').nth(column)?.trim().parse::<u64>().ok())
        .skip(1)
        .map(|start| start.saturating_sub(1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_list_gives_the_cut_frames() {
        let csv = "Scene Number,Start Frame,Start Timecode,End Frame\n1,1,00:00:00.000,30\n2,31,00:00:01.000,180\n3,181,00:00:06.000,400\n";
        assert_eq!(cuts_of_scene_list(csv), vec![30, 180]);
        let with_list = format!("Timecode List:,00:00:01.000\n{csv}");
        assert_eq!(cuts_of_scene_list(&with_list), vec![30, 180]);
        assert!(cuts_of_scene_list("").is_empty());
    }

    #[test]
    fn f1_rows_score_exact_and_near_cuts() {
        let row = f1_row("v", &[10, 20], &[10, 21], None);
        assert_eq!(row[2], "0.50 / 1.00 (2 found)");
        assert_eq!(row[3], "—");
    }
}
