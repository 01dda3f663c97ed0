//! OpenTimelineIO JSON (`.otio`): a Timeline whose stack holds V1 (the clips, each an
//! ExternalReference to the source), Captions (Text generator clips between gaps) and A1.
//! OTIO has no standard transform, so the crop path rides in each clip's `metadata.opusclip`.

use crate::{Project, TimelineClip};
use serde_json::{json, Value};

pub fn write(project: &Project) -> String {
    let fps = project.rate.fps();
    let time = |frames: i64| json!({"OTIO_SCHEMA": "RationalTime.1", "rate": fps, "value": frames as f64});
    let range = |start: i64, duration: i64| json!({"OTIO_SCHEMA": "TimeRange.1", "start_time": time(start), "duration": time(duration)});
    let item = |schema: &str, name: &str, source_range: Value| {
        json!({"OTIO_SCHEMA": schema, "metadata": {}, "name": name, "source_range": source_range,
               "effects": [], "markers": [], "enabled": true, "color": null})
    };
    let clip_item = |clip: &TimelineClip, with_metadata: bool| {
        let mut value = item("Clip.2", &clip.name, range(clip.source_in, clip.frames()));
        value["media_references"] = json!({"DEFAULT_MEDIA": {
            "OTIO_SCHEMA": "ExternalReference.1", "metadata": {}, "name": clip.source.file_name(),
            "available_range": range(0, clip.source.duration_frames), "available_image_bounds": null,
            "target_url": clip.source.url()}});
        value["active_media_reference_key"] = json!("DEFAULT_MEDIA");
        value["markers"] = clip
            .markers
            .iter()
            .map(|marker| {
                json!({"OTIO_SCHEMA": "Marker.2", "metadata": {}, "name": marker.name, "color": "PURPLE",
                       "marked_range": range(clip.source_in + marker.at, marker.duration), "comment": marker.note})
            })
            .collect();
        if with_metadata {
            value["metadata"] = json!({"opusclip": transform_metadata(project, clip)});
        }
        value
    };
    let track = |name: &str, kind: &str, children: Vec<Value>| {
        let mut value = item("Track.1", name, Value::Null);
        value["children"] = Value::Array(children);
        value["kind"] = json!(kind);
        value
    };
    let video = project.clips.iter().map(|clip| clip_item(clip, true)).collect();
    let mut captions = Vec::new();
    let mut at = 0;
    for (clip, record) in project.clips.iter().zip(project.record_starts()) {
        for caption in &clip.captions {
            let start = record + caption.start;
            if start > at {
                captions.push(item("Gap.1", "", range(0, start - at)));
            }
            let mut generator = item("Clip.2", &caption.text, range(0, caption.end - caption.start));
            generator["media_references"] = json!({"DEFAULT_MEDIA": {
                "OTIO_SCHEMA": "GeneratorReference.1", "metadata": {}, "name": "caption",
                "available_range": null, "available_image_bounds": null,
                "generator_kind": "Text", "parameters": {"text": caption.text}}});
            generator["active_media_reference_key"] = json!("DEFAULT_MEDIA");
            captions.push(generator);
            at = record + caption.end;
        }
    }
    let audio = project.clips.iter().filter(|clip| clip.source.has_audio).map(|clip| clip_item(clip, false)).collect();
    let mut stack = item("Stack.1", "tracks", Value::Null);
    stack["children"] =
        json!([track("V1", "Video", video), track("Captions", "Video", captions), track("A1", "Audio", audio)]);
    let timeline = json!({
        "OTIO_SCHEMA": "Timeline.1",
        "metadata": {"opusclip": {"width": project.width, "height": project.height}},
        "name": project.name,
        "global_start_time": time(0),
        "tracks": stack,
    });
    serde_json::to_string_pretty(&timeline).expect("a JSON value serialises")
}

/// The crop path as data an OTIO consumer can apply: frames from the clip's first frame.
fn transform_metadata(project: &Project, clip: &TimelineClip) -> Value {
    let keyframes: Vec<Value> = clip
        .motion
        .keyframes
        .iter()
        .map(|m| json!({"frame": m.frame, "scale": m.scale, "offset_x": m.offset_x, "offset_y": m.offset_y}))
        .collect();
    json!({
        "frame": {"width": project.width, "height": project.height},
        "transform": {
            "about": "scale: frame pixels per source pixel; offset_x/offset_y: frame pixels from the \
                      frame's centre to the source's centre (right, down); frame: from the clip's first frame",
            "keyframes": keyframes,
            "note": clip.motion.note,
        },
    })
}

#[cfg(test)]
mod tests {
    use crate::fixtures::two_clip_project;
    use serde_json::Value;

    #[test]
    fn the_timeline_holds_video_captions_and_audio() {
        let text = super::write(&two_clip_project());
        let timeline: Value = serde_json::from_str(&text).unwrap();
        let tracks = timeline["tracks"]["children"].as_array().unwrap();
        assert_eq!(tracks.len(), 3);
        let second = &tracks[0]["children"][1];
        assert_eq!(second["source_range"]["start_time"]["value"], 700.0);
        assert_eq!(second["source_range"]["duration"]["value"], 200.0);
        // Captions: the first two at 0 and 30, a gap, then the second clip's at 250 + 25.
        let captions = tracks[1]["children"].as_array().unwrap();
        let kinds: Vec<&str> = captions.iter().map(|c| c["OTIO_SCHEMA"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["Clip.2", "Gap.1", "Clip.2", "Gap.1", "Clip.2"]);
        assert_eq!(captions[3]["source_range"]["duration"]["value"], 215.0);
        assert_eq!(captions[4]["name"], "second clip");
        let first = &tracks[0]["children"][0];
        assert_eq!(first["markers"][0]["marked_range"]["start_time"]["value"], 100.0);
        assert_eq!(first["metadata"]["opusclip"]["transform"]["keyframes"][1]["frame"], 125);
    }
}
