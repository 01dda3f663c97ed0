//! FCPXML 1.8 for Final Cut Pro: one project whose spine holds the clips as asset-clips of
//! the source (conform off, so scale 1 is the source's own size), the crop path as a keyframed
//! adjust-transform (position in percent of the frame's height, up positive), captions as
//! Basic Titles on lane 1 and markers on the clips. Times inside a clip count on its source.

use crate::xml::{number, XmlWriter};
use crate::Project;
use std::collections::HashMap;

const BASIC_TITLE: &str = ".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti";
/// Basic Title's Position parameter, in frame pixels from the centre.
const TITLE_POSITION_KEY: &str = "9999/999166631/999166633/1/100/101";

pub fn write(project: &Project) -> String {
    let rate = project.rate;
    let (numerator, denominator) = rate.frame_duration();
    let frame_duration = format!("{numerator}/{denominator}s");
    let mut xml = XmlWriter::new("fcpxml");
    xml.open("fcpxml", &[("version", "1.8".into())]);
    xml.open("resources", &[]);
    xml.empty(
        "format",
        &[
            ("id", "r1".into()),
            ("name", "FFVideoFormatRateUndefined".into()),
            ("frameDuration", frame_duration.clone()),
            ("width", project.width.to_string()),
            ("height", project.height.to_string()),
        ],
    );
    let mut assets: HashMap<&str, String> = HashMap::new();
    let mut next_id = 2;
    for clip in &project.clips {
        if assets.contains_key(clip.source.path.as_str()) {
            continue;
        }
        let (format_id, asset_id) = (format!("r{next_id}"), format!("r{}", next_id + 1));
        next_id += 2;
        xml.empty(
            "format",
            &[
                ("id", format_id.clone()),
                ("frameDuration", frame_duration.clone()),
                ("width", clip.source.width.to_string()),
                ("height", clip.source.height.to_string()),
            ],
        );
        let stem = clip.source.file_name().rsplit_once('.').map_or(clip.source.file_name(), |(stem, _)| stem);
        let has_audio = if clip.source.has_audio { "1" } else { "0" };
        xml.empty(
            "asset",
            &[
                ("id", asset_id.clone()),
                ("name", stem.to_string()),
                ("src", clip.source.url()),
                ("start", "0s".into()),
                ("duration", rate.rational(clip.source.duration_frames)),
                ("hasVideo", "1".into()),
                ("hasAudio", has_audio.into()),
                ("format", format_id),
                ("audioSources", has_audio.into()),
                ("audioChannels", "2".into()),
                ("audioRate", "48000".into()),
            ],
        );
        assets.insert(clip.source.path.as_str(), asset_id);
    }
    let title_effect = format!("r{next_id}");
    xml.empty("effect", &[("id", title_effect.clone()), ("name", "Basic Title".into()), ("uid", BASIC_TITLE.into())]);
    xml.close();
    xml.open("library", &[]);
    xml.open("event", &[("name", "Video-OpusClip".into())]);
    xml.open("project", &[("name", project.name.clone())]);
    xml.open(
        "sequence",
        &[
            ("format", "r1".into()),
            ("duration", rate.rational(project.frames())),
            ("tcStart", "0s".into()),
            ("tcFormat", "NDF".into()),
            ("audioLayout", "stereo".into()),
            ("audioRate", "48k".into()),
        ],
    );
    xml.open("spine", &[]);
    let height = f64::from(project.height);
    let mut style_id = 0;
    for (clip, record) in project.clips.iter().zip(project.record_starts()) {
        let asset = &assets[clip.source.path.as_str()];
        xml.open(
            "asset-clip",
            &[
                ("ref", asset.clone()),
                ("offset", rate.rational(record)),
                ("name", clip.name.clone()),
                ("start", rate.rational(clip.source_in)),
                ("duration", rate.rational(clip.frames())),
                ("tcFormat", "NDF".into()),
            ],
        );
        xml.empty("adjust-conform", &[("type", "none".into())]);
        if let Some(first) = clip.motion.keyframes.first() {
            let position = |m: &crate::Motion| {
                format!("{} {}", number(m.offset_x / height * 100.0, 4), number(-m.offset_y / height * 100.0, 4))
            };
            let scale = |m: &crate::Motion| format!("{0} {0}", number(m.scale, 5));
            let attributes = [("position", position(first)), ("scale", scale(first))];
            if clip.motion.keyframes.len() == 1 {
                xml.empty("adjust-transform", &attributes);
            } else {
                xml.open("adjust-transform", &attributes);
                for (name, value) in [("position", &position as &dyn Fn(&crate::Motion) -> String), ("scale", &scale)] {
                    xml.open("param", &[("name", name.into())]);
                    xml.open("keyframeAnimation", &[]);
                    for motion in &clip.motion.keyframes {
                        xml.empty(
                            "keyframe",
                            &[("time", rate.rational(clip.source_in + motion.frame)), ("value", value(motion))],
                        );
                    }
                    xml.close();
                    xml.close();
                }
                xml.close();
            }
        }
        for caption in &clip.captions {
            style_id += 1;
            let style = format!("ts{style_id}");
            xml.open(
                "title",
                &[
                    ("ref", title_effect.clone()),
                    ("lane", "1".into()),
                    ("offset", rate.rational(clip.source_in + caption.start)),
                    ("name", caption.text.clone()),
                    ("duration", rate.rational(caption.end - caption.start)),
                ],
            );
            xml.empty(
                "param",
                &[
                    ("name", "Position".into()),
                    ("key", TITLE_POSITION_KEY.into()),
                    ("value", format!("0 {}", number(-0.3 * height, 1))),
                ],
            );
            xml.open("text", &[]);
            xml.leaf_with("text-style", &[("ref", style.clone())], &caption.text);
            xml.close();
            xml.open("text-style-def", &[("id", style)]);
            xml.empty(
                "text-style",
                &[
                    ("font", "Helvetica".into()),
                    ("fontSize", number((f64::from(project.width.min(project.height)) / 15.0).round(), 0)),
                    ("fontFace", "Bold".into()),
                    ("fontColor", "1 1 1 1".into()),
                    ("bold", "1".into()),
                    ("strokeColor", "0 0 0 1".into()),
                    ("strokeWidth", "3".into()),
                    ("alignment", "center".into()),
                ],
            );
            xml.close();
            xml.close();
        }
        for marker in &clip.markers {
            xml.empty(
                "marker",
                &[
                    ("start", rate.rational(clip.source_in + marker.at)),
                    ("duration", rate.rational(marker.duration.max(1))),
                    ("value", marker.name.clone()),
                    ("note", marker.note.clone()),
                ],
            );
        }
        xml.close();
    }
    for _ in 0..6 {
        xml.close();
    }
    xml.finish()
}

#[cfg(test)]
mod tests {
    use crate::fixtures::two_clip_project;

    #[test]
    fn clips_are_asset_clips_on_the_spine_with_source_times() {
        let xml = super::write(&two_clip_project());
        assert!(xml.contains("offset=\"250/25s\" name=\"clip-02\" start=\"700/25s\" duration=\"200/25s\""), "{xml}");
        assert_eq!(xml.matches("<asset ").count(), 1);
        assert!(xml.contains("<sequence format=\"r1\" duration=\"450/25s\""));
    }

    #[test]
    fn the_pan_is_keyframed_in_percent_of_the_height_and_captions_are_titles() {
        let xml = super::write(&two_clip_project());
        // 400 px right of centre in a 1920-high frame: 20.8333 %; keyframes on source time.
        assert!(xml.contains("<keyframe time=\"100/25s\" value=\"20.8333 0\"/>"), "{xml}");
        assert!(xml.contains("<keyframe time=\"225/25s\" value=\"-10.4167 0\"/>"));
        assert!(
            xml.contains("<title ref=\"r4\" lane=\"1\" offset=\"725/25s\" name=\"second clip\" duration=\"25/25s\">")
        );
        assert!(xml.contains("<marker start=\"100/25s\" duration=\"75/25s\" value=\"Hook\""));
    }
}
