//! The ffmpeg filter graph of one render: the source normalised once to square pixels, split
//! into one branch per output, and each branch composed by its layout — *track* (one moving
//! crop scaled to the output), *split* (two moving crops, each scaled to half the output's
//! height and stacked), *blur-fit* (the picture scaled to fit over a blurred, darkened copy of
//! itself scaled to fill) — then captions burned in and converted to yuv420p.

use super::crop_expression::{crop_expression, format_number, Axis};
use super::cuts::ClipStreams;
use super::RenderOutput;
use opusclip_core::spec::{CropKeyframe, OutputSpec};
use opusclip_core::Layout;
use opusclip_core::Watermark;
use std::path::Path;

/// The normalisation every graph starts with: square pixels (SAR applied), even dimensions.
const SQUARE_PIXELS: &str = "scale=w='trunc(iw*sar/2)*2':h='trunc(ih/2)*2',setsar=1";

/// The blur-fit background is blurred at this fraction of the output size (a cheap, wide blur).
const BLUR_DOWNSCALE: u32 = 8;

/// Box-blur radius (pixels of the downscaled background) and passes of the blur-fit background:
/// about a 100 px blur at output size, like AutoFlip's padding.
const BLUR_RADIUS: u32 = 6;
const BLUR_PASSES: u32 = 2;

/// How much of the blurred background's brightness is kept: AutoFlip lays black at 60 %
/// opacity over its blurred padding, which keeps 40 %.
pub const BLUR_BRIGHTNESS: f64 = 0.4;

/// The whole `-filter_complex` graph: normalise once, split into one branch per output, and
/// one composition per output labelled `[out0]`, `[out1]`, ... — with the watermark (input 1)
/// laid over each when there is one. The picture and sound come from `streams` (the source's,
/// or a cut clip's joined ones); an audiogram's backdrop is the first picture of input `cover`
/// when there is one.
pub(super) fn filter_graph(
    outputs: &[RenderOutput],
    watermark: Option<&Watermark>,
    streams: ClipStreams,
    fonts_dir: Option<&Path>,
    cover: Option<usize>,
) -> String {
    let (sounds, pictures): (Vec<usize>, Vec<usize>) =
        (0..outputs.len()).partition(|&index| outputs[index].spec.layout == Layout::Audiogram);
    let mut graph = String::new();
    graph.push_str(&branches(streams.video, SQUARE_PIXELS, "split", "src", &pictures));
    graph.push_str(&branches(streams.sound, "aformat=channel_layouts=mono", "asplit", "sound", &sounds));
    if let Some(input) = cover {
        graph.push_str(&branches(&format!("[{input}:v]"), "null", "split", "cover", &sounds));
    }
    let cover_label = |index: usize| cover.map(|_| format!("[cover{index}]"));
    if let Some(watermark) = watermark {
        graph.push_str(&super::watermark::logo_branches(watermark, outputs.len()));
    }
    let compositions: Vec<String> = outputs
        .iter()
        .enumerate()
        .map(|(index, output)| match watermark {
            None => composition(
                output.spec,
                captions(output, fonts_dir),
                index,
                &format!("[out{index}]"),
                cover_label(index),
            ),
            Some(watermark) => {
                let base = super::watermark::base_label(index);
                let composed = composition(output.spec, captions(output, fonts_dir), index, &base, cover_label(index));
                let overlay = super::watermark::overlay(watermark, (output.spec.width, output.spec.height), index);
                format!("{composed};\n{overlay}")
            }
        })
        .collect();
    graph.push_str(&compositions.join(";\n"));
    graph.push('\n');
    graph
}

/// The captions an output burns in: its ASS file, and the folder of fonts to look in first.
#[derive(Clone, Copy)]
struct Captions<'a> {
    ass: &'a Path,
    fonts_dir: Option<&'a Path>,
}

fn captions<'a>(output: &RenderOutput<'a>, fonts_dir: Option<&'a Path>) -> Option<Captions<'a>> {
    output.subtitles_ass.map(|ass| Captions { ass, fonts_dir })
}

/// `input` through `filters`, then split (with `splitter`) into one `[{prefix}{index}]` branch per
/// index; empty when there is no index.
fn branches(input: &str, filters: &str, splitter: &str, prefix: &str, indices: &[usize]) -> String {
    let labels: String = indices.iter().map(|index| format!("[{prefix}{index}]")).collect();
    match indices.len() {
        0 => String::new(),
        1 => format!("{input}{filters}{labels};\n"),
        count => format!("{input}{filters},{splitter}={count}{labels};\n"),
    }
}

/// The filters that turn `[src{index}]` (or `[sound{index}]` for an audiogram) into the
/// pad `label` (`[out{index}]`, or `[base{index}]` under a watermark) for one output, by its
/// layout; `cover` is the audiogram's cover-art picture, when there is one.
fn composition(
    spec: &OutputSpec,
    subtitles: Option<Captions>,
    index: usize,
    label: &str,
    cover: Option<String>,
) -> String {
    let finish = finishing_filters(subtitles, label);
    let (width, height) = (spec.width, spec.height);
    let scaler = picture_scaler(spec);
    match &spec.layout {
        Layout::Track | Layout::Split { .. } | Layout::Grid { .. } | Layout::Screen { .. } => {
            panels_composition(spec, index, scaler, &finish)
        }
        Layout::BlurFit => {
            let small = (even(width / BLUR_DOWNSCALE), even(height / BLUR_DOWNSCALE));
            let keep = format_number(BLUR_BRIGHTNESS);
            format!(
                "[src{index}]{},split=2[picture{index}in][backdrop{index}in];\n\
                 [backdrop{index}in]scale={width}:{height}:force_original_aspect_ratio=increase:flags=bilinear,\
                 crop={width}:{height},scale={}:{}:flags=bilinear,\
                 boxblur=luma_radius={BLUR_RADIUS}:luma_power={BLUR_PASSES}:chroma_radius={BLUR_RADIUS}:chroma_power={BLUR_PASSES},\
                 lutyuv=y='16+(val-16)*{keep}':u='128+(val-128)*{keep}':v='128+(val-128)*{keep}',\
                 scale={width}:{height}:flags=bilinear,setsar=1[backdrop{index}];\n\
                 [picture{index}in]scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags={scaler},\
                 setsar=1[picture{index}];\n\
                 [backdrop{index}][picture{index}]overlay=x=(W-w)/2:y=(H-h)/2{finish}",
                crop_filter(&spec.crop_keyframes),
                small.0,
                small.1,
            )
        }
        Layout::Audiogram => super::audiogram::composition((width, height), &finish, index, cover.as_deref()),
    }
}

/// An output made of crop windows (track, split, grid, screen): the source split once per
/// panel, each copy cropped to its panel's window and scaled to the panel's size, the panels
/// stacked (rows, columns, or placed on a 2×2 grid) and finished; one panel is cropped and
/// scaled alone.
fn panels_composition(spec: &OutputSpec, index: usize, scaler: &str, finish: &str) -> String {
    let panels = spec.panels();
    if let [only] = panels[..] {
        return format!(
            "[src{index}]{},{}{finish}",
            crop_filter(only.crop_keyframes),
            scale_to(only.width, only.height, scaler)
        );
    }
    let names: Vec<String> = (0..panels.len()).map(|panel| format!("p{index}_{panel}")).collect();
    let inputs: String = names.iter().map(|name| format!("[{name}in]")).collect();
    let mut graph = format!("[src{index}]split={}{inputs};\n", panels.len());
    for (panel, name) in panels.iter().zip(&names) {
        graph.push_str(&format!(
            "[{name}in]{},{}[{name}];\n",
            crop_filter(panel.crop_keyframes),
            scale_to(panel.width, panel.height, scaler)
        ));
    }
    let stacked: String = names.iter().map(|name| format!("[{name}]")).collect();
    let count = panels.len();
    let stack = if panels.iter().all(|panel| panel.x == 0) {
        format!("vstack=inputs={count}")
    } else if panels.iter().all(|panel| panel.y == 0) {
        format!("hstack=inputs={count}")
    } else {
        let places: Vec<String> = panels.iter().map(|panel| format!("{}_{}", panel.x, panel.y)).collect();
        format!("xstack=inputs={count}:layout={}", places.join("|"))
    };
    graph.push_str(&format!("{stacked}{stack}{finish}"));
    graph
}

/// `value` rounded down to an even number, at least 2.
fn even(value: u32) -> u32 {
    (value & !1).max(2)
}

fn scale_to(width: u32, height: u32, scaler: &str) -> String {
    format!("scale={width}:{height}:flags={scaler},setsar=1")
}

/// The scaler for an output's picture: lanczos (sharper) when the source is enlarged, bicubic
/// when it is only shrunk.
fn picture_scaler(spec: &OutputSpec) -> &'static str {
    if spec.enlargement() > 1.0 {
        "lanczos"
    } else {
        "bicubic"
    }
}

/// Captions (when any) and the output pixel format, after the composition, ending in the pad
/// `label`.
fn finishing_filters(subtitles: Option<Captions>, label: &str) -> String {
    match subtitles {
        Some(Captions { ass, fonts_dir: None }) => {
            format!(",ass=filename={},format=yuv420p{label}", escape_filter_path(ass))
        }
        Some(Captions { ass, fonts_dir: Some(fonts) }) => format!(
            ",ass=filename={}:fontsdir={},format=yuv420p{label}",
            escape_filter_path(ass),
            escape_filter_path(fonts)
        ),
        None => format!(",format=yuv420p{label}"),
    }
}

/// A `crop` filter whose window size comes from the first keyframe and whose position follows
/// all of them. An empty list crops nothing.
pub(super) fn crop_filter(keyframes: &[CropKeyframe]) -> String {
    let Some(first) = keyframes.first() else {
        return "crop=w=iw:h=ih:x=0:y=0".into();
    };
    let (width, height) = (first.w.round().max(2.0), first.h.round().max(2.0));
    format!(
        "crop=w='min({},iw)':h='min({},ih)':x='{}':y='{}'",
        format_number(width),
        format_number(height),
        crop_expression(keyframes, Axis::X),
        crop_expression(keyframes, Axis::Y)
    )
}

/// Quotes a path for a filter option inside a filter graph: escaped once for the option
/// parser (`\`, `'`, `:`), then single-quoted for the graph parser.
pub(super) fn escape_filter_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut option_level = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if matches!(character, '\\' | '\'' | ':') {
            option_level.push('\\');
        }
        option_level.push(character);
    }
    format!("'{}'", option_level.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::spec::Aspect;

    fn spec(aspect: Aspect, layout: Layout) -> OutputSpec {
        let (width, height) = aspect.size();
        OutputSpec {
            aspect,
            width,
            height,
            layout,
            crop_keyframes: vec![CropKeyframe { t: 0.0, x: 10.0, y: 0.0, w: 404.6, h: 720.0 }],
        }
    }

    fn output(spec: &OutputSpec) -> RenderOutput<'_> {
        RenderOutput { spec, subtitles_ass: None, destination: Path::new("a.mp4") }
    }

    #[test]
    fn single_output_graph_is_one_chain() {
        let vertical = spec(Aspect::Vertical, Layout::Track);
        let subtitles = Path::new("/tmp/c.ass");
        let outputs = [RenderOutput { spec: &vertical, subtitles_ass: Some(subtitles), destination: Path::new("a") }];
        assert_eq!(
            filter_graph(&outputs, None, crate::render::cuts::UNCUT, None, None),
            format!(
                "[0:v]{SQUARE_PIXELS}[src0];\n[src0]crop=w='min(405,iw)':h='min(720,ih)':x='10':y='0',\
                 scale=1080:1920:flags=lanczos,setsar=1,ass=filename='/tmp/c.ass',format=yuv420p[out0]\n"
            )
        );
    }

    #[test]
    fn several_outputs_split_one_decode() {
        let (vertical, square) = (spec(Aspect::Vertical, Layout::Track), spec(Aspect::Square, Layout::BlurFit));
        let graph = filter_graph(&[output(&vertical), output(&square)], None, crate::render::cuts::UNCUT, None, None);
        assert_eq!(graph.matches("[0:v]").count(), 1);
        assert!(graph.contains(",split=2[src0][src1];\n[src0]crop="), "{graph}");
        assert!(graph.contains("scale=1080:1920:"), "{graph}");
        assert!(graph.contains("[src1]crop="), "{graph}");
        assert!(graph.ends_with("format=yuv420p[out1]\n"), "{graph}");
        assert!(!graph.contains("ass="), "{graph}");
    }

    #[test]
    fn split_stacks_two_crops_of_half_height() {
        let lower = vec![CropKeyframe { t: 0.0, x: 900.0, y: 20.0, w: 404.6, h: 360.0 }];
        let split = spec(Aspect::Vertical, Layout::Split { lower_crop_keyframes: lower });
        let graph = composition(&split, None, 3, "[out3]", None);
        assert!(graph.starts_with("[src3]split=2[p3_0in][p3_1in];"), "{graph}");
        assert!(graph.contains("[p3_0in]crop=w='min(405,iw)':h='min(720,ih)':x='10'"), "{graph}");
        assert!(graph.contains("[p3_1in]crop=w='min(405,iw)':h='min(360,ih)':x='900':y='20'"), "{graph}");
        assert_eq!(graph.matches("scale=1080:960:").count(), 2, "{graph}");
        assert!(graph.ends_with("[p3_0][p3_1]vstack=inputs=2,format=yuv420p[out3]"), "{graph}");
    }

    #[test]
    fn grids_and_screens_place_their_panels() {
        let window = |x: f64| vec![CropKeyframe { t: 0.0, x, y: 0.0, w: 600.0, h: 356.0 }];
        let three = spec(Aspect::Vertical, Layout::Grid { panel_crop_keyframes: vec![window(700.0), window(1300.0)] });
        let graph = composition(&three, None, 0, "[out0]", None);
        assert!(graph.starts_with("[src0]split=3[p0_0in][p0_1in][p0_2in];"), "{graph}");
        assert!(graph.contains("[p0_2in]crop=w='min(600,iw)':h='min(356,ih)':x='1300'"), "{graph}");
        assert_eq!(graph.matches("scale=1080:640:").count(), 3, "{graph}");
        assert!(graph.ends_with("[p0_0][p0_1][p0_2]vstack=inputs=3,format=yuv420p[out0]"), "{graph}");
        let wide = spec(Aspect::Wide, Layout::Grid { panel_crop_keyframes: vec![window(700.0), window(1300.0)] });
        assert!(composition(&wide, None, 0, "[out0]", None).contains("hstack=inputs=3"));
        let four = spec(
            Aspect::Vertical,
            Layout::Grid { panel_crop_keyframes: vec![window(500.0), window(900.0), window(1300.0)] },
        );
        let graph = composition(&four, None, 1, "[out1]", None);
        assert_eq!(graph.matches("scale=540:960:").count(), 4, "{graph}");
        assert!(graph.contains("xstack=inputs=4:layout=0_0|540_0|0_960|540_960,format=yuv420p[out1]"), "{graph}");
        // A 16:9 screen shows the screen alone: one crop, no split nor stack (ffmpeg refuses a
        // stack of one).
        let screen = spec(Aspect::Wide, Layout::Screen { face_crop_keyframes: window(1600.0) });
        let graph = composition(&screen, None, 2, "[out2]", None);
        assert!(graph.starts_with("[src2]crop="), "{graph}");
        assert!(!graph.contains("split") && !graph.contains("stack"), "{graph}");
        let tall = spec(Aspect::Vertical, Layout::Screen { face_crop_keyframes: window(1600.0) });
        let graph = composition(&tall, None, 2, "[out2]", None);
        assert!(graph.contains("scale=1080:606:") && graph.contains("scale=1080:1314:"), "{graph}");
        assert!(graph.contains("vstack=inputs=2"), "{graph}");
    }

    #[test]
    fn blur_fit_lays_the_fitted_picture_over_a_dark_blurred_fill() {
        let blur = spec(Aspect::Vertical, Layout::BlurFit);
        let ass = Captions { ass: Path::new("/c.ass"), fonts_dir: None };
        let graph = composition(&blur, Some(ass), 0, "[out0]", None);
        assert!(graph.contains("force_original_aspect_ratio=increase"), "{graph}");
        assert!(graph.contains("crop=1080:1920,scale=134:240"), "{graph}");
        assert!(graph.contains("boxblur="), "{graph}");
        assert!(graph.contains("lutyuv=y='16+(val-16)*0.4'"), "{graph}");
        assert!(graph.contains("force_original_aspect_ratio=decrease"), "{graph}");
        assert!(graph.ends_with("overlay=x=(W-w)/2:y=(H-h)/2,ass=filename='/c.ass',format=yuv420p[out0]"), "{graph}");
    }

    #[test]
    fn a_fonts_folder_is_handed_to_libass() {
        let captions = Captions { ass: Path::new("/c.ass"), fonts_dir: Some(Path::new("/brand fonts")) };
        assert_eq!(
            finishing_filters(Some(captions), "[out0]"),
            ",ass=filename='/c.ass':fontsdir='/brand fonts',format=yuv420p[out0]"
        );
    }

    #[test]
    fn paths_are_escaped_for_both_parser_levels() {
        assert_eq!(escape_filter_path(Path::new("/a/b.ass")), "'/a/b.ass'");
        assert_eq!(escape_filter_path(Path::new("a'b:c\\d,[e];f")), "'a\\'\\''b\\:c\\\\d,[e];f'");
    }
}
