//! Hand-off to editing software: a job's clips as one timeline of edits on the original source
//! (FCPXML for Final Cut Pro, xmeml for Premiere/Resolve/FCP 7, OpenTimelineIO JSON, CMX 3600
//! EDL), with the crop path as transform keyframes, captions as titles and the score's key
//! moments as markers. Pure text generation: no I/O, no C dependency.

mod edl;
mod fcpxml;
mod motion;
mod otio;
mod rate;
mod xmeml;
mod xml;

pub use motion::{motion_path, Motion, MotionPath};
pub use rate::Rate;

use std::fmt::Write as _;

/// The file formats an export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Final Cut Pro X (FCPXML 1.8).
    Fcpxml,
    /// Final Cut Pro 7 XML (xmeml 4): Premiere Pro, DaVinci Resolve, Avid via converters.
    Xmeml,
    /// OpenTimelineIO JSON (`.otio`).
    Otio,
    /// CMX 3600 EDL: cuts only; transforms and captions travel beside it.
    Edl,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Fcpxml, Format::Xmeml, Format::Otio, Format::Edl];

    /// The name on the command line and in the API: `fcpxml`, `xmeml`, `otio`, `edl`.
    pub fn label(self) -> &'static str {
        match self {
            Format::Fcpxml => "fcpxml",
            Format::Xmeml => "xmeml",
            Format::Otio => "otio",
            Format::Edl => "edl",
        }
    }

    /// The file extension editors expect.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Fcpxml => "fcpxml",
            Format::Xmeml => "xml",
            Format::Otio => "otio",
            Format::Edl => "edl",
        }
    }

    /// Whether the format carries the crop path as keyframed transforms.
    pub fn has_transforms(self) -> bool {
        !matches!(self, Format::Edl)
    }

    /// Whether the format carries captions itself (the SRT beside it is written regardless).
    pub fn has_captions(self) -> bool {
        !matches!(self, Format::Edl)
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fcpxml" | "fcpx" => Ok(Format::Fcpxml),
            "xmeml" | "fcp7" | "xml" | "premiere" => Ok(Format::Xmeml),
            "otio" => Ok(Format::Otio),
            "edl" | "cmx3600" => Ok(Format::Edl),
            other => Err(format!("unknown export format `{other}`; use fcpxml, xmeml, otio or edl")),
        }
    }
}

/// The recording the clips are cut from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMedia {
    /// Absolute path (written as a `file://` URL where the format wants one).
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub has_audio: bool,
    /// Length in frames of the timeline's rate.
    pub duration_frames: i64,
}

impl SourceMedia {
    /// The file name, for clip and reel names.
    pub fn file_name(&self) -> &str {
        self.path.rsplit(['/', '\\']).next().unwrap_or(&self.path)
    }

    /// `file://` URL of the path, with characters outside the unreserved set percent-encoded.
    pub fn url(&self) -> String {
        let mut url = String::from("file://");
        if !self.path.starts_with('/') {
            url.push('/');
        }
        for byte in self.path.replace('\\', "/").bytes() {
            if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
                url.push(byte as char);
            } else {
                let _ = write!(url, "%{byte:02X}");
            }
        }
        url
    }
}

/// A caption shown over `[start, end)`, frames from the clip's first frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Caption {
    pub start: i64,
    pub end: i64,
    pub text: String,
}

/// A marker at `at` (frames from the clip's first frame) lasting `duration` frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at: i64,
    pub duration: i64,
    pub name: String,
    pub note: String,
}

/// One clip on the timeline: source frames `[source_in, source_out)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineClip {
    pub name: String,
    pub source: SourceMedia,
    pub source_in: i64,
    pub source_out: i64,
    pub motion: MotionPath,
    pub captions: Vec<Caption>,
    pub markers: Vec<Marker>,
}

impl TimelineClip {
    pub fn frames(&self) -> i64 {
        (self.source_out - self.source_in).max(0)
    }
}

/// A timeline: clips back to back from frame 0, in a `width`×`height` frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub name: String,
    pub rate: Rate,
    pub width: u32,
    pub height: u32,
    pub clips: Vec<TimelineClip>,
}

impl Project {
    /// Where each clip starts on the timeline, in frames.
    pub fn record_starts(&self) -> Vec<i64> {
        let mut at = 0;
        self.clips
            .iter()
            .map(|clip| {
                let start = at;
                at += clip.frames();
                start
            })
            .collect()
    }

    pub fn frames(&self) -> i64 {
        self.clips.iter().map(TimelineClip::frames).sum()
    }

    /// The project written as `format`.
    pub fn write(&self, format: Format) -> String {
        match format {
            Format::Fcpxml => fcpxml::write(self),
            Format::Xmeml => xmeml::write(self),
            Format::Otio => otio::write(self),
            Format::Edl => edl::write(self),
        }
    }
}

/// `(start, end)` frames made non-overlapping, inside `[0, length]` and at least a frame long;
/// the captions that would vanish are left out.
pub fn tidy_captions(captions: Vec<Caption>, length: i64) -> Vec<Caption> {
    let mut tidy: Vec<Caption> = Vec::with_capacity(captions.len());
    for mut caption in captions {
        let floor = tidy.last().map_or(0, |previous| previous.end);
        caption.start = caption.start.clamp(floor, length);
        caption.end = caption.end.clamp(caption.start, length);
        if caption.end > caption.start && !caption.text.trim().is_empty() {
            tidy.push(caption);
        }
    }
    tidy
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name_and_alias() {
        for format in Format::ALL {
            assert_eq!(format.label().parse::<Format>(), Ok(format));
        }
        assert_eq!("Premiere".parse::<Format>(), Ok(Format::Xmeml));
        assert!("aaf".parse::<Format>().unwrap_err().contains("fcpxml, xmeml, otio or edl"));
    }

    #[test]
    fn urls_escape_what_a_url_cannot_hold() {
        let source = fixtures::source("/media/My Talk #1.mp4");
        assert_eq!(source.url(), "file:///media/My%20Talk%20%231.mp4");
        assert_eq!(source.file_name(), "My Talk #1.mp4");
    }

    #[test]
    fn captions_are_tidied_into_order() {
        let caption = |start, end, text: &str| Caption { start, end, text: text.into() };
        let tidy = tidy_captions(
            vec![
                caption(-5, 10, "a"),
                caption(8, 20, "b"),
                caption(20, 20, "c"),
                caption(30, 99, "d"),
                caption(40, 50, " "),
            ],
            60,
        );
        assert_eq!(tidy, vec![caption(0, 10, "a"), caption(10, 20, "b"), caption(30, 60, "d")]);
    }
}
