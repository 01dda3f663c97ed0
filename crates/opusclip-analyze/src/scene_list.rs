//! Scene lists as text, for users who want PySceneDetect-style output: a CSV table with
//! PySceneDetect's columns, and a CMX 3600 edit decision list (one event per shot). Times and
//! timecodes are computed from frame numbers and the frame rate, as PySceneDetect does; frame
//! numbers in the CSV are 1-based and the end frame is inclusive, as in PySceneDetect's CSV.

use opusclip_core::Shot;
use std::fmt::Write;

/// The header row of [`scenes_csv`].
pub const CSV_HEADER: &str = "Scene Number,Start Frame,Start Timecode,Start Time (seconds),End Frame,\
End Timecode,End Time (seconds),Length (frames),Length (timecode),Length (seconds)";

/// The scene table as CSV: one header row, then one row per shot. A shot runs from its first
/// frame to the start of the frame after its last (`end_frame + 1`); times are `frames / fps`,
/// timecodes `HH:MM:SS.mmm`.
pub fn scenes_csv(shots: &[Shot], fps: f64) -> String {
    let mut csv = String::from(CSV_HEADER);
    csv.push('\n');
    for (index, shot) in shots.iter().enumerate() {
        let start = shot.start_frame;
        let end = shot.end_frame.saturating_add(1).max(start);
        let length = end - start;
        let _ = writeln!(
            csv,
            "{},{},{},{:.3},{},{},{:.3},{},{},{:.3}",
            index + 1,
            start + 1,
            clock_timecode(start, fps),
            frames_to_seconds(start, fps),
            end,
            clock_timecode(end, fps),
            frames_to_seconds(end, fps),
            length,
            clock_timecode(length, fps),
            frames_to_seconds(length, fps),
        );
    }
    csv
}

/// The shots as a CMX 3600 edit decision list: a `TITLE:` line, `FCM: NON-DROP FRAME`, then
/// one video cut event per shot, source in/out (out exclusive) and record in/out laid end to
/// end from zero, in SMPTE `HH:MM:SS:FF` timecode at the frame rate rounded to a whole number.
pub fn scenes_edl(shots: &[Shot], fps: f64, title: &str) -> String {
    let title: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut edl = format!("TITLE: {}\nFCM: NON-DROP FRAME\n\n", title.trim());
    let timecode_fps = timecode_rate(fps);
    let mut record_in = 0u64;
    for (index, shot) in shots.iter().enumerate() {
        let source_in = shot.start_frame;
        let source_out = shot.end_frame.saturating_add(1).max(source_in);
        let record_out = record_in + (source_out - source_in);
        let _ = writeln!(
            edl,
            "{:03}  AX       V     C        {} {} {} {}",
            index + 1,
            smpte_timecode(source_in, timecode_fps),
            smpte_timecode(source_out, timecode_fps),
            smpte_timecode(record_in, timecode_fps),
            smpte_timecode(record_out, timecode_fps),
        );
        record_in = record_out;
    }
    edl
}

fn frames_to_seconds(frames: u64, fps: f64) -> f64 {
    if fps > 0.0 {
        frames as f64 / fps
    } else {
        0.0
    }
}

/// `HH:MM:SS.mmm` of a frame number, to the nearest millisecond.
pub fn clock_timecode(frames: u64, fps: f64) -> String {
    let millis = (frames_to_seconds(frames, fps) * 1000.0).round() as u64;
    let (hours, minutes, seconds) = (millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}.{:03}", millis % 1000)
}

/// The whole frame rate used for SMPTE timecode (29.97 counts as 30), at least 1.
pub fn timecode_rate(fps: f64) -> u64 {
    if fps.is_finite() && fps >= 1.0 {
        fps.round() as u64
    } else {
        1
    }
}

/// `HH:MM:SS:FF` of a frame number at a whole frame rate (non-drop-frame).
pub fn smpte_timecode(frames: u64, timecode_fps: u64) -> String {
    let rate = timecode_fps.max(1);
    let total_seconds = frames / rate;
    let (hours, minutes, seconds) = (total_seconds / 3600, total_seconds / 60 % 60, total_seconds % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}:{:02}", frames % rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<Shot> {
        vec![
            Shot { start: 0.0, end: 1.0, start_frame: 0, end_frame: 29 },
            Shot { start: 1.0, end: 6.0, start_frame: 30, end_frame: 179 },
            Shot { start: 6.0, end: 3725.0, start_frame: 180, end_frame: 111_749 },
        ]
    }

    #[test]
    fn csv_matches_pyscenedetect_columns() {
        let expected = format!(
            "{CSV_HEADER}\n\
             1,1,00:00:00.000,0.000,30,00:00:01.000,1.000,30,00:00:01.000,1.000\n\
             2,31,00:00:01.000,1.000,180,00:00:06.000,6.000,150,00:00:05.000,5.000\n\
             3,181,00:00:06.000,6.000,111750,01:02:05.000,3725.000,111570,01:01:59.000,3719.000\n"
        );
        assert_eq!(scenes_csv(&fixture(), 30.0), expected);
    }

    #[test]
    fn csv_timecodes_round_to_milliseconds_at_ntsc_rates() {
        let shots = [Shot { start: 0.0, end: 1.0, start_frame: 0, end_frame: 29 }];
        let csv = scenes_csv(&shots, 30_000.0 / 1001.0);
        assert!(csv.ends_with("1,1,00:00:00.000,0.000,30,00:00:01.001,1.001,30,00:00:01.001,1.001\n"), "{csv}");
    }

    #[test]
    fn edl_has_one_event_per_shot() {
        let expected = "TITLE: My talk\n\
                        FCM: NON-DROP FRAME\n\
                        \n\
                        001  AX       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00\n\
                        002  AX       V     C        00:00:01:00 00:00:06:00 00:00:01:00 00:00:06:00\n\
                        003  AX       V     C        00:00:06:00 01:02:05:00 00:00:06:00 01:02:05:00\n";
        assert_eq!(scenes_edl(&fixture(), 30.0, "My talk\n"), expected);
    }

    #[test]
    fn smpte_frames_count_at_the_rounded_rate() {
        assert_eq!(timecode_rate(29.97), 30);
        assert_eq!(smpte_timecode(59, 30), "00:00:01:29");
        assert_eq!(smpte_timecode(25 * 3661 + 3, 25), "01:01:01:03");
        assert_eq!(timecode_rate(f64::NAN), 1);
    }
}
