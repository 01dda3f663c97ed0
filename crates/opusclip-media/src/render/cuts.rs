//! Jump cuts in a render: the first lines of the filter graph that keep only the clip's kept
//! ranges — each range's picture and sound trimmed from the decoded stretch of the source it
//! lies in (sample-exact for the sound) and joined by `concat`, so they stay together across
//! every join — and hand the rest of the graph the joined picture, each output's sound (through
//! the loudness filter) and, for audiograms, the joined sound to draw. Ranges far apart (a
//! question and its answer) are read from inputs of their own, so the stretch between them is
//! never decoded.

use super::crop_expression::format_number;

/// Where the rest of the graph reads the clip's picture and sound from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ClipStreams {
    pub video: &'static str,
    pub sound: &'static str,
}

/// The source's own streams, for a clip without cuts.
pub(super) const UNCUT: ClipStreams = ClipStreams { video: "[0:v]", sound: "[0:a:0]" };

/// The joined streams a cut clip's prefix ends in.
pub(super) const CUT: ClipStreams = ClipStreams { video: "[cutv]", sound: "[cutsound]" };

/// The label output `index`'s sound has in a cut clip's graph.
pub(super) fn cut_audio_label(index: usize) -> String {
    format!("[aout{index}]")
}

/// One kept range: the input holding it and its seconds from that input's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CutRange {
    pub input: usize,
    pub from: f64,
    pub to: f64,
}

/// What the cut prefix needs to know about the render.
pub(super) struct CutPlan<'a> {
    /// The kept ranges, in order.
    pub ranges: &'a [CutRange],
    /// Whether an output shows the source's picture (every output but an audiogram does).
    pub shows_picture: bool,
    pub has_audio: bool,
    /// How many outputs take the clip's sound (each gets `[aout{i}]`).
    pub outputs: usize,
    /// Whether an audiogram draws the sound (then `[cutsound]` is made too).
    pub draws_sound: bool,
    /// The loudness filter for the outputs' sound, when the job normalises it.
    pub audio_filter: Option<&'a str>,
}

/// The graph lines that cut the clip: they end in `[cutv]` when an output shows the picture, and
/// with sound in `[aout0]`… (one per output) and `[cutsound]` when an audiogram draws it.
pub(super) fn cut_prefix(plan: &CutPlan) -> String {
    let count = plan.ranges.len();
    let mut graph = String::new();
    let mut inputs: Vec<usize> = plan.ranges.iter().map(|range| range.input).collect();
    inputs.dedup();
    for input in inputs {
        let held: Vec<usize> = (0..count).filter(|&index| plan.ranges[index].input == input).collect();
        let labels = |prefix: &str| held.iter().map(|index| format!("[{prefix}{index}]")).collect::<String>();
        if plan.shows_picture {
            graph.push_str(&format!("[{input}:v]split={}{};\n", held.len(), labels("keepv")));
        }
        if plan.has_audio {
            graph.push_str(&format!("[{input}:a:0]asplit={}{};\n", held.len(), labels("keepa")));
        }
    }
    let mut joined = String::new();
    for (index, range) in plan.ranges.iter().enumerate() {
        let (from, to) = (format_number(range.from), format_number(range.to));
        if plan.shows_picture {
            graph.push_str(&format!("[keepv{index}]trim=start={from}:end={to},setpts=PTS-STARTPTS[partv{index}];\n"));
            joined.push_str(&format!("[partv{index}]"));
        }
        if plan.has_audio {
            graph.push_str(&format!("[keepa{index}]atrim=start={from}:end={to},asetpts=PTS-STARTPTS[parta{index}];\n"));
            joined.push_str(&format!("[parta{index}]"));
        }
    }
    let (video_streams, audio_streams) = (usize::from(plan.shows_picture), usize::from(plan.has_audio));
    let joined_picture = if plan.shows_picture { CUT.video } else { "" };
    let joined_sound = if plan.has_audio { "[cuta]" } else { "" };
    graph.push_str(&format!(
        "{joined}concat=n={count}:v={video_streams}:a={audio_streams}{joined_picture}{joined_sound};\n"
    ));
    if plan.has_audio {
        let unfiltered = |index: usize| match plan.audio_filter {
            Some(_) => format!("[aoutraw{index}]"),
            None => cut_audio_label(index),
        };
        let mut sinks: String = (0..plan.outputs).map(unfiltered).collect();
        if plan.draws_sound {
            // The audiogram draws the sound before loudness normalisation, as it does without cuts.
            sinks.push_str(CUT.sound);
        }
        let branches = plan.outputs + usize::from(plan.draws_sound);
        graph.push_str(&format!("[cuta]asplit={branches}{sinks};\n"));
        if let Some(filter) = plan.audio_filter {
            // loudnorm's dynamic mode (taken when the linear gain would clip) stamps its frames
            // out of order after a concat: resample and restamp them so the encoder gets them all.
            let rate = super::loudness::SAMPLE_RATE;
            for index in 0..plan.outputs {
                graph.push_str(&format!(
                    "{}{filter},aresample={rate},asetpts=N/SR/TB{};\n",
                    unfiltered(index),
                    cut_audio_label(index)
                ));
            }
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_is_trimmed_and_the_parts_joined_picture_with_sound() {
        let plan = CutPlan {
            ranges: &[CutRange { input: 0, from: 0.0, to: 1.5 }, CutRange { input: 0, from: 2.25, to: 4.0 }],
            shows_picture: true,
            has_audio: true,
            outputs: 2,
            draws_sound: false,
            audio_filter: None,
        };
        let graph = cut_prefix(&plan);
        assert!(graph.starts_with("[0:v]split=2[keepv0][keepv1];\n[0:a:0]asplit=2[keepa0][keepa1];\n"), "{graph}");
        assert!(graph.contains("[keepv1]trim=start=2.25:end=4,setpts=PTS-STARTPTS[partv1];"), "{graph}");
        assert!(graph.contains("[keepa1]atrim=start=2.25:end=4,asetpts=PTS-STARTPTS[parta1];"), "{graph}");
        assert!(graph.contains("[partv0][parta0][partv1][parta1]concat=n=2:v=1:a=1[cutv][cuta];"), "{graph}");
        assert!(graph.ends_with("[cuta]asplit=2[aout0][aout1];\n"), "{graph}");
    }

    #[test]
    fn a_silent_source_joins_pictures_only() {
        let plan = CutPlan {
            ranges: &[CutRange { input: 0, from: 0.0, to: 1.0 }, CutRange { input: 0, from: 2.0, to: 3.0 }],
            shows_picture: true,
            has_audio: false,
            outputs: 1,
            draws_sound: false,
            audio_filter: None,
        };
        let graph = cut_prefix(&plan);
        assert!(!graph.contains("0:a"), "{graph}");
        assert!(graph.ends_with("[partv0][partv1]concat=n=2:v=1:a=0[cutv];\n"), "{graph}");
    }

    #[test]
    fn outputs_get_normalised_sound_and_the_audiogram_the_raw_one() {
        let plan = CutPlan {
            ranges: &[CutRange { input: 0, from: 0.0, to: 1.0 }, CutRange { input: 0, from: 2.0, to: 3.0 }],
            shows_picture: false,
            has_audio: true,
            outputs: 2,
            draws_sound: true,
            audio_filter: Some("loudnorm=I=-14"),
        };
        let graph = cut_prefix(&plan);
        assert!(!graph.contains("0:v") && graph.contains("concat=n=2:v=0:a=1[cuta];"), "{graph}");
        assert!(graph.contains("[cuta]asplit=3[aoutraw0][aoutraw1][cutsound];\n"), "{graph}");
        assert!(
            graph.ends_with(
                "[aoutraw0]loudnorm=I=-14,aresample=48000,asetpts=N/SR/TB[aout0];\n\
                 [aoutraw1]loudnorm=I=-14,aresample=48000,asetpts=N/SR/TB[aout1];\n"
            ),
            "{graph}"
        );
    }
}
