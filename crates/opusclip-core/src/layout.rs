//! How an output frame is composed from the source: the [`Layout`] of an output, its name
//! ([`LayoutKind`]), and the panels a multi-speaker layout cuts the output into.

use crate::spec::{CropKeyframe, OutputSpec};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How an output frame is composed from the source. In an output's JSON it is the `layout`
/// field (`"track"`, `"split"`, `"three"`, `"four"`, `"screen"`, `"blur_fit"`, `"audiogram"`;
/// `"track"` when missing); a split adds `lower_crop_keyframes` beside `crop_keyframes`, a grid
/// `panel_crop_keyframes`, a screen `face_crop_keyframes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(try_from = "LayoutFields", into = "LayoutFields")]
pub enum Layout {
    /// One crop window (`crop_keyframes`, of the output's aspect ratio) that follows the
    /// subject, scaled to the whole output.
    #[default]
    Track,
    /// Two speakers stacked: the output is cut into an upper and a lower half, each
    /// `width × height/2`. `crop_keyframes` fill the upper half (the speaker further left in
    /// the source), `lower_crop_keyframes` the lower half; both windows have the half's
    /// aspect ratio (9:8 for a 9:16 output).
    Split {
        /// The crop window of the lower half, keyframed like `crop_keyframes`.
        lower_crop_keyframes: Vec<CropKeyframe>,
    },
    /// Three or four speakers, each in a panel of its own (see [`panel_rects`]): three panels
    /// side by side along the output's longer side, or four in a 2×2 grid. `crop_keyframes`
    /// fill the first panel (the speaker furthest left in the source), `panel_crop_keyframes`
    /// the others in reading order, each window of its panel's aspect ratio.
    Grid {
        /// The crop windows of the second to last panels (two for `three`, three for `four`).
        panel_crop_keyframes: Vec<Vec<CropKeyframe>>,
    },
    /// A screen share or slides with the speaker's face as an inset (a webinar, a recorded
    /// call): the screen (`crop_keyframes`, still) in a 16:9 band across the top of a portrait
    /// or square output, the speaker's face (`face_crop_keyframes`, followed and zoomed in)
    /// in the rest below. A landscape output shows the screen alone.
    Screen {
        /// The crop window of the face panel, keyframed like `crop_keyframes`.
        face_crop_keyframes: Vec<CropKeyframe>,
    },
    /// The whole picture (`crop_keyframes`: the full frame), scaled to fit inside the
    /// output, over a blurred, darkened copy of itself that fills the output.
    BlurFit,
    /// No picture from the source: its sound drawn as a moving waveform on a plain
    /// background, with the clip's title above and the captions below (audio-only input, or a
    /// video whose picture does not matter). `crop_keyframes` is empty.
    Audiogram,
}

impl Layout {
    /// Which layout this is, without its data.
    pub fn kind(&self) -> LayoutKind {
        match self {
            Layout::Track => LayoutKind::Track,
            Layout::Split { .. } => LayoutKind::Split,
            Layout::Grid { panel_crop_keyframes } if panel_crop_keyframes.len() <= 2 => LayoutKind::Three,
            Layout::Grid { .. } => LayoutKind::Four,
            Layout::Screen { .. } => LayoutKind::Screen,
            Layout::BlurFit => LayoutKind::BlurFit,
            Layout::Audiogram => LayoutKind::Audiogram,
        }
    }

    /// The crop paths the layout carries beside the output's `crop_keyframes` (the lower
    /// half of a split, the other panels of a grid, a screen's face), in panel order.
    pub fn more_windows(&self) -> Vec<&[CropKeyframe]> {
        match self {
            Layout::Split { lower_crop_keyframes } => vec![lower_crop_keyframes.as_slice()],
            Layout::Screen { face_crop_keyframes } => vec![face_crop_keyframes.as_slice()],
            Layout::Grid { panel_crop_keyframes } => panel_crop_keyframes.iter().map(Vec::as_slice).collect(),
            Layout::Track | Layout::BlurFit | Layout::Audiogram => Vec::new(),
        }
    }

    /// The same layout with every path of [`Layout::more_windows`] passed through `change`.
    pub fn map_windows(&self, mut change: impl FnMut(&[CropKeyframe]) -> Vec<CropKeyframe>) -> Layout {
        match self {
            Layout::Split { lower_crop_keyframes } => {
                Layout::Split { lower_crop_keyframes: change(lower_crop_keyframes) }
            }
            Layout::Grid { panel_crop_keyframes } => {
                Layout::Grid { panel_crop_keyframes: panel_crop_keyframes.iter().map(|path| change(path)).collect() }
            }
            Layout::Screen { face_crop_keyframes } => {
                Layout::Screen { face_crop_keyframes: change(face_crop_keyframes) }
            }
            other => other.clone(),
        }
    }
}

/// A layout by name only: what `--layout` asks for and what the planner decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayoutKind {
    /// One crop window following the subject.
    #[default]
    Track,
    /// Two speakers stacked.
    Split,
    /// Three speakers in three panels.
    Three,
    /// Four speakers in a 2×2 grid.
    Four,
    /// A screen share above the speaker's face.
    Screen,
    /// The whole frame over a blurred copy of itself.
    BlurFit,
    /// The sound as a waveform, no picture.
    Audiogram,
}

impl LayoutKind {
    pub const ALL: [LayoutKind; 7] = [
        LayoutKind::Track,
        LayoutKind::Split,
        LayoutKind::Three,
        LayoutKind::Four,
        LayoutKind::Screen,
        LayoutKind::BlurFit,
        LayoutKind::Audiogram,
    ];

    /// As written in JSON and on the command line, e.g. `blur_fit`.
    pub fn label(self) -> &'static str {
        match self {
            LayoutKind::Track => "track",
            LayoutKind::Split => "split",
            LayoutKind::Three => "three",
            LayoutKind::Four => "four",
            LayoutKind::Screen => "screen",
            LayoutKind::BlurFit => "blur_fit",
            LayoutKind::Audiogram => "audiogram",
        }
    }

    /// How many crop windows the layout carries (1 for track and blur-fit, 0 for an
    /// audiogram); a landscape output of a screen shows only the first.
    pub fn panel_count(self) -> usize {
        match self {
            LayoutKind::Track | LayoutKind::BlurFit => 1,
            LayoutKind::Split | LayoutKind::Screen => 2,
            LayoutKind::Three => 3,
            LayoutKind::Four => 4,
            LayoutKind::Audiogram => 0,
        }
    }
}

impl FromStr for LayoutKind {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalized = text.trim().to_ascii_lowercase().replace('-', "_");
        LayoutKind::ALL.into_iter().find(|kind| kind.label() == normalized).ok_or_else(|| {
            format!("unknown layout '{text}': use one of track, split, three, four, screen, blur_fit, audiogram")
        })
    }
}

/// One panel of an output: where it sits (output pixels, top-left corner and size) and the
/// crop path that fills it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel<'a> {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub crop_keyframes: &'a [CropKeyframe],
}

/// The panels of a `kind` output of `width × height`, as (x, y, width, height): one for track
/// and blur-fit, the upper and lower halves of a split, three panels side by side along the
/// longer side (stacked rows in a portrait or square output, columns in a landscape one), a
/// 2×2 grid, or a screen's 16:9 band across the top above its face panel (a landscape output:
/// the screen alone). Every panel but the last on an axis has an even size (a yuv420p picture divides
/// on a chroma row); together they tile the output. None for an audiogram.
///
/// ```
/// use opusclip_core::{panel_rects, LayoutKind};
/// assert_eq!(panel_rects(LayoutKind::Three, 1080, 1920), vec![(0, 0, 1080, 640), (0, 640, 1080, 640), (0, 1280, 1080, 640)]);
/// assert_eq!(panel_rects(LayoutKind::Four, 1920, 1080)[3], (960, 540, 960, 540));
/// ```
pub fn panel_rects(kind: LayoutKind, width: u32, height: u32) -> Vec<(u32, u32, u32, u32)> {
    let cuts = |length: u32, parts: u32| -> Vec<(u32, u32)> {
        let piece = (length / parts) & !1;
        (0..parts).map(|i| if i + 1 < parts { (i * piece, piece) } else { (i * piece, length - i * piece) }).collect()
    };
    match kind {
        LayoutKind::Track | LayoutKind::BlurFit => vec![(0, 0, width, height)],
        LayoutKind::Audiogram => Vec::new(),
        LayoutKind::Split => cuts(height, 2).into_iter().map(|(y, h)| (0, y, width, h)).collect(),
        LayoutKind::Three if width > height => cuts(width, 3).into_iter().map(|(x, w)| (x, 0, w, height)).collect(),
        LayoutKind::Three => cuts(height, 3).into_iter().map(|(y, h)| (0, y, width, h)).collect(),
        LayoutKind::Screen if width > height => vec![(0, 0, width, height)],
        LayoutKind::Screen => {
            let band = (width * 9 / 16) & !1;
            vec![(0, 0, width, band), (0, band, width, height - band)]
        }
        LayoutKind::Four => {
            let (rows, columns) = (cuts(height, 2), cuts(width, 2));
            rows.iter().flat_map(|&(y, h)| columns.iter().map(move |&(x, w)| (x, y, w, h))).collect()
        }
    }
}

impl OutputSpec {
    /// The panels of this output with the crop path of each: `crop_keyframes` fill the first,
    /// the layout's [`Layout::more_windows`] the rest. None for an audiogram.
    pub fn panels(&self) -> Vec<Panel<'_>> {
        let windows = std::iter::once(self.crop_keyframes.as_slice()).chain(self.layout.more_windows());
        panel_rects(self.layout.kind(), self.width, self.height)
            .into_iter()
            .zip(windows)
            .map(|((x, y, width, height), crop_keyframes)| Panel { x, y, width, height, crop_keyframes })
            .collect()
    }
}

/// The JSON form of [`Layout`], flattened into its output.
#[derive(Serialize, Deserialize)]
struct LayoutFields {
    #[serde(default)]
    layout: LayoutKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lower_crop_keyframes: Vec<CropKeyframe>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    panel_crop_keyframes: Vec<Vec<CropKeyframe>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    face_crop_keyframes: Vec<CropKeyframe>,
}

impl TryFrom<LayoutFields> for Layout {
    type Error = String;
    fn try_from(fields: LayoutFields) -> Result<Self, Self::Error> {
        let kind = fields.layout;
        let (has_lower, has_panels) =
            (!fields.lower_crop_keyframes.is_empty(), !fields.panel_crop_keyframes.is_empty());
        if has_lower && kind != LayoutKind::Split {
            return Err(format!("`lower_crop_keyframes` belongs to the split layout, not to {}", kind.label()));
        }
        if has_panels && !matches!(kind, LayoutKind::Three | LayoutKind::Four) {
            return Err(format!(
                "`panel_crop_keyframes` belongs to the three and four layouts, not to {}",
                kind.label()
            ));
        }
        let has_face = !fields.face_crop_keyframes.is_empty();
        if has_face && kind != LayoutKind::Screen {
            return Err(format!("`face_crop_keyframes` belongs to the screen layout, not to {}", kind.label()));
        }
        match kind {
            LayoutKind::Split if has_lower => Ok(Layout::Split { lower_crop_keyframes: fields.lower_crop_keyframes }),
            LayoutKind::Split => {
                Err("a split layout needs `lower_crop_keyframes` (the lower half's crop windows)".to_string())
            }
            LayoutKind::Three | LayoutKind::Four => {
                let wanted = kind.panel_count() - 1;
                let paths = fields.panel_crop_keyframes;
                if paths.len() != wanted || paths.iter().any(Vec::is_empty) {
                    return Err(format!(
                        "a {} layout needs `panel_crop_keyframes`: {wanted} crop paths (the panels after the first), each with keyframes; got {}",
                        kind.label(),
                        paths.len()
                    ));
                }
                Ok(Layout::Grid { panel_crop_keyframes: paths })
            }
            LayoutKind::Screen if has_face => Ok(Layout::Screen { face_crop_keyframes: fields.face_crop_keyframes }),
            LayoutKind::Screen => {
                Err("a screen layout needs `face_crop_keyframes` (the face panel's crop windows)".to_string())
            }
            LayoutKind::Track => Ok(Layout::Track),
            LayoutKind::BlurFit => Ok(Layout::BlurFit),
            LayoutKind::Audiogram => Ok(Layout::Audiogram),
        }
    }
}

impl From<Layout> for LayoutFields {
    fn from(layout: Layout) -> Self {
        let kind = layout.kind();
        let mut fields = LayoutFields {
            layout: kind,
            lower_crop_keyframes: Vec::new(),
            panel_crop_keyframes: Vec::new(),
            face_crop_keyframes: Vec::new(),
        };
        match layout {
            Layout::Split { lower_crop_keyframes } => fields.lower_crop_keyframes = lower_crop_keyframes,
            Layout::Grid { panel_crop_keyframes } => fields.panel_crop_keyframes = panel_crop_keyframes,
            Layout::Screen { face_crop_keyframes } => fields.face_crop_keyframes = face_crop_keyframes,
            Layout::Track | Layout::BlurFit | Layout::Audiogram => {}
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Aspect;

    fn key(x: f64) -> CropKeyframe {
        CropKeyframe { t: 0.0, x, y: 0.0, w: 1216.0, h: 1080.0 }
    }

    fn output(layout: Layout) -> OutputSpec {
        OutputSpec { aspect: Aspect::Vertical, width: 1080, height: 1920, layout, crop_keyframes: vec![key(0.0)] }
    }

    #[test]
    fn layouts_round_trip_with_their_names() {
        let grid =
            |count: usize| Layout::Grid { panel_crop_keyframes: (0..count).map(|i| vec![key(i as f64)]).collect() };
        let screen = Layout::Screen { face_crop_keyframes: vec![key(9.0)] };
        for layout in [
            Layout::Track,
            Layout::BlurFit,
            Layout::Split { lower_crop_keyframes: vec![key(704.0)] },
            grid(2),
            grid(3),
            screen,
        ] {
            let json = serde_json::to_value(output(layout.clone())).unwrap();
            assert_eq!(json["layout"], layout.kind().label());
            assert_eq!(json.get("lower_crop_keyframes").is_some(), layout.kind() == LayoutKind::Split);
            assert_eq!(json.get("panel_crop_keyframes").is_some(), matches!(layout, Layout::Grid { .. }));
            assert_eq!(json.get("face_crop_keyframes").is_some(), layout.kind() == LayoutKind::Screen);
            let back: OutputSpec = serde_json::from_value(json).unwrap();
            assert_eq!(back.layout, layout);
            assert_eq!(back.panels().len(), layout.kind().panel_count());
        }
        assert_eq!(grid(2).kind(), LayoutKind::Three);
        assert_eq!(grid(3).kind(), LayoutKind::Four);
    }

    #[test]
    fn a_missing_layout_is_track_and_a_split_or_grid_needs_its_other_crops() {
        let mut json = serde_json::to_value(output(Layout::Track)).unwrap();
        json.as_object_mut().unwrap().remove("layout");
        assert_eq!(serde_json::from_value::<OutputSpec>(json.clone()).unwrap().layout, Layout::Track);
        json["layout"] = "split".into();
        let error = serde_json::from_value::<OutputSpec>(json.clone()).unwrap_err().to_string();
        assert!(error.contains("lower_crop_keyframes"), "{error}");
        json["layout"] = "four".into();
        json["panel_crop_keyframes"] = serde_json::json!([[key(1.0)], [key(2.0)]]);
        let error = serde_json::from_value::<OutputSpec>(json.clone()).unwrap_err().to_string();
        assert!(error.contains("3 crop paths"), "{error}");
        json["layout"] = "track".into();
        let error = serde_json::from_value::<OutputSpec>(json).unwrap_err().to_string();
        assert!(error.contains("belongs to the three and four"), "{error}");
    }

    #[test]
    fn panels_tile_the_output() {
        for (width, height) in [(1080, 1920), (1080, 1080), (1080, 1350), (1920, 1080), (217, 385)] {
            for kind in LayoutKind::ALL {
                let rects = panel_rects(kind, width, height);
                let landscape_screen = kind == LayoutKind::Screen && width > height;
                assert_eq!(rects.len(), if landscape_screen { 1 } else { kind.panel_count() }, "{kind:?}");
                let area: u32 = rects.iter().map(|r| r.2 * r.3).sum();
                if kind != LayoutKind::Audiogram {
                    assert_eq!(area, width * height, "{kind:?} {width}x{height}");
                }
                assert!(rects.iter().all(|r| r.0 + r.2 <= width && r.1 + r.3 <= height), "{kind:?}");
            }
        }
        assert_eq!(panel_rects(LayoutKind::Split, 1080, 1920), vec![(0, 0, 1080, 960), (0, 960, 1080, 960)]);
        assert_eq!(panel_rects(LayoutKind::Three, 1920, 1080)[2], (1280, 0, 640, 1080));
        assert_eq!(panel_rects(LayoutKind::Screen, 1080, 1920), vec![(0, 0, 1080, 606), (0, 606, 1080, 1314)]);
    }

    #[test]
    fn layout_kinds_parse() {
        assert_eq!("blur-fit".parse::<LayoutKind>(), Ok(LayoutKind::BlurFit));
        assert_eq!(" Split ".parse::<LayoutKind>(), Ok(LayoutKind::Split));
        assert_eq!("FOUR".parse::<LayoutKind>(), Ok(LayoutKind::Four));
        assert!("zoom".parse::<LayoutKind>().unwrap_err().contains("three"));
    }
}
