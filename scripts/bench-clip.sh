#!/usr/bin/env bash
# Benchmark of `opusclip clip`, with ratios against a plain decode measured in the same run:
#  1. a generated 10-minute 1080p30 H.264 talk with an SRT (opusclip demo --no-clip --minutes 10);
#  2. ../shared/media/talk/example.mp4 without a transcript (the audio/visual path);
#  3. the GRID clips of ../shared/media/speech/grid joined into one video with an SRT built from
#     their transcripts (real frontal faces).
# Prints a table per input: each stage's wall time, total, the decode baseline and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-./target/release/opusclip}
OUT=${OUT:-bench-out}
MINUTES=${MINUTES:-10}
SHARED=${SHARED:-../shared/media}
mkdir -p "$OUT"

decode_seconds() {  # best of 2 of a pure 2-thread decode that counts frames
  local best=""
  for _ in 1 2; do
    local start end took
    start=$(date +%s.%N)
    ffprobe -v error -threads 2 -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" >/dev/null
    end=$(date +%s.%N)
    took=$(python3 -c "print($end - $start)")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $took < $best else 1)"; then best=$took; fi
  done
  echo "$best"
}

report() {  # name, video, manifest, decode seconds, wall seconds
  python3 - "$@" <<'PY'
import json, sys
name, video, manifest_path, decode, wall = sys.argv[1:6]
m = json.load(open(manifest_path))
decode = float(decode); wall = float(wall)
print(f"\n## {name}\n{video}: {m['source']['probe']['duration']:.1f} s, "
      f"{m['source']['probe']['video']['width']}x{m['source']['probe']['video']['height']}, "
      f"{len(m['clips'])} clips, transcript: {m['transcript_source']}")
print("| stage | seconds | × decode |\n|---|---|---|")
for s in m['stages']:
    print(f"| {s['name']} | {s['seconds']:.2f} | {s['seconds']/decode:.2f} |")
total = sum(s['seconds'] for s in m['stages'])
print(f"| **all stages** | {total:.2f} | {total/decode:.2f} |")
print(f"| wall (process) | {wall:.2f} | {wall/decode:.2f} |")
print(f"| pure decode (ffprobe -threads 2 -count_frames) | {decode:.2f} | 1.00 |")
print(f"peak memory: {m['peak_memory_bytes']/2**20:.0f} MiB")
for c in m['clips']:
    print(f"- #{c['rank']} {c['start']:.1f}–{c['end']:.1f} s score {c['score']['total']:.1f}: {c['title']}")
PY
}

run_clip() {  # name, video, out dir, extra args...
  local name=$1 video=$2 dir=$3; shift 3
  rm -rf "$dir"
  local decode start end
  decode=$(decode_seconds "$video")
  start=$(date +%s.%N)
  "$BIN" clip "$video" -o "$dir" --json "$@" > "$dir.json"
  end=$(date +%s.%N)
  report "$name" "$video" "$dir/manifest.json" "$decode" "$(python3 -c "print($end - $start)")"
}

# 1. Generated 10-minute talk.
TALK="$OUT/talk-${MINUTES}min/source"
if [ ! -f "$TALK/talk.mp4" ]; then
  "$BIN" demo --no-clip --minutes "$MINUTES" -o "$OUT/talk-${MINUTES}min" >/dev/null
fi
run_clip "generated ${MINUTES}-minute 1080p30 talk with SRT" "$TALK/talk.mp4" "$OUT/talk-clips" --transcript "$TALK/talk.srt"

if [ ! -d "$SHARED" ]; then
  echo "(skipped the real-media runs: $SHARED is missing)"
  exit 0
fi

# 2. example.mp4, no transcript.
run_clip "example.mp4 (no transcript)" "$SHARED/talk/example.mp4" "$OUT/example-clips" --clips 2 --min 5 --max 20

# 3. GRID clips joined, with an SRT from their transcripts.
GRID="$OUT/grid"
mkdir -p "$GRID"
python3 - "$SHARED/speech/grid" "$GRID" <<'PY'
import csv, subprocess, sys, os
src, out = sys.argv[1], sys.argv[2]
rows = [r for r in csv.reader(open(os.path.join(src, "transcripts_from_filename.tsv")), delimiter="\t") if r]
inputs, srt, t = [], [], 0.0
def stamp(x):
    ms = round(x * 1000); return f"{ms//3600000:02}:{ms//60000%60:02}:{ms//1000%60:02},{ms%1000:03}"
for i, (name, text) in enumerate(rows):
    path = os.path.join(src, name)
    dur = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                               capture_output=True, text=True).stdout)
    inputs.append(path)
    sentence = text.strip().capitalize() + "."
    srt.append(f"{i+1}\n{stamp(t + 0.4)} --> {stamp(t + dur - 0.4)}\n{sentence}\n")
    t += dur
open(os.path.join(out, "grid.srt"), "w").write("\n".join(srt))
args = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
for p in inputs: args += ["-i", p]
graph = "".join(f"[{i}:v][{i}:a]" for i in range(len(inputs))) + f"concat=n={len(inputs)}:v=1:a=1[v][a]"
args += ["-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast",
         "-c:a", "aac", os.path.join(out, "grid.mp4")]
subprocess.run(args, check=True)
PY
run_clip "GRID speakers joined, SRT from their transcripts" "$GRID/grid.mp4" "$OUT/grid-clips" --transcript "$GRID/grid.srt" --clips 2 --min 6 --max 15
