//! Final Cut Pro 7 XML (`xmeml` version 4), read by Premiere Pro, DaVinci Resolve and FCP 7:
//! V1 the clips with a keyframed Basic Motion (scale in percent, centre as a fraction of the
//! sequence frame), V2 the captions as Text generators, A1 the sound, markers on the clips.

use crate::xml::{number, XmlWriter};
use crate::{Project, Rate, TimelineClip};
use std::collections::HashMap;

pub fn write(project: &Project) -> String {
    let mut xml = XmlWriter::new("xmeml");
    xml.open("xmeml", &[("version", "4".into())]);
    xml.open("sequence", &[("id", "sequence-1".into())]);
    xml.leaf("name", &project.name);
    xml.leaf("duration", project.frames());
    rate(&mut xml, project.rate);
    timecode(&mut xml, project.rate);
    xml.open("media", &[]);
    xml.open("video", &[]);
    xml.open("format", &[]);
    xml.open("samplecharacteristics", &[]);
    rate(&mut xml, project.rate);
    xml.leaf("width", project.width);
    xml.leaf("height", project.height);
    xml.leaf("pixelaspectratio", "square");
    xml.leaf("anamorphic", "FALSE");
    xml.close();
    xml.close();
    let mut files = Files::default();
    let records = project.record_starts();
    xml.open("track", &[]);
    for (index, (clip, &record)) in project.clips.iter().zip(&records).enumerate() {
        video_clip(&mut xml, project, clip, record, index + 1, &mut files);
    }
    xml.close();
    xml.open("track", &[]);
    let mut caption_id = 0;
    for (clip, &record) in project.clips.iter().zip(&records) {
        for caption in &clip.captions {
            caption_id += 1;
            caption_item(&mut xml, project, &caption.text, record + caption.start, record + caption.end, caption_id);
        }
    }
    xml.close();
    xml.close();
    xml.open("audio", &[]);
    xml.open("track", &[]);
    for (index, (clip, &record)) in project.clips.iter().zip(&records).enumerate() {
        if clip.source.has_audio {
            audio_clip(&mut xml, project.rate, clip, record, index + 1, &mut files);
        }
    }
    xml.close();
    xml.close();
    xml.close();
    xml.close();
    xml.close();
    xml.finish()
}

/// File ids by path: the first clip item of a file describes it, later ones refer to it.
#[derive(Default)]
struct Files {
    ids: HashMap<String, String>,
}

impl Files {
    fn write(&mut self, xml: &mut XmlWriter, rate_of_project: Rate, clip: &TimelineClip) {
        if let Some(id) = self.ids.get(&clip.source.path) {
            xml.empty("file", &[("id", id.clone())]);
            return;
        }
        let id = format!("file-{}", self.ids.len() + 1);
        self.ids.insert(clip.source.path.clone(), id.clone());
        xml.open("file", &[("id", id)]);
        xml.leaf("name", clip.source.file_name());
        xml.leaf("pathurl", clip.source.url().replacen("file://", "file://localhost", 1));
        rate(xml, rate_of_project);
        xml.leaf("duration", clip.source.duration_frames);
        timecode(xml, rate_of_project);
        xml.open("media", &[]);
        xml.open("video", &[]);
        xml.open("samplecharacteristics", &[]);
        xml.leaf("width", clip.source.width);
        xml.leaf("height", clip.source.height);
        xml.close();
        xml.close();
        if clip.source.has_audio {
            xml.open("audio", &[]);
            xml.leaf("channelcount", 2);
            xml.close();
        }
        xml.close();
        xml.close();
    }
}

fn rate(xml: &mut XmlWriter, rate: Rate) {
    xml.open("rate", &[]);
    xml.leaf("timebase", rate.timebase);
    xml.leaf("ntsc", if rate.ntsc { "TRUE" } else { "FALSE" });
    xml.close();
}

fn timecode(xml: &mut XmlWriter, project_rate: Rate) {
    xml.open("timecode", &[]);
    rate(xml, project_rate);
    xml.leaf("string", "00:00:00:00");
    xml.leaf("frame", 0);
    xml.leaf("displayformat", "NDF");
    xml.close();
}

/// The timing every track item carries: its place on the timeline and in its media.
fn timing(xml: &mut XmlWriter, media_frames: i64, project_rate: Rate, record: i64, source: (i64, i64)) {
    xml.leaf("enabled", "TRUE");
    xml.leaf("duration", media_frames);
    rate(xml, project_rate);
    xml.leaf("start", record);
    xml.leaf("end", record + source.1 - source.0);
    xml.leaf("in", source.0);
    xml.leaf("out", source.1);
}

fn video_clip(
    xml: &mut XmlWriter,
    project: &Project,
    clip: &TimelineClip,
    record: i64,
    index: usize,
    files: &mut Files,
) {
    xml.open("clipitem", &[("id", format!("clipitem-{index}"))]);
    xml.leaf("name", &clip.name);
    timing(xml, clip.source.duration_frames, project.rate, record, (clip.source_in, clip.source_out));
    files.write(xml, project.rate, clip);
    basic_motion(xml, project, clip);
    for marker in &clip.markers {
        xml.open("marker", &[]);
        xml.leaf("name", &marker.name);
        xml.leaf("comment", &marker.note);
        xml.leaf("in", clip.source_in + marker.at);
        xml.leaf("out", clip.source_in + marker.at + marker.duration);
        xml.close();
    }
    xml.close();
}

/// Basic Motion: `scale` in percent of the source's size, `center` as the offset of the
/// source's centre in fractions of the sequence's width and height; keyframe times (`when`)
/// count frames of the clip's media, like the clip's `in`.
fn basic_motion(xml: &mut XmlWriter, project: &Project, clip: &TimelineClip) {
    let Some(first) = clip.motion.keyframes.first() else { return };
    let animated = clip.motion.keyframes.len() > 1;
    let (width, height) = (f64::from(project.width), f64::from(project.height));
    xml.open("filter", &[]);
    xml.open("effect", &[]);
    xml.leaf("name", "Basic Motion");
    xml.leaf("effectid", "basic");
    xml.leaf("effectcategory", "motion");
    xml.leaf("effecttype", "motion");
    xml.leaf("mediatype", "video");
    xml.open("parameter", &[]);
    xml.leaf("parameterid", "scale");
    xml.leaf("name", "Scale");
    xml.leaf("valuemin", 0);
    xml.leaf("valuemax", 1000);
    xml.leaf("value", number(first.scale * 100.0, 3));
    for motion in clip.motion.keyframes.iter().filter(|_| animated) {
        xml.open("keyframe", &[]);
        xml.leaf("when", clip.source_in + motion.frame);
        xml.leaf("value", number(motion.scale * 100.0, 3));
        xml.close();
    }
    xml.close();
    xml.open("parameter", &[]);
    xml.leaf("parameterid", "center");
    xml.leaf("name", "Center");
    let centre = |xml: &mut XmlWriter, offset_x: f64, offset_y: f64| {
        xml.open("value", &[]);
        xml.leaf("horiz", number(offset_x / width, 6));
        xml.leaf("vert", number(offset_y / height, 6));
        xml.close();
    };
    centre(xml, first.offset_x, first.offset_y);
    for motion in clip.motion.keyframes.iter().filter(|_| animated) {
        xml.open("keyframe", &[]);
        xml.leaf("when", clip.source_in + motion.frame);
        centre(xml, motion.offset_x, motion.offset_y);
        xml.close();
    }
    xml.close();
    xml.close();
    xml.close();
}

/// A caption as a Text generator in the lower third, as wide as the frame allows.
fn caption_item(xml: &mut XmlWriter, project: &Project, text: &str, start: i64, end: i64, id: usize) {
    xml.open("generatoritem", &[("id", format!("caption-{id}"))]);
    xml.leaf("name", text);
    timing(xml, end - start, project.rate, start, (0, end - start));
    xml.open("effect", &[]);
    xml.leaf("name", "Text");
    xml.leaf("effectid", "Text");
    xml.leaf("effectcategory", "Text");
    xml.leaf("effecttype", "generator");
    xml.leaf("mediatype", "video");
    xml.open("parameter", &[]);
    xml.leaf("parameterid", "str");
    xml.leaf("name", "Text");
    xml.leaf("value", text);
    xml.close();
    xml.open("parameter", &[]);
    xml.leaf("parameterid", "fontsize");
    xml.leaf("name", "Size");
    xml.leaf("valuemin", 0);
    xml.leaf("valuemax", 1000);
    xml.leaf("value", (f64::from(project.width.min(project.height)) / 15.0).round());
    xml.close();
    xml.open("parameter", &[]);
    xml.leaf("parameterid", "origin");
    xml.leaf("name", "Origin");
    xml.open("value", &[]);
    xml.leaf("horiz", 0);
    xml.leaf("vert", 0.3);
    xml.close();
    xml.close();
    xml.close();
    xml.close();
}

fn audio_clip(
    xml: &mut XmlWriter,
    project_rate: Rate,
    clip: &TimelineClip,
    record: i64,
    index: usize,
    files: &mut Files,
) {
    xml.open("clipitem", &[("id", format!("audio-{index}"))]);
    xml.leaf("name", &clip.name);
    timing(xml, clip.source.duration_frames, project_rate, record, (clip.source_in, clip.source_out));
    files.write(xml, project_rate, clip);
    xml.open("sourcetrack", &[]);
    xml.leaf("mediatype", "audio");
    xml.leaf("trackindex", 1);
    xml.close();
    xml.close();
}

#[cfg(test)]
mod tests {
    use crate::fixtures::two_clip_project;

    #[test]
    fn clips_follow_each_other_with_their_media_ranges() {
        let xml = super::write(&two_clip_project());
        assert!(
            xml.contains("<start>250</start>\n") && xml.contains("<in>700</in>") && xml.contains("<out>900</out>"),
            "{xml}"
        );
        assert!(xml.contains("<duration>450</duration>"), "the sequence is 250 + 200 frames");
        assert_eq!(xml.matches("<pathurl>").count(), 1, "the file is described once");
        assert!(xml.contains("file://localhost/media/talk%20%26%20co.mp4"));
        assert!(xml.contains("<name>clip-01 Why &lt;pricing&gt; fails</name>"));
    }

    #[test]
    fn the_pan_is_keyframed_on_media_frames_and_captions_are_text() {
        let xml = super::write(&two_clip_project());
        // Keyframes at clip frames 0 and 125 of the clip that starts at media frame 100.
        assert!(xml.contains("<when>100</when>") && xml.contains("<when>225</when>"), "{xml}");
        assert!(xml.contains("<horiz>0.37037</horiz>"), "400 px of 1080 is 0.37037 of the width");
        assert!(xml.contains("<value>266.67</value>"), "scale in percent");
        assert!(xml.contains("<value>second clip</value>"));
        assert!(xml.contains("<marker>\n") && xml.contains("<comment>a question, +6 dB</comment>"));
    }
}
