//! CMX 3600 EDL: one event per clip (reel `AX`, video and stereo audio), the source file and
//! clip name as comments, markers as `* LOC:` lines on source timecode (their names only: an
//! EDL line is short). An EDL holds cuts
//! only: the crop and the captions travel in the other formats and the SRT beside it.

use crate::Project;
use std::fmt::Write as _;

pub fn write(project: &Project) -> String {
    let rate = project.rate;
    let mut edl = format!("TITLE: {}\nFCM: NON-DROP FRAME\n", one_line(&project.name));
    for (index, (clip, record)) in project.clips.iter().zip(project.record_starts()).enumerate() {
        let channels = if clip.source.has_audio { "AA/V" } else { "V" };
        let _ = write!(
            edl,
            "\n{:03}  {:<8} {:<5} C        {} {} {} {}\n",
            index + 1,
            "AX",
            channels,
            rate.timecode(clip.source_in),
            rate.timecode(clip.source_out),
            rate.timecode(record),
            rate.timecode(record + clip.frames())
        );
        let _ = writeln!(edl, "* FROM CLIP NAME: {}", one_line(&clip.name));
        let _ = writeln!(edl, "* FROM CLIP: {}", one_line(&clip.source.path));
        let _ = writeln!(edl, "* SOURCE FILE: {}", one_line(&clip.source.path));
        for marker in &clip.markers {
            let _ = writeln!(
                edl,
                "* LOC: {} PURPLE  {}",
                rate.timecode(clip.source_in + marker.at),
                one_line(&marker.name)
            );
        }
    }
    edl
}

/// Text on one line: an EDL line break would start a new statement.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control()).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::fixtures::two_clip_project;

    #[test]
    fn each_clip_is_an_event_on_source_and_record_timecode() {
        let edl = super::write(&two_clip_project());
        assert!(edl.starts_with("TITLE: talk highlights\nFCM: NON-DROP FRAME\n"), "{edl}");
        assert!(
            edl.contains("001  AX       AA/V  C        00:00:04:00 00:00:14:00 00:00:00:00 00:00:10:00\n"),
            "{edl}"
        );
        assert!(edl.contains("002  AX       AA/V  C        00:00:28:00 00:00:36:00 00:00:10:00 00:00:18:00\n"));
        assert!(edl.contains("* LOC: 00:00:04:00 PURPLE  Hook\n"));
        assert!(edl.contains("* FROM CLIP: /media/talk & co.mp4\n"));
    }
}
