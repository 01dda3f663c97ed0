#!/usr/bin/env bash
# Benchmark of `opusclip analyze` (issue 3, "Speed, as a benchmark"): wall time against a pure
# 2-thread decode of the same file and against PySceneDetect, with the F1 of each tool's cuts,
# all measured in the same run:
#  1. a generated 10-minute 1080p30 H.264 file (x264 ~6 Mb/s, film grain, hard cuts at known
#     frames, AAC audio with silences), made once and cached in $OUT/analyze/;
#  2. the shared scene videos in ../shared/media/scenes.
# Wall time and CPU time (user+sys, from /usr/bin/time) are both reported: on a busy machine the
# CPU ratio is the steadier one.
# Every tool runs with the same input, alternately (one run of each per round), best of $ROUNDS:
#   opusclip analyze --no-cache (adaptive, content, and adaptive with --workers 1: one frame-threaded
#   decoder instead of two segment workers); ffprobe -threads 2 -count_frames (decode);
#   PySceneDetect detect-adaptive and detect-content (installed by this script in $OUT/venv).
# Then the peak memory (max RSS) of `opusclip analyze` on the 10-minute file and on a 60-minute
# file (6 copies joined by stream copy), to show that memory does not grow with length.
# Environment: BIN, OUT, ROUNDS (3), GEN_ROUNDS (rounds on the generated file; ROUNDS), SCENES (../shared/media/scenes), LONG=0 skips the 60-minute run,
# MEDIA_ONLY=1 only makes the generated file.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-./target/release/opusclip}
OUT=${OUT:-bench-out}
ROUNDS=${ROUNDS:-3}
GEN_ROUNDS=${GEN_ROUNDS:-$ROUNDS}
SCENES=${SCENES:-../shared/media/scenes}
LONG=${LONG:-1}
WORK="$OUT/analyze"
mkdir -p "$WORK"

if [ ! -x "$BIN" ]; then
  cargo build --release -p opusclip
fi

# /usr/bin/time for the peak memory.
if [ ! -x /usr/bin/time ]; then
  (apt-get install -y -q time >/dev/null 2>&1 || sudo apt-get install -y -q time >/dev/null 2>&1) ||
    echo "note: /usr/bin/time is missing and could not be installed: no peak memory" >&2
fi

# PySceneDetect from PyPI, in its own venv.
VENV="$OUT/venv"
SCENEDETECT=""
if [ ! -x "$VENV/bin/scenedetect" ]; then
  echo "setting up PySceneDetect in $VENV…" >&2
  (python3 -m venv "$VENV" && "$VENV/bin/pip" install -q scenedetect opencv-python-headless) >&2 ||
    echo "note: PySceneDetect could not be installed: its columns are left out" >&2
fi
if [ -x "$VENV/bin/scenedetect" ] && "$VENV/bin/scenedetect" version >/dev/null 2>&1; then
  SCENEDETECT="$VENV/bin/scenedetect"
fi

# 1. The generated 10-minute file: a 60 s piece (three sources, each 18-22 s, joined with hard
#    cuts; film grain on everything; a tone with a 3 s silence every 30 s) encoded once, then 10
#    copies joined with the concat demuxer and -c copy. Copy k starts at frame 1800 k, so the
#    golden cuts are 1800 k + 660, 1800 k + 1260 and (k ≥ 1) 1800 k (mandelbrot → gradients →
#    testsrc2 across the join).
GEN="$WORK/grain-10min.mp4"
GOLD="$WORK/grain-10min.cuts.json"
if [ ! -f "$GEN" ] || [ ! -f "$GOLD" ]; then
  echo "generating $GEN (once)…" >&2
  ffmpeg -nostdin -v error -y -filter_complex "\
testsrc2=s=1920x1080:r=30:d=22[a];\
mandelbrot=s=480x270:r=30,trim=end_frame=600,setpts=PTS-STARTPTS,scale=1920:1080[b];\
gradients=s=480x270:r=30:d=18:speed=0.02:seed=7,scale=1920:1080[c];\
[a][b][c]concat=n=3:v=1:a=0,format=yuv420p,noise=alls=12:allf=t+u[v];\
aevalsrc='0.25*sin(2*PI*220*t)*lt(mod(t\,30)\,20)+0.25*sin(2*PI*330*t)*gte(mod(t\,30)\,23)':s=48000:d=60[aud]" \
    -map "[v]" -map "[aud]" -c:v libx264 -preset veryfast -b:v 6M -maxrate 6M -bufsize 12M \
    -c:a aac -b:a 128k "$WORK/grain-60s.mp4"
  : > "$WORK/grain-10min.txt"
  for _ in $(seq 10); do printf "file 'grain-60s.mp4'\nduration 60\n" >> "$WORK/grain-10min.txt"; done
  ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$WORK/grain-10min.txt" -c copy "$GEN"
  python3 - "$GEN" "$GOLD" <<'PY'
import json, subprocess, sys
video, gold = sys.argv[1:3]
probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                   "stream=nb_frames,duration,r_frame_rate", "-of", "json", video],
                                  capture_output=True, text=True, check=True).stdout)["streams"][0]
frames = int(probe["nb_frames"])
assert frames == 18000 and abs(float(probe["duration"]) - 600.0) < 0.05, f"unexpected stream: {probe}"
cuts = sorted([1800 * k + 660 for k in range(10)] + [1800 * k + 1260 for k in range(10)] +
              [1800 * k for k in range(1, 10)])
json.dump({"video": video, "fps": 30, "frames": frames, "cuts": cuts,
           "cut_seconds": [c / 30 for c in cuts],
           "silences_seconds": [[30 * k + 20, 30 * k + 23] for k in range(20)]}, open(gold, "w"), indent=1)
PY
fi

if [ "${MEDIA_ONLY:-0}" = "1" ]; then echo "$GEN, goldens in $GOLD"; exit 0; fi

# 2. Timing and F1, alternately, best of $ROUNDS.
VIDEOS=()
for name in testvideo.mp4 fades.mp4 counter.mp4 issue-195-aspect-ratio.mp4 delayed_start.mp4; do
  if [ -f "$SCENES/$name" ]; then VIDEOS+=("$SCENES/$name"); fi
done
[ ${#VIDEOS[@]} -gt 0 ] || echo "(the shared scene videos are missing: $SCENES)" >&2
VIDEOS+=("$GEN")

python3 - "$BIN" "$SCENEDETECT" "$ROUNDS" "$GEN_ROUNDS" "$WORK" "$GEN" "$GOLD" "${VIDEOS[@]}" <<'PY'
import json, os, re, subprocess, sys, time
sys.path.insert(0, "scripts")
import eval_scenes

binary, scenedetect, rounds, gen_rounds, work, generated, gold_path = sys.argv[1:8]
videos, rounds, gen_rounds = sys.argv[8:], int(rounds), int(gen_rounds)
time_bin = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
goldens = {generated: json.load(open(gold_path))["cuts"]}
for v in videos:
    if os.path.basename(v) in eval_scenes.TRUTH and eval_scenes.TRUTH[os.path.basename(v)] is not None:
        goldens[v] = eval_scenes.TRUTH[os.path.basename(v)]

def tools(video):
    stem = os.path.join(work, os.path.basename(video))
    listed = [
        ("decode (ffprobe -threads 2)", ["ffprobe", "-v", "error", "-threads", "2", "-count_frames", "-select_streams",
                                         "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", video], None),
        ("opusclip adaptive", [binary, "analyze", video, "-o", stem + ".adaptive.json", "--detector", "adaptive",
                               "--no-cache"], stem + ".adaptive.json"),
        ("opusclip content", [binary, "analyze", video, "-o", stem + ".content.json", "--detector", "content",
                              "--no-cache"], stem + ".content.json"),
        ("opusclip adaptive, 1 worker", [binary, "analyze", video, "-o", stem + ".adaptive1.json", "--detector",
                                         "adaptive", "--no-cache", "--workers", "1"], stem + ".adaptive1.json"),
    ]
    if scenedetect:
        for d in ("adaptive", "content"):
            name = os.path.basename(video) + f".sd-{d}.csv"
            listed.append((f"PySceneDetect detect-{d}", [scenedetect, "-q", "-i", video, f"detect-{d}", "list-scenes",
                                                         "-s", "-q", "-o", work, "-f", name], os.path.join(work, name)))
    return listed

def run(command):
    rss_file = os.path.join(work, "time.txt")
    wrapped = [time_bin, "-v", "-o", rss_file] + command if time_bin else command
    start = time.perf_counter()
    done = subprocess.run(wrapped, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    rss, cpu = None, None
    if time_bin:
        text = open(rss_file).read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss = int(m.group(1)) * 1024 if m else None
        user = re.search(r"User time \(seconds\): ([\d.]+)", text)
        system = re.search(r"System time \(seconds\): ([\d.]+)", text)
        cpu = float(user.group(1)) + float(system.group(1)) if user and system else None
    return took, rss, cpu, done.stdout

summary = []
for video in videos:
    listed = tools(video)
    load_before = os.getloadavg()[0]
    times = {name: [] for name, _, _ in listed}
    cpus = {name: [] for name, _, _ in listed}
    rss = {name: 0 for name, _, _ in listed}
    decoded_frames = None
    video_rounds = gen_rounds if video == generated else rounds
    for _ in range(video_rounds):
        for name, command, _ in listed:
            took, peak, cpu, stdout = run(command)
            times[name].append(took)
            if cpu is not None:
                cpus[name].append(cpu)
            rss[name] = max(rss[name], peak or 0)
            if name.startswith("decode"):
                decoded_frames = stdout.strip()
    best = {name: min(ts) for name, ts in times.items()}
    best_cpu = {name: min(ts) if ts else None for name, ts in cpus.items()}
    decode = best["decode (ffprobe -threads 2)"]
    decode_cpu = best_cpu["decode (ffprobe -threads 2)"]
    golden = goldens.get(video)
    probe = json.load(open(listed[1][2]))["source"]["probe"]
    label = os.path.basename(video)
    print(f"\n## {label}: {probe['duration']:.1f} s, {probe['video']['width']}x{probe['video']['height']} "
          f"@ {probe['video']['fps']:.3f} fps, {decoded_frames} frames (ffprobe), best of {video_rounds}"
          + (f", {len(golden)} golden cuts" if golden is not None else ", no goldens (counts only)")
          + f"; 1-min load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print("| tool | best s | runs s | × decode | × PySceneDetect (same detector) | CPU s (user+sys) | CPU × decode | max RSS MiB | cuts | F1 ±0 | F1 ±1 | extra / missed (±1) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    row = {"video": label}
    for name, _, output in listed:
        runs = " ".join(f"{t:.2f}" for t in times[name])
        vs_sd = "–"
        if name.startswith("opusclip") and scenedetect:
            vs_sd = f"{best[name] / best['PySceneDetect detect-' + name.split()[1].rstrip(',')]:.2f}"
        cpu_cell, cpu_ratio = "–", "–"
        if best_cpu[name] is not None:
            cpu_cell = f"{best_cpu[name]:.2f}"
            cpu_ratio = f"{best_cpu[name] / decode_cpu:.2f}" if decode_cpu else "–"
        cuts, f0, f1, diff = "–", "–", "–", ""
        if output:
            predicted = eval_scenes.load_cuts(output)
            cuts = str(len(predicted)) if len(predicted) > 10 else f"{len(predicted)} {predicted}"
            if golden is not None:
                s0, s1 = (eval_scenes.scores(predicted, golden, t) for t in (0, 1))
                f0, f1 = f"{s0['f1']:.2f}", f"{s1['f1']:.2f}"
                diff = f"{s1['extra'][:6]} / {s1['missed'][:6]}"
                row[name + " F1±1"] = s1["f1"]
        print(f"| {name} | {best[name]:.2f} | {runs} | {best[name] / decode:.2f} | {vs_sd} | {cpu_cell} | {cpu_ratio} | "
              f"{rss[name] / 2**20:.0f} | {cuts} | {f0} | {f1} | {diff} |")
        row[name] = best[name]
    summary.append(row)

print("\n## Summary: best seconds, ratios against the decode and PySceneDetect (same detector)")
print("| video | decode s | opusclip adaptive s | × decode | × PySceneDetect | opusclip content s | × decode | × PySceneDetect |")
print("|---|---|---|---|---|---|---|---|")
for row in summary:
    d = row["decode (ffprobe -threads 2)"]
    cells = []
    for det in ("adaptive", "content"):
        o = row[f"opusclip {det}"]
        sd = row.get(f"PySceneDetect detect-{det}")
        cells += [f"{o:.2f}", f"{o / d:.2f}", f"{o / sd:.2f}" if sd else "–"]
    print(f"| {row['video']} | {d:.2f} | " + " | ".join(cells) + " |")
PY

# 3. Peak memory: 10 minutes vs 60 minutes (6 copies of the 10-minute file, stream copy).
if [ "$LONG" != "0" ] && [ -x /usr/bin/time ]; then
  LONGFILE="$WORK/grain-60min.mp4"
  if [ ! -f "$LONGFILE" ]; then
    : > "$WORK/grain-60min.txt"
    for _ in $(seq 6); do printf "file 'grain-10min.mp4'\nduration 600\n" >> "$WORK/grain-60min.txt"; done
    ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$WORK/grain-60min.txt" -c copy "$LONGFILE"
  fi
  echo
  echo "## Peak memory of opusclip analyze --no-cache (adaptive), /usr/bin/time -v"
  echo "| file | frames | wall s | max RSS MiB | cuts |"
  echo "|---|---|---|---|---|"
  for f in "$GEN" "$LONGFILE"; do
    /usr/bin/time -v -o "$WORK/time-mem.txt" "$BIN" analyze "$f" -o "$WORK/mem.json" --no-cache >/dev/null 2>&1
    python3 - "$f" "$WORK/time-mem.txt" "$WORK/mem.json" <<'PY'
import json, re, sys, os
video, timing, analysis = sys.argv[1:4]
text = open(timing).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
parts = [float(p) for p in wall.split(":")]
seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
doc = json.load(open(analysis))
print(f"| {os.path.basename(video)} | {doc['frames_decoded']} | {seconds:.1f} | {rss:.0f} | {len(doc['cuts'])} |")
PY
  done
fi
