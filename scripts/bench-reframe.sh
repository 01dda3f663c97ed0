#!/usr/bin/env bash
# Benchmark of reframing (issue 6), on the scenes of `opusclip eval reframe` (real GRID faces
# overlaid on a 1920x1080 canvas, generated once into $OUT/reframe):
#  1. the evaluation table, with the close look (full-rate decode + face detection at 5 fps +
#     mouth motion, saliency, borders) and the planning (tracking, speakers, camera) in
#     seconds per minute of clip, beside a pure 2-thread decode of the same scene;
#  2. rendering 9:16 + 1:1 + 4:5 (track layout, centred crops) of the 24 s turn-taking scene
#     and of a camera-like copy of it (grain, 8 Mbit/s) from one decode (one ffmpeg, `split`)
#     against three separate renders, best of $ROUNDS rounds each.
# Wall time and CPU time (user + sys, from /usr/bin/time) are both reported: the machine may be
# shared, and CPU time is the steadier of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-./target/release/opusclip}
OUT=${OUT:-bench-out}
SHARED=${SHARED:-../shared/media}
ROUNDS=${ROUNDS:-2}
WORK="$OUT/reframe"
mkdir -p "$WORK"

timed() {  # command... (stdout to $WORK/stdout.txt); sets WALL and CPU (user + sys) in seconds
  /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" "$@" > "$WORK/stdout.txt"
  read -r WALL CPU < <(awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$WORK/time.txt")
}

echo "## Evaluation ($(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg))"
timed "$BIN" eval reframe --media "$SHARED" --work "$WORK"
cat "$WORK/stdout.txt"
echo
echo "whole evaluation (6 videos, 126 s of video, 4 aspect ratios each): $WALL s wall, $CPU s CPU"

scene="$WORK/$(ls -t "$WORK" | grep -m1 '^reframe-turns-.*\.mp4$')"
timed ffprobe -v error -threads 2 -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$scene"
seconds=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$scene")
python3 -c "print(f'pure decode of $(basename "$scene") (ffprobe -count_frames, 2 threads): {60 * $WALL / $seconds:.2f} s wall, {60 * $CPU / $seconds:.2f} s CPU per minute of 1080p25 video')"

# A camera-like copy of the scene: sensor-like grain, 8 Mbit/s (the generated scene is flat and
# ~0.7 Mbit/s, so its decode is unusually cheap next to real 1080p footage).
GRAINY="$WORK/turns-grain-8M.mp4"
[ -f "$GRAINY" ] || ffmpeg -nostdin -v error -y -i "$scene" -vf noise=alls=6:allf=t -c:v libx264 -preset veryfast \
  -b:v 8M -maxrate 8M -bufsize 16M -c:a copy "$GRAINY"

best() { sort -n | head -1; }
render_bench() {  # label, extra args...
  local label=$1; shift
  echo
  echo "## Rendering 9:16 + 1:1 + 4:5 (track, centred crops) of $label"
  local one_wall=() one_cpu=() three_wall=() three_cpu=()
  for round in $(seq "$ROUNDS"); do
    timed "$BIN" eval reframe --media "$SHARED" --work "$WORK" --render-bench one "$@"
    one_wall+=("$WALL"); one_cpu+=("$CPU")
    timed "$BIN" eval reframe --media "$SHARED" --work "$WORK" --render-bench separate "$@"
    three_wall+=("$WALL"); three_cpu+=("$CPU")
    echo "round $round: one decode ${one_wall[-1]} s wall ${one_cpu[-1]} s CPU; three renders ${three_wall[-1]} s wall ${three_cpu[-1]} s CPU"
  done
  python3 - "$(printf '%s\n' "${one_wall[@]}" | best)" "$(printf '%s\n' "${one_cpu[@]}" | best)" \
    "$(printf '%s\n' "${three_wall[@]}" | best)" "$(printf '%s\n' "${three_cpu[@]}" | best)" <<'PY'
import sys
ow, oc, tw, tc = map(float, sys.argv[1:])
print("| render (best of rounds) | wall s | CPU s |\n|---|---|---|")
print(f"| one decode, 3 outputs | {ow:.2f} | {oc:.2f} |")
print(f"| three renders | {tw:.2f} | {tc:.2f} |")
print(f"| ratio (goal ≤ 0.85) | {ow / tw:.2f} | {oc / tc:.2f} |")
PY
}
render_bench "the 24 s turn-taking scene (0.7 Mbit/s)"
render_bench "its camera-like copy (grain, 8 Mbit/s)" --render-source "$GRAINY"
