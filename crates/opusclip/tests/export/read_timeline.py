"""Reads an exported timeline with OpenTimelineIO's own adapters (and, for FCPXML, Python's
ElementTree on the raw file, since the FCPX adapter ignores titles and rounds 29.97 down to 29)
and prints what it found as JSON for the Rust test to check."""
import json
import sys
import xml.etree.ElementTree as ElementTree
from fractions import Fraction

import opentimelineio as otio


def plain(value):
    if hasattr(value, "items"):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        return [plain(item) for item in value]
    return value


def item_summary(item):
    summary = {"type": type(item).__name__, "name": item.name}
    if item.source_range is not None:
        summary["start"] = item.source_range.start_time.value
        summary["duration"] = item.source_range.duration.value
        summary["rate"] = item.source_range.start_time.rate
    if isinstance(item, otio.schema.Clip):
        reference = item.media_reference
        summary["url"] = getattr(reference, "target_url", None)
        summary["generator"] = getattr(reference, "generator_kind", None)
        summary["markers"] = [
            {"name": m.name, "start": m.marked_range.start_time.value, "duration": m.marked_range.duration.value}
            for m in item.markers
        ]
        summary["effects"] = [{"name": e.name, "metadata": plain(e.metadata)} for e in item.effects]
        summary["metadata"] = plain(item.metadata)
    return summary


def fcpx_raw(path):
    root = ElementTree.parse(path).getroot()
    formats = {f.get("id"): f for f in root.iter("format")}
    sequence = root.find(".//sequence")
    frame = Fraction(formats[sequence.get("format")].get("frameDuration").rstrip("s"))

    def frames(time):
        return float(Fraction((time or "0s").rstrip("s")) / frame)

    clips = []
    for clip in root.iter("asset-clip"):
        clips.append({
            "name": clip.get("name"),
            "offset": frames(clip.get("offset")),
            "start": frames(clip.get("start")),
            "duration": frames(clip.get("duration")),
            "titles": ["".join(t.itertext()).strip() for t in clip.iter("title")],
            "keyframes": len(list(clip.iter("keyframe"))),
            "transform": (clip.find("adjust-transform").attrib if clip.find("adjust-transform") is not None else None),
        })
    sequence_format = formats[sequence.get("format")]
    return {"width": int(sequence_format.get("width")), "height": int(sequence_format.get("height")), "clips": clips}


def main():
    path, adapter = sys.argv[1], sys.argv[2]
    arguments = {"rate": float(sys.argv[3])} if adapter == "cmx_3600" else {}
    timeline = otio.adapters.read_from_file(path, adapter_name=adapter, **arguments)
    if isinstance(timeline, otio.schema.SerializableCollection):
        timeline = list(timeline)[0]
    found = {
        "tracks": [
            {"name": track.name, "kind": track.kind, "items": [item_summary(item) for item in track]}
            for track in timeline.tracks
        ]
    }
    if adapter == "fcpx_xml":
        found["raw"] = fcpx_raw(path)
    print(json.dumps(found))


main()
